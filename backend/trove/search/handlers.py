"""HTTP handlers for searching images and videos."""

from __future__ import annotations

from urllib.parse import urlencode

from sanic import Request

from trove.contract import Call, operation
from trove.favorites.service import FavoritesService
from trove.responses import json_response
from trove.search.service import SearchService


@operation("searchImages")
async def search_images(
    request: Request, call: Call, search: SearchService, favorites: FavoritesService
):
    return await _search(request, call, "image", search, favorites)


@operation("searchVideos")
async def search_videos(
    request: Request, call: Call, search: SearchService, favorites: FavoritesService
):
    return await _search(request, call, "video", search, favorites)


@operation("getImage")
async def get_image(
    request: Request, call: Call, search: SearchService, favorites: FavoritesService
):
    return await _get(call, "image", search, favorites)


@operation("getVideo")
async def get_video(
    request: Request, call: Call, search: SearchService, favorites: FavoritesService
):
    return await _get(call, "video", search, favorites)


async def _search(request, call, media_type, search, favorites):
    result = await search.search(media_type, call.query)
    ids = [item["id"] for item in result.items]
    liked = await favorites.favorite_ids(call.user.id, media_type, ids)

    items = [{**item, "is_favorite": item["id"] in liked} for item in result.items]
    last = max(result.total_pages, 1)
    page = result.page
    return json_response(
        {
            "items": items,
            "page": page,
            "per_page": result.per_page,
            "total": result.total,
            "total_pages": result.total_pages,
            "links": {
                "self": _link(request, call.query, page),
                "next": _link(request, call.query, page + 1) if page < last else None,
                "prev": _link(request, call.query, min(page - 1, last))
                if page > 1
                else None,
            },
            "source": search.source_name,
        }
    )


async def _get(call, media_type, search, favorites):
    media_id = call.path["id"]
    item = await search.get(media_type, media_id)
    liked = await favorites.favorite_ids(call.user.id, media_type, [media_id])
    return json_response({**item, "is_favorite": media_id in liked})


def _link(request: Request, query: dict, page: int) -> str:
    """A link to `page` of the same search, with the parameters as given."""
    params = {}
    for name, value in query.items():
        if name not in request.args and name != "per_page":
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, list):
            value = ",".join(value)
        params[name] = value
    params["page"] = page
    return f"{request.path}?{urlencode(params)}"
