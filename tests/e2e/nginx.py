"""The project's own nginx.conf, run by the real nginx binary for tests.

Only what must differ on a test machine is changed: the listen address, the
upstream address and the file system paths (web root, pid, logs, temporary
files), so that nginx runs from a temporary folder on 127.0.0.1. Each change
must match exactly as often as expected: if nginx.conf moves on, this fails
loudly instead of testing a different file.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "nginx.conf"
FRONTEND = ROOT / "frontend"
NGINX = Path("/usr/sbin/nginx")
START_TIMEOUT = 10.0


@dataclass(frozen=True)
class Nginx:
    url: str
    config_path: Path
    runtime_dir: Path

    def error_log(self) -> str:
        path = self.runtime_dir / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""


def render_config(
    text: str, *, listen: str, upstream: str, web_root: Path, runtime_dir: Path
) -> str:
    """Return nginx.conf with the test machine's addresses and paths."""
    substitutions = [
        # (pattern, replacement, how many times it must match)
        (r"^(\s*)listen 80;$", rf"\g<1>listen {listen};", 1),
        (r"^(\s*)server api:8000;$", rf"\g<1>server {upstream};", 1),
        (r"^(\s*)root /usr/share/nginx/html;$", rf"\g<1>root {web_root};", 1),
        (r"^pid /var/run/nginx\.pid;$", f"pid {runtime_dir}/nginx.pid;", 1),
        (r"/var/log/nginx/", f"{runtime_dir}/", 2),
        (r"/var/cache/nginx/", f"{runtime_dir}/", 5),
    ]
    for pattern, replacement, expected in substitutions:
        text, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
        if count != expected:
            raise AssertionError(
                f"nginx.conf: {pattern!r} matched {count} times, not {expected}"
            )
    return text


def check_config(config_path: Path, runtime_dir: Path) -> subprocess.CompletedProcess:
    """Run `nginx -t` on a rendered configuration."""
    return subprocess.run(
        [str(NGINX), "-t", *_location_flags(config_path, runtime_dir)],
        capture_output=True,
        text=True,
        timeout=30,
    )


@contextmanager
def running_nginx(upstream_url: str) -> Iterator[Nginx]:
    """Serve a copy of frontend/ with nginx.conf, proxying /api/ upstream."""
    runtime_dir = Path(tempfile.mkdtemp(prefix="trove-nginx-"))
    # When run as root, nginx's workers drop to an unprivileged user, which
    # must be able to enter this folder and read the web root.
    runtime_dir.chmod(0o755)
    web_root = runtime_dir / "html"
    shutil.copytree(FRONTEND, web_root)

    port = free_port()
    config_path = runtime_dir / "nginx.conf"
    config_path.write_text(
        render_config(
            CONFIG.read_text(),
            listen=f"127.0.0.1:{port}",
            upstream=urlsplit(upstream_url).netloc,
            web_root=web_root,
            runtime_dir=runtime_dir,
        )
    )
    checked = check_config(config_path, runtime_dir)
    if checked.returncode != 0:
        raise RuntimeError(f"nginx -t refused the configuration:\n{checked.stderr}")

    with open(runtime_dir / "nginx.out", "w") as output:
        process = subprocess.Popen(
            [
                str(NGINX),
                *_location_flags(config_path, runtime_dir),
                "-g",
                "daemon off;",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    nginx = Nginx(f"http://127.0.0.1:{port}", config_path, runtime_dir)
    try:
        _wait_until_up(nginx, process)
        yield nginx
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(runtime_dir, ignore_errors=True)


def _location_flags(config_path: Path, runtime_dir: Path) -> list[str]:
    # -e: nginx opens its error log before reading the configuration.
    return [
        "-c", str(config_path),
        "-p", f"{runtime_dir}/",
        "-e", str(runtime_dir / "error.log"),
    ]


def _wait_until_up(nginx: Nginx, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited early:\n{nginx.error_log()}")
        try:
            httpx.get(nginx.url + "/", timeout=2.0)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"nginx did not answer in time:\n{nginx.error_log()}")
