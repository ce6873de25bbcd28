"""Password hashing with bcrypt, off the event loop."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import os
import secrets
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import bcrypt

# How much lower than the rest of the worker the hashing threads run (nice).
HASHING_NICENESS = 10


def _lower_priority() -> None:
    # bcrypt at cost 12 holds a core for about a quarter of a second; at a
    # lower priority a burst of logins slows logins, not every other request
    # (bench/: favorites p99 during logins). Linux sets it per thread;
    # elsewhere the call would lower the whole process, so it is skipped.
    if sys.platform == "linux":
        with contextlib.suppress(OSError):
            os.setpriority(
                os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICENESS
            )


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
        # bcrypt releases the GIL, so these threads keep the loop free; more
        # of them than cores would only share the same cores.
        self._threads = ThreadPoolExecutor(
            max_workers=os.cpu_count() or 1,
            thread_name_prefix="bcrypt",
            initializer=_lower_priority,
        )

    async def _off_loop(self, function, *args):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, function, *args)

    async def hash(self, password: str) -> str:
        salt = bcrypt.gensalt(self.rounds)
        hashed = await self._off_loop(bcrypt.hashpw, _prehash(password), salt)
        return hashed.decode("ascii")

    async def verify(self, password: str, hashed: str) -> bool:
        return await self._off_loop(
            bcrypt.checkpw, _prehash(password), hashed.encode("ascii")
        )

    async def verify_nobody(self, password: str) -> None:
        """Spend the time a real check takes, for an unknown email address.

        Without it, a login for an unknown address would answer faster than
        one with a wrong password, telling who has an account.
        """
        if self._dummy_hash is None:
            self._dummy_hash = (await self.hash(secrets.token_urlsafe(16))).encode()
        await self._off_loop(bcrypt.checkpw, _prehash(password), self._dummy_hash)

    def needs_rehash(self, hashed: str) -> bool:
        """Whether `hashed` was made at a lower cost than the configured one."""
        try:
            return int(hashed.split("$")[2]) < self.rounds
        except (IndexError, ValueError):
            return True
