"""Pixabay's real hits become Trove's `Media` objects exactly as specified."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from jsonschema import Draft202012Validator, FormatChecker

from trove.search.normalise import (
    check_envelope,
    expiry_of,
    fit_within,
    normalise_hit,
)

ROOT = Path(__file__).resolve().parents[2]
# Real Pixabay responses, bundled with Trove for its demo catalogue.
SAMPLES = Path(__file__).resolve().parents[2] / "backend" / "trove" / "data" / "demo"
SAMPLE_FILES = {
    "images_search.json": "image",
    "images_search_2020_legacy_favorites.json": "image",
    "videos_search.json": "video",
    "videos_search_legacy_picture_id.json": "video",
    "videos_hits_only_2025.json": "video",
}
FETCHED_AT = datetime(2026, 12, 4, 10, 0, tzinfo=timezone.utc)
EXPIRES_AT = "2026-12-05T10:00:00Z"


def load_hits(name: str) -> list[dict]:
    document = json.loads((SAMPLES / name).read_text(encoding="utf-8"))
    return document if isinstance(document, list) else document["hits"]


def hit_by_id(name: str, media_id: int) -> dict:
    return copy.deepcopy(next(h for h in load_hits(name) if h["id"] == media_id))


def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc) and " " not in value


@pytest.fixture(scope="module")
def media_validator() -> Draft202012Validator:
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": "#/components/schemas/Media",
        "components": spec["components"],
    }
    # jsonschema checks no "uri" format without an extra package.
    checker = FormatChecker()
    checker.checks("uri")(_is_uri)
    return Draft202012Validator(schema, format_checker=checker)


def image(**changes) -> dict:
    hit = hit_by_id("images_search.json", 2083492)
    hit.update(changes)
    return hit


def video(**changes) -> dict:
    hit = hit_by_id("videos_search.json", 11543)
    hit.update(changes)
    return hit


# Every real sample


@pytest.mark.parametrize("name", sorted(SAMPLE_FILES))
def test_every_sample_hit_is_a_valid_media_object(name, media_validator):
    media_type = SAMPLE_FILES[name]
    hits = load_hits(name)

    items = [normalise_hit(media_type, hit, FETCHED_AT) for hit in hits]

    assert len(items) == len(hits) > 0
    for item in items:
        errors = list(media_validator.iter_errors({**item, "is_favorite": False}))
        assert errors == [], (item["id"], [error.message for error in errors])
        assert item["media_type"] == media_type


def test_the_schema_check_is_not_vacuous(media_validator):
    item = normalise_hit("image", image(), FETCHED_AT)

    broken = {**item, "is_favorite": False, "kind": "vector/svg", "extra": 1}

    messages = sorted(error.message for error in media_validator.iter_errors(broken))
    assert len(messages) == 2
    assert media_validator.is_valid({**item, "is_favorite": False})


def test_an_image_hit_becomes_the_spec_example():
    item = normalise_hit("image", image(), FETCHED_AT)

    assert item == {
        "id": 2083492,
        "media_type": "image",
        "kind": "photo",
        "tags": ["cat", "young animal", "nature"],
        "page_url": "https://pixabay.com/photos/"
        "cat-young-animal-kitten-gray-cat-2083492/",
        "preview": {
            "url": "https://cdn.pixabay.com/photo/2017/02/20/18/03/cat-2083492_150.jpg",
            "width": 150,
            "height": 91,
        },
        "width": 4928,
        "height": 3008,
        "sizes": [
            {
                "name": "web",
                "url": image()["webformatURL"],
                "width": 640,
                "height": 390,
                "expires_at": EXPIRES_AT,
            },
            {
                "name": "large",
                "url": image()["largeImageURL"],
                "width": 1280,
                "height": 781,
                "expires_at": EXPIRES_AT,
            },
        ],
        "renditions": [],
        "duration": None,
        "author": {
            "id": 1777190,
            "name": "susannp4",
            "avatar_url": "https://cdn.pixabay.com/user/2015/12/16/"
            "17-56-55-832_250x250.jpg",
        },
        "stats": {
            "views": 1414973,
            "downloads": 847784,
            "likes": 2672,
            "comments": 405,
            "collections": 2403,
        },
    }


def test_a_current_video_hit_keeps_every_rendition_smallest_first():
    base = "https://cdn.pixabay.com/video/2017/08/23/11543-231232163"

    item = normalise_hit("video", video(), FETCHED_AT)

    assert item["renditions"] == [
        {
            "quality": quality,
            "url": f"{base}_{quality}.mp4",
            "width": width,
            "height": height,
            "size": size,
            "poster_url": f"{base}_{quality}.jpg",
        }
        for quality, width, height, size in [
            ("tiny", 640, 360, 3389174),
            ("small", 960, 540, 7681183),
            ("medium", 1280, 720, 11295563),
            ("large", 1920, 1080, 25726331),
        ]
    ]
    assert item["preview"] == {"url": f"{base}_tiny.jpg", "width": 640, "height": 360}
    assert (item["width"], item["height"]) == (1920, 1080)
    assert item["kind"] == "film"
    assert item["duration"] == 64
    assert item["sizes"] == []
    assert item["stats"]["collections"] == 0


# Images


def test_the_large_size_fits_1280_on_the_longest_side_of_a_portrait():
    hit = hit_by_id("images_search.json", 114782)  # 2303 x 3012

    sizes = normalise_hit("image", hit, FETCHED_AT)["sizes"]

    assert [(s["name"], s["width"], s["height"]) for s in sizes] == [
        ("web", 489, 640),
        ("large", 979, 1280),
    ]


def test_the_large_size_of_a_small_original_is_not_upscaled():
    hit = image(imageWidth=1000, imageHeight=700)

    sizes = normalise_hit("image", hit, FETCHED_AT)["sizes"]

    assert (sizes[1]["width"], sizes[1]["height"]) == (1000, 700)


def test_fit_within_rounds_to_the_nearest_pixel_and_keeps_unknown_sizes():
    assert fit_within(4928, 3008, 1280) == (1280, 781)
    assert fit_within(3000, 4200, 1280) == (914, 1280)
    assert fit_within(1280, 720, 1280) == (1280, 720)
    assert fit_within(0, 0, 1280) == (0, 0)


def test_an_empty_size_url_leaves_that_size_out():
    hit = image(webformatURL="")

    sizes = normalise_hit("image", hit, FETCHED_AT)["sizes"]

    assert [size["name"] for size in sizes] == ["large"]


def test_sizes_expire_24_hours_after_the_fetch_written_in_utc():
    berlin = timezone(timedelta(hours=1))
    fetched_at = datetime(2026, 3, 1, 23, 30, 15, 999, tzinfo=berlin)

    sizes = normalise_hit("image", image(), fetched_at)["sizes"]

    assert {size["expires_at"] for size in sizes} == {"2026-03-02T22:30:15Z"}
    assert expiry_of(datetime(2026, 1, 1)) == "2026-01-02T00:00:00Z"


def test_an_empty_avatar_url_becomes_null():
    hit = hit_by_id("images_search.json", 3715733)
    assert hit["userImageURL"] == ""

    author = normalise_hit("image", hit, FETCHED_AT)["author"]

    assert author == {"id": hit["user_id"], "name": hit["user"], "avatar_url": None}


def test_the_legacy_favorites_counter_fills_collections():
    hit = hit_by_id("images_search_2020_legacy_favorites.json", 4910149)

    stats = normalise_hit("image", hit, FETCHED_AT)["stats"]

    assert stats == {
        "views": 532,
        "downloads": 247,
        "likes": 31,
        "comments": 44,
        "collections": 2,
    }


def test_collections_wins_over_favorites_when_both_are_present():
    stats = normalise_hit("image", image(favorites=7), FETCHED_AT)["stats"]

    assert stats["collections"] == 2403


def test_missing_counters_and_author_fields_default_to_zero_and_empty():
    hit = image()
    for name in ("views", "downloads", "likes", "comments", "collections",
                 "user_id", "user", "userImageURL", "imageSize"):
        del hit[name]

    item = normalise_hit("image", hit, FETCHED_AT)

    assert item["stats"] == dict.fromkeys(
        ["views", "downloads", "likes", "comments", "collections"], 0
    )
    assert item["author"] == {"id": 0, "name": "", "avatar_url": None}


def test_tags_are_split_stripped_deduplicated_and_kept_in_order():
    hit = image(tags=" sea,, beach ,sea, ,Sea,sky , beach")

    tags = normalise_hit("image", hit, FETCHED_AT)["tags"]

    assert tags == ["sea", "beach", "Sea", "sky"]


def test_missing_tags_are_an_empty_list():
    hit = image()
    del hit["tags"]

    assert normalise_hit("image", hit, FETCHED_AT)["tags"] == []


@pytest.mark.parametrize(
    ("pixabay_type", "kind"),
    [
        ("photo", "photo"),
        ("illustration", "illustration"),
        ("vector/svg", "vector"),
        ("vector/ai", "vector"),
    ],
)
def test_image_types_become_kinds(pixabay_type, kind):
    item = normalise_hit("image", image(type=pixabay_type), FETCHED_AT)

    assert item["kind"] == kind


def test_unknown_keys_and_odd_flags_are_ignored():
    hit = image(isLowQuality=0, isAiGenerated=False, noAiTraining=True,
                isGRated=True, userURL="https://pixabay.com/users/x-1/",
                somethingNew={"nested": [1, 2]})

    assert normalise_hit("image", hit, FETCHED_AT) == normalise_hit(
        "image", image(), FETCHED_AT
    )


def test_a_missing_preview_is_null():
    hit = image()
    del hit["previewURL"]

    assert normalise_hit("image", hit, FETCHED_AT)["preview"] is None


# Videos


def test_an_empty_large_rendition_is_skipped():
    hit = hit_by_id("videos_search.json", 5317)

    item = normalise_hit("video", hit, FETCHED_AT)

    assert [r["quality"] for r in item["renditions"]] == ["tiny", "small", "medium"]
    assert (item["width"], item["height"]) == (1280, 720)


def test_legacy_videos_take_their_posters_from_the_picture_id():
    hit = hit_by_id("videos_search_legacy_picture_id.json", 26451)
    poster = (
        "https://i.vimeocdn.com/video/812497041-23341c0640e56f02b0026e5b218ed3d9"
        "04c28c2659fc45b01f955081ae5bcf59-d_640x360.jpg"
    )

    item = normalise_hit("video", hit, FETCHED_AT)

    assert [r["poster_url"] for r in item["renditions"]] == [poster] * 4
    assert item["preview"] == {"url": poster, "width": 640, "height": 360}
    assert (item["width"], item["height"]) == (1920, 1080)
    assert item["author"]["avatar_url"] is None


def test_a_video_without_thumbnails_or_picture_id_has_no_poster():
    hit = video()
    for rendition in hit["videos"].values():
        del rendition["thumbnail"]

    item = normalise_hit("video", hit, FETCHED_AT)

    assert [r["poster_url"] for r in item["renditions"]] == [None] * 4
    assert item["preview"] is None


def test_a_picture_id_that_is_not_a_plain_token_is_ignored():
    hit = video(picture_id="../../evil?x=1")
    for rendition in hit["videos"].values():
        del rendition["thumbnail"]

    item = normalise_hit("video", hit, FETCHED_AT)

    assert item["preview"] is None


def test_the_preview_falls_back_to_the_small_rendition_with_its_size():
    hit = video()
    hit["videos"]["tiny"]["thumbnail"] = ""

    item = normalise_hit("video", hit, FETCHED_AT)

    assert item["preview"] == {
        "url": "https://cdn.pixabay.com/video/2017/08/23/11543-231232163_small.jpg",
        "width": 960,
        "height": 540,
    }
    assert item["renditions"][0]["poster_url"] is None


def test_a_portrait_video_takes_the_size_of_its_largest_rendition():
    hit = hit_by_id("videos_hits_only_2025.json", 213622)

    item = normalise_hit("video", hit, FETCHED_AT)

    assert (item["width"], item["height"]) == (2160, 4096)
    assert item["preview"]["width"] == 720


def test_a_video_without_renditions_or_duration_is_still_an_item():
    hit = video()
    del hit["videos"], hit["duration"]

    item = normalise_hit("video", hit, FETCHED_AT)

    assert item["renditions"] == []
    assert (item["width"], item["height"], item["duration"]) == (0, 0, None)
    assert item["preview"] is None


def test_video_types_become_kinds():
    assert normalise_hit("video", video(type="animation"), FETCHED_AT)["kind"] == (
        "animation"
    )


# Unusable hits


@pytest.mark.parametrize(
    ("media_type", "changes", "reason"),
    [
        ("image", {"id": None}, "id is missing or not an integer"),
        ("image", {"id": "2083492"}, "id is missing or not an integer"),
        ("image", {"id": True}, "id is missing or not an integer"),
        ("image", {"id": 0}, "id 0 is out of range"),
        ("image", {"pageURL": ""}, "pageURL is missing or not an http(s) URL"),
        ("image", {"pageURL": "javascript:alert(1)"},
         "pageURL is missing or not an http(s) URL"),
        ("image", {"tags": ["cat"]}, "tags is not a string"),
        ("image", {"views": "12"}, "views is not an integer"),
        ("image", {"likes": -1}, "likes is negative"),
        ("image", {"type": "film"}, "type 'film' is not a known image type"),
        ("image", {"type": None}, "type is missing or not a string"),
        ("image", {"user": 5}, "user is not a string"),
        ("image", {"webformatURL": 5}, "webformatURL is not a string"),
        ("video", {"videos": []}, "videos is not an object"),
        ("video", {"duration": 1.5}, "duration is not an integer"),
        ("video", {"type": "photo"}, "type 'photo' is not a known video type"),
    ],
)
def test_unusable_hits_raise_value_error_with_a_reason(media_type, changes, reason):
    hit = image(**changes) if media_type == "image" else video(**changes)

    with pytest.raises(ValueError) as caught:
        normalise_hit(media_type, hit, FETCHED_AT)

    assert str(caught.value) == reason


def test_a_hit_without_an_id_key_is_refused():
    hit = image()
    del hit["id"]

    with pytest.raises(ValueError, match="^id is missing"):
        normalise_hit("image", hit, FETCHED_AT)


def test_a_hit_that_is_no_object_is_refused():
    with pytest.raises(ValueError, match="^the hit is not an object$"):
        normalise_hit("image", ["id", 1], FETCHED_AT)


def test_a_rendition_that_is_no_object_is_refused():
    hit = video()
    hit["videos"]["tiny"] = "https://example.com/a.mp4"

    with pytest.raises(ValueError, match=r"^videos\.tiny is not an object$"):
        normalise_hit("video", hit, FETCHED_AT)


def test_a_url_with_another_scheme_is_dropped_not_passed_on():
    hit = image(userImageURL="javascript:alert(1)", previewURL="data:image/png,x")

    item = normalise_hit("image", hit, FETCHED_AT)

    assert item["author"]["avatar_url"] is None
    assert item["preview"] is None


# Envelopes


def test_a_real_envelope_passes_the_shape_check():
    document = json.loads((SAMPLES / "images_search.json").read_text())

    assert check_envelope(document) is document


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (["hits"], "the answer is not an object"),
        ({"total": 1, "totalHits": 1}, "hits is missing or not a list"),
        ({"total": 1, "totalHits": 1, "hits": {}}, "hits is missing or not a list"),
        ({"totalHits": 1, "hits": []}, "total is missing or not a count"),
        ({"total": 1, "totalHits": "1", "hits": []},
         "totalHits is missing or not a count"),
        ({"total": -1, "totalHits": 1, "hits": []}, "total is missing or not a count"),
    ],
)
def test_a_malformed_envelope_is_refused_with_a_reason(document, reason):
    with pytest.raises(ValueError) as caught:
        check_envelope(document)

    assert str(caught.value) == reason
