"""JSON responses, encoded with orjson."""

from __future__ import annotations

from typing import Any

import orjson
from sanic import HTTPResponse

_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC


def encode(data: Any) -> bytes:
    """`data` as JSON, times in UTC with a `Z`, the way every answer has it."""
    return orjson.dumps(data, option=_OPTIONS)


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> HTTPResponse:
    """`data` as an `application/json` answer; it may hold `orjson.Fragment`s."""
    return HTTPResponse(
        encode(data),
        status=status,
        headers=headers,
        content_type="application/json",
    )
