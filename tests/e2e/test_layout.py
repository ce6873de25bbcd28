"""The layout holds at desktop and phone widths; screenshots are kept.

The screenshots go to test-artifacts/screens/, for people to look at.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS, Stack, session_token

pytestmark = pytest.mark.e2e

SCREENS = ARTIFACTS / "screens"
WIDTHS = {"desktop": (1280, 860), "phone": (390, 844)}
CARDS = ".grid > .card"


def grid_columns(page: Page) -> int:
    return page.locator(".grid").evaluate(
        "grid => getComputedStyle(grid).gridTemplateColumns.split(' ').length"
    )


def check_and_keep(page: Page, name: str, size: str) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENS / f"{name}-{size}.png")
    assert overflow == 0, f"{name} is wider than a {size} screen"


# The layout does not depend on the database: SQLite alone is enough.
@pytest.mark.parametrize("stack", ["sqlite"], indirect=True)
@pytest.mark.parametrize("size", WIDTHS)
def test_pages_fit_the_screen(page: Page, stack: Stack, size: str):
    width, height = WIDTHS[size]
    page.set_viewport_size({"width": width, "height": height})
    email = stack.register()
    token = stack.token(email)
    for media_type, media_id in [("video", stack.search_ids(token, "video")[0]),
                                 *[("image", i) for i in
                                   stack.search_ids(token, "image", q="cat")[:4]]]:
        stack.add_favorite(token, media_type, media_id)

    page.goto("/login")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#login-email-error")).to_have_text("Enter your email address.")
    check_and_keep(page, "login-errors", size)

    page.goto("/register")
    page.get_by_label("Email").fill("someone@example")
    page.get_by_label("Password", exact=True).fill("password")
    page.get_by_role("button", name="Register").click()
    check_and_keep(page, "register-errors", size)

    page.get_by_role("region", name="Register").get_by_role("link").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("Tr0ve-e2e!pass")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/search")
    assert session_token(page)

    page.goto("/search?q=cat")
    page.locator(CARDS).nth(5).locator("img").first.wait_for()
    assert grid_columns(page) == (5 if size == "desktop" else 2)
    check_and_keep(page, "search-images", size)

    page.get_by_role("button", name=re.compile(r"^Filters")).click()
    check_and_keep(page, "search-filters", size)

    page.goto("/search?media_type=video")
    page.locator(CARDS).first.wait_for()
    check_and_keep(page, "search-videos", size)

    page.goto("/favorites")
    expect(page.locator(CARDS)).to_have_count(5)
    check_and_keep(page, "favorites", size)
