"""Running the real `trove` server as a process, for tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
# A worker process imports and builds the app before it answers; on a busy
# two-core machine that alone can take several seconds.
START_TIMEOUT = 90.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ApiProcess:
    url: str
    process: subprocess.Popen
    log_path: Path
    database_url: str

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def trove_env(
    *,
    database_url: str,
    pixabay_url: str | None,
    pixabay_key: str | None = "test-key",
    port: int | None = None,
    var_dir: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a test server: only TROVE_ variables we choose."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TROVE_")}
    env.update(
        TROVE_DATABASE_URL=database_url,
        TROVE_PORT=str(port or free_port()),
        TROVE_VAR_DIR=var_dir or tempfile.mkdtemp(prefix="trove-var-"),
        TROVE_BCRYPT_ROUNDS="4",
        # Every test registers and logs in from 127.0.0.1; the tests of the
        # limits themselves set their own.
        TROVE_REGISTRATIONS_PER_CLIENT="10000",
        TROVE_FAILED_LOGINS_PER_CLIENT="10000",
        TROVE_FAILED_LOGINS_PER_ACCOUNT="10000",
        PYTHONUNBUFFERED="1",
    )
    if pixabay_url is not None:
        env["TROVE_PIXABAY_URL"] = pixabay_url
    if pixabay_key is not None:
        env["TROVE_PIXABAY_KEY"] = pixabay_key
    env.update(extra_env or {})
    return env


def run_trove(
    *args: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "trove", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@contextmanager
def running_api(
    *,
    database_url: str,
    pixabay_url: str | None,
    pixabay_key: str | None = "test-key",
    extra_env: dict[str, str] | None = None,
    as_the_image_starts: bool = False,
    migrate: bool = True,
) -> Iterator[ApiProcess]:
    """Migrate the database, start `trove serve`, wait until it answers.

    `as_the_image_starts` runs `trove serve --migrate`, the container's
    command, instead of migrating first; `migrate=False` serves the database
    as it is.
    """
    env = trove_env(
        database_url=database_url,
        pixabay_url=pixabay_url,
        pixabay_key=pixabay_key,
        extra_env=extra_env,
    )
    if migrate and not as_the_image_starts:
        migrated = run_trove("migrate", env=env)
        if migrated.returncode != 0:
            raise RuntimeError(f"trove migrate failed:\n{migrated.stderr}")

    log_path = Path(env["TROVE_VAR_DIR"]) / "server.log"
    with open(log_path, "w") as log:
        command = ["serve", "--migrate"] if as_the_image_starts else ["serve"]
        process = subprocess.Popen(
            [sys.executable, "-m", "trove", *command],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    api = ApiProcess(
        f"http://127.0.0.1:{env['TROVE_PORT']}", process, log_path, database_url
    )
    try:
        _wait_until_up(api)
        yield api
    finally:
        stop(process)


def _wait_until_up(api: ApiProcess) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if api.process.poll() is not None:
            raise RuntimeError(f"trove serve exited early:\n{api.log()}")
        try:
            httpx.get(api.url + "/api/v1/health", timeout=20.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"trove serve did not answer in time:\n{api.log()}")


def stop(process: subprocess.Popen) -> None:
    """Stop a server and every worker it started."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
