"""A bounded load test: simulated users against Trove with two workers.

Each simulated user registers, logs in, searches images and videos (turning
pages), marks and unmarks favorites and lists them, one request after the
other, while all users run at once. The run stops by itself after a fixed
number of actions or a time cap, whichever comes first; then it checks what
the database holds against what every client was last told and prints the
figures.

It is plain asyncio and httpx rather than locust: httpx is already one of
Trove's test dependencies, so nothing new is installed, and a client of our
own can check every answer (status, shape, `is_favorite`, the favorites list)
instead of only timing it.

A user's requests are serialised, so "the favorites this user was last told
it has" is well defined: 201 or 200 on PUT adds the item, 204 on DELETE
removes it. A favorite change whose answer never came (a dropped connection,
the time cap) makes that one item uncertain, and the check accepts either
state for it, and says so.

Run it from the repository root (PostgreSQL on 127.0.0.1:5432, user
`postgres`, trust authentication, as for the API tests):

    .venv/bin/python bench/load.py --users 100 --seconds 120

Everything listens on 127.0.0.1: Trove, the fake Pixabay, PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fakes.pixabay import FakePixabay  # noqa: E402
from tests.support.databases import fresh_postgres_database  # noqa: E402
from tests.support.servers import ApiProcess, running_api  # noqa: E402

PASSWORD = "Aa11%$cccc"
PER_PAGE = 20
# Words the fake's data answer to; "bulk" matches the inflated copies, so
# it has many pages to turn.
IMAGE_WORDS = ("bulk", "bulk", "cat", "kitten", "nature", "pet", "animal")
VIDEO_WORDS = ("bulk", "bulk", "music", "carousel", "toy", "")
EXTRA_IMAGES = 600
EXTRA_VIDEOS = 300
# Actions after logging in, with their weights: mostly searching, as people do.
ACTIONS = (
    ("search_images", 30),
    ("search_videos", 15),
    ("next_page", 15),
    ("add_favorite", 20),
    ("remove_favorite", 10),
    ("list_favorites", 8),
    ("log_in_again", 2),
)
# What each kind of request may answer. Anything else is counted as wrong.
EXPECTED = {
    "register": {201},
    "log_in": {200},
    "search_images": {200},
    "search_videos": {200},
    "add_favorite": {200, 201},
    "remove_favorite": {204},
    "list_favorites": {200},
}
REQUEST_TIMEOUT = 30.0
# After the time cap, users still waiting for an answer get this long.
GRACE = 20.0
MiB = 1024 * 1024


@dataclass(frozen=True)
class Plan:
    users: int
    actions: int
    seconds: float
    seed: int = 1
    ramp: float = 0.0  # users start evenly spread over this many seconds


@dataclass
class Sample:
    kind: str
    status: int  # 0: no answer (transport error or cut off)
    seconds: float


@dataclass
class User:
    email: str
    rng: random.Random
    token: str | None = None
    favorites: set[tuple[str, int]] = field(default_factory=set)
    uncertain: set[tuple[str, int]] = field(default_factory=set)
    in_flight: tuple[str, int] | None = None
    seen: dict[str, list[int]] = field(
        default_factory=lambda: {"image": [], "video": []}
    )
    last_search: tuple[str, str, int] | None = None


@dataclass
class Report:
    plan: Plan
    samples: list[Sample]
    elapsed: float
    cut_off: bool
    wrong_answers: list[str]
    favorites_checked: int
    lost: list[str]
    unexpected: list[str]
    duplicated: list[str]
    uncertain: int
    memory: dict[int, tuple[int, int]]  # worker pid: (RSS at start, at end)

    @property
    def statuses(self) -> Counter:
        return Counter(sample.status for sample in self.samples)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    @property
    def no_answer(self) -> int:
        return self.statuses.get(0, 0)

    @property
    def favorites_consistent(self) -> bool:
        return not (self.lost or self.unexpected or self.duplicated)

    def growth(self) -> dict[int, int]:
        return {pid: end - start for pid, (start, end) in self.memory.items()}


class Budget:
    """The actions left and the time cap, shared by every simulated user."""

    def __init__(self, actions: int, seconds: float) -> None:
        self.left = actions
        self.deadline = time.monotonic() + seconds

    def take(self) -> bool:
        if self.left <= 0 or time.monotonic() >= self.deadline:
            return False
        self.left -= 1
        return True


class Driver:
    """Sends one user's requests, times them and checks every answer."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.samples: list[Sample] = []
        self.wrong: list[str] = []

    async def send(
        self, kind: str, user: User, method: str, path: str, **kwargs
    ) -> tuple[int, httpx.Response | None]:
        """(status, the answer if it was one of the expected ones); status 0
        when no answer came."""
        headers = {}
        if user.token is not None:
            headers["Authorization"] = f"Bearer {user.token}"
        started = time.perf_counter()
        try:
            response = await self.client.request(
                method, "/api/v1" + path, headers=headers, **kwargs
            )
        except httpx.TransportError as error:
            self._record(kind, 0, started)
            self.wrong.append(f"{kind} {method} {path}: {type(error).__name__}")
            return 0, None
        except asyncio.CancelledError:
            self._record(kind, 0, started)
            raise
        self._record(kind, response.status_code, started)
        if response.status_code not in EXPECTED[kind]:
            self.wrong.append(
                f"{kind} {method} {path}: {response.status_code} "
                f"{response.text[:200]}"
            )
            return response.status_code, None
        return response.status_code, response

    def _record(self, kind: str, status: int, started: float) -> None:
        self.samples.append(Sample(kind, status, time.perf_counter() - started))


