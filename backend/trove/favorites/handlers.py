"""HTTP handlers for favorites."""

from __future__ import annotations

from sanic import HTTPResponse, Request

from trove.contract import Call, operation
from trove.favorites.service import FavoritesService
from trove.responses import json_response


@operation("listFavorites")
async def list_favorites(request: Request, call: Call, favorites: FavoritesService):
    page = await favorites.page(
        call.user.id,
        call.query.get("media_type"),
        call.query["limit"],
        call.query.get("cursor"),
    )
    return json_response({"items": page.items, "next_cursor": page.next_cursor})


@operation("getFavorite")
async def get_favorite(request: Request, call: Call, favorites: FavoritesService):
    favorite = await favorites.get(call.user.id, *_item(call))
    return json_response(favorite)


@operation("addFavorite")
async def add_favorite(request: Request, call: Call, favorites: FavoritesService):
    favorite, created = await favorites.add(call.user.id, *_item(call))
    if not created:
        return json_response(favorite)
    return json_response(favorite, status=201, headers={"Location": request.path})


@operation("removeFavorite")
async def remove_favorite(request: Request, call: Call, favorites: FavoritesService):
    await favorites.remove(call.user.id, *_item(call))
    return HTTPResponse(status=204)


def _item(call: Call) -> tuple[str, int]:
    return call.path["media_type"], call.path["media_id"]
