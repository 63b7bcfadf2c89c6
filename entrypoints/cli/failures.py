"""What `accredit` says when it cannot do what was asked: one line, and an exit status.

A traceback is for bugs; an operator who mistyped a setting or whose database is
down gets a sentence naming the cause, and a status a script can branch on.
"""

from __future__ import annotations

from adapters.settings import SettingsError
from adapters.sql.outage import is_outage
from adapters.sql.store_check import DatabaseUnreachable, NoDataDirectory, one_line
from domain.shared.errors import DomainError

EXIT_FAILED = 1  # could not be done now: a rule refused it, the database did not answer
EXIT_USAGE = 2  # the command line or the configuration is wrong (argparse uses 2 too)
EXIT_INTERRUPTED = 130  # the shells' status for a process stopped by Ctrl-C


def explain(error: BaseException) -> tuple[str, int] | None:
    """The message and exit status for an expected failure; None for a bug."""
    if isinstance(error, SettingsError):
        return f"configuration error: {error}", EXIT_USAGE
    if isinstance(error, NoDataDirectory):
        return str(error), EXIT_USAGE
    if isinstance(error, DatabaseUnreachable):
        # Not a usage error: the same command may succeed once the database answers.
        return str(error), EXIT_FAILED
    if isinstance(error, DomainError):
        return error.detail, EXIT_FAILED
    if isinstance(error, KeyboardInterrupt):
        return "interrupted", EXIT_INTERRUPTED
    if is_outage(error):
        return f"the database stopped answering: {one_line(error)}", EXIT_FAILED
    return None
