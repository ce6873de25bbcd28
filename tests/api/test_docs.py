"""Trove describes itself: the OpenAPI document and a reference page."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import yaml

from tests.support.contract_client import SPEC

PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class _Links(HTMLParser):
    """The URLs of the scripts, style sheets and links of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls.extend(value for name, value in attrs if name in ("src", "href"))


def test_the_openapi_document_is_served_exactly_as_written(client):
    response = client.get("/api/v1/openapi.yaml")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/yaml; charset=utf-8"
    assert response.content == SPEC.read_bytes()
    assert yaml.safe_load(response.text)["openapi"] == "3.1.0"


def test_the_reference_page_loads_only_files_that_trove_serves(client):
    page = client.get("/api/v1/docs")
    links = _Links()
    links.feed(page.text)
    files = {url: client.get(f"/api/v1/{url}") for url in links.urls}

    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["content-security-policy"] == PAGE_POLICY
    assert sorted(links.urls) == [
        "docs/docs.js",
        "docs/swagger-ui-bundle.js",
        "docs/swagger-ui.css",
        "openapi.yaml",
    ]
    assert {url: answer.status_code for url, answer in files.items()} == {
        url: 200 for url in links.urls
    }
    assert files["docs/swagger-ui.css"].headers["content-type"] == (
        "text/css; charset=utf-8"
    )
    assert files["docs/docs.js"].headers["content-type"] == (
        "text/javascript; charset=utf-8"
    )


def test_the_reference_page_asks_no_other_host(client):
    script = client.get("/api/v1/docs/docs.js").text

    assert re.findall(r"https?://", script) == []
    assert "validatorUrl: null" in script


def test_a_file_the_reference_page_does_not_use_is_refused(client):
    response = client.get("/api/v1/docs/swagger-ui.js.map")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "asset"
