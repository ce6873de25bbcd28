"""The health check."""

from __future__ import annotations

import logging

from sanic import Request
from tortoise import connections

from trove.contract import Call, operation
from trove.responses import json_response
from trove.search.service import SearchService

logger = logging.getLogger("trove.health")


@operation("getHealth")
async def get_health(request: Request, call: Call, search: SearchService):
    database = "ok"
    try:
        # A table of Trove's, not `SELECT 1`: a database that was never
        # migrated answers, but cannot serve a single request.
        await connections.get("default").execute_query("SELECT id FROM users LIMIT 1")
    except Exception:  # any failure of the database means "unavailable"
        logger.warning("health check: the database is unavailable", exc_info=True)
        database = "unavailable"

    body = {
        "status": database,
        "database": database,
        "media_source": search.source_name,
    }
    return json_response(body, status=200 if database == "ok" else 503)
