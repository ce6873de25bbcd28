"""The Dockerfile and the compose stack, checked without a Docker engine."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    return str(BIN / name) if (BIN / name).exists() else shutil.which(name) or name


def test_the_dockerfile_passes_hadolint_without_a_finding():
    result = subprocess.run(
        [_tool("hadolint"), "--no-color", str(ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert (result.returncode, result.stdout) == (0, "")


def test_the_compose_file_follows_the_compose_specification():
    result = subprocess.run(
        [
            _tool("check-jsonschema"),
            "--builtin-schema",
            "vendor.compose-spec",
            str(ROOT / "docker-compose.yml"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_runs_as_a_non_root_user_with_a_health_check():
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", dockerfile, re.MULTILINE)

    assert all(
        re.fullmatch(r"(python|node):\d+\.\d+\.\d+-(slim-)?\w+(-slim)?", s)
        for s in stages
    )
    assert re.search(r"^USER 10001$", dockerfile, re.MULTILINE)
    assert "HEALTHCHECK" in dockerfile and "/api/v1/health" in dockerfile
    entrypoint = re.search(r"^ENTRYPOINT (.+)$", dockerfile, re.MULTILINE).group(1)
    assert json.loads(entrypoint) == ["python", "-m", "trove"]


def test_the_image_leaves_tests_and_local_state_out():
    ignored = (ROOT / ".dockerignore").read_text().split()

    assert {".git", ".venv", "var", "tests"} <= set(ignored)


def test_only_nginx_publishes_a_port_and_the_api_waits_for_a_healthy_db():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]

    assert [name for name, s in services.items() if "ports" in s] == ["web"]
    assert services["api"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "healthcheck" in services["db"]


def test_compose_refuses_to_run_without_the_secrets():
    text = (ROOT / "docker-compose.yml").read_text()

    for name in ("TROVE_DB_PASSWORD", "TROVE_JWT_SECRET"):
        assert re.search(r"\$\{" + name + r":\?", text), name


def test_env_example_lists_every_variable_compose_reads():
    used = set(re.findall(r"\$\{(\w+)", (ROOT / "docker-compose.yml").read_text()))
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^(\w+)=", example, re.MULTILINE))

    assert used == listed
