"""The leaderboard store behind the app: reads the results repo once per TTL, keeps the last good data on errors."""

from __future__ import annotations

import pytest

from space.settings import get_settings


@pytest.fixture()
def settings(local_hub, results_repo):
    return get_settings({"RESULTS_REPO": results_repo, "HF_ENDPOINT": local_hub.url, "LEADERBOARD_TTL_S": "3600"})


def test_reads_once_per_ttl_and_keeps_data_when_the_hub_fails(settings):
    from space.app import LeaderboardStore  # gradio: imported when the test runs, not at collection

    store = LeaderboardStore()
    assert store.ensure(settings) is None and len(store.loaded.results) >= 7  # the live tests may add one
    first, count = store.fetched_at, len(store.loaded.results)
    assert store.ensure(settings) is None and store.fetched_at == first  # within the TTL: no new read

    unreachable = get_settings({"RESULTS_REPO": "nobody/never-cached", "HF_ENDPOINT": "http://127.0.0.1:9"})
    error = store.ensure(unreachable, force=True)
    assert error and "nobody/never-cached" in error
    assert len(store.loaded.results) == count and store.fetched_at == first  # the last good data stays
    assert store.ensure(settings, force=True) is None and store.error is None
