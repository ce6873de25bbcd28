"""A password change and a login that overlap end as the change says."""

from __future__ import annotations

import asyncio
import tempfile

from tortoise import Tortoise

from trove import db
from trove.accounts.hashing import PasswordHasher
from trove.accounts.models import User
from trove.accounts.service import AccountsService, Limits
from trove.accounts.tokens import TokenSigner
from trove.limits import SlidingWindow

OLD, NEW = "Aa11%$cccc", "Bb22&%dddd"


def _service(rounds: int) -> AccountsService:
    def window() -> SlidingWindow:
        return SlidingWindow(1000, 60)

    return AccountsService(
        PasswordHasher(rounds),
        TokenSigner("s" * 40, 3600),
        Limits(window(), window(), window()),
    )


async def _open_database() -> None:
    url = f"sqlite://{tempfile.mkdtemp(prefix='trove-races-')}/t.sqlite3"
    await Tortoise.init(config=db.tortoise_config(url, with_aerich=False))
    await Tortoise.generate_schemas()


def test_a_rehash_on_login_during_a_change_does_not_undo_or_refuse_it():
    async def scenario() -> None:
        await _open_database()
        user = await _service(4).register("race@example.com", OLD, "127.0.0.1")
        changer = _service(5)  # a higher cost: logins rehash
        hash_new = changer._hasher.hash

        async def login_rehashes_meanwhile(password: str) -> str:
            # The login's rehash lands between the change's check of the
            # current password and its update.
            await _service(5).log_in("race@example.com", OLD, "127.0.0.1")
            return await hash_new(password)

        changer._hasher.hash = login_rehashes_meanwhile
        await changer.change_password(user, OLD, NEW)

        stored = await User.get(id=user.id)
        assert await changer._hasher.verify(NEW, stored.password_hash)
        assert not await changer._hasher.verify(OLD, stored.password_hash)
        await Tortoise.close_connections()

    asyncio.run(scenario())
