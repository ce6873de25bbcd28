"""Registering, logging in and using tokens, over HTTP against real servers."""

from __future__ import annotations

import time

import jwt
import pytest

from tests.conftest import STRONG_PASSWORD, new_email, register


def test_registering_returns_the_user_with_its_location(client):
    email = new_email()

    response = client.post(
        "/api/v1/users", json={"email": email, "password": "g$jkKK44Q!"}
    )

    assert response.status_code == 201
    body = response.json()
    assert body["email"] == email
    assert isinstance(body["id"], int)
    assert body["created_at"].endswith("Z")
    assert response.headers["location"] == "/api/v1/users/me"


def test_emails_are_stored_lowercase_and_unique_regardless_of_case(client):
    local = new_email().split("@")[0]
    first = client.post(
        "/api/v1/users",
        json={"email": f"{local}@Microsoft.com", "password": STRONG_PASSWORD},
    )

    again = client.post(
        "/api/v1/users",
        json={"email": f"{local.upper()}@microsoft.COM", "password": STRONG_PASSWORD},
    )

    assert first.status_code == 201
    assert first.json()["email"] == f"{local}@microsoft.com"
    assert again.status_code == 409
    assert again.json()["code"] == "email_taken"


def test_a_weak_password_gets_every_broken_rule_at_once(client):
    response = client.post(
        "/api/v1/users", json={"email": new_email(), "password": "abc"}
    )

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert [(e["location"], e["field"], e["code"]) for e in body["errors"]] == [
        ("body", "password", "password_too_short"),
        ("body", "password", "password_missing_uppercase"),
        ("body", "password", "password_missing_digit"),
        ("body", "password", "password_missing_special"),
    ]


def test_a_bad_email_and_a_bad_password_are_reported_together(client):
    response = client.post(
        "/api/v1/users", json={"email": "email@domain.web", "password": "aaaaaaaa"}
    )

    assert response.status_code == 422
    fields = {(e["field"], e["code"]) for e in response.json()["errors"]}
    assert ("email", "email_unknown_tld") in fields
    assert ("password", "password_missing_uppercase") in fields


@pytest.mark.parametrize(
    "email",
    [
        "plainaddress",
        "email@domain",
        "Joe Smith <email@domain.com>",
        "email..email@domain.com",
    ],
)
def test_invalid_emails_are_refused(client, email):
    response = client.post(
        "/api/v1/users", json={"email": email, "password": STRONG_PASSWORD}
    )

    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"email"}


@pytest.mark.parametrize(
    "email",
    [
        "firstname+lastname@domain.com",
        '"email"@domain.com',
        "email@[123.123.123.123]",
        "steve.creek@mydomain.net",
    ],
)
def test_unusual_but_valid_emails_are_accepted(client, email):
    local, _, domain = email.rpartition("@")
    unique = f"{local[:-1]}{time.monotonic_ns() % 10**6}{local[-1]}@{domain}"
    if local.startswith('"'):
        unique = f'"e{time.monotonic_ns() % 10**6}"@{domain}'

    response = client.post(
        "/api/v1/users", json={"email": unique, "password": STRONG_PASSWORD}
    )

    assert response.status_code == 201, response.text


def test_a_body_with_unknown_or_missing_fields_is_refused(client):
    response = client.post("/api/v1/users", json={"email": new_email(), "admin": True})

    assert response.status_code == 422
    assert sorted((e["field"], e["code"]) for e in response.json()["errors"]) == [
        ("admin", "unknown_field"),
        ("password", "required"),
    ]


def test_a_body_that_is_not_json_is_a_400(client):
    response = client.post(
        "/api/v1/users",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
    assert response.headers["content-type"] == "application/problem+json"


def test_a_body_of_another_content_type_is_a_415(client):
    response = client.post(
        "/api/v1/users", content=b"email=a", headers={"content-type": "text/plain"}
    )

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_a_body_over_the_limit_is_a_413(client):
    response = client.post(
        "/api/v1/users",
        content=b'{"email": "' + b"a" * 20000 + b'"}',
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_logging_in_gives_a_bearer_token_that_is_not_cached(client):
    email, _ = register(client)

    response = client.post(
        "/api/v1/tokens", json={"email": email, "password": STRONG_PASSWORD}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert response.headers["cache-control"] == "no-store"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert set(claims) == {"sub", "iat", "exp", "jti", "iss", "aud"}
    assert claims["exp"] - int(claims["iat"]) == 3600


def test_logging_in_works_with_the_email_in_another_case(client):
    email, _ = register(client)

    response = client.post(
        "/api/v1/tokens", json={"email": email.upper(), "password": STRONG_PASSWORD}
    )

    assert response.status_code == 200


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(client):
    email, _ = register(client)

    wrong = client.post(
        "/api/v1/tokens", json={"email": email, "password": "Wrong1!pass"}
    )
    unknown = client.post(
        "/api/v1/tokens", json={"email": new_email(), "password": "Wrong1!pass"}
    )

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["code"] == "invalid_credentials"
    assert wrong.headers["www-authenticate"].startswith("Bearer")


def test_a_login_with_a_malformed_email_is_just_invalid_credentials(client):
    response = client.post(
        "/api/v1/tokens", json={"email": "nul\u0000@example.com", "password": "x"}
    )

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_the_token_identifies_the_user(client, api):
    email, token = register(client)

    response = client.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 200
    assert response.json()["email"] == email


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer not-a-token", "Basic dXNlcjpwYXNz", "bearer a.b.c"],
)
def test_requests_without_a_valid_token_are_401(client, header):
    headers = {"Authorization": header} if header else {}

    response = client.get("/api/v1/users/me", headers=headers)

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_token_signed_with_another_secret_or_algorithm_is_refused(client):
    claims = {
        "sub": "1",
        "iat": 0,
        "exp": 2**31,
        "jti": "x",
        "iss": "trove",
        "aud": "trove-api",
    }
    forged = jwt.encode(claims, "another-secret-of-at-least-32-bytes!!", "HS256")
    unsigned = jwt.encode(claims, None, "none")

    for token in (forged, unsigned):
        response = client.get(
            "/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 401


def test_a_password_longer_than_72_bytes_is_not_truncated(client):
    email = new_email()
    password = "Aa1!" + "é" * 100  # 204 bytes of UTF-8, 104 characters
    created = client.post("/api/v1/users", json={"email": email, "password": password})

    right = client.post("/api/v1/tokens", json={"email": email, "password": password})
    wrong = client.post(
        "/api/v1/tokens", json={"email": email, "password": password[:-1] + "e"}
    )

    assert created.status_code == 201
    assert right.status_code == 200
    assert wrong.status_code == 401


def test_unknown_paths_and_methods_get_problems(client):
    missing = client.get("/api/v1/nothing-here")
    wrong_method = client.delete("/api/v1/users")

    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    assert wrong_method.status_code == 405
    assert wrong_method.json()["code"] == "method_not_allowed"
    assert wrong_method.headers["allow"] == "POST"
