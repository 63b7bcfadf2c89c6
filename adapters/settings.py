"""The one settings object, read from ACCREDIT_* environment variables."""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from domain.platform.tiers import DEFAULT_QUOTAS, Tier


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names it."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}")
    return value


def _int_or_off(env: Mapping[str, str], name: str, default: int) -> int | None:
    """A whole number of at least 1, or None for off."""
    raw = (env.get(name) or "").strip()
    if raw.lower() == "off":
        return None
    try:
        return _int(env, name, default, minimum=1)
    except SettingsError:
        raise SettingsError(
            f"{name} must be a whole number of at least 1, or off, not {raw!r}"
        ) from None


def _pool_size(env: Mapping[str, str], name: str, minimum: int, why: str) -> int | None:
    if not env.get(name):
        return None
    size = _int(env, name, 0)
    if size < minimum:
        raise SettingsError(f"{name} must be at least {minimum}: {why}")
    return size


def _float(env: Mapping[str, str], name: str, default: float, positive: bool = False) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from None
    if positive and not value > 0:
        raise SettingsError(f"{name} must be more than 0")
    return value


def _quotas(env: Mapping[str, str]) -> dict[Tier, int | None]:
    quotas = dict(DEFAULT_QUOTAS)
    raw = env.get("ACCREDIT_RATE_LIMITS")
    if not raw:
        return quotas
    try:
        given = json.loads(raw)
        for name, value in given.items():
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ValueError(name)
            quotas[Tier(name)] = value
    except (ValueError, AttributeError, TypeError) as exc:
        raise SettingsError(
            'ACCREDIT_RATE_LIMITS must be JSON like {"FREE": 60, "UNLIMITED": null}'
            f" with tiers {', '.join(Tier)}: {exc}"
        ) from None
    return quotas


LOG_FORMATS = ("json", "plain", "auto")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = (env.get(name) or default).strip()
    for choice in choices:
        if raw.lower() == choice.lower():
            return choice
    raise SettingsError(f"{name} must be one of {', '.join(choices)}, not {raw!r}")


_ORIGIN = re.compile(r"https?://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])(:[0-9]{1,5})?")


def _cors_origins(env: Mapping[str, str]) -> tuple[str, ...]:
    """Origins whose pages may call the API from a browser: none unless listed."""
    raw = env.get("ACCREDIT_CORS_ORIGINS", "").strip()
    if not raw:
        return ()
    if raw == "*":
        return ("*",)
    origins = tuple(part.strip().rstrip("/") for part in raw.split(",") if part.strip())
    for origin in origins:
        if not _ORIGIN.fullmatch(origin):
            raise SettingsError(
                "ACCREDIT_CORS_ORIGINS must be * or origins separated by commas, each "
                "scheme://host[:port] with no path (like https://kiosk.example.org), "
                f"not {origin!r}"
            )
    return origins


def _cipher_key(env: Mapping[str, str]) -> str | None:
    raw = env.get("ACCREDIT_CIPHER_KEY") or None
    if raw is None:
        return None
    try:
        size = len(base64.b64decode(raw, validate=True))
    except ValueError:
        size = 0
    if size not in (16, 24, 32):
        raise SettingsError(
            "ACCREDIT_CIPHER_KEY must be a base64 AES key of 16, 24 or 32 bytes "
            "(make one with `accredit cipher-key`)"
        )
    return raw


URL_FORMS = (
    "postgresql://user:password@host:port/database, or sqlite:///relative/dir or "
    "sqlite:////absolute/dir for SQLite files in that directory (unset: SQLite in "
    "ACCREDIT_DATA_DIR)"
)
# Names of single database files: the SQLite store is a directory of them.
FILE_SUFFIXES = (".sqlite", ".sqlite3", ".db")


