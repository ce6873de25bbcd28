"""An HTTP client that checks every response against openapi.yaml.

It uses openapi-core, a validator independent of Trove's own contract
module, so that a bug there cannot hide a response that breaks the spec.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import orjson
from openapi_core import Config, OpenAPI
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from openapi_core.testing import MockRequest, MockResponse

SPEC = Path(__file__).resolve().parents[2] / "openapi.yaml"


@lru_cache(maxsize=1)
def openapi() -> OpenAPI:
    # Problem documents are JSON too; openapi-core only knows plain JSON. The
    # API reference page and its files are text, which it leaves as bytes.
    config = Config(
        extra_media_type_deserializers={
            "application/problem+json": orjson.loads,
            **{
                media_type: _text
                for media_type in ("text/html", "text/javascript", "text/css")
            },
        }
    )
    return OpenAPI.from_file_path(str(SPEC), config=config)


def _text(raw: bytes, charset: str = "utf-8") -> str:
    return raw.decode(charset)


class ContractViolation(AssertionError):
    pass


def check_response(response: httpx.Response) -> None:
    """Raise ContractViolation unless the response is one the spec declares."""
    request = response.request
    url = urlsplit(str(request.url))
    if not url.path.startswith("/api/v1/"):
        return
    response.read()
    mock_request = MockRequest(
        host_url=f"{url.scheme}://{url.netloc}",
        method=request.method,
        path=url.path,
        args=dict(httpx.QueryParams(url.query)),
        headers=dict(request.headers),
        data=request.content or None,
        content_type=request.headers.get("content-type", "application/json"),
    )
    content_type = response.headers.get("content-type", "")
    mock_response = MockResponse(
        response.content,
        status_code=response.status_code,
        headers=dict(response.headers),
        content_type=content_type,
    )
    try:
        openapi().validate_response(mock_request, mock_response)
    except (PathNotFound, OperationNotFound):
        # Paths and methods the spec lacks still answer with a problem.
        if not content_type.startswith("application/problem+json"):
            raise ContractViolation(f"{url.path}: {content_type}") from None
    except Exception as exc:  # every openapi-core failure is a violation
        raise ContractViolation(
            f"{request.method} {url.path} -> {response.status_code}: {exc!r}\n"
            f"{response.text[:2000]}"
        ) from exc


class ApiClient(httpx.Client):
    """httpx.Client whose every /api/v1 response is checked against the spec."""

    def __init__(self, base_url: str, token: str | None = None, **kwargs) -> None:
        super().__init__(
            base_url=base_url,
            timeout=30.0,
            event_hooks={"response": [check_response]},
            **kwargs,
        )
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def with_token(self, token: str | None) -> "ApiClient":
        return ApiClient(str(self.base_url), token)
