"""The spec is compiled once and bound one to one to the handlers."""

from __future__ import annotations

import pytest
from sanic import Sanic

from trove import contract
from trove.app import create_app
from trove.contract import ContractMismatch, HandlerSpec
from trove.errors import ValidationFailed
from trove.settings import load_settings


@pytest.fixture(scope="module")
def spec():
    return contract.load_spec()


@pytest.fixture(scope="module")
def operations(spec):
    return {op.operation_id: op for op in contract.compile_operations(spec)}


async def _nothing(request, call):
    return None


def test_every_operation_of_the_spec_has_exactly_one_handler(spec, tmp_path):
    app = create_app(load_settings({"TROVE_VAR_DIR": str(tmp_path)}), name="t1")

    routed = {route.name.split(".")[-1] for route in app.router.routes}

    assert {
        op["operationId"]
        for p in spec["paths"].values()
        for op in p.values()
        if isinstance(op, dict) and "operationId" in op
    } <= routed


def test_an_operation_without_a_handler_stops_the_app(spec):
    handlers = dict(contract._registry)
    del handlers["listFavorites"]

    with pytest.raises(
        ContractMismatch, match="without a handler: \\['listFavorites'\\]"
    ):
        contract.bind(Sanic("t2"), spec, _nothing, handlers)


def test_a_handler_without_an_operation_stops_the_app(spec):
    handlers = {**contract._registry, "exportEverything": HandlerSpec(_nothing, {})}

    with pytest.raises(
        ContractMismatch, match="without an operation: \\['exportEverything'\\]"
    ):
        contract.bind(Sanic("t3"), spec, _nothing, handlers)


def test_query_values_are_coerced_with_the_specs_defaults(operations):
    op = operations["searchImages"]

    values = contract.validate_query(op, {"q": ["cat"], "colors": ["red,blue"]})

    assert values["q"] == "cat"
    assert values["colors"] == ["red", "blue"]
    assert values["page"] == 1
    assert values["per_page"] == 20
    assert values["safesearch"] is False
    assert "category" not in values


def test_every_query_problem_is_reported_at_once(operations):
    op = operations["searchImages"]

    with pytest.raises(ValidationFailed) as caught:
        contract.validate_query(
            op, {"page": ["0"], "per_page": ["x"], "nope": ["1"], "q": ["a", "b"]}
        )

    assert sorted((e.field, e.code) for e in caught.value.errors) == [
        ("nope", "unknown_parameter"),
        ("page", "too_small"),
        ("per_page", "invalid_type"),
        ("q", "repeated_parameter"),
    ]


def test_rules_replace_the_generic_findings_for_their_field(operations):
    op = operations["createUser"]

    def rule(value):
        return [("password_too_short", "Too short.")]

    with pytest.raises(ValidationFailed) as caught:
        contract.validate_body(
            op, {"email": "a@b.com", "password": "x"}, {"password": rule}
        )

    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("password", "password_too_short")
    ]


def test_sanic_paths_follow_the_spec(operations):
    assert operations["addFavorite"].uri == (
        "/api/v1/users/me/favorites/<media_type>/<media_id>"
    )
    assert operations["addFavorite"].secured is True
    assert operations["createUser"].secured is False
