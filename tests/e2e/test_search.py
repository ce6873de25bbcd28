"""Searching images and videos in a real browser, through nginx and the API."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import (
    PageWatch,
    Stack,
    log_in,
    open_page,
    running_stack,
    session_token,
)
from tests.fakes.pixabay import FakePixabay

pytestmark = pytest.mark.e2e

CARDS = ".grid > .card"
PIXABAY_LIMIT = 500


def card_ids(page: Page) -> list[int]:
    return [int(value) for value in page.locator(CARDS).evaluate_all(
        "cards => cards.map(card => card.dataset.mediaId)"
    )]


def search_for(page: Page, words: str) -> None:
    box = page.get_by_role("searchbox", name="Keywords")
    box.fill(words)
    box.press("Enter")


def scroll_to_the_end(page: Page, rounds: int = 60) -> None:
    """Scroll down until the list says it has ended, as a person would."""
    end = page.locator('[data-role="end"]')
    for _ in range(rounds):
        if end.is_visible():
            return
        shown = page.locator(CARDS).count()
        page.mouse.wheel(0, 20_000)
        page.wait_for_function(
            """([selector, shown]) =>
                document.querySelectorAll(selector).length > shown
                || !document.querySelector('[data-role="end"]').hidden""",
            arg=[CARDS, shown],
        )
    raise AssertionError("the list never ended")


def upstream_request(stack: Stack, **params: str) -> dict[str, str]:
    """Wait for the fake Pixabay to receive a search with these parameters."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for request in reversed(stack.fake.requests):
            if params.items() <= request.params.items():
                return request.params
        time.sleep(0.05)
    raise AssertionError(f"Pixabay was never asked for {params}")


def unique_words(prefix: str) -> str:
    # The API caches answers for a day: new words make sure Pixabay is asked.
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def test_searching_images_shows_previews_with_authors_and_pixabay_links(
    page: Page, stack: Stack, user: str
):
    expected = stack.search_ids(session_token(page), "image", q="cat", per_page=24)

    search_for(page, "cat")

    page.wait_for_url(re.compile(r"/search\?q=cat$"))
    expect(page.locator(CARDS)).to_have_count(len(expected))
    assert card_ids(page) == expected
    expect(page.get_by_text(f"{len(expected)} images for “cat”")).to_be_visible()
    first = page.locator(CARDS).first
    expect(first.locator('[data-role="picture"]')).to_have_attribute(
        "alt", re.compile(r"^Image: .*\bcat\b")
    )
    expect(first.get_by_role("link", name="View on Pixabay")).to_have_attribute(
        "href", re.compile(r"^https://pixabay\.com/.+")
    )
    expect(first.get_by_text(re.compile(r"^by \S+"))).to_be_visible()
    credit = page.locator(".results-head").get_by_role("link", name="Pixabay")
    expect(credit).to_have_attribute("href", "https://pixabay.com/")


def test_videos_show_posters_and_play_a_small_rendition_muted_on_hover_or_focus(
    page: Page, user: str
):
    page.get_by_role("radio", name="Videos").check()

    page.wait_for_url(re.compile(r"/search\?media_type=video$"))
    first, second = page.locator(CARDS).nth(0), page.locator(CARDS).nth(1)
    expect(first.locator('[data-role="picture"]')).to_have_attribute(
        "src", re.compile(r"^https://cdn\.pixabay\.com/")
    )
    expect(first.locator('[data-role="badge"]')).to_have_text(re.compile(r"^\d+:\d\d$"))

    first.locator(".card-media").hover()

    video = first.locator("video")
    expect(video).to_have_count(1)
    assert video.evaluate("v => v.muted && v.loop && v.src") .endswith(".mp4")

    second.get_by_role("link", name="View on Pixabay").focus()

    expect(second.locator("video")).to_have_count(1)
    page.mouse.move(5, 5)
    expect(first.locator("video")).to_have_count(0)


