"""The search service: pages, totals, caching and sharing of upstream calls.

Most tests run the real Pixabay client against the fake Pixabay server, so
`pixabay.calls()` counts exactly what would have reached Pixabay.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import orjson
import pytest

from tests.fakes.pixabay import FakePixabay
from trove.errors import NotFound, UpstreamError, UpstreamUnavailable
from trove.search.cache import TtlCache
from trove.search.demo import DemoCatalogue
from trove.search.normalise import normalise_hit
from trove.search.pixabay import PixabayClient
from trove.search.service import SearchResult, SearchService
from trove.search.upstream import PageOutOfRange

KEY = "service-test-key"
# Real Pixabay responses, bundled with Trove for its demo catalogue.
SAMPLES = Path(__file__).resolve().parents[2] / "backend" / "trove" / "data" / "demo"
CAT_IMAGES = 17  # hits with "cat" among their tag words in the fake's data
ALL_IMAGES = 23
T0 = datetime(2026, 12, 4, 10, 0, tzinfo=timezone.utc)


class FakeClock:
    """A clock that moves only when told to: monotonic or wall time."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


class ScriptedSource:
    """A source that answers from a dict of envelopes, for odd answers."""

    def __init__(self, answers: dict[str, object]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, dict]] = []

    async def fetch(self, media_type: str, params: dict[str, str]) -> dict:
        self.calls.append((media_type, params))
        answer = self.answers[params.get("id") or params.get("page", "1")]
        if isinstance(answer, Exception):
            raise answer
        return copy.deepcopy(answer)


@pytest.fixture
def pixabay():
    with FakePixabay(key=KEY) as fake:
        yield fake


def run(pixabay_or_source, scenario, **service_options):
    """Run `scenario(service)` on a fresh event loop and return its result.

    A FakePixabay is wrapped in a real PixabayClient; any other object is
    used as the source itself.
    """

    async def main():
        if isinstance(pixabay_or_source, FakePixabay):
            source = PixabayClient(pixabay_or_source.url, KEY, 2.0)
            name = "pixabay"
        else:
            source, name = pixabay_or_source, "demo"
        service = SearchService(source, source_name=name, **service_options)
        try:
            return await scenario(service)
        finally:
            if isinstance(source, PixabayClient):
                await source.aclose()

    return asyncio.run(main())


def image_hits() -> list[dict]:
    return json.loads((SAMPLES / "images_search.json").read_text())["hits"]


# Pages


def test_a_search_returns_normalised_items_and_the_reachable_total(pixabay):
    clock = FakeClock(T0)

    result = run(
        pixabay,
        lambda s: s.search("image", {"q": "cat", "per_page": 5}),
        clock=clock,
    )

    raw = asked_directly(pixabay, {"q": "cat", "per_page": "5"})
    assert result == SearchResult(
        items=[normalise_hit("image", hit, T0) for hit in raw["hits"]],
        page=1,
        per_page=5,
        total=CAT_IMAGES,
        total_pages=4,
    )
    assert pixabay.requests[0].params == {"key": KEY, "per_page": "5", "q": "cat"}


def asked_directly(pixabay, params):
    """The fake's answer to `params`, asked without Trove in between."""
    with httpx.Client(trust_env=False) as client:
        return client.get(pixabay.url, params={"key": KEY, **params}).json()


def test_the_total_is_capped_at_500(pixabay):
    pixabay.inflate("image", 600)

    result = run(pixabay, lambda s: s.search("image", {"q": "bulk", "per_page": 20}))

    assert (result.total, result.total_pages, len(result.items)) == (500, 25, 20)


def test_a_page_past_500_is_empty_and_asks_only_for_the_first_page(pixabay):
    pixabay.inflate("image", 600)

    result = run(
        pixabay, lambda s: s.search("image", {"q": "bulk", "page": 26, "per_page": 20})
    )

    assert result == SearchResult(
        items=[], page=26, per_page=20, total=500, total_pages=25
    )
    assert [r.params for r in pixabay.requests] == [{"key": KEY, "q": "bulk"}]


def test_the_last_reachable_page_of_200_is_still_asked_for(pixabay):
    pixabay.inflate("image", 600)

    async def scenario(service):
        third = await service.search("image", {"q": "bulk", "page": 3, "per_page": 200})
        fourth = await service.search(
            "image", {"q": "bulk", "page": 4, "per_page": 200}
        )
        return third, fourth

    third, fourth = run(pixabay, scenario)

    assert (len(third.items), third.total, third.total_pages) == (100, 500, 3)
    assert (fourth.items, fourth.total, fourth.total_pages) == ([], 500, 3)
    assert [r.params.get("page") for r in pixabay.requests] == ["3", None]


