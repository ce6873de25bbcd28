"""Hostile values in every position of every operation that openapi.yaml lists.

The operations, their path and query parameters and their body fields are
read from the spec. Each hostile value goes into one position at a time while
every other position keeps a valid value, with a valid token wherever the
operation needs one. Every answer must be one the operation declares, or a
431 for a request head over the server's 8 KiB, and valid against the spec;
never a 5xx. A value its parameter's schema forbids must be refused.

After each operation's batch the server still answers, its log holds no
traceback, and the users and favorites tables hold exactly the rows that the
batch's valid requests were told were stored.
"""

from __future__ import annotations

import base64
import json
import re
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import httpx
import jwt
import pytest
import yaml
from jsonschema import Draft202012Validator

from tests.conftest import STRONG_PASSWORD, new_email
from tests.support.contract_client import SPEC, ContractViolation, check_response
from tests.support.databases import fetch_rows

DOCUMENT = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
METHODS = ("get", "put", "post", "delete", "patch")
JSON = "application/json"
JSON_TYPE = (("Content-Type", JSON.encode()),)
# Sanic's default REQUEST_MAX_HEADER_SIZE: the request line and headers.
MAX_HEAD_BYTES = 8192
# httpx refuses longer URLs; an answer to one is checked by hand.
MAX_CHECKED_URL = 65536
NEW_PASSWORD = "Bb22&%dddd"
# Real items of the fake Pixabay; the favorite operations name the image.
IMAGE_ID = 2083492
VIDEO_ID = 11543

# Text for every position: query and path values (UTF-8, percent-encoded),
# body fields (JSON strings) and headers (UTF-8 bytes).
HOSTILE_TEXT = {
    "sql-or": "' OR 1=1 --",
    "sql-drop": '"; DROP TABLE users; --',
    "html-script": "<script>alert(1)</script>",
    "html-img": "<img src=x onerror=alert(1)>",
    "nul": "a\x00b",
    "lone-surrogate": "a\ud800b",
    "rtl-override": "cat\u202etac",
    "rtl-mark": "\u200fcat",
    "combining-stack": "c" + "\u0301\u0308\u0323" * 30 + "at",
    "zero-width-joiner": "c\u200da\u200dt",
    "full-width-digits": "\uff11\uff12\uff13",
    "emoji": "\U0001f431\U0001f469\u200d\U0001f4bb",
    "path-traversal": "../../../../etc/passwd",
    "huge-integer": "99999999999999999999",
    "two-to-the-64": str(2**64),
    "below-int64": str(-(2**63) - 1),
    "float-overflow": "1e400",
    "fraction": "1.5",
    "hexadecimal": "0x10",
    "negative": "-1",
    "empty": "",
    "whitespace": " \t ",
    "long-10k": "x" * 10_000,
    "long-100k": "x" * 100_000,
}
# Already percent-encoded: bytes that are not UTF-8, escapes that are not.
HOSTILE_ESCAPES = {
    "invalid-utf8": "%FF%FE",
    "overlong-slash": "%C0%AF",
    "broken-escape": "%zz%",
    "encoded-crlf": "%0D%0ASet-Cookie:%20a=b",
    "encoded-slashes": "..%2F..%2Fetc%2Fpasswd",
}
# Raw JSON of the wrong type for a string field, or no number a parser holds.
HOSTILE_JSON = {
    "number": "42",
    "json-fraction": "1.5",
    "true": "true",
    "false": "false",
    "null": "null",
    "array": '["a"]',
    "object": '{"a": "b"}',
    "empty-array": "[]",
    "empty-object": "{}",
    "json-two-to-the-64": str(2**64),
    "json-below-int64": str(-(2**63) - 1),
    "json-float-overflow": "1e400",
    "json-huge-integer": "99999999999999999999",
    "nested-arrays": "[" * 20 + "]" * 20,
}
# Headers every operation reads or passes on, and what goes into them.
HOSTILE_HEADERS = ("Host", "X-Forwarded-For", "Accept", "Accept-Language")
HOSTILE_HEADER_TEXT = (
    "sql-or", "html-script", "nul", "lone-surrogate", "emoji", "long-10k"
)
# What must never be found in a stored favorite.
MARKERS = ("' OR 1=1", "DROP TABLE", "<script>", "onerror=")
HTML_MARKERS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")

