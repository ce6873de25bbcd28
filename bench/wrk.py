"""Running wrk against a local server and reading what it measured."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

LUA_DIR = Path(__file__).with_name("lua")
MARKER = "BENCH-RESULT "


class WrkError(RuntimeError):
    """wrk is missing, failed, or answered with errors."""


@dataclass(frozen=True, slots=True)
class Load:
    """What to send: a Lua script from `lua/`, its arguments, the headers."""

    path: str
    script: str = "get"
    args: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    status_errors: int
    socket_errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise WrkError(
            "wrk is not installed: `apt-get install wrk` (Debian package wrk)"
        )
    return found


def command(
    base_url: str,
    load: Load,
    *,
    seconds: float,
    connections: int,
    threads: int,
    timeout: float = 10.0,
) -> tuple[list[str], Path]:
    """The wrk command line for `load`, and the script file it reads."""
    script = _script(load.script)
    argv = [
        wrk_binary(),
        f"--threads={threads}",
        f"--connections={max(connections, threads)}",
        f"--duration={max(1, round(seconds))}s",
        f"--timeout={round(timeout)}s",
        f"--script={script}",
    ]
    for header in load.headers:
        argv += ["--header", header]
    argv.append(base_url.rstrip("/") + load.path)
    if load.args:
        argv += ["--", *load.args]
    return argv, script


def run(base_url: str, load: Load, **options) -> Result:
    """Run wrk once, to its end, and return what it measured."""
    argv, script = command(base_url, load, **options)
    seconds = options["seconds"]
    try:
        finished = subprocess.run(
            argv, capture_output=True, text=True, timeout=seconds + 30
        )
    finally:
        script.unlink(missing_ok=True)
    return parse(finished.stdout, finished.stderr, finished.returncode)


def start(base_url: str, load: Load, **options) -> subprocess.Popen:
    """Start wrk in the background; `finish` waits for it and reads it."""
    argv, script = command(base_url, load, **options)
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    process.script = script  # removed by finish()
    return process


def finish(process: subprocess.Popen, limit: float) -> Result:
    try:
        stdout, stderr = process.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
    finally:
        process.script.unlink(missing_ok=True)
    return parse(stdout, stderr, process.returncode)


def parse(stdout: str, stderr: str, returncode: int) -> Result:
    for line in stdout.splitlines():
        if line.startswith(MARKER):
            raw = json.loads(line[len(MARKER) :])
            return Result(
                requests=raw["requests"],
                seconds=raw["duration_us"] / 1e6,
                p50_ms=raw["p50_us"] / 1000,
                p99_ms=raw["p99_us"] / 1000,
                status_errors=raw["status_errors"],
                socket_errors=raw["socket_errors"],
            )
    raise WrkError(
        f"wrk exited with {returncode} and no result:\n{stderr.strip()}\n"
        f"{stdout.strip()}"
    )


def _script(name: str) -> Path:
    """The case's script with the shared reporting appended, as a temp file."""
    text = (LUA_DIR / f"{name}.lua").read_text()
    text += "\n" + (LUA_DIR / "report.lua").read_text()
    handle = tempfile.NamedTemporaryFile(
        "w", prefix=f"bench-{name}-", suffix=".lua", delete=False
    )
    with handle:
        handle.write(text)
    return Path(handle.name)
