"""What the contract tests share: the tools they run and a Trove to fuzz."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.fakes.pixabay import FakePixabay
from tests.support.databases import fresh_postgres_database
from tests.support.servers import ApiProcess, running_api

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "openapi.yaml"
NODE_BIN = ROOT / "node_modules" / ".bin"
CODEGEN_BIN = ROOT / ".venv" / "codegen" / "bin"
SPEC = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))

# Redocly CLI (also inside openapi-typescript) reports usage to its makers
# and looks for updates unless told not to; these tests ask no other host.
NODE_ENV = {
    **os.environ,
    "REDOCLY_TELEMETRY": "off",
    "REDOCLY_SUPPRESS_NOTIFICATIONS": "true",
    "NO_COLOR": "1",
}


def require(path: Path, how: str) -> Path:
    """Return `path`; skip the test when it is missing (fail it in CI)."""
    if path.exists():
        return path
    message = f"{path.relative_to(ROOT)} is missing: {how}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def node_tool(name: str) -> Path:
    return require(NODE_BIN / name, "run `npm ci` (make test does)")


@pytest.fixture(scope="session")
def spec() -> dict:
    return SPEC


@pytest.fixture(scope="session")
def fake_pixabay_without_limit() -> Iterator[FakePixabay]:
    """A fake Pixabay that never runs out of requests.

    The shared fake allows 100 requests a minute, as Pixabay does; fuzzing
    makes thousands, and Trove would rightly answer 503 once the budget is
    spent, which Schemathesis counts as a server error.
    """
    with FakePixabay(key="test-key", rate_limit=1_000_000) as fake:
        yield fake


@pytest.fixture(scope="session")
def sqlite_trove(fake_pixabay_without_limit) -> Iterator[ApiProcess]:
    """A Trove of the contract tests' own, on SQLite."""
    folder = Path(tempfile.mkdtemp(prefix="trove-contract-"))
    with running_api(
        database_url=f"sqlite://{folder}/trove.sqlite3",
        pixabay_url=fake_pixabay_without_limit.url,
    ) as api:
        yield api


@pytest.fixture(scope="session")
def postgres_trove(fake_pixabay_without_limit) -> Iterator[ApiProcess]:
    """A Trove of the contract tests' own, on PostgreSQL."""
    with (
        fresh_postgres_database() as url,
        running_api(
            database_url=url, pixabay_url=fake_pixabay_without_limit.url
        ) as api,
    ):
        yield api


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def fuzzed_api(request) -> ApiProcess:
    return request.getfixturevalue(f"{request.param}_trove")
