"""Inputs with which Schemathesis caught Trove breaking its contract, kept."""

from __future__ import annotations


def test_a_method_a_favorite_does_not_accept_is_405_with_the_allowed_ones(
    user_client,
):
    response = user_client.request("TRACE", "/api/v1/users/me/favorites/image/551554")

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, PUT, DELETE"
    assert response.json()["code"] == "method_not_allowed"


def test_a_method_a_plain_path_does_not_accept_is_405_with_the_allowed_ones(
    client,
):
    response = client.request("TRACE", "/api/v1/users")

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_the_health_check_refuses_an_unknown_parameter_with_a_declared_422(client):
    response = client.get("/api/v1/health", params={"verbose": "1"})

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(e["location"], e["field"], e["code"]) for e in errors] == [
        ("query", "verbose", "unknown_parameter")
    ]


def test_the_current_user_refuses_an_unknown_parameter_with_a_declared_422(
    user_client,
):
    response = user_client.get("/api/v1/users/me", params={"fields": "email"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "unknown_parameter"
