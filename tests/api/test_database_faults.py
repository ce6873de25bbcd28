"""The database going away under a running Trove."""

from __future__ import annotations

import asyncio
import time

import asyncpg

from tests.conftest import new_email, register
from tests.support.contract_client import ApiClient
from tests.support.databases import ADMIN_URL, fresh_postgres_database
from tests.support.own_postgres import own_postgres
from tests.support.servers import running_api


def test_a_database_that_goes_away_gives_503_not_500(fake_pixabay):
    with (
        fresh_postgres_database() as url,
        running_api(database_url=url, pixabay_url=fake_pixabay.url) as api,
    ):
        asyncio.run(_drop(url))
        with ApiClient(api.url) as client:
            login = client.post(
                "/api/v1/tokens", json={"email": new_email(), "password": "x"}
            )
            health = client.get("/api/v1/health")

    assert login.status_code == 503
    assert login.json()["code"] == "service_unavailable"
    assert health.status_code == 503


async def _drop(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    connection = await asyncpg.connect(ADMIN_URL)
    try:
        await connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def test_trove_answers_503_while_postgres_is_down_and_recovers_by_itself(
    fake_pixabay,
):
    with own_postgres() as pg, running_api(
        database_url=pg.url, pixabay_url=fake_pixabay.url
    ) as api, ApiClient(api.url) as client:
        _, token = register(client)
        authed = client.with_token(token)
        stored = authed.put("/api/v1/users/me/favorites/video/11543")

        pg.stop()
        during = [
            authed.get("/api/v1/users/me/favorites").status_code,
            authed.put("/api/v1/users/me/favorites/image/2083492").status_code,
            client.get("/api/v1/health").status_code,
        ]
        pg.start()
        after = _first_success(lambda: authed.get("/api/v1/users/me/favorites"))

    assert stored.status_code == 201
    assert during == [503, 503, 503]
    assert after.status_code == 200
    assert [f["media_id"] for f in after.json()["items"]] == [11543]


def _first_success(request, attempts: int = 20):
    # The pool notices the restarted server on the next connection it opens.
    for _ in range(attempts):
        response = request()
        if response.status_code == 200:
            return response
        time.sleep(0.25)
    return response
