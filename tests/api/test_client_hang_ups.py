"""Clients that hang up halfway through a request leave Trove working.

Sanic cancels a request's handler when its client goes away. A write that
is cancelled at the wrong moment must not leave the database (on SQLite, a
single connection behind a lock) unusable for every later request.
"""

from __future__ import annotations

import concurrent.futures
import json
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import STRONG_PASSWORD, register
from tests.support.contract_client import ApiClient
from tests.support.servers import (
    ROOT,
    START_TIMEOUT,
    run_trove,
    running_api,
    stop,
    trove_env,
)

ROUNDS = 12
AT_ONCE = 8


def _hang_up_after(api_url: str, request: bytes, seconds: float) -> None:
    """Send `request`, then close the connection without reading the answer."""
    url = urlsplit(api_url)
    with socket.create_connection((url.hostname, url.port), timeout=5) as sock:
        sock.sendall(request)
        time.sleep(seconds)


def _log_out(token: str) -> bytes:
    return (
        "DELETE /api/v1/tokens/current HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {token}\r\n\r\n"
    ).encode()


def _delete_account(token: str) -> bytes:
    body = json.dumps({"password": STRONG_PASSWORD})
    return (
        "DELETE /api/v1/users/me HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n{body}"
    ).encode()


def _log_in(client: ApiClient, email: str) -> str:
    answer = client.post(
        "/api/v1/tokens", json={"email": email, "password": STRONG_PASSWORD}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


@pytest.fixture(scope="module")
def own_api(database_url, fake_pixabay):
    # A server of its own: a failure here must not hang the shared one.
    with running_api(database_url=database_url, pixabay_url=fake_pixabay.url) as api:
        yield api


def test_hanging_up_during_logouts_and_deletions_leaves_the_database_working(
    own_api,
):
    with ApiClient(own_api.url) as client:
        email, _ = register(client)
        for round_ in range(ROUNDS):
            requests = [_log_out(_log_in(client, email)) for _ in range(AT_ONCE // 2)]
            requests += [
                _delete_account(register(client)[1]) for _ in range(AT_ONCE // 2)
            ]
            # Hang-ups spread over the first 20 ms, so that some land while
            # the database is being written.
            delays = [0.0025 * i for i in range(len(requests))]
            with concurrent.futures.ThreadPoolExecutor(len(requests)) as pool:
                list(
                    pool.map(
                        lambda r, d: _hang_up_after(own_api.url, r, d),
                        requests,
                        delays,
                    )
                )

            health = client.get("/api/v1/health", timeout=10)
            assert health.status_code == 200, f"round {round_}: {health.text}"
            assert health.json()["database"] == "ok"

        still = client.post(
            "/api/v1/tokens", json={"email": email, "password": STRONG_PASSWORD}
        )
        assert still.status_code == 200


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def test_a_first_request_hung_up_at_once_leaves_the_database_working(
    database_url, fake_pixabay
):
    env = trove_env(database_url=database_url, pixabay_url=fake_pixabay.url)
    assert run_trove("migrate", env=env).returncode == 0
    port = int(env["TROVE_PORT"])
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "trove", "serve"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _listening(port) and time.monotonic() < deadline:
            time.sleep(0.01)
        # Nothing has asked the database anything yet.
        _hang_up_after(url, b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n", 0)

        health = httpx.get(url + "/api/v1/health", timeout=10)
    finally:
        stop(server)

    assert health.status_code == 200
