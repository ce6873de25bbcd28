"""Building the Sanic application: wiring only."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import asyncpg
from sanic import Request, Sanic
from sanic.exceptions import NotFound as SanicNotFound
from sanic.exceptions import SanicException
from sanic.response import file as file_response
from sanic_ext import Extend
from tortoise.contrib.sanic import register_tortoise
from tortoise.exceptions import DBConnectionError, OperationalError

from trove import contract, db
from trove.accounts import handlers as _accounts_handlers  # noqa: F401
from trove.accounts.hashing import PasswordHasher
from trove.accounts.service import AccountsService, Limits
from trove.accounts.tokens import TokenSigner
from trove.errors import TroveError
from trove.limits import SharedWindow, SlidingWindow
from trove.favorites import handlers as _favorites_handlers  # noqa: F401
from trove.favorites.service import FavoritesService
from trove import docs as _docs_handlers  # noqa: F401
from trove import health as _health_handlers  # noqa: F401
from trove.problems import (
    WEB_APP_ROUTE,
    is_web_app_route,
    render_database_error,
    render_database_unavailable,
    render_framework_error,
    render_trove_error,
    render_unexpected,
)
from trove.search import handlers as _search_handlers  # noqa: F401
from trove.search.demo import DemoCatalogue
from trove.search.pixabay import PixabayClient
from trove.search import shared
from trove.search.service import KEEP_FOR, Fetched, SearchService
from trove.proxies import ClientResolver
from trove.settings import Settings, load_settings

logger = logging.getLogger("trove.app")
access_logger = logging.getLogger("trove.access")

MAX_REQUEST_BYTES = 64 * 1024

# What the database drivers raise when the database cannot be reached; SQL
# errors are not among them, since those are Trove's own bugs.
DATABASE_UNAVAILABLE = (
    DBConnectionError,
    ConnectionError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.InvalidCatalogNameError,
    asyncpg.AdminShutdownError,
)


def create_app(settings: Settings | None = None, name: str = "trove") -> Sanic:
    """Build the app; raises ContractMismatch if spec and handlers disagree."""
    settings = settings or load_settings()
    app = Sanic(name, configure_logging=False)
    app.config.update(
        REQUEST_MAX_SIZE=MAX_REQUEST_BYTES,
        REQUEST_TIMEOUT=30,
        RESPONSE_TIMEOUT=60,
        KEEP_ALIVE_TIMEOUT=15,
        FALLBACK_ERROR_FORMAT="json",
    )
    # Sanic Extensions supplies dependency injection; routing, validation and
    # documentation come from openapi.yaml instead of its own features.
    Extend(
        app,
        config={
            "oas": False,
            "cors": False,
            "health": False,
            "http_auto_head": False,
            "http_auto_options": False,
            "http_auto_trace": False,
        },
    )

    redis = shared.connect(settings.redis_url) if settings.redis_url else None
    source, source_name = _media_source(settings, redis)
    cache = (
        shared.RedisCache(redis, Fetched, ttl=KEEP_FOR.total_seconds())
        if redis is not None
        else None
    )
    search = SearchService(source, cache=cache, source_name=source_name)
    accounts = AccountsService(
        PasswordHasher(settings.bcrypt_rounds),
        TokenSigner(settings.jwt_secret, settings.token_ttl),
        _limits(settings, redis),
    )
    favorites = FavoritesService(search)
    for service in (search, accounts, favorites):
        app.ext.dependency(service)

    async def authenticate(request: Request):
        return await accounts.authenticate(request.headers.get("authorization"))

    if settings.bench_skip_validation:
        logger.warning(
            "TROVE_BENCH_SKIP_VALIDATION=1: requests are NOT checked against "
            "openapi.yaml; for benchmarks only"
        )
    contract.bind(
        app,
        contract.load_spec(),
        authenticate,
        check_schemas=not settings.bench_skip_validation,
    )
    register_tortoise(app, config=db.tortoise_config(settings.database_url))

    @app.before_server_start
    async def open_database(app: Sanic) -> None:
        # SQLite's one connection is opened lazily, under the lock every
        # query takes; a first request cancelled meanwhile (its client hung
        # up) would keep that lock. Opened here, before any request.
        try:
            await db.fetch("SELECT 1")
        except Exception:  # the requests that need it will say so
            logger.warning("the database is not reachable at start", exc_info=True)
    _add_error_handlers(app, settings.frontend_dir)
    if settings.frontend_dir is not None:
        app.static("/", settings.frontend_dir, index="index.html", name=WEB_APP_ROUTE)

    _add_access_log(app, ClientResolver(settings.trusted_proxies))

    @app.after_server_stop
    async def close_connections(app: Sanic) -> None:
        if isinstance(source, PixabayClient):
            await source.aclose()
        if redis is not None:
            await redis.aclose()

    app.ctx.settings = settings
    return app


def _media_source(
    settings: Settings, redis
) -> tuple[PixabayClient | DemoCatalogue, str]:
    if settings.pixabay_key:
        client = PixabayClient(
            settings.pixabay_url,
            settings.pixabay_key,
            settings.pixabay_timeout,
            shared_budget=shared.SharedBudget(redis) if redis is not None else None,
        )
        return client, "pixabay"
    logger.warning(
        "TROVE_PIXABAY_KEY is not set: searches are answered from the offline "
        "demo catalogue"
    )
    return DemoCatalogue(), "demo"


def _limits(settings: Settings, redis) -> Limits:
    def window(name: str, limit: int, seconds: float):
        if redis is None:
            return SlidingWindow(limit, seconds)
        return SharedWindow(redis, name, limit, seconds)

    return Limits(
        failed_logins_per_account=window(
            "failed-logins-per-account", settings.failed_logins_per_account, 300
        ),
        failed_logins_per_client=window(
            "failed-logins-per-client", settings.failed_logins_per_client, 300
        ),
        registrations_per_client=window(
            "registrations-per-client", settings.registrations_per_client, 3600
        ),
    )


def _add_access_log(app: Sanic, resolver: ClientResolver) -> None:
    """One INFO line per request, with the client's real address."""

    @app.on_request
    async def note_client(request: Request) -> None:
        path = request.path
        if ("%00" in path or "\x00" in path) and _serves_files(request):
            # No file has a NUL in its name; the file system would refuse
            # it with an error rather than a "not found". The API's paths
            # are checked against the spec like any other bad value.
            raise SanicNotFound("There is nothing at this path.")
        peer = request.conn_info.client_ip if request.conn_info else ""
        request.ctx.client_ip = resolver.client(
            peer, request.headers.get("x-forwarded-for")
        )
        request.ctx.started = time.perf_counter()

    @app.on_response
    async def log_request(request: Request, response) -> None:
        started = getattr(request.ctx, "started", None)
        elapsed = (time.perf_counter() - started) * 1000 if started else 0.0
        access_logger.info(
            '%s "%s %s" %s %.1fms',
            getattr(request.ctx, "client_ip", "-"),
            request.method,
            request.path[:200],
            response.status,
            elapsed,
        )


def _serves_files(request: Request) -> bool:
    """Whether the route matched is the web app's files (`app.static`)."""
    return request.route is None or is_web_app_route(request.route.name)


def _add_error_handlers(app: Sanic, frontend_dir: Path | None) -> None:
    app.error_handler.add(TroveError, render_trove_error)

    async def not_found(request: Request, error: SanicNotFound):
        # The web app routes in the browser: any page that is not a file and
        # not the API gets index.html.
        wants_page = request.method == "GET" and not request.path.startswith("/api/")
        if frontend_dir is not None and wants_page:
            return await file_response(frontend_dir / "index.html")
        return render_framework_error(request, error)

    app.error_handler.add(SanicNotFound, not_found)
    for error in DATABASE_UNAVAILABLE:
        app.error_handler.add(error, render_database_unavailable)
    app.error_handler.add(OperationalError, render_database_error)
    app.error_handler.add(SanicException, render_framework_error)
    app.error_handler.add(Exception, render_unexpected)
