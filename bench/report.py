"""The table of measurements and the verdict on each bar.

Every line stays within 88 columns, so the tables can go into the README
as printed; what does not fit a cell is listed under the table.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from bench.cases import (
    DISTINCT_SEARCHES,
    QUERIES_PER_REQUEST,
    UPSTREAM_DELAY,
    Run,
)


@dataclass(frozen=True, slots=True)
class Bar:
    name: str
    measured: float
    limit: float
    at_least: bool  # True: measured >= limit passes; False: measured <= limit
    shown: str  # the measured figure as the table prints it

    @property
    def met(self) -> bool:
        if self.at_least:
            return self.measured >= self.limit
        return self.measured <= self.limit


def measurements(run: Run) -> str:
    lines = [
        "| measurement | req/s | × ceiling | p50 ms | p99 ms | CPU ms/req "
        "| peak MB |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    notes = []
    for row in run.rows.values():
        result = row.result
        share = "—"
        if row.key.startswith("ceiling") or row.key == "upstream_alone":
            share = "1"
        elif row.ceiling in run.rows and run.rows[row.ceiling].result.rps:
            share = f"{result.rps / run.rows[row.ceiling].result.rps:.2f}"
        cpu = f"{row.cpu_ms:.2f}" if row.cpu_ms is not None else "—"
        peaks = ", ".join(f"{peak:.0f}" for peak in row.peak_mb) or "—"
        lines.append(
            f"| {row.label} | {result.rps:,.0f} | {share} | {result.p50_ms:.1f} "
            f"| {result.p99_ms:.1f} | {cpu} | {peaks} |"
        )
        if row.note:
            notes.append(
                textwrap.fill(
                    f"- {row.label}: {row.note}.", width=88, subsequent_indent="  "
                )
            )
    return "\n".join(lines + ([""] + notes if notes else []))


def bars(run: Run) -> list[Bar]:
    rows = run.rows
    found: list[Bar] = []

    def rps(key: str) -> float:
        return rows[key].result.rps

    def share(name: str, key: str, ceiling: str, limit: float) -> None:
        if key not in rows or ceiling not in rows:
            return
        value = rps(key) / rps(ceiling)
        shown = f"{value:.2f}"
        if rows[key].cpu_ms and rows[ceiling].cpu_ms:
            shown += f" (by CPU: {rows[ceiling].cpu_ms / rows[key].cpu_ms:.2f})"
        found.append(Bar(name, value, limit, True, shown))

    share("favorites, PostgreSQL ≥ 0.35 × ceiling", "favorites_pg",
          "ceiling_favorites", 0.35)
    share("warm search ≥ 0.50 × ceiling", "search_warm", "ceiling_search", 0.50)
    share("favorite toggle ≥ 0.25 × ceiling", "toggle", "ceiling_toggle", 0.25)

    for name, on, off, timed in (
        ("favorites", "favorites_checked", "favorites_unchecked", "favorites"),
        ("warm search", "search_checked", "search_unchecked", "search"),
    ):
        micros = run.extras.get(f"checks_us_{timed}")
        if on not in rows or off not in rows or micros is None:
            continue
        # The checks' own time over the request's CPU time is the verdict;
        # the switch's req/s and CPU differences are noisier, shown beside.
        direct = micros / (rows[on].cpu_ms * 1000) if rows[on].cpu_ms else 0.0
        switched = 1 - rps(on) / rps(off)
        shown = f"{direct:.1%} timed; switch {switched:+.0%} req/s"
        if rows[on].cpu_ms and rows[off].cpu_ms:
            shown += f", {1 - rows[off].cpu_ms / rows[on].cpu_ms:+.0%} CPU"
        found.append(
            Bar(f"validation costs {name} ≤ 15%", direct, 0.15, False, shown)
        )

    if "favorites_logins" in rows and "p99_without_logins_ms" in run.extras:
        before = run.extras["p99_without_logins_ms"]
        during = rows["favorites_logins"].result.p99_ms
        found.append(
            Bar("logins raise the favorites p99 ≤ 2×", during / before, 2.0,
                False, f"{during / before:.2f}× ({before:.0f} → {during:.0f} ms)")
        )

    if "search_cold" in rows and "upstream_alone" in rows:
        cold = rows["search_cold"].result.p50_ms
        alone = rows["upstream_alone"].result.p50_ms
        over_delay = cold - UPSTREAM_DELAY * 1000
        found.append(
            Bar("cold search adds ≤ 5 ms to the median", cold - alone, 5.0, False,
                f"{cold - alone:+.1f} ms ({over_delay:+.1f} over the delay)")
        )

    if "memory" in rows:
        peak = max(rows["memory"].peak_mb)
        searches = rows["memory"].result.requests
        shown = f"{peak:.0f} MB at its peak"
        if searches < DISTINCT_SEARCHES:
            # Fewer searches than the bar names prove nothing: not met.
            peak = float("inf")
            shown += f", after only {searches:,} searches"
        found.append(
            Bar(f"a worker < 150 MB over {DISTINCT_SEARCHES:,} searches", peak,
                150.0, False, shown)
        )

    if "favorites_pg_2w" in rows and "favorites_1w" in rows:
        scale = rps("favorites_pg_2w") / rps("favorites_1w")
        shown = f"{scale:.2f}×"
        if "ceiling_favorites_2w" in rows and "ceiling_favorites" in rows:
            ceiling = rps("ceiling_favorites_2w") / rps("ceiling_favorites")
            shown += f" (the ceiling {ceiling:.2f}×)"
        found.append(
            Bar("2 workers scale favorites ≥ 1.6×", scale, 1.6, True, shown)
        )
    return found


def verdicts(run: Run) -> str:
    lines = ["| bar | measured | met |", "|---|---|---|"]
    for bar in bars(run):
        lines.append(f"| {bar.name} | {bar.shown} | {'yes' if bar.met else 'no'} |")
    return "\n".join(lines)


def query_caps(run: Run) -> str:
    """How far the database queries alone let each request near its ceiling.

    A request that makes `n` queries spends at least the ceiling's CPU time
    plus `n` times one query's, whatever else it does or skips.
    """
    query_cpu = run.extras.get("query_cpu_ms")
    if not query_cpu:
        return ""
    caps = []
    for key, queries in QUERIES_PER_REQUEST.items():
        row = run.rows.get(key)
        ceiling = run.rows.get(row.ceiling) if row is not None else None
        if ceiling is None or not ceiling.cpu_ms:
            continue
        cap = ceiling.cpu_ms / (ceiling.cpu_ms + queries * query_cpu)
        caps.append(f"{row.label} ({queries:g} queries) {cap:.2f}")
    if not caps:
        return ""
    return textwrap.fill(
        f"One database query costs a worker {query_cpu:.3f} CPU ms "
        f"(bench/round_trip.py), so the queries alone cap the share of the "
        f"ceiling at: {'; '.join(caps)}.",
        width=88,
    )