async def simulate(
    driver: Driver, user: User, budget: Budget, delay: float
) -> None:
    """One person's visit: register, log in, then actions until the budget ends."""
    await asyncio.sleep(min(delay, max(0.0, budget.deadline - time.monotonic())))
    if not budget.take():
        return
    credentials = {"email": user.email, "password": PASSWORD}
    _, created = await driver.send(
        "register", user, "POST", "/users", json=credentials
    )
    if created is not None:
        await log_in(driver, user)
    if user.token is None:
        return

    kinds = [kind for kind, _ in ACTIONS]
    weights = [weight for _, weight in ACTIONS]
    while budget.take():
        action = user.rng.choices(kinds, weights)[0]
        await STEPS[action](driver, user)


async def log_in(driver: Driver, user: User) -> None:
    credentials = {"email": user.email, "password": PASSWORD}
    _, answer = await driver.send(
        "log_in", user, "POST", "/tokens", json=credentials
    )
    if answer is not None:
        user.token = answer.json()["access_token"]


async def search_images(driver: Driver, user: User) -> None:
    await _search(driver, user, "image", user.rng.choice(IMAGE_WORDS), 1)


async def search_videos(driver: Driver, user: User) -> None:
    await _search(driver, user, "video", user.rng.choice(VIDEO_WORDS), 1)


async def next_page(driver: Driver, user: User) -> None:
    if user.last_search is None:
        await search_images(driver, user)
        return
    media_type, words, page = user.last_search
    await _search(driver, user, media_type, words, page + 1)


async def _search(
    driver: Driver, user: User, media_type: str, words: str, page: int
) -> None:
    kind = f"search_{media_type}s"
    params = {"q": words, "page": page, "per_page": PER_PAGE}
    _, answer = await driver.send(
        kind, user, "GET", f"/{media_type}s", params=params
    )
    if answer is None:
        return

    body = answer.json()
    items = body["items"]
    user.last_search = (media_type, words, page) if items else None
    for item in items:
        key = (item["media_type"], item["id"])
        if key[0] != media_type:
            driver.wrong.append(f"{kind}: a {key[0]} among the {media_type}s")
        elif key not in user.uncertain and item["is_favorite"] != (
            key in user.favorites
        ):
            driver.wrong.append(
                f"{kind} for {user.email}: {key} has is_favorite="
                f"{item['is_favorite']}"
            )
    seen = user.seen[media_type]
    seen.extend(item["id"] for item in items if item["id"] not in seen)
    del seen[:-200]


