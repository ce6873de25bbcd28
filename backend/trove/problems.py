"""Every error response, rendered as application/problem+json in one place."""

from __future__ import annotations

import logging

import orjson
from sanic import HTTPResponse, Request
from sanic.exceptions import SanicException

from trove.errors import FieldError, TroveError

logger = logging.getLogger("trove.problems")

PROBLEM_TYPE = "urn:trove:problem:"

# Sanic's own errors (routing, body size, malformed requests) by status.
_FRAMEWORK_CODES = {
    400: ("bad_request", "Bad request"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    408: ("request_timeout", "Request timeout"),
    413: ("payload_too_large", "Payload too large"),
    416: ("range_not_satisfiable", "Range not satisfiable"),
    503: ("service_unavailable", "Service unavailable"),
}


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> HTTPResponse:
    """Build one problem+json response."""
    body: dict = {
        "type": PROBLEM_TYPE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = [
            {
                "location": e.location,
                "field": e.field,
                "code": e.code,
                "message": e.message,
            }
            for e in errors
        ]
    return HTTPResponse(
        orjson.dumps(body),
        status=status,
        headers=headers,
        content_type="application/problem+json",
    )


def render_trove_error(request: Request, error: TroveError) -> HTTPResponse:
    """Render an error the application raised on purpose."""
    if error.status >= 500:
        logger.warning(
            "%s %s answered %s %s: %s",
            request.method,
            request.path,
            error.status,
            error.code,
            error.detail,
        )
    return problem_response(
        error.status,
        error.code,
        error.title,
        error.detail,
        error.errors,
        error.headers,
    )


def render_framework_error(request: Request, error: SanicException) -> HTTPResponse:
    """Render routing and protocol errors that Sanic raises itself."""
    status = getattr(error, "status_code", 500)
    if status >= 500 and status != 503:
        return render_unexpected(request, error)
    code, title = _FRAMEWORK_CODES.get(status, ("bad_request", "Bad request"))
    headers = dict(getattr(error, "headers", None) or {})
    detail = _framework_detail(status, request)
    return problem_response(status, code, title, detail, headers=headers)


def _framework_detail(status: int, request: Request) -> str:
    if status == 404:
        return f"There is nothing at {request.path}."
    if status == 405:
        return f"{request.path} does not accept {request.method}."
    if status == 413:
        return "The request body is too large."
    return "The request could not be understood."


def render_unexpected(request: Request, error: BaseException) -> HTTPResponse:
    """Log an unexpected failure once, with its traceback, and hide its text."""
    logger.error("%s %s failed", request.method, request.path, exc_info=error)
    return problem_response(
        500,
        "internal_error",
        "Internal error",
        "Something went wrong on Trove's side.",
    )
