"""The search cache and Pixabay's request budget, shared through Redis.

With `TROVE_REDIS_URL` set, every worker and replica reads and writes one
cache and spends one budget, so together they never call Pixabay more than
its limit allows. Redis going away must not take search down: each object
here then falls back to its in-process counterpart, says so once in the log,
and tries Redis again after a short pause.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Hashable
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlencode

import orjson
from redis import asyncio as aioredis
from redis.exceptions import RedisError

from trove.search.cache import DEFAULT_TTL, TtlCache

logger = logging.getLogger("trove.search.shared")

KEY_PREFIX = "trove:"
RETRY_AFTER_FAILURE = 5.0  # seconds before Redis is tried again
PIXABAY_WINDOW = 60.0
PIXABAY_LIMIT = 100


class _Entry(Protocol):  # what the search service caches
    envelope: dict
    fetched_at: datetime
    out_of_range: bool


def connect(url: str) -> aioredis.Redis:
    """A Redis client that gives up fast, so a dead server stalls nobody."""
    return aioredis.Redis.from_url(
        url,
        socket_connect_timeout=0.5,
        socket_timeout=0.5,
        retry_on_timeout=False,
        health_check_interval=30,
    )


class Breaker:
    """Remembers a Redis failure for a while and logs each outage once."""

    def __init__(self, what: str, clock=time.monotonic) -> None:
        self._what = what
        self._clock = clock
        self._down_until = 0.0
        self._down = False

    @property
    def open(self) -> bool:
        return self._clock() < self._down_until

    def failed(self, exc: BaseException) -> None:
        self._down_until = self._clock() + RETRY_AFTER_FAILURE
        if not self._down:
            self._down = True
            logger.warning(
                "Redis is unavailable (%s); the %s falls back to this process",
                type(exc).__name__,
                self._what,
            )

    def worked(self) -> None:
        if self._down:
            self._down = False
            logger.warning("Redis is back; the %s is shared again", self._what)


class MemoryCache:
    """The service's cache in this process, bounded by size and age."""

    def __init__(self, store: TtlCache | None = None) -> None:
        self.store = store if store is not None else TtlCache()

    async def get(self, key: Hashable) -> Any | None:
        return self.store.get(key)

    async def put(self, key: Hashable, value: Any, size: int) -> None:
        self.store.put(key, value, size=size)

    async def put_many(self, entries: list[tuple[Hashable, Any, int]]) -> None:
        for key, value, size in entries:
            self.store.put(key, value, size=size)


class RedisCache:
    """The service's cache in Redis, for every worker and replica.

    Entries expire after `ttl` seconds; Redis's own memory limit (an LRU
    policy, set where Redis is deployed) bounds its size.
    """

    def __init__(
        self,
        redis: aioredis.Redis,
        entry_type: type,
        *,
        ttl: float = DEFAULT_TTL,
        fallback: MemoryCache | None = None,
    ) -> None:
        self._redis = redis
        self._entry_type = entry_type
        self._ttl = int(ttl)
        self._fallback = fallback if fallback is not None else MemoryCache()
        self._breaker = Breaker("search cache")

    async def get(self, key: Hashable) -> Any | None:
        if self._breaker.open:
            return await self._fallback.get(key)
        try:
            raw = await self._redis.get(_redis_key(key))
        except RedisError as exc:
            self._breaker.failed(exc)
            return await self._fallback.get(key)
        self._breaker.worked()
        return None if raw is None else self._decode(raw)

    async def put(self, key: Hashable, value: Any, size: int) -> None:
        await self.put_many([(key, value, size)])

    async def put_many(self, entries: list[tuple[Hashable, Any, int]]) -> None:
        if self._breaker.open:
            await self._fallback.put_many(entries)
            return
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for key, value, _ in entries:
                    pipe.set(_redis_key(key), _encode(value), ex=self._ttl)
                await pipe.execute()
        except RedisError as exc:
            self._breaker.failed(exc)
            await self._fallback.put_many(entries)
            return
        self._breaker.worked()

    def _decode(self, raw: bytes) -> Any:
        document = orjson.loads(raw)
        return self._entry_type(
            envelope=document["envelope"],
            fetched_at=datetime.fromisoformat(document["fetched_at"]),
            out_of_range=document["out_of_range"],
        )


def _encode(value: _Entry) -> bytes:
    return orjson.dumps(
        {
            "envelope": value.envelope,
            "fetched_at": value.fetched_at.isoformat(),
            "out_of_range": value.out_of_range,
        }
    )


def _redis_key(key: Hashable) -> str:
    media_type, params = key
    return f"{KEY_PREFIX}search:{media_type}?{urlencode(params)}"


# One atomic step: refuse while upstream said to wait, else admit the call
# if fewer than `limit` calls went out in the last `window` seconds (a
# sliding log of call times). Returns {admitted, seconds to wait}.
_ACQUIRE = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local blocked = tonumber(redis.call('GET', KEYS[2]) or '0')
if blocked > now then
  return {0, math.ceil(blocked - now)}
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, math.max(1, math.ceil(tonumber(oldest[2]) + window - now))}
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('EXPIRE', KEYS[1], math.ceil(window))
return {1, 0}
"""

# Wait at least until `until`, never shortening a longer wait.
_BLOCK = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local until_ = tonumber(ARGV[1])
if until_ > current then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', math.ceil(tonumber(ARGV[2])))
end
return 1
"""


class SharedBudget:
    """Pixabay's request budget across every worker and replica.

    Every call first takes a place in a sliding window of `limit` calls per
    `window` seconds kept in Redis; answers that say the key's budget is
    spent (or a 429) make every worker wait until Pixabay's reset. While
    Redis is unavailable this admits every call: the caller's own
    per-process budget, kept from Pixabay's headers, still applies.
    """

    def __init__(
        self,
        redis: aioredis.Redis,
        *,
        limit: int = PIXABAY_LIMIT,
        window: float = PIXABAY_WINDOW,
        clock=time.time,
    ) -> None:
        self._redis = redis
        self._limit = limit
        self._window = window
        self._clock = clock
        self._calls_key = f"{KEY_PREFIX}pixabay:calls"
        self._blocked_key = f"{KEY_PREFIX}pixabay:blocked-until"
        self._acquire = redis.register_script(_ACQUIRE)
        self._block = redis.register_script(_BLOCK)
        self._breaker = Breaker("Pixabay request budget")

    async def acquire(self) -> int | None:
        """Take a place for one call; None, or the seconds to wait first."""
        if self._breaker.open:
            return None
        try:
            admitted, wait = await self._acquire(
                keys=[self._calls_key, self._blocked_key],
                args=[self._clock(), self._window, self._limit, uuid.uuid4().hex],
            )
        except RedisError as exc:
            self._breaker.failed(exc)
            return None
        self._breaker.worked()
        return None if admitted else max(1, int(wait))

    async def block(self, seconds: float) -> None:
        """Make every worker wait `seconds` before calling Pixabay again."""
        if self._breaker.open or seconds <= 0:
            return
        try:
            await self._block(
                keys=[self._blocked_key], args=[self._clock() + seconds, seconds]
            )
        except RedisError as exc:
            self._breaker.failed(exc)
            return
        self._breaker.worked()
