"""Registering users, logging in and identifying the user behind a token."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError

from trove.accounts.emails import email_problems, normalise_email
from trove.accounts.hashing import PasswordHasher
from trove.accounts.models import User
from trove.accounts.tokens import Token, TokenSigner
from trove.errors import EmailTaken, InvalidCredentials, InvalidToken

logger = logging.getLogger("trove.accounts")


@dataclass(frozen=True, slots=True)
class CurrentUser:
    """The user a request is made for."""

    id: int
    email: str
    created_at: datetime


class AccountsService:
    def __init__(self, hasher: PasswordHasher, signer: TokenSigner) -> None:
        self._hasher = hasher
        self._signer = signer

    async def register(self, email: str, password: str) -> CurrentUser:
        """Create a user; raises EmailTaken if the address is in use.

        The caller has checked the email and password rules.
        """
        email = normalise_email(email)
        if await User.filter(email=email).exists():
            raise EmailTaken()

        password_hash = await self._hasher.hash(password)
        try:
            user = await User.create(email=email, password_hash=password_hash)
        except IntegrityError:
            # Another request registered the same address meanwhile.
            raise EmailTaken() from None
        logger.info("user %s registered", user.id)
        return _current(user)

    async def log_in(self, email: str, password: str) -> Token:
        """Issue a token; raises InvalidCredentials, the same for every cause."""
        user = None
        if not email_problems(email):
            user = await User.get_or_none(email=normalise_email(email))
        if user is None:
            await self._hasher.verify_nobody(password)
            raise InvalidCredentials()
        if not await self._hasher.verify(password, user.password_hash):
            raise InvalidCredentials()

        if self._hasher.needs_rehash(user.password_hash):
            user.password_hash = await self._hasher.hash(password)
            await user.save(update_fields=["password_hash"])
        return self._signer.issue(user.id)

    async def authenticate(self, authorization: str | None) -> CurrentUser:
        """The user behind an `Authorization: Bearer` header value."""
        scheme, _, value = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise InvalidToken()

        user_id = self._signer.user_id(value.strip())
        user = await User.get_or_none(id=user_id)
        if user is None:
            raise InvalidToken("The token's user no longer exists.")
        return _current(user)


def _current(user: User) -> CurrentUser:
    return CurrentUser(id=user.id, email=user.email, created_at=user.created_at)
