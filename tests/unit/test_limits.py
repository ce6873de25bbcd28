"""Sliding-window limits, in this process and shared through Redis."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.redis_server import redis_server
from trove.limits import SharedWindow, SlidingWindow
from trove.search.shared import connect


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_window_refuses_past_its_limit_until_the_oldest_attempt_leaves():
    clock = Clock()
    window = SlidingWindow(3, 60, clock=clock)

    async def scenario():
        for _ in range(3):
            await window.record("ann")
            clock.now += 10
        refused = await window.wait("ann")
        clock.now += 31
        allowed = await window.wait("ann")
        return refused, allowed

    assert asyncio.run(scenario()) == (30, None)


def test_keys_are_counted_apart():
    window = SlidingWindow(1, 60)

    async def scenario():
        await window.record("ann")
        return await window.wait("ann"), await window.wait("bob")

    assert asyncio.run(scenario()) == (60, None)


def test_the_number_of_keys_kept_is_bounded():
    window = SlidingWindow(1, 60, max_keys=2)

    async def scenario():
        for name in ("a", "b", "c"):
            await window.record(name)
        return await window.wait("a")

    assert asyncio.run(scenario()) is None


@pytest.fixture
def redis():
    with redis_server() as server:
        yield server


def test_a_shared_window_counts_every_workers_attempts(redis):
    async def scenario():
        first = SharedWindow(connect(redis.url), "login", 2, 60)
        second = SharedWindow(connect(redis.url), "login", 2, 60)
        await first.record("ann")
        await second.record("ann")
        return await first.wait("ann"), await second.wait("bob")

    refused, other = asyncio.run(scenario())

    assert 1 <= refused <= 60
    assert other is None


def test_a_shared_window_falls_back_to_the_process_when_redis_dies(redis):
    async def scenario():
        window = SharedWindow(connect(redis.url), "login", 1, 60)
        redis.kill()
        await window.record("ann")
        return await window.wait("ann")

    assert asyncio.run(scenario()) == 60
