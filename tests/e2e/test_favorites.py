"""Favorites in a real browser: the heart on results and the favorites page."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PageWatch, Stack, session_token

pytestmark = pytest.mark.e2e

CARDS = ".grid > .card"


def card_ids(page: Page) -> list[int]:
    return [int(value) for value in page.locator(CARDS).evaluate_all(
        "cards => cards.map(card => card.dataset.mediaId)"
    )]


def heart(page: Page, media_id: int):
    card = page.locator(f'{CARDS}[data-media-id="{media_id}"]')
    return card.get_by_role("button", name="Favorite")


def favorite_ids(stack: Stack, token: str, media_type: str | None = None) -> list[int]:
    params = {"limit": 100, **({"media_type": media_type} if media_type else {})}
    answer = stack.http.get(
        "/api/v1/users/me/favorites",
        params=params,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    return [favorite["media_id"] for favorite in answer.json()["items"]]


def test_the_heart_shows_the_favorite_at_once_and_the_api_keeps_it(
    page: Page, stack: Stack, watch: PageWatch, user: str
):
    page.goto("/search?q=cat")
    page.locator(CARDS).first.wait_for()
    media_id = card_ids(page)[0]
    toggle = heart(page, media_id)
    expect(toggle).to_have_attribute("aria-pressed", "false")

    with page.expect_response(lambda r: r.request.method == "PUT") as added:
        toggle.click()
        expect(toggle).to_have_attribute("aria-pressed", "true")

    assert added.value.status == 201
    assert favorite_ids(stack, session_token(page)) == [media_id]

    page.reload()
    expect(heart(page, media_id)).to_have_attribute("aria-pressed", "true")

    with page.expect_response(lambda r: r.request.method == "DELETE") as removed:
        heart(page, media_id).click()

    assert removed.value.status == 204
    expect(heart(page, media_id)).to_have_attribute("aria-pressed", "false")
    assert favorite_ids(stack, session_token(page)) == []


def test_a_double_click_sends_one_request(page: Page, stack: Stack, watch: PageWatch,
                                         user: str):
    page.get_by_role("radio", name="Videos").check()
    page.locator(CARDS).first.wait_for()
    media_id = card_ids(page)[0]
    # Each request takes 300 ms, so the second click comes while the first
    # is still on its way, as on a slow connection.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 300, "downloadThroughput": -1,
        "uploadThroughput": -1,
    })

    with page.expect_response(lambda r: r.request.method == "PUT"):
        heart(page, media_id).dblclick()
    page.wait_for_timeout(700)

    assert len(watch.api_calls("PUT", "/favorites/")) == 1
    assert watch.api_calls("DELETE", "/favorites/") == []
    expect(heart(page, media_id)).to_have_attribute("aria-pressed", "true")
    assert favorite_ids(stack, session_token(page)) == [media_id]


def test_a_refused_favorite_is_rolled_back_with_a_message(
    page: Page, stack: Stack, user: str
):
    page.goto("/search?q=cat")
    page.locator(CARDS).first.wait_for()
    media_id = card_ids(page)[0]
    # The API refuses a favorite only when it cannot look the item up, and
    # the items of a search are cached; so the refusal is made here, at the
    # browser's network layer, in the API's own problem shape.
    refusal = {
        "type": "urn:trove:problem:service_unavailable",
        "title": "Service unavailable",
        "status": 503,
        "detail": "Trove is busy.",
        "code": "service_unavailable",
    }
    page.route("**/api/v1/users/me/favorites/**", lambda route: route.fulfill(
        status=503, content_type="application/problem+json", body=json.dumps(refusal)
    ))

    heart(page, media_id).click()

    expect(page.locator(".message-error")).to_have_text(
        "Could not add the favorite: Trove is not available right now."
    )
    expect(heart(page, media_id)).to_have_attribute("aria-pressed", "false")
    assert favorite_ids(stack, session_token(page)) == []


def test_the_favorites_page_lists_newest_first_and_by_media_type(
    page: Page, stack: Stack, user: str
):
    token = session_token(page)
    first_image, second_image = stack.search_ids(token, "image", q="cat")[:2]
    video = stack.search_ids(token, "video")[0]
    for media_type, media_id in [("image", first_image), ("video", video),
                                 ("image", second_image)]:
        stack.add_favorite(token, media_type, media_id)

    page.get_by_role("link", name="Favorites").click()

    expect(page).to_have_url(re.compile(r"/favorites$"))
    expect(page.locator(CARDS)).to_have_count(3)
    assert card_ids(page) == [second_image, video, first_image]
    expect(page.get_by_text("3 favorites, newest first")).to_be_visible()
    for toggle in page.locator(CARDS).get_by_role("button", name="Favorite").all():
        expect(toggle).to_have_attribute("aria-pressed", "true")

    page.get_by_role("link", name="Images").click()

    expect(page).to_have_url(re.compile(r"/favorites\?media_type=image$"))
    expect(page.locator(CARDS)).to_have_count(2)
    assert card_ids(page) == [second_image, first_image]

    page.get_by_role("link", name="Videos").click()

    expect(page.locator(CARDS)).to_have_count(1)
    assert card_ids(page) == [video]

    page.go_back()

    expect(page).to_have_url(re.compile(r"/favorites\?media_type=image$"))
    expect(page.locator(CARDS)).to_have_count(2)


def test_the_favorites_page_loads_more_as_the_person_scrolls(
    page: Page, stack: Stack, user: str
):
    token = session_token(page)
    videos = stack.search_ids(token, "video", per_page=30)
    for media_id in videos:
        stack.add_favorite(token, "video", media_id)

    page.goto("/favorites?media_type=video")
    expect(page.locator(CARDS)).to_have_count(24)
    page.mouse.wheel(0, 20_000)

    expect(page.locator(CARDS)).to_have_count(30)
    assert card_ids(page) == list(reversed(videos))
    expect(page.locator('[data-role="end"]')).to_have_text(
        "That is the end of your favorites."
    )


def test_a_favorite_removed_on_the_favorites_page_leaves_in_place(
    page: Page, stack: Stack, user: str
):
    token = session_token(page)
    images = stack.search_ids(token, "image", q="cat")[:3]
    for media_id in images:
        stack.add_favorite(token, "image", media_id)
    page.goto("/favorites")
    expect(page.locator(CARDS)).to_have_count(3)
    newest_first = list(reversed(images))

    heart(page, newest_first[1]).click()

    expect(page.locator(CARDS)).to_have_count(2)
    assert card_ids(page) == [newest_first[0], newest_first[2]]
    expect(heart(page, newest_first[2])).to_be_focused()
    expect(page.get_by_text("2 favorites, newest first")).to_be_visible()

    page.reload()

    expect(page.locator(CARDS)).to_have_count(2)
    assert favorite_ids(stack, token) == [newest_first[0], newest_first[2]]


def test_search_and_favorite_with_the_keyboard_alone(page: Page, user: str):
    expect(page.get_by_role("searchbox", name="Keywords")).to_be_focused()

    page.keyboard.type("cat")
    page.keyboard.press("Enter")
    page.locator(CARDS).first.wait_for()
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.favorite-toggle')"):
            break
    focused = page.locator(".favorite-toggle:focus")
    outline = focused.evaluate("element => getComputedStyle(element).outlineStyle")
    page.keyboard.press("Space")

    expect(focused).to_have_attribute("aria-pressed", "true")
    assert outline != "none"
