"""The demo catalogue answers from the bundled samples as Pixabay would."""

from __future__ import annotations

import asyncio
import json
import shutil
from importlib import resources

import pytest

from trove.search.demo import DemoCatalogue
from trove.search.upstream import PageOutOfRange

DATA_DIR = resources.files("trove") / "data" / "demo"
EMPTY = {"total": 0, "totalHits": 0, "hits": []}
LEGACY_PICTURE_ID = (
    "812497041-23341c0640e56f02b0026e5b218ed3d904c28c2659fc45b01f955081ae5bcf59-d"
)


@pytest.fixture
def catalogue():
    return DemoCatalogue()


def fetch(catalogue, media_type, **params):
    return asyncio.run(catalogue.fetch(media_type, params))


def ids(envelope) -> list[int]:
    return [hit["id"] for hit in envelope["hits"]]


# Everything


def test_without_filters_every_image_matches_and_twenty_come_back(catalogue):
    envelope = fetch(catalogue, "image")

    assert envelope["total"] == 23
    assert envelope["totalHits"] == 23
    assert len(envelope["hits"]) == 20


def test_videos_from_the_three_samples_are_each_served_once(catalogue):
    envelope = fetch(catalogue, "video", per_page="200")

    assert envelope["total"] == 57
    assert len(set(ids(envelope))) == 57


def test_a_hit_is_served_as_pixabay_sent_it_but_its_dead_urls(catalogue):
    sample = json.loads((DATA_DIR / "images_search.json").read_text())["hits"][0]
    expired = {"webformatURL", "largeImageURL"}

    envelope = fetch(catalogue, "image", id=str(sample["id"]))

    assert envelope["hits"] == [
        {key: value for key, value in sample.items() if key not in expired}
    ]


def test_a_legacy_video_keeps_its_picture_id(catalogue):
    envelope = fetch(catalogue, "video", id="26451")

    assert envelope["hits"][0]["picture_id"] == LEGACY_PICTURE_ID


# q


def test_q_matches_whole_tag_words_ignoring_case(catalogue):
    envelope = fetch(catalogue, "image", q="Cat", per_page="200")

    assert envelope["total"] == 17
    assert 4910149 not in ids(envelope)


def test_every_word_of_q_must_be_a_tag_word(catalogue):
    spaced = fetch(catalogue, "image", q="blue eyes")
    joined = fetch(catalogue, "image", q="blue+eyes")

    assert ids(spaced) == [1285634]
    assert ids(joined) == [1285634]


def test_part_of_a_word_matches_nothing(catalogue):
    assert fetch(catalogue, "image", q="ca") == EMPTY


def test_a_search_that_matches_nothing_is_an_empty_envelope(catalogue):
    assert fetch(catalogue, "video", q="submarine") == EMPTY


# Other filters


def test_image_type_vector_matches_none_of_the_photos(catalogue):
    assert fetch(catalogue, "image", image_type="vector") == EMPTY


def test_image_type_photo_matches_every_image(catalogue):
    envelope = fetch(catalogue, "image", image_type="photo")

    assert envelope["total"] == 23


def test_video_type_animation_keeps_the_thirteen_animations(catalogue):
    envelope = fetch(catalogue, "video", video_type="animation", per_page="200")

    assert envelope["total"] == 13
    assert {hit["type"] for hit in envelope["hits"]} == {"animation"}


def test_orientation_vertical_keeps_images_taller_than_wide(catalogue):
    envelope = fetch(catalogue, "image", orientation="vertical")

    assert sorted(ids(envelope)) == [114782, 551554, 1651945, 4744181]


def test_orientation_horizontal_keeps_the_other_images(catalogue):
    envelope = fetch(catalogue, "image", orientation="horizontal")

    assert envelope["total"] == 19


def test_orientation_does_not_filter_videos(catalogue):
    envelope = fetch(catalogue, "video", orientation="vertical")

    assert envelope["total"] == 57


