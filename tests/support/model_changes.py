"""Print what aerich would put in a new migration; nothing when up to date.

Run as `python -m tests.support.model_changes DATABASE_URL` against a
database the committed migrations were applied to. aerich keeps its state
in class attributes, so each check runs in a process of its own.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from pathlib import Path

from aerich import Command

from trove import db


async def pending_changes(database_url: str) -> str:
    # aerich writes a migration file when it finds a difference: give it a
    # copy of the committed folder to write into.
    copy = Path(tempfile.mkdtemp(prefix="trove-migrations-"))
    shutil.copytree(db.migrations_location(database_url), copy, dirs_exist_ok=True)
    command = Command(
        db.tortoise_config(database_url), app="models", location=str(copy)
    )
    async with command:
        await command.init()
        return await command.migrate("check", no_input=True)


if __name__ == "__main__":
    print(asyncio.run(pending_changes(sys.argv[1])), end="")
