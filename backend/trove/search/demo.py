"""The offline demo catalogue: real Pixabay answers bundled with Trove.

When no Pixabay key is configured, searches are answered from the sample
responses in `trove/data/demo/` (their origins are in SOURCES.md there):
23 images and 57 videos. `DemoCatalogue.fetch` answers as Pixabay would
for the same parameters, within what those hits record:

- `q` keeps hits whose tags contain every word of `q` as a whole word,
  ignoring case (Pixabay also matches word stems; the catalogue does not).
- `id` answers that one item whatever the other filters say, and an empty
  envelope when there is no such item.
- `image_type` and `video_type` filter by the hit's type (`vector` takes
  `vector/svg` and `vector/ai`); `orientation` filters images only, as
  documented; `min_width` and `min_height` compare the image's size or a
  video's largest rendition.
- `category`, `colors`, `editors_choice`, `safesearch` and `lang` filter
  nothing: the hits do not record them.
- `order=latest` sorts by id, highest first; `popular`, the default, sorts
  by views, then downloads, then id, all descending.
- At most the first 500 matches are reachable, and a page that starts past
  them (page 1 excepted, which may be empty) raises PageOutOfRange.
"""

from __future__ import annotations

import copy
import json
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from trove.search.upstream import PageOutOfRange

FILES = {
    "image": ("images_search.json", "images_search_2020_legacy_favorites.json"),
    "video": (
        "videos_search.json",
        "videos_search_legacy_picture_id.json",
        "videos_hits_only_2025.json",
    ),
}
TYPES = {"image": {"photo", "illustration", "vector"}, "video": {"film", "animation"}}
MAX_REACHABLE = 500
MIN_PER_PAGE, MAX_PER_PAGE = 3, 200


class DemoCatalogue:
    """A media source that answers like Pixabay from the bundled samples."""

    def __init__(self, data_dir: Path | Traversable | None = None) -> None:
        # Read once here: a search must not touch the disk.
        directory = data_dir or resources.files("trove") / "data" / "demo"
        self._hits = {
            media_type: _load(directory, names) for media_type, names in FILES.items()
        }

    async def fetch(self, media_type: str, params: dict[str, str]) -> dict:
        """Return Pixabay's envelope for `params` ("image" or "video" media).

        Raises PageOutOfRange for a page past the reachable matches, and
        ValueError for an unknown media type, a number that is not one, or a
        `per_page` outside 3-200: Trove validates those before asking.
        """
        hits = self._hits.get(media_type)
        if hits is None:
            raise ValueError(f"unknown media type {media_type!r}")
        page = _integer(params, "page", 1)
        per_page = _integer(params, "per_page", 20)
        if not MIN_PER_PAGE <= per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be 3 to 200, not {per_page}")

        if params.get("id"):
            matches = [hit for hit in hits if str(hit["id"]) == params["id"]]
        else:
            matches = [hit for hit in hits if _wanted(hit, media_type, params)]
            matches.sort(key=_order_key(params.get("order")), reverse=True)

        reachable = min(len(matches), MAX_REACHABLE)
        start = (page - 1) * per_page
        if page < 1 or (page > 1 and start >= reachable):
            raise PageOutOfRange(f"page {page} is past {reachable} reachable hits")

        # Copies, as a fresh upstream answer would be: callers may change them.
        page_hits = copy.deepcopy(matches[start : min(start + per_page, reachable)])
        return {"total": len(matches), "totalHits": reachable, "hits": page_hits}


def _wanted(hit: dict, media_type: str, params: dict[str, str]) -> bool:
    """Whether `hit` passes the filters in `params` that the data record."""
    words = set(params.get("q", "").lower().replace("+", " ").split())
    tag_words = {word for tag in hit["tags"].lower().split(",") for word in tag.split()}
    if not words <= tag_words:
        return False

    kind = params.get(f"{media_type}_type", "all")
    if kind in TYPES[media_type] and hit["type"].split("/")[0] != kind:
        return False

    width, height = _size(hit, media_type)
    if width < _integer(params, "min_width", 0):
        return False
    if height < _integer(params, "min_height", 0):
        return False

    orientation = params.get("orientation", "all") if media_type == "image" else "all"
    if orientation == "horizontal":
        return width > height
    if orientation == "vertical":
        return height > width
    return True


def _size(hit: dict, media_type: str) -> tuple[int, int]:
    if media_type == "image":
        return hit["imageWidth"], hit["imageHeight"]
    sizes = [(video["width"], video["height"]) for video in hit["videos"].values()]
    return max(sizes, key=lambda size: size[0] * size[1])


def _order_key(order: str | None):
    if order == "latest":
        return lambda hit: hit["id"]
    return lambda hit: (hit["views"], hit["downloads"], hit["id"])


def _integer(params: dict[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, not {raw!r}") from None


def _load(directory: Path | Traversable, names: tuple[str, ...]) -> list[dict]:
    """The hits of the named files, each id once (the first file wins)."""
    hits: dict[int, dict] = {}
    for name in names:
        document = json.loads((directory / name).read_text(encoding="utf-8"))
        for hit in document if isinstance(document, list) else document["hits"]:
            hits.setdefault(hit["id"], _without_expired_urls(hit))
    return list(hits.values())


def _without_expired_urls(hit: dict) -> dict:
    # The samples' display-size image URLs expired a day after they were
    # saved; left in, every demo item would point at a dead picture. Without
    # them an item shows its preview, whose URL lasts.
    return {
        key: value
        for key, value in hit.items()
        if key not in ("webformatURL", "largeImageURL")
    }
