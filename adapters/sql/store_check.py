"""Before a command opens the store: refuse, in one sentence, a store it could not use.

Opening a container on a missing SQLite directory would create an empty store in
the wrong place, and on an unreachable PostgreSQL it would wait for its pools and
end in a traceback; a quick look first says what is wrong instead.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

import psycopg

from adapters.settings import Settings
from adapters.sql.connection_names import connection_name

PROBE_TIMEOUT_SECONDS = 3


class StoreUnavailable(Exception):
    """The store cannot be used as configured; the message says why, in one line."""


class NoDataDirectory(StoreUnavailable):
    pass


class DatabaseUnreachable(StoreUnavailable):
    pass


def check_store(settings: Settings, *, creating: bool) -> None:
    """Raises StoreUnavailable unless the store can be opened (or, if `creating`, made)."""
    if settings.database_url is not None:
        probe_postgres(settings.database_url)
        return
    directory = settings.data_dir
    if directory.exists() and not directory.is_dir():
        raise NoDataDirectory(f"the data directory {directory} (ACCREDIT_DATA_DIR) is a file")
    if not creating and not directory.exists():
        raise NoDataDirectory(
            f"there is no data directory at {directory} (ACCREDIT_DATA_DIR): "
            "`accredit init` creates one, as does the first `accredit serve`"
        )


def probe_postgres(url: str) -> None:
    """Connects once, briefly; raises DatabaseUnreachable with the server's reason."""
    try:
        with psycopg.connect(
            url, connect_timeout=PROBE_TIMEOUT_SECONDS, application_name=connection_name("probe")
        ):
            pass
    except psycopg.Error as exc:
        raise DatabaseUnreachable(
            f"cannot reach PostgreSQL at {where(url)} (ACCREDIT_DATABASE_URL): {one_line(exc)}"
        ) from None


def where(url: str) -> str:
    """user@host:port/database, never the password."""
    parts = urlsplit(url)
    user = unquote(parts.username or "")
    host = parts.hostname or "localhost"
    database = unquote(parts.path.lstrip("/"))
    return f"{user + '@' if user else ''}{host}:{parts.port or 5432}/{database}"


def one_line(error: BaseException) -> str:
    """The first line of a driver's message, without its boilerplate or doubled spaces."""
    lines = str(error).strip().splitlines()
    first = lines[0].removeprefix("connection failed: ") if lines else type(error).__name__
    return re.sub(r"\s+", " ", first)
