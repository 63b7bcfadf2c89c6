"""The event stores' persistence settings, for the eventsourcing library."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from eventsourcing.persistence import Cipher
from eventsourcing.utils import Environment, resolve_topic

from adapters.settings import Settings

EVENT_STORE_CONNECT_TIMEOUT_SECONDS = 1
CIPHER_TOPIC = "eventsourcing.cryptography:AESCipher"


def cipher(settings: Settings) -> Cipher | None:
    """The event stores' cipher (AES-GCM with ACCREDIT_CIPHER_KEY), for other data at rest."""
    if settings.cipher_key is None:
        return None
    # Resolved as the library resolves it for an event store: loaded only where a key is set.
    cipher_class: type[Cipher] = resolve_topic(CIPHER_TOPIC)
    return cipher_class(Environment(env={"CIPHER_KEY": settings.cipher_key}))


def eventstore_env(settings: Settings, application_name: str) -> dict[str, str]:
    """The eventsourcing library's settings for one application's event store."""
    env = {"AGGREGATE_CACHE_MAXSIZE": "10000"}
    if settings.cipher_key is not None:
        # Payloads are compressed, then encrypted (AES-GCM) before they are stored.
        env.update(
            CIPHER_TOPIC=CIPHER_TOPIC,
            CIPHER_KEY=settings.cipher_key,
            COMPRESSOR_TOPIC="eventsourcing.compressor:ZlibCompressor",
        )
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path = settings.data_dir / f"{application_name}.events.sqlite"
        env.update(
            PERSISTENCE_MODULE="eventsourcing.sqlite",
            SQLITE_DBNAME=str(path),
            SQLITE_LOCK_TIMEOUT="10",
        )
        return env
    parts = urlsplit(settings.database_url)
    env.update(
        PERSISTENCE_MODULE="eventsourcing.postgres",
        POSTGRES_DBNAME=unquote(parts.path.lstrip("/")) or "postgres",
        POSTGRES_HOST=parts.hostname or "127.0.0.1",
        POSTGRES_PORT=str(parts.port or 5432),
        POSTGRES_USER=unquote(parts.username or "postgres"),
        POSTGRES_PASSWORD=unquote(parts.password or ""),
        # No connection is opened before it is needed (the library opens five);
        # the container then puts every application on one pool (eventstore_pool).
        POSTGRES_POOL_SIZE="0",
        POSTGRES_MAX_OVERFLOW=str(settings.eventstore_connections),
        # The library retries a failed connection ten times, each waiting this long
        # for one (30 s by default): bounded so a request to an unreachable database
        # ends in seconds, not minutes.
        POSTGRES_CONNECT_TIMEOUT=str(EVENT_STORE_CONNECT_TIMEOUT_SECONDS),
    )
    return env
