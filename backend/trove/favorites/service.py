"""Marking, unmarking and listing favorites."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from tortoise.exceptions import IntegrityError

from trove.errors import Conflict, FieldError, NotFound, ValidationFailed
from trove.favorites.models import Favorite
from trove.search.normalise import without_expired_sizes
from trove.search.service import SearchService


@dataclass(frozen=True, slots=True)
class FavoritePage:
    items: list[dict[str, Any]]
    next_cursor: str | None


class FavoritesService:
    def __init__(self, search: SearchService) -> None:
        self._search = search

    async def add(self, user_id: int, media_type: str, media_id: int):
        """Make an item a favorite; returns (favorite, created).

        The item is looked up by Trove itself (cache first); raises NotFound
        when Pixabay has no such item.
        """
        existing = await self._find(user_id, media_type, media_id)
        if existing is not None:
            return _favorite_body(existing), False

        media = await self._search.get(media_type, media_id)
        for _ in range(3):
            try:
                favorite = await Favorite.create(
                    user_id=user_id,
                    media_type=media_type,
                    media_id=media_id,
                    media=media,
                )
            except IntegrityError:
                # A simultaneous request stored it first: theirs is the one,
                # unless yet another request removed it meanwhile.
                favorite = await self._find(user_id, media_type, media_id)
                if favorite is not None:
                    return _favorite_body(favorite), False
                continue
            return _favorite_body(favorite), True
        raise Conflict("The favorite changed too often at once; try again.")

    async def remove(self, user_id: int, media_type: str, media_id: int) -> None:
        await Favorite.filter(
            user_id=user_id, media_type=media_type, media_id=media_id
        ).delete()

    async def get(self, user_id: int, media_type: str, media_id: int) -> dict:
        favorite = await self._find(user_id, media_type, media_id)
        if favorite is None:
            raise NotFound(f"This {media_type} is not one of your favorites.")
        return _favorite_body(favorite)

    async def page(
        self, user_id: int, media_type: str | None, limit: int, cursor: str | None
    ) -> FavoritePage:
        """One page, newest first, keyed on the id so paging stays stable."""
        query = Favorite.filter(user_id=user_id)
        if media_type is not None:
            query = query.filter(media_type=media_type)
        if cursor is not None:
            query = query.filter(id__lt=_decode_cursor(cursor))
        rows = await query.order_by("-id").limit(limit + 1)

        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = _encode_cursor(rows[-1].id) if more else None
        return FavoritePage([_favorite_body(row) for row in rows], next_cursor)

    async def favorite_ids(
        self, user_id: int, media_type: str, media_ids: list[int]
    ) -> set[int]:
        """Which of `media_ids` the user has as favorites, in one query."""
        if not media_ids:
            return set()
        found = await Favorite.filter(
            user_id=user_id, media_type=media_type, media_id__in=media_ids
        ).values_list("media_id", flat=True)
        return set(found)

    async def _find(self, user_id: int, media_type: str, media_id: int):
        return await Favorite.get_or_none(
            user_id=user_id, media_type=media_type, media_id=media_id
        )


def _favorite_body(favorite: Favorite) -> dict[str, Any]:
    media = without_expired_sizes(favorite.media, datetime.now(timezone.utc))
    media = {**media, "is_favorite": True}
    return {
        "media_type": favorite.media_type,
        "media_id": favorite.media_id,
        "created_at": favorite.created_at,
        "media": media,
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