def test_a_page_pixabay_refuses_is_empty_with_the_right_total(pixabay):
    async def scenario(service):
        first = await service.search("image", {"q": "cat", "page": 2, "per_page": 20})
        again = await service.search("image", {"q": "cat", "page": 2, "per_page": 20})
        return first, again

    first, again = run(pixabay, scenario)

    expected = SearchResult(items=[], page=2, per_page=20, total=17, total_pages=1)
    assert first == again == expected
    assert [r.params.get("page") for r in pixabay.requests] == ["2", None]


def test_an_empty_result_has_no_pages(pixabay):
    result = run(pixabay, lambda s: s.search("image", {"q": "unicornzebra"}))

    assert result == SearchResult(items=[], page=1, per_page=20, total=0, total_pages=0)


def test_videos_are_searched_and_normalised_as_videos(pixabay):
    result = run(pixabay, lambda s: s.search("video", {"per_page": 3}))

    assert [item["media_type"] for item in result.items] == ["video"] * 3
    assert all(item["renditions"] for item in result.items)
    assert pixabay.requests[0].path == "/api/videos/"


# Caching and sharing


def test_identical_concurrent_searches_share_one_upstream_call(pixabay):
    pixabay.delay = 0.1

    async def scenario(service):
        return await asyncio.gather(
            *(service.search("image", {"q": "cat"}) for _ in range(10))
        )

    results = run(pixabay, scenario)

    assert pixabay.calls() == 1
    assert all(result == results[0] for result in results)
    assert results[0].total == CAT_IMAGES


def test_searches_written_differently_share_a_cache_entry(pixabay):
    async def scenario(service):
        return [
            await service.search("image", query)
            for query in (
                {"q": "  Cat ", "colors": ["red", "blue"]},
                {"q": "cat", "colors": ["blue", "red"], "page": 1, "per_page": 20},
                {"q": "CAT", "colors": ["blue", "red"], "order": "popular"},
            )
        ]

    results = run(pixabay, scenario)

    assert pixabay.calls() == 1
    assert results[0] == results[1] == results[2]
    assert pixabay.requests[0].params == {"key": KEY, "colors": "blue,red", "q": "cat"}


def test_a_cached_answer_expires_after_24_hours(pixabay):
    monotonic = FakeClock(100.0)
    cache = TtlCache(clock=monotonic)

    async def scenario(service):
        await service.search("image", {"q": "cat"})
        monotonic.now += 24 * 3600 - 1
        await service.search("image", {"q": "cat"})
        calls_within_a_day = pixabay.calls()
        monotonic.now += 1
        await service.search("image", {"q": "cat"})
        return calls_within_a_day

    calls_within_a_day = run(pixabay, scenario, cache=cache)

    assert calls_within_a_day == 1
    assert pixabay.calls() == 2


def cache_for_cats(pixabay) -> TtlCache:
    """A cache with room for the "cat" page and its hits and little more."""
    cats = asked_directly(pixabay, {"q": "cat"})
    room = len(orjson.dumps(cats)) + sum(len(orjson.dumps(h)) for h in cats["hits"])
    return TtlCache(max_bytes=room + 100)


@pytest.mark.parametrize(
    ("searches", "asked"),
    [
        (["cat", "dog", "cat"], ["cat", "dog", "cat"]),
        # Reading "cat" again makes its hits, not its page, the oldest.
        (["cat", "cat", "dog", "cat"], ["cat", "dog"]),
    ],
)
def test_a_full_cache_evicts_the_least_recently_used(pixabay, searches, asked):
    cache = cache_for_cats(pixabay)

    async def scenario(service):
        for q in searches:
            await service.search("image", {"q": q})

    run(pixabay, scenario, cache=cache)

    assert [r.params["q"] for r in pixabay.requests[1:]] == asked
    assert cache.size_bytes <= cache.max_bytes


def test_sizes_expire_a_day_after_the_fetch_not_after_the_serve(pixabay):
    clock = FakeClock(T0)

    async def scenario(service):
        await service.search("image", {"q": "cat"})
        clock.now = T0 + timedelta(hours=20)
        return await service.search("image", {"q": "cat"})

    result = run(pixabay, scenario, clock=clock)

    expiries = {size["expires_at"] for item in result.items for size in item["sizes"]}
    assert expiries == {"2026-12-05T10:00:00Z"}


def test_upstream_errors_reach_the_caller_and_are_not_cached(pixabay):
    pixabay.queue_failure(429, "API rate limit exceeded", headers={
        "X-RateLimit-Reset": "1",
    })
    monotonic = FakeClock(0.0)

    async def scenario(service):
        with pytest.raises(UpstreamUnavailable):
            await service.search("image", {"q": "cat"})
        return pixabay.calls()

    assert run(pixabay, scenario, cache=TtlCache(clock=monotonic)) == 1


