"""Marking, unmarking and listing favorites."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from trove import db
from trove.errors import Conflict, FieldError, NotFound, ValidationFailed
from trove.responses import encode
from trove.search.cache import TtlCache
from trove.search.normalise import without_expired_sizes
from trove.search.service import FRESH_FOR, SearchService

# The queries below run on nearly every request, so they are written out
# rather than built through the ORM (bench/ measured the difference); the
# `Favorite` model still defines the table and its migrations.
_COLUMNS = "id, media_type, media_id, media, created_at"
_FIND = f"""
    SELECT {_COLUMNS} FROM favorites
    WHERE user_id = $1 AND media_type = $2 AND media_id = $3
"""
# A favorite stored meanwhile by a simultaneous request wins: no row back.
_INSERT = f"""
    INSERT INTO favorites (user_id, media_type, media_id, media, created_at)
    VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (user_id, media_type, media_id) DO NOTHING
    RETURNING {_COLUMNS}
"""
_DELETE = """
    DELETE FROM favorites
    WHERE user_id = $1 AND media_type = $2 AND media_id = $3
    RETURNING id
"""


# The bound of the encoded favorites each worker keeps; one is about 1 KB.
ENCODED_MAX_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class FavoritePage:
    # Each item is the favorite's JSON, ready to be placed in an answer.
    items: list[orjson.Fragment]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class _Encoded:
    json: orjson.Fragment
    stale_at: datetime | None  # when a display size in it expires


class FavoritesService:
    def __init__(self, search: SearchService) -> None:
        self._search = search
        # A favorite's row never changes once written, so its JSON is made
        # once per worker and reused until one of its display sizes expires:
        # listing a page then costs no decoding or encoding of snapshots.
        self._encoded = TtlCache(ENCODED_MAX_BYTES, ttl=FRESH_FOR.total_seconds())

    async def add(self, user_id: int, media_type: str, media_id: int):
        """Make an item a favorite; returns (favorite, created).

        The item is looked up by Trove itself (cache first); raises NotFound
        when Pixabay has no such item.
        """
        existing = await self._find(user_id, media_type, media_id)
        if existing is not None:
            return _favorite_body(existing), False

        media = orjson.dumps(await self._search.get(media_type, media_id)).decode()
        for _ in range(3):
            created = await db.fetch(
                _INSERT, user_id, media_type, media_id, media, datetime.now(UTC)
            )
            if created:
                return _favorite_body(created[0]), True
            # A simultaneous request stored it first: theirs is the one,
            # unless yet another request removed it meanwhile.
            existing = await self._find(user_id, media_type, media_id)
            if existing is not None:
                return _favorite_body(existing), False
        raise Conflict("The favorite changed too often at once; try again.")

    async def remove(self, user_id: int, media_type: str, media_id: int) -> None:
        await db.fetch(_DELETE, user_id, media_type, media_id)

    async def get(self, user_id: int, media_type: str, media_id: int) -> dict:
        favorite = await self._find(user_id, media_type, media_id)
        if favorite is None:
            raise NotFound(f"This {media_type} is not one of your favorites.")
        return _favorite_body(favorite)

    async def page(
        self, user_id: int, media_type: str | None, limit: int, cursor: str | None
    ) -> FavoritePage:
        """One page, newest first, keyed on the id so paging stays stable."""
        # The text gets fixed fragments and placeholders only; values travel
        # apart from it.
        conditions = ["user_id = $1"]
        values: list[Any] = [user_id]
        if media_type is not None:
            values.append(media_type)
            conditions.append(f"media_type = ${len(values)}")
        if cursor is not None:
            values.append(_decode_cursor(cursor))
            conditions.append(f"id < ${len(values)}")
        values.append(limit + 1)
        rows = await db.fetch(
            f"SELECT {_COLUMNS} FROM favorites WHERE {' AND '.join(conditions)}"
            f" ORDER BY id DESC LIMIT ${len(values)}",
            *values,
        )

        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = _encode_cursor(rows[-1]["id"]) if more else None
        now = datetime.now(UTC)
        return FavoritePage([self._encode(row, now) for row in rows], next_cursor)

    async def favorite_ids(
        self, user_id: int, media_type: str, media_ids: list[int]
    ) -> set[int]:
        """Which of `media_ids` the user has as favorites, in one query."""
        if not media_ids:
            return set()
        # One placeholder per id: the text depends on their count alone.
        wanted = ", ".join(f"${n}" for n in range(3, len(media_ids) + 3))
        rows = await db.fetch(
            "SELECT media_id FROM favorites WHERE user_id = $1"
            f" AND media_type = $2 AND media_id IN ({wanted})",
            user_id,
            media_type,
            *media_ids,
        )
        return {row["media_id"] for row in rows}

    async def _find(
        self, user_id: int, media_type: str, media_id: int
    ) -> dict[str, Any] | None:
        rows = await db.fetch(_FIND, user_id, media_type, media_id)
        return rows[0] if rows else None

    def _encode(self, row: dict[str, Any], now: datetime) -> orjson.Fragment:
        # The creation time is part of the key so that ids reused by a
        # database created anew can never bring back another favorite.
        key = (row["id"], row["created_at"])
        encoded = self._encoded.get(key)
        if encoded is not None and (encoded.stale_at is None or now < encoded.stale_at):
            return encoded.json

        body = _favorite_body(row, now)
        sizes = body["media"].get("sizes") or []
        stale_at = min(
            (datetime.fromisoformat(size["expires_at"]) for size in sizes),
            default=None,
        )
        json = encode(body)
        encoded = _Encoded(orjson.Fragment(json), stale_at)
        self._encoded.put(key, encoded, size=len(json))
        return encoded.json


def _favorite_body(row: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """A stored favorite as the API shows it, from a row of `_COLUMNS`."""
    media = row["media"]
    if isinstance(media, str):  # JSON columns come back as their text
        media = orjson.loads(media)
    media = without_expired_sizes(media, now or datetime.now(UTC))
    return {
        "media_type": row["media_type"],
        "media_id": row["media_id"],
        "created_at": db.stored_time(row["created_at"]),
        "media": {**media, "is_favorite": True},
    }


def _encode_cursor(favorite_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{favorite_id}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        kind, _, value = base64.urlsafe_b64decode(padded).decode().partition(":")
        if kind == "id" and value.isascii() and value.isdigit() and len(value) < 19:
            return int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise ValidationFailed(
        errors=[FieldError("query", "cursor", "invalid_cursor", "Unknown cursor.")]
    )
