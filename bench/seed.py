"""The benchmark's user and its 1,000 favorites.

The user registers and logs in through the API, as anyone would. Its
favorites are snapshots of real search results from Trove itself (the items
of `q=bulk`), stored in one bulk INSERT through Trove's own models instead
of 1,000 PUT requests. Half of the first search page becomes favorites, so
that `is_favorite` is both true and false in a warm search; the other items
of the page are left for the toggle case to mark and unmark. The rest of the
1,000 are copies of those snapshots under ids Pixabay does not use.
"""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import httpx
from tortoise import Tortoise

from trove import db
from trove.favorites.models import Favorite

EMAIL = "bench@example.com"
PASSWORD = "Bench-pass-11"
FAVORITES = 1_000
SEARCH = "/api/v1/images?q=bulk"
# Ids above any Pixabay id (they have 8 digits) for the copied snapshots.
COPY_IDS_FROM = 10**12


@dataclass(frozen=True, slots=True)
class Seeded:
    token: str
    toggle_ids: list[int]  # cached items that are not favorites


def user_and_favorites(base_url: str, database_url: str) -> Seeded:
    """Register, log in, cache the searches and store the favorites."""
    with httpx.Client(base_url=base_url, timeout=30.0) as client:
        _expect(
            client.post("/api/v1/users", json={"email": EMAIL, "password": PASSWORD}),
            201,
        )
        token = log_in(client)
        headers = {"Authorization": f"Bearer {token}"}
        items = []
        for page in (1, 2, 3):  # 500 hits: all that Pixabay lets one query reach
            answer = client.get(
                f"{SEARCH}&per_page=200&page={page}", headers=headers
            )
            items += _expect(answer, 200).json()["items"]

    first_page = items[:20]
    liked = first_page[0::2]
    toggle_ids = [item["id"] for item in first_page[1::2]] + [
        item["id"] for item in items[20:]
    ]
    snapshots = [_snapshot(item) for item in liked]
    templates = [_snapshot(item) for item in items]
    for n in range(FAVORITES - len(snapshots)):
        snapshot = copy.deepcopy(templates[n % len(templates)])
        snapshot["id"] = COPY_IDS_FROM + n
        snapshots.append(snapshot)
    asyncio.run(_store(database_url, token_user_id(base_url, token), snapshots))
    return Seeded(token=token, toggle_ids=toggle_ids)


def log_in(client: httpx.Client) -> str:
    answer = client.post("/api/v1/tokens", json={"email": EMAIL, "password": PASSWORD})
    return _expect(answer, 200).json()["access_token"]


def token_user_id(base_url: str, token: str) -> int:
    answer = httpx.get(
        base_url + "/api/v1/users/me",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30.0,
    )
    return _expect(answer, 200).json()["id"]


def _snapshot(item: dict) -> dict:
    snapshot = dict(item)
    del snapshot["is_favorite"]
    return snapshot


async def _store(database_url: str, user_id: int, snapshots: list[dict]) -> None:
    await Tortoise.init(config=db.tortoise_config(database_url, with_aerich=False))
    try:
        # The oldest first, a minute apart: ids and times both run newest last.
        start = datetime.now(timezone.utc) - timedelta(minutes=len(snapshots))
        rows = [
            Favorite(
                user_id=user_id,
                media_type="image",
                media_id=snapshot["id"],
                media=snapshot,
                created_at=start + timedelta(minutes=n),
            )
            for n, snapshot in enumerate(reversed(snapshots))
        ]
        await Favorite.bulk_create(rows, batch_size=250)
    finally:
        await Tortoise.close_connections()


def _expect(answer: httpx.Response, status: int) -> httpx.Response:
    if answer.status_code != status:
        raise RuntimeError(
            f"{answer.request.method} {answer.request.url.path} answered "
            f"{answer.status_code}, not {status}: {answer.text[:300]}"
        )
    return answer
