"""openapi.yaml is a valid, linted, fully documented and exemplified contract."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
import yaml
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tests.contract.conftest import NODE_ENV, ROOT, SPEC, SPEC_PATH, node_tool

SPEC_URI = "urn:trove:openapi"
REGISTRY = Registry().with_resource(SPEC_URI, DRAFT202012.create_resource(SPEC))
METHODS = ("get", "put", "post", "delete", "patch")


def escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def at(pointer: str):
    """The node at a JSON pointer into the spec."""
    node = SPEC
    for part in pointer.split("/")[1:]:
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def operations() -> list[tuple[str, str, dict]]:
    return [
        (f"{method.upper()} {path}", f"/paths/{escape(path)}/{method}", item[method])
        for path, item in SPEC["paths"].items()
        for method in METHODS
        if method in item
    ]


def responses() -> list[tuple[str, str, dict]]:
    """(operation and status, pointer, response) of every response, refs followed."""
    found = []
    for label, pointer, operation in operations():
        for status, response in operation["responses"].items():
            where = f"{pointer}/responses/{status}"
            if "$ref" in response:
                where = response["$ref"][1:]
            found.append((f"{label} {status}", where, at(where)))
    return found


def examples() -> list[tuple[str, object, str]]:
    """(example pointer, value, schema pointer) of every example in the spec."""
    found = []
    media = [
        (f"{pointer}/content/{escape(name)}", content)
        for _, pointer, response in responses()
        for name, content in response.get("content", {}).items()
    ]
    for _, pointer, operation in operations():
        body = operation.get("requestBody")
        if body is not None:
            for name, content in body["content"].items():
                media.append((f"{pointer}/requestBody/content/{escape(name)}", content))
    for pointer, content in media:
        schema = f"{pointer}/schema"
        if "example" in content:
            found.append((f"{pointer}/example", content["example"], schema))
        for name, example in content.get("examples", {}).items():
            where = f"{pointer}/examples/{name}"
            if "$ref" in example:
                where = example["$ref"][1:]
            found.append((where, at(where)["value"], schema))
    for kind in ("parameters", "schemas"):
        for name, node in SPEC["components"][kind].items():
            pointer = f"/components/{kind}/{name}"
            schema = f"{pointer}/schema" if kind == "parameters" else pointer
            if "example" in node:
                found.append((f"{pointer}/example", node["example"], schema))
    # A shared response is reached from every operation that uses it.
    unique = {(example, schema): value for example, value, schema in found}
    return [
        (example, value, schema)
        for (example, schema), value in unique.items()
        if _has_schema(schema)
    ]


def _has_schema(pointer: str) -> bool:
    try:
        at(pointer)
    except KeyError:
        return False
    return True


def test_openapi_spec_validator_finds_the_spec_valid():
    validate(SPEC)


def test_redocly_lint_finds_no_problem_with_its_recommended_rules():
    redocly = node_tool("redocly")

    run = subprocess.run(
        [str(redocly), "lint", "--format=json", str(SPEC_PATH)],
        cwd=ROOT,
        env=NODE_ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert json.loads(run.stdout)["totals"] == {
        "errors": 0,
        "warnings": 0,
        "ignored": 0,
    }
    assert run.returncode == 0


def test_the_linter_runs_every_recommended_rule_and_sends_no_usage_data():
    config = yaml.safe_load((ROOT / "redocly.yaml").read_text(encoding="utf-8"))

    assert config == {"telemetry": "off", "extends": ["recommended"]}


def test_every_operation_has_a_summary_a_description_a_tag_and_an_id():
    incomplete = [
        label
        for label, _, operation in operations()
        if not all(operation.get(key) for key in ("summary", "description", "tags"))
        or not operation.get("operationId")
    ]

    assert incomplete == []


def test_operation_ids_are_unique_and_name_their_handlers_in_camel_case():
    ids = [operation["operationId"] for _, _, operation in operations()]

    assert len(ids) == len(set(ids)) == 18
    assert [i for i in ids if not re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)+", i)] == []


def test_every_tag_in_use_is_declared_with_a_description():
    declared = {tag["name"]: tag.get("description") for tag in SPEC["tags"]}

    used = {tag for _, _, operation in operations() for tag in operation["tags"]}

    assert used == set(declared)
    assert all(declared.values())


def test_every_response_has_an_example_except_the_one_without_a_body():
    without_body = [
        label for label, _, response in responses() if "content" not in response
    ]
    without_example = [
        f"{label} {name}"
        for label, _, response in responses()
        for name, content in response.get("content", {}).items()
        if "example" not in content and not content.get("examples")
    ]

    assert without_body == [
        "DELETE /api/v1/users/me 204",
        "PUT /api/v1/users/me/password 204",
        "DELETE /api/v1/tokens/current 204",
        "DELETE /api/v1/users/me/favorites/{media_type}/{media_id} 204",
    ]
    assert without_example == []


@pytest.mark.parametrize(
    ("example", "value", "schema"),
    examples(),
    ids=[example for example, _, _ in examples()],
)
def test_every_example_is_valid_against_its_own_schema(example, value, schema):
    validator = Draft202012Validator(
        {"$ref": f"{SPEC_URI}#{schema}"},
        registry=REGISTRY,
        format_checker=FormatChecker(),
    )

    assert [error.message for error in validator.iter_errors(value)] == []


def test_every_error_response_but_the_health_report_is_a_shared_problem():
    inline = [
        f"{label} {status}"
        for label, _, operation in operations()
        for status, response in operation["responses"].items()
        if int(status) >= 400 and "$ref" not in response
    ]

    # The health check answers 503 with its own report, which says what is down.
    assert inline == ["GET /api/v1/health 503"]


def test_every_parameter_takes_its_choices_from_a_named_schema():
    parameters = [
        *SPEC["components"]["parameters"].values(),
        *(p for item in SPEC["paths"].values() for p in item.get("parameters", [])),
        *(p for _, _, op in operations() for p in op.get("parameters", [])),
    ]

    inline_enums = [
        p["name"]
        for p in parameters
        if "$ref" not in p
        and ("enum" in p["schema"] or "enum" in p["schema"].get("items", {}))
    ]

    assert inline_enums == []


def test_the_shared_parts_are_components_with_the_names_clients_use():
    components = SPEC["components"]

    assert {
        "Media",
        "MediaPage",
        "Favorite",
        "FavoritePage",
        "Problem",
        "FieldError",
        "User",
        "NewUser",
        "Credentials",
        "Token",
        "Email",
        "Password",
        "MediaType",
        "MediaId",
        "Cursor",
    } <= set(components["schemas"])
    assert {
        "Page",
        "PerPage",
        "Limit",
        "Cursor",
        "MediaTypeFilter",
        "MediaIdInPath",
    } <= set(components["parameters"])
    assert {"ValidationFailed", "Unauthorized", "NotFound"} <= set(
        components["responses"]
    )