USERS = "SELECT email FROM users"
FAVORITES = (
    "SELECT users.email, favorites.media_type, favorites.media_id, "
    "favorites.media FROM favorites JOIN users ON users.id = favorites.user_id"
)


# -- the spec ----------------------------------------------------------------


def _resolved(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = DOCUMENT
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _validator(name: str) -> Draft202012Validator:
    """A validator of one schema of the spec's components."""
    return Draft202012Validator({"$ref": f"#/components/schemas/{name}", **DOCUMENT})


PROBLEM = _validator("Problem")
EMAIL = _validator("Email")


@dataclass(frozen=True)
class Operation:
    """One operation of the spec, with what a request to it can carry."""

    operation_id: str
    method: str
    path: str
    secured: bool
    path_params: dict[str, dict]
    query_params: dict[str, dict]
    body_fields: dict[str, dict] | None
    statuses: frozenset[int]


def _operations() -> dict[str, Operation]:
    found = {}
    for path, item in DOCUMENT["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            raw = item[method]
            params = [
                _resolved(p)
                for p in [*item.get("parameters", []), *raw.get("parameters", [])]
            ]
            found[raw["operationId"]] = Operation(
                operation_id=raw["operationId"],
                method=method.upper(),
                path=path,
                secured=bool(raw.get("security", DOCUMENT.get("security", []))),
                path_params=_schemas(params, "path"),
                query_params=_schemas(params, "query"),
                body_fields=_body_fields(raw),
                statuses=frozenset(int(status) for status in raw["responses"]),
            )
    return found


def _schemas(params: list[dict], location: str) -> dict[str, dict]:
    return {p["name"]: _resolved(p["schema"]) for p in params if p["in"] == location}


def _body_fields(raw: dict[str, Any]) -> dict[str, dict] | None:
    if "requestBody" not in raw:
        return None
    content = _resolved(raw["requestBody"])["content"]
    schema = _resolved(content[JSON]["schema"])
    return {name: _resolved(s) for name, s in schema["properties"].items()}


OPERATIONS = _operations()


def _accepts(schema: dict[str, Any], raw: str) -> bool:
    """Whether a query or path value, as the server decodes it, is allowed."""
    kind = schema.get("type")
    if kind == "integer":
        if not re.fullmatch(r"-?[0-9]+", raw):
            return False
        value = int(raw)
        return schema.get("minimum", value) <= value <= schema.get("maximum", value)
    if kind == "boolean":
        return raw in ("true", "false")
    if kind == "array":
        items = raw.split(",")
        return (
            schema.get("minItems", 0) <= len(items) <= schema.get("maxItems", 10**6)
            and len(set(items)) == len(items)
            and all(_accepts(_resolved(schema["items"]), item) for item in items)
        )
    return Draft202012Validator(schema).is_valid(raw)


def _two_samples(schema: dict[str, Any]) -> tuple[str, str]:
    """Two different valid values of a query parameter."""
    if "enum" in schema:
        return str(schema["enum"][0]), str(schema["enum"][1])
    if schema.get("type") == "integer":
        least = schema.get("minimum", 1)
        return str(least), str(least + 1)
    if schema.get("type") == "boolean":
        return "true", "false"
    if schema.get("type") == "array":
        return _two_samples(_resolved(schema["items"]))
    return "a", "b"


# -- requests and answers ----------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One request with one hostile value in one position."""

    position: str
    value: str
    method: str
    target: str  # path and query string, percent-encoded
    body: bytes | None = None
    headers: tuple[tuple[str, bytes], ...] = ()
    authorization: bytes | None = None  # instead of the user's token
    anonymous: bool = False  # no Authorization header at all
    expected: frozenset[int] = frozenset()  # when the answer is known exactly
    refused: bool = False  # the value breaks its schema: a 4xx is due

    def describe(self) -> str:
        sent = [f"[{self.position} = {self.value}]", self.method, self.target[:200]]
        sent += [f"{name}: {value[:80]!r}" for name, value in self.headers]
        if self.authorization is not None:
            sent.append(f"Authorization: {self.authorization[:80]!r}")
        if self.body is not None:
            sent.append(f"body {self.body[:160]!r}")
        return " ".join(sent)


@dataclass(frozen=True)
class Answer:
    status: int  # 0 when the server closed the connection without one
    content_type: str
    body: bytes
    response: httpx.Response | None  # None when too long to check by the spec

    def describe(self) -> str:
        return f"{self.status} {self.content_type} {self.body[:300]!r}"


def _encoded(text: str) -> str:
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def _decoded(encoded: str) -> str:
    """A percent-encoded value as the server reads it."""
    return unquote(encoded, errors="replace")


def _head_bytes(case: Case, headers: list[tuple[str, bytes]]) -> int:
    """About how many bytes the request line and headers take."""
    line = len(case.method) + len(case.target) + len(" HTTP/1.1\r\n")
    return line + sum(len(name) + len(value) + 4 for name, value in headers)


def _send_raw(base_url: str, case: Case, headers: list[tuple[str, bytes]]) -> Answer:
    """Send what httpx refuses to send (a NUL in a header, a 100k URL)."""
    url = urlsplit(base_url)
    body = case.body or b""
    head = [f"{case.method} {case.target} HTTP/1.1".encode()]
    if "host" not in {name.lower() for name, _ in headers}:
        head.append(b"Host: 127.0.0.1")
    head += [name.encode() + b": " + value for name, value in headers]
    head += [b"Connection: close", f"Content-Length: {len(body)}".encode()]

    with socket.create_connection((url.hostname, url.port), timeout=30) as sock:
        try:
            sock.sendall(b"\r\n".join(head) + b"\r\n\r\n" + body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before reading it all
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:
            pass  # closed with our bytes unread: what came before is the answer

    if not chunks:
        return Answer(0, "", b"", None)
    request = None
    if len(case.target) < MAX_CHECKED_URL:
        request = httpx.Request(
            case.method, base_url + case.target, headers=headers, content=body
        )
    return _parsed_answer(b"".join(chunks), request)


def _parsed_answer(raw: bytes, request: httpx.Request | None) -> Answer:
    """An HTTP/1.1 answer read off a socket; checkable when `request` is given."""
    head, _, content = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split()[1])
    fields = [tuple(line.split(": ", 1)) for line in lines if ": " in line]
    content_type = {k.lower(): v for k, v in fields}.get("content-type", "")
    response = None
    if request is not None:
        # Rebuilt as httpx's, so that the spec checks it as any other.
        response = httpx.Response(
            status, headers=fields, content=content, request=request
        )
    return Answer(status, content_type, content, response)


def _problem_mismatch(answer: Answer) -> str | None:
    """What keeps `answer` from being a valid problem document, if anything."""
    if answer.content_type != "application/problem+json":
        return "an application/problem+json body"
    try:
        problem = json.loads(answer.body)
    except ValueError:
        return "a problem document that is JSON"
    errors = [error.message for error in PROBLEM.iter_errors(problem)]
    if errors or problem.get("status") != answer.status:
        return f"a valid problem document ({errors or 'its status differs'})"
    return None


# -- what the database holds -------------------------------------------------


@dataclass
class Ledger:
    """Users (by email) and favorites (email, media type, media id)."""

    users: set[str]
    favorites: set[tuple[str, str, int]]

    @classmethod
    def read(cls, database_url: str) -> Ledger:
        """What the tables hold now."""
        return cls(
            users={email for (email,) in fetch_rows(database_url, USERS)},
            favorites={
                (email, media_type, int(media_id))
                for email, media_type, media_id, _ in fetch_rows(
                    database_url, FAVORITES
                )
            },
        )

    def copy(self) -> Ledger:
        return Ledger(set(self.users), set(self.favorites))

    def remove_user(self, email: str) -> None:
        self.users.discard(email)
        self.favorites = {f for f in self.favorites if f[0] != email}


def _snapshots(database_url: str) -> list[str]:
    """The stored media of every favorite, as JSON text."""
    return [
        media if isinstance(media, str) else json.dumps(media)
        for *_, media in fetch_rows(database_url, FAVORITES)
    ]


# -- the fuzzer --------------------------------------------------------------


@dataclass
class Fuzzer:
    """Sends one operation's cases as one user and judges every answer.

    `ledger` starts as what the tables held and follows every change that
    Trove acknowledged; `findings` lists every answer that was wrong.
    """

    http: httpx.Client
    op: Operation
    ledger: Ledger
    email: str = ""
    token: str = ""
    findings: list[str] = field(default_factory=list)

    def renew_user(self) -> None:
        """Register and log in a new user, in place of one used up."""
        email = new_email()
        credentials = {"email": email, "password": STRONG_PASSWORD}
        created = self.http.post("/api/v1/users", json=credentials)
        assert created.status_code == 201, created.text
        login = self.http.post("/api/v1/tokens", json=credentials)
        assert login.status_code == 200, login.text

        self.email, self.token = email, login.json()["access_token"]
        self.ledger.users.add(email)

    def send(self, case: Case) -> None:
        headers = list(case.headers)
        if case.authorization is not None:
            headers.append(("Authorization", case.authorization))
        elif not case.anonymous:
            headers.append(("Authorization", f"Bearer {self.token}".encode()))

        try:
            response = self.http.request(
                case.method, case.target, content=case.body, headers=headers
            )
            answer = Answer(
                response.status_code,
                response.headers.get("content-type", ""),
                response.content,
                response,
            )
        except (httpx.InvalidURL, httpx.LocalProtocolError):
            answer = _send_raw(str(self.http.base_url), case, headers)

        if wrong := self._judge(case, answer, _head_bytes(case, headers)):
            self.findings.append(
                f"{case.describe()}\n  -> {answer.describe()}\n  expected {wrong}"
            )
        self._follow(case, answer)

    def _judge(self, case: Case, answer: Answer, head_bytes: int) -> str | None:
        """Say what is wrong with `answer`, or None when nothing is."""
        status = answer.status
        if status == 0:
            return "an answer"
        if status >= 500:
            return "no server error"
        too_large = status == 431 and head_bytes > MAX_HEAD_BYTES
        if case.expected and status not in case.expected and not too_large:
            return f"one of {sorted(case.expected)}"
        if case.refused and status < 400:
            return "a refusal: the value breaks the parameter's schema"

        if status in self.op.statuses and answer.response is not None:
            try:
                check_response(answer.response)
            except ContractViolation as exc:
                return f"an answer valid against the spec: {exc}"
        elif status in self.op.statuses or too_large:
            if wrong := _problem_mismatch(answer):
                return wrong
        else:
            return f"one of the declared statuses {sorted(self.op.statuses)}"

        if answer.content_type.startswith("text/html"):
            page = answer.body.decode("utf-8", "replace")
            if any(marker in page for marker in HTML_MARKERS):
                return "no markup from the request echoed into a page"
        return None

    def _follow(self, case: Case, answer: Answer) -> None:
        """Keep the ledger and the user in step with what Trove acknowledged."""
        op_id, status = self.op.operation_id, answer.status
        if op_id == "createUser" and status == 201:
            self.ledger.users.add(json.loads(answer.body)["email"])
        elif op_id == "addFavorite" and status == 201:
            body = json.loads(answer.body)
            self.ledger.favorites.add(
                (self.email, body["media_type"], body["media_id"])
            )
        elif op_id == "removeFavorite" and status == 204:
            *_, media_type, media_id = urlsplit(case.target).path.split("/")
            self.ledger.favorites.discard((self.email, media_type, int(media_id)))
        elif op_id == "deleteCurrentUser" and status == 204:
            self.ledger.remove_user(self.email)
            self.renew_user()
        elif op_id in ("changePassword", "deleteCurrentToken") and status == 204:
            self.renew_user()  # the user's tokens no longer work

    def valid_body(self) -> bytes:
        """A body the operation accepts from the current user, as JSON."""
        bodies = {
            "createUser": {"email": new_email(), "password": STRONG_PASSWORD},
            "createToken": {"email": self.email, "password": STRONG_PASSWORD},
            "changePassword": {
                "current_password": STRONG_PASSWORD,
                "new_password": NEW_PASSWORD,
            },
            "deleteCurrentUser": {"password": STRONG_PASSWORD},
        }
        body = bodies[self.op.operation_id]
        assert body.keys() == (self.op.body_fields or {}).keys()
        return json.dumps(body).encode()


# -- the cases ---------------------------------------------------------------


VALID_PATH = {
    "id": str(IMAGE_ID),
    "media_type": "image",
    "media_id": str(IMAGE_ID),
    "asset": "docs.js",
}


def _path(op: Operation, **replaced: str) -> str:
    values = {name: VALID_PATH[name] for name in op.path_params}
    if op.path.startswith("/api/v1/videos/"):
        values["id"] = str(VIDEO_ID)
    values |= replaced
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], op.path)


