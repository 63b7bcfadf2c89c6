"""How many PostgreSQL connections a process may open, from its threads or from settings."""

from __future__ import annotations

import pytest

from adapters.settings import Settings, SettingsError


def test_pools_follow_the_threads_unless_set() -> None:
    settings = Settings.from_env({"ACCREDIT_THREADS": "8"})

    assert settings.views_connections == 17
    assert settings.eventstore_connections == 8
    assert settings.pool_idle_seconds == 30.0


def test_pool_sizes_and_idle_time_can_be_set() -> None:
    settings = Settings.from_env(
        {
            "ACCREDIT_THREADS": "4",
            "ACCREDIT_VIEWS_POOL_SIZE": "5",
            "ACCREDIT_EVENTSTORE_POOL_SIZE": "2",
            "ACCREDIT_POOL_IDLE_SECONDS": "2.5",
        }
    )

    assert (settings.views_connections, settings.eventstore_connections) == (5, 2)
    assert settings.pool_idle_seconds == 2.5


def test_a_views_pool_smaller_than_the_threads_need_is_refused() -> None:
    # Every thread keeps one for its queries: with no spare, writes would wait for one.
    with pytest.raises(SettingsError, match="ACCREDIT_VIEWS_POOL_SIZE must be at least 5"):
        Settings.from_env({"ACCREDIT_THREADS": "4", "ACCREDIT_VIEWS_POOL_SIZE": "4"})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ACCREDIT_EVENTSTORE_POOL_SIZE", "0"),
        ("ACCREDIT_POOL_IDLE_SECONDS", "0"),
        ("ACCREDIT_USAGE_FLUSH_SECONDS", "-1"),
    ],
)
def test_pools_and_flushes_need_positive_settings(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})
