"""Starting and stopping the processes a benchmark run measures.

Every process is started here in a session of its own and stopped by its
process group id, so a worker never outlives the run. Servers listen on
127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

from tests.support.servers import stop

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
START_TIMEOUT = 90.0
POSTGRES_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running server: its URL, its main process and where it logs."""

    url: str
    process: subprocess.Popen
    log_path: Path

    def workers(self) -> list[int]:
        """The process ids of the server workers Sanic started."""
        return [pid for pid in _children(self.process.pid) if _is_worker(pid)]

    def reset_peaks(self) -> None:
        """Start each worker's peak memory afresh (Linux: clear_refs 5)."""
        for pid in self.workers():
            Path(f"/proc/{pid}/clear_refs").write_text("5")

    def peak_mb(self) -> list[float]:
        """Each worker's peak resident memory since the last reset, in MB."""
        return [_status_kib(pid, "VmHWM") * 1024 / 1e6 for pid in self.workers()]

    def cpu_seconds(self) -> float:
        """CPU time the workers have used so far, user and system, in seconds."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.workers():
            stat = Path(f"/proc/{pid}/stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def answered(self, request_line: str) -> int:
        """How many requests like `request_line` the server's log records."""
        with open(self.log_path, errors="replace") as log:
            return sum(1 for line in log if request_line in line)

    def resident_mb(self) -> list[float]:
        """Each worker's resident memory now, in MB."""
        return [_status_kib(pid, "VmRSS") * 1024 / 1e6 for pid in self.workers()]


@contextmanager
def started(
    argv: list[str],
    *,
    env: dict[str, str],
    port: int,
    log_dir: Path,
    name: str,
    workers: int = 1,
) -> Iterator[Server]:
    """Start `argv`, wait until every worker is up, stop it afterwards."""
    log_path = log_dir / f"{name}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            argv,
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(f"http://{HOST}:{port}", process, log_path)
    try:
        _wait_until_up(server, workers)
        yield server
    finally:
        stop(process)


def _wait_until_up(server: Server, workers: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"{server.log_path.stem} exited early:\n"
                + server.log_path.read_text(errors="replace")[-3000:]
            )
        try:
            httpx.get(server.url + "/api/v1/health", timeout=10.0)
        except httpx.TransportError:
            time.sleep(0.1)
            continue
        if len(server.workers()) >= workers:
            # One worker answering is not all of them listening yet.
            time.sleep(1.0 if workers > 1 else 0.0)
            return
        time.sleep(0.1)
    raise RuntimeError(f"{server.log_path.stem} did not answer in time")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def _is_worker(pid: int) -> bool:
    # Sanic names each server worker in its environment; its other children
    # (the worker manager's helpers) are not named so.
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False
    return b"\0SANIC_WORKER_NAME=Sanic-Server-" in b"\0" + environ


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/{pid}/status has no {field}")


# -- the processes -----------------------------------------------------------


def python_module(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


def base_env() -> dict[str, str]:
    """This process's environment without any TROVE_ variable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TROVE_")}
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "backend")])
    return env


def trove_env(
    *,
    database_url: str,
    pixabay_url: str,
    pixabay_key: str,
    port: int,
    workers: int,
    var_dir: Path,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    env = base_env()
    env.update(
        TROVE_ENV="development",
        TROVE_DATABASE_URL=database_url,
        TROVE_PIXABAY_URL=pixabay_url,
        TROVE_PIXABAY_KEY=pixabay_key,
        TROVE_PORT=str(port),
        TROVE_WORKERS=str(workers),
        TROVE_VAR_DIR=str(var_dir),
        # The production cost: logins under load must pay what they would.
        TROVE_BCRYPT_ROUNDS="12",
    )
    env.update(extra or {})
    return env


def migrate(env: dict[str, str]) -> None:
    done = subprocess.run(
        python_module("trove", "migrate"),
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"trove migrate failed:\n{done.stderr}")


@contextmanager
def upstream(delay: float, log_dir: Path, name: str) -> Iterator[str]:
    """The fake Pixabay in its own process; yields its images URL."""
    port = free_port()
    log_path = log_dir / f"{name}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            python_module("bench.upstream", f"--port={port}", f"--delay={delay}"),
            env=base_env(),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://{HOST}:{port}/api/"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while "ready" not in log_path.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "the fake Pixabay did not start:\n" + log_path.read_text()
                )
            time.sleep(0.05)
        yield url
    finally:
        stop(process)


@contextmanager
def postgres_database() -> Iterator[str]:
    """A database of this run's own; dropped afterwards, whatever happens."""
    name = f"trove_bench_{uuid.uuid4().hex[:12]}"
    asyncio.run(_postgres_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        asyncio.run(_postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="trove-bench-sqlite-") as folder:
        yield f"sqlite://{folder}/trove.sqlite3"


async def _postgres_admin(statement: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=10)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()