def test_filters_narrow_the_search_and_are_kept_in_the_url(
    page: Page, stack: Stack, user: str
):
    token = session_token(page)
    page.goto("/search?q=cat")
    page.get_by_role("button", name=re.compile(r"^Filters")).click()

    page.get_by_label("Orientation").select_option("vertical")

    page.wait_for_url(re.compile(r"/search\?q=cat&orientation=vertical$"))
    vertical = stack.search_ids(token, "image", q="cat", orientation="vertical",
                                per_page=24)
    expect(page.locator(CARDS)).to_have_count(len(vertical))
    assert card_ids(page) == vertical

    page.get_by_label("Red").check()
    page.get_by_label("Category").select_option("animals")
    page.get_by_label("Safe search").check()

    page.wait_for_url(re.compile(
        r"/search\?q=cat&orientation=vertical&category=animals&colors=red"
        r"&safesearch=true$"
    ))
    upstream_request(
        stack, q="cat", orientation="vertical", colors="red", category="animals",
        safesearch="true",
    )
    expect(page.locator('[data-role="filter-count"]')).to_have_text("(4)")

    page.get_by_role("radio", name="Videos").check()
    page.get_by_label("Video type").select_option("animation")

    page.wait_for_url(re.compile(
        r"/search\?media_type=video&q=cat&video_type=animation&category=animals"
        r"&safesearch=true$"
    ))
    expect(page.get_by_label("Orientation")).to_be_hidden()
    expect(page.get_by_label("Image type")).to_be_hidden()
    sent = upstream_request(stack, video_type="animation", category="animals")
    assert "orientation" not in sent and "colors" not in sent


def test_scrolling_loads_every_reachable_result_once_and_then_stops(
    page: Page, stack: Stack, watch: PageWatch, user: str
):
    stack.fake.inflate("image", 600)
    page.goto("/search?q=bulk")

    scroll_to_the_end(page)

    ids = card_ids(page)
    assert len(ids) == PIXABAY_LIMIT
    assert len(set(ids)) == PIXABAY_LIMIT
    expect(page.locator('[data-role="end"]')).to_contain_text(
        "Pixabay serves at most 500 images per search"
    )
    expect(page.locator('[data-role="notice"]')).to_be_hidden()
    expect(page.get_by_role("button", name="Load more")).to_be_hidden()
    searches = watch.api_calls("GET", "/api/v1/images?q=bulk&")
    assert [re.search(r"page=(\d+)", r.url).group(1) for r in searches] == [
        str(page_number) for page_number in range(1, 22)
    ]
    expect(page).to_have_url(re.compile(r"/search\?q=bulk&page=21$"))


def test_load_more_button_works_where_the_list_cannot_watch_scrolling(
    page: Page, stack: Stack, user: str
):
    stack.fake.inflate("image", 60)
    page.add_init_script("delete window.IntersectionObserver;")
    # A category of its own: the fake ignores it, the API's cache does not.
    page.goto("/search?q=bulk&category=backgrounds")
    expect(page.locator(CARDS)).to_have_count(24)
    more = page.get_by_role("button", name="Load more")

    more.focus()
    page.keyboard.press("Enter")

    expect(page.locator(CARDS)).to_have_count(48)
    more.click()
    expect(page.locator(CARDS)).to_have_count(60)
    expect(more).to_be_hidden()
    expect(page.locator('[data-role="end"]')).to_have_text(
        "That is the end: all 60 images are shown."
    )


def test_reload_back_and_forward_restore_the_search(page: Page, stack: Stack,
                                                   user: str):
    search_for(page, "cat")
    page.wait_for_url(re.compile(r"/search\?q=cat$"))
    page.get_by_role("radio", name="Videos").check()
    page.wait_for_url(re.compile(r"/search\?media_type=video&q=cat$"))

    page.go_back()

    expect(page).to_have_url(re.compile(r"/search\?q=cat$"))
    expect(page.get_by_role("radio", name="Images")).to_be_checked()
    expect(page.get_by_role("searchbox", name="Keywords")).to_have_value("cat")
    expect(page.locator(f'{CARDS}[data-media-type="image"]').first).to_be_visible()

    page.go_forward()

    expect(page.get_by_role("radio", name="Videos")).to_be_checked()
    expect(page.locator(f'{CARDS}[data-media-type="video"]').first).to_be_visible()

    stack.fake.inflate("image", 60)
    page.goto("/search?q=bulk&category=fashion")
    expect(page.locator(CARDS)).to_have_count(24)
    page.mouse.wheel(0, 20_000)
    expect(page).to_have_url(re.compile(r"/search\?q=bulk&category=fashion&page=2$"))

    page.reload()

    expect(page.locator(CARDS)).to_have_count(48)
    expect(page.locator("#account-email")).to_have_text(user)

    page.evaluate("window.scrollTo(0, 1000)")
    # A click as a person makes it, in the sticky header: Playwright's own
    # click would first scroll the link into view.
    page.get_by_role("link", name="Favorites").dispatch_event("click")
    page.wait_for_url("**/favorites")
    page.go_back()

    expect(page.locator(CARDS)).to_have_count(48)
    page.wait_for_function("() => window.scrollY === 1000")


