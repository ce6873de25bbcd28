"""Password hashing with bcrypt, off the event loop."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets

import bcrypt


def _prehash(password: str) -> bytes:
    # bcrypt reads at most 72 bytes and bcrypt 5 refuses longer input, yet a
    # 128-character password can be 512 bytes of UTF-8. Hashing it first with
    # SHA-256 keeps every character significant; base64 keeps NUL bytes,
    # which bcrypt would stop at, out of its input.
    return base64.b64encode(hashlib.sha256(password.encode("utf-8")).digest())


class PasswordHasher:
    """Hashes and verifies passwords at a fixed bcrypt cost."""

    def __init__(self, rounds: int) -> None:
        self.rounds = rounds
        self._dummy_hash: bytes | None = None

    async def hash(self, password: str) -> str:
        salt = bcrypt.gensalt(self.rounds)
        # bcrypt releases the GIL, so a worker thread keeps the loop free.
        hashed = await asyncio.to_thread(bcrypt.hashpw, _prehash(password), salt)
        return hashed.decode("ascii")

    async def verify(self, password: str, hashed: str) -> bool:
        return await asyncio.to_thread(
            bcrypt.checkpw, _prehash(password), hashed.encode("ascii")
        )

    async def verify_nobody(self, password: str) -> None:
        """Spend the time a real check takes, for an unknown email address.

        Without it, a login for an unknown address would answer faster than
        one with a wrong password, telling who has an account.
        """
        if self._dummy_hash is None:
            self._dummy_hash = (await self.hash(secrets.token_urlsafe(16))).encode()
        await asyncio.to_thread(bcrypt.checkpw, _prehash(password), self._dummy_hash)

    def needs_rehash(self, hashed: str) -> bool:
        """Whether `hashed` was made at a lower cost than the configured one."""
        try:
            return int(hashed.split("$")[2]) < self.rounds
        except (IndexError, ValueError):
            return True
