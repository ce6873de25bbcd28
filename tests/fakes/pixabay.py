"""A fake Pixabay API: a real HTTP server on 127.0.0.1 for tests and manual runs.

It uses only the standard library, so it shares no code with Trove. Its answers
follow Pixabay's documented behaviour; its data are the real responses bundled
as Trove's demo catalogue (`backend/trove/data/demo/`), read as plain files.

Rules it applies, in this order, to every request:

1. The request is recorded; then `delay` seconds pass.
2. A queued fault, if any, answers instead (exactly as queued, nothing added).
3. Only `/api/` (images) and `/api/videos/` (videos) exist; other paths
   get 404 as plain text. Only GET is served.
4. A missing or wrong `key` gets 400 "Invalid or missing API key". Such a
   request is not counted against the rate limit.
5. Over the rate limit: 429 "API rate limit exceeded". The window is fixed:
   it opens with the first counted request and lasts `window` seconds.
6. `per_page` outside 3-200, or not an integer: 400 "per_page" out of range.
7. A page past the reachable hits: 400 "page" out of range. Reachable hits
   are the first min(matches, 500); page p of size n is out of range when
   p < 1, or p > 1 and (p - 1) * n >= reachable hits. Page 1 of an empty
   result is a normal empty answer; a `page` that is not an integer is out
   of range.

Assumptions where the real API is not documented:

- `id` looks up one item and ignores every other filter; an unknown or
  non-numeric id answers 200 `{"total":0,"totalHits":0,"hits":[]}`.
- `q` matches whole words: every word of `q` (split on spaces and '+') must
  be one of the words of the hit's tags, case-insensitively. The real API
  also matches word stems; this fake does not. `q` length is not checked.
- `orientation` filters images only (it is not documented for videos).
  Horizontal means wider than tall, vertical taller than wide.
- `min_width` / `min_height` use `imageWidth` / `imageHeight` for images and
  the largest rendition for videos; values that are not integers count as 0.
- `image_type=vector` matches the hit types `vector/svg` and `vector/ai`.
  Unknown values of `image_type`, `video_type` and `orientation` filter
  nothing.
- `order=latest` sorts by id, newest first; `popular` (the default) sorts by
  views, then downloads, then id, all descending.
- `category`, `colors`, `editors_choice`, `safesearch` and `lang` are
  accepted and recorded but filter nothing: the data carry no such fields.
- Every answer except a queued fault carries the X-RateLimit-* headers.

Run it by hand with `python tests/fakes/pixabay.py --port 8765 --key test-key`.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import socket
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

DATA_DIR = Path(__file__).resolve().parents[2] / "backend" / "trove" / "data" / "demo"
IMAGE_FILES = ("images_search.json", "images_search_2020_legacy_favorites.json")
VIDEO_FILES = (
    "videos_search.json",
    "videos_search_legacy_picture_id.json",
    "videos_hits_only_2025.json",
)

# The exact bodies of Pixabay's known plain-text errors.
INVALID_KEY = "[ERROR 400] Invalid or missing API key"
PAGE_OUT_OF_RANGE = '[ERROR 400] "page" is out of valid range.'
PER_PAGE_OUT_OF_RANGE = '[ERROR 400] "per_page" is out of valid range.'
RATE_LIMIT_EXCEEDED = "API rate limit exceeded"

TEXT = "text/plain; charset=utf-8"
JSON = "application/json"
MAX_REACHABLE = 500
PER_PAGE_MIN, PER_PAGE_MAX = 3, 200
PATHS = {"/api/": "image", "/api/videos/": "video"}


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the fake received it."""

    path: str
    params: dict[str, str]  # the query string; the last value wins
    headers: dict[str, str]
    time: float  # time.monotonic() on arrival

    @property
    def media_type(self) -> str | None:
        return PATHS.get(self.path)


@dataclass(frozen=True, slots=True)
class Answer:
    """A complete HTTP answer: status, body and headers."""

    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


class _Drop:
    """Queued in place of an answer: close the socket without replying."""


DROP = _Drop()


