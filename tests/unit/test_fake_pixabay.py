"""The fake Pixabay answers as the real API does, so other tests can trust it."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.fakes.pixabay import FakePixabay
from tests.support.servers import free_port

INVALID_KEY = "[ERROR 400] Invalid or missing API key"
PAGE_OUT_OF_RANGE = '[ERROR 400] "page" is out of valid range.'
PER_PAGE_OUT_OF_RANGE = '[ERROR 400] "per_page" is out of valid range.'

# Counted in the bundled samples: every hit with "cat" among its tag words.
CAT_IMAGES = 17
ALL_IMAGES = 23
ALL_VIDEOS = 57


@pytest.fixture
def pixabay():
    with FakePixabay() as fake:
        yield fake


@pytest.fixture(scope="module")
def http():
    # One client for the module: building one loads the CA bundle, which costs
    # more than a test. trust_env=False keeps any configured proxy out.
    with httpx.Client(timeout=2.0, trust_env=False) as client:
        yield client


def images(http, pixabay, **params):
    return http.get(pixabay.url, params={"key": "test-key", **params})


def videos(http, pixabay, **params):
    return http.get(pixabay.url + "videos/", params={"key": "test-key", **params})


def ids(response) -> list[int]:
    return [hit["id"] for hit in response.json()["hits"]]


# Key


def test_a_request_without_a_key_is_refused_in_plain_text(http, pixabay):
    response = http.get(pixabay.url, params={"q": "cat"})

    assert response.status_code == 400
    assert response.text == INVALID_KEY
    assert response.headers["content-type"] == "text/plain; charset=utf-8"


def test_a_wrong_key_is_refused_for_videos_too(http, pixabay):
    response = videos(http, pixabay, key="other-key")

    assert response.status_code == 400
    assert response.text == INVALID_KEY


def test_an_unknown_path_is_not_found(http, pixabay):
    response = http.get(pixabay.url + "music/", params={"key": "test-key"})

    assert response.status_code == 404


# Envelope and paging


def test_a_search_answers_an_envelope_of_twenty_hits_by_default(http, pixabay):
    response = images(http, pixabay)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert (body["total"], body["totalHits"], len(body["hits"])) == (
        ALL_IMAGES,
        ALL_IMAGES,
        20,
    )


def test_videos_come_from_all_three_samples_each_id_once(http, pixabay):
    response = videos(http, pixabay, per_page="200")

    assert response.json()["total"] == ALL_VIDEOS
    assert len(set(ids(response))) == ALL_VIDEOS
    assert {5317, 26451, 213622} <= set(ids(response))


def test_pages_follow_each_other_without_overlap(http, pixabay):
    first = images(http, pixabay, per_page="10", page="1")
    second = images(http, pixabay, per_page="10", page="2")
    third = images(http, pixabay, per_page="10", page="3")

    everything = ids(first) + ids(second) + ids(third)
    assert len(ids(third)) == 3
    assert everything == ids(images(http, pixabay, per_page="30"))


def test_only_500_hits_are_reachable_when_more_match(http, pixabay):
    pixabay.inflate("image", 600)

    response = images(http, pixabay, q="bulk", per_page="200", page="3")

    assert response.json()["total"] == 600
    assert response.json()["totalHits"] == 500
    assert len(response.json()["hits"]) == 100


def test_a_page_past_hit_500_is_an_error_not_an_empty_page(http, pixabay):
    pixabay.inflate("video", 600)

    response = videos(http, pixabay, q="bulk", per_page="200", page="4")

    assert response.status_code == 400
    assert response.text == PAGE_OUT_OF_RANGE


def test_the_page_just_past_the_last_hit_is_out_of_range(http, pixabay):
    last = images(http, pixabay, per_page="20", page="2")
    past = images(http, pixabay, per_page="20", page="3")

    assert len(last.json()["hits"]) == ALL_IMAGES - 20
    assert past.status_code == 400
    assert past.text == PAGE_OUT_OF_RANGE


def test_the_first_page_of_an_empty_result_is_an_empty_envelope(http, pixabay):
    response = images(http, pixabay, q="submarine")

    assert response.status_code == 200
    assert response.json() == {"total": 0, "totalHits": 0, "hits": []}


def test_page_zero_is_out_of_range(http, pixabay):
    response = images(http, pixabay, page="0")

    assert response.text == PAGE_OUT_OF_RANGE


@pytest.mark.parametrize("per_page", ["2", "201", "many"])
def test_per_page_outside_3_to_200_is_refused(http, pixabay, per_page):
    response = images(http, pixabay, per_page=per_page)

    assert response.status_code == 400
    assert response.text == PER_PAGE_OUT_OF_RANGE


@pytest.mark.parametrize("per_page", ["3", "200"])
def test_per_page_at_either_bound_is_accepted(http, pixabay, per_page):
    response = images(http, pixabay, per_page=per_page)

    assert response.status_code == 200


def test_inflated_hits_get_new_ids_and_keep_their_tags(http, pixabay):
    pixabay.inflate("image", 3)

    response = images(http, pixabay, q="bulk", order="latest")

    assert ids(response) == [5046801, 5046800, 5046799]
    assert all(hit["tags"].endswith(", bulk") for hit in response.json()["hits"])


# Filters


def test_q_matches_whole_tag_words_ignoring_case(http, pixabay):
    response = images(http, pixabay, q="CAT", per_page="200")

    assert response.json()["total"] == CAT_IMAGES


def test_every_word_of_q_must_match(http, pixabay):
    spaced = images(http, pixabay, q="blue eyes")
    joined = http.get(pixabay.url + "?key=test-key&q=blue+eyes")

    assert ids(spaced) == [1285634]
    assert ids(joined) == [1285634]


def test_q_does_not_match_part_of_a_word(http, pixabay):
    response = images(http, pixabay, q="ca")

    assert response.json()["total"] == 0


def test_an_id_answers_that_one_item(http, pixabay):
    response = videos(http, pixabay, id="5317", q="unrelated")

    assert response.json()["total"] == 1
    assert response.json()["totalHits"] == 1
    assert ids(response) == [5317]


def test_an_unknown_id_answers_an_empty_envelope(http, pixabay):
    response = images(http, pixabay, id="999")

    assert response.status_code == 200
    assert response.json() == {"total": 0, "totalHits": 0, "hits": []}


def test_orientation_vertical_keeps_images_taller_than_wide(http, pixabay):
    response = images(http, pixabay, orientation="vertical")

    assert sorted(ids(response)) == [114782, 551554, 1651945, 4744181]


def test_min_width_on_videos_uses_the_largest_rendition(http, pixabay):
    response = videos(http, pixabay, min_width="3840", per_page="200")

    assert response.json()["total"] == 22


def test_video_type_animation_keeps_only_animations(http, pixabay):
    response = videos(http, pixabay, video_type="animation", per_page="200")

    assert response.json()["total"] == 13
    assert {hit["type"] for hit in response.json()["hits"]} == {"animation"}


def test_image_type_vector_matches_no_photo(http, pixabay):
    response = images(http, pixabay, image_type="vector")

    assert response.json()["total"] == 0


def test_order_latest_sorts_by_id_newest_first(http, pixabay):
    response = images(http, pixabay, order="latest", per_page="3")

    assert ids(response) == [5046798, 4910149, 4744181]


def test_order_popular_sorts_by_views(http, pixabay):
    response = images(http, pixabay, per_page="3")

    assert ids(response) == [551554, 736877, 2083492]


def test_unfilterable_parameters_are_accepted_and_recorded(http, pixabay):
    response = images(http, pixabay, colors="red", editors_choice="true", lang="de")

    assert response.json()["total"] == ALL_IMAGES
    assert pixabay.requests[0].params == {
        "key": "test-key",
        "colors": "red",
        "editors_choice": "true",
        "lang": "de",
    }


# Rate limit


def test_every_answer_carries_the_rate_limit_headers(http, pixabay):
    images(http, pixabay)
    response = images(http, pixabay, per_page="1")

    assert response.headers["X-RateLimit-Limit"] == "100"
    assert response.headers["X-RateLimit-Remaining"] == "98"
    assert response.headers["X-RateLimit-Reset"] == "60"


def test_a_request_over_the_limit_gets_429(http, pixabay):
    pixabay.set_remaining(1)

    allowed = images(http, pixabay)
    refused = images(http, pixabay)

    assert allowed.headers["X-RateLimit-Remaining"] == "0"
    assert refused.status_code == 429
    assert refused.text == "API rate limit exceeded"
    assert refused.headers["X-RateLimit-Remaining"] == "0"


def test_the_budget_comes_back_when_the_window_ends(http):
    with FakePixabay(rate_limit=3, window=0.2) as pixabay:
        pixabay.set_remaining(0)
        refused = images(http, pixabay)
        time.sleep(0.25)

        allowed = images(http, pixabay)

    assert refused.status_code == 429
    assert refused.headers["X-RateLimit-Reset"] == "1"
    assert allowed.status_code == 200
    assert allowed.headers["X-RateLimit-Remaining"] == "2"


def test_a_wrong_key_does_not_use_the_budget(http, pixabay):
    images(http, pixabay, key="other-key")

    response = images(http, pixabay)

    assert response.headers["X-RateLimit-Remaining"] == "99"


# Faults


def test_queued_failures_answer_in_order_then_normal_service_resumes(
    http, pixabay
):
    pixabay.queue_failure(503, "down", headers={"Retry-After": "7"})
    pixabay.queue_failure(502, b"<html>bad gateway</html>", "text/html")

    first = images(http, pixabay)
    second = images(http, pixabay)
    third = images(http, pixabay)

    assert (first.status_code, first.text) == (503, "down")
    assert first.headers["Retry-After"] == "7"
    assert "X-RateLimit-Limit" not in first.headers
    assert (second.status_code, second.headers["content-type"]) == (502, "text/html")
    assert third.status_code == 200


def test_truncated_json_is_served_with_status_200(http, pixabay):
    pixabay.queue_truncated_json()

    response = images(http, pixabay)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    with pytest.raises(ValueError):
        response.json()


def test_json_of_the_wrong_shape_is_served_with_status_200(http, pixabay):
    pixabay.queue_wrong_shape()

    response = images(http, pixabay)

    assert response.json() == ["total", 3, "hits"]


def test_a_dropped_connection_gets_no_answer(http, pixabay):
    pixabay.close_connection_next()

    with pytest.raises(httpx.RemoteProtocolError):
        images(http, pixabay)
    assert images(http, pixabay).status_code == 200


def test_a_delay_holds_every_answer_back(http, pixabay):
    pixabay.delay = 0.2

    started = time.monotonic()
    response = images(http, pixabay)
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert 0.2 <= elapsed < 1.0


def test_a_delay_longer_than_the_timeout_times_the_client_out(pixabay):
    pixabay.delay = 0.3

    with httpx.Client(timeout=0.05, trust_env=False) as impatient:
        with pytest.raises(httpx.ReadTimeout):
            images(impatient, pixabay)


# Inspection


def test_requests_are_recorded_per_media_type(http, pixabay):
    images(http, pixabay, q="cat")
    videos(http, pixabay)
    videos(http, pixabay, key="wrong")

    assert pixabay.calls() == 3
    assert pixabay.calls("image") == 1
    assert pixabay.calls("video") == 2
    assert [request.path for request in pixabay.requests] == [
        "/api/",
        "/api/videos/",
        "/api/videos/",
    ]


def test_reset_forgets_requests_faults_budget_and_inflated_hits(http, pixabay):
    pixabay.inflate("image", 5)
    pixabay.set_remaining(0)
    pixabay.queue_failure(500, "boom")
    pixabay.delay = 5.0

    pixabay.reset()
    response = images(http, pixabay)

    assert response.status_code == 200
    assert response.json()["total"] == ALL_IMAGES
    assert response.headers["X-RateLimit-Remaining"] == "99"
    assert pixabay.calls() == 1


def test_a_stopped_fake_cuts_the_connections_clients_keep_open():
    fake = FakePixabay().start()
    url = fake.url
    with httpx.Client(timeout=2.0, trust_env=False) as client:
        before = client.get(url, params={"key": "test-key"})
        fake.stop()

        with pytest.raises(httpx.ConnectError):
            client.get(url, params={"key": "test-key"})
    assert before.status_code == 200


def test_a_fake_on_a_fixed_port_serves_again_after_a_stop(http):
    with FakePixabay(port=free_port()) as fake:
        url = fake.url
        fake.stop()
        fake.start()

        again = http.get(url, params={"key": "test-key"})

    assert again.status_code == 200


def test_url_is_refused_before_start():
    fake = FakePixabay()

    with pytest.raises(RuntimeError):
        fake.url