async def add_favorite(driver: Driver, user: User) -> None:
    media_type = user.rng.choice(("image", "image", "video"))
    if not user.seen[media_type]:
        await _search(driver, user, media_type, "bulk", 1)
        return
    media_id = user.rng.choice(user.seen[media_type])
    key = (media_type, media_id)
    path = f"/users/me/favorites/{media_type}/{media_id}"

    user.in_flight = key
    status, answer = await driver.send("add_favorite", user, "PUT", path)
    user.in_flight = None
    if answer is None:
        _unsure(user, key, status)
        return
    user.favorites.add(key)
    user.uncertain.discard(key)
    body = answer.json()
    if (body["media_type"], body["media_id"]) != key:
        driver.wrong.append(f"add_favorite {key}: answered {body['media_id']}")


async def remove_favorite(driver: Driver, user: User) -> None:
    if not user.favorites:
        await add_favorite(driver, user)
        return
    key = user.rng.choice(sorted(user.favorites))
    path = f"/users/me/favorites/{key[0]}/{key[1]}"

    user.in_flight = key
    status, answer = await driver.send("remove_favorite", user, "DELETE", path)
    user.in_flight = None
    if answer is None:
        _unsure(user, key, status)
        return
    user.favorites.discard(key)
    user.uncertain.discard(key)


def _unsure(user: User, key: tuple[str, int], status: int) -> None:
    # Only an answer that never came (or a 5xx) leaves the outcome unknown;
    # a refusal (4xx) is a definite "nothing changed".
    if status == 0 or status >= 500:
        user.uncertain.add(key)


async def list_favorites(driver: Driver, user: User) -> None:
    params = {"limit": 100}
    _, answer = await driver.send(
        "list_favorites", user, "GET", "/users/me/favorites", params=params
    )
    if answer is None:
        return

    body = answer.json()
    listed = {(item["media_type"], item["media_id"]) for item in body["items"]}
    if body["next_cursor"] is None and (
        listed - user.uncertain != user.favorites - user.uncertain
    ):
        driver.wrong.append(
            f"list_favorites for {user.email}: listed {sorted(listed)}, "
            f"expected {sorted(user.favorites)}"
        )


STEPS = {
    "search_images": search_images,
    "search_videos": search_videos,
    "next_page": next_page,
    "add_favorite": add_favorite,
    "remove_favorite": remove_favorite,
    "list_favorites": list_favorites,
    "log_in_again": log_in,
}


async def drive(api_url: str, plan: Plan) -> tuple[list[User], Driver, float, bool]:
    """Run every simulated user until the budget ends; never past the cap."""
    budget = Budget(plan.actions, plan.seconds)
    # No keep-alive: each request opens a connection, so the kernel spreads
    # requests over both workers instead of pinning each user to one.
    limits = httpx.Limits(max_connections=plan.users, max_keepalive_connections=0)
    rng = random.Random(plan.seed)
    run = uuid.uuid4().hex[:8]
    users = [
        User(f"load-{run}-{n}@example.com", random.Random(rng.getrandbits(64)))
        for n in range(plan.users)
    ]
    started = time.monotonic()
    cut_off = False
    async with httpx.AsyncClient(
        base_url=api_url, timeout=REQUEST_TIMEOUT, limits=limits
    ) as client:
        driver = Driver(client)
        tasks = [
            asyncio.create_task(
                simulate(driver, user, budget, n * plan.ramp / plan.users)
            )
            for n, user in enumerate(users)
        ]
        done, pending = await asyncio.wait(tasks, timeout=plan.seconds + GRACE)
        for task in pending:
            task.cancel()
        if pending:
            cut_off = True
            await asyncio.wait(pending, timeout=5)
        for task in done:
            if task.exception() is not None:
                driver.wrong.append(f"a simulated user failed: {task.exception()!r}")
    for user in users:
        if user.in_flight is not None:
            user.uncertain.add(user.in_flight)
    return users, driver, time.monotonic() - started, cut_off