def _encoded_values() -> dict[str, str]:
    """Hostile text, percent-encoded, for query strings and paths."""
    encoded = {name: _encoded(text) for name, text in HOSTILE_TEXT.items()}
    return encoded | HOSTILE_ESCAPES


def _values_for(name: str, schema: dict[str, Any]) -> dict[str, str]:
    """Hostile values shaped for one field: emails, passwords, choices…"""
    unique = uuid.uuid4().hex[:8]
    if schema.get("format") == "email":
        return {
            "quoted-html-email": f'"<script>alert(1)</script>{unique}"@example.com',
            "sql-email": f"'OR'1'='1'--{unique}@example.com",
            "quoted-nul-email": f'"a\x00{unique}"@example.com',
            "rtl-email": f"{unique}\u202e@example.com",
            "full-width-email": f"\uff55{unique}@example.com",
            "ip-literal-email": f"{unique}@[127.0.0.1]",
            "unicode-email": f"\u00fc{unique}@example.com",
            "long-local-email": f"{unique}{'a' * 60}@example.com",
            "unknown-tld-email": f"{unique}@example.notatld",
            "trailing-dot-email": f"{unique}@example.com.",
        }
    if schema.get("format") == "password":
        strong = {
            f"strong-{key}": "Aa1%" + HOSTILE_TEXT[key]
            for key in ("sql-or", "html-script", "rtl-override", "emoji", "nul")
        }
        return strong | {"strong-128-emoji": "Aa1%" + "\U0001f431" * 124}
    if "enum" in schema:
        choice = str(schema["enum"][0])
        return {
            "upper-case-choice": choice.upper(),
            "padded-choice": f" {choice} ",
            "choice-and-nul": f"{choice}\x00",
        }
    if schema.get("type") == "integer":
        above = schema.get("minimum", 0) + 1
        return {
            "leading-zeros": f"000{above}",
            "plus-sign": f"+{above}",
            "minus-zero": "-0",
            "past-maximum": str(schema.get("maximum", 2**63) + 1),
        }
    if schema.get("type") == "boolean":
        return {"upper-case-true": "TRUE", "one": "1", "yes": "yes"}
    if schema.get("type") == "array":
        first, second = _two_samples(schema)
        return {
            "empty-item": f"{first},",
            "repeated-item": f"{first},{first}",
            "only-commas": ",,,",
            "items-and-nul": f"{first},{second}\x00",
        }
    if name == "cursor":
        return {
            f"cursor-{key}": base64.urlsafe_b64encode(raw).decode().rstrip("=")
            for key, raw in (
                ("sql", b"id:1 OR 1=1"),
                ("negative", b"id:-1"),
                ("huge", b"id:" + b"9" * 30),
                ("arabic-digits", "id:\u0661\u0662".encode()),
                ("largest", b"id:" + b"9" * 18),
            )
        }
    return {}


