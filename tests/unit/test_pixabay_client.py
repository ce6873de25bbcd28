"""The Pixabay client against the fake Pixabay server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging
import socket
import traceback

import pytest

from tests.fakes.pixabay import FakePixabay
from trove.errors import UpstreamError, UpstreamTimeout, UpstreamUnavailable
from trove.search.pixabay import (
    PixabayClient,
    RateBudget,
    quiet_httpx_logging,
    redact,
)
from trove.search.upstream import PageOutOfRange

KEY = "sekrit-4242-key"
WRONG_KEY = "wrong-9191-key"
INVALID_KEY = "[ERROR 400] Invalid or missing API key"
INVALID_KEY_2015 = "[ERROR 400] Invalid API key. Note: This value is case-sensitive."
PER_PAGE_OUT_OF_RANGE = '[ERROR 400] "per_page" is out of valid range.'
CAT_IMAGES = 17  # hits with "cat" among their tag words in the fake's data


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def pixabay():
    with FakePixabay(key=KEY) as fake:
        yield fake


@pytest.fixture
def logs(caplog):
    """Every log record at DEBUG, with httpx quieted as the app does it."""
    httpx_logger = logging.getLogger("httpx")
    level = httpx_logger.level
    quiet_httpx_logging()
    caplog.set_level(logging.DEBUG)
    yield caplog
    httpx_logger.setLevel(level)


def fetch(url, media_type="image", params=None, *, key=KEY, **options):
    """Build a client, fetch once and close it; return the answer or error."""
    return fetch_all(url, [(media_type, params or {})], key=key, **options)[0]


def fetch_all(url, calls, *, key=KEY, **options):
    """Fetch each (media_type, params) in turn with one client."""

    timeout = options.pop("timeout", 2.0)

    async def main():
        results = []
        async with PixabayClient(url, key, timeout, **options) as client:
            for media_type, params in calls:
                try:
                    results.append(await client.fetch(media_type, params))
                except Exception as exc:  # the test inspects what came out
                    results.append(exc)
        return results

    return asyncio.run(main())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def everything_said(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc)) + repr(exc)


# Answers


def test_an_image_search_returns_pixabay_envelope(pixabay):
    envelope = fetch(pixabay.url, "image", {"q": "cat"})

    assert envelope["total"] == envelope["totalHits"] == CAT_IMAGES
    assert len(envelope["hits"]) == CAT_IMAGES
    request = pixabay.requests[0]
    assert request.path == "/api/"
    assert request.params == {"key": KEY, "q": "cat"}


def test_a_video_search_goes_to_the_videos_path(pixabay):
    envelope = fetch(pixabay.url, "video", {"per_page": "3"})

    assert len(envelope["hits"]) == 3
    assert pixabay.requests[0].path == "/api/videos/"
    assert pixabay.requests[0].params == {"key": KEY, "per_page": "3"}


def test_the_rate_headers_of_every_answer_are_kept(pixabay):
    clock = FakeClock()

    async def main():
        async with PixabayClient(pixabay.url, KEY, 2.0, clock=clock) as client:
            await client.fetch("image", {})
            return client.budget

    budget = asyncio.run(main())

    assert (budget.limit, budget.remaining, budget.reserve) == (100, 99, 0)
    assert budget.reset_at == 5060


def test_an_unknown_media_type_is_a_value_error(pixabay):
    assert isinstance(fetch(pixabay.url, "audio"), ValueError)
    assert pixabay.calls() == 0


def test_params_that_carry_a_key_are_refused(pixabay):
    assert isinstance(fetch(pixabay.url, "image", {"key": "x"}), ValueError)
    assert pixabay.calls() == 0


# Errors


def test_a_page_past_the_reachable_hits_raises_page_out_of_range(pixabay):
    error = fetch(pixabay.url, "image", {"q": "cat", "page": "2"})

    assert type(error) is PageOutOfRange


def test_per_page_out_of_range_is_an_upstream_error(pixabay):
    error = fetch(pixabay.url, "image", {"per_page": "2"})

    assert type(error) is UpstreamError
    assert error.detail == "Pixabay answered with an error (HTTP 400)."


def test_a_429_becomes_503_with_retry_after_from_the_reset_header(pixabay):
    pixabay.queue_failure(429, "API rate limit exceeded", headers={
        "X-RateLimit-Limit": "100",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "42",
    })

    error = fetch(pixabay.url)

    assert type(error) is UpstreamUnavailable
    assert error.status == 503
    assert error.retry_after == 42
    assert error.headers == {"Retry-After": "42"}
    assert error.detail == "Pixabay's request budget is used up for now."


def test_a_429_with_a_reset_of_zero_means_one_second(pixabay):
    pixabay.queue_failure(429, "API rate limit exceeded", headers={
        "X-RateLimit-Reset": "0",
    })

    error = fetch(pixabay.url)

    assert error.retry_after == 1


def test_a_429_without_a_reset_header_means_60_seconds(pixabay):
    pixabay.queue_failure(429, "API rate limit exceeded")

    error = fetch(pixabay.url)

    assert type(error) is UpstreamUnavailable
    assert error.retry_after == 60


def test_after_a_429_no_call_goes_out_until_the_reset(pixabay):
    pixabay.queue_failure(429, "API rate limit exceeded", headers={
        "X-RateLimit-Reset": "30",
    })
    clock = FakeClock()

    async def main():
        async with PixabayClient(pixabay.url, KEY, 2.0, clock=clock) as client:
            errors = []
            for _ in range(2):
                try:
                    await client.fetch("image", {})
                except UpstreamUnavailable as exc:
                    errors.append(exc.retry_after)
                clock.now += 10
            clock.now += 10
            answer = await client.fetch("image", {})
            return errors, answer

    errors, answer = asyncio.run(main())

    assert errors == [30, 20]
    assert answer["totalHits"] == 23
    assert pixabay.calls() == 2


def test_the_fakes_own_rate_limit_is_honoured():
    limited = FakePixabay(key=KEY, rate_limit=1)

    with limited:
        results = fetch_all(limited.url, [("image", {})] * 3)

    assert isinstance(results[0], dict)
    assert [type(result) for result in results[1:]] == [UpstreamUnavailable] * 2
    assert limited.calls() == 1


def test_an_exhausted_budget_refuses_without_calling_upstream(pixabay):
    pixabay.set_remaining(1)

    results = fetch_all(pixabay.url, [("image", {}), ("video", {})])

    assert isinstance(results[0], dict)
    assert type(results[1]) is UpstreamUnavailable
    assert 1 <= results[1].retry_after <= 60
    assert pixabay.calls() == 1


def test_the_reserve_keeps_calls_back_before_the_budget_is_empty(pixabay):
    pixabay.set_remaining(6)

    results = fetch_all(pixabay.url, [("image", {})] * 3, reserve=5)

    assert isinstance(results[0], dict)
    assert [type(result) for result in results[1:]] == [UpstreamUnavailable] * 2
    assert pixabay.calls() == 1


def test_a_slow_answer_is_a_504_that_names_the_timeout(pixabay):
    pixabay.delay = 0.5

    error = fetch(pixabay.url, timeout=0.1)

    assert type(error) is UpstreamTimeout
    assert error.status == 504
    assert error.detail == "Pixabay did not answer within 0.1 seconds."
    assert error.__cause__ is not None


def test_a_refused_connection_is_a_502():
    error = fetch(f"http://127.0.0.1:{free_port()}/api/")

    assert type(error) is UpstreamError
    assert error.status == 502
    assert error.detail == "Pixabay could not be reached."
    assert error.__cause__ is not None


def test_a_dropped_connection_is_a_502(pixabay):
    pixabay.close_connection_next()

    error = fetch(pixabay.url)

    assert type(error) is UpstreamError
    assert error.detail == "Pixabay's answer broke off."


def test_a_plain_text_500_is_a_502(pixabay):
    pixabay.queue_failure(500, "Internal Server Error")

    error = fetch(pixabay.url)

    assert type(error) is UpstreamError
    assert error.detail == "Pixabay answered with an error (HTTP 500)."


def test_a_503_from_pixabay_is_a_503_with_its_retry_after(pixabay):
    pixabay.queue_failure(503, "Service Unavailable", headers={"Retry-After": "7"})

    error = fetch(pixabay.url)

    assert type(error) is UpstreamUnavailable
    assert error.retry_after == 7


def test_truncated_json_is_a_502(pixabay):
    pixabay.queue_truncated_json()

    error = fetch(pixabay.url)

    assert type(error) is UpstreamError
    assert error.detail == "Pixabay's answer was not valid JSON."


def test_json_of_the_wrong_shape_is_a_502(pixabay):
    pixabay.queue_wrong_shape()

    error = fetch(pixabay.url)

    assert type(error) is UpstreamError
    assert error.detail == (
        "Pixabay's answer had an unexpected shape: the answer is not an object."
    )


def test_an_envelope_without_total_hits_is_a_502(pixabay):
    pixabay.queue_failure(200, '{"total": 3, "hits": []}', "application/json")

    error = fetch(pixabay.url)

    assert type(error) is UpstreamError
    assert error.detail == (
        "Pixabay's answer had an unexpected shape: totalHits is missing or not "
        "a count."
    )


def test_a_200_with_an_html_body_is_a_502(pixabay):
    pixabay.queue_failure(200, "<html>maintenance</html>", "text/html")

    error = fetch(pixabay.url)

    assert type(error) is UpstreamError
    assert error.detail == "Pixabay's answer was not valid JSON."


def test_an_answer_larger_than_the_bound_is_a_502(pixabay):
    error = fetch(pixabay.url, max_body_bytes=1000)

    assert type(error) is UpstreamError
    assert error.detail == "Pixabay's answer was too large."


# The key


def test_a_refused_key_is_a_502_that_says_so_and_is_logged_once(pixabay, logs):
    results = fetch_all(pixabay.url, [("image", {})] * 2, key=WRONG_KEY)

    assert [type(result) for result in results] == [UpstreamError] * 2
    assert results[0].detail == (
        "Pixabay refused Trove's API key; the operator must fix it."
    )
    errors = [r for r in logs.records if r.levelno == logging.ERROR]
    assert [(r.name, r.getMessage()) for r in errors] == [(
        "trove.search.pixabay",
        "Pixabay refused the configured API key (TROVE_PIXABAY_KEY); every "
        "search will fail until it is replaced",
    )]


def test_the_2015_wording_of_a_refused_key_is_recognised(pixabay):
    pixabay.queue_failure(400, INVALID_KEY_2015)

    error = fetch(pixabay.url)

    assert error.detail == "Pixabay refused Trove's API key; the operator must fix it."


def test_the_key_appears_in_no_error_and_no_log_line(pixabay, logs):
    pixabay.queue_failure(500, f"boom at /api/?key={KEY}&q=x")
    pixabay.queue_failure(502, f"bad gateway for {KEY}")
    pixabay.queue_failure(429, "API rate limit exceeded")
    pixabay.queue_truncated_json()
    pixabay.close_connection_next()
    calls = [("image", {"q": "cat"})] * 4 + [("video", {})]

    errors = fetch_all(pixabay.url, calls) + [
        fetch(pixabay.url, "image", {"q": "cat", "page": "9"}),
        fetch(pixabay.url, key=WRONG_KEY),
        fetch(f"http://127.0.0.1:{free_port()}/api/"),
    ]
    pixabay.delay = 0.3
    errors.append(fetch(pixabay.url, timeout=0.05))

    assert all(isinstance(error, Exception) for error in errors), errors
    for error in errors:
        said = everything_said(error)
        assert KEY not in said and WRONG_KEY not in said, said
    assert logs.records
    assert KEY not in logs.text and WRONG_KEY not in logs.text
    assert "boom at /api/?key=***&q=x" in logs.text
    assert "bad gateway for ***" in logs.text


def test_the_client_repr_hides_the_key():
    async def main():
        async with PixabayClient("http://127.0.0.1:9/api/", KEY, 1.0) as client:
            return repr(client)

    assert asyncio.run(main()) == (
        "PixabayClient(base_url='http://127.0.0.1:9/api/', key='***')"
    )


def test_httpx_is_quieted_to_warnings():
    httpx_logger = logging.getLogger("httpx")
    level = httpx_logger.level

    quiet_httpx_logging()

    assert httpx_logger.level == logging.WARNING
    assert logging.getLogger("httpcore").level == logging.WARNING
    httpx_logger.setLevel(level)


def test_each_call_is_logged_once_at_debug(pixabay, logs):
    fetch(pixabay.url, "image", {"q": "cat", "per_page": "3"})

    lines = [r for r in logs.records if r.name == "trove.search.pixabay"]
    assert len(lines) == 1
    assert lines[0].levelno == logging.DEBUG
    assert lines[0].getMessage().startswith("pixabay image q=cat&per_page=3 -> 200 in ")


def test_a_call_without_an_answer_logs_what_happened(pixabay, logs):
    pixabay.delay = 0.3

    fetch(pixabay.url, "video", {}, timeout=0.05)

    lines = [r.getMessage() for r in logs.records if r.name == "trove.search.pixabay"]
    assert len(lines) == 1
    assert lines[0].startswith("pixabay video  -> upstream_timeout in ")


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("https://pixabay.com/api/?key=abc-123&q=cat",
         "https://pixabay.com/api/?key=***&q=cat"),
        ("GET /api/?q=cat&key=abc-123", "GET /api/?q=cat&key=***"),
        ("a?key=1&b=2&key=3", "a?key=***&b=2&key=***"),
        ("KEY=abc", "KEY=***"),
        ("nothing secret here", "nothing secret here"),
    ],
)
def test_redact_hides_every_key_value(text, redacted):
    assert redact(text) == redacted


# The budget on its own


def test_a_budget_with_calls_left_lets_calls_out():
    budget = RateBudget()

    budget.record({"X-RateLimit-Remaining": "3", "X-RateLimit-Reset": "20"}, 100.0)

    assert budget.seconds_left(100.0) is None


def test_a_budget_at_zero_waits_for_the_reset():
    budget = RateBudget()

    budget.record({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "20"}, 100.0)

    assert budget.seconds_left(100.0) == 20
    assert budget.seconds_left(119.2) == 1
    assert budget.seconds_left(120.0) is None


def test_a_budget_at_zero_without_a_reset_waits_a_minute():
    budget = RateBudget()

    budget.record({"X-RateLimit-Remaining": "0"}, 100.0)

    assert budget.seconds_left(100.0) == 60


def test_garbage_rate_headers_change_nothing():
    budget = RateBudget()

    budget.record({"X-RateLimit-Remaining": "lots", "X-RateLimit-Limit": "-1"}, 1.0)

    assert (budget.limit, budget.remaining, budget.reset_at) == (None, None, None)


def test_calls_in_flight_are_counted_before_their_answers():
    budget = RateBudget()
    budget.record({"X-RateLimit-Remaining": "2", "X-RateLimit-Reset": "20"}, 0.0)

    budget.spend()
    budget.spend()

    assert budget.remaining == 0
    assert budget.seconds_left(0.0) == 20