def test_an_unavailable_pixabay_is_shown_with_the_time_to_wait(
    page: Page, stack: Stack, user: str
):
    words = unique_words("outage")
    stack.fake.queue_failure(503, "Service Unavailable", headers={"Retry-After": "1"})

    search_for(page, words)

    notice = page.locator('[data-role="notice"]')
    expect(notice).to_contain_text(
        "Pixabay is not available right now. Try again in 1 second."
    )
    retry = notice.get_by_role("button", name="Try again")
    expect(retry).to_be_disabled()
    expect(retry).to_be_enabled(timeout=3000)

    retry.click()

    expect(notice).to_be_hidden()
    expect(page.get_by_text(f"No images match “{words}”.")).to_be_visible()


def test_an_error_from_pixabay_is_shown(page: Page, stack: Stack, user: str):
    stack.fake.queue_failure(500, "Internal Server Error")

    search_for(page, unique_words("broken"))

    expect(page.locator('[data-role="notice"]')).to_contain_text(
        "Pixabay answered with an error"
    )
    expect(page.locator(CARDS)).to_have_count(0)


def test_going_offline_is_shown_and_the_search_resumes_when_back_online(
    page: Page, user: str
):
    page.context.set_offline(True)

    expect(page.locator("#offline-note")).to_be_visible()
    search_for(page, "cat")
    expect(page.locator('[data-role="notice"]')).to_contain_text("You are offline.")

    page.context.set_offline(False)

    expect(page.locator("#offline-note")).to_be_hidden()
    expect(page.locator('[data-role="notice"]')).to_be_hidden()
    expect(page.locator(CARDS).first).to_be_visible()


def test_a_search_without_results_says_so(page: Page, user: str):
    search_for(page, "zebra")

    expect(page.get_by_text("No images match “zebra”.")).to_be_visible()
    expect(page.locator(CARDS)).to_have_count(0)
    expect(page.get_by_role("button", name="Load more")).to_be_hidden()


HOSTILE_TAG = "<img src=x onerror=alert(1)>"
HOSTILE_NAME = "<script>alert(2)</script>"


def hostile_hit(media_id: int) -> dict:
    return {
        "id": media_id,
        "pageURL": f"https://pixabay.com/photos/hostile-{media_id}/",
        "type": "photo",
        "tags": f"{HOSTILE_TAG}, <b>bold</b>",
        "previewURL": f"https://cdn.pixabay.com/photo/hostile-{media_id}_150.jpg",
        "previewWidth": 150,
        "previewHeight": 100,
        "webformatURL": f"https://pixabay.com/get/hostile-{media_id}_640.jpg",
        "webformatWidth": 640,
        "webformatHeight": 427,
        "imageWidth": 3000,
        "imageHeight": 2000,
        "user_id": 1,
        "user": HOSTILE_NAME,
        "userImageURL": "",
    }


def test_tags_and_author_names_show_as_text_never_as_html(
    page: Page, stack: Stack, watch: PageWatch, user: str
):
    envelope = {"total": 1, "totalHits": 1, "hits": [hostile_hit(987654321)]}
    stack.fake.queue_failure(200, json.dumps(envelope), "application/json")

    search_for(page, unique_words("hostile"))

    card = page.locator(CARDS).first
    tags = f"{HOSTILE_TAG}, <b>bold</b>"
    expect(card.locator('[data-role="tags"]')).to_have_text(tags)
    expect(card.locator('[data-role="author"]')).to_have_text(f"by {HOSTILE_NAME}")
    expect(card.locator('[data-role="picture"]')).to_have_attribute(
        "alt", f"Image: {tags}"
    )
    assert page.locator('img[src="x"], script:not([src]), b').count() == 0
    page.wait_for_timeout(200)
    assert watch.dialogs == []


@pytest.fixture(scope="module")
def demo_stack(fake_pixabay: FakePixabay, tmp_path_factory) -> Iterator[Stack]:
    """Trove without a Pixabay key: searches come from the demo catalogue."""
    folder: Path = tmp_path_factory.mktemp("demo")
    with running_stack(
        f"sqlite://{folder}/trove.sqlite3", fake_pixabay, pixabay_key=None
    ) as stack:
        yield stack


@pytest.fixture
def demo_page(request, browser: Browser, demo_stack: Stack, watch: PageWatch):
    yield from open_page(request, browser, demo_stack.url, watch)


def test_the_demo_catalogue_is_announced(demo_page: Page, demo_stack: Stack):
    email = demo_stack.register()
    demo_page.goto("/login")
    log_in(demo_page, email)

    demo_page.wait_for_url("**/search")

    expect(demo_page.locator('[data-role="demo"]')).to_be_visible()
    expect(demo_page.locator('[data-role="demo"]')).to_contain_text("Demo catalogue")
    expect(demo_page.locator(CARDS).first).to_be_visible()
    assert demo_stack.fake.calls() == 0
