"""Pixabay's hits turned into Trove's `Media` shape.

Pixabay adds keys whenever it likes and has dropped one before
(`picture_id`, April 2024), so parsing is tolerant: unknown keys are
ignored, undocumented keys are optional and counters default to 0. What
Trove cannot do without (an `id`, a `pageURL`, a known `type`) or a value
of the wrong type makes the hit unusable, reported as a `ValueError`.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

MEDIA_TYPES = ("image", "video")
MAX_MEDIA_ID = 9007199254740991
MAX_URL_LENGTH = 2048
MAX_TAGS = 100
MAX_TAG_LENGTH = 200
MAX_NAME_LENGTH = 200

# Pixabay's tokenised `/get/` URLs stop working a day after the answer.
SIZE_URL_LIFETIME = timedelta(hours=24)
WEB_LONGEST_SIDE = 640
LARGE_LONGEST_SIDE = 1280

RENDITION_QUALITIES = ("tiny", "small", "medium", "large")
POSTER_QUALITIES = ("tiny", "small", "medium", "large")

# Before April 2024 a video's poster came from Vimeo's CDN; Pixabay
# documented the 640x360 size for it.
LEGACY_POSTER_URL = "https://i.vimeocdn.com/video/{picture_id}_{width}x{height}.jpg"
LEGACY_POSTER_WIDTH = 640
LEGACY_POSTER_HEIGHT = 360
_PICTURE_ID = re.compile(r"[A-Za-z0-9_-]{1,200}")

_IMAGE_KINDS = {
    "photo": "photo",
    "illustration": "illustration",
    "vector": "vector",
    "vector/svg": "vector",
    "vector/ai": "vector",
}
_VIDEO_KINDS = {"film": "film", "animation": "animation"}
_COUNTERS = ("views", "downloads", "likes", "comments")


def normalise_hit(media_type: str, hit: dict, fetched_at: datetime) -> dict:
    """Turn one Pixabay hit into a `Media` object without `is_favorite`.

    `fetched_at` is when Pixabay gave the answer: the temporary image URLs
    expire 24 hours after it. Raises ValueError, with a short reason, when
    the hit lacks what every item needs or holds a value of the wrong type.
    """
    if media_type not in MEDIA_TYPES:
        raise ValueError(f"unknown media type {media_type!r}")
    if not isinstance(hit, dict):
        raise ValueError("the hit is not an object")

    media_id = _media_id(hit)
    page_url = _url(hit, "pageURL")
    if page_url is None:
        raise ValueError("pageURL is missing or not an http(s) URL")

    common = {
        "id": media_id,
        "media_type": media_type,
        "kind": _kind(media_type, hit),
        "tags": _tags(hit),
        "page_url": page_url,
    }
    if media_type == "image":
        shape = _image_parts(hit, fetched_at)
    else:
        shape = _video_parts(hit)

    return {**common, **shape, "author": _author(hit), "stats": _stats(hit)}


def check_envelope(body: object) -> dict:
    """Return `body` if it has the shape of a Pixabay answer.

    The shape is an object with a `hits` list and integer `total` and
    `totalHits`; the hits themselves are checked one by one later. Raises
    ValueError, with a short reason, otherwise.
    """
    if not isinstance(body, dict):
        raise ValueError("the answer is not an object")
    if not isinstance(body.get("hits"), list):
        raise ValueError("hits is missing or not a list")

    for key in ("total", "totalHits"):
        if not _is_int(body.get(key)) or body[key] < 0:
            raise ValueError(f"{key} is missing or not a count")
    return body


def expiry_of(fetched_at: datetime) -> str:
    """Say when a temporary URL fetched at `fetched_at` stops working.

    The answer is ISO 8601 in UTC with a `Z`; a naive `fetched_at` is taken
    to be UTC already.
    """
    if fetched_at.tzinfo is None:
        fetched_at = fetched_at.replace(tzinfo=timezone.utc)

    expires = (fetched_at + SIZE_URL_LIFETIME).astimezone(timezone.utc)
    return expires.strftime("%Y-%m-%dT%H:%M:%SZ")


def without_expired_sizes(media: dict, now: datetime) -> dict:
    """`media` with only the display sizes whose URLs still work at `now`.

    Pixabay's display URLs stop working 24 hours after it gave them out; a
    client is then left with the preview, whose URL lasts.
    """
    sizes = media.get("sizes") or []
    kept = [s for s in sizes if datetime.fromisoformat(s["expires_at"]) > now]
    return media if len(kept) == len(sizes) else {**media, "sizes": kept}


def fit_within(width: int, height: int, longest: int) -> tuple[int, int]:
    """Scale `width` x `height` so its longest side is at most `longest`.

    Never upscales; rounds to the nearest pixel. Unknown (zero) sizes stay
    zero, since there is nothing to scale from.
    """
    side = max(width, height)
    if side <= longest or min(width, height) <= 0:
        return width, height

    # Integer arithmetic: round half up without float surprises.
    return (
        (width * longest + side // 2) // side,
        (height * longest + side // 2) // side,
    )


def _image_parts(hit: dict, fetched_at: datetime) -> dict:
    width = _count(hit, "imageWidth")
    height = _count(hit, "imageHeight")
    expires_at = expiry_of(fetched_at)

    sizes = []
    web_url = _url(hit, "webformatURL")
    if web_url is not None:
        fallback = fit_within(width, height, WEB_LONGEST_SIDE)
        sizes.append(
            {
                "name": "web",
                "url": web_url,
                "width": _count(hit, "webformatWidth", fallback[0]),
                "height": _count(hit, "webformatHeight", fallback[1]),
                "expires_at": expires_at,
            }
        )
    large_url = _url(hit, "largeImageURL")
    if large_url is not None:
        large_width, large_height = fit_within(width, height, LARGE_LONGEST_SIDE)
        sizes.append(
            {
                "name": "large",
                "url": large_url,
                "width": large_width,
                "height": large_height,
                "expires_at": expires_at,
            }
        )

    return {
        "preview": _picture(hit, "previewURL", "previewWidth", "previewHeight"),
        "width": width,
        "height": height,
        "sizes": sizes,
        "renditions": [],
        "duration": None,
    }


def _video_parts(hit: dict) -> dict:
    videos = hit.get("videos")
    if videos is None:
        videos = {}
    if not isinstance(videos, dict):
        raise ValueError("videos is not an object")
    legacy_poster = _legacy_poster(hit)

    renditions = []
    posters = {}
    for quality in RENDITION_QUALITIES:
        raw = videos.get(quality)
        if raw is None:
            continue
        if not isinstance(raw, dict):
            raise ValueError(f"videos.{quality} is not an object")
        thumbnail = _url(raw, "thumbnail")
        width = _count(raw, "width")
        height = _count(raw, "height")
        if thumbnail is not None:
            posters[quality] = {"url": thumbnail, "width": width, "height": height}
        url = _url(raw, "url")
        if url is None:
            # An empty rendition (video 5317's `large`) is no rendition.
            continue
        renditions.append(
            {
                "quality": quality,
                "url": url,
                "width": width,
                "height": height,
                "size": _count(raw, "size"),
                "poster_url": thumbnail or legacy_poster,
            }
        )

    largest = max(
        renditions,
        key=lambda rendition: rendition["width"] * rendition["height"],
        default={"width": 0, "height": 0},
    )
    return {
        "preview": _video_preview(posters, legacy_poster),
        "width": largest["width"],
        "height": largest["height"],
        "sizes": [],
        "renditions": renditions,
        "duration": _duration(hit),
    }


def _video_preview(posters: dict[str, dict], legacy_poster: str | None) -> dict | None:
    for quality in POSTER_QUALITIES:
        if quality in posters:
            return posters[quality]
    if legacy_poster is not None:
        return {
            "url": legacy_poster,
            "width": LEGACY_POSTER_WIDTH,
            "height": LEGACY_POSTER_HEIGHT,
        }
    return None


def _legacy_poster(hit: dict) -> str | None:
    picture_id = hit.get("picture_id")
    if isinstance(picture_id, int) and not isinstance(picture_id, bool):
        picture_id = str(picture_id)
    # Anything but a plain token could smuggle a path or query into the URL.
    if not isinstance(picture_id, str) or not _PICTURE_ID.fullmatch(picture_id):
        return None

    return LEGACY_POSTER_URL.format(
        picture_id=picture_id,
        width=LEGACY_POSTER_WIDTH,
        height=LEGACY_POSTER_HEIGHT,
    )


def _media_id(hit: dict) -> int:
    media_id = hit.get("id")
    if not _is_int(media_id):
        raise ValueError("id is missing or not an integer")
    if not 1 <= media_id <= MAX_MEDIA_ID:
        raise ValueError(f"id {media_id} is out of range")
    return media_id


def _kind(media_type: str, hit: dict) -> str:
    raw = hit.get("type")
    if not isinstance(raw, str):
        raise ValueError("type is missing or not a string")

    kinds = _IMAGE_KINDS if media_type == "image" else _VIDEO_KINDS
    kind = kinds.get(raw.strip().lower())
    if kind is None:
        raise ValueError(f"type {raw[:40]!r} is not a known {media_type} type")
    return kind


def _tags(hit: dict) -> list[str]:
    raw = hit.get("tags")
    if raw is None:
        return []
    if not isinstance(raw, str):
        raise ValueError("tags is not a string")

    tags: list[str] = []
    for part in raw.split(","):
        tag = part.strip()
        # An overlong tag is noise, not a reason to lose the item.
        if tag and len(tag) <= MAX_TAG_LENGTH and tag not in tags:
            tags.append(tag)
    return tags[:MAX_TAGS]


def _author(hit: dict) -> dict:
    name = hit.get("user")
    if name is None:
        name = ""
    if not isinstance(name, str):
        raise ValueError("user is not a string")

    return {
        "id": _count(hit, "user_id"),
        "name": name[:MAX_NAME_LENGTH],
        "avatar_url": _url(hit, "userImageURL"),
    }


def _stats(hit: dict) -> dict:
    stats = {name: _count(hit, name) for name in _COUNTERS}

    # Responses before about 2021 call the counter `favorites`.
    if hit.get("collections") is not None:
        stats["collections"] = _count(hit, "collections")
    else:
        stats["collections"] = _count(hit, "favorites")
    return stats


def _duration(hit: dict) -> int | None:
    if hit.get("duration") is None:
        return None
    return _count(hit, "duration")


def _picture(hit: dict, url_key: str, width_key: str, height_key: str) -> dict | None:
    url = _url(hit, url_key)
    if url is None:
        return None
    return {
        "url": url,
        "width": _count(hit, width_key),
        "height": _count(hit, height_key),
    }


def _url(source: dict, key: str) -> str | None:
    """Read an http(s) URL, or None when it is missing or empty.

    Other schemes (`javascript:`, `data:`) are dropped rather than passed on
    to a browser that will put them into links and image tags.
    """
    value = source.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"{key} is not a string")

    value = value.strip()
    if len(value) > MAX_URL_LENGTH or not value.lower().startswith(
        ("https://", "http://")
    ):
        return None
    return value


def _count(source: dict, key: str, default: int = 0) -> int:
    value = source.get(key)
    if value is None:
        return default
    if not _is_int(value):
        raise ValueError(f"{key} is not an integer")
    if value < 0:
        raise ValueError(f"{key} is negative")
    return value


def _is_int(value: Any) -> bool:
    # JSON true and false arrive as bool, which Python counts as int.
    return isinstance(value, int) and not isinstance(value, bool)
