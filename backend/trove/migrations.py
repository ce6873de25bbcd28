"""Applying the committed aerich migrations for the configured database."""

from __future__ import annotations

from aerich import Command

from trove import db


async def apply_migrations(database_url: str) -> list[str]:
    """Apply every pending migration; returns the names of those applied."""
    command = Command(
        tortoise_config=db.tortoise_config(database_url),
        app="models",
        location=str(db.migrations_location(database_url)),
    )
    async with command:
        await command.init()
        return await command.upgrade(run_in_transaction=True)
