"""The short form of the load test (`bench/load.py`): many users at once."""

from __future__ import annotations

import asyncio

import pytest

from bench.load import MiB, Plan, load_target, measure, table

pytestmark = pytest.mark.postgres

# Bounded three ways: users, actions in all, and a time cap after which the
# run stops by itself.
SHORT = Plan(users=20, actions=300, seconds=60.0)
# Generous: a worker that keeps what it served grows by far more than this.
MEMORY_GROWTH_LIMIT = 50 * MiB
# bcrypt's cost 4 instead of production's 12: this tests correctness under
# concurrency, not bcrypt's cost, and at 12 the logins alone would take
# most of the time cap on two cores.
BCRYPT_ROUNDS = 4


@pytest.fixture(scope="module")
def short_run(pytestconfig):
    with load_target(BCRYPT_ROUNDS) as api:
        report = asyncio.run(measure(api, SHORT))
    figures = table(report)
    # Shown whether or not pytest captures output (-s or not).
    capture = pytestconfig.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\n" + figures)
    return report, figures


def test_many_users_at_once_get_no_server_error(short_run):
    report, figures = short_run

    assert report.server_errors == 0, figures
    assert report.no_answer == 0, figures
    assert report.wrong_answers == [], figures
    assert not report.cut_off, figures


def test_every_favorite_a_client_was_told_of_is_stored_exactly_once(short_run):
    report, figures = short_run

    assert report.favorites_checked > 0, figures
    assert report.lost == [], figures
    assert report.unexpected == [], figures
    assert report.duplicated == [], figures
    assert report.uncertain == 0, figures


def test_each_worker_grows_by_less_than_50_mb_under_load(short_run):
    report, figures = short_run

    assert len(report.memory) == 2, figures
    for pid, growth in report.growth().items():
        assert growth < MEMORY_GROWTH_LIMIT, f"worker {pid}\n{figures}"