class FakePixabay:
    """The fake's state, and the server that answers from it."""

    def __init__(
        self,
        key: str = "test-key",
        rate_limit: int = 100,
        window: float = 60.0,
        *,
        port: int = 0,
        verbose: bool = False,
    ) -> None:
        self.key = key
        self.rate_limit = rate_limit
        self.window = window
        self.verbose = verbose  # print one line per request, for manual runs
        self._port = port
        self._lock = threading.Lock()
        self._original = {
            "image": _load_hits(IMAGE_FILES),
            "video": _load_hits(VIDEO_FILES),
        }
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.reset()

    # Life cycle

    def start(self) -> FakePixabay:
        """Bind 127.0.0.1 (a free port unless one was given) and serve."""
        if self._server is not None:
            raise RuntimeError("the fake Pixabay is already running")
        self._server = _Server(("127.0.0.1", self._port), _Handler)
        self._server.fake = self
        # A short poll interval makes stop() quick; tests start many fakes.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="fake-pixabay",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, cut the connections clients keep open and release the
        port, as a server that went down would; safe to call twice."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> FakePixabay:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The images endpoint, as TROVE_PIXABAY_URL takes it; videos are
        at `url + "videos/"`."""
        if self._server is None:
            raise RuntimeError("the fake Pixabay is not running")
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/"

    # Knobs

    def reset(self) -> None:
        """Return to the state just after construction: no recorded requests,
        no queued faults, no delay, a fresh rate window, no inflated hits."""
        with self._lock:
            self._hits = {kind: list(hits) for kind, hits in self._original.items()}
            self._requests: list[RecordedRequest] = []
            self._queue: deque[Answer | _Drop] = deque()
            self._window_start: float | None = None
            self._used = 0
            self.delay = 0.0

    def inflate(self, media_type: str, count: int) -> None:
        """Add `count` copies of real hits with new ids and the extra tag
        "bulk", so that a query can match more than 500 items."""
        with self._lock:
            hits = self._hits[media_type]
            originals = self._original[media_type]
            next_id = max(hit["id"] for hit in hits) + 1
            for n in range(count):
                copied = copy.deepcopy(originals[n % len(originals)])
                copied["id"] = next_id + n
                copied["tags"] = f"{copied['tags']}, bulk"
                hits.append(copied)

    def set_remaining(self, remaining: int) -> None:
        """Leave `remaining` requests in the current rate window (opening one
        if none is open)."""
        with self._lock:
            self._open_window(time.monotonic())
            self._used = self.rate_limit - max(0, min(remaining, self.rate_limit))

    def queue_failure(
        self,
        status: int,
        body: str | bytes,
        content_type: str = TEXT,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next request not yet given a queued answer with exactly
        this; queued answers are used first in, first out."""
        data = body.encode() if isinstance(body, str) else body
        with self._lock:
            self._queue.append(Answer(status, data, content_type, dict(headers or {})))

    def queue_truncated_json(self) -> None:
        """Answer the next request 200 with JSON that stops half-way."""
        self.queue_failure(200, '{"total": 3, "totalHits": 3, "hits": [{"id": ', JSON)

    def queue_wrong_shape(self) -> None:
        """Answer the next request 200 with valid JSON that is no envelope."""
        self.queue_failure(200, '["total", 3, "hits"]', JSON)

    def close_connection_next(self) -> None:
        """Drop the next request's connection without answering."""
        with self._lock:
            self._queue.append(DROP)

    # Inspection

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received since the last reset, oldest first."""
        with self._lock:
            return list(self._requests)

    def calls(self, media_type: str | None = None) -> int:
        """How many requests arrived, for "image", "video" or any path."""
        with self._lock:
            return sum(
                1
                for request in self._requests
                if media_type is None or request.media_type == media_type
            )

    # Answering

    def _record(self, request: RecordedRequest) -> float:
        """Keep `request` and say how long to wait before answering it."""
        with self._lock:
            self._requests.append(request)
            return self.delay

    def _answer(self, request: RecordedRequest) -> Answer | _Drop:
        """Decide the answer to `request`, applying the rules in order."""
        with self._lock:
            if self._queue:
                return self._queue.popleft()

            media_type = request.media_type
            if media_type is None:
                return self._text(HTTPStatus.NOT_FOUND, "Not found")
            if request.params.get("key") != self.key:
                return self._text(HTTPStatus.BAD_REQUEST, INVALID_KEY)
            if not self._spend(time.monotonic()):
                return self._text(HTTPStatus.TOO_MANY_REQUESTS, RATE_LIMIT_EXCEEDED)

            status, result = search(self._hits[media_type], media_type, request.params)
            if isinstance(result, str):
                return self._text(status, result)
            body = json.dumps(result, separators=(",", ":")).encode()
            return Answer(status, body, JSON, self._rate_headers())

    def _text(self, status: int, message: str) -> Answer:
        return Answer(status, message.encode(), TEXT, self._rate_headers())

    def _open_window(self, now: float) -> None:
        if self._window_start is None or now >= self._window_start + self.window:
            self._window_start = now
            self._used = 0

    def _spend(self, now: float) -> bool:
        """Count one request against the window; False when none is left."""
        self._open_window(now)
        if self._used >= self.rate_limit:
            return False
        self._used += 1
        return True

    def _rate_headers(self) -> dict[str, str]:
        now = time.monotonic()
        if self._window_start is None or now >= self._window_start + self.window:
            remaining, reset = self.rate_limit, self.window
        else:
            remaining = self.rate_limit - self._used
            reset = self._window_start + self.window - now
        return {
            "X-RateLimit-Limit": str(self.rate_limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(math.ceil(reset)),
        }


# Searching: pure functions of the hits and the query parameters


def search(
    hits: list[dict], media_type: str, params: dict[str, str]
) -> tuple[int, dict | str]:
    """Answer a search: (200, envelope) or (400, the plain-text error)."""
    per_page = _integer(params.get("per_page", "20"))
    if per_page is None or not PER_PAGE_MIN <= per_page <= PER_PAGE_MAX:
        return 400, PER_PAGE_OUT_OF_RANGE

    if params.get("id"):
        matches = [hit for hit in hits if str(hit["id"]) == params["id"]]
    else:
        matches = _ordered(
            [hit for hit in hits if _wanted(hit, media_type, params)],
            params.get("order", "popular"),
        )

    reachable = min(len(matches), MAX_REACHABLE)
    page = _integer(params.get("page", "1"))
    if page is None or page < 1 or (page > 1 and (page - 1) * per_page >= reachable):
        return 400, PAGE_OUT_OF_RANGE

    start = (page - 1) * per_page
    page_hits = matches[:reachable][start : start + per_page]
    return 200, {"total": len(matches), "totalHits": reachable, "hits": page_hits}


def _wanted(hit: dict, media_type: str, params: dict[str, str]) -> bool:
    """Whether `hit` passes every filter in `params` that the data allow."""
    words = params.get("q", "").lower().replace("+", " ").split()
    if not set(words) <= tag_words(hit["tags"]):
        return False

    if media_type == "image":
        wanted_type = params.get("image_type", "all")
        if wanted_type in ("photo", "illustration", "vector"):
            if hit["type"].split("/")[0] != wanted_type:
                return False
    else:
        wanted_type = params.get("video_type", "all")
        if wanted_type in ("film", "animation") and hit["type"] != wanted_type:
            return False

    width, height = dimensions(hit, media_type)
    if width < (_integer(params.get("min_width", "0")) or 0):
        return False
    if height < (_integer(params.get("min_height", "0")) or 0):
        return False

    orientation = params.get("orientation", "all")
    if media_type == "image" and orientation == "horizontal":
        return width > height
    if media_type == "image" and orientation == "vertical":
        return height > width
    return True


def tag_words(tags: str) -> set[str]:
    """The lower-case words of a comma-separated tags string."""
    return {word for tag in tags.lower().split(",") for word in tag.split()}


def dimensions(hit: dict, media_type: str) -> tuple[int, int]:
    """(width, height) of an image, or of a video's largest rendition."""
    if media_type == "image":
        return hit["imageWidth"], hit["imageHeight"]
    sizes = [(r["width"], r["height"]) for r in hit["videos"].values()]
    return max(sizes, key=lambda size: size[0] * size[1])