def test_min_width_of_a_video_is_its_largest_rendition(catalogue):
    envelope = fetch(catalogue, "video", min_width="3840", per_page="200")

    assert envelope["total"] == 22


def test_a_video_with_an_empty_large_rendition_is_measured_by_medium(catalogue):
    envelope = fetch(catalogue, "video", q="carousel", min_height="720")

    assert ids(envelope) == [11543, 5317]


def test_min_height_of_an_image_is_its_full_height(catalogue):
    envelope = fetch(catalogue, "image", min_height="4000")

    assert sorted(ids(envelope)) == [1455468, 1651945, 4611189]


def test_filters_the_data_cannot_check_are_ignored(catalogue):
    envelope = fetch(
        catalogue,
        "image",
        category="animals",
        colors="red",
        editors_choice="true",
        safesearch="true",
        lang="de",
    )

    assert envelope["total"] == 23


# Order


def test_popular_order_is_by_views_then_downloads(catalogue):
    envelope = fetch(catalogue, "image", per_page="3")

    assert ids(envelope) == [551554, 736877, 2083492]


def test_latest_order_is_by_id_highest_first(catalogue):
    envelope = fetch(catalogue, "image", order="latest", per_page="3")

    assert ids(envelope) == [5046798, 4910149, 4744181]


# Paging


def test_pages_follow_each_other_without_overlap(catalogue):
    pages = [fetch(catalogue, "image", per_page="10", page=str(n)) for n in (1, 2, 3)]

    assert [len(page["hits"]) for page in pages] == [10, 10, 3]
    assert sum((ids(page) for page in pages), []) == ids(
        fetch(catalogue, "image", per_page="30")
    )


def test_a_page_past_the_last_hit_is_out_of_range(catalogue):
    with pytest.raises(PageOutOfRange):
        fetch(catalogue, "image", per_page="20", page="3")


def test_page_zero_is_out_of_range(catalogue):
    with pytest.raises(PageOutOfRange):
        fetch(catalogue, "image", page="0")


def test_the_first_page_of_nothing_is_empty_not_out_of_range(catalogue):
    assert fetch(catalogue, "image", q="submarine", page="1") == EMPTY


def test_the_second_page_of_nothing_is_out_of_range(catalogue):
    with pytest.raises(PageOutOfRange):
        fetch(catalogue, "image", q="submarine", page="2")


@pytest.mark.parametrize("per_page", ["2", "201"])
def test_per_page_outside_3_to_200_is_a_wiring_mistake(catalogue, per_page):
    with pytest.raises(ValueError, match="per_page must be 3 to 200"):
        fetch(catalogue, "image", per_page=per_page)


# id


def test_an_id_answers_that_one_item_whatever_the_filters(catalogue):
    envelope = fetch(catalogue, "video", id="5317", q="submarine")

    assert envelope["total"] == 1
    assert envelope["totalHits"] == 1
    assert ids(envelope) == [5317]


def test_an_unknown_id_answers_an_empty_envelope(catalogue):
    assert fetch(catalogue, "image", id="999") == EMPTY


def test_an_image_id_is_not_found_among_videos(catalogue):
    assert fetch(catalogue, "video", id="2083492") == EMPTY


# The catalogue itself


def test_changing_an_answer_does_not_change_the_catalogue(catalogue):
    first = fetch(catalogue, "image", id="2083492")
    first["hits"][0]["tags"] = "changed"

    again = fetch(catalogue, "image", id="2083492")

    assert again["hits"][0]["tags"] == "cat, young animal, nature"


def test_the_files_are_read_once_at_construction(tmp_path):
    for name in DATA_DIR.iterdir():
        if name.name.endswith(".json"):
            shutil.copy(name, tmp_path / name.name)
    catalogue = DemoCatalogue(tmp_path)
    shutil.rmtree(tmp_path)

    envelope = fetch(catalogue, "video", id="5317")

    assert ids(envelope) == [5317]


def test_an_unknown_media_type_is_refused(catalogue):
    with pytest.raises(ValueError, match="unknown media type 'music'"):
        fetch(catalogue, "music")
