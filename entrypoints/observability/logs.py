"""One logging configuration for every process: the CLI, workers, supervisor and gunicorn."""

from __future__ import annotations

import logging
import sys
import threading
from types import TracebackType
from typing import TextIO

from entrypoints.observability.log_format import ContextFilter, JsonLines, PlainLines

# Marks the handler installed here, so configuring again replaces it and nothing else.
_OURS = "_accredit_handler"


def formatter_for(log_format: str, stream: TextIO) -> logging.Formatter:
    """json, plain, or auto: plain when the stream is a terminal, else json."""
    if log_format == "auto":
        log_format = "plain" if stream.isatty() else "json"
    return PlainLines() if log_format == "plain" else JsonLines()


def log_handler(log_format: str, stream: TextIO) -> logging.Handler:
    """A handler writing records to `stream` in the format, with the request's fields."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter_for(log_format, stream))
    handler.addFilter(ContextFilter())
    return handler


def configure_logging(
    log_format: str = "json", level: str = "INFO", stream: TextIO | None = None
) -> logging.Handler:
    """Sends every logger's records, at `level` and above, to stderr in the chosen format.

    Python's warnings and uncaught exceptions (main thread and others) are logged too,
    so that in JSON mode a traceback never spreads over several lines.
    """
    stream = stream or sys.stderr
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _OURS, False):
            root.removeHandler(handler)
    handler = log_handler(log_format, stream)
    setattr(handler, _OURS, True)
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread
    return handler


_uncaught = logging.getLogger("accredit.uncaught")


def _log_uncaught(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, trace)
        return
    _uncaught.critical("uncaught %s", kind.__name__, exc_info=(kind, error, trace))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if issubclass(args.exc_type, SystemExit) or args.exc_value is None:
        return
    name = args.thread.name if args.thread is not None else "?"
    _uncaught.critical(
        "uncaught %s in thread %s",
        args.exc_type.__name__,
        name,
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
    )
