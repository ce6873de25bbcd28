"""A Python client generated from openapi.yaml works against a running Trove.

openapi-python-client runs from its own virtual environment, .venv/codegen:
it pins httpx below the version Trove runs on. The code it writes only needs
httpx and attrs, so it is imported into the tests' own environment.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import uuid
from http import HTTPStatus

import pytest

from tests.contract.conftest import CODEGEN_BIN, ROOT, SPEC_PATH, require

CONFIG = ROOT / "tests" / "contract" / "openapi-python-client.yaml"
PASSWORD = "Client-1-Password"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The generator's output, and the generated package, imported."""
    generator = require(CODEGEN_BIN / "openapi-python-client", "make test installs it")
    folder = tmp_path_factory.mktemp("python-client")

    run = subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            str(SPEC_PATH),
            "--config",
            str(CONFIG),
            "--meta",
            "none",
            "--output-path",
            "trove_client",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    sys.path.insert(0, str(folder))
    try:
        yield run.stdout + run.stderr, importlib.import_module("trove_client")
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m.split(".")[0] == "trove_client"]:
            del sys.modules[name]


def test_the_generator_has_no_warning_about_the_spec(generated):
    output, _ = generated

    assert output.strip() == "Generating trove_client"


def test_a_generated_python_client_runs_the_whole_flow(generated, sqlite_trove):
    from trove_client import AuthenticatedClient, Client
    from trove_client.api.favorites import (
        add_favorite,
        get_favorite,
        list_favorites,
        remove_favorite,
    )
    from trove_client.api.media import search_images, search_videos
    from trove_client.api.tokens import create_token
    from trove_client.api.users import create_user, get_current_user
    from trove_client.models import Credentials, MediaType, NewUser

    email = f"python-{uuid.uuid4().hex[:12]}@example.com"
    anonymous = Client(base_url=sqlite_trove.url)

    created = create_user.sync_detailed(
        client=anonymous, body=NewUser(email=email, password=PASSWORD)
    )
    issued = create_token.sync_detailed(
        client=anonymous, body=Credentials(email=email, password=PASSWORD)
    )
    token = issued.parsed.access_token
    user = AuthenticatedClient(base_url=sqlite_trove.url, token=token)
    me = get_current_user.sync(client=user)
    images = search_images.sync(client=user, q="cat", per_page=3)
    videos = search_videos.sync(client=user, q="nature", per_page=3)
    marked = [
        add_favorite.sync_detailed(MediaType(item.media_type), item.id, client=user)
        for item in [*images.items[:2], videos.items[0]]
    ]
    first_page = list_favorites.sync(client=user, limit=2)
    second_page = list_favorites.sync(
        client=user, limit=2, cursor=first_page.next_cursor
    )
    removed = remove_favorite.sync_detailed(
        MediaType.VIDEO, videos.items[0].id, client=user
    )
    gone = get_favorite.sync_detailed(MediaType.VIDEO, videos.items[0].id, client=user)

    assert created.status_code == HTTPStatus.CREATED
    assert created.parsed.email == email
    assert issued.parsed.token_type == "Bearer"
    assert me.email == email
    assert [item.media_type for item in images.items] == ["image"] * 3
    assert [item.media_type for item in videos.items] == ["video"] * 3
    assert [answer.status_code for answer in marked] == [HTTPStatus.CREATED] * 3
    assert [f.media_id for f in first_page.items + second_page.items] == [
        videos.items[0].id,
        images.items[1].id,
        images.items[0].id,
    ]
    assert second_page.next_cursor is None
    assert removed.status_code == HTTPStatus.NO_CONTENT
    assert gone.status_code == HTTPStatus.NOT_FOUND
    assert gone.parsed.code == "not_found"


def test_a_generated_python_client_reads_a_problem_with_its_field_errors(
    generated, sqlite_trove
):
    from trove_client import Client
    from trove_client.api.users import create_user
    from trove_client.models import NewUser

    refused = create_user.sync_detailed(
        client=Client(base_url=sqlite_trove.url),
        body=NewUser(email="someone@example.com", password="short"),
    )

    assert refused.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert refused.parsed.code == "validation_failed"
    assert [(e.field, e.code) for e in refused.parsed.errors] == [
        ("password", "password_too_short"),
        ("password", "password_missing_uppercase"),
        ("password", "password_missing_digit"),
        ("password", "password_missing_special"),
    ]