async def stored_favorites(database_url: str) -> list[tuple[str, str, int]]:
    """Every favorite row, read straight from PostgreSQL."""
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(
            "SELECT u.email, f.media_type, f.media_id"
            " FROM favorites f JOIN users u ON u.id = f.user_id"
        )
    finally:
        await connection.close()
    return [(row["email"], row["media_type"], row["media_id"]) for row in rows]


def compare_favorites(
    users: list[User], rows: list[tuple[str, str, int]]
) -> tuple[list[str], list[str], list[str]]:
    """(lost, unexpected, duplicated) favorites, each as a readable line."""
    counts = Counter(rows)
    duplicated = [f"{row} stored {n} times" for row, n in counts.items() if n > 1]
    stored: dict[str, set[tuple[str, int]]] = {}
    for email, media_type, media_id in counts:
        stored.setdefault(email, set()).add((media_type, media_id))

    lost, unexpected = [], []
    for user in users:
        held = stored.pop(user.email, set())
        for key in sorted(user.favorites - held - user.uncertain):
            lost.append(f"{user.email} {key}")
        for key in sorted(held - user.favorites - user.uncertain):
            unexpected.append(f"{user.email} {key}")
    for email, keys in stored.items():
        unexpected.extend(f"{email} {key} (unknown user)" for key in sorted(keys))
    return lost, unexpected, duplicated


def worker_pids(server_pid: int) -> list[int]:
    """The worker processes: the children of the server process, from /proc.

    Sanic's multiprocessing manager is a child too, but serves no requests;
    Sanic starts each worker with SANIC_WORKER_NAME=Sanic-Server-… in its
    environment, which tells them apart.
    """
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        is_worker = any(
            item.startswith(b"SANIC_WORKER_NAME=Sanic-Server") for item in environ
        )
        if parent == server_pid and is_worker:
            pids.append(int(entry.name))
    return sorted(pids)


