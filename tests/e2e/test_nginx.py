"""The project's nginx.conf, run by the real nginx in front of an echo server.

The echo server stands in for the API and answers every request with the
headers it received, so the forwarding headers can be checked exactly.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.e2e.conftest import require_binary
from tests.e2e.nginx import NGINX, Nginx, check_config, running_nginx

pytestmark = pytest.mark.e2e

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' https://cdn.pixabay.com https://pixabay.com "
    "https://i.vimeocdn.com; media-src https://cdn.pixabay.com https://pixabay.com; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        headers = {name.lower(): value for name, value in self.headers.items()}
        body = json.dumps({"path": self.path, "headers": headers}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, format, *args) -> None:
        pass


@pytest.fixture(scope="module")
def echo_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def nginx(echo_url: str) -> Iterator[Nginx]:
    require_binary(NGINX, "nginx")
    with running_nginx(echo_url) as nginx:
        yield nginx


@pytest.fixture
def http(nginx: Nginx) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=nginx.url, timeout=10.0) as client:
        yield client


def test_nginx_accepts_the_configuration(nginx: Nginx):
    checked = check_config(nginx.config_path, nginx.runtime_dir)

    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr


def test_the_app_is_served_with_the_security_headers(http: httpx.Client):
    response = http.get("/")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert response.headers["cross-origin-opener-policy"] == "same-origin"
    assert "camera=()" in response.headers["permissions-policy"]
    assert response.headers["server"] == "nginx"


def test_app_routes_fall_back_to_the_page_but_missing_files_do_not(
    http: httpx.Client,
):
    page = http.get("/")
    favorites = http.get("/favorites?media_type=video")
    missing_script = http.get("/js/missing.js")

    assert favorites.status_code == 200
    assert favorites.text == page.text
    assert missing_script.status_code == 404


def test_text_is_compressed_and_revalidated_icons_are_cached(http: httpx.Client):
    script = http.get("/js/app.js", headers={"Accept-Encoding": "gzip"})
    icon = http.get("/favicon.svg")

    assert script.headers["content-encoding"] == "gzip"
    assert script.headers["content-type"] == "application/javascript; charset=utf-8"
    assert script.headers["cache-control"] == "no-cache"
    assert "etag" in script.headers or "last-modified" in script.headers
    assert icon.headers["cache-control"] == "public, max-age=86400"


def test_the_api_gets_the_forwarding_headers(http: httpx.Client, nginx: Nginx):
    response = http.get(
        "/api/v1/health?x=1", headers={"X-Forwarded-For": "198.51.100.7"}
    )

    echoed = response.json()
    host = nginx.url.removeprefix("http://")
    assert echoed["path"] == "/api/v1/health?x=1"
    assert echoed["headers"]["x-forwarded-for"] == "198.51.100.7, 127.0.0.1"
    assert echoed["headers"]["x-forwarded-proto"] == "http"
    assert echoed["headers"]["x-forwarded-host"] == host
    assert echoed["headers"]["host"] == host.split(":")[0]
    assert "cache-control" not in response.headers


def test_a_body_over_the_limit_is_refused_in_the_problem_shape(http: httpx.Client):
    response = http.post(
        "/api/v1/users",
        content=b"x" * (65 * 1024),
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "payload_too_large"


def test_an_unreachable_api_is_reported_in_the_problem_shape():
    require_binary(NGINX, "nginx")
    # Nothing listens on port 9 of this machine.
    with running_nginx("http://127.0.0.1:9") as nginx:
        response = httpx.get(nginx.url + "/api/v1/health", timeout=10.0)

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:trove:problem:service_unavailable",
        "title": "Service unavailable",
        "status": 503,
        "detail": "The Trove API cannot be reached right now.",
        "code": "service_unavailable",
    }
