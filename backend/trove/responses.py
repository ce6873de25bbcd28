"""JSON responses, encoded with orjson."""

from __future__ import annotations

from typing import Any

import orjson
from sanic import HTTPResponse

_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> HTTPResponse:
    return HTTPResponse(
        orjson.dumps(data, option=_OPTIONS),
        status=status,
        headers=headers,
        content_type="application/json",
    )