def rss_bytes(pid: int) -> int:
    """Resident set size of a process from /proc/<pid>/status; 0 once gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


async def measure(api: ApiProcess, plan: Plan) -> Report:
    """Drive the load against a running Trove, then check and sum it up."""
    workers = worker_pids(api.process.pid)
    at_start = {pid: rss_bytes(pid) for pid in workers}

    users, driver, elapsed, cut_off = await drive(api.url, plan)

    memory = {pid: (at_start[pid], rss_bytes(pid)) for pid in workers}
    rows = await stored_favorites(api.database_url)
    lost, unexpected, duplicated = compare_favorites(users, rows)
    return Report(
        plan=plan,
        samples=driver.samples,
        elapsed=elapsed,
        cut_off=cut_off,
        wrong_answers=driver.wrong,
        favorites_checked=sum(len(user.favorites) for user in users),
        lost=lost,
        unexpected=unexpected,
        duplicated=duplicated,
        uncertain=sum(len(user.uncertain) for user in users),
        memory=memory,
    )


def trove_load_env(bcrypt_rounds: int) -> dict[str, str]:
    """Two workers, no Redis, and limits out of the way: every simulated
    user comes from 127.0.0.1, so per-client limits would throttle them all
    as one."""
    return {
        "TROVE_WORKERS": "2",
        "TROVE_BCRYPT_ROUNDS": str(bcrypt_rounds),
        "TROVE_REGISTRATIONS_PER_CLIENT": "10000",
        "TROVE_FAILED_LOGINS_PER_CLIENT": "10000",
        "TROVE_FAILED_LOGINS_PER_ACCOUNT": "10000",
    }


@contextmanager
def load_target(bcrypt_rounds: int) -> Iterator[ApiProcess]:
    """A fresh PostgreSQL database, the fake Pixabay and Trove on both."""
    # The fake's rate limit is lifted: what is measured is Trove, not how
    # it rations a real key (its 503s would only hide other answers).
    with (
        FakePixabay(key="test-key", rate_limit=1_000_000) as fake,
        fresh_postgres_database() as database_url,
    ):
        fake.inflate("image", EXTRA_IMAGES)
        fake.inflate("video", EXTRA_VIDEOS)
        with running_api(
            database_url=database_url,
            pixabay_url=fake.url,
            extra_env=trove_load_env(bcrypt_rounds),
        ) as api:
            yield api


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


def table(report: Report) -> str:
    """The figures of one run, as a plain-text table."""
    plan = report.plan
    latencies = [s.seconds for s in report.samples]
    total = len(report.samples)
    lines = [
        f"Trove load test: {plan.users} users, up to {plan.actions} actions, "
        f"cap {plan.seconds:g} s, ramp {plan.ramp:g} s",
        "2 workers, PostgreSQL, fake Pixabay, no Redis",
        "",
        f"{'requests':<28}{total:>12}",
        f"{'elapsed (s)':<28}{report.elapsed:>12.1f}",
        f"{'requests/s':<28}{total / max(report.elapsed, 1e-9):>12.1f}",
        f"{'p50 latency (ms)':<28}{percentile(latencies, 0.50) * 1000:>12.1f}",
        f"{'p99 latency (ms)':<28}{percentile(latencies, 0.99) * 1000:>12.1f}",
        f"{'max latency (ms)':<28}{max(latencies, default=0) * 1000:>12.1f}",
        f"{'stopped by the time cap':<28}{'yes' if report.cut_off else 'no':>12}",
        "",
        f"{'status':<28}{'count':>12}",
    ]
    for status, count in sorted(report.statuses.items()):
        name = "no answer" if status == 0 else str(status)
        lines.append(f"{name:<28}{count:>12}")
    lines += ["", f"{'request':<20}{'count':>8}{'p50 ms':>10}{'p99 ms':>10}"]
    by_kind: dict[str, list[float]] = {}
    for sample in report.samples:
        by_kind.setdefault(sample.kind, []).append(sample.seconds)
    for kind, values in sorted(by_kind.items()):
        lines.append(
            f"{kind:<20}{len(values):>8}{percentile(values, 0.5) * 1000:>10.1f}"
            f"{percentile(values, 0.99) * 1000:>10.1f}"
        )
    lines += [
        "",
        f"{'5xx answers':<28}{report.server_errors:>12}",
        f"{'wrong answers':<28}{len(report.wrong_answers):>12}",
        f"{'favorites expected':<28}{report.favorites_checked:>12}",
        f"{'favorites lost':<28}{len(report.lost):>12}",
        f"{'favorites unexpected':<28}{len(report.unexpected):>12}",
        f"{'favorites duplicated':<28}{len(report.duplicated):>12}",
        f"{'favorites uncertain':<28}{report.uncertain:>12}",
        "",
        f"{'worker pid':<12}{'RSS start MB':>14}{'RSS end MB':>14}{'growth MB':>12}",
    ]
    for pid, (start, end) in sorted(report.memory.items()):
        lines.append(
            f"{pid:<12}{start / MiB:>14.1f}{end / MiB:>14.1f}"
            f"{(end - start) / MiB:>12.1f}"
        )
    for title, problems in (
        ("wrong answers", report.wrong_answers),
        ("lost favorites", report.lost),
        ("unexpected favorites", report.unexpected),
        ("duplicated favorites", report.duplicated),
    ):
        if problems:
            lines += ["", f"first {title}:", *problems[:10]]
    return "\n".join(lines)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument(
        "--actions", type=int, default=20_000, help="total across all users"
    )
    parser.add_argument("--seconds", type=float, default=120.0, help="time cap")
    parser.add_argument(
        "--bcrypt-rounds", type=int, default=12, help="12 as in production"
    )
    parser.add_argument(
        "--ramp", type=float, default=0.0, help="seconds over which users start"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if not (1 <= args.users <= 2000 and 1 <= args.actions <= 1_000_000):
        parser.error("--users must be 1-2000 and --actions 1-1000000")
    if not (1 <= args.seconds <= 3600 and 0 <= args.ramp <= args.seconds):
        parser.error("--seconds must be 1-3600 and --ramp 0 to --seconds")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    plan = Plan(args.users, args.actions, args.seconds, args.seed, args.ramp)
    with load_target(args.bcrypt_rounds) as api:
        report = asyncio.run(measure(api, plan))
    print(table(report))
    healthy = report.server_errors == 0 and report.favorites_consistent
    return 0 if healthy else 1


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
