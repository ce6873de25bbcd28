"""Marking, unmarking and listing favorites."""

from __future__ import annotations

import concurrent.futures

from tests.support.contract_client import ApiClient

FAVORITES = "/api/v1/users/me/favorites"


def test_favoriting_an_image_stores_a_snapshot(user_client):
    response = user_client.put(f"{FAVORITES}/image/2083492")

    assert response.status_code == 201
    body = response.json()
    assert body["media_type"] == "image"
    assert body["media_id"] == 2083492
    assert body["media"]["id"] == 2083492
    assert body["media"]["is_favorite"] is True
    assert response.headers["location"] == f"{FAVORITES}/image/2083492"


def test_favoriting_twice_answers_200_with_the_same_favorite(user_client):
    first = user_client.put(f"{FAVORITES}/video/11543")

    second = user_client.put(f"{FAVORITES}/video/11543")

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["created_at"] == first.json()["created_at"]


def test_favoriting_an_unknown_item_is_404_and_stores_nothing(user_client):
    response = user_client.put(f"{FAVORITES}/image/999999999")

    assert response.status_code == 404
    assert user_client.get(FAVORITES).json()["items"] == []


def test_bad_media_type_or_id_is_422(user_client):
    assert user_client.put(f"{FAVORITES}/audio/1").status_code == 422
    assert user_client.put(f"{FAVORITES}/image/0").status_code == 422
    assert user_client.put(f"{FAVORITES}/image/-4").status_code == 422


def test_one_favorite_can_be_read_and_removed(user_client):
    user_client.put(f"{FAVORITES}/image/2083492")

    found = user_client.get(f"{FAVORITES}/image/2083492")
    removed = user_client.delete(f"{FAVORITES}/image/2083492")
    gone = user_client.get(f"{FAVORITES}/image/2083492")
    removed_again = user_client.delete(f"{FAVORITES}/image/2083492")

    assert found.status_code == 200
    assert removed.status_code == 204
    assert gone.status_code == 404
    assert removed_again.status_code == 204


def test_search_results_show_which_items_are_favorites(user_client):
    user_client.put(f"{FAVORITES}/image/2083492")

    items = user_client.get("/api/v1/images", params={"q": "cat"}).json()["items"]

    marked = {item["id"]: item["is_favorite"] for item in items}
    assert marked[2083492] is True
    assert sum(marked.values()) == 1


def test_favorites_are_listed_newest_first_with_a_stable_cursor(user_client):
    videos = [
        item["id"]
        for item in user_client.get("/api/v1/videos", params={"per_page": 10}).json()[
            "items"
        ]
    ][:5]
    for video_id in videos:
        assert user_client.put(f"{FAVORITES}/video/{video_id}").status_code == 201

    first = user_client.get(FAVORITES, params={"limit": 2}).json()
    user_client.put(f"{FAVORITES}/image/2083492")  # added meanwhile
    second = user_client.get(
        FAVORITES, params={"limit": 2, "cursor": first["next_cursor"]}
    ).json()
    third = user_client.get(
        FAVORITES, params={"limit": 2, "cursor": second["next_cursor"]}
    ).json()

    listed = [f["media_id"] for page in (first, second, third) for f in page["items"]]
    assert listed == list(reversed(videos))
    assert third["next_cursor"] is None


def test_favorites_can_be_listed_by_media_type(user_client):
    user_client.put(f"{FAVORITES}/image/2083492")
    user_client.put(f"{FAVORITES}/video/11543")

    images = user_client.get(FAVORITES, params={"media_type": "image"}).json()

    assert [f["media_type"] for f in images["items"]] == ["image"]


def test_a_forged_cursor_is_422(user_client):
    response = user_client.get(FAVORITES, params={"cursor": "bm9wZQ"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "cursor"


def test_listing_favorites_never_asks_pixabay(user_client, fake_pixabay):
    user_client.put(f"{FAVORITES}/image/2083492")
    fake_pixabay.reset()

    response = user_client.get(FAVORITES)

    assert response.status_code == 200
    assert fake_pixabay.calls() == 0


def test_each_users_favorites_are_their_own(api, client, user_client):
    from tests.conftest import register

    user_client.put(f"{FAVORITES}/image/2083492")
    _, other_token = register(client)

    with ApiClient(api.url, other_token) as other:
        assert other.get(FAVORITES).json()["items"] == []
        assert other.get(f"{FAVORITES}/image/2083492").status_code == 404


def test_simultaneous_favorite_requests_make_one_favorite(api, user_client):
    token = user_client.headers["Authorization"].split()[1]

    def favorite(_):
        with ApiClient(api.url, token) as c:
            return c.put(f"{FAVORITES}/video/11543").status_code

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = sorted(pool.map(favorite, range(8)))

    assert statuses.count(201) == 1
    assert statuses.count(200) == 7
    assert len(user_client.get(FAVORITES).json()["items"]) == 1
