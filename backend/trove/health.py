"""The health check."""

from __future__ import annotations

import asyncio
import functools
import logging

from sanic import Request

from trove import db
from trove.contract import Call, operation
from trove.responses import json_response
from trove.search.service import SearchService

logger = logging.getLogger("trove.health")

# A database that does not answer in this many seconds is unavailable: the
# check must answer well before a load balancer's own timeout.
CHECK_TIMEOUT = 5.0
_APPLIED = "SELECT version FROM aerich WHERE app = 'models'"


@operation("getHealth")
async def get_health(request: Request, call: Call, search: SearchService):
    database = "ok"
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            rows = await db.fetch(_APPLIED)
        missing = _shipped(request.app.ctx.settings.database_url) - {
            row["version"] for row in rows
        }
        if missing:
            database = "unavailable"
            logger.warning(
                "health check: migrations not applied: %s; run `trove migrate`",
                ", ".join(sorted(missing)),
            )
    except Exception:  # any failure of the database means "unavailable"
        logger.warning("health check: the database is unavailable", exc_info=True)
        database = "unavailable"

    body = {
        "status": database,
        "database": database,
        "media_source": search.source_name,
    }
    return json_response(body, status=200 if database == "ok" else 503)


@functools.cache
def _shipped(database_url: str) -> frozenset[str]:
    """The migrations Trove ships for this database, as aerich names them."""
    folder = db.migrations_location(database_url) / "models"
    return frozenset(path.name for path in folder.glob("[0-9]*.py"))
