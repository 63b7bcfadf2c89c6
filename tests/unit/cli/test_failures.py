"""Which failures the command line explains in one line, and with which exit status."""

from __future__ import annotations

import psycopg_pool
import pytest
from sqlalchemy import exc

from adapters.settings import SettingsError
from adapters.sql.store_check import DatabaseUnreachable, NoDataDirectory
from domain.shared.errors import NotFound
from entrypoints.cli.failures import explain


def test_a_wrong_setting_or_a_missing_data_directory_is_a_usage_error() -> None:
    assert explain(SettingsError("ACCREDIT_PORT must be a whole number")) == (
        "configuration error: ACCREDIT_PORT must be a whole number",
        2,
    )
    assert explain(NoDataDirectory("there is no data directory at var")) == (
        "there is no data directory at var",
        2,
    )


def test_an_unreachable_database_and_a_refusal_by_a_rule_are_failures() -> None:
    assert explain(DatabaseUnreachable("cannot reach PostgreSQL")) == (
        "cannot reach PostgreSQL",
        1,
    )
    assert explain(NotFound("no tenant with id 42")) == ("no tenant with id 42", 1)


def test_a_database_lost_during_the_command_is_one_line() -> None:
    lost = exc.OperationalError(
        "SELECT 1", None, psycopg_pool.PoolTimeout("couldn't get a connection after 3.00 sec")
    )

    message, status = explain(lost) or ("", 0)

    assert status == 1
    assert message == (
        "the database stopped answering: "
        "(psycopg_pool.PoolTimeout) couldn't get a connection after 3.00 sec"
    )


def test_ctrl_c_is_the_shells_status_for_an_interrupt() -> None:
    assert explain(KeyboardInterrupt()) == ("interrupted", 130)


@pytest.mark.parametrize("bug", [ValueError("bad"), KeyError("x"), AssertionError()])
def test_anything_else_is_a_bug_and_keeps_its_traceback(bug: Exception) -> None:
    assert explain(bug) is None
