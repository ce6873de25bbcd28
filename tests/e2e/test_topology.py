"""The compose topology on loopback: nginx, two API workers, PostgreSQL, Redis.

The PostgreSQL `stack` is built as the compose file builds the product (see
`stack` in conftest.py), so every browser test on it runs through this
topology too; these tests check what only the topology can show.
"""

from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def topology(stack):
    if "TROVE_WORKERS" not in stack.api_env:
        pytest.skip("the compose topology is the PostgreSQL stack")
    return stack


def _workers_that_served(log: str, path: str) -> set[str]:
    pattern = rf" (\d+) INFO trove\.access: \S+ \"GET {re.escape(path)}\""
    return set(re.findall(pattern, log))


def test_both_workers_share_one_search_cache(topology):
    token = topology.token(topology.register())
    word = f"cat {uuid.uuid4().hex[:8]}"
    first = topology.http.get(
        "/api/v1/images",
        params={"q": word},
        headers={"Authorization": f"Bearer {token}"},
    )
    calls_before = topology.fake.calls("image")

    def search(_):
        return topology.http.get(
            "/api/v1/images",
            params={"q": word},
            headers={"Authorization": f"Bearer {token}", "Connection": "close"},
        ).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(search, range(40)))

    assert first.status_code == 200
    assert set(statuses) == {200}
    assert len(_workers_that_served(topology.api.log(), "/api/v1/images")) == 2
    assert topology.fake.calls("image") == calls_before


def test_the_migrations_ran_once_as_the_image_starts(topology):
    log = topology.api.log()

    assert log.count("trove: applied migration 0_") == 1
    assert log.count("trove: applied migration 1_") == 1
