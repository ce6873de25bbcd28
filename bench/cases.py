"""The measurements, in the order one run takes them.

Servers that are compared are kept up side by side and measured one right
after the other, so that the machine's noise moves both figures of a ratio
alike: the ceiling and Trove, validation on and off, one worker and two.
"""

from __future__ import annotations

import dataclasses
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench import profile, round_trip, seed, servers, validation, wrk
from bench.wrk import Load, Result

# The fake Pixabay's answer time for the cold search: a fast real answer.
UPSTREAM_DELAY = 0.050
FAVORITES_PATH = "/api/v1/users/me/favorites?limit=50"
SEARCH_PATH = "/api/v1/images?q=bulk"
DISTINCT_SEARCHES = 10_000
# Seconds; the searches take one to three minutes on two busy cores.
MEMORY_TIME_LIMIT = 200
# The keys of the ceiling's rows that other rows are a share of.
# Database queries a request makes: the token check, then the data; of the
# toggle's PUT and DELETE, the PUT also looks for the favorite first.
QUERIES_PER_REQUEST = {"favorites_pg": 2, "search_warm": 2, "toggle": 2.5}
FAV = "ceiling_favorites"
FAV_2W = "ceiling_favorites_2w"
SEARCH = "ceiling_search"
POSTGRES_CASES = frozenset({"favorites", "search", "toggle", "logins", "cold"})
ALL_CASES = POSTGRES_CASES | {"memory", "sqlite"}


@dataclass(frozen=True, slots=True)
class Options:
    warmup: float = 3.0
    seconds: float = 10.0
    connections: int = 32
    threads: int = 2
    # Cold searches are timed one at a time (Trove's added time, the bar)
    # and then this many at once (for context: a queue forms in front).
    cold_connections: int = 8
    # Trove keeps 20 connections to Pixabay alive (httpx's default); more
    # misses at once would open and close one per request, and the fake's
    # small accept queue would then drop some (a 1 s SYN retry each).
    memory_connections: int = 16
    # Logins in flight at every moment of the login-under-load case.
    login_connections: int = 2
    # Where to keep py-spy's samples of each measurement; None: no sampling.
    profile_dir: Path | None = None
    cases: frozenset[str] = ALL_CASES


@dataclass
class Row:
    """One measurement, as the table shows it."""

    key: str
    label: str
    result: Result
    peak_mb: list[float]
    ceiling: str | None = None  # the key of the row it is a share of
    note: str = ""
    # Worker CPU time per answered request: steadier than req/s on a
    # shared machine, since time spent waiting for a core is not counted.
    cpu_ms: float | None = None

    def annotate(self, text: str) -> None:
        self.note = f"{self.note}; {text}" if self.note else text


@dataclass
class Run:
    options: Options
    rows: dict[str, Row] = field(default_factory=dict)
    extras: dict[str, float] = field(default_factory=dict)

    def add(self, row: Row) -> Row:
        self.rows[row.key] = row
        errors = row.result.status_errors + row.result.socket_errors
        if errors:
            row.annotate(f"{errors} answers were errors or failed")
        cpu = f", {row.cpu_ms:.2f} CPU ms/req" if row.cpu_ms is not None else ""
        say(
            f"  {row.label}: {row.result.rps:,.0f} req/s, "
            f"p50 {row.result.p50_ms:.1f} ms, p99 {row.result.p99_ms:.1f} ms{cpu}"
            + (f" ({row.note})" if row.note else "")
        )
        return row


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure(
    run: Run,
    server: servers.Server,
    load: Load,
    key: str,
    label: str,
    *,
    ceiling: str | None = None,
    connections: int | None = None,
    warm_load: Load | None = None,
) -> Row:
    """Warm up, then measure for the run's fixed time."""
    options = run.options
    connections = connections or options.connections
    threads = min(options.threads, connections)
    if options.warmup:
        wrk.run(
            server.url,
            warm_load or load,
            seconds=options.warmup,
            connections=connections,
            threads=threads,
        )
    server.reset_peaks()
    recorders = []
    if options.profile_dir is not None:
        out = options.profile_dir / key
        recorders = profile.record(server.workers(), options.seconds, out)
    cpu_before = server.cpu_seconds()
    result = wrk.run(
        server.url,
        load,
        seconds=options.seconds,
        connections=connections,
        threads=threads,
    )
    cpu = server.cpu_seconds() - cpu_before
    profile.wait(recorders, 30)
    row = Row(key, label, result, server.peak_mb(), ceiling)
    if result.requests:
        row.cpu_ms = 1000 * cpu / result.requests
    return run.add(row)


