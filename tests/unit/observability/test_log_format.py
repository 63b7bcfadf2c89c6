"""The two line formats: JSON a line for machines, plain text for people."""

from __future__ import annotations

import io
import json
import logging
import sys

import pytest

from adapters.settings import Settings, SettingsError
from entrypoints.observability.log_format import JsonLines, PlainLines
from entrypoints.observability.logs import formatter_for


def record(message: str, *args: object, **fields: object) -> logging.LogRecord:
    made = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, message, args, None)
    made.created = 1_900_000_000.5
    for name, value in fields.items():
        setattr(made, name, value)
    return made


def failed() -> logging.LogRecord:
    try:
        raise ValueError("broken\r\nin two")
    except ValueError:
        made = record("it failed")
        made.exc_info = sys.exc_info()
        return made


def test_a_json_line_holds_time_level_logger_message_and_the_fields() -> None:
    line = JsonLines().format(record("GET %s", "/v1/tenant", route="/v1/tenant", status=200))

    assert json.loads(line) == {
        "time": "2030-03-17T17:46:40.500Z",
        "level": "INFO",
        "logger": "gunicorn.access",
        "message": "GET /v1/tenant",
        "pid": logging.LogRecord("x", 0, "", 0, "", None, None).process,
        "route": "/v1/tenant",
        "status": 200,
    }


def test_a_json_line_stays_one_line_whatever_the_message_and_exception_hold() -> None:
    made = failed()
    made.msg = "a\r\nforged line"

    line = JsonLines().format(made)

    assert "\n" not in line
    assert "\r" not in line
    parsed = json.loads(line)
    assert parsed["message"] == "a\r\nforged line"
    assert parsed["exception"].startswith("Traceback (most recent call last):")
    assert parsed["exception"].endswith("ValueError: broken\r\nin two")


def test_a_plain_line_reads_as_a_sentence_followed_by_its_fields() -> None:
    line = PlainLines().format(
        record("GET /v1/tenant 200 1.5 ms", request_id="r-1", route="/v1/tenant", status=200)
    )

    assert line == (
        "2030-03-17T17:46:40.500Z INFO    gunicorn.access: GET /v1/tenant 200 1.5 ms"
        "  request_id=r-1 route=/v1/tenant status=200"
    )


def test_a_plain_line_escapes_line_breaks_and_puts_a_traceback_below() -> None:
    made = failed()
    made.msg = "a\r\nforged line"

    first, *traceback = PlainLines().format(made).splitlines()

    assert first == "2030-03-17T17:46:40.500Z INFO    gunicorn.access: a\\r\\nforged line"
    assert traceback[0] == "Traceback (most recent call last):"
    assert traceback[-2:] == ["ValueError: broken", "in two"]


def test_auto_is_plain_on_a_terminal_only() -> None:
    assert isinstance(formatter_for("auto", io.StringIO()), JsonLines)
    assert isinstance(formatter_for("plain", io.StringIO()), PlainLines)
    assert isinstance(formatter_for("json", io.StringIO()), JsonLines)


def test_format_and_level_are_settings_with_json_and_info_by_default() -> None:
    assert (Settings.from_env({}).log_format, Settings.from_env({}).log_level) == ("json", "INFO")
    chosen = Settings.from_env({"ACCREDIT_LOG_FORMAT": "Plain", "ACCREDIT_LOG_LEVEL": "debug"})
    assert (chosen.log_format, chosen.log_level) == ("plain", "DEBUG")
    with pytest.raises(SettingsError, match="ACCREDIT_LOG_FORMAT"):
        Settings.from_env({"ACCREDIT_LOG_FORMAT": "xml"})
    with pytest.raises(SettingsError, match="ACCREDIT_LOG_LEVEL"):
        Settings.from_env({"ACCREDIT_LOG_LEVEL": "loud"})


def test_the_access_log_is_on_unless_switched_off() -> None:
    assert Settings.from_env({}).access_log is True
    assert Settings.from_env({"ACCREDIT_ACCESS_LOG": "0"}).access_log is False
    with pytest.raises(SettingsError, match="ACCREDIT_ACCESS_LOG"):
        Settings.from_env({"ACCREDIT_ACCESS_LOG": "maybe"})
