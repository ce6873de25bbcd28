"""The rules for the email address a person registers and signs in with.

No library checks exactly these rules, so they are written out by hand here.

An address is ASCII only, has no whitespace, display name or comment, is at
most 254 characters long (the longest path SMTP carries, less its angle
brackets) and has exactly one @ outside quotes.

The local part, before the @, is at most 64 characters and is either a
dot-atom (letters, digits and !#$%&'*+/=?^_`{|}~- in runs joined by single
dots) or one quoted string covering the whole local part. Inside the quotes
at least one character is needed, and any visible ASCII character may appear,
with " and \\ escaped by a backslash; a backslash before anything else is
refused, and so is a space, because no whitespace is accepted anywhere.

The domain is either hostname labels (1 to 63 letters, digits or hyphens,
not starting or ending with a hyphen) ending in a top-level domain on IANA's
list (an international domain is written in its xn-- form), or an IPv4
address, bare or in square brackets. A domain whose last label is all
digits is read as an IPv4 address, since no top-level domain is numeric.
Each of its four numbers is 0 to 255, at most three digits, and has no
leading zero: some resolvers read 010 as octal 8, and "1.2.3.4" and
"001.002.003.004" would otherwise be two stored addresses for one mailbox.

Addresses are case-insensitive here, the local part included. The standard
lets a mail server treat "Peter" and "peter" as two mailboxes, but hardly any
does, and honouring it would let one person hold two accounts or fail to
sign in for a capital letter. `normalise_email` therefore lowercases the whole
address, quoted local parts too; IPv4 domains contain no letters and so stay
as given.

The top-level domains come from IANA's tlds-alpha-by-domain.txt, bundled as
`trove/data/tlds.txt` and read once, when this module is imported.
"""

from __future__ import annotations

import re
import string
from importlib import resources

MAX_EMAIL_LENGTH = 254
MAX_LOCAL_PART_LENGTH = 64
MAX_LABEL_LENGTH = 63

# The hyphen is escaped so that it stays literal wherever this set is spliced.
_ATEXT = r"A-Za-z0-9!#$%&'*+/=?^_`{|}~\-"
_NOT_LOCAL_CHARACTER = re.compile(rf"[^{_ATEXT}.]")
_DOT_ATOM = re.compile(rf"[{_ATEXT}]+(?:\.[{_ATEXT}]+)*")
# A leading quoted string, closed by the first quote that no backslash escapes.
_QUOTED_PREFIX = re.compile(r'"(?:[^"\\]|\\.)*"')
# Visible ASCII except " and \, which appear only as \" and \\.
_QUOTED_TEXT = re.compile(r'(?:[\x21\x23-\x5b\x5d-\x7e]|\\["\\])+')
_NOT_DOMAIN_CHARACTER = re.compile(r"[^A-Za-z0-9.-]")
_DIGITS = re.compile(r"[0-9]+")
_NOT_VISIBLE_ASCII = re.compile(r"[^\x21-\x7e]")

_TO_LOWERCASE = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)

_NEEDS_ONE_AT = "The address needs exactly one @ outside quotes."
_IPV4_SHAPE = (
    "An IP address as the domain must be IPv4: four numbers joined by dots, "
    "as in 192.0.2.1 or [192.0.2.1]."
)