def _ordered(hits: list[dict], order: str) -> list[dict]:
    if order == "latest":
        return sorted(hits, key=lambda hit: hit["id"], reverse=True)
    return sorted(
        hits,
        key=lambda hit: (hit["views"], hit["downloads"], hit["id"]),
        reverse=True,
    )


def _integer(raw: str) -> int | None:
    try:
        return int(raw)
    except ValueError:
        return None


def _load_hits(names: tuple[str, ...]) -> list[dict]:
    """The hits of the named sample files, each id once (first file wins)."""
    seen: dict[int, dict] = {}
    for name in names:
        document = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
        hits = document if isinstance(document, list) else document["hits"]
        for hit in hits:
            seen.setdefault(hit["id"], hit)
    return list(seen.values())


# HTTP plumbing


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakePixabay

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request, client_address) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Cut every connection still open: a kept-alive one would otherwise
        go on being answered after the server stopped."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # closed meanwhile

    def handle_error(self, request, client_address) -> None:
        # A client that gave up (timeout, dropped socket) is normal in tests;
        # anything else is a bug in the fake and must be seen.
        if not isinstance(sys.exc_info()[1], (ConnectionError, socket.timeout)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes; with Nagle's algorithm on, a
    # kept-alive connection waits 40 ms for a delayed ACK between them.
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        request = RecordedRequest(
            path=parts.path,
            params=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers={name.lower(): value for name, value in self.headers.items()},
            time=time.monotonic(),
        )
        fake = self.server.fake

        time.sleep(fake._record(request))
        answer = fake._answer(request)

        if isinstance(answer, _Drop):
            self.close_connection = True
            return
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(answer.body)

    def log_request(self, code="-", size="-") -> None:
        # The path alone: the query string holds the key.
        if self.server.fake.verbose:
            print(f"{self.command} {urlsplit(self.path).path} {code}", flush=True)

    def log_message(self, format, *args) -> None:
        # Silent: the standard messages quote the request line, key and all.
        pass


def main() -> None:
    """Serve a fake Pixabay on 127.0.0.1 until Ctrl-C."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--key", default="test-key")
    parser.add_argument("--rate-limit", type=int, default=100)
    arguments = parser.parse_args()

    fake = FakePixabay(
        arguments.key, arguments.rate_limit, port=arguments.port, verbose=True
    )
    fake.start()
    print(f"Fake Pixabay at {fake.url} (videos at {fake.url}videos/)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
