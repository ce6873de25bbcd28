"""Every error response, rendered as application/problem+json in one place."""

from __future__ import annotations

import logging

import orjson
from asyncpg import UndefinedColumnError, UndefinedTableError
from sanic import HTTPResponse, Request
from sanic.exceptions import SanicException

from trove.errors import FieldError, ServiceUnavailable, TroveError

logger = logging.getLogger("trove.problems")

PROBLEM_TYPE = "urn:trove:problem:"
MAX_FIELD_ERRORS = 100
MAX_FIELD_NAME = 200
MAX_PATH_IN_DETAIL = 200

# How SQLite says that a table or column a query names does not exist.
_SQLITE_SCHEMA_MISSING = ("no such table", "no such column", "has no column named")
# The name of the route that serves the web app's files.
WEB_APP_ROUTE = "frontend"
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

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
        # A client can make any number of problems, with any names: the
        # answer stays within the sizes the contract promises.
        body["errors"] = [
            {
                "location": e.location,
                "field": e.field[:MAX_FIELD_NAME],
                "code": e.code,
                "message": e.message,
            }
            for e in errors[:MAX_FIELD_ERRORS]
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
    if status == 413 and str(error).startswith("Request header"):
        # Sanic reports an oversized request line or headers as 413; the
        # client's body is not the problem, so say what is.
        return problem_response(
            431,
            "request_header_fields_too_large",
            "Request header fields too large",
            "The request line and headers together are too large.",
        )
    headers = dict(getattr(error, "headers", None) or {})
    if status == 405:
        # Found here rather than taken from Sanic, which sometimes leaves the
        # list out and counts the web app's files under /api/.
        allowed = _allowed_methods(request)
        if allowed:
            headers["Allow"] = ", ".join(allowed)
        else:
            # Only the web app's files answer at this path, and only to GET:
            # to the API it does not exist, whatever the method.
            status = 404
            headers.pop("Allow", None)
    code, title = _FRAMEWORK_CODES.get(status, ("bad_request", "Bad request"))
    detail = _framework_detail(status, request)
    return problem_response(status, code, title, detail, headers=headers)


def _allowed_methods(request: Request) -> list[str]:
    """The methods `request.path` is routed for, as a 405's Allow header.

    Sanic's router leaves the list out when several routes share a path with
    parameters, such as a favorite's GET, PUT and DELETE, so it is found here
    by routing the path once per method. Under /api/ the web app's files,
    which take any GET, do not count.
    """
    allowed = []
    in_api = request.path.startswith("/api/")
    for method in _METHODS:
        try:
            route, _, _ = request.app.router.get(
                request.path, method, request.headers.get("host")
            )
        except SanicException:
            continue
        if not (in_api and is_web_app_route(route.name)):
            allowed.append(method)
    return allowed


def is_web_app_route(name: str | None) -> bool:
    """Whether a route (by its name) serves the web app's files."""
    return name is not None and name.endswith(f".{WEB_APP_ROUTE}")


def _framework_detail(status: int, request: Request) -> str:
    path = request.path
    if len(path) > MAX_PATH_IN_DETAIL:
        path = path[:MAX_PATH_IN_DETAIL] + "…"
    if status == 404:
        return f"There is nothing at {path}."
    if status == 405:
        return f"{path} does not accept {request.method}."
    if status == 413:
        return "The request body is too large."
    if status == 503:
        return "Trove could not answer in time; try again shortly."
    return "The request could not be understood."


def render_database_unavailable(request: Request, error: BaseException) -> HTTPResponse:
    """The database cannot be reached: a 503 the client may retry, not a 500."""
    logger.warning(
        "%s %s: the database is unavailable (%s)",
        request.method,
        request.path,
        type(error).__name__,
    )
    return render_trove_error(request, ServiceUnavailable())


def render_database_error(request: Request, error: BaseException) -> HTTPResponse:
    """A query failed: a 503 if the database is not migrated, else a bug.

    A database that was never migrated (`trove migrate`) cannot serve any
    request until it is; every other failed query is Trove's own mistake.
    """
    cause = error.__cause__ or error
    if isinstance(cause, UndefinedTableError | UndefinedColumnError) or any(
        sign in str(cause) for sign in _SQLITE_SCHEMA_MISSING
    ):
        logger.error(
            "%s %s: the database lacks Trove's tables or columns; run `trove migrate`",
            request.method,
            request.path,
        )
        return render_trove_error(request, ServiceUnavailable())
    return render_unexpected(request, error)


def render_unexpected(request: Request, error: BaseException) -> HTTPResponse:
    """Log an unexpected failure once, with its traceback, and hide its text."""
    logger.error("%s %s failed", request.method, request.path, exc_info=error)
    return problem_response(
        500,
        "internal_error",
        "Internal error",
        "Something went wrong on Trove's side.",
    )
