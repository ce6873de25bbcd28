"""The web app asks only for what openapi.yaml declares.

frontend_calls.mjs calls every function frontend/js/api.js exports, the way
the app calls them, and records the requests. Each one must be a request
the spec accepts (path, method, token, query and body), checked with
openapi-core. The search parameters and the lists of choices of
frontend/js/state.js are read from its source and compared with the spec.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from urllib.parse import parse_qsl, urlsplit

import pytest
from openapi_core.testing import MockRequest

from tests.contract.conftest import ROOT
from tests.support.contract_client import openapi

FRONTEND = ROOT / "frontend" / "js"
DRIVER = ROOT / "tests" / "contract" / "frontend_calls.mjs"
# The state module's lists of choices, by the spec schema they offer.
CHOICES = {
    "IMAGE_TYPES": "ImageType",
    "VIDEO_TYPES": "VideoType",
    "ORIENTATIONS": "Orientation",
    "ORDERS": "Order",
    "CATEGORIES": "Category",
    "COLORS": "Color",
}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("frontend")
    shutil.copy(FRONTEND / "api.js", folder / "api.mjs")

    run = subprocess.run(
        ["node", str(DRIVER), str(folder / "api.mjs")],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


@pytest.fixture(scope="module")
def state_source() -> str:
    return (FRONTEND / "state.js").read_text(encoding="utf-8")


def test_the_driver_calls_every_function_the_api_module_exports(recorded):
    assert recorded["uncalled"] == []


def test_every_request_of_the_web_app_is_one_the_spec_accepts(recorded):
    refused = []
    for sent in recorded["requests"]:
        url = urlsplit(sent["url"])
        request = MockRequest(
            host_url="http://127.0.0.1:8000",
            method=sent["method"].lower(),
            path=url.path,
            args=dict(parse_qsl(url.query)),
            headers=sent["headers"],
            data=sent["body"],
            content_type=sent["headers"].get("Content-Type", "application/json"),
        )
        try:
            openapi().validate_request(request)
        except Exception as error:  # every openapi-core failure is a refusal
            refused.append(f"{sent['method']} {sent['url']}: {error!r}")

    assert len(recorded["requests"]) == 10
    assert refused == []


def test_the_web_app_sends_only_query_parameters_the_spec_declares(recorded, spec):
    undeclared = [
        f"{sent['method']} {url.path}?{name}"
        for sent in recorded["requests"]
        for url in [urlsplit(sent["url"])]
        for name, _ in parse_qsl(url.query)
        if name not in query_parameters(spec, sent["method"], url.path)
    ]

    assert undeclared == []


def test_every_search_parameter_the_state_module_sets_is_declared(state_source, spec):
    set_there = set(re.findall(r"\bparams\.(\w+) = ", state_source))
    declared = query_parameters(spec, "GET", "/api/v1/images") | query_parameters(
        spec, "GET", "/api/v1/videos"
    )

    assert set_there - declared == set()
    assert "q" in set_there


def test_the_web_apps_lists_of_choices_are_the_specs(recorded, state_source, spec):
    lists = {
        name: re.findall(r'"([^"]*)"', body)
        for name, body in re.findall(
            r"^export const (\w+) = \[([^\]]*)\];", state_source, re.MULTILINE
        )
        if name in CHOICES
    }
    schemas = spec["components"]["schemas"]

    assert set(lists) == set(CHOICES)
    assert {name: lists[name] for name in CHOICES} == {
        name: schemas[schema]["enum"] for name, schema in CHOICES.items()
    }
    assert recorded["mediaTypes"] == schemas["MediaType"]["enum"]


def query_parameters(spec: dict, method: str, path: str) -> set[str]:
    """The names of the query parameters the operation at `path` declares."""
    for template, item in spec["paths"].items():
        if re.fullmatch(re.sub(r"\{\w+\}", "[^/]+", template), path):
            parameters = [
                resolve(spec, parameter)
                for parameter in item[method.lower()].get("parameters", [])
            ]
            return {p["name"] for p in parameters if p["in"] == "query"}
    return set()


def resolve(spec: dict, node: dict) -> dict:
    if "$ref" not in node:
        return node
    for part in node["$ref"][2:].split("/"):
        spec = spec[part]
    return spec
