"""Starting and running the real `trove` process."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from pathlib import Path

import sqlite3

import asyncpg
import jwt
import pytest

from tests.conftest import STRONG_PASSWORD, new_email, register
from tests.support.contract_client import ApiClient
from tests.support.databases import fresh_postgres_database
from tests.support.servers import run_trove, running_api, trove_env


def _sqlite_url() -> str:
    return f"sqlite://{tempfile.mkdtemp(prefix='trove-db-')}/trove.sqlite3"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("TROVE_PORT", "http", "TROVE_PORT must be a whole number"),
        ("TROVE_JWT_SECRET", "too-short", "TROVE_JWT_SECRET must be at least 32"),
        ("TROVE_PIXABAY_URL", "not a url", "TROVE_PIXABAY_URL must be an http(s) URL"),
    ],
)
def test_a_wrong_setting_stops_start_up_with_one_line(variable, value, message):
    env = trove_env(
        database_url=_sqlite_url(), pixabay_url=None, extra_env={variable: value}
    )

    result = run_trove("serve", env=env, timeout=30)

    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr


def test_production_without_a_secret_refuses_to_start():
    env = trove_env(
        database_url=_sqlite_url(),
        pixabay_url=None,
        extra_env={"TROVE_ENV": "production", "TROVE_BCRYPT_ROUNDS": "12"},
    )

    result = run_trove("serve", env=env, timeout=30)

    assert result.returncode == 2
    assert "TROVE_JWT_SECRET is required" in result.stderr


def test_passwords_are_stored_with_bcrypt_cost_12(fake_pixabay):
    database_url = _sqlite_url()
    email = new_email()
    with running_api(
        database_url=database_url,
        pixabay_url=fake_pixabay.url,
        extra_env={"TROVE_BCRYPT_ROUNDS": "12"},
    ) as api, ApiClient(api.url) as client:
        client.post("/api/v1/users", json={"email": email, "password": STRONG_PASSWORD})

    path = database_url.removeprefix("sqlite://")
    with sqlite3.connect(path) as connection:
        (stored,) = connection.execute(
            "SELECT password_hash FROM users WHERE email = ?", (email,)
        ).fetchone()
    assert stored.startswith("$2b$12$")
    assert STRONG_PASSWORD not in stored


def test_expired_tokens_and_tokens_of_deleted_users_are_refused(api, client):
    email, token = register(client)
    secret = Path(_var_dir(api), "jwt-secret").read_text().strip()
    claims = jwt.decode(token, options={"verify_signature": False})
    expired = jwt.encode(
        {**claims, "iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600},
        secret,
        "HS256",
    )

    expired_answer = client.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {expired}"}
    )
    _delete_user(api, email)
    deleted_answer = client.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}
    )

    assert expired_answer.status_code == 401
    assert expired_answer.json()["detail"] == "The token has expired."
    assert deleted_answer.status_code == 401


def _var_dir(api) -> str:
    return str(api.log_path.parent)


def _delete_user(api, email: str) -> None:
    url = api.database_url
    if url.startswith("sqlite://"):
        with sqlite3.connect(url.removeprefix("sqlite://")) as connection:
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("DELETE FROM users WHERE email = ?", (email,))
        return

    async def delete() -> None:
        connection = await asyncpg.connect(url)
        try:
            await connection.execute("DELETE FROM users WHERE email = $1", email)
        finally:
            await connection.close()

    asyncio.run(delete())




@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_database_that_was_never_migrated_is_reported_not_hidden(
    backend, fake_pixabay
):
    with contextlib.ExitStack() as stack:
        if backend == "sqlite":
            database_url = _sqlite_url()
        else:
            database_url = stack.enter_context(fresh_postgres_database())
        api = stack.enter_context(
            running_api(
                database_url=database_url, pixabay_url=fake_pixabay.url, migrate=False
            )
        )
        with ApiClient(api.url) as client:
            health = client.get("/api/v1/health")
            registered = client.post(
                "/api/v1/users",
                json={"email": new_email(), "password": STRONG_PASSWORD},
            )

    assert health.status_code == 503
    assert health.json()["database"] == "unavailable"
    assert registered.status_code == 503
    assert registered.json()["code"] == "service_unavailable"
