"""Two workers sharing the search cache and budget through Redis."""

from __future__ import annotations

import re
import tempfile
import threading

import httpx
import pytest

from tests.conftest import register
from tests.support.contract_client import ApiClient
from tests.support.redis_server import redis_server
from tests.support.servers import running_api


@pytest.fixture
def shared_api(fake_pixabay):
    folder = tempfile.mkdtemp(prefix="trove-db-")
    with (
        redis_server() as redis,
        running_api(
            database_url=f"sqlite://{folder}/trove.sqlite3",
            pixabay_url=fake_pixabay.url,
            extra_env={"TROVE_WORKERS": "2", "TROVE_REDIS_URL": redis.url},
        ) as api,
    ):
        yield api, redis


def _token(url: str) -> str:
    with ApiClient(url) as client:
        return register(client)[1]


def _search(url: str, token: str, q: str) -> httpx.Response:
    # A new connection each time, so the two workers take turns.
    return httpx.get(
        f"{url}/api/v1/images",
        params={"q": q},
        headers={"Authorization": f"Bearer {token}", "Connection": "close"},
        timeout=10,
    )


def _workers_that_searched(log: str) -> set[str]:
    return set(
        re.findall(r" (\d+) INFO trove\.access: \S+ \"GET /api/v1/images\"", log)
    )


def test_a_search_repeated_on_the_other_worker_makes_no_upstream_call(
    shared_api, fake_pixabay
):
    api, _ = shared_api
    token = _token(api.url)

    statuses = [_search(api.url, token, "cat").status_code for _ in range(30)]

    assert set(statuses) == {200}
    assert len(_workers_that_searched(api.log())) == 2
    assert fake_pixabay.calls("image") == 1


def test_searches_keep_working_when_redis_dies_midway(shared_api, fake_pixabay):
    api, redis = shared_api
    token = _token(api.url)
    statuses: list[int] = []
    midway = threading.Event()

    def search_many() -> None:
        for i in range(40):
            statuses.append(_search(api.url, token, f"cat {i % 5}").status_code)
            if len(statuses) == 10:
                midway.set()

    searcher = threading.Thread(target=search_many)
    searcher.start()
    assert midway.wait(timeout=60)
    redis.kill()
    searcher.join(timeout=60)

    assert len(statuses) == 40
    assert 500 not in statuses
    assert set(statuses) == {200}
    assert api.log().count("Redis is unavailable") <= 4
