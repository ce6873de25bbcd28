"""Sliding-window limits on attempts, per process or shared through Redis.

A window remembers when each attempt under a key happened and refuses once
`limit` attempts fall within the last `window` seconds, until the oldest of
them leaves the window. Nothing is ever locked for longer than `window`.
"""

from __future__ import annotations

import math
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable

from redis import asyncio as aioredis
from redis.exceptions import RedisError

from trove.search.shared import KEY_PREFIX, Breaker


class SlidingWindow:
    """Attempts per key in this process, for a bounded number of keys."""

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._max_keys = max_keys
        self._attempts: OrderedDict[str, deque[float]] = OrderedDict()

    async def wait(self, key: str) -> int | None:
        """Seconds before `key` may try again, or None if it may now."""
        attempts = self._recent(key)
        if len(attempts) < self.limit:
            return None
        return max(1, math.ceil(attempts[0] + self.window - self._clock()))

    async def record(self, key: str) -> None:
        """Count one attempt under `key`."""
        self._recent(key).append(self._clock())
        self._attempts.move_to_end(key)
        while len(self._attempts) > self._max_keys:
            self._attempts.popitem(last=False)

    def _recent(self, key: str) -> deque[float]:
        attempts = self._attempts.setdefault(key, deque())
        horizon = self._clock() - self.window
        while attempts and attempts[0] <= horizon:
            attempts.popleft()
        return attempts


_WAIT = """
local horizon = tonumber(ARGV[1]) - tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', horizon)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  return -1
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, math.ceil(tonumber(oldest[2]) - horizon))
"""


class SharedWindow:
    """The same limit for every worker and replica, kept in Redis.

    While Redis is unavailable the limit is kept in this process instead.
    """

    def __init__(
        self,
        redis: aioredis.Redis,
        name: str,
        limit: int,
        window: float,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._prefix = f"{KEY_PREFIX}limit:{name}:"
        self.limit = limit
        self.window = window
        self._clock = clock
        self._wait = redis.register_script(_WAIT)
        self._local = SlidingWindow(limit, window)
        self._breaker = Breaker(f"{name} limit")

    async def wait(self, key: str) -> int | None:
        if self._breaker.open:
            return await self._local.wait(key)
        try:
            seconds = await self._wait(
                keys=[self._prefix + key],
                args=[self._clock(), self.window, self.limit],
            )
        except RedisError as exc:
            self._breaker.failed(exc)
            return await self._local.wait(key)
        self._breaker.worked()
        return None if seconds < 0 else int(seconds)

    async def record(self, key: str) -> None:
        await self._local.record(key)
        if self._breaker.open:
            return
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.zadd(self._prefix + key, {uuid.uuid4().hex: self._clock()})
                pipe.expire(self._prefix + key, math.ceil(self.window))
                await pipe.execute()
        except RedisError as exc:
            self._breaker.failed(exc)
            return
        self._breaker.worked()