def _sqlite_dir(url: str) -> Path:
    """The data directory a sqlite: URL names, in SQLAlchemy's slashes (3 relative, 4 absolute)."""
    parts = urlsplit(url)
    path = unquote(parts.path[1:]) if parts.path.startswith("/") else ""
    if not url.startswith("sqlite://") or parts.netloc or parts.query or parts.fragment:
        raise SettingsError(f"ACCREDIT_DATABASE_URL {url!r} is not one of: {URL_FORMS}")
    if path in ("", ":memory:"):
        # Every process (gunicorn workers, the projector) must open the same files.
        raise SettingsError(
            f"ACCREDIT_DATABASE_URL {url!r} names no directory: an in-memory SQLite "
            "database cannot be shared by Accredit's processes; use sqlite:///path/to/dir"
        )
    directory = Path(path)
    if directory.is_file() or (directory.suffix in FILE_SUFFIXES and not directory.is_dir()):
        raise SettingsError(
            f"ACCREDIT_DATABASE_URL {url!r} names a file, but Accredit keeps several SQLite "
            "files (one per event store, the views, the service's tables) in one directory: "
            f"name that directory, e.g. sqlite:///{directory.parent / 'accredit'}"
        )
    return directory


def _store(env: Mapping[str, str]) -> tuple[str | None, Path]:
    """The PostgreSQL URL (None for SQLite) and the SQLite data directory."""
    url = env.get("ACCREDIT_DATABASE_URL") or None
    named_dir = env.get("ACCREDIT_DATA_DIR") or None
    data_dir = Path(named_dir or "var")
    if url is None:
        return None, data_dir
    if url.startswith(("postgresql://", "postgres://")):
        return url, data_dir
    if not url.startswith("sqlite:"):
        raise SettingsError(f"ACCREDIT_DATABASE_URL must be {URL_FORMS}")
    directory = _sqlite_dir(url)
    if named_dir is not None and Path(named_dir).resolve() != directory.resolve():
        raise SettingsError(
            f"ACCREDIT_DATABASE_URL names the directory {directory} but ACCREDIT_DATA_DIR "
            f"names {named_dir}: set only one of them"
        )
    return None, directory


