"""A favorite keeps showing a working picture after Pixabay's URLs expire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from trove.favorites.service import (
    FavoritesService,
    _decode_cursor,
    _encode_cursor,
    _favorite_body,
)


def _stored(expires_at: datetime) -> dict[str, Any]:
    """A favorites row as the database hands it back: the snapshot as text."""
    media = {
        "id": 7,
        "preview": {
            "url": "https://cdn.pixabay.com/p_150.jpg",
            "width": 150,
            "height": 100,
        },
        "sizes": [
            {
                "name": "web",
                "url": "https://pixabay.com/get/x_640.jpg",
                "width": 640,
                "height": 427,
                "expires_at": expires_at.isoformat().replace("+00:00", "Z"),
            },
        ],
    }
    return {
        "id": 1,
        "media_type": "image",
        "media_id": 7,
        "created_at": datetime.now(UTC).isoformat(" "),
        "media": orjson.dumps(media).decode(),
    }


def test_display_sizes_are_served_until_they_expire():
    body = _favorite_body(_stored(datetime.now(UTC) + timedelta(hours=1)))

    assert [size["name"] for size in body["media"]["sizes"]] == ["web"]
    assert body["media"]["is_favorite"] is True


def test_after_a_day_only_the_lasting_preview_is_left():
    body = _favorite_body(_stored(datetime.now(UTC) - timedelta(seconds=1)))

    assert body["media"]["sizes"] == []
    assert body["media"]["preview"]["url"] == "https://cdn.pixabay.com/p_150.jpg"


def test_cursors_round_trip_and_are_opaque():
    cursor = _encode_cursor(1234)

    assert _decode_cursor(cursor) == 1234
    assert "1234" not in cursor


def _listed(service: FavoritesService, row: dict[str, Any], now: datetime) -> dict:
    return orjson.loads(orjson.dumps([service._encode(row, now)]))[0]


def test_a_listed_favorite_is_encoded_once_while_its_sizes_last():
    service = FavoritesService(search=None)
    now = datetime.now(UTC)
    row = _stored(now + timedelta(hours=1))

    first = service._encode(row, now)

    assert service._encode(row, now + timedelta(minutes=59)) is first
    sizes = _listed(service, row, now)["media"]["sizes"]
    assert [size["name"] for size in sizes] == ["web"]


def test_a_listed_favorite_loses_its_sizes_once_they_expire():
    service = FavoritesService(search=None)
    now = datetime.now(UTC)
    row = _stored(now + timedelta(hours=1))
    service._encode(row, now)

    later = _listed(service, row, now + timedelta(hours=1, seconds=1))

    assert later["media"]["sizes"] == []
    assert later["media"]["is_favorite"] is True
