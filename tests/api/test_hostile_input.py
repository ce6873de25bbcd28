"""Input meant to break Trove gets a clear problem, never a 500."""

from __future__ import annotations

import concurrent.futures
import socket
from urllib.parse import urlsplit

import httpx

from tests.conftest import new_email
from tests.support.contract_client import ApiClient

FAVORITE = "/api/v1/users/me/favorites/image/2083492"


def _raw_request(api_url: str, request: bytes) -> bytes:
    """Send bytes that an HTTP client library would refuse to send."""
    url = urlsplit(api_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_favoriting_and_unfavoriting_at_once_never_fails(api, user_client):
    token = user_client.headers["Authorization"].split()[1]

    def toggle(i: int) -> int:
        with ApiClient(api.url, token) as client:
            if i % 2:
                return client.delete(FAVORITE).status_code
            return client.put(FAVORITE).status_code

    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        statuses = list(pool.map(toggle, range(60)))

    assert set(statuses) <= {200, 201, 204}


def test_an_authorization_header_that_is_not_utf8_is_a_401(api):
    answer = _raw_request(
        api.url,
        b"GET /api/v1/users/me HTTP/1.1\r\nHost: x\r\n"
        b"Authorization: Bearer \xff\xfe\r\nConnection: close\r\n\r\n",
    )

    assert answer.startswith(b"HTTP/1.1 401")


def test_a_deeply_nested_field_is_a_422(client):
    nested = "[" * 1000 + "]" * 1000
    body = f'{{"email": {nested}, "password": "x"}}'

    response = client.post(
        "/api/v1/users", content=body, headers={"content-type": "application/json"}
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "too_deep"


def test_hundreds_of_unknown_parameters_give_at_most_100_errors(user_client):
    params = {f"p{i}": "1" for i in range(150)}

    response = user_client.get("/api/v1/images", params=params)

    assert response.status_code == 422
    assert len(response.json()["errors"]) == 100


def test_a_huge_parameter_name_is_cut_in_the_answer(user_client):
    response = user_client.get("/api/v1/images", params={"p" * 300: "1"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "p" * 200


def test_oversized_headers_are_a_431_problem(api):
    # Refused before any route is chosen: no operation of the spec answers.
    response = httpx.get(f"{api.url}/api/v1/health", headers={"X-Big": "a" * 20000})

    assert response.status_code == 431
    assert response.headers["content-type"] == "application/problem+json"


def test_a_trailing_slash_is_not_another_name_for_a_path(user_client):
    assert user_client.get("/api/v1/users/me/").status_code == 404


def test_a_nul_in_a_page_path_gets_the_app_not_an_error(api):
    answer = _raw_request(
        api.url,
        b"GET /index.html%00.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )

    assert answer.startswith(b"HTTP/1.1 200")
    assert b"<html" in answer


def test_a_nul_in_an_api_path_is_a_404(api):
    answer = _raw_request(
        api.url, b"GET /api/v1/%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )

    assert answer.startswith(b"HTTP/1.1 404")


def test_a_long_path_is_not_echoed_whole(client):
    response = client.patch("/api/v1/images/" + "9" * 2000)

    assert response.status_code == 405
    assert len(response.json()["detail"]) < 300


def test_the_same_mailbox_cannot_register_twice_in_two_spellings(client):
    local = new_email().split("@")[0]
    first = client.post(
        "/api/v1/users", json={"email": f"{local}@x.com", "password": "Aa11%$cccc"}
    )

    quoted = client.post(
        "/api/v1/users", json={"email": f'"{local}"@x.com', "password": "Aa11%$cccc"}
    )

    assert first.status_code == 201
    assert quoted.status_code == 409


def test_an_api_path_that_no_operation_has_is_a_404_whatever_the_method(api):
    # Plain httpx: the contract's checker would take the last path for a
    # favorite's with an empty id.
    for method, path in [
        ("PUT", "/api/v1/nope"),
        ("POST", "/api/v1/images/"),
        ("DELETE", "/api/v1/users/me/favorites/image/"),
    ]:
        response = httpx.request(method, api.url + path)

        assert response.status_code == 404, (method, path)
        assert response.json()["code"] == "not_found"


def test_a_method_an_api_path_does_not_take_is_a_405_naming_the_ones_it_does(
    client,
):
    response = client.put("/api/v1/images")

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"
