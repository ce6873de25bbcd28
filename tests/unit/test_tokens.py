"""Tokens: what they carry and what makes one invalid."""

from __future__ import annotations

import time
import uuid

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
        "jti": uuid.uuid4().hex,
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


def test_a_well_forged_token_passes():
    assert TokenSigner(SECRET, 3600).user_id(_forge()) == 1


NOW = int(time.time())


@pytest.mark.parametrize(
    "token",
    [
        _forge(jti="a" * 65),
        _forge(jti="a\x00" * 16),
        _forge(jti="' OR 1=1 --"),
        _forge(jti=7),
        _forge(exp=10**20),
        _forge(exp=NOW + 31 * 86400),
        _forge(iat=-5, exp=NOW + 60),
        _forge(iat=NOW, exp=NOW - 1),
    ],
    ids=[
        "jti-too-long",
        "jti-with-nul",
        "jti-with-sql",
        "jti-not-a-string",
        "exp-never",
        "exp-past-the-longest-lifetime",
        "iat-negative",
        "exp-before-iat",
    ],
)
def test_signed_tokens_of_shapes_trove_never_issues_are_refused(token):
    with pytest.raises(InvalidToken):
        TokenSigner(SECRET, 3600).verify(token)


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


def test_a_token_is_dated_when_its_password_was_read_not_after():
    signer = TokenSigner(SECRET, 3600)
    read_at = time.time() - 0.5  # bcrypt ran since

    token = signer.issue(7, read_at)

    claims = jwt.decode(token.value, options={"verify_signature": False})
    assert read_at - 0.000001 <= claims["iat"] <= read_at
    assert claims["exp"] == int(read_at) + 3600
    assert 3599 <= token.expires_in <= 3600
