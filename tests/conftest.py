"""Shared fixtures: the fake Pixabay, databases, a running Trove per backend."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.pixabay import FakePixabay
from tests.support.contract_client import ApiClient
from tests.support.databases import fresh_postgres_database
from tests.support.servers import ApiProcess, running_api

STRONG_PASSWORD = "Aa11%$cccc"


@pytest.fixture(scope="session")
def fake_pixabay() -> Iterator[FakePixabay]:
    with FakePixabay(key="test-key") as fake:
        yield fake


@pytest.fixture(autouse=True)
def _fresh_fake_state(request) -> None:
    # Faults and counters of one test never leak into the next.
    if "fake_pixabay" in request.fixturenames:
        request.getfixturevalue("fake_pixabay").reset()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(request) -> Iterator[str]:
    if request.param == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="trove-db-"))
        yield f"sqlite://{folder}/trove.sqlite3"
    else:
        with fresh_postgres_database() as url:
            yield url


@pytest.fixture(scope="session")
def api(database_url: str, fake_pixabay: FakePixabay) -> Iterator[ApiProcess]:
    with running_api(database_url=database_url, pixabay_url=fake_pixabay.url) as api:
        yield api


@pytest.fixture
def client(api: ApiProcess) -> Iterator[ApiClient]:
    with ApiClient(api.url) as client:
        yield client


def new_email() -> str:
    return f"user-{uuid.uuid4().hex[:12]}@example.com"


def register(client: ApiClient, email: str | None = None) -> tuple[str, str]:
    """Register a user; returns (email, token)."""
    email = email or new_email()
    created = client.post(
        "/api/v1/users", json={"email": email, "password": STRONG_PASSWORD}
    )
    assert created.status_code == 201, created.text
    login = client.post(
        "/api/v1/tokens", json={"email": email, "password": STRONG_PASSWORD}
    )
    assert login.status_code == 200, login.text
    return email, login.json()["access_token"]


@pytest.fixture
def user_client(api: ApiProcess, client: ApiClient) -> Iterator[ApiClient]:
    """A client logged in as a new user."""
    _, token = register(client)
    with ApiClient(api.url, token) as authed:
        yield authed
