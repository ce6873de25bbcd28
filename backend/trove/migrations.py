"""Applying the committed aerich migrations for the configured database.

Several workers or replicas may start at once, each asked to migrate: a
lock held for the whole run makes the first one apply what is pending while
the others wait, then find nothing left to do.
"""

from __future__ import annotations

import asyncio
import fcntl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from aerich import Command

from trove import db

# An arbitrary constant that names Trove's migration lock in PostgreSQL.
ADVISORY_LOCK_ID = 7_401_926_118


async def apply_migrations(database_url: str) -> list[str]:
    """Apply every pending migration; returns the names of those applied."""
    async with _exclusive(database_url):
        command = Command(
            tortoise_config=db.tortoise_config(database_url),
            app="models",
            location=str(db.migrations_location(database_url)),
        )
        async with command:
            await command.init()
            return await command.upgrade(run_in_transaction=True)


@asynccontextmanager
async def _exclusive(database_url: str) -> AsyncIterator[None]:
    if db.dialect(database_url) == "sqlite":
        async with _file_lock(database_url):
            yield
        return

    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute("SELECT pg_advisory_lock($1)", ADVISORY_LOCK_ID)
        try:
            yield
        finally:
            await connection.execute("SELECT pg_advisory_unlock($1)", ADVISORY_LOCK_ID)
    finally:
        await connection.close()


@asynccontextmanager
async def _file_lock(database_url: str) -> AsyncIterator[None]:
    path = database_url.removeprefix("sqlite://")
    if path in ("", ":memory:"):
        yield
        return
    lock_path = Path(path + ".migrate.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as lock:
        await asyncio.to_thread(fcntl.flock, lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
