"""The application's error tree.

Every failure a client can see is one of these. They carry no knowledge of
HTTP frameworks: `trove.problems` turns them into problem+json responses in
exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one input field."""

    location: str  # body, query, path or header
    field: str
    code: str
    message: str


class TroveError(Exception):
    """Base of every error Trove reports to a client."""

    status = 500
    code = "internal_error"
    title = "Internal error"
    default_detail = "Something went wrong on Trove's side."

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.detail = detail or self.default_detail
        self.errors = errors or []
        self.headers = headers or {}
        super().__init__(self.detail)


class MalformedJson(TroveError):
    status = 400
    code = "malformed_json"
    title = "Malformed JSON"
    default_detail = "The body is not valid JSON."


class InvalidToken(TroveError):
    status = 401
    code = "invalid_token"
    title = "Invalid token"
    default_detail = "A valid bearer token is required."

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="trove"'})


class InvalidCredentials(TroveError):
    status = 401
    code = "invalid_credentials"
    title = "Invalid credentials"
    default_detail = "The email address or the password is wrong."

    def __init__(self) -> None:
        super().__init__(headers={"WWW-Authenticate": 'Bearer realm="trove"'})


class NotFound(TroveError):
    status = 404
    code = "not_found"
    title = "Not found"
    default_detail = "There is no such resource."


class MethodNotAllowed(TroveError):
    status = 405
    code = "method_not_allowed"
    title = "Method not allowed"
    default_detail = "This path does not accept that method."


class Conflict(TroveError):
    status = 409
    code = "conflict"
    title = "Conflict"
    default_detail = "The request conflicts with another one; try again."


class EmailTaken(Conflict):
    status = 409
    code = "email_taken"
    title = "Email taken"
    default_detail = "A user with this email address exists."


class PayloadTooLarge(TroveError):
    status = 413
    code = "payload_too_large"
    title = "Payload too large"
    default_detail = "The body is larger than this operation accepts."


class UnsupportedMediaType(TroveError):
    status = 415
    code = "unsupported_media_type"
    title = "Unsupported media type"
    default_detail = "The body must be application/json."


class ValidationFailed(TroveError):
    status = 422
    code = "validation_failed"
    title = "Validation failed"
    default_detail = "The input is not valid."


class _RetryLater(TroveError):
    """An error after which the client may try again in `retry_after` s."""

    def __init__(self, detail: str | None = None, *, retry_after: int) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(detail, headers={"Retry-After": str(self.retry_after)})


class RateLimited(_RetryLater):
    status = 429
    code = "rate_limited"
    title = "Too many requests"
    default_detail = "Too many requests; try again later."


class UpstreamError(TroveError):
    status = 502
    code = "upstream_error"
    title = "Upstream error"
    default_detail = "Pixabay gave an answer Trove could not use."


class UpstreamUnavailable(_RetryLater):
    status = 503
    code = "upstream_unavailable"
    title = "Upstream unavailable"
    default_detail = "Pixabay cannot be asked right now."


class UpstreamTimeout(TroveError):
    status = 504
    code = "upstream_timeout"
    title = "Upstream timeout"
    default_detail = "Pixabay did not answer in time."


class ServiceUnavailable(TroveError):
    status = 503
    code = "service_unavailable"
    title = "Service unavailable"
    default_detail = "Trove cannot reach its database right now."