def _case(op: Operation, position: str, value: str, **sent: Any) -> Case:
    """A request to `op`; the path's parameters are valid unless given."""
    sent.setdefault("target", _path(op))
    return Case(position, value, op.method, **sent)


def _query_cases(op: Operation) -> Iterator[Case]:
    path = _path(op)
    for name, schema in op.query_params.items():
        shaped = {k: _encoded(v) for k, v in _values_for(name, schema).items()}
        for label, value in (_encoded_values() | shaped).items():
            yield _case(
                op,
                f"query {name}",
                label,
                target=f"{path}?{name}={value}",
                refused=not _accepts(schema, _decoded(value)),
            )
        first, second = _two_samples(schema)
        yield _case(
            op,
            f"query {name}",
            "repeated",
            target=f"{path}?{name}={first}&{name}={second}",
            expected=frozenset({422}),
        )
    for label, value in _encoded_values().items():
        yield _case(
            op, "query name", label, target=f"{path}?{value}=1",
            expected=frozenset({422}),
        )


def _path_cases(op: Operation) -> Iterator[Case]:
    for name, schema in op.path_params.items():
        shaped = {k: _encoded(v) for k, v in _values_for(name, schema).items()}
        for label, value in (_encoded_values() | shaped).items():
            if not value:
                continue  # an empty segment makes another path
            yield _case(
                op,
                f"path {name}",
                label,
                target=_path(op, **{name: value}),
                refused=not _accepts(schema, _decoded(value)),
            )


