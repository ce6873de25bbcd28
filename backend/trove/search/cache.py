"""The in-process cache of upstream answers and the single-flight gate.

Pixabay's terms ask for answers to be cached for 24 hours, and its rate
limit (100 requests a minute per key) makes every saved call count. Each
worker process keeps its own cache; everything here runs on one event loop
and never awaits while changing shared state, so no lock is needed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

logger = logging.getLogger("trove.search.cache")

DEFAULT_TTL = 24 * 60 * 60.0
# Sizes are JSON lengths; parsed into Python objects an answer takes about
# three times its JSON. At this bound a worker stays under 150 MB through
# 10,000 distinct searches (bench/); at 64 MiB it reached 303 MB.
DEFAULT_MAX_BYTES = 12 * 1024 * 1024

T = TypeVar("T")


class TtlCache:
    """An LRU cache bounded by total size in bytes and by entry age.

    The size of an entry is the caller's estimate (the length of the raw
    JSON it came from); the bound holds over the sum of those estimates.
    An entry older than `ttl` seconds, by `clock`, is never returned.
    """

    def __init__(
        self,
        max_bytes: int = DEFAULT_MAX_BYTES,
        ttl: float = DEFAULT_TTL,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_bytes < 1 or ttl <= 0:
            raise ValueError("max_bytes and ttl must be positive")
        self.max_bytes = max_bytes
        self.ttl = ttl
        self._clock = clock
        # key -> (stored_at, size, value); the first entry is the least
        # recently used.
        self._entries: OrderedDict[Hashable, tuple[float, int, Any]] = OrderedDict()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        # A membership test is not a use: the LRU order stays as it is.
        entry = self._entries.get(key)
        return entry is not None and self._clock() - entry[0] < self.ttl

    @property
    def size_bytes(self) -> int:
        """The sum of the sizes of the entries held now."""
        return self._bytes

    def get(self, key: Hashable) -> Any | None:
        """Return the fresh value under `key`, or None if there is none."""
        entry = self._entries.get(key)
        if entry is None:
            return None

        stored_at, _, value = entry
        if self._clock() - stored_at >= self.ttl:
            self._remove(key)
            return None

        self._entries.move_to_end(key)
        return value

    def put(self, key: Hashable, value: Any, size: int) -> bool:
        """Store `value` under `key`, evicting the least recently used.

        Returns False, storing nothing, when `value` alone is larger than
        the whole cache; None cannot be stored since `get` means "absent"
        by it.
        """
        if value is None:
            raise ValueError("None cannot be cached")
        size = max(0, int(size))
        if key in self._entries:
            self._remove(key)
        if size > self.max_bytes:
            logger.debug("not caching an entry of %s bytes", size)
            return False

        self._entries[key] = (self._clock(), size, value)
        self._bytes += size

        while self._bytes > self.max_bytes:
            oldest = next(iter(self._entries))
            self._remove(oldest)
        return True

    def clear(self) -> None:
        """Forget every entry."""
        self._entries.clear()
        self._bytes = 0

    def _remove(self, key: Hashable) -> None:
        _, size, _ = self._entries.pop(key)
        self._bytes -= size


class SingleFlight:
    """Lets concurrent callers with the same key share one running call.

    The first caller starts the call as a task; later callers with the same
    key await that task instead of starting their own. The result or the
    error reaches every one of them. A caller that is cancelled stops
    waiting without cancelling the shared call, which the others still
    need. The key is forgotten as soon as the call ends, so the next call
    after that runs afresh.
    """

    def __init__(self) -> None:
        self._calls: dict[Hashable, asyncio.Task] = {}

    def __len__(self) -> int:
        """How many calls are running now."""
        return len(self._calls)

    async def run(self, key: Hashable, call: Callable[[], Awaitable[T]]) -> T:
        """Await `call()`, or the running call with the same `key`.

        Raises whatever the shared call raises.
        """
        task = self._calls.get(key)
        if task is None:
            task = asyncio.ensure_future(self._run(key, call))
            task.add_done_callback(lambda done: self._ended(key, done))
            self._calls[key] = task

        return await asyncio.shield(task)

    async def _run(self, key: Hashable, call: Callable[[], Awaitable[T]]) -> T:
        try:
            return await call()
        finally:
            # Forget the key before any waiter resumes, so that none of them
            # can join a call that has already ended.
            self._calls.pop(key, None)

    def _ended(self, key: Hashable, task: asyncio.Task) -> None:
        # A task cancelled before it ever ran skipped `_run`'s clean-up.
        if self._calls.get(key) is task:
            del self._calls[key]

        # When every waiter was cancelled nobody reads the error; reading it
        # here keeps asyncio from logging "exception was never retrieved".
        if not task.cancelled():
            task.exception()