def _load_top_level_domains() -> frozenset[str]:
    """Read IANA's list of top-level domains, lowercased, from the package."""
    text = (resources.files("trove") / "data" / "tlds.txt").read_text("ascii")
    return frozenset(
        line.strip().lower()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


_TOP_LEVEL_DOMAINS = _load_top_level_domains()


class _Invalid(Exception):
    """The address has the wrong shape; the message says how, in plain words."""


def normalise_email(value: str) -> str:
    """Give the form in which an address is stored and looked up.

    Only ASCII letters are lowercased, because Unicode case rules may change a
    text's length; an accepted address thus keeps every other character. It is
    meant for addresses `email_problems` accepted and checks nothing itself.

    Two spellings of one mailbox become one: quotes around a local part
    that needs none are dropped (`"ann"@x.com` is `ann@x.com`), and so are
    the brackets around an IPv4 domain.
    """
    lowered = value.translate(_TO_LOWERCASE)
    local_part, _, domain = lowered.rpartition("@")
    if local_part.startswith('"') and local_part.endswith('"'):
        inner = local_part[1:-1]
        if _DOT_ATOM.fullmatch(inner):
            local_part = inner
    if domain.startswith("[") and domain.endswith("]"):
        domain = domain[1:-1]
    return f"{local_part}@{domain}"


def email_problems(value: str) -> list[tuple[str, str]]:
    """List what is wrong with an address as `(code, message)`; empty if valid.

    Each code appears at most once: `email_invalid` names the first problem
    with the shape, read from left to right, and `email_unknown_tld` is only
    judged for a domain that is otherwise a well-formed hostname.
    """
    problems: list[tuple[str, str]] = []
    if len(value) > MAX_EMAIL_LENGTH:
        problems.append(
            ("email_too_long", "The address may be at most 254 characters long.")
        )

    try:
        _check_characters(value)
        local_part, domain = _split_at_the_at_sign(value)
    except _Invalid as error:
        problems.append(("email_invalid", str(error)))
        return problems

    if len(local_part) > MAX_LOCAL_PART_LENGTH:
        problems.append(
            (
                "email_local_part_too_long",
                "The part before the @ may be at most 64 characters long.",
            )
        )

    invalid: str | None = None
    try:
        _check_local_part(local_part)
    except _Invalid as error:
        invalid = str(error)
    try:
        top_level_domain = _check_domain(domain)
    except _Invalid as error:
        invalid = invalid or str(error)
        top_level_domain = None
    if invalid is not None:
        problems.append(("email_invalid", invalid))

    if top_level_domain and top_level_domain.lower() not in _TOP_LEVEL_DOMAINS:
        problems.append(
            (
                "email_unknown_tld",
                f'The domain ends in ".{top_level_domain}", which is not a known '
                "top-level domain.",
            )
        )
    return problems


def _check_characters(value: str) -> None:
    """Refuse an empty address and any character that cannot be seen or typed."""
    if not value:
        raise _Invalid("The address is empty.")
    if not value.isascii():
        raise _Invalid("The address may contain only ASCII characters.")

    hidden = _NOT_VISIBLE_ASCII.search(value)
    if hidden is None:
        return
    if hidden.group().isspace():
        raise _Invalid("The address may not contain spaces or other whitespace.")
    raise _Invalid("The address may not contain control characters.")


def _split_at_the_at_sign(value: str) -> tuple[str, str]:
    """Cut the address into local part and domain at its one @ outside quotes."""
    if value.startswith('"'):
        quoted = _QUOTED_PREFIX.match(value)
        if quoted is None:
            raise _Invalid("The quotes before the @ are not closed.")
        local_part, rest = quoted.group(), value[quoted.end() :]
        if not rest.startswith("@"):
            if "@" in rest:
                raise _Invalid(
                    "Quotes must hold the whole part before the @, "
                    'as in "john..doe"@example.com.'
                )
            raise _Invalid(_NEEDS_ONE_AT)
        domain = rest[1:]
    else:
        local_part, at_sign, domain = value.partition("@")
        if not at_sign:
            raise _Invalid(_NEEDS_ONE_AT)

    if "@" in domain:
        raise _Invalid(_NEEDS_ONE_AT)
    return local_part, domain


def _check_local_part(local_part: str) -> None:
    """Check the part before the @ is a dot-atom or one quoted string."""
    if local_part.startswith('"'):
        if local_part == '""':
            raise _Invalid("The quotes before the @ are empty.")
        if not _QUOTED_TEXT.fullmatch(local_part[1:-1]):
            raise _Invalid('Inside quotes, a backslash may only come before " or \\.')
        return

    if not local_part:
        raise _Invalid("The part before the @ is missing.")
    if local_part.startswith(".") or local_part.endswith("."):
        raise _Invalid("The part before the @ may not start or end with a dot.")
    if ".." in local_part:
        raise _Invalid("The part before the @ may not contain two dots in a row.")
    stray = _NOT_LOCAL_CHARACTER.search(local_part)
    if stray is not None:
        raise _Invalid(
            f"The character {stray.group()} is not allowed before the @ "
            "unless that part is in quotes."
        )


def _check_domain(domain: str) -> str | None:
    """Check the part after the @; give its top-level domain, or None for an IP."""
    if not domain:
        raise _Invalid("The domain after the @ is missing.")
    if domain.startswith("["):
        if not domain.endswith("]"):
            raise _Invalid(_IPV4_SHAPE)
        _check_ipv4(domain[1:-1])
        return None

    if domain.startswith(".") or domain.endswith("."):
        raise _Invalid("The domain may not start or end with a dot.")
    if ".." in domain:
        raise _Invalid("The domain may not contain two dots in a row.")
    stray = _NOT_DOMAIN_CHARACTER.search(domain)
    if stray is not None:
        raise _Invalid(f"The character {stray.group()} is not allowed in the domain.")

    labels = domain.split(".")
    if _DIGITS.fullmatch(labels[-1]):
        _check_ipv4(domain)
        return None
    for label in labels:
        if len(label) > MAX_LABEL_LENGTH:
            raise _Invalid(
                "Each part of the domain between dots may be at most "
                "63 characters long."
            )
        if label.startswith("-") or label.endswith("-"):
            raise _Invalid("A part of the domain may not start or end with a hyphen.")
    if len(labels) < 2:
        raise _Invalid(
            "The domain needs a top-level domain after a dot, as in example.com."
        )
    return labels[-1]


def _check_ipv4(text: str) -> None:
    """Check `text` is four numbers 0 to 255 joined by dots, none padded with 0."""
    numbers = text.split(".")
    if len(numbers) != 4 or not all(_DIGITS.fullmatch(number) for number in numbers):
        raise _Invalid(_IPV4_SHAPE)

    for number in numbers:
        if len(number) > 3:
            raise _Invalid("Each number in an IP address has at most three digits.")
        if len(number) > 1 and number.startswith("0"):
            raise _Invalid("A number in an IP address may not start with 0.")
        if int(number) > 255:
            raise _Invalid("Each number in an IP address must be from 0 to 255.")
