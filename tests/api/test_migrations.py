"""The committed migrations build the schema the models describe, on both dialects."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator

import asyncpg
import pytest

from tests.support.databases import fresh_postgres_database
from tests.support.servers import ROOT, run_trove, trove_env
from trove import db


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database(request) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite://{tempfile.mkdtemp(prefix='trove-mig-')}/trove.sqlite3"
    else:
        with fresh_postgres_database() as url:
            yield url


def _migrate(database_url: str) -> list[str]:
    env = trove_env(database_url=database_url, pixabay_url=None)
    result = run_trove("migrate", env=env)
    assert result.returncode == 0, result.stderr
    prefix = "trove: applied migration "
    return [
        line.removeprefix(prefix)
        for line in result.stdout.splitlines()
        if line.startswith(prefix)
    ]


def _pending_model_changes(database_url: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "tests.support.model_changes", database_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_models_and_the_committed_migrations_agree(empty_database):
    applied = _migrate(empty_database)

    changes = _pending_model_changes(empty_database)

    committed = sorted(
        path.name
        for path in (db.migrations_location(empty_database) / "models").glob("*_*.py")
    )
    assert applied == committed
    assert changes == ""


def test_migrating_twice_applies_nothing_the_second_time(empty_database):
    _migrate(empty_database)

    again = _migrate(empty_database)

    assert again == []


BAD_ROWS = [
    "INSERT INTO users (email, password_hash, created_at) "
    "VALUES ('Upper@Example.com', 'x', CURRENT_TIMESTAMP)",
    "INSERT INTO favorites (user_id, media_type, media_id, media, created_at) "
    "VALUES (1, 'audio', 1, '{}', CURRENT_TIMESTAMP)",
    "INSERT INTO favorites (user_id, media_type, media_id, media, created_at) "
    "VALUES (1, 'image', 0, '{}', CURRENT_TIMESTAMP)",
    "INSERT INTO favorites (user_id, media_type, media_id, media, created_at) "
    "VALUES (999, 'image', 1, '{}', CURRENT_TIMESTAMP)",
    "INSERT INTO favorites (user_id, media_type, media_id, media, created_at) "
    "VALUES (1, 'image', 7, '{}', CURRENT_TIMESTAMP)",
]


@pytest.mark.parametrize(
    "statement",
    BAD_ROWS,
    ids=[
        "uppercase-email",
        "unknown-media-type",
        "zero-media-id",
        "unknown-user",
        "duplicate-favorite",
    ],
)
def test_the_database_itself_refuses_rows_that_break_the_rules(
    empty_database, statement
):
    _migrate(empty_database)
    setup = [
        "INSERT INTO users (id, email, password_hash, created_at) "
        "VALUES (1, 'a@example.com', 'x', CURRENT_TIMESTAMP)",
        "INSERT INTO favorites (user_id, media_type, media_id, media, created_at) "
        "VALUES (1, 'image', 7, '{}', CURRENT_TIMESTAMP)",
    ]

    with pytest.raises(
        (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)
    ):
        _execute(empty_database, [*setup, statement])


def test_deleting_a_user_deletes_their_favorites(empty_database):
    _migrate(empty_database)

    _execute(
        empty_database,
        [
            "INSERT INTO users (id, email, password_hash, created_at) "
            "VALUES (1, 'a@example.com', 'x', CURRENT_TIMESTAMP)",
            "INSERT INTO favorites (user_id, media_type, media_id, media, created_at) "
            "VALUES (1, 'image', 7, '{}', CURRENT_TIMESTAMP)",
            "DELETE FROM users WHERE id = 1",
        ],
    )

    assert _scalar(empty_database, "SELECT COUNT(*) FROM favorites") == 0


def _execute(database_url: str, statements: list[str]) -> None:
    if db.dialect(database_url) == "sqlite":
        path = database_url.removeprefix("sqlite://")
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA foreign_keys = ON")
            for statement in statements:
                connection.execute(statement)
        return

    async def run() -> None:
        connection = await asyncpg.connect(database_url)
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run())


def _scalar(database_url: str, query: str):
    if db.dialect(database_url) == "sqlite":
        path = database_url.removeprefix("sqlite://")
        with sqlite3.connect(path) as connection:
            return connection.execute(query).fetchone()[0]

    async def run():
        connection = await asyncpg.connect(database_url)
        try:
            return await connection.fetchval(query)
        finally:
            await connection.close()

    return asyncio.run(run())


def test_migrations_started_together_are_applied_exactly_once(empty_database):
    env = trove_env(database_url=empty_database, pixabay_url=None)
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "trove", "migrate"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]

    outputs = [process.communicate(timeout=60) for process in processes]

    assert [process.returncode for process in processes] == [0, 0, 0, 0]
    applied = [out for out, _ in outputs if "applied migration" in out]
    up_to_date = [out for out, _ in outputs if "up to date" in out]
    assert (len(applied), len(up_to_date)) == (1, 3)
