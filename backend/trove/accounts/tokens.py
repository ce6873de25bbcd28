"""Signed bearer tokens (JWT, HS256)."""

from __future__ import annotations

import math
import re
import time
import uuid
from dataclasses import dataclass

import jwt

from trove.errors import InvalidToken

ISSUER = "trove"
AUDIENCE = "trove-api"
ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["sub", "iat", "exp", "jti", "iss", "aud"]
_USER_ID = re.compile(r"[1-9][0-9]{0,18}")
MAX_USER_ID = 2**63 - 1  # the largest id the database can hold
_TOKEN_ID = re.compile(r"[0-9a-f]{32}")  # what `issue` gives out
# The longest lifetime the settings allow; a longer one was not issued here.
MAX_LIFETIME = 30 * 86400


@dataclass(frozen=True, slots=True)
class Token:
    value: str
    expires_in: int


@dataclass(frozen=True, slots=True)
class Claims:
    """What a valid token says."""

    user_id: int
    token_id: str
    issued_at: float
    expires_at: int


class TokenSigner:
    """Issues and checks tokens with one secret and lifetime."""

    def __init__(self, secret: str, ttl: int) -> None:
        self._secret = secret
        self._ttl = ttl

    def issue(self, user_id: int, checked_at: float | None = None) -> Token:
        """A token for `user_id`, dated `checked_at` (default: now).

        Logins pass the moment they read the password they checked, so that
        a password changed while bcrypt ran still refuses the token.
        """
        now = time.time()
        issued_at = now if checked_at is None else min(checked_at, now)
        expires_at = int(issued_at) + self._ttl
        claims = {
            "sub": str(user_id),
            # To the microsecond, rounded down, so that a password change
            # refuses exactly the tokens issued before it.
            "iat": math.floor(issued_at * 1_000_000) / 1_000_000,
            "exp": expires_at,
            "jti": uuid.uuid4().hex,
            "iss": ISSUER,
            "aud": AUDIENCE,
        }
        value = jwt.encode(claims, self._secret, ALGORITHM)
        return Token(value, max(0, expires_at - int(now)))

    def user_id(self, value: str) -> int:
        """The user id a valid token names; raises InvalidToken otherwise."""
        return self.verify(value).user_id

    def verify(self, value: str) -> Claims:
        """The claims of a valid token; raises InvalidToken otherwise."""
        if not value.isascii():
            # Header bytes that are not UTF-8 arrive as lone surrogates.
            raise InvalidToken("The token is not valid.")
        try:
            # The algorithm is pinned: a token may not choose how it is checked.
            claims = jwt.decode(
                value,
                self._secret,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("The token has expired.") from None
        except jwt.PyJWTError:
            raise InvalidToken("The token is not valid.") from None

        subject = claims["sub"]
        if not isinstance(subject, str) or not _USER_ID.fullmatch(subject):
            raise InvalidToken("The token is not valid.")
        token_id, issued_at, expires_at = claims["jti"], claims["iat"], claims["exp"]
        # Only shapes Trove itself issues: anything else, even well signed,
        # is refused before it reaches the database.
        if (
            int(subject) > MAX_USER_ID
            or not isinstance(token_id, str)
            or not _TOKEN_ID.fullmatch(token_id)
            or not _is_number(issued_at)
            or not _is_number(expires_at)
            or not 0 <= issued_at <= expires_at <= issued_at + MAX_LIFETIME
        ):
            raise InvalidToken("The token is not valid.")
        return Claims(int(subject), token_id, float(issued_at), int(expires_at))


def _is_number(value: object) -> bool:
    # PyJWT lets through numeric strings such as "1796412772".
    return isinstance(value, int | float) and not isinstance(value, bool)
