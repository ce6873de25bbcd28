"""The API reference renders in Chromium from Trove's own files.

The browser may ask only the server under test on 127.0.0.1: any other
request is refused and reported, so a page that needs a CDN fails here. The
page is loaded straight from Trove and through nginx with nginx.conf.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.contract.conftest import ROOT, require

CHROMIUM = Path("/usr/bin/chromium")
NGINX = Path("/usr/sbin/nginx")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
OPERATIONS = 18
# nginx.conf's policy allows no `data:` pictures, and Swagger UI's style sheet
# draws a few small icons, such as a drop-down arrow, as `data:` pictures. The
# browser leaves them out; the reference is complete without them.
BLOCKED_ICON = re.compile(
    r"^Loading the image 'data:image/svg\+xml;.*violates the following Content "
    r"Security Policy directive: \"img-src 'self' https://cdn\.pixabay\.com"
)


@dataclass
class Rendered:
    title: str
    operations: int
    refused: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@contextmanager
def chromium():
    require(CHROMIUM, "run scripts/install-debian-packages.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


def render(base_url: str, screenshot: str) -> Rendered:
    """Open the reference page and wait until every operation is listed."""
    refused, problems = [], []
    with chromium() as browser:
        context = browser.new_context()
        context.route(
            re.compile("^(?!" + re.escape(base_url) + "/)"),
            lambda route: (refused.append(route.request.url), route.abort()),
        )
        page = context.new_page()
        page.on(
            "console",
            lambda message: message.type == "error" and problems.append(message.text),
        )
        page.on("pageerror", lambda error: problems.append(str(error)))

        page.goto(f"{base_url}/api/v1/docs")
        page.locator(".opblock").nth(OPERATIONS - 1).wait_for(timeout=15_000)
        (ROOT / "test-artifacts").mkdir(exist_ok=True)
        page.screenshot(path=str(ROOT / "test-artifacts" / screenshot))
        return Rendered(
            title=page.locator(".info .title").inner_text(),
            operations=page.locator(".opblock").count(),
            refused=refused,
            problems=problems,
        )


@pytest.mark.e2e
def test_the_api_reference_renders_from_trove_without_any_other_host(sqlite_trove):
    rendered = render(sqlite_trove.url, "api-reference.png")

    assert rendered.title.startswith("Trove API")
    assert rendered.operations == OPERATIONS
    assert rendered.refused == []
    assert rendered.problems == []


@pytest.mark.e2e
def test_the_api_reference_renders_through_nginx_without_any_other_host(sqlite_trove):
    require(NGINX, "run scripts/install-debian-packages.sh")
    from tests.e2e.nginx import running_nginx

    with running_nginx(sqlite_trove.url) as nginx:
        rendered = render(nginx.url, "api-reference-nginx.png")

    assert rendered.title.startswith("Trove API")
    assert rendered.operations == OPERATIONS
    assert rendered.refused == []
    assert [p for p in rendered.problems if not BLOCKED_ICON.match(p)] == []
