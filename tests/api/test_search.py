"""Searching images and videos through Trove, with the fake Pixabay upstream."""

from __future__ import annotations

import uuid

import pytest


def _unique_q() -> str:
    # The server caches answers for 24 hours: a word no item has makes a
    # query that is sure to reach the fake upstream.
    return uuid.uuid4().hex[:8]


def test_search_needs_a_token(client):
    response = client.get("/api/v1/images", params={"q": "cat"})

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_image_search_returns_trove_shaped_items(user_client):
    response = user_client.get("/api/v1/images", params={"q": "cat"})

    assert response.status_code == 200
    body = response.json()
    assert body["page"] == 1
    assert body["per_page"] == 20
    assert body["source"] == "pixabay"
    assert body["total"] >= 1
    first = body["items"][0]
    assert first["media_type"] == "image"
    assert "cat" in first["tags"]
    assert first["is_favorite"] is False
    assert body["links"]["prev"] is None


def test_video_search_returns_renditions_and_skips_empty_ones(user_client):
    response = user_client.get("/api/v1/videos", params={"per_page": 200})

    assert response.status_code == 200
    items = {item["id"]: item for item in response.json()["items"]}
    video = items[5317]
    assert video["media_type"] == "video"
    assert "large" not in [r["quality"] for r in video["renditions"]]
    assert all(r["url"] for r in video["renditions"])


def test_search_pages_link_to_each_other_and_stop_at_the_end(user_client):
    first = user_client.get("/api/v1/videos", params={"per_page": 3}).json()
    total_pages = first["total_pages"]

    last = user_client.get(
        "/api/v1/videos", params={"per_page": 3, "page": total_pages}
    ).json()
    past = user_client.get(
        "/api/v1/videos", params={"per_page": 3, "page": total_pages + 5}
    )

    assert first["links"]["next"] == "/api/v1/videos?per_page=3&page=2"
    assert last["links"]["next"] is None
    assert past.status_code == 200
    assert past.json()["items"] == []
    assert past.json()["links"]["next"] is None
    assert past.json()["total"] == first["total"]


def test_total_is_capped_at_the_500_results_pixabay_serves(user_client, fake_pixabay):
    fake_pixabay.inflate("image", 700)
    try:
        response = user_client.get(
            "/api/v1/images", params={"q": "bulk", "per_page": 200, "page": 3}
        )
        beyond = user_client.get(
            "/api/v1/images", params={"q": "bulk", "per_page": 200, "page": 4}
        )
    finally:
        fake_pixabay.inflate("image", 0)

    assert response.status_code == 200
    assert response.json()["total"] == 500
    assert response.json()["total_pages"] == 3
    assert len(response.json()["items"]) == 100
    assert beyond.status_code == 200
    assert beyond.json()["items"] == []


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"per_page": 2}, "per_page", "too_small"),
        ({"per_page": 201}, "per_page", "too_large"),
        ({"page": 0}, "page", "too_small"),
        ({"page": "two"}, "page", "invalid_type"),
        ({"q": "x" * 101}, "q", "too_long"),
        ({"order": "random"}, "order", "invalid_choice"),
        ({"colors": "red,purple"}, "colors", "invalid_choice"),
        ({"safesearch": "yes"}, "safesearch", "invalid_type"),
        ({"video_type": "film"}, "video_type", "unknown_parameter"),
    ],
)
def test_bad_search_parameters_are_422_with_the_field(user_client, params, field, code):
    response = user_client.get("/api/v1/images", params=params)

    assert response.status_code == 422
    assert [
        (e["location"], e["field"], e["code"]) for e in response.json()["errors"]
    ] == [("query", field, code)]


def test_a_repeated_parameter_is_refused(user_client):
    response = user_client.get("/api/v1/images?page=1&page=2")

    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "repeated_parameter"


def test_filters_reach_pixabay_in_canonical_form(user_client, fake_pixabay):
    word = _unique_q()

    user_client.get(
        "/api/v1/images",
        params={"q": f"  Cat {word} ", "colors": "red,blue", "safesearch": "true"},
    )

    params = fake_pixabay.requests[-1].params
    assert params["q"] == f"cat {word}"
    assert params["colors"] == "blue,red"
    assert params["safesearch"] == "true"
    assert params["key"] == "test-key"


def test_equal_searches_written_differently_share_one_upstream_call(
    user_client, fake_pixabay
):
    word = _unique_q()

    user_client.get("/api/v1/images", params={"q": f"cat {word}", "colors": "red,blue"})
    user_client.get(
        "/api/v1/images",
        params={
            "q": f"CAT  {word}",
            "colors": "blue,red",
            "order": "popular",
            "page": 1,
        },
    )

    assert fake_pixabay.calls("image") == 1


def test_one_image_and_one_video_by_id(user_client):
    image = user_client.get("/api/v1/images/2083492")
    video = user_client.get("/api/v1/videos/11543")

    assert image.status_code == 200
    assert image.json()["id"] == 2083492
    assert video.status_code == 200
    assert video.json()["duration"] == 64


def test_an_unknown_id_is_404_and_a_bad_id_is_422(user_client):
    missing = user_client.get("/api/v1/images/999999999")
    bad = user_client.get("/api/v1/images/abc")

    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["location"] == "path"


def test_an_upstream_plain_text_error_is_a_502(user_client, fake_pixabay):
    fake_pixabay.queue_failure(500, "Internal Server Error")

    response = user_client.get("/api/v1/videos", params={"q": _unique_q()})

    assert response.status_code == 502
    assert response.json()["code"] == "upstream_error"


def test_upstream_json_of_the_wrong_shape_is_a_502(user_client, fake_pixabay):
    fake_pixabay.queue_failure(200, '{"hits": "nope"}', content_type="application/json")

    response = user_client.get("/api/v1/images", params={"q": _unique_q()})

    assert response.status_code == 502


def test_the_key_never_reaches_a_response(user_client, fake_pixabay):
    fake_pixabay.queue_failure(400, "[ERROR 400] Invalid or missing API key")

    response = user_client.get("/api/v1/images", params={"q": _unique_q()})

    assert response.status_code == 502
    assert "test-key" not in response.text


def test_the_key_never_reaches_the_server_log(api, user_client, fake_pixabay):
    fake_pixabay.queue_failure(400, "[ERROR 400] Invalid or missing API key")
    user_client.get("/api/v1/images", params={"q": _unique_q()})
    fake_pixabay.queue_failure(500, "boom key=test-key")
    user_client.get("/api/v1/videos", params={"q": _unique_q()})

    assert "test-key" not in api.log()
