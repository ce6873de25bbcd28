"""Fresh databases for tests, on the real PostgreSQL of this machine."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager

import asyncpg

ADMIN_URL = os.environ.get(
    "TROVE_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """Create an empty database, yield its URL, drop it afterwards."""
    name = f"trove_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    base = ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(ADMIN_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def fetch_rows(database_url: str, query: str) -> list[tuple]:
    """Run one read-only query on a test server's database, SQLite or PostgreSQL.

    Reads the tables directly, so that a test can see what was stored
    without trusting the API that stored it.
    """
    if database_url.startswith("sqlite://"):
        path = database_url.removeprefix("sqlite://")
        with closing(sqlite3.connect(path)) as connection:
            return [tuple(row) for row in connection.execute(query)]
    return asyncio.run(_fetch_postgres(database_url, query))


async def _fetch_postgres(database_url: str, query: str) -> list[tuple]:
    connection = await asyncpg.connect(database_url)
    try:
        return [tuple(row) for row in await connection.fetch(query)]
    finally:
        await connection.close()
