"""Searching and looking up media: the rules between the API and a source.

The source is live Pixabay (`PixabayClient`) or the offline demo catalogue;
both answer `fetch(media_type, params)` with Pixabay's raw envelope. This
service caches those envelopes for 24 hours, lets identical concurrent
misses share one upstream call, turns the envelope into Trove's `Media`
items and hides Pixabay's 500-result ceiling behind plain empty pages.

A hit that cannot be normalised is left out of its page and logged once
per id: one odd item should not cost the user the other nineteen. A page
whose envelope is malformed, or a single item that cannot be normalised,
is an UpstreamError.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

import orjson

from trove.errors import NotFound, UpstreamError, UpstreamTimeout, UpstreamUnavailable
from trove.search.cache import SingleFlight, TtlCache
from trove.search.shared import MemoryCache, RedisCache
from trove.search.normalise import (
    check_envelope,
    normalise_hit,
    without_expired_sizes,
)
from trove.search.params import cache_key, lookup_params, upstream_params
from trove.search.upstream import PageOutOfRange

logger = logging.getLogger("trove.search.service")

# Pixabay asks for answers to be cached this long; past it an answer is
# asked for again, but kept for as long once more, to be served if Pixabay
# fails meanwhile.
FRESH_FOR = timedelta(hours=24)
KEEP_FOR = 2 * FRESH_FOR

# Pixabay serves at most this many results of one query.
MAX_REACHABLE = 500
DEFAULT_PAGE = 1
DEFAULT_PER_PAGE = 20
# The bound of the normalised pages each worker keeps, as JSON; a page of
# 20 images is about 25 KB of it.
NORMALISED_MAX_BYTES = 2 * 1024 * 1024
# How many ids of malformed hits to remember, so each is logged only once.
MAX_WARNED_IDS = 10_000


class Source(Protocol):
    """Anything that answers like Pixabay: PixabayClient, DemoCatalogue."""

    async def fetch(self, media_type: str, params: dict[str, str]) -> dict: ...


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One page of normalised items (without `is_favorite`)."""

    items: list[dict]
    page: int
    per_page: int
    total: int
    total_pages: int


@dataclass(frozen=True, slots=True)
class Fetched:
    """One upstream answer as cached: the envelope and when it came.

    `fetched_at` dates the temporary image URLs in it, however long the
    answer then stays in the cache. `out_of_range` marks a page the source
    refused as past the end, kept so the refusal is not asked for again.
    """

    envelope: dict
    fetched_at: datetime
    out_of_range: bool = False


def utc_now() -> datetime:
    """The current time in UTC, the default clock of the service."""
    return datetime.now(timezone.utc)


