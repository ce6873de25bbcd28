"""The answer cache forgets by age and size; single-flight shares calls."""

from __future__ import annotations

import asyncio

import pytest

from trove.search.cache import DEFAULT_TTL, SingleFlight, TtlCache


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# TtlCache


def test_a_stored_value_comes_back_and_a_missing_one_is_none():
    cache = TtlCache(max_bytes=100)

    cache.put("a", {"hits": []}, size=10)

    assert cache.get("a") == {"hits": []}
    assert cache.get("b") is None
    assert len(cache) == 1
    assert cache.size_bytes == 10


def test_the_default_lifetime_is_24_hours():
    assert TtlCache().ttl == DEFAULT_TTL == 86400


def test_an_entry_expires_after_its_ttl():
    clock = FakeClock()
    cache = TtlCache(max_bytes=100, ttl=60, clock=clock)
    cache.put("a", "value", size=10)

    clock.now += 59.9
    fresh = cache.get("a")
    clock.now += 0.1
    stale = cache.get("a")

    assert fresh == "value"
    assert stale is None
    assert len(cache) == 0
    assert cache.size_bytes == 0


def test_the_ttl_counts_from_storing_not_from_reading():
    clock = FakeClock()
    cache = TtlCache(max_bytes=100, ttl=60, clock=clock)
    cache.put("a", "value", size=10)

    reads = []
    for _ in range(5):
        clock.now += 11
        reads.append(cache.get("a"))
    clock.now += 5

    assert reads == ["value"] * 5
    assert cache.get("a") is None


def test_the_least_recently_used_entry_is_evicted_first():
    cache = TtlCache(max_bytes=100)
    cache.put("a", "A", size=40)
    cache.put("b", "B", size=40)
    cache.get("a")

    cache.put("c", "C", size=40)

    assert cache.get("b") is None
    assert cache.get("a") == "A"
    assert cache.get("c") == "C"
    assert cache.size_bytes == 80


def test_eviction_goes_on_until_the_new_entry_fits():
    cache = TtlCache(max_bytes=100)
    for key in "abcde":
        cache.put(key, key.upper(), size=20)

    cache.put("f", "F", size=70)

    assert [key for key in "abcdef" if key in cache] == ["e", "f"]
    assert cache.size_bytes == 90


def test_an_entry_larger_than_the_cache_is_not_stored():
    cache = TtlCache(max_bytes=100)
    cache.put("a", "A", size=10)

    stored = cache.put("big", "X", size=101)

    assert stored is False
    assert cache.get("big") is None
    assert cache.get("a") == "A"


def test_storing_a_key_again_replaces_its_value_and_size():
    cache = TtlCache(max_bytes=100)
    cache.put("a", "old", size=60)

    cache.put("a", "new", size=30)

    assert cache.get("a") == "new"
    assert cache.size_bytes == 30


def test_a_membership_test_does_not_count_as_a_use():
    cache = TtlCache(max_bytes=100)
    cache.put("a", "A", size=50)
    cache.put("b", "B", size=50)

    assert "a" in cache
    cache.put("c", "C", size=50)

    assert "a" not in cache
    assert "b" in cache


def test_none_cannot_be_stored():
    with pytest.raises(ValueError):
        TtlCache().put("a", None, size=1)


def test_clear_forgets_everything():
    cache = TtlCache(max_bytes=100)
    cache.put("a", "A", size=50)

    cache.clear()

    assert (len(cache), cache.size_bytes, cache.get("a")) == (0, 0, None)


# SingleFlight


def test_concurrent_calls_with_one_key_share_one_run():
    flight = SingleFlight()
    runs = []

    async def work():
        runs.append(1)
        await asyncio.sleep(0.01)
        return {"answer": 42}

    async def main():
        results = await asyncio.gather(*(flight.run("k", work) for _ in range(10)))
        return results, len(flight)

    results, running = asyncio.run(main())

    assert runs == [1]
    assert results == [{"answer": 42}] * 10
    assert all(result is results[0] for result in results)
    assert running == 0


def test_different_keys_run_separately():
    flight = SingleFlight()
    runs = []

    async def work(key):
        runs.append(key)
        await asyncio.sleep(0)
        return key

    async def main():
        return await asyncio.gather(
            flight.run("a", lambda: work("a")), flight.run("b", lambda: work("b"))
        )

    assert asyncio.run(main()) == ["a", "b"]
    assert sorted(runs) == ["a", "b"]


def test_an_error_reaches_every_waiter_and_the_key_is_released():
    flight = SingleFlight()
    runs = []

    async def failing():
        runs.append(1)
        await asyncio.sleep(0.01)
        raise LookupError("upstream broke")

    async def main():
        results = await asyncio.gather(
            *(flight.run("k", failing) for _ in range(3)), return_exceptions=True
        )
        return results, len(flight)

    results, running = asyncio.run(main())

    assert runs == [1]
    assert [type(result) for result in results] == [LookupError] * 3
    assert str(results[0]) == "upstream broke"
    assert running == 0


def test_a_call_after_the_shared_one_ended_runs_afresh():
    flight = SingleFlight()
    runs = []

    async def work():
        runs.append(1)
        return len(runs)

    async def main():
        return await flight.run("k", work), await flight.run("k", work)

    assert asyncio.run(main()) == (1, 2)


def test_a_cancelled_waiter_does_not_cancel_the_shared_call():
    flight = SingleFlight()
    finished = []

    async def work():
        await asyncio.sleep(0.05)
        finished.append(1)
        return "done"

    async def main():
        impatient = asyncio.create_task(flight.run("k", work))
        patient = asyncio.create_task(flight.run("k", work))
        await asyncio.sleep(0.01)
        impatient.cancel()
        result = await patient
        return impatient.cancelled(), result

    cancelled, result = asyncio.run(main())

    assert cancelled is True
    assert result == "done"
    assert finished == [1]


def test_the_shared_call_finishes_even_when_every_waiter_gave_up():
    flight = SingleFlight()
    finished = []

    async def work():
        await asyncio.sleep(0.02)
        finished.append(1)

    async def main():
        waiter = asyncio.create_task(flight.run("k", work))
        await asyncio.sleep(0.005)
        waiter.cancel()
        await asyncio.sleep(0.05)
        return len(flight)

    assert asyncio.run(main()) == 0
    assert finished == [1]
