"""Logging out, changing the password, deleting the account, throttling."""

from __future__ import annotations

import concurrent.futures
import tempfile

import pytest

from tests.conftest import STRONG_PASSWORD, new_email, register
from tests.support.contract_client import ApiClient
from tests.support.servers import running_api

NEW_PASSWORD = "Bb22&&dddd"


def test_a_logged_out_token_is_refused_but_others_still_work(api, client):
    email, token = register(client)
    other = client.post(
        "/api/v1/tokens", json={"email": email, "password": STRONG_PASSWORD}
    ).json()["access_token"]

    logged_out = client.with_token(token).delete("/api/v1/tokens/current")

    assert logged_out.status_code == 204
    assert client.with_token(token).get("/api/v1/users/me").status_code == 401
    assert client.with_token(other).get("/api/v1/users/me").status_code == 200


def test_changing_the_password_refuses_every_older_token(client):
    email, token = register(client)
    authed = client.with_token(token)

    changed = authed.put(
        "/api/v1/users/me/password",
        json={"current_password": STRONG_PASSWORD, "new_password": NEW_PASSWORD},
    )
    old_login = client.post(
        "/api/v1/tokens", json={"email": email, "password": STRONG_PASSWORD}
    )
    new_login = client.post(
        "/api/v1/tokens", json={"email": email, "password": NEW_PASSWORD}
    )

    assert changed.status_code == 204
    assert authed.get("/api/v1/users/me").status_code == 401
    assert old_login.status_code == 401
    assert new_login.status_code == 200
    fresh = client.with_token(new_login.json()["access_token"])
    assert fresh.get("/api/v1/users/me").status_code == 200


def test_a_new_password_must_follow_the_rules_and_the_old_must_be_right(client):
    _, token = register(client)
    authed = client.with_token(token)

    weak = authed.put(
        "/api/v1/users/me/password",
        json={"current_password": STRONG_PASSWORD, "new_password": "short"},
    )
    wrong = authed.put(
        "/api/v1/users/me/password",
        json={"current_password": "Wrong1!pass", "new_password": NEW_PASSWORD},
    )

    assert weak.status_code == 422
    assert {e["code"] for e in weak.json()["errors"]} >= {"password_too_short"}
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "current_password"
    assert authed.get("/api/v1/users/me").status_code == 200


def test_deleting_the_account_removes_it_and_its_favorites(client):
    email, token = register(client)
    authed = client.with_token(token)
    authed.put("/api/v1/users/me/favorites/video/11543")

    wrong = authed.request(
        "DELETE", "/api/v1/users/me", json={"password": "Wrong1!pass"}
    )
    deleted = authed.request(
        "DELETE", "/api/v1/users/me", json={"password": STRONG_PASSWORD}
    )
    again = client.post(
        "/api/v1/users", json={"email": email, "password": STRONG_PASSWORD}
    )

    assert wrong.status_code == 422
    assert deleted.status_code == 204
    assert authed.get("/api/v1/users/me").status_code == 401
    assert again.status_code == 201
    fresh = client.with_token(register_token(client, email))
    assert fresh.get("/api/v1/users/me/favorites").json()["items"] == []


def register_token(client, email):
    return client.post(
        "/api/v1/tokens", json={"email": email, "password": STRONG_PASSWORD}
    ).json()["access_token"]


@pytest.fixture
def strict_api(fake_pixabay):
    folder = tempfile.mkdtemp(prefix="trove-db-")
    with running_api(
        database_url=f"sqlite://{folder}/trove.sqlite3",
        pixabay_url=fake_pixabay.url,
        extra_env={
            "TROVE_FAILED_LOGINS_PER_ACCOUNT": "3",
            "TROVE_FAILED_LOGINS_PER_CLIENT": "6",
            "TROVE_REGISTRATIONS_PER_CLIENT": "4",
        },
    ) as api:
        yield api


def test_failed_logins_are_throttled_per_account_with_retry_after(strict_api):
    with ApiClient(strict_api.url) as client:
        email, _ = register(client)
        answers = [
            client.post("/api/v1/tokens", json={"email": email, "password": "Nope1!xx"})
            for _ in range(4)
        ]
        right_password = client.post(
            "/api/v1/tokens", json={"email": email, "password": STRONG_PASSWORD}
        )
        unknown = [
            client.post(
                "/api/v1/tokens",
                json={"email": "nobody@example.com", "password": "Nope1!xx"},
            )
            for _ in range(4)
        ]

    assert [a.status_code for a in answers] == [401, 401, 401, 429]
    assert 1 <= int(answers[3].headers["retry-after"]) <= 300
    assert answers[3].json()["code"] == "rate_limited"
    assert right_password.status_code == 429
    # An unknown address is throttled exactly like a known one.
    assert [a.status_code for a in unknown] == [401, 401, 401, 429]


def test_registrations_are_throttled_per_client_address(strict_api):
    with ApiClient(strict_api.url) as client:
        statuses = [
            client.post(
                "/api/v1/users",
                json={"email": new_email(), "password": STRONG_PASSWORD},
            ).status_code
            for _ in range(5)
        ]

    assert statuses == [201, 201, 201, 201, 429]


def test_guessing_the_current_password_is_throttled_like_logins(strict_api):
    with ApiClient(strict_api.url) as client:
        _, token = register(client)
        authed = client.with_token(token)
        statuses = [
            authed.put(
                "/api/v1/users/me/password",
                json={"current_password": "Nope1!xx", "new_password": NEW_PASSWORD},
            ).status_code
            for _ in range(4)
        ]
        deleting = authed.request(
            "DELETE", "/api/v1/users/me", json={"password": "Nope1!xx"}
        )

    assert statuses == [422, 422, 422, 429]
    assert deleting.status_code == 429


def test_of_simultaneous_password_changes_exactly_one_wins(api, client):
    email, token = register(client)
    candidates = [f"Cc33&&{i}xyz" for i in range(5)]

    def change(new_password: str) -> int:
        with ApiClient(api.url, token) as authed:
            return authed.put(
                "/api/v1/users/me/password",
                json={
                    "current_password": STRONG_PASSWORD,
                    "new_password": new_password,
                },
            ).status_code

    with concurrent.futures.ThreadPoolExecutor(5) as pool:
        statuses = list(pool.map(change, candidates))

    assert statuses.count(204) == 1
    # A loser is refused as a token older than the new password (401), as
    # a wrong current password (422) or as a conflict (409).
    assert set(statuses) <= {204, 401, 409, 422}
    winner = candidates[statuses.index(204)]
    works = [
        client.post("/api/v1/tokens", json={"email": email, "password": p}).status_code
        for p in candidates
    ]
    assert works == [200 if p == winner else 401 for p in candidates]
