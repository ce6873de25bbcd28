"""A TypeScript client generated from openapi.yaml works against a running Trove.

openapi-typescript turns the spec into types, `tsc --strict` compiles the
scripted session in typescript/flow.ts against them, and Node runs it with
openapi-fetch sending the requests.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid

import pytest

from tests.contract.conftest import NODE_ENV, ROOT, SPEC_PATH, node_tool

SOURCES = ROOT / "tests" / "contract" / "typescript"
PASSWORD = "Client-1-Password"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The generator's output lines, and the folder holding the compiled flow."""
    generator, compiler = node_tool("openapi-typescript"), node_tool("tsc")
    folder = tmp_path_factory.mktemp("typescript-client")
    for name in ("flow.ts", "tsconfig.json"):
        shutil.copy(SOURCES / name, folder / name)
    (folder / "package.json").write_text('{"type": "module"}\n')
    # The flow imports openapi-fetch from the project's own node_modules.
    (folder / "node_modules").symlink_to(ROOT / "node_modules")

    generated = subprocess.run(
        [str(generator), str(SPEC_PATH), "--output", "schema.d.ts"],
        cwd=folder,
        env=NODE_ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )
    compiled = subprocess.run(
        [str(compiler), "--project", "tsconfig.json"],
        cwd=folder,
        env=NODE_ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    return (generated.stdout + generated.stderr).splitlines(), folder


def test_the_generator_has_no_warning_about_the_spec(built):
    lines, _ = built

    assert len(lines) == 2
    assert lines[0] == "✨ openapi-typescript 7.13.0"
    assert lines[1].startswith(f"🚀 {SPEC_PATH} → schema.d.ts [")


def test_a_generated_typescript_client_runs_the_whole_flow(built, sqlite_trove):
    _, folder = built
    email = f"typescript-{uuid.uuid4().hex[:12]}@example.com"

    run = subprocess.run(
        ["node", str(folder / "out" / "flow.js"), sqlite_trove.url, email, PASSWORD],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)
    assert seen["created"] == [201, email]
    assert seen["tokenType"] == "Bearer"
    assert seen["me"] == email
    assert seen["imageTypes"] == ["image", "image", "image"]
    assert seen["videoTypes"] == ["video", "video", "video"]
    assert seen["marked"] == [201, 201, 201]
    assert seen["favorites"] == seen["expected"]
    assert seen["lastCursor"] is None
    assert seen["removed"] == 204
    assert seen["gone"] == [404, "not_found"]
    assert seen["refused"] == [401, "invalid_credentials"]
