"""The API's description of itself: the OpenAPI document and a reference page.

The page is Swagger UI, whose files are copied from npm's swagger-ui-dist at
install time (`make` does it) into `data/docs/swagger-ui/`, so that Trove
serves everything the page loads and no browser is sent to a CDN.
"""

from __future__ import annotations

from pathlib import Path

from sanic import HTTPResponse, Request
from sanic.response import file as file_response

from trove.contract import SPEC_PATH, Call, operation
from trove.errors import NotFound

DOCS_DIR = Path(__file__).with_name("data") / "docs"
SWAGGER_UI_DIR = DOCS_DIR / "swagger-ui"

_JAVASCRIPT = "text/javascript; charset=utf-8"
_ASSETS = {
    "swagger-ui-bundle.js": (SWAGGER_UI_DIR / "swagger-ui-bundle.js", _JAVASCRIPT),
    "swagger-ui.css": (SWAGGER_UI_DIR / "swagger-ui.css", "text/css; charset=utf-8"),
    "docs.js": (DOCS_DIR / "docs.js", _JAVASCRIPT),
}

# The page loads only this origin's files; `data:` pictures are the icons
# inside Swagger UI's style sheet. Nothing may frame the page.
_PAGE_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
_PAGE_HEADERS = {
    "Content-Security-Policy": _PAGE_POLICY,
    "X-Content-Type-Options": "nosniff",
}


@operation("getOpenApiDocument")
async def get_open_api_document(request: Request, call: Call):
    return await file_response(
        SPEC_PATH,
        mime_type="application/yaml; charset=utf-8",
    )


@operation("getDocs")
async def get_docs(request: Request, call: Call):
    return await file_response(
        DOCS_DIR / "index.html",
        mime_type="text/html; charset=utf-8",
        headers=_PAGE_HEADERS,
    )


@operation("getDocsAsset")
async def get_docs_asset(request: Request, call: Call) -> HTTPResponse:
    path, mime_type = _ASSETS[call.path["asset"]]
    if not path.is_file():
        raise NotFound(
            f"{path.name} is not installed; `make` copies it from npm's "
            "swagger-ui-dist."
        )
    return await file_response(
        path,
        mime_type=mime_type,
        max_age=3600,
    )
