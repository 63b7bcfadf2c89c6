"""Stored answers behind the HTTP Idempotency-Key header."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from eventsourcing.persistence import Cipher
from sqlalchemy import (
    JSON,
    Column,
    Double,
    Engine,
    Integer,
    LargeBinary,
    Table,
    Text,
    bindparam,
    delete,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.sql.dml import ReturningInsert

from adapters.sql.schema import metadata
from adapters.sql.transactions import dialect_insert, write_transaction

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("scope", Text, primary_key=True, comment="Whose key: the tenant or API key"),
    Column("key", Text, primary_key=True, comment="The client's Idempotency-Key"),
    Column("fingerprint", Text, nullable=False, comment="Hash of method, path and body"),
    Column("claimed_at", Double, nullable=False, index=True, comment="Unix seconds"),
    # A null status means the first request is still being answered.
    Column("status", Integer, nullable=True, comment="Stored HTTP status"),
    Column(
        "headers",
        JSON(none_as_null=True),
        nullable=True,
        comment="Stored headers as [name, value] pairs",
    ),
    Column(
        "body",
        LargeBinary,
        nullable=True,
        comment="Stored response body; with a cipher key, the headers and body encrypted",
    ),
)

# Starts a body encrypted with the cipher. A body stored in clear is JSON (or empty), which
# never starts with a NUL byte, so rows written without a key still replay as they are.
ENCRYPTED = b"\x00aes-gcm\x00"


@dataclass(frozen=True)
class StoredResponse:
    """The answer given to the first request, replayed to its retries."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


class Outcome(StrEnum):
    """What a claim on an idempotency key found."""

    NEW = "new"
    REPLAY = "replay"
    MISMATCH = "mismatch"
    IN_PROGRESS = "in_progress"
    # Stored encrypted with another cipher key (or none now): it can be neither replayed
    # nor run again.
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class Claim:
    """The outcome of a claim, with the stored response when it is a replay."""

    outcome: Outcome
    response: StoredResponse | None = None


class IdempotencyStore:
    """Claims keys atomically, stores answers, and replays them until they expire.

    Given a cipher, it stores each answer's headers and body encrypted.
    """

    def __init__(
        self,
        engine: Engine,
        ttl_seconds: int,
        in_progress_timeout_seconds: int = 120,
        clock: Callable[[], float] = time.time,
        cipher: Cipher | None = None,
    ) -> None:
        self.engine = engine
        self.ttl_seconds = ttl_seconds
        self.in_progress_timeout_seconds = in_progress_timeout_seconds
        self.clock = clock
        self.cipher = cipher
        self._take = self._claim_statement()

    def claim(self, scope: str, key: str, fingerprint: str) -> Claim:
        """NEW for the first request with this key; otherwise what the stored one says."""
        now = self.clock()
        params = {
            "scope": scope,
            "key": key,
            "fingerprint": fingerprint,
            "claimed_at": now,
            "expired_before": now - self.ttl_seconds,
            "abandoned_before": now - self.in_progress_timeout_seconds,
        }
        with write_transaction(self.engine) as conn:
            if conn.execute(self._take, params).first() is not None:
                return Claim(Outcome.NEW)
            # The upsert locked the row it left alone, so it cannot change before this read.
            stored = conn.execute(select(idempotency_keys).where(*_identifies(scope, key))).one()
        if stored.fingerprint != fingerprint:
            return Claim(Outcome.MISMATCH)
        if stored.status is None:
            return Claim(Outcome.IN_PROGRESS)
        opened = self._open(stored.headers or [], stored.body or b"")
        if opened is None:
            return Claim(Outcome.UNREADABLE)
        headers, body = opened
        return Claim(Outcome.REPLAY, StoredResponse(stored.status, headers, body))

    def complete(self, scope: str, key: str, response: StoredResponse) -> None:
        """Stores the answer of the claimed request for its retries."""
        headers: list[list[str]] = [list(pair) for pair in response.headers]
        body = response.body
        if self.cipher is not None:
            sealed = json.dumps(headers).encode() + b"\n" + body
            headers, body = [], ENCRYPTED + self.cipher.encrypt(sealed)
        values = {"status": response.status, "headers": headers, "body": body}
        with write_transaction(self.engine) as conn:
            conn.execute(
                update(idempotency_keys)
                .where(*_identifies(scope, key), idempotency_keys.c.status.is_(None))
                .values(values)
            )

    def release(self, scope: str, key: str) -> None:
        """Forgets an in-progress claim whose request failed, so a retry can run."""
        with write_transaction(self.engine) as conn:
            conn.execute(
                delete(idempotency_keys).where(
                    *_identifies(scope, key), idempotency_keys.c.status.is_(None)
                )
            )

    def purge_expired(self) -> int:
        """Deletes the keys older than the time to live; returns how many."""
        expired_before = self.clock() - self.ttl_seconds
        with write_transaction(self.engine) as conn:
            result = conn.execute(
                delete(idempotency_keys).where(idempotency_keys.c.claimed_at <= expired_before)
            )
        return result.rowcount

    def _open(
        self, headers: Sequence[Sequence[str]], body: bytes
    ) -> tuple[list[tuple[str, str]], bytes] | None:
        """The headers and body as stored, decrypted if they were; None if they cannot be."""
        if body.startswith(ENCRYPTED):
            if self.cipher is None:
                return None
            try:
                sealed = self.cipher.decrypt(body[len(ENCRYPTED) :])
            except ValueError:  # another key: the library's AES-GCM tag does not match
                return None
            # JSON escapes a newline inside its strings, so the first one ends the headers.
            encoded, _, body = sealed.partition(b"\n")
            headers = json.loads(encoded)
        return [(str(name), str(value)) for name, value in headers], body

    def _claim_statement(self) -> ReturningInsert[tuple[float]]:
        stmt = dialect_insert(self.engine, idempotency_keys)
        stored, proposed = idempotency_keys.c, stmt.excluded
        expired = stored.claimed_at <= bindparam("expired_before")
        # An abandoned claim is taken over only by the same request; another body is a misuse.
        abandoned = (
            stored.status.is_(None)
            & (stored.fingerprint == proposed.fingerprint)
            & (stored.claimed_at <= bindparam("abandoned_before"))
        )
        return stmt.on_conflict_do_update(
            index_elements=[stored.scope, stored.key],
            set_={
                "fingerprint": proposed.fingerprint,
                "claimed_at": proposed.claimed_at,
                "status": null(),
                "headers": null(),
                "body": null(),
            },
            where=or_(expired, abandoned),
        ).returning(stored.claimed_at)


def _identifies(scope: str, key: str) -> tuple[Any, ...]:
    return (idempotency_keys.c.scope == scope, idempotency_keys.c.key == key)
