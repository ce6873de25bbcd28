"""A favorite Trove acknowledged survives every way Pixabay can fail.

Each fault is injected into a fake Pixabay of this module's own, on a fixed
port so that it can go down and come back where Trove looks for it, behind a
Trove that waits 0.5 s for it. While the fault lasts a search and a new
favorite get the fault's answer; afterwards the favorite acknowledged before
it is still in the table (read directly, not through the API), the one tried
during it is not, and the favorites listing answers 200.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.conftest import register
from tests.fakes.pixabay import FakePixabay
from tests.support.contract_client import ApiClient
from tests.support.databases import fetch_rows
from tests.support.servers import ApiProcess, free_port, running_api

KEPT = ("video", 11543)
FAVORITES = (
    "SELECT users.email, favorites.media_type, favorites.media_id "
    "FROM favorites JOIN users ON users.id = favorites.user_id"
)


def _twice(queue: Callable[[FakePixabay], None]) -> Callable[[FakePixabay], None]:
    # A queued fault answers one request: one for the search, one for the
    # lookup of the new favorite.
    def inject(fake: FakePixabay) -> None:
        queue(fake)
        queue(fake)

    return inject


def _back_up(fake: FakePixabay) -> None:
    fake.start()
    fake.reset()


@dataclass(frozen=True)
class Fault:
    """One way Pixabay fails, and what Trove answers while it lasts."""

    inject: Callable[[FakePixabay], None]
    status: int
    code: str
    recover: Callable[[FakePixabay], None] = FakePixabay.reset
    # Seconds to wait once it is over: while Trove rightly refuses to ask
    # Pixabay at all, or while the fake still answers requests of the fault.
    pause: float = 0.0


FAULTS = {
    # The requests Trove gave up on are still answered after their 1.5 s;
    # the pause keeps them from taking a later test's queued answer.
    "slow": Fault(
        lambda fake: setattr(fake, "delay", 1.5), 504, "upstream_timeout", pause=1.5
    ),
    "down": Fault(FakePixabay.stop, 502, "upstream_error", recover=_back_up),
    "dropped-connection": Fault(
        _twice(FakePixabay.close_connection_next), 502, "upstream_error"
    ),
    "server-error": Fault(
        _twice(lambda fake: fake.queue_failure(500, "Internal Server Error")),
        502,
        "upstream_error",
    ),
    "bad-gateway-page": Fault(
        _twice(lambda fake: fake.queue_failure(502, "<html>502</html>", "text/html")),
        502,
        "upstream_error",
    ),
    "overloaded": Fault(
        _twice(
            lambda fake: fake.queue_failure(
                503, "Service Unavailable", headers={"Retry-After": "7"}
            )
        ),
        503,
        "upstream_unavailable",
    ),
    "rate-limited": Fault(
        _twice(
            lambda fake: fake.queue_failure(
                429, "API rate limit exceeded", headers={"X-RateLimit-Reset": "1"}
            )
        ),
        503,
        "upstream_unavailable",
        pause=1.0,
    ),
    "plain-text": Fault(
        _twice(lambda fake: fake.queue_failure(200, "Service temporarily down")),
        502,
        "upstream_error",
    ),
    "truncated-json": Fault(
        _twice(FakePixabay.queue_truncated_json), 502, "upstream_error"
    ),
    "wrong-shape-json": Fault(
        _twice(FakePixabay.queue_wrong_shape), 502, "upstream_error"
    ),
}


@pytest.fixture(scope="module")
def own_fake() -> Iterator[FakePixabay]:
    with FakePixabay(key="test-key", port=free_port()) as fake:
        yield fake


@pytest.fixture(scope="module")
def fault_api(database_url: str, own_fake: FakePixabay) -> Iterator[ApiProcess]:
    with running_api(
        database_url=database_url,
        pixabay_url=own_fake.url,
        extra_env={"TROVE_PIXABAY_TIMEOUT": "0.5"},
    ) as api:
        yield api


@pytest.fixture(scope="module")
def untried_images(own_fake: FakePixabay) -> dict[str, int]:
    """A real image for each fault, one Trove has not looked up yet."""
    answer = httpx.get(own_fake.url, params={"key": "test-key", "per_page": 200})
    ids = sorted(hit["id"] for hit in answer.json()["hits"])
    own_fake.reset()
    return dict(zip(FAULTS, ids, strict=False))


@pytest.fixture
def user(fault_api: ApiProcess) -> Iterator[tuple[str, ApiClient]]:
    with ApiClient(fault_api.url) as anonymous:
        email, token = register(anonymous)
    with ApiClient(fault_api.url, token) as client:
        yield email, client


def _stored_favorites(database_url: str, email: str) -> list[tuple[str, int]]:
    return sorted(
        (media_type, int(media_id))
        for owner, media_type, media_id in fetch_rows(database_url, FAVORITES)
        if owner == email
    )


@pytest.mark.parametrize("name", FAULTS)
def test_a_favorite_outlives_every_pixabay_fault(
    fault_api, own_fake, untried_images, user, name
):
    fault, untried = FAULTS[name], untried_images[name]
    email, client = user
    kept = client.put("/api/v1/users/me/favorites/{}/{}".format(*KEPT))

    fault.inject(own_fake)
    try:
        search = client.get("/api/v1/images", params={"q": uuid.uuid4().hex[:8]})
        tried = client.put(f"/api/v1/users/me/favorites/image/{untried}")
    finally:
        fault.recover(own_fake)
        time.sleep(fault.pause)
    stored = _stored_favorites(fault_api.database_url, email)
    listing = client.get("/api/v1/users/me/favorites")

    assert kept.status_code == 201
    assert (search.status_code, search.json()["code"]) == (fault.status, fault.code)
    assert (tried.status_code, tried.json()["code"]) == (fault.status, fault.code)
    assert stored == [KEPT]
    assert listing.status_code == 200
    assert [
        (item["media_type"], item["media_id"]) for item in listing.json()["items"]
    ] == [KEPT]
