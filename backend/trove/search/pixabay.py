"""The client for Pixabay's API: the only module that talks to httpx.

Every httpx error and every unusable answer becomes one of Trove's upstream
errors here, with its cause chained. The API key travels in the query
string, so it is kept inside the httpx client's default parameters and
never written into a message: not in exception texts, not in log lines.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import httpx
import orjson

from trove.errors import (
    TroveError,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from trove.search.normalise import check_envelope
from trove.search.upstream import PageOutOfRange

if TYPE_CHECKING:
    from trove.search.shared import SharedBudget

logger = logging.getLogger("trove.search.pixabay")

MEDIA_PATHS = {"image": "", "video": "videos/"}
# Pixabay does not say how long to wait after a 429; its window is 60 s.
DEFAULT_RETRY_AFTER = 60
# 200 video hits are about 300 kB; anything near this bound is not Pixabay.
MAX_BODY_BYTES = 8 * 1024 * 1024

PAGE_OUT_OF_RANGE = '[ERROR 400] "page" is out of valid range'
_KEY_IN_TEXT = re.compile(r"(key=)[^&]*", re.IGNORECASE)


def redact(text: str) -> str:
    """Replace every `key=<value>` in `text` by `key=***`.

    The value runs up to the next `&` or the end of the text, so a URL or a
    message quoting one can be logged safely.
    """
    return _KEY_IN_TEXT.sub(r"\1***", text)


def quiet_httpx_logging() -> None:
    """Keep httpx and httpcore from logging request URLs, key included.

    httpx logs every request's full URL at INFO; the app calls this once at
    start-up, before any request is sent.
    """
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


@dataclass(slots=True)
class RateBudget:
    """What Pixabay's X-RateLimit-* headers last said about the budget.

    `reset_at` is on the client's monotonic clock. Calls are refused while
    `remaining` is at or below `reserve` and `reset_at` has not passed.
    """

    reserve: int = 0
    limit: int | None = None
    remaining: int | None = None
    reset_at: float | None = None

    def seconds_left(self, now: float) -> int | None:
        """Seconds until calls may go out again, or None if they may now."""
        if self.remaining is None or self.remaining > self.reserve:
            return None
        if self.reset_at is None or now >= self.reset_at:
            return None
        return max(1, math.ceil(self.reset_at - now))

    def spend(self) -> None:
        """Count a call that is about to go out, before its answer says so.

        Calls that run at the same time all see the budget the last answer
        reported; counting locally keeps them from overshooting it.
        """
        if self.remaining is not None and self.remaining > 0:
            self.remaining -= 1

    def record(self, headers: Mapping[str, str], now: float) -> None:
        """Take in the X-RateLimit-* headers of an answer, if it has them."""
        limit = _seconds_or_count(headers.get("X-RateLimit-Limit"))
        remaining = _seconds_or_count(headers.get("X-RateLimit-Remaining"))
        reset = _seconds_or_count(headers.get("X-RateLimit-Reset"))
        if limit is not None:
            self.limit = limit
        if remaining is None:
            return

        self.remaining = remaining
        if reset is not None:
            self.reset_at = now + reset
        elif remaining <= self.reserve:
            # No reset given: assume a whole window rather than none.
            self.reset_at = now + DEFAULT_RETRY_AFTER

    def exhaust(self, seconds: int, now: float) -> None:
        """Refuse calls for `seconds`, as after a 429."""
        self.remaining = 0
        self.reset_at = now + seconds


class PixabayClient:
    """Fetches raw search answers from Pixabay's images and videos endpoints.

    One httpx.AsyncClient is shared by every call; `aclose()` releases it.
    """

    def __init__(
        self,
        base_url: str,
        key: str,
        timeout: float,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        reserve: int = 0,
        clock: Callable[[], float] = time.monotonic,
        max_body_bytes: int = MAX_BODY_BYTES,
        shared_budget: SharedBudget | None = None,
    ) -> None:
        if not key:
            raise ValueError("a Pixabay API key is required")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.timeout = timeout
        self.budget = RateBudget(reserve=reserve)
        self.shared_budget = shared_budget
        self.max_body_bytes = max_body_bytes
        self._clock = clock
        self._key_refusal_logged = False
        # The key lives only in the client's default parameters: no local
        # variable or attribute of ours holds it for a traceback to show.
        # trust_env=False: proxies and certificates come from settings, not
        # from whatever the process environment happens to hold.
        self._http = httpx.AsyncClient(
            params={"key": key},
            timeout=timeout,
            transport=transport,
            trust_env=False,
            follow_redirects=False,
            headers={"Accept": "application/json"},
        )

    def __repr__(self) -> str:
        return f"PixabayClient(base_url={self.base_url!r}, key='***')"

    async def __aenter__(self) -> PixabayClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections; the client cannot be used afterwards."""
        await self._http.aclose()

    async def fetch(self, media_type: str, params: dict[str, str]) -> dict:
        """Ask Pixabay for one page and return its JSON answer as it is.

        The answer is a dict with a `hits` list and `total` and `totalHits`
        counts. Raises PageOutOfRange for a page past the reachable hits,
        UpstreamUnavailable when the rate budget is used up (without asking
        Pixabay) or Pixabay refuses for load, UpstreamTimeout when it does
        not answer in time and UpstreamError for anything else unusable.
        """
        url = self.base_url + _media_path(media_type)
        if "key" in params:
            raise ValueError("params must not carry the key")
        self._check_budget()
        await self._take_shared_place()

        started = time.perf_counter()
        outcome = "no answer"
        try:
            status, headers, body = await self._get(url, params)
            outcome = str(status)
            self.budget.record(headers, self._clock())
            await self._share_wait()
            return await self._interpret(status, headers, body, params)
        except TroveError as exc:
            # No status to log when there was no answer: say what happened.
            if outcome == "no answer":
                outcome = exc.code
            raise
        finally:
            logger.debug(
                "pixabay %s %s -> %s in %.0f ms",
                media_type,
                redact(urlencode(params)),
                outcome,
                (time.perf_counter() - started) * 1000,
            )

    def _check_budget(self) -> None:
        seconds = self.budget.seconds_left(self._clock())
        if seconds is not None:
            raise UpstreamUnavailable(
                "Pixabay's request budget is used up for now.", retry_after=seconds
            )
        self.budget.spend()

    async def _take_shared_place(self) -> None:
        if self.shared_budget is None:
            return
        seconds = await self.shared_budget.acquire()
        if seconds is not None:
            raise UpstreamUnavailable(
                "Pixabay's request budget is used up for now.", retry_after=seconds
            )

    async def _share_wait(self) -> None:
        """Tell every worker when Pixabay said this key must wait."""
        seconds = self.budget.seconds_left(self._clock())
        if self.shared_budget is not None and seconds is not None:
            await self.shared_budget.block(seconds)

    async def _get(
        self, url: str, params: dict[str, str]
    ) -> tuple[int, httpx.Headers, bytes]:
        """Send the request and read the body, mapping httpx's errors."""
        try:
            # httpx's timeout bounds each read; this bounds the whole answer,
            # so a server that trickles bytes cannot hold a worker forever.
            async with asyncio.timeout(self.timeout):
                return await self._exchange(url, params)
        except (httpx.TimeoutException, TimeoutError) as exc:
            unit = "second" if self.timeout == 1 else "seconds"
            raise UpstreamTimeout(
                f"Pixabay did not answer within {self.timeout:g} {unit}."
            ) from exc
        except httpx.ConnectError as exc:
            raise UpstreamError("Pixabay could not be reached.") from exc
        except httpx.HTTPError as exc:
            raise UpstreamError("Pixabay's answer broke off.") from exc

    async def _exchange(
        self, url: str, params: dict[str, str]
    ) -> tuple[int, httpx.Headers, bytes]:
        async with self._http.stream("GET", url, params=params) as response:
            chunks = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.max_body_bytes:
                    raise UpstreamError("Pixabay's answer was too large.")
                chunks.append(chunk)
            return response.status_code, response.headers, b"".join(chunks)

    async def _interpret(
        self,
        status: int,
        headers: httpx.Headers,
        body: bytes,
        params: dict[str, str],
    ) -> dict:
        """Turn an answer into the envelope or the matching error."""
        if status == 200:
            return _envelope(body)

        text = body[:500].decode("utf-8", "replace").strip()
        if status == 429:
            seconds = _seconds_or_count(headers.get("X-RateLimit-Reset"))
            seconds = DEFAULT_RETRY_AFTER if seconds is None else max(1, seconds)
            self.budget.exhaust(seconds, self._clock())
            await self._share_wait()
            raise UpstreamUnavailable(
                "Pixabay's request budget is used up for now.", retry_after=seconds
            )
        if status == 503:
            seconds = _seconds_or_count(headers.get("Retry-After"))
            raise UpstreamUnavailable(
                "Pixabay is overloaded right now.",
                retry_after=DEFAULT_RETRY_AFTER if seconds is None else seconds,
            )
        if status == 400 and text.startswith(PAGE_OUT_OF_RANGE):
            raise PageOutOfRange(f"page {params.get('page', '1')} is out of range")
        if status == 400 and _is_key_refusal(text):
            self._log_key_refusal()
            raise UpstreamError(
                "Pixabay refused Trove's API key; the operator must fix it."
            )

        logger.warning("Pixabay answered HTTP %s: %r", status, self._scrub(text[:200]))
        raise UpstreamError(f"Pixabay answered with an error (HTTP {status}).")

    def _scrub(self, text: str) -> str:
        """Redact `text` from upstream, even where it quotes the bare key."""
        key = self._http.params.get("key", "")
        return redact(text.replace(key, "***") if key else text)

    def _log_key_refusal(self) -> None:
        # Once per client: every search fails the same way until a restart.
        if self._key_refusal_logged:
            return
        self._key_refusal_logged = True
        logger.error(
            "Pixabay refused the configured API key (TROVE_PIXABAY_KEY); "
            "every search will fail until it is replaced"
        )


def _media_path(media_type: str) -> str:
    try:
        return MEDIA_PATHS[media_type]
    except KeyError:
        raise ValueError(f"unknown media type {media_type!r}") from None


def _envelope(body: bytes) -> dict:
    """Parse a 200 answer, raising UpstreamError if it is not an envelope."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise UpstreamError("Pixabay's answer was not valid JSON.") from exc

    try:
        return check_envelope(document)
    except ValueError as exc:
        raise UpstreamError(
            f"Pixabay's answer had an unexpected shape: {exc}."
        ) from exc


def _is_key_refusal(text: str) -> bool:
    # Two wordings are known: "Invalid or missing API key" (now) and
    # "Invalid API key. Note: ..." (2015). Both start the same way.
    return text.startswith("[ERROR 400] Invalid") and "api key" in text.lower()


def _seconds_or_count(raw: str | None) -> int | None:
    """Read a non-negative whole number from a header, or None."""
    if raw is None:
        return None
    try:
        value = float(raw.strip())
    except ValueError:
        return None
    if not math.isfinite(value) or value < 0:
        return None
    return math.ceil(value)
