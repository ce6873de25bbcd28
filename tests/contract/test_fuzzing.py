"""Schemathesis fuzzes a running Trove against openapi.yaml and finds nothing.

Every check Schemathesis has runs, in all four phases: the spec's examples,
coverage (boundary and negative values for each keyword), fuzzing, and
stateful chains along the spec's OpenAPI links. `make test` runs the fast
profile; `.ci/run` sets TROVE_FUZZ_PROFILE=full for 100 examples per
operation. A failure prints Schemathesis' report with a curl command that
reproduces it; keep that input as a regular test when fixing the cause.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import uuid

import httpx
import pytest

from tests.contract.conftest import ROOT, SPEC_PATH
from tests.fakes.pixabay import FakePixabay
from tests.support.servers import ApiProcess

CONFIG = ROOT / "tests" / "contract" / "schemathesis.toml"
PROFILES = {
    "fast": ["--max-examples", "20"],
    "full": ["--max-examples", "100"],
}
PASSWORD = "Fuzz-1-Password"


def fuzz_profile() -> list[str]:
    name = os.environ.get("TROVE_FUZZ_PROFILE", "fast")
    if name not in PROFILES:
        pytest.fail(f"TROVE_FUZZ_PROFILE must be one of {sorted(PROFILES)}: {name!r}")
    return PROFILES[name]


# Logging out, changing the password and deleting the account end the one
# session the whole run shares: every request after them would only be
# refused. Their inputs and answers are checked in
# tests/api/test_account_lifecycle.py instead.
ENDS_THE_SESSION = [
    "--exclude-operation-id=deleteCurrentToken",
    "--exclude-operation-id=changePassword",
    "--exclude-operation-id=deleteCurrentUser",
]


def registered_token(api: ApiProcess) -> str:
    """Register a user for the run and log in; returns its token."""
    email = f"fuzz-{uuid.uuid4().hex[:12]}@example.com"
    credentials = {"email": email, "password": PASSWORD}
    with httpx.Client(base_url=api.url, timeout=30.0) as http:
        assert http.post("/api/v1/users", json=credentials).status_code == 201
        answer = http.post("/api/v1/tokens", json=credentials)
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


def test_schemathesis_finds_no_failure_with_every_check(fuzzed_api):
    env = {
        **os.environ,
        "TROVE_FUZZ_TOKEN": registered_token(fuzzed_api),
        "PYTHONPATH": str(ROOT),
    }

    run = subprocess.run(
        [
            os.path.join(os.path.dirname(sys.executable), "st"),
            "--config-file",
            str(CONFIG),
            "--no-color",
            "run",
            str(SPEC_PATH),
            "--url",
            fuzzed_api.url,
            "--checks",
            "all",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--generation-database",
            "none",
            *ENDS_THE_SESSION,
            *fuzz_profile(),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )

    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]


def test_the_fuzzing_dictionaries_name_items_the_fake_pixabay_serves():
    dictionaries = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["dictionaries"]
    words = dictionaries["tag-words"]["values"]
    ids = dictionaries["media-ids"]["values"]

    with FakePixabay(key="test-key") as fake, httpx.Client(base_url=fake.url) as http:
        unknown_words = [word for word in words if not _found(http, q=word)]
        unknown_ids = [media_id for media_id in ids if not _found(http, id=media_id)]

    assert unknown_words == []
    assert unknown_ids == []


def _found(http: httpx.Client, **params) -> int:
    """How many images and videos the fake Pixabay finds for `params`."""
    params["key"] = "test-key"
    images = http.get("", params=params).json()["total"]
    videos = http.get("videos/", params=params).json()["total"]
    return images + videos