# Single items


def test_an_item_from_search_results_is_looked_up_without_a_call(pixabay):
    clock = FakeClock(T0)

    async def scenario(service):
        result = await service.search("image", {"q": "cat"})
        clock.now = T0 + timedelta(hours=1)
        item = await service.get("image", result.items[3]["id"])
        return result.items[3], item

    listed, item = run(pixabay, scenario, clock=clock)

    assert item == listed
    assert pixabay.calls() == 1


def test_an_item_is_looked_up_by_id_once(pixabay):
    async def scenario(service):
        return [await service.get("video", 5317) for _ in range(3)]

    items = run(pixabay, scenario)

    assert items[0]["id"] == 5317
    assert [r["quality"] for r in items[0]["renditions"]] == ["tiny", "small", "medium"]
    assert items[0] == items[1] == items[2]
    assert [(r.path, r.params) for r in pixabay.requests] == [
        ("/api/videos/", {"key": KEY, "id": "5317"})
    ]


def test_an_unknown_id_is_not_found_and_the_answer_is_cached(pixabay):
    async def scenario(service):
        errors = []
        for _ in range(2):
            with pytest.raises(NotFound) as caught:
                await service.get("image", 999999999)
            errors.append(caught.value)
        return errors

    errors = run(pixabay, scenario)

    assert [error.detail for error in errors] == [
        "There is no image with id 999999999."
    ] * 2
    assert pixabay.calls() == 1


def test_an_unusable_single_item_is_an_upstream_error():
    broken = {**image_hits()[0], "tags": ["cat"]}
    source = ScriptedSource({"2083492": {"total": 1, "totalHits": 1, "hits": [broken]}})

    async def scenario(service):
        with pytest.raises(UpstreamError) as caught:
            await service.get("image", 2083492)
        return caught.value

    error = run(source, scenario)

    assert error.detail == "Pixabay's data for image 2083492 could not be used."
    assert isinstance(error.__cause__, ValueError)


# Odd answers


def test_a_malformed_hit_is_skipped_and_logged_once(caplog):
    hits = image_hits()[:4]
    hits[1] = {**hits[1], "views": "many"}
    source = ScriptedSource({"1": {"total": 4, "totalHits": 4, "hits": hits}})
    caplog.set_level(logging.WARNING, logger="trove.search.service")
    cache = TtlCache()

    async def scenario(service):
        first = await service.search("image", {})
        cache.clear()
        second = await service.search("image", {})
        return first, second

    first, second = run(source, scenario, cache=cache)

    assert [item["id"] for item in first.items] == [2083492, 736877, 1285634]
    assert first == second
    assert first.total == 4
    assert len(source.calls) == 2
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [(
        "trove.search.service",
        logging.WARNING,
        "skipping image 551554 from demo: views is not an integer",
    )]


def test_a_malformed_envelope_is_an_upstream_error():
    source = ScriptedSource({"1": {"total": 1, "hits": []}})

    async def scenario(service):
        with pytest.raises(UpstreamError) as caught:
            await service.search("image", {})
        return caught.value

    error = run(source, scenario)

    assert error.detail == (
        "The media source's answer had an unexpected shape: totalHits is missing "
        "or not a count."
    )


def test_more_hits_than_asked_for_are_cut_to_the_page():
    source = ScriptedSource({"1": {"total": 20, "totalHits": 20, "hits": image_hits()}})

    result = run(source, lambda s: s.search("image", {"per_page": 3}))

    assert len(result.items) == 3


def test_a_refused_first_page_is_an_empty_result():
    source = ScriptedSource({"1": PageOutOfRange("page 1")})

    result = run(source, lambda s: s.search("image", {}))

    assert result == SearchResult(items=[], page=1, per_page=20, total=0, total_pages=0)


# Sources


def test_the_demo_catalogue_answers_through_the_same_rules():
    async def scenario(service):
        page = await service.search("image", {"q": "cat", "page": 2, "per_page": 20})
        first = await service.search("image", {"per_page": 3})
        item = await service.get("image", first.items[0]["id"])
        return page, first, item, service.source_name

    page, first, item, name = run(DemoCatalogue(), scenario)

    assert page == SearchResult(items=[], page=2, per_page=20, total=17, total_pages=1)
    assert (first.total, first.total_pages) == (ALL_IMAGES, 8)
    assert item == first.items[0]
    assert name == "demo"


def test_the_source_name_is_pixabay_or_demo():
    with pytest.raises(ValueError):
        SearchService(DemoCatalogue(), source_name="flickr")
