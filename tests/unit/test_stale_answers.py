"""When Pixabay fails, an answer up to a day past its freshness is served."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from trove.errors import UpstreamError, UpstreamTimeout
from trove.search.service import SearchService

HIT = {
    "id": 7,
    "pageURL": "https://pixabay.com/photos/cat-7/",
    "type": "photo",
    "tags": "cat",
    "previewURL": "https://cdn.pixabay.com/photo/cat-7_150.jpg",
    "previewWidth": 150,
    "previewHeight": 100,
    "webformatURL": "https://pixabay.com/get/cat-7_640.jpg",
    "webformatWidth": 640,
    "webformatHeight": 427,
    "imageWidth": 3000,
    "imageHeight": 2000,
    "user_id": 1,
    "user": "ann",
    "userImageURL": "",
}
QUERY = {"q": "cat", "page": 1, "per_page": 20}


class FlakySource:
    def __init__(self) -> None:
        self.failure: Exception | None = None
        self.calls = 0

    async def fetch(self, media_type: str, params: dict[str, str]) -> dict:
        self.calls += 1
        if self.failure is not None:
            raise self.failure
        return {"total": 1, "totalHits": 1, "hits": [HIT]}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def setup():
    source, clock = FlakySource(), Clock()
    return source, clock, SearchService(source, source_name="pixabay", clock=clock)


@pytest.mark.parametrize("failure", [UpstreamError(), UpstreamTimeout()])
def test_a_failure_after_a_day_serves_the_stale_answer(setup, failure):
    source, clock, service = setup
    asyncio.run(service.search("image", QUERY))
    clock.now += timedelta(hours=30)
    source.failure = failure

    result = asyncio.run(service.search("image", QUERY))

    assert [item["id"] for item in result.items] == [7]
    assert result.items[0]["sizes"] == []  # its display URL has expired
    assert source.calls == 2


def test_after_two_days_a_failure_is_an_error_again(setup):
    source, clock, service = setup
    asyncio.run(service.search("image", QUERY))
    clock.now += timedelta(hours=49)
    source.failure = UpstreamError()

    with pytest.raises(UpstreamError):
        asyncio.run(service.search("image", QUERY))


def test_a_fresh_answer_is_served_without_asking_again(setup):
    source, clock, service = setup
    asyncio.run(service.search("image", QUERY))
    clock.now += timedelta(hours=23)

    result = asyncio.run(service.search("image", QUERY))

    assert source.calls == 1
    assert [size["name"] for size in result.items[0]["sizes"]] == ["web"]
