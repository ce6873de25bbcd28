"""Whether a failed login's timing tells if the email address is registered.

Run with `.venv/bin/python -m bench.login_timing` from the repository root.
It starts Trove as production does (bcrypt cost 12) on SQLite, registers one
user, then times failed logins with a wrong password for that user and with
unknown addresses, interleaved, and prints both medians and their ratio. A
ratio near 1 means the answer's timing does not reveal whether an account
exists. It prints figures and exits; it asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid

import httpx

from tests.support.servers import running_api

PASSWORD = "Aa11%$cccc"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=20, help="per kind")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="trove-timing-")
    with running_api(
        database_url=f"sqlite://{folder}/trove.sqlite3",
        pixabay_url=None,
        pixabay_key=None,
        extra_env={"TROVE_BCRYPT_ROUNDS": "12"},
    ) as api, httpx.Client(base_url=api.url, timeout=30) as http:
        email = f"timing-{uuid.uuid4().hex[:8]}@example.com"
        http.post("/api/v1/users", json={"email": email, "password": PASSWORD})
        known, unknown = [], []
        for _ in range(args.attempts):
            known.append(_failed_login(http, email))
            unknown.append(_failed_login(http, f"{uuid.uuid4().hex}@example.com"))

    known_ms = statistics.median(known) * 1000
    unknown_ms = statistics.median(unknown) * 1000
    print(f"failed logins, {args.attempts} of each kind, bcrypt cost 12")
    print(f"  registered address, wrong password: median {known_ms:7.1f} ms")
    print(f"  unknown address:                    median {unknown_ms:7.1f} ms")
    print(f"  ratio unknown / registered:         {unknown_ms / known_ms:7.2f}")


def _failed_login(http: httpx.Client, email: str) -> float:
    started = time.perf_counter()
    answer = http.post("/api/v1/tokens", json={"email": email, "password": "Wrong1!x"})
    elapsed = time.perf_counter() - started
    assert answer.status_code == 401, answer.text
    return elapsed


if __name__ == "__main__":
    main()
