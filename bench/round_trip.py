"""What one database query costs a Trove worker in CPU, timed in this process.

Every authenticated request asks PostgreSQL at least twice: once for the
token's user and once for its data. The client's side of one such query
(asyncpg through Tortoise's pool, on uvloop as the workers run) is timed
here, on the run's own database, so the throughput bars can be read against
it: a request that makes `n` queries cannot go faster than the ceiling's
CPU time plus `n` of these.
"""

from __future__ import annotations

import time

import uvloop
from tortoise import Tortoise

from trove import db

QUERIES = 3_000
# A lookup by primary key, like the token check: the cheapest real query.
PROBE = "SELECT id FROM users WHERE id = $1"


def cpu_ms_per_query(database_url: str) -> float:
    """The best of three runs of QUERIES queries, in CPU milliseconds each."""
    return uvloop.run(_measure(database_url))


async def _measure(database_url: str) -> float:
    await Tortoise.init(config=db.tortoise_config(database_url, with_aerich=False))
    try:
        for _ in range(200):  # warm the pool and the statement cache
            await db.fetch(PROBE, 1)
        best = float("inf")
        for _ in range(3):
            started = time.process_time()
            for _ in range(QUERIES):
                await db.fetch(PROBE, 1)
            best = min(best, time.process_time() - started)
        return best / QUERIES * 1000
    finally:
        await Tortoise.close_connections()