def paired(
    run: Run,
    load: Load,
    first: tuple[servers.Server, str, str, str],
    second: tuple[servers.Server, str, str, str],
) -> None:
    """Measure two servers in the order A B B A, half the time each turn.

    Both get the same share of any drift in the machine's load, which a
    single turn each would give to one of them alone. Each is warmed up
    once; its row adds up its two turns.
    """
    options = run.options
    turn = options.seconds / 2
    threads = min(options.threads, options.connections)
    sides = (first, second)
    for server, *_ in sides:
        if options.warmup:
            wrk.run(
                server.url,
                load,
                seconds=options.warmup,
                connections=options.connections,
                threads=threads,
            )
    totals: dict[str, list] = {side[1]: [] for side in sides}
    for server, key, *_ in (first, second, second, first):
        server.reset_peaks()
        cpu_before = server.cpu_seconds()
        result = wrk.run(
            server.url,
            load,
            seconds=turn,
            connections=options.connections,
            threads=threads,
        )
        cpu = server.cpu_seconds() - cpu_before
        totals[key].append((result, cpu, server.peak_mb()))
    for _, key, label, ceiling_key in sides:
        (one, cpu_one, peak_one), (two, cpu_two, peak_two) = totals[key]
        result = Result(
            requests=one.requests + two.requests,
            seconds=one.seconds + two.seconds,
            p50_ms=(one.p50_ms + two.p50_ms) / 2,
            p99_ms=max(one.p99_ms, two.p99_ms),
            status_errors=one.status_errors + two.status_errors,
            socket_errors=one.socket_errors + two.socket_errors,
        )
        peaks = [max(pair) for pair in zip(peak_one, peak_two)]
        row = Row(key, label, result, peaks, ceiling_key)
        if result.requests:
            row.cpu_ms = 1000 * (cpu_one + cpu_two) / result.requests
        run.add(row)


# -- the servers -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    """Where a run keeps its files, and what every Trove shares."""

    folder: Path
    upstream_url: str

    @property
    def logs(self) -> Path:
        return self.folder

    @property
    def var_dir(self) -> Path:
        # One development secret for every Trove of the run: a token from
        # one is good at all the others.
        return self.folder / "var"


@contextmanager
def trove(
    place: Place,
    database_url: str,
    name: str,
    *,
    workers: int = 1,
    upstream_url: str | None = None,
    extra: dict[str, str] | None = None,
) -> Iterator[servers.Server]:
    port = servers.free_port()
    env = servers.trove_env(
        database_url=database_url,
        pixabay_url=upstream_url or place.upstream_url,
        pixabay_key="bench-key",
        port=port,
        workers=workers,
        var_dir=place.var_dir,
        extra=extra,
    )
    servers.migrate(env)
    argv = servers.python_module("trove", "serve")
    with servers.started(
        argv, env=env, port=port, log_dir=place.logs, name=name, workers=workers
    ) as server:
        yield server


@contextmanager
def ceiling(place: Place, bodies: Path, workers: int) -> Iterator[servers.Server]:
    port = servers.free_port()
    argv = servers.python_module(
        "bench.ceiling", f"--bodies={bodies}", f"--port={port}", f"--workers={workers}"
    )
    with servers.started(
        argv,
        env=servers.base_env(),
        port=port,
        log_dir=place.logs,
        name=f"ceiling-{workers}w",
        workers=workers,
    ) as server:
        yield server


