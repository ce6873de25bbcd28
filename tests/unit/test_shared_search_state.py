"""The Redis-backed cache and budget, against a real Redis server."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from tests.support.redis_server import redis_server
from trove.search import shared
from trove.search.service import Fetched

KEY = ("image", (("q", "cat"),))
ENTRY = Fetched(
    {"total": 1, "totalHits": 1, "hits": [{"id": 1}]},
    datetime(2026, 12, 4, 10, 0, tzinfo=UTC),
)


@pytest.fixture
def redis_url():
    with redis_server() as server:
        yield server


def test_an_entry_written_by_one_worker_is_read_by_another(redis_url):
    async def scenario():
        writer = shared.RedisCache(shared.connect(redis_url.url), Fetched)
        reader = shared.RedisCache(shared.connect(redis_url.url), Fetched)
        await writer.put(KEY, ENTRY, size=10)
        return await reader.get(KEY)

    assert asyncio.run(scenario()) == ENTRY


def test_the_cache_falls_back_to_memory_when_redis_dies(redis_url, caplog):
    async def scenario():
        cache = shared.RedisCache(shared.connect(redis_url.url), Fetched)
        redis_url.kill()
        await cache.put(KEY, ENTRY, size=10)
        first = await cache.get(KEY)
        second = await cache.get(KEY)
        return first, second

    first, second = asyncio.run(scenario())

    assert first == second == ENTRY
    warnings = [r for r in caplog.records if "Redis is unavailable" in r.getMessage()]
    assert len(warnings) == 1


def test_the_shared_budget_admits_at_most_the_limit_in_a_window(redis_url):
    async def scenario():
        budgets = [
            shared.SharedBudget(shared.connect(redis_url.url), limit=5)
            for _ in range(3)
        ]
        results = [await budgets[i % 3].acquire() for i in range(8)]
        return results

    results = asyncio.run(scenario())

    assert results[:5] == [None] * 5
    assert all(isinstance(wait, int) and 1 <= wait <= 60 for wait in results[5:])


def test_a_block_makes_every_worker_wait(redis_url):
    async def scenario():
        first = shared.SharedBudget(shared.connect(redis_url.url))
        second = shared.SharedBudget(shared.connect(redis_url.url))
        await first.block(30)
        return await second.acquire()

    assert asyncio.run(scenario()) == 30


def test_the_budget_lets_calls_through_when_redis_is_gone(redis_url):
    async def scenario():
        budget = shared.SharedBudget(shared.connect(redis_url.url))
        redis_url.kill()
        return await budget.acquire()

    assert asyncio.run(scenario()) is None
