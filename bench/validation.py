"""What the spec's checks cost one request, timed directly in this process.

On two shared cores, two servers that differ only by the validation switch
measure up to 25% apart in either direction from one run to the next, which
drowns a cost of a few percent. The checks themselves are deterministic
work, so they are also timed here: Trove's contract compiled twice, with and
without schema checks (as `TROVE_BENCH_SKIP_VALIDATION=1` compiles it), and
the same query validated many times by each.
"""

from __future__ import annotations

import time

from trove import contract

REPEATS = 20_000
# The benchmark's requests, as the contract sees their query strings.
REQUESTS = {
    "favorites": ("listFavorites", {"limit": ["50"]}),
    "search": ("searchImages", {"q": ["bulk"]}),
}


class _NoRoutes:
    """Takes the routes `contract.bind` adds, for nothing but its plans."""

    def add_route(self, *args, **kwargs) -> None:
        pass


def microseconds_per_request() -> dict[str, float]:
    """For each request, the checks' time per request, in microseconds."""
    import trove.app  # noqa: F401  (registers every handler with the contract)

    spec = contract.load_spec()
    checked = _operations(spec, check_schemas=True)
    unchecked = _operations(spec, check_schemas=False)
    return {
        name: _time(checked[operation], query) - _time(unchecked[operation], query)
        for name, (operation, query) in REQUESTS.items()
    }


def _operations(spec: dict, *, check_schemas: bool) -> dict:
    operations = contract.bind(
        _NoRoutes(), spec, _no_authentication, check_schemas=check_schemas
    )
    return {op.operation_id: op for op in operations}


async def _no_authentication(request) -> None:
    return None


def _time(op, query: dict[str, list[str]]) -> float:
    best = float("inf")
    for _ in range(3):  # the best of three: the machine is shared
        started = time.perf_counter()
        for _ in range(REPEATS):
            contract.validate_path(op, {})
            contract.validate_query(op, query)
        best = min(best, time.perf_counter() - started)
    return best / REPEATS * 1e6
