"""`python -m bench` (or `make bench`): measure, print the tables, exit.

The options shorten or lengthen every case alike; the defaults are the ones
the README's table was made with.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

from bench import cases, profile, report, wrk


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    try:
        wrk.wrk_binary()
        if args.profile is not None:
            profile.py_spy()
    except (wrk.WrkError, RuntimeError) as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2

    options = cases.Options(
        warmup=args.warmup,
        seconds=args.seconds,
        connections=args.connections,
        profile_dir=args.profile,
        cases=args.cases,
    )
    started = time.monotonic()
    run = cases.run_all(options)
    took = time.monotonic() - started

    print(
        f"\nTrove benchmarks: {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; {options.warmup:g} s warm-up and "
        f"{options.seconds:g} s per case;\n{options.connections} connections "
        f"and {options.threads} wrk threads unless a case says otherwise; "
        f"{took:.0f} s in all.\n"
    )
    print(report.measurements(run))
    print()
    print(report.verdicts(run))
    caps = report.query_caps(run)
    if caps:
        print()
        print(caps)
    if args.profile is not None:
        _summarise_profiles(args.profile)
    return 0


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    defaults = cases.Options()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--warmup",
        type=float,
        default=defaults.warmup,
        help="seconds of warm-up before each measurement (0-60)",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=defaults.seconds,
        help="seconds each measurement lasts (1-120)",
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=defaults.connections,
        help="connections wrk keeps open (1-256)",
    )
    parser.add_argument(
        "--cases",
        default=",".join(sorted(cases.ALL_CASES)),
        help="the groups of cases to run, comma-separated",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="sample each measured worker with py-spy into DIR",
    )
    args = parser.parse_args(argv)

    if not (1 <= args.seconds <= 120 and 0 <= args.warmup <= 60):
        parser.error("--seconds must be 1-120 and --warmup 0-60")
    if not 1 <= args.connections <= 256:
        parser.error("--connections must be 1-256")
    args.cases = frozenset(args.cases.split(","))
    if args.cases - cases.ALL_CASES:
        parser.error(f"--cases takes: {', '.join(sorted(cases.ALL_CASES))}")
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)
    return args


def _summarise_profiles(folder: Path) -> None:
    for raw in sorted(folder.glob("*.*.txt")):
        summary = raw.with_name(raw.name.removesuffix(".txt") + ".summary")
        summary.write_text(profile.summarise(raw))
    print(f"\nProfiles: {folder}/*.summary, py-spy's raw stacks beside them.")


if __name__ == "__main__":
    sys.exit(main())
