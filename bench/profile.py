"""Sampling Trove's workers with py-spy while a case is measured.

`python -m bench --profile DIR` records each Trove measurement into
`DIR/<case>.txt` (py-spy's collapsed stacks) and prints where the worker's
event-loop thread spent its samples. Sampling costs a little throughput,
so the figures of a profiled run are not the ones to quote.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

# Frames that only say the thread was waiting, not working.
IDLE = ("select (selectors.py", "_run_once (asyncio", "run_forever (asyncio")


def py_spy() -> str:
    beside = Path(sys.executable).with_name("py-spy")
    found = str(beside) if beside.exists() else shutil.which("py-spy")
    if found is None:
        raise RuntimeError("py-spy is not installed: pip install py-spy")
    return found


def record(pids: list[int], seconds: float, out: Path) -> list[subprocess.Popen]:
    """Start one py-spy per worker; each stops by itself after `seconds`."""
    started = []
    for pid in pids:
        started.append(
            subprocess.Popen(
                [
                    py_spy(),
                    "record",
                    f"--pid={pid}",
                    f"--duration={max(1, round(seconds))}",
                    "--rate=200",
                    "--format=raw",
                    "--nonblocking",
                    f"--output={out.with_suffix(f'.{pid}.txt')}",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    return started


def wait(recorders: list[subprocess.Popen], limit: float) -> None:
    for recorder in recorders:
        try:
            recorder.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            recorder.kill()
            recorder.wait()


def summarise(path: Path, top: int = 30) -> str:
    """Inclusive and own shares of the samples of the thread that served."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        # The event loop's thread; bcrypt and other pool threads are apart.
        if not any("_run_server_forever" in frame for frame in frames):
            continue
        if any(frames[-1].startswith(idle) for idle in IDLE):
            continue
        samples = int(count)
        total += samples
        for name in {_short(frame) for frame in frames}:
            inclusive[name] += samples
        own[_short(frames[-1])] += samples
    if not total:
        return f"{path.name}: no samples of the serving thread\n"
    lines = [f"{path.name}: {total} busy samples of the serving thread"]
    lines.append("  inclusive:")
    for name, samples in inclusive.most_common(top):
        lines.append(f"  {100 * samples / total:5.1f}%  {name}")
    lines.append("  own:")
    for name, samples in own.most_common(12):
        lines.append(f"  {100 * samples / total:5.1f}%  {name}")
    return "\n".join(lines) + "\n"


def _short(frame: str) -> str:
    # "function (path/to/module.py:123)" -> "function (module.py)"
    name, _, where = frame.partition(" (")
    module = where.rsplit("/", 1)[-1].split(":", 1)[0].rstrip(")")
    return f"{name} ({module})" if module else name
