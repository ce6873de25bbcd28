"""Tokens: what they carry and what makes one invalid."""

from __future__ import annotations

import time

import jwt
import pytest

from trove.accounts.tokens import TokenSigner
from trove.errors import InvalidToken

SECRET = "k" * 40


def _forge(**claims) -> str:
    now = int(time.time())
    base = {
        "sub": "1",
        "iat": now,
        "exp": now + 60,
        "jti": "j",
        "iss": "trove",
        "aud": "trove-api",
    }
    return jwt.encode({**base, **claims}, SECRET, "HS256")


def test_an_issued_token_names_its_user():
    signer = TokenSigner(SECRET, 3600)

    token = signer.issue(42)

    assert signer.user_id(token.value) == 42
    assert token.expires_in == 3600


@pytest.mark.parametrize(
    "token",
    [
        _forge(sub="9999999999999999999"),
        _forge(sub="0"),
        _forge(sub="-1"),
        _forge(sub=1),
        _forge(aud="someone-else"),
        _forge(iss="someone-else"),
        "Bearer-not-a-jwt",
        "tok\udcff",
    ],
    ids=[
        "sub-past-int64",
        "sub-zero",
        "sub-negative",
        "sub-not-a-string",
        "wrong-audience",
        "wrong-issuer",
        "garbage",
        "surrogate",
    ],
)
def test_tokens_that_name_no_possible_user_are_refused(token):
    with pytest.raises(InvalidToken):
        TokenSigner(SECRET, 3600).user_id(token)


def test_a_token_missing_a_claim_is_refused():
    claims = {
        "sub": "1",
        "iat": int(time.time()),
        "exp": int(time.time()) + 60,
        "iss": "trove",
        "aud": "trove-api",
    }

    with pytest.raises(InvalidToken):
        TokenSigner(SECRET, 3600).user_id(jwt.encode(claims, SECRET, "HS256"))
