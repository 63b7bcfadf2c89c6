"""Badge codes issued by the policy and not yet shown to the organiser, kept until taken once.

The clear code is never in a domain event (auditors read the history, which may be
stored unencrypted); between the policy issuing a credential and the organiser
asking for its code it waits here, in the service's own tables, encrypted with the
event stores' cipher when ACCREDIT_CIPHER_KEY is set. Taking it deletes it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from uuid import UUID

from eventsourcing.persistence import Cipher
from sqlalchemy import Column, Double, Engine, Integer, LargeBinary, Table, Uuid, delete, select

from adapters.sql.schema import metadata
from adapters.sql.transactions import dialect_insert, write_transaction
from domain.access import badge_code

undelivered_badge_codes = Table(
    "undelivered_badge_codes",
    metadata,
    Column("credential_id", Uuid, primary_key=True, comment="The credential the code opens"),
    Column("tenant_id", Uuid, nullable=False, comment="Whose credential"),
    Column("generation", Integer, nullable=False, comment="Which of its codes (1 when issued)"),
    Column("code", LargeBinary, nullable=False, comment="The code; encrypted with a cipher key"),
    Column("stored_at", Double, nullable=False, comment="Unix seconds"),
)


class UndeliveredCodes:
    """Keeps each credential's latest undelivered code until it is taken, once."""

    def __init__(
        self,
        engine: Engine,
        cipher: Cipher | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.cipher = cipher
        self.clock = clock

    def keep(self, credential_id: UUID, tenant_id: UUID, generation: int, code: str) -> None:
        """Keeps the code unless a newer generation's is kept already."""
        sealed = code.encode("ascii")
        if self.cipher is not None:
            sealed = self.cipher.encrypt(sealed)
        stmt = dialect_insert(self.engine, undelivered_badge_codes).values(
            credential_id=credential_id,
            tenant_id=tenant_id,
            generation=generation,
            code=sealed,
            stored_at=self.clock(),
        )
        proposed = stmt.excluded
        stmt = stmt.on_conflict_do_update(
            index_elements=[undelivered_badge_codes.c.credential_id],
            set_={"generation": proposed.generation, "code": proposed.code},
            where=undelivered_badge_codes.c.generation < proposed.generation,
        )
        with write_transaction(self.engine) as conn:
            conn.execute(stmt)

    def take(self, credential_id: UUID, generation: int) -> str | None:
        """The code of this generation, deleted as it is read; None if none is kept.

        Two requests at once: one gets the code, the other None. A code of an older
        generation (the credential was re-issued since) is discarded, never answered.
        """
        table = undelivered_badge_codes
        with write_transaction(self.engine) as conn:
            row = conn.execute(
                select(table.c.generation, table.c.code).where(
                    table.c.credential_id == credential_id
                )
            ).one_or_none()
            if row is None:
                return None
            taken = conn.execute(delete(table).where(table.c.credential_id == credential_id))
            if taken.rowcount != 1:  # another request took it between the read and here
                return None
        if row.generation != generation:
            return None
        sealed: bytes = row.code
        if self.cipher is not None:
            try:
                sealed = self.cipher.decrypt(sealed)
            except ValueError:  # kept under another key: it cannot be shown
                return None
        try:
            code = sealed.decode("ascii")
        except UnicodeDecodeError:  # kept encrypted, and the server no longer has the key
            return None
        # Only a code that names this credential is one: anything else was kept otherwise.
        return code if badge_code.credential_id_of(code) == credential_id else None

    def discard(self, credential_id: UUID) -> None:
        """Forgets a credential's undelivered code (a re-issue made it worthless)."""
        table = undelivered_badge_codes
        with write_transaction(self.engine) as conn:
            conn.execute(delete(table).where(table.c.credential_id == credential_id))
