"""How many failed authentications an address may make per minute, from settings."""

from __future__ import annotations

import pytest

from adapters.settings import Settings, SettingsError

NAME = "ACCREDIT_AUTH_FAILURES_PER_MINUTE"


def test_an_address_may_fail_30_times_a_minute_unless_set() -> None:
    assert Settings.from_env({}).auth_failures_per_minute == 30
    assert Settings.from_env({NAME: ""}).auth_failures_per_minute == 30


@pytest.mark.parametrize(("value", "budget"), [("1", 1), ("500", 500), (" 7 ", 7)])
def test_the_budget_can_be_set(value: str, budget: int) -> None:
    assert Settings.from_env({NAME: value}).auth_failures_per_minute == budget


@pytest.mark.parametrize("value", ["off", "OFF", " Off "])
def test_off_turns_the_budget_off(value: str) -> None:
    assert Settings.from_env({NAME: value}).auth_failures_per_minute is None


@pytest.mark.parametrize("value", ["0", "-1", "1.5", "many", "none"])
def test_anything_else_is_refused_with_what_it_takes(value: str) -> None:
    with pytest.raises(SettingsError, match=f"{NAME} must be a whole number of at least 1, or off"):
        Settings.from_env({NAME: value})