def _scan_decider(env: Mapping[str, str], url: str | None) -> str | None:
    chosen = env.get("ACCREDIT_SCAN_DECIDER") or None
    if chosen is None:
        return None
    chosen = _choice(env, "ACCREDIT_SCAN_DECIDER", chosen, ("worker", "inline"))
    if chosen == "worker" and url is None:
        raise SettingsError(
            "ACCREDIT_SCAN_DECIDER=worker needs PostgreSQL (ACCREDIT_DATABASE_URL): "
            "the HTTP workers hand scans to the decider through it"
        )
    return chosen


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with defaults that run on one machine with no server."""

    database_url: str | None = None
    data_dir: Path = field(default_factory=lambda: Path("var"))
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    threads: int = 4
    rate_limits: dict[Tier, int | None] = field(default_factory=lambda: dict(DEFAULT_QUOTAS))
    rate_window_seconds: int = 60
    idempotency_ttl_seconds: int = 86400
    read_wait_seconds: float = 5.0
    usage_flush_seconds: float = 10.0
    poll_interval_seconds: float = 0.2
    projection_batch_size: int = 1000
    auth_cache_seconds: float = 1.0
    # Failed authentications an address may make per minute (None: no budget).
    auth_failures_per_minute: int | None = 30
    cipher_key: str | None = None
    demo_tenant: bool = True
    # PostgreSQL only. Each process opens connections as its threads need them, up to
    # ACCREDIT_VIEWS_POOL_SIZE to the views (default 2 x threads + 1) and
    # ACCREDIT_EVENTSTORE_POOL_SIZE to all its event stores together (default threads);
    # while some stay unused, one is closed every ACCREDIT_POOL_IDLE_SECONDS, so a
    # quiet process keeps only the one that listens for projection progress.
    views_pool_size: int | None = None
    eventstore_pool_size: int | None = None
    pool_idle_seconds: float = 30.0
    # json: one JSON object a line; plain: for people at a terminal; auto: plain on a TTY.
    log_format: str = "json"
    log_level: str = "INFO"
    # gunicorn's line per request; off where a proxy in front logs requests already.
    access_log: bool = True
    # Origins whose browser pages may call the API (CORS); ("*",) for any, () for none.
    cors_origins: tuple[str, ...] = ()
    # Who decides scans: "worker" (PostgreSQL only): one decider process, handed every
    # scan through the database; "inline": each HTTP worker, under a lock of the store.
    # None: worker on PostgreSQL, inline on SQLite.
    scan_decider: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        url, data_dir = _store(env)
        threads = _int(env, "ACCREDIT_THREADS", 4, minimum=1)
        return cls(
            database_url=url,
            data_dir=data_dir,
            host=env.get("ACCREDIT_HOST") or "127.0.0.1",
            port=_int(env, "ACCREDIT_PORT", 8000),
            workers=_int(env, "ACCREDIT_WORKERS", 2, minimum=1),
            threads=threads,
            rate_limits=_quotas(env),
            rate_window_seconds=_int(env, "ACCREDIT_RATE_WINDOW_SECONDS", 60, minimum=1),
            idempotency_ttl_seconds=_int(env, "ACCREDIT_IDEMPOTENCY_TTL_SECONDS", 86400, 60),
            read_wait_seconds=_float(env, "ACCREDIT_READ_WAIT_SECONDS", 5.0),
            usage_flush_seconds=_float(env, "ACCREDIT_USAGE_FLUSH_SECONDS", 10.0, positive=True),
            poll_interval_seconds=_float(env, "ACCREDIT_POLL_INTERVAL_SECONDS", 0.2),
            projection_batch_size=_int(env, "ACCREDIT_PROJECTION_BATCH_SIZE", 1000, minimum=1),
            auth_cache_seconds=_float(env, "ACCREDIT_AUTH_CACHE_SECONDS", 1.0),
            auth_failures_per_minute=_int_or_off(env, "ACCREDIT_AUTH_FAILURES_PER_MINUTE", 30),
            cipher_key=_cipher_key(env),
            demo_tenant=(env.get("ACCREDIT_DEMO_TENANT", "1") not in ("0", "false", "no")),
            views_pool_size=_pool_size(
                env,
                "ACCREDIT_VIEWS_POOL_SIZE",
                threads + 1,
                "each of the ACCREDIT_THREADS keeps one for its queries, and writes need one more",
            ),
            eventstore_pool_size=_pool_size(
                env, "ACCREDIT_EVENTSTORE_POOL_SIZE", 1, "commands need a connection"
            ),
            pool_idle_seconds=_float(env, "ACCREDIT_POOL_IDLE_SECONDS", 30.0, positive=True),
            log_format=_choice(env, "ACCREDIT_LOG_FORMAT", "json", LOG_FORMATS),
            log_level=_choice(env, "ACCREDIT_LOG_LEVEL", "INFO", LOG_LEVELS),
            access_log=_choice(env, "ACCREDIT_ACCESS_LOG", "1", ("1", "0")) == "1",
            cors_origins=_cors_origins(env),
            scan_decider=_scan_decider(env, url),
        )

    @property
    def uses_postgres(self) -> bool:
        return self.database_url is not None

    @property
    def scans_by_worker(self) -> bool:
        """Whether the scan decider worker decides scans (else each HTTP worker does)."""
        chosen = self.scan_decider or ("worker" if self.uses_postgres else "inline")
        return chosen == "worker"

    @property
    def views_connections(self) -> int:
        """The most PostgreSQL connections a process opens to the projection tables."""
        # Each thread keeps one for its queries and may need a second to write (rate
        # limits, idempotency records); the key usage flusher writes with one more.
        return self.views_pool_size or 2 * self.threads + 1

    @property
    def eventstore_connections(self) -> int:
        """The most PostgreSQL connections a process opens to all its event stores."""
        # A thread runs one command at a time, and a command uses one connection at a time.
        return self.eventstore_pool_size or self.threads
