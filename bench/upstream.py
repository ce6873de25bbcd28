"""The fake Pixabay as a process of its own, for the benchmarks.

The load generator and Trove share two cores; running the fake in its own
process keeps its threads off Trove's interpreter. Its rate limit is raised
out of the way, since the benchmarks measure Trove, not the budget, and its
images are inflated so that distinct searches find full pages.

Run by `bench.servers`; by hand: `python -m bench.upstream --port 8765`.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from tests.fakes.pixabay import FakePixabay

KEY = "bench-key"
# Enough that no run of the suite ever meets it.
RATE_LIMIT = 10_000_000
# Extra image hits, each with the tag "bulk": more than the 500 one query
# reaches, and few enough that the fake answers quickly (it scans them all).
EXTRA_IMAGES = 600


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds")
    args = parser.parse_args(argv)

    fake = FakePixabay(KEY, rate_limit=RATE_LIMIT, port=args.port)
    fake.inflate("image", EXTRA_IMAGES)
    fake.delay = args.delay
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())

    fake.start()
    print(f"upstream ready at {fake.url}", flush=True)
    stopped.wait()
    fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
