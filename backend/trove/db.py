"""Database configuration shared by the server and the migrations."""

from __future__ import annotations

import functools
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tortoise import connections
from tortoise.backends.base.config_generator import expand_db_url

MODEL_MODULES = ["trove.accounts.models", "trove.favorites.models"]
MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"


def dialect(database_url: str) -> str:
    """`sqlite` or `postgres`: the folder of migrations that fits the URL."""
    return "sqlite" if urlsplit(database_url).scheme == "sqlite" else "postgres"


def tortoise_config(database_url: str, *, with_aerich: bool = True) -> dict:
    """Tortoise's configuration for `database_url` (all times in UTC)."""
    modules = list(MODEL_MODULES)
    if with_aerich:
        modules.append("aerich.models")
    return {
        "connections": {"default": _connection(database_url)},
        "apps": {"models": {"models": modules, "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }


def _connection(database_url: str) -> str | dict:
    if dialect(database_url) == "sqlite":
        path = database_url.removeprefix("sqlite://")
        if path and path != ":memory:":
            _create_private(Path(path))
        return database_url
    config = expand_db_url(database_url.replace("postgresql://", "postgres://", 1))
    config["credentials"]["reset"] = _keep_session
    return config


async def _keep_session(connection) -> None:
    """Hand a connection back to asyncpg's pool without a reset query.

    By default the pool sends `RESET ALL; UNLISTEN *; ...` on every release,
    a round trip per query that measured 12-18% of a request's time
    (bench/). Trove sets no session state: no SET, LISTEN, cursor or
    advisory lock outlives a query on a pooled connection. asyncpg still
    rolls back an unfinished transaction before calling this.
    """


def _create_private(path: Path) -> None:
    """Create the SQLite file readable by its owner alone: it holds hashes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


async def fetch(sql: str, *values: Any) -> list[dict[str, Any]]:
    """The rows of one statement, as dictionaries, on either database.

    For the few queries on every request's path, where building them
    through the ORM cost more than running them (bench/). `sql` uses
    PostgreSQL's `$1, $2, ...` placeholders; the values always travel
    apart from the text, never formatted into it.
    """
    client = connections.get("default")
    if client.capabilities.dialect == "sqlite":
        sql = _numbered_for_sqlite(sql)
    return await client.execute_query_dict(sql, list(values))


def stored_time(value: datetime | str) -> datetime:
    """A time read by `fetch`, as an aware datetime: SQLite returns text."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


_PLACEHOLDER = re.compile(r"\$(\d+)")


@functools.lru_cache(maxsize=512)
def _numbered_for_sqlite(sql: str) -> str:
    # SQLite's `?NNN` is the same numbered parameter as PostgreSQL's `$NNN`.
    return _PLACEHOLDER.sub(r"?\1", sql)


def migrations_location(database_url: str) -> Path:
    return MIGRATIONS_DIR / dialect(database_url)
