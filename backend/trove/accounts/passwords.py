"""The rules a new password must meet.

A password is judged exactly as given: it is never trimmed, because spaces
may be part of a passphrase, and never Unicode-normalised, so what is checked
is what gets hashed. The cost is that an accented letter typed as one code
point on one system and as letter plus accent on another makes two different
passwords.

Length counts characters (code points), not bytes, so "é" and "😀" count
as one each. Letters, cases, digits and whitespace follow Python's
Unicode-aware `str` methods, so Ω, ω and ٣ count as an uppercase letter, a
lowercase letter and a digit.

A special character is any that is not a letter, a digit, whitespace or a
refused character: punctuation and symbols, emoji included, but also
combining accents and numerals such as ½, which `isdigit` does not count.

Refused are the Unicode categories Cc, Cf and Cs. Control characters (Cc:
tab, line break, NUL, DEL...) cannot be typed reliably into a password box
and usually mean a paste went wrong. Format characters (Cf: zero-width
spaces, direction overrides, the byte-order mark) are invisible, so a person
cannot see that their password holds one; this also refuses emoji joined with
a zero-width joiner. Lone surrogates (Cs) cannot be encoded as UTF-8 and so
cannot be hashed. A refused character does not count as special, so removing
it never reveals a further rule the password breaks.
"""

from __future__ import annotations

import unicodedata

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128

_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})

_MESSAGES = {
    "password_too_short": "The password needs at least 8 characters.",
    "password_too_long": "The password may have at most 128 characters.",
    "password_missing_lowercase": "The password needs a lowercase letter.",
    "password_missing_uppercase": "The password needs an uppercase letter.",
    "password_missing_digit": "The password needs a digit.",
    "password_missing_special": (
        "The password needs a special character, one that is neither a "
        "letter, a digit nor white space."
    ),
    "password_has_control_character": (
        "The password may not contain control or invisible formatting "
        "characters."
    ),
}


def password_problems(value: str) -> list[tuple[str, str]]:
    """List every rule the password breaks as `(code, message)`; empty if none.

    The rules are always reported in the same order, the order of `_MESSAGES`.
    """
    broken = {
        "password_too_short": len(value) < MIN_PASSWORD_LENGTH,
        "password_too_long": len(value) > MAX_PASSWORD_LENGTH,
        "password_missing_lowercase": not any(char.islower() for char in value),
        "password_missing_uppercase": not any(char.isupper() for char in value),
        "password_missing_digit": not any(char.isdigit() for char in value),
        "password_missing_special": not any(_is_special(char) for char in value),
        "password_has_control_character": any(_is_refused(char) for char in value),
    }
    return [(code, message) for code, message in _MESSAGES.items() if broken[code]]


def _is_special(char: str) -> bool:
    """Tell whether `char` counts as the special character a password needs."""
    return not (
        char.isalpha() or char.isdigit() or char.isspace() or _is_refused(char)
    )


def _is_refused(char: str) -> bool:
    """Tell whether `char` is a control, format or surrogate code point."""
    return unicodedata.category(char) in _REFUSED_CATEGORIES