class SearchService:
    """Searches and looks up images and videos through a cached source."""

    def __init__(
        self,
        source: Source,
        *,
        cache: TtlCache | MemoryCache | RedisCache | None = None,
        source_name: str,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        if source_name not in ("pixabay", "demo"):
            raise ValueError(f"unknown source name {source_name!r}")
        self._source = source
        if cache is None:
            cache = TtlCache(ttl=KEEP_FOR.total_seconds())
        if isinstance(cache, TtlCache):
            cache = MemoryCache(cache)
        self._cache = cache
        # Pages already turned into Trove's items, per upstream answer: a
        # warm search then costs a lookup instead of normalising every hit.
        self._normalised = TtlCache(NORMALISED_MAX_BYTES, KEEP_FOR.total_seconds())
        self._flight = SingleFlight()
        self._source_name = source_name
        self._clock = clock
        self._warned: set[tuple[str, Any]] = set()

    @property
    def source_name(self) -> str:
        """`pixabay` or `demo`: which source answers, as the spec names it."""
        return self._source_name

    async def search(self, media_type: str, query: dict) -> SearchResult:
        """Return one page of results for validated API query values.

        A page past the reachable results is empty, with the query's total.
        Raises UpstreamError, UpstreamUnavailable or UpstreamTimeout when
        the source fails, and ValueError for query values of the wrong kind.
        """
        page = query.get("page") or DEFAULT_PAGE
        per_page = query.get("per_page") or DEFAULT_PER_PAGE

        # Pixabay refuses pages past its 500th hit: not worth a call.
        if (page - 1) * per_page >= MAX_REACHABLE:
            total = await self._total(media_type, query)
            return _page([], page, per_page, total)

        params = upstream_params(media_type, query)
        fetched = await self._load(media_type, params)
        if fetched.out_of_range:
            total = 0 if page == 1 else await self._total(media_type, query)
            return _page([], page, per_page, total)

        key = (cache_key(media_type, params), fetched.fetched_at, per_page)
        items = self._normalised.get(key)
        if items is None:
            hits = fetched.envelope["hits"][:per_page]
            items = self._normalise_all(media_type, hits, fetched.fetched_at)
            self._normalised.put(key, items, size=_json_size(items))
        now = self._clock()
        items = [without_expired_sizes(item, now) for item in items]
        return _page(items, page, per_page, _reachable(fetched.envelope))

    async def get(self, media_type: str, media_id: int) -> dict:
        """Return one normalised item (without `is_favorite`) by its id.

        Raises NotFound when the source has no such item, UpstreamError when
        its answer about it cannot be used, and the other upstream errors
        when the source fails.
        """
        params = lookup_params(media_id)
        fetched = await self._load(media_type, params)

        hit = _find(fetched.envelope["hits"], media_id)
        if hit is None:
            raise NotFound(f"There is no {media_type} with id {media_id}.")

        try:
            item = normalise_hit(media_type, hit, fetched.fetched_at)
        except ValueError as exc:
            raise UpstreamError(
                f"Pixabay's data for {media_type} {media_id} could not be used."
            ) from exc
        return without_expired_sizes(item, self._clock())

    async def _total(self, media_type: str, query: dict) -> int:
        """The reachable total of `query`, read from its first page."""
        first = upstream_params(media_type, {**query, "page": 1})
        fetched = await self._load(media_type, first)
        if fetched.out_of_range:
            return 0
        return _reachable(fetched.envelope)

    async def _load(self, media_type: str, params: dict[str, str]) -> Fetched:
        """The answer for `params`, from the cache or from one shared call."""
        key = cache_key(media_type, params)
        cached = await self._cache.get(key)
        if cached is not None:
            age = self._clock() - cached.fetched_at
            if age < FRESH_FOR:
                return cached
            if age >= KEEP_FOR:
                cached = None

        try:
            return await self._flight.run(
                key, lambda: self._fetch(media_type, params, key)
            )
        except (UpstreamError, UpstreamUnavailable, UpstreamTimeout):
            if cached is None:
                raise
            # An answer up to a day past its freshness beats an error.
            logger.info("Pixabay failed; serving a stale %s answer", media_type)
            return cached

    async def _fetch(
        self, media_type: str, params: dict[str, str], key: tuple
    ) -> Fetched:
        """Ask the source and cache the answer and each hit in it."""
        try:
            envelope = await self._source.fetch(media_type, params)
        except PageOutOfRange:
            fetched = Fetched(_empty(), self._clock(), out_of_range=True)
            await self._cache.put(key, fetched, size=64)
            return fetched

        try:
            check_envelope(envelope)
        except ValueError as exc:
            raise UpstreamError(
                f"The media source's answer had an unexpected shape: {exc}."
            ) from exc
        fetched = Fetched(envelope, self._clock())
        entries = [(key, fetched, _json_size(envelope))]
        if "id" not in params:
            entries += self._each_hit(media_type, fetched)
        await self._cache.put_many(entries)
        return fetched

    def _each_hit(self, media_type: str, fetched: Fetched) -> list[tuple]:
        # Favoriting an item from search results looks it up by id; caching
        # each hit makes that lookup a cache hit instead of an upstream call.
        entries = []
        for hit in fetched.envelope["hits"]:
            media_id = hit.get("id") if isinstance(hit, dict) else None
            if not isinstance(media_id, int) or isinstance(media_id, bool):
                continue
            single = {"total": 1, "totalHits": 1, "hits": [hit]}
            entries.append(
                (
                    cache_key(media_type, lookup_params(media_id)),
                    Fetched(single, fetched.fetched_at),
                    _json_size(hit),
                )
            )
        return entries

    def _normalise_all(
        self, media_type: str, hits: list, fetched_at: datetime
    ) -> list[dict]:
        items = []
        for hit in hits:
            try:
                items.append(normalise_hit(media_type, hit, fetched_at))
            except ValueError as exc:
                self._warn_once(media_type, hit, exc)
        return items

    def _warn_once(self, media_type: str, hit: Any, exc: ValueError) -> None:
        media_id = hit.get("id") if isinstance(hit, dict) else None
        if not isinstance(media_id, int):
            # Only a number is logged: anything else may be huge or forged.
            media_id = None
        marker = (media_type, media_id)
        if marker in self._warned:
            return

        if len(self._warned) >= MAX_WARNED_IDS:
            self._warned.clear()
        self._warned.add(marker)
        logger.warning(
            "skipping %s %s from %s: %s", media_type, media_id, self._source_name, exc
        )


def _page(items: list[dict], page: int, per_page: int, total: int) -> SearchResult:
    return SearchResult(
        items=items,
        page=page,
        per_page=per_page,
        total=total,
        total_pages=math.ceil(total / per_page),
    )


def _reachable(envelope: dict) -> int:
    return min(envelope["totalHits"], MAX_REACHABLE)


def _find(hits: list, media_id: int) -> dict | None:
    for hit in hits:
        if isinstance(hit, dict) and hit.get("id") == media_id:
            return hit
    return None


def _empty() -> dict:
    return {"total": 0, "totalHits": 0, "hits": []}


def _json_size(document: Any) -> int:
    """The size estimate of a cache entry: its length as compact JSON."""
    return len(orjson.dumps(document))
