"""The two line formats: a JSON object a line for machines, plain text for people."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from entrypoints.observability.log_context import current_fields

# What every record has; anything else on a record is a field of the line.
_STANDARD = frozenset((*RESERVED_ATTRS, "message", "asctime"))


def utc_time(record: logging.LogRecord) -> str:
    """The record's time in ISO 8601, UTC, to the millisecond: 2030-01-01T12:00:00.123Z."""
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ContextFilter(logging.Filter):
    """Gives each record the fields of the request in progress (a field logged wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in current_fields().items():
            if name not in record.__dict__:
                setattr(record, name, value)
        return True


class JsonLines(JsonFormatter):
    """One JSON object a line: time, level, logger, message, pid, then the fields.

    A traceback goes into the one field `exception`, its line breaks escaped like any
    other control character, so a line is always one record.
    """

    def __init__(self) -> None:
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(process)d",
            rename_fields={
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
                "process": "pid",
                "exc_info": "exception",
            },
        )

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        del datefmt
        return utc_time(record)


def _one_line(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")


class PlainLines(logging.Formatter):
    """`time LEVEL logger: message  field=value ...`, a traceback on the lines below."""

    def format(self, record: logging.LogRecord) -> str:
        line = (
            f"{utc_time(record)} {record.levelname:<7} {record.name}: "
            f"{_one_line(record.getMessage())}"
        )
        fields = [
            f"{name}={_one_line(str(value))}"
            for name, value in record.__dict__.items()
            if name not in _STANDARD
        ]
        if fields:
            line = f"{line}  {' '.join(fields)}"
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line = f"{line}\n{record.exc_text}"
        if record.stack_info:
            line = f"{line}\n{self.formatStack(record.stack_info)}"
        return line