def capture_bodies(server: servers.Server, seeded: seed.Seeded, folder: Path) -> Path:
    """Save what Trove answers, for the ceiling to answer the same bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    headers = {"Authorization": f"Bearer {seeded.token}"}
    item = f"/api/v1/users/me/favorites/image/{seeded.toggle_ids[0]}"
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
        for name, path in (("favorites", FAVORITES_PATH), ("search", SEARCH_PATH)):
            answer = client.get(path)
            answer.raise_for_status()
            (folder / f"{name}.json").write_bytes(answer.content)
        added = client.put(item)
        if added.status_code != 201:
            raise RuntimeError(f"PUT {item} answered {added.status_code}")
        (folder / "put.json").write_bytes(added.content)
        client.delete(item).raise_for_status()
    return folder


# -- the run -----------------------------------------------------------------


def run_all(options: Options) -> Run:
    run = Run(options)
    wanted = options.cases
    if wanted & {"favorites", "search"}:
        say("timing the spec's checks in this process")
        for name, micros in validation.microseconds_per_request().items():
            run.extras[f"checks_us_{name}"] = micros
    with tempfile.TemporaryDirectory(prefix="trove-bench-") as folder:
        folder = Path(folder)
        with servers.upstream(UPSTREAM_DELAY, folder, name="upstream") as upstream:
            place = Place(folder, upstream)
            if wanted & POSTGRES_CASES:
                with servers.postgres_database() as postgres:
                    _postgres_cases(run, place, postgres)
            if "memory" in wanted:
                with servers.upstream(0.0, folder, name="upstream-fast") as fast:
                    with servers.postgres_database() as postgres:
                        _memory_case(run, place, postgres, fast)
            if "sqlite" in wanted:
                with servers.sqlite_database() as sqlite:
                    _sqlite_case(run, place, sqlite)
    return run


def _postgres_cases(run: Run, place: Place, database_url: str) -> None:
    wanted = run.options.cases
    say("PostgreSQL: starting Trove and seeding 1,000 favorites")
    with ExitStack() as stack:
        on = stack.enter_context(trove(place, database_url, "trove-pg"))
        seeded = seed.user_and_favorites(on.url, database_url)
        auth = (f"Authorization: Bearer {seeded.token}",)
        bodies = capture_bodies(on, seeded, place.folder / "bodies")

        say("timing one database query in this process")
        run.extras["query_cpu_ms"] = round_trip.cpu_ms_per_query(database_url)

        say("starting the ceiling and the other Troves")
        ceiling1 = stack.enter_context(ceiling(place, bodies, 1))
        if wanted & {"favorites", "search"}:
            off = stack.enter_context(
                trove(
                    place,
                    database_url,
                    "trove-pg-unchecked",
                    extra={"TROVE_BENCH_SKIP_VALIDATION": "1"},
                )
            )
        if "favorites" in wanted:
            two = stack.enter_context(
                trove(place, database_url, "trove-pg-2w", workers=2)
            )
            ceiling2 = stack.enter_context(ceiling(place, bodies, 2))

        favorites = Load(FAVORITES_PATH, headers=auth)
        search = Load(SEARCH_PATH, headers=auth)
        toggle = Load(
            "/",
            script="toggle",
            args=("image", ",".join(map(str, seeded.toggle_ids[:200]))),
            headers=auth,
        )

        say("favorites")
        measure(
            run, ceiling1, favorites, "ceiling_favorites", "ceiling, favorites bytes"
        )
        measure(
            run,
            on,
            favorites,
            "favorites_pg",
            "favorites, PostgreSQL",
            ceiling="ceiling_favorites",
        )
        if "favorites" in wanted:
            paired(
                run,
                favorites,
                (on, "favorites_checked", "favorites, validation on", FAV),
                (off, "favorites_unchecked", "favorites, validation off", FAV),
            )
            paired(
                run,
                favorites,
                (on, "favorites_1w", "favorites, 1 worker", FAV),
                (two, "favorites_pg_2w", "favorites, 2 workers", FAV_2W),
            )
            measure(
                run,
                ceiling2,
                favorites,
                "ceiling_favorites_2w",
                "ceiling, 2 workers",
            )

        if "search" in wanted:
            say("warm search")
            measure(run, ceiling1, search, "ceiling_search", "ceiling, search bytes")
            measure(
                run, on, search, "search_warm", "warm search", ceiling="ceiling_search"
            )
            paired(
                run,
                search,
                (on, "search_checked", "warm search, validation on", SEARCH),
                (off, "search_unchecked", "warm search, validation off", SEARCH),
            )

        if "toggle" in wanted:
            say("favorite toggle")
            measure(run, ceiling1, toggle, "ceiling_toggle", "ceiling, PUT + DELETE")
            measure(
                run,
                on,
                toggle,
                "toggle",
                "favorite toggle",
                ceiling="ceiling_toggle",
            )

        if "logins" in wanted:
            say("login under load")
            _login_case(run, on, favorites)

        if "cold" in wanted:
            say("cold search")
            _cold_search_case(run, place, on, auth)


def _login_case(run: Run, server: servers.Server, favorites: Load) -> None:
    """Favorites alone, then while logins run, then alone again.

    The bar compares the p99 with logins against the mean p99 of the two
    turns without, taken right before and right after on the same server.
    """
    options = run.options
    logins = Load(
        "/api/v1/tokens", script="login", args=(seed.EMAIL, seed.PASSWORD)
    )
    half = dataclasses.replace(options, warmup=0.0, seconds=options.seconds / 2)
    quiet = Run(half)
    measure(quiet, server, favorites, "before", "favorites before the logins")

    # The logins run through warm-up and measurement both.
    span = options.warmup + options.seconds + 2
    background = wrk.start(
        server.url,
        logins,
        seconds=span,
        connections=options.login_connections,
        threads=1,
        timeout=30,
    )
    row = measure(
        run,
        server,
        favorites,
        "favorites_logins",
        "favorites during logins",
        ceiling="ceiling_favorites",
    )
    login = wrk.finish(background, span + 30)
    measure(quiet, server, favorites, "after", "favorites after the logins")

    before, after = quiet.rows["before"].result, quiet.rows["after"].result
    run.extras["p99_without_logins_ms"] = (before.p99_ms + after.p99_ms) / 2
    row.annotate(
        f"{login.rps:.1f} logins/s ran alongside (median {login.p50_ms:.0f} ms); "
        f"p99 without them {before.p99_ms:.0f} ms just before, "
        f"{after.p99_ms:.0f} ms just after"
    )


def _cold_search_case(
    run: Run, place: Place, server: servers.Server, auth: tuple[str, ...]
) -> None:
    options = run.options
    # Each wrk run sends far fewer than 100,000 searches.
    first = iter(range(100_000, 20_000_000, 100_000))

    def distinct() -> Load:
        # A fresh range of searches for every wrk run: each is a miss.
        return Load(
            "/",
            script="distinct_search",
            args=(str(next(first)), str(10**9), str(options.threads)),
            headers=auth,
        )

    # One at a time: what Trove adds to each answer, with no queue in front
    # of it; the fake alone at the same pace is the upstream time.
    measure(
        run,
        server,
        distinct(),
        "search_cold",
        "cold search, 1 at a time",
        connections=1,
        warm_load=distinct(),
    )
    alone = Load("/api/?key=bench-key&q=bulk&min_width=7&min_height=3&page=2")
    result = wrk.run(
        place.upstream_url.removesuffix("/api/"),
        alone,
        seconds=options.seconds,
        connections=1,
        threads=1,
    )
    run.add(Row("upstream_alone", "fake Pixabay alone, 1 at a time", result, []))
    # Its own ceiling: what one request at a time can do when upstream
    # takes this long.
    run.rows["search_cold"].ceiling = "upstream_alone"
    measure(
        run,
        server,
        distinct(),
        "search_cold_many",
        f"cold search, {options.cold_connections} at once",
        connections=options.cold_connections,
        warm_load=distinct(),
    )


def _memory_case(run: Run, place: Place, database_url: str, fast: str) -> None:
    say(f"memory: {DISTINCT_SEARCHES:,} distinct searches on a fresh worker")
    with trove(place, database_url, "trove-memory", upstream_url=fast) as server:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            client.post(
                "/api/v1/users", json={"email": seed.EMAIL, "password": seed.PASSWORD}
            )
            token = seed.log_in(client)
        options = run.options
        # A few more than asked: searches still in flight when wrk stops
        # may be dropped.
        wanted = DISTINCT_SEARCHES + options.memory_connections
        load = Load(
            "/",
            script="distinct_search",
            args=("0", str(wanted), str(options.threads)),
            headers=(f"Authorization: Bearer {token}",),
        )
        server.reset_peaks()
        answered_before = server.answered("GET /api/v1/images")
        started = time.monotonic()
        background = wrk.start(
            server.url,
            load,
            seconds=MEMORY_TIME_LIMIT,
            connections=options.memory_connections,
            threads=options.threads,
        )
        # wrk's threads stop at their share of the count, but wrk itself
        # waits out its duration: interrupt it once the log shows them all.
        while background.poll() is None:
            answered = server.answered("GET /api/v1/images") - answered_before
            if answered >= DISTINCT_SEARCHES:
                break
            time.sleep(0.5)
        took = time.monotonic() - started
        background.send_signal(signal.SIGINT)
        result = wrk.finish(background, 30)
        result = dataclasses.replace(result, seconds=took)
        label = f"{DISTINCT_SEARCHES:,} distinct searches"
        row = run.add(Row("memory", label, result, server.peak_mb()))
        run.extras["memory_searches"] = result.requests
        run.extras["memory_resident_mb"] = max(server.resident_mb())
        row.annotate(
            f"{result.requests:,} searches in {took:.0f} s; "
            f"{run.extras['memory_resident_mb']:.0f} MB resident after"
        )


def _sqlite_case(run: Run, place: Place, database_url: str) -> None:
    say("SQLite: starting Trove and seeding 1,000 favorites")
    with trove(place, database_url, "trove-sqlite") as server:
        seeded = seed.user_and_favorites(server.url, database_url)
        favorites = Load(
            FAVORITES_PATH, headers=(f"Authorization: Bearer {seeded.token}",)
        )
        measure(
            run,
            server,
            favorites,
            "favorites_sqlite",
            "favorites, SQLite",
            ceiling="ceiling_favorites",
        )
