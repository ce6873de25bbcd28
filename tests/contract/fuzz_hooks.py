"""Schemathesis hooks for fuzzing Trove: the token, and two unstatable rules.

Every operation that declares a security requirement gets the token of the
user that test_fuzzing.py registered, from TROVE_FUZZ_TOKEN. It is set when
a test case is generated, so where an OpenAPI link brings a token instead
(createToken's links pass the one it just issued), the link's token wins
and a stateful chain runs as the user it registered.

`Email` and `Password` in openapi.yaml carry every rule a pattern can state
in both ECMAScript and Python. Two email rules (at most 64 characters before
the @, a top-level domain on IANA's list) and the password rules that count
Unicode's letters, digits and symbols cannot be put in a pattern, so
Schemathesis' own values for `format: email` would mostly name unknown
top-level domains, and random passwords would mostly lack a character class.
A client sending those was right to be refused, so they would show up as
false failures of the `positive_data_acceptance` check.

These generators are registered for exactly those two formats; every value
they give is then checked by the server's own rules, which stay the truth.
Negative tests are unaffected: Schemathesis builds those from the schema.

The coverage phase builds its boundary values from the schema alone (a
password of 127 zeros), so `filter_failure` drops one kind of failure: a
schema-valid request refused with 422 where every field error is one of
those documented, unstatable rules. The favorites cursor is the other such
field: it is opaque, so no schema can tell one Trove issued from a made-up
one.
"""

from __future__ import annotations

import os
import string
from importlib import resources

import schemathesis
from hypothesis import strategies as st
from schemathesis.openapi.checks import RejectedPositiveData

from trove.accounts.emails import email_problems
from trove.accounts.passwords import password_problems

_ATEXT = string.ascii_letters + string.digits + "!#$%&'*+/=?^_`{|}~-"
# Visible ASCII inside quotes; " and \ only escaped.
_QUOTED = [chr(c) for c in range(0x21, 0x7F) if chr(c) not in '"\\'] + ['\\"', "\\\\"]
_LABEL = string.ascii_letters + string.digits


def _top_level_domains() -> list[str]:
    text = (resources.files("trove") / "data" / "tlds.txt").read_text("ascii")
    return sorted(
        line.strip() for line in text.splitlines() if line and not line.startswith("#")
    )


def _label(max_size: int = 20) -> st.SearchStrategy[str]:
    inner = st.text(_LABEL + "-", max_size=max_size)
    ends = st.sampled_from(_LABEL)
    return st.one_of(ends, st.builds(lambda a, b, c: a + b + c, ends, inner, ends))


_dot_atom = st.lists(st.text(_ATEXT, min_size=1, max_size=12), min_size=1, max_size=4)
_local_part = st.one_of(
    _dot_atom.map(".".join),
    st.lists(st.sampled_from(_QUOTED), min_size=1, max_size=20).map(
        lambda chars: '"' + "".join(chars) + '"'
    ),
)
_ipv4 = st.tuples(*[st.integers(0, 255)] * 4).map(lambda n: ".".join(map(str, n)))
_domain = st.one_of(
    st.builds(
        lambda labels, tld: ".".join([*labels, tld]),
        st.lists(_label(), min_size=1, max_size=3),
        st.sampled_from(_top_level_domains()),
    ),
    _ipv4,
    _ipv4.map("[{}]".format),
)
emails = st.builds("{}@{}".format, _local_part, _domain).filter(
    lambda value: not email_problems(value)
)

_refused = ["Cc", "Cf", "Cs"]
_password_parts = st.tuples(
    st.characters(categories=["Ll"]),
    st.characters(categories=["Lu"]),
    st.characters(categories=["Nd"]),
    st.characters(categories=["Pc", "Pd", "Ps", "Pe", "Po", "Sm", "Sc", "Sk", "So"]),
    st.text(st.characters(exclude_categories=_refused), min_size=4, max_size=60),
)
passwords = (
    _password_parts.map(lambda parts: list("".join(parts)))
    .flatmap(st.permutations)
    .map("".join)
    .filter(lambda value: not password_problems(value))
)

schemathesis.openapi.format("email", emails)
schemathesis.openapi.format("password", passwords)


# (operation, field location, field name) -> the codes of the rules that the
# spec documents for the field but cannot state as a schema keyword.
UNSTATED_RULES = {
    ("POST /api/v1/users", "body", "email"): {
        "email_local_part_too_long",
        "email_unknown_tld",
    },
    ("POST /api/v1/users", "body", "password"): {
        "password_missing_lowercase",
        "password_missing_uppercase",
        "password_missing_digit",
        "password_missing_special",
        "password_has_control_character",
    },
    ("GET /api/v1/users/me/favorites", "query", "cursor"): {"invalid_cursor"},
}


@schemathesis.hook
def filter_failure(context, failure, case, response) -> bool:
    """Keep every failure but a 422 that only reports unstatable rules."""
    if not isinstance(failure, RejectedPositiveData) or response.status_code != 422:
        return True
    errors = response.json().get("errors") or [{}]
    return not all(
        error.get("code")
        in UNSTATED_RULES.get(
            (case.operation.label, error.get("location"), error.get("field")), ()
        )
        for error in errors
    )


@schemathesis.auth()
class RegisteredUsersToken:
    """The bearer token of the user registered for the run."""

    def get(self, case, context) -> str:
        return os.environ["TROVE_FUZZ_TOKEN"]

    def set(self, case, token: str, context) -> None:
        if not case.operation.definition.raw.get("security"):
            return
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