def _with_field(valid: bytes, name: str, token: str) -> bytes:
    """The JSON object `valid` with raw JSON `token` as field `name`'s value."""
    parts = [
        f"{json.dumps(key)}: {token if key == name else json.dumps(value)}"
        for key, value in json.loads(valid).items()
    ]
    return ("{" + ", ".join(parts) + "}").encode("utf-8", "surrogatepass")


def _body_field_cases(fuzzer: Fuzzer) -> Iterator[Case]:
    op = fuzzer.op
    for name, schema in (op.body_fields or {}).items():
        text = HOSTILE_TEXT | _values_for(name, schema)
        tokens = {label: json.dumps(value) for label, value in text.items()}
        for label, token in (tokens | HOSTILE_JSON).items():
            yield _case(
                op,
                f"body {name}",
                label,
                body=_with_field(fuzzer.valid_body(), name, token),
                headers=JSON_TYPE,
                # 1e400 is JSON, but no number a parser holds: 400 or 422.
                expected=frozenset({400, 422} if label in HOSTILE_JSON else ()),
            )


# Made from a valid body, and malformed: each a 400.
MALFORMED_BODIES = {
    "empty": lambda valid: b"",
    "truncated": lambda valid: valid[: len(valid) // 2],
    "trailing-garbage": lambda valid: valid + b" }x",
    "two-documents": lambda valid: valid + valid,
    "single-quotes": lambda valid: valid.replace(b'"', b"'"),
    "invalid-utf8": lambda valid: valid[:-2] + b'\xff"}',
    "byte-order-mark": lambda valid: b"\xef\xbb\xbf" + valid,
    "lone-surrogate-key": lambda valid: b'{"\\udc00": 1}',
}
# JSON, but not an object the operation takes: each a 422.
WRONG_DOCUMENTS = {
    "array": b"[]",
    "string": b'"text"',
    "number": b"42",
    "null": b"null",
    "unknown-field": b'{"is_admin": true}',
    "deeply-nested": b'{"a": ' + b"[" * 500 + b"]" * 500 + b"}",
}
# A valid body under another media type: each a 415.
WRONG_MEDIA_TYPES = {
    "text-plain": b"text/plain",
    "form-encoded": b"application/x-www-form-urlencoded",
    "json-patch": b"application/json-patch+json",
    "multipart": b"multipart/form-data; boundary=x",
}


def _whole_body_cases(fuzzer: Fuzzer) -> Iterator[Case]:
    """Bodies that are not the JSON object the operation takes, or no JSON."""
    op = fuzzer.op
    if op.body_fields is None:
        # An operation that takes no body ignores one.
        for label, body in (("ignored-garbage", b'{"a": '), ("ignored-array", b"[]")):
            yield _case(op, "body", label, body=body, headers=JSON_TYPE)
        return

    def body_case(label: str, body: bytes, *expected: int, headers=JSON_TYPE):
        return _case(op, "body", label, body=body, headers=headers,
                     expected=frozenset(expected))

    for label, make in MALFORMED_BODIES.items():
        yield body_case(label, make(fuzzer.valid_body()), 400)
    for label, document in WRONG_DOCUMENTS.items():
        yield body_case(label, document, 422)
    for name in op.body_fields:
        valid = json.loads(fuzzer.valid_body())
        without = {key: value for key, value in valid.items() if key != name}
        yield body_case(f"without-{name}", json.dumps(without).encode(), 422)
    yield body_case("over-16-kib", b'{"a": "' + b"x" * 20_000 + b'"}', 413)
    yield body_case("over-64-kib", b'{"a": "' + b"x" * 100_000 + b'"}', 413)
    for label, media_type in WRONG_MEDIA_TYPES.items():
        headers = (("Content-Type", media_type),)
        yield body_case(label, fuzzer.valid_body(), 415, headers=headers)
    yield body_case("no-content-type", fuzzer.valid_body(), 415, headers=())

    # A key given twice keeps its last value, as the README says; media
    # types ignore case. Both are valid bodies, that may well succeed.
    first = json.dumps(next(iter(op.body_fields))).encode()
    twice = b"{" + first + b': "<script>alert(1)</script>", ' + fuzzer.valid_body()[1:]
    yield body_case("duplicate-key", twice)
    upper_case = (("Content-Type", b"Application/JSON"),)
    yield body_case("upper-case-type", fuzzer.valid_body(), headers=upper_case)


def _bearer_values(token: str) -> dict[str, bytes]:
    """Authorization headers that must not authenticate anyone."""
    header, payload, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    other_user = json.dumps({**claims, "sub": "1"}).encode()
    tampered = base64.urlsafe_b64encode(other_user).decode().rstrip("=")
    values = {
        "scheme-only": b"Bearer",
        "basic": b"Basic " + base64.b64encode(b"admin:admin"),
        "token-without-scheme": token.encode(),
        "unsigned": b"Bearer " + jwt.encode(claims, None, "none").encode(),
        "wrong-key": b"Bearer " + jwt.encode(claims, "k" * 32, "HS256").encode(),
        "no-signature": f"Bearer {header}.{payload}.".encode(),
        "tampered-subject": f"Bearer {header}.{tampered}.{signature}".encode(),
        "two-tokens": f"Bearer {token} {token}".encode(),
        "non-utf8": b"Bearer \xff\xfe",
    }
    return values | {
        f"bearer-{label}": b"Bearer " + text.encode("utf-8", "surrogatepass")
        for label, text in HOSTILE_TEXT.items()
        if text.strip()
    }


def _header_cases(fuzzer: Fuzzer) -> Iterator[Case]:
    """Hostile headers on an otherwise valid request."""
    op = fuzzer.op
    content_type = () if op.body_fields is None else JSON_TYPE

    def header_case(name: str, label: str, **sent: Any) -> Case:
        body = None if op.body_fields is None else fuzzer.valid_body()
        sent["headers"] = content_type + sent.get("headers", ())
        return _case(op, f"header {name}", label, body=body, **sent)

    refused = frozenset({401} if op.secured else ())
    for label, value in _bearer_values(fuzzer.token).items():
        yield header_case(
            "Authorization", label, authorization=value, expected=refused
        )
    yield header_case("Authorization", "missing", anonymous=True, expected=refused)
    for name in HOSTILE_HEADERS:
        for label in HOSTILE_HEADER_TEXT:
            value = HOSTILE_TEXT[label].encode("utf-8", "surrogatepass")
            yield header_case(name, label, headers=((name, value),))


def _cases(fuzzer: Fuzzer) -> Iterator[Case]:
    yield from _query_cases(fuzzer.op)
    yield from _path_cases(fuzzer.op)
    yield from _body_field_cases(fuzzer)
    yield from _whole_body_cases(fuzzer)
    yield from _header_cases(fuzzer)


# -- the test ----------------------------------------------------------------


@pytest.fixture
def http(api) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api.url, timeout=30.0) as client:
        yield client


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_hostile_input_never_breaks_an_operation_or_reaches_the_database(
    api, http, fake_pixabay, operation_id
):
    op = OPERATIONS[operation_id]
    log_start = len(api.log())
    before = Ledger.read(api.database_url)
    fuzzer = Fuzzer(http, op, before.copy())
    fuzzer.renew_user()
    if op.path.startswith("/api/v1/users/me/favorites/"):
        _add_the_favorite(fuzzer)

    for case in _cases(fuzzer):
        fuzzer.send(case)

    health = http.get("/api/v1/health")
    stored = Ledger.read(api.database_url)
    assert fuzzer.findings == [], "\n".join(fuzzer.findings)
    assert health.status_code == 200
    assert "Traceback" not in api.log()[log_start:]
    assert stored.users == fuzzer.ledger.users
    assert stored.favorites == fuzzer.ledger.favorites
    assert all(EMAIL.is_valid(email) for email in stored.users - before.users)
    snapshots = _snapshots(api.database_url)
    assert [s for s in snapshots if any(marker in s for marker in MARKERS)] == []
    # Each test may spend only part of the fake's 100 requests a minute, or
    # Trove would rightly refuse the next test's searches for a while.
    assert fake_pixabay.calls() < 60


def _add_the_favorite(fuzzer: Fuzzer) -> None:
    """Make the image the favorite operations name a favorite of the user."""
    response = fuzzer.http.put(
        _path(fuzzer.op),
        headers={"Authorization": f"Bearer {fuzzer.token}"},
    )
    assert response.status_code == 201, response.text
    fuzzer.ledger.favorites.add((fuzzer.email, "image", IMAGE_ID))
