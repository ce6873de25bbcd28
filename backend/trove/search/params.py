"""Trove's validated search input turned into Pixabay's query parameters.

The result is canonical: two requests that mean the same thing give the
same parameters, so they share one cache entry and one upstream call.
Values equal to Pixabay's defaults are left out for the same reason.
"""

from __future__ import annotations

from typing import Any

# Pixabay's defaults, which are also the spec's.
DEFAULTS: dict[str, Any] = {
    "lang": "en",
    "image_type": "all",
    "video_type": "all",
    "orientation": "all",
    "min_width": 0,
    "min_height": 0,
    "editors_choice": False,
    "safesearch": False,
    "order": "popular",
    "page": 1,
    "per_page": 20,
}

_COMMON = (
    "q", "lang", "category", "min_width", "min_height", "editors_choice",
    "safesearch", "order", "page", "per_page",
)
ALLOWED = {
    "image": frozenset(_COMMON + ("image_type", "orientation", "colors")),
    "video": frozenset(_COMMON + ("video_type",)),
}
_INTEGERS = frozenset({"min_width", "min_height", "page", "per_page"})
_BOOLEANS = frozenset({"editors_choice", "safesearch"})


def upstream_params(media_type: str, validated: dict) -> dict[str, str]:
    """Turn validated API query values into Pixabay's parameters.

    `validated` uses the spec's names and types (ints, bools, a list of
    colors); None means absent. The result's keys are sorted. Raises
    ValueError for a name the media type does not take or a value of the
    wrong type: both are wiring mistakes, not user input.
    """
    allowed = ALLOWED.get(media_type)
    if allowed is None:
        raise ValueError(f"unknown media type {media_type!r}")
    unknown = sorted(set(validated) - allowed)
    if unknown:
        raise ValueError(f"{media_type} search takes no {', '.join(unknown)}")

    params = {}
    for name in sorted(validated):
        value = _canonical(name, validated[name])
        if value is not None:
            params[name] = value
    return params


def lookup_params(media_id: int) -> dict[str, str]:
    """The parameters that ask Pixabay for one item by its id."""
    return {"id": str(media_id)}


def cache_key(media_type: str, params: dict[str, str]) -> tuple:
    """A hashable key for one upstream answer, whatever the dict's order."""
    return (media_type, tuple(sorted(params.items())))


def _canonical(name: str, value: Any) -> str | None:
    if value is None or _is_default(name, value):
        return None

    if name == "q":
        return _query(value)
    if name == "colors":
        return _colors(value)
    if name in _BOOLEANS:
        return _boolean(name, value)
    if name in _INTEGERS:
        return _integer(name, value)
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string")
    return value


def _query(value: Any) -> str | None:
    if not isinstance(value, str):
        raise ValueError("q must be a string")

    # Pixabay's search ignores case and spacing, so the cache can too.
    words = " ".join(value.split()).lower()
    return words or None


def _colors(value: Any) -> str | None:
    if not isinstance(value, (list, tuple, set, frozenset)):
        raise ValueError("colors must be a list")
    if not all(isinstance(color, str) for color in value):
        raise ValueError("colors must be strings")

    colors = sorted(set(value))
    return ",".join(colors) or None


def _boolean(name: str, value: Any) -> str | None:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be a boolean")
    return "true" if value else None


def _integer(name: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer")
    return str(value)


def _is_default(name: str, value: Any) -> bool:
    if name not in DEFAULTS:
        return False

    default = DEFAULTS[name]
    # 0 == False in Python: a default must match in type as well as value.
    return type(value) is type(default) and value == default
