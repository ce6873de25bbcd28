"""Search input becomes Pixabay's parameters in one canonical form."""

from __future__ import annotations

import pytest

from trove.search.params import cache_key, lookup_params, upstream_params

ALL_DEFAULTS = {
    "q": None,
    "lang": "en",
    "image_type": "all",
    "orientation": "all",
    "category": None,
    "min_width": 0,
    "min_height": 0,
    "colors": None,
    "editors_choice": False,
    "safesearch": False,
    "order": "popular",
    "page": 1,
    "per_page": 20,
}


def test_a_query_of_defaults_gives_no_parameters():
    assert upstream_params("image", ALL_DEFAULTS) == {}
    assert upstream_params("image", {}) == {}


def test_every_image_parameter_is_written_as_pixabay_takes_it():
    query = {
        "q": "Yellow Flowers",
        "lang": "de",
        "image_type": "vector",
        "orientation": "vertical",
        "category": "nature",
        "min_width": 800,
        "min_height": 600,
        "colors": ["red", "blue"],
        "editors_choice": True,
        "safesearch": True,
        "order": "latest",
        "page": 3,
        "per_page": 50,
    }

    params = upstream_params("image", query)

    assert params == {
        "category": "nature",
        "colors": "blue,red",
        "editors_choice": "true",
        "image_type": "vector",
        "lang": "de",
        "min_height": "600",
        "min_width": "800",
        "order": "latest",
        "orientation": "vertical",
        "page": "3",
        "per_page": "50",
        "q": "yellow flowers",
        "safesearch": "true",
    }
    assert list(params) == sorted(params)


def test_the_query_is_trimmed_collapsed_and_lowercased():
    params = upstream_params("image", {"q": "  Yellow \t  FLOWERS\n "})

    assert params == {"q": "yellow flowers"}


@pytest.mark.parametrize("q", ["", "   ", "\t\n"])
def test_an_empty_query_is_left_out(q):
    assert upstream_params("image", {"q": q}) == {}


def test_colors_are_sorted_and_joined_with_commas():
    params = upstream_params("image", {"colors": ["white", "black", "red"]})

    assert params == {"colors": "black,red,white"}


def test_false_booleans_are_left_out():
    params = upstream_params(
        "image", {"editors_choice": False, "safesearch": True}
    )

    assert params == {"safesearch": "true"}


def test_video_parameters_include_the_video_type():
    params = upstream_params(
        "video", {"q": "Sea", "video_type": "animation", "per_page": 3}
    )

    assert params == {"per_page": "3", "q": "sea", "video_type": "animation"}


def test_two_ways_of_writing_one_search_give_one_cache_key():
    first = {"q": "  Blue  Sky", "colors": ["red", "blue"], "page": 1, "lang": "en"}
    second = {"colors": ["blue", "red"], "q": "blue sky", "per_page": 20}

    one = upstream_params("image", first)
    other = upstream_params("image", second)

    assert one == other == {"colors": "blue,red", "q": "blue sky"}
    assert cache_key("image", one) == cache_key("image", other)


def test_the_cache_key_ignores_dict_order_but_not_the_media_type():
    assert cache_key("image", {"a": "1", "b": "2"}) == cache_key(
        "image", {"b": "2", "a": "1"}
    )
    assert cache_key("image", {"q": "x"}) != cache_key("video", {"q": "x"})


def test_a_lookup_asks_for_one_id():
    assert lookup_params(2083492) == {"id": "2083492"}


@pytest.mark.parametrize(
    ("media_type", "query", "message"),
    [
        ("video", {"colors": ["red"]}, "video search takes no colors"),
        ("video", {"image_type": "photo"}, "video search takes no image_type"),
        ("image", {"video_type": "film"}, "image search takes no video_type"),
        ("image", {"key": "x"}, "image search takes no key"),
        ("audio", {}, "unknown media type 'audio'"),
        ("image", {"editors_choice": "true"}, "editors_choice must be a boolean"),
        ("image", {"page": "2"}, "page must be an integer"),
        ("image", {"min_width": True}, "min_width must be an integer"),
        ("image", {"q": 5}, "q must be a string"),
        ("image", {"colors": "red"}, "colors must be a list"),
        ("image", {"order": 1}, "order must be a string"),
    ],
)
def test_wiring_mistakes_raise_value_error(media_type, query, message):
    with pytest.raises(ValueError) as caught:
        upstream_params(media_type, query)

    assert str(caught.value) == message
