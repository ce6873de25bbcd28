"""Pixabay's rate limit, timeouts and the demo catalogue, each on its own server.

These tests change what a server remembers about upstream (its request
budget), so each one gets a fresh server rather than the shared one.
"""

from __future__ import annotations

import tempfile

import pytest

from tests.conftest import register
from tests.support.contract_client import ApiClient
from tests.support.servers import running_api


@pytest.fixture
def own_api(fake_pixabay):
    folder = tempfile.mkdtemp(prefix="trove-db-")
    with running_api(
        database_url=f"sqlite://{folder}/trove.sqlite3",
        pixabay_url=fake_pixabay.url,
        extra_env={"TROVE_PIXABAY_TIMEOUT": "0.5"},
    ) as api:
        yield api


@pytest.fixture
def own_client(own_api):
    with ApiClient(own_api.url) as anonymous:
        _, token = register(anonymous)
    with ApiClient(own_api.url, token) as client:
        yield client


def test_an_upstream_429_is_a_503_with_retry_after(own_client, fake_pixabay):
    fake_pixabay.queue_failure(
        429, "API rate limit exceeded", headers={"X-RateLimit-Reset": "42"}
    )

    response = own_client.get("/api/v1/images", params={"q": "cat"})

    assert response.status_code == 503
    assert response.json()["code"] == "upstream_unavailable"
    assert response.headers["retry-after"] == "42"


def test_trove_stops_calling_pixabay_when_the_budget_is_spent(own_client, fake_pixabay):
    fake_pixabay.set_remaining(1)
    own_client.get("/api/v1/images", params={"q": "cat"})
    calls_before = fake_pixabay.calls()

    response = own_client.get("/api/v1/images", params={"q": "dog"})

    assert response.status_code == 503
    assert int(response.headers["retry-after"]) >= 1
    assert fake_pixabay.calls() == calls_before


def test_a_slow_pixabay_is_a_504(own_client, fake_pixabay):
    fake_pixabay.delay = 1.5

    response = own_client.get("/api/v1/videos", params={"q": "cat"})

    assert response.status_code == 504
    assert response.json()["code"] == "upstream_timeout"


def test_cached_results_are_served_without_asking_pixabay_again(
    own_client, fake_pixabay
):
    first = own_client.get("/api/v1/images", params={"q": "cat"})
    calls = fake_pixabay.calls()

    again = own_client.get("/api/v1/images", params={"q": "cat"})

    assert again.json() == first.json()
    assert fake_pixabay.calls() == calls


def test_without_a_key_the_demo_catalogue_answers(fake_pixabay):
    folder = tempfile.mkdtemp(prefix="trove-db-")
    with (
        running_api(
            database_url=f"sqlite://{folder}/trove.sqlite3",
            pixabay_url=fake_pixabay.url,
            pixabay_key=None,
        ) as api,
        ApiClient(api.url) as anonymous,
    ):
        _, token = register(anonymous)
        health = anonymous.get("/api/v1/health").json()
        with ApiClient(api.url, token) as client:
            images = client.get("/api/v1/images", params={"q": "cat"}).json()
            favorite = client.put("/api/v1/users/me/favorites/video/11543")

    assert health["media_source"] == "demo"
    assert images["source"] == "demo"
    assert images["items"]
    # The samples' display URLs died long ago: demo items show previews.
    assert all(item["sizes"] == [] for item in images["items"])
    assert all(any("cat" in t.split() for t in i["tags"]) for i in images["items"])
    assert favorite.status_code == 201
    assert fake_pixabay.calls() == 0
