"""Registering users, logging in and out, and identifying token holders."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError

from trove import db
from trove.accounts.emails import email_problems, normalise_email
from trove.accounts.hashing import PasswordHasher
from trove.accounts.models import RevokedToken, User
from trove.accounts.tokens import Token, TokenSigner
from trove.errors import (
    Conflict,
    EmailTaken,
    FieldError,
    InvalidCredentials,
    InvalidToken,
    RateLimited,
    ValidationFailed,
)

logger = logging.getLogger("trove.accounts")

# The token's user, and whether the token was logged out.
_TOKEN_HOLDER = """
    SELECT u.id, u.email, u.created_at, u.tokens_valid_after,
           EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.jti = $2) AS logged_out
    FROM users u
    WHERE u.id = $1
"""
# A token logged out twice stays logged out once.
_LOG_OUT = """
    INSERT INTO revoked_tokens (jti, expires_at) VALUES ($1, $2)
    ON CONFLICT (jti) DO NOTHING
"""


@dataclass(frozen=True, slots=True)
class CurrentUser:
    """The user a request is made for, and the token it was made with."""

    id: int
    email: str
    created_at: datetime
    token_id: str = ""
    token_expires_at: int = 0


class Window:  # what trove.limits provides
    async def wait(self, key: str) -> int | None: ...
    async def record(self, key: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Limits:
    """How many attempts are allowed before a client must wait.

    Failed logins count per account and per client address, so guessing at
    one account is slowed wherever it comes from, and one address cannot
    try many accounts; a window never locks an account for longer than its
    length. Registrations count per client address.
    """

    failed_logins_per_account: Window
    failed_logins_per_client: Window
    registrations_per_client: Window


class AccountsService:
    def __init__(
        self, hasher: PasswordHasher, signer: TokenSigner, limits: Limits
    ) -> None:
        self._hasher = hasher
        self._signer = signer
        self._limits = limits

    async def register(self, email: str, password: str, client: str) -> CurrentUser:
        """Create a user; raises EmailTaken if the address is in use.

        The caller has checked the email and password rules.
        """
        await _refuse_while_waiting(self._limits.registrations_per_client, client)
        email = normalise_email(email)
        if await User.filter(email=email).exists():
            raise EmailTaken()

        password_hash = await self._hasher.hash(password)
        try:
            user = await User.create(email=email, password_hash=password_hash)
        except IntegrityError:
            # Another request registered the same address meanwhile.
            raise EmailTaken() from None
        await self._limits.registrations_per_client.record(client)
        logger.info("user %s registered", user.id)
        return _current(user)

    async def log_in(self, email: str, password: str, client: str) -> Token:
        """Issue a token; raises InvalidCredentials, the same for every cause."""
        account = normalise_email(email)
        await _refuse_while_waiting(self._limits.failed_logins_per_account, account)
        await _refuse_while_waiting(self._limits.failed_logins_per_client, client)

        # Taken before the password is read: if it changes while bcrypt runs,
        # the change's time is later and the token is refused.
        checked_at = time.time()
        user = await self._check_credentials(email, password)
        if user is None:
            await self._limits.failed_logins_per_account.record(account)
            await self._limits.failed_logins_per_client.record(client)
            raise InvalidCredentials()

        if self._hasher.needs_rehash(user.password_hash):
            new_hash = await self._hasher.hash(password)
            # Only over the hash just checked: never over a new password set
            # meanwhile.
            await User.filter(id=user.id, password_hash=user.password_hash).update(
                password_hash=new_hash
            )
        return self._signer.issue(user.id, checked_at)

    async def _check_credentials(self, email: str, password: str) -> User | None:
        user = None
        if not email_problems(email):
            user = await User.get_or_none(email=normalise_email(email))
        if user is None:
            await self._hasher.verify_nobody(password)
            return None
        if not await self._hasher.verify(password, user.password_hash):
            return None
        return user

    async def authenticate(self, authorization: str | None) -> CurrentUser:
        """The user behind an `Authorization: Bearer` header value."""
        scheme, _, value = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise InvalidToken()

        claims = self._signer.verify(value.strip())
        # Every authenticated request asks this: one round trip, no ORM.
        rows = await db.fetch(_TOKEN_HOLDER, claims.user_id, claims.token_id)
        if not rows:
            raise InvalidToken("The token's user no longer exists.")
        row = rows[0]
        valid_after = row["tokens_valid_after"]
        if valid_after is not None and (
            claims.issued_at < db.stored_time(valid_after).timestamp()
        ):
            raise InvalidToken("The token was issued before the password changed.")
        if row["logged_out"]:
            raise InvalidToken("The token was logged out.")
        return CurrentUser(
            id=row["id"],
            email=row["email"],
            created_at=db.stored_time(row["created_at"]),
            token_id=claims.token_id,
            token_expires_at=claims.expires_at,
        )

    async def log_out(self, user: CurrentUser) -> None:
        """Refuse the token `user` came with from now until it would expire."""
        now = datetime.now(UTC)
        expires_at = datetime.fromtimestamp(user.token_expires_at, UTC)
        # Tokens past their expiry are refused anyway: their rows can go.
        await RevokedToken.filter(expires_at__lt=now).delete()
        # One statement, no transaction (see delete_account).
        await db.fetch(_LOG_OUT, user.token_id, expires_at)

    async def change_password(
        self, user: CurrentUser, current_password: str, new_password: str
    ) -> None:
        """Set a new password and refuse every token issued before it."""
        stored = await self._user_with_password(
            user, current_password, "current_password"
        )
        new_hash = await self._hasher.hash(new_password)
        for _ in range(3):
            # Only over the hash that was checked: of two changes at once,
            # one wins and the other is told so.
            changed = await User.filter(
                id=stored.id, password_hash=stored.password_hash
            ).update(password_hash=new_hash, tokens_valid_after=datetime.now(UTC))
            if changed:
                break
            # The hash changed since: a login's rehash of the same password
            # (then try again over the new hash) or another change.
            stored = await User.get_or_none(id=user.id)
            if stored is None or not await self._hasher.verify(
                current_password, stored.password_hash
            ):
                raise Conflict("The password was changed meanwhile; try again.")
        else:
            raise Conflict("The password was changed meanwhile; try again.")
        # Dated again now that the change is stored: a login that read the
        # old hash just before it was stored dates its token after the time
        # set above, never after this one.
        await User.filter(id=stored.id).update(tokens_valid_after=datetime.now(UTC))
        logger.info("user %s changed their password", user.id)

    async def delete_account(self, user: CurrentUser, password: str) -> None:
        """Delete the user and, through the foreign key, their favorites."""
        stored = await self._user_with_password(user, password, "password")
        # One statement, so no transaction is needed; none is wanted either:
        # on SQLite a transaction cancelled while it begins (its client hung
        # up) would keep the one connection's lock, and every later request
        # would wait for it.
        await User.filter(id=stored.id).delete()
        logger.info("user %s deleted their account", user.id)

    async def _user_with_password(
        self, user: CurrentUser, password: str, field: str
    ) -> User:
        """The stored user, once `password` (given as `field`) is checked.

        Wrong passwords count like failed logins, so that a stolen token
        cannot be used to guess the password without limit.
        """
        stored = await User.get_or_none(id=user.id)
        if stored is None:
            raise InvalidToken("The token's user no longer exists.")
        account = self._limits.failed_logins_per_account
        await _refuse_while_waiting(account, stored.email)
        if not await self._hasher.verify(password, stored.password_hash):
            await account.record(stored.email)
            raise ValidationFailed(
                "The current password is wrong.",
                errors=[
                    FieldError(
                        "body", field, "password_wrong", "The password is wrong."
                    )
                ],
            )
        return stored


async def _refuse_while_waiting(window: Window, key: str) -> None:
    seconds = await window.wait(key)
    if seconds is not None:
        raise RateLimited("Too many attempts; try again later.", retry_after=seconds)


def _current(user: User, token_id: str = "", token_expires_at: int = 0) -> CurrentUser:
    return CurrentUser(
        id=user.id,
        email=user.email,
        created_at=user.created_at,
        token_id=token_id,
        token_expires_at=token_expires_at,
    )
