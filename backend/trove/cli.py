"""The `trove` command: `trove serve` and `trove migrate`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from functools import partial

from trove.settings import Settings, SettingsError, load_settings

logger = logging.getLogger("trove.cli")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="trove", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API (and the web app)")
    serve.add_argument(
        "--migrate",
        action="store_true",
        help="apply pending migrations before serving",
    )
    commands.add_parser("migrate", help="apply pending database migrations")
    args = parser.parse_args(argv)

    _configure_logging()
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"trove: configuration error: {exc}", file=sys.stderr)
        return 2

    if args.command == "migrate" or getattr(args, "migrate", False):
        status = asyncio.run(_migrate(settings))
        if args.command == "migrate" or status != 0:
            return status
    return _serve(settings)


def _configure_logging() -> None:
    from trove.search.pixabay import quiet_httpx_logging, redact

    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(_RedactingFilter(redact))
    quiet_httpx_logging()


class _RedactingFilter(logging.Filter):
    """Last line of defence: no Pixabay key in any log line."""

    def __init__(self, redact) -> None:
        super().__init__()
        self._redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self._redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


async def _migrate(settings: Settings) -> int:
    from trove.migrations import apply_migrations

    applied = await apply_migrations(settings.database_url)
    for name in applied:
        print(f"trove: applied migration {name}")
    if not applied:
        print("trove: the database is up to date")
    return 0


def _worker_app(settings: Settings):
    """Build the app in a worker process, which starts with no logging set."""
    from trove.app import create_app

    _configure_logging()
    return create_app(settings)


def _serve(settings: Settings) -> int:
    from sanic import Sanic
    from sanic.worker.loader import AppLoader

    from trove.contract import ContractMismatch

    loader = AppLoader(factory=partial(_worker_app, settings))
    try:
        app = loader.load()
    except ContractMismatch as exc:
        print(f"trove: {exc}", file=sys.stderr)
        return 2
    app.prepare(
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        access_log=False,  # Trove logs each request itself, with the real client
        motd=False,
    )
    logger.info(
        "Trove serves on http://%s:%s with %s worker(s)",
        settings.host,
        settings.port,
        settings.workers,
    )
    try:
        Sanic.serve(primary=app, app_loader=loader)
    except OSError as exc:
        print(
            f"trove: cannot listen on {settings.host}:{settings.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
