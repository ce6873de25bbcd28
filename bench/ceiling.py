"""The ceiling: a bare Sanic app that answers Trove's routes from memory.

It returns the very bytes Trove answered (captured by the benchmark run into
a folder), with no validation, authentication, database or logging, and
runs in Trove's process layout: a main process and `--workers` workers
started through Sanic's worker manager. Whatever Trove does on top of this
is its cost.

    python -m bench.ceiling --bodies DIR --port 8100 --workers 1
"""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path

from sanic import HTTPResponse, Request, Sanic
from sanic.worker.loader import AppLoader

FAVORITES = "/api/v1/users/me/favorites"


def create_app(bodies: Path) -> Sanic:
    """The app; `bodies` holds favorites.json, search.json and put.json."""
    app = Sanic("trove_ceiling", configure_logging=False)
    favorites = (bodies / "favorites.json").read_bytes()
    search = (bodies / "search.json").read_bytes()
    put = (bodies / "put.json").read_bytes()

    @app.get("/api/v1/health")
    async def health(request: Request) -> HTTPResponse:
        return _json(b'{"status":"ok"}')

    @app.get(FAVORITES)
    async def list_favorites(request: Request) -> HTTPResponse:
        return _json(favorites)

    @app.get("/api/v1/images")
    async def search_images(request: Request) -> HTTPResponse:
        return _json(search)

    @app.put(FAVORITES + "/<media_type>/<media_id>")
    async def add_favorite(request: Request, media_type: str, media_id: str):
        return _json(put, status=201, headers={"Location": request.path})

    @app.delete(FAVORITES + "/<media_type>/<media_id>")
    async def remove_favorite(request: Request, media_type: str, media_id: str):
        return HTTPResponse(status=204)

    return app


def _json(body: bytes, status: int = 200, headers=None) -> HTTPResponse:
    return HTTPResponse(
        body, status=status, headers=headers, content_type="application/json"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bodies", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)

    loader = AppLoader(factory=partial(create_app, args.bodies))
    app = loader.load()
    app.prepare(
        host="127.0.0.1",
        port=args.port,
        workers=args.workers,
        access_log=False,
        motd=False,
    )
    Sanic.serve(primary=app, app_loader=loader)
    return 0


if __name__ == "__main__":
    sys.exit(main())
