"""Browser tests: Debian's Chromium, driven by Playwright, through the real
nginx (with the project's nginx.conf) to the real API and the fake Pixabay,
once on SQLite and once on PostgreSQL.

No request leaves this machine. Requests to nginx on 127.0.0.1 go straight
through; every other one goes to `_keep_on_this_machine`: pictures from
Pixabay's hosts get a generated picture, and everything else is refused.
Chromium's host resolver is also told to resolve no name at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, Request, Route, sync_playwright

from tests.e2e.nginx import NGINX, running_nginx
from tests.fakes.pixabay import FakePixabay
from tests.support.databases import fresh_postgres_database
from tests.support.redis_server import redis_server
from tests.support.servers import ApiProcess, running_api

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
PIXABAY_HOSTS = re.compile(
    r"^https://(?:cdn\.pixabay\.com|pixabay\.com|i\.vimeocdn\.com)/"
)
PASSWORD = "Tr0ve-e2e!pass"
DESKTOP = {"width": 1280, "height": 860}
FAILED_LOGINS_PER_ACCOUNT = 5
TIMEOUT_MS = 10_000


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Run the browser tests last, after every other test.

    Playwright's sync API keeps an asyncio loop running on the main thread
    for as long as the browser is open, and asyncio.run() refuses to start
    under it; the unit and API tests use asyncio.run(). The slowest tests
    last is also the order in which failures are cheapest to see. The sort
    is stable and runs after pytest has grouped tests by parameter.
    """
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the test, for the screenshot on failure.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def require_binary(path: Path, what: str) -> None:
    """Skip without a Debian package the tests need; fail without it in CI."""
    if path.exists():
        return
    message = f"{what} is missing at {path}: run scripts/install-debian-packages.sh"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def _in_worker_thread(manager):
    """Enter and leave a context manager on another thread.

    Used for the database helpers, which call asyncio.run(): that cannot
    start on a thread where Playwright's loop is running.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        value = pool.submit(manager.__enter__).result()
        try:
            yield value
        except BaseException:
            if not pool.submit(manager.__exit__, *sys.exc_info()).result():
                raise
        else:
            pool.submit(manager.__exit__, None, None, None).result()


@dataclass
class Stack:
    """nginx in front of a running API, with a way to make users quickly."""

    url: str
    api: ApiProcess
    fake: FakePixabay
    jwt_secret: str
    http: httpx.Client = field(repr=False)
    api_env: dict[str, str] = field(default_factory=dict, repr=False)

    def register(self, email: str | None = None) -> str:
        """Create a user through nginx; returns its email address."""
        email = email or new_email()
        created = self.http.post(
            "/api/v1/users", json={"email": email, "password": PASSWORD}
        )
        assert created.status_code == 201, created.text
        return email

    def token(self, email: str) -> str:
        answer = self.http.post(
            "/api/v1/tokens", json={"email": email, "password": PASSWORD}
        )
        assert answer.status_code == 200, answer.text
        return answer.json()["access_token"]

    def add_favorite(self, token: str, media_type: str, media_id: int) -> None:
        answer = self.http.put(
            f"/api/v1/users/me/favorites/{media_type}/{media_id}",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code in (200, 201), answer.text

    def search_ids(self, token: str, media_type: str, **params) -> list[int]:
        path = "/api/v1/images" if media_type == "image" else "/api/v1/videos"
        answer = self.http.get(
            path, params=params, headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 200, answer.text
        return [item["id"] for item in answer.json()["items"]]


def new_email() -> str:
    return f"e2e-{uuid.uuid4().hex[:12]}@example.com"


@contextmanager
def running_stack(
    database_url: str,
    fake: FakePixabay,
    *,
    pixabay_key: str | None = "test-key",
    production: dict[str, str] | None = None,
) -> Iterator[Stack]:
    """Start the API (migrated) and nginx in front of it.

    `production` holds the settings of the compose stack (workers, Redis,
    production mode); with it the API starts as the image's entry point
    starts it, migrating on start.
    """
    jwt_secret = secrets.token_urlsafe(48)
    with ExitStack() as stack:
        api = stack.enter_context(
            running_api(
                database_url=database_url,
                pixabay_url=fake.url,
                pixabay_key=pixabay_key,
                as_the_image_starts=production is not None,
                extra_env={
                    **(production or {}),
                    "TROVE_JWT_SECRET": jwt_secret,
                    # nginx on this machine is the one proxy in front of the
                    # API, as in the container.
                    "TROVE_TRUSTED_PROXIES": "127.0.0.1",
                    # Low enough for a test to reach; each test has its own
                    # account, so no other test comes near it.
                    "TROVE_FAILED_LOGINS_PER_ACCOUNT": str(FAILED_LOGINS_PER_ACCOUNT),
                },
            )
        )
        nginx = stack.enter_context(running_nginx(api.url))
        http = stack.enter_context(httpx.Client(base_url=nginx.url, timeout=15.0))
        yield Stack(nginx.url, api, fake, jwt_secret, http, production or {})


@pytest.fixture(
    scope="session",
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def stack(request, fake_pixabay: FakePixabay) -> Iterator[Stack]:
    """The whole product behind nginx, on one database per backend."""
    require_binary(NGINX, "nginx")
    with ExitStack() as exits:
        if request.param == "sqlite":
            folder = Path(tempfile.mkdtemp(prefix="trove-e2e-"))
            database_url = f"sqlite://{folder}/trove.sqlite3"
            yield exits.enter_context(running_stack(database_url, fake_pixabay))
            return
        # On PostgreSQL the stack is the compose topology: nginx in front of
        # two workers started as the image starts them, sharing the search
        # cache and Pixabay budget through a Redis of the test's own.
        database_url = exits.enter_context(_in_worker_thread(fresh_postgres_database()))
        redis = exits.enter_context(redis_server())
        production = {
            "TROVE_ENV": "production",
            "TROVE_WORKERS": "2",
            "TROVE_REDIS_URL": redis.url,
            "TROVE_BCRYPT_ROUNDS": "12",
        }
        yield exits.enter_context(
            running_stack(database_url, fake_pixabay, production=production)
        )


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    require_binary(CHROMIUM, "Chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True
        )
        yield browser
        browser.close()


@dataclass
class PageWatch:
    """What a page did that a test may want to check afterwards."""

    api_requests: list[Request] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def api_calls(self, method: str, path_part: str) -> list[Request]:
        return [
            request
            for request in self.api_requests
            if request.method == method and path_part in request.url
        ]


@pytest.fixture
def watch() -> PageWatch:
    return PageWatch()


@pytest.fixture
def page(request, browser: Browser, stack: Stack, watch: PageWatch) -> Iterator[Page]:
    """A fresh browser context and page on `stack`, screenshot on failure."""
    yield from open_page(request, browser, stack.url, watch)


def open_page(request, browser: Browser, base_url: str, watch: PageWatch,
              viewport: dict | None = None) -> Iterator[Page]:
    context = browser.new_context(
        base_url=base_url, viewport=viewport or DESKTOP, service_workers="block"
    )
    # Requests to nginx go straight through; every other one is handled here.
    context.route(
        re.compile("^(?!" + re.escape(base_url) + "/)"),
        _keep_on_this_machine,
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)

    page.on("request", lambda r: watch.api_requests.append(r) if "/api/" in r.url
            else None)
    page.on("dialog", lambda dialog: (watch.dialogs.append(dialog.message),
                                      dialog.dismiss()))
    page.on("pageerror", lambda error: watch.errors.append(f"uncaught: {error}"))
    page.on("console", lambda message: _note_policy_violation(message, watch))
    try:
        yield page
    finally:
        report = getattr(request.node, "report_call", None)
        if report is None or report.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
            # A whole page of hundreds of results takes seconds to capture.
            tall = page.evaluate("document.documentElement.scrollHeight") > 4000
            page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=not tall)
        context.close()

    # An uncaught error or a blocked load is a failure even if the test's
    # own checks passed.
    assert watch.errors == []


def _note_policy_violation(message, watch: PageWatch) -> None:
    if message.type == "error" and "Content Security Policy" in message.text:
        watch.errors.append(f"blocked: {message.text}")


def _keep_on_this_machine(route: Route) -> None:
    request = route.request
    if PIXABAY_HOSTS.match(request.url) and request.resource_type == "image":
        route.fulfill(
            status=200, content_type="image/svg+xml", body=placeholder(request.url)
        )
    elif PIXABAY_HOSTS.match(request.url):
        # Video files: none is served, so the poster stays in view.
        route.fulfill(status=404, content_type="text/plain", body="not here")
    else:
        route.abort("blockedbyclient")


def placeholder(url: str) -> str:
    """A picture made from the URL alone: the same URL, the same picture."""
    digest = hashlib.sha256(url.encode()).digest()
    hue = digest[0] * 360 // 256
    other = (hue + 35 + digest[1] % 60) % 360
    sun_x = 120 + digest[2] * 400 // 256
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="427" '
        'viewBox="0 0 640 427">'
        '<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">'
        f'<stop offset="0" stop-color="hsl({hue} 55% 78%)"/>'
        f'<stop offset="1" stop-color="hsl({other} 45% 62%)"/>'
        "</linearGradient></defs>"
        '<rect width="640" height="427" fill="url(#sky)"/>'
        f'<circle cx="{sun_x}" cy="120" r="48" fill="hsl({hue} 80% 92%)"/>'
        f'<path d="M0 330 L160 200 L280 300 L420 170 L640 340 L640 427 L0 427Z" '
        f'fill="hsl({other} 35% 38%)"/>'
        f'<path d="M0 380 L200 290 L380 370 L520 300 L640 380 L640 427 L0 427Z" '
        f'fill="hsl({hue} 30% 28%)"/>'
        "</svg>"
    )


# Helpers for the tests


def session_token(page: Page) -> str:
    """The token the app keeps in sessionStorage (see frontend/js/state.js)."""
    return page.evaluate("JSON.parse(sessionStorage.getItem('trove.session')).token")


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Fill and send the login form that is on the page."""
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


@pytest.fixture
def user(stack: Stack, page: Page) -> str:
    """A new user, signed in, on the search page; returns the email.

    The token comes from the API and is put where the app keeps it, which
    saves a page load per test; the login form has tests of its own.
    """
    email = stack.register()
    session = {
        "token": stack.token(email),
        "email": email,
        "expiresAt": (time.time() + 3600) * 1000,
    }
    # Once only: a test that logs out must stay logged out after a reload.
    page.context.add_init_script(
        "if (!sessionStorage.getItem('e2e.seeded')) {"
        " sessionStorage.setItem('e2e.seeded', 'yes');"
        f" sessionStorage.setItem('trove.session', {json.dumps(json.dumps(session))});"
        " }"
    )
    page.goto("/search")
    return email
