"""Uploaded import files, kept in the service database in chunks until their import is done.

An upload is read and written a chunk at a time, never whole: a file of 100,000
participants fits in a few chunks of memory on the way in and on the way out. The
file's own row is written last, so a file is there only once all its chunks are;
an upload refused or broken off half-way leaves nothing (the chunks of one whose
process died are swept by `discard_unfinished`). The service database is
shared by every host, so an executor on any of them reads the file a web worker
stored.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO
from uuid import UUID, uuid4

from sqlalchemy import (
    BigInteger,
    Column,
    Double,
    Engine,
    Integer,
    LargeBinary,
    Row,
    String,
    Table,
    Uuid,
    delete,
    insert,
    select,
)

from adapters.sql.schema import metadata
from adapters.sql.transactions import write_transaction
from domain.shared.errors import NotFound, RuleViolation

CHUNK = 1024 * 1024

import_files = Table(
    "import_files",
    metadata,
    Column("file_id", Uuid, primary_key=True, comment="The uploaded file"),
    Column("tenant_id", Uuid, nullable=False, comment="Whose file"),
    Column("event_id", Uuid, nullable=False, comment="The managed event it imports into"),
    Column("name", String, nullable=False, comment="The file's name as uploaded"),
    Column("media_type", String, nullable=False, comment="Its media type as uploaded"),
    Column("size", BigInteger, nullable=False, comment="Its length in bytes"),
    Column("chunks", Integer, nullable=False, comment="How many chunks hold it"),
    Column("stored_at", Double, nullable=False, comment="Unix seconds"),
    comment="Participant import files, each kept whole once every chunk is stored",
)

import_file_chunks = Table(
    "import_file_chunks",
    metadata,
    Column("file_id", Uuid, primary_key=True, comment="The file (import_files.file_id)"),
    Column("n", Integer, primary_key=True, comment="The chunk's place in the file, from 0"),
    Column("data", LargeBinary, nullable=False, comment="Its bytes, 1 MiB but the last"),
    Column("stored_at", Double, nullable=False, comment="Unix seconds"),
    comment="The bytes of import files, a chunk a row",
)


class FileTooLarge(RuleViolation):
    code = "import-file-too-large"
    title = "The import file is too large"

    def __init__(self, limit_bytes: int) -> None:
        super().__init__(f"an import file may have at most {limit_bytes} bytes")
        self.limit_bytes = limit_bytes


@dataclass(frozen=True)
class StoredFile:
    file_id: UUID
    event_id: UUID
    name: str
    media_type: str
    size: int
    stored_at: float


class ImportFiles:
    """Import files stored chunk by chunk, read back as a stream, each seen by its tenant only."""

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.clock = clock

    def store(
        self,
        tenant_id: UUID,
        event_id: UUID,
        name: str,
        media_type: str,
        stream: BinaryIO,
        limit_bytes: int,
    ) -> UUID:
        """Stores the stream's bytes; FileTooLarge past the limit, with nothing kept."""
        file_id, size, n = uuid4(), 0, 0
        try:
            for data in _chunks(stream):
                size += len(data)
                if size > limit_bytes:
                    raise FileTooLarge(limit_bytes)
                chunk = {"file_id": file_id, "n": n, "data": data, "stored_at": self.clock()}
                with write_transaction(self.engine) as conn:
                    conn.execute(insert(import_file_chunks).values(chunk))
                n += 1
            with write_transaction(self.engine) as conn:
                conn.execute(
                    insert(import_files).values(
                        file_id=file_id,
                        tenant_id=tenant_id,
                        event_id=event_id,
                        name=name,
                        media_type=media_type,
                        size=size,
                        chunks=n,
                        stored_at=self.clock(),
                    )
                )
        except BaseException:
            self._delete(file_id)
            raise
        return file_id

    def describe(self, tenant_id: UUID, file_id: UUID) -> StoredFile:
        """What the file is; NotFound for another tenant's."""
        row = self._row(tenant_id, file_id)
        return StoredFile(file_id, row.event_id, row.name, row.media_type, row.size, row.stored_at)

    def open(self, tenant_id: UUID, file_id: UUID) -> io.BufferedReader:
        """The file's bytes, read a chunk at a time; NotFound for another tenant's."""
        row = self._row(tenant_id, file_id)
        return io.BufferedReader(_ChunkReader(self.engine, file_id, row.chunks))

    def discard(self, tenant_id: UUID, file_id: UUID) -> None:
        """Forgets the file (its import is done or abandoned); another tenant's stays."""
        with self.engine.connect() as conn:
            owned = conn.execute(
                select(import_files.c.file_id).where(
                    import_files.c.file_id == file_id, import_files.c.tenant_id == tenant_id
                )
            ).one_or_none()
        if owned is not None:
            self._delete(file_id)

    def discard_unfinished(self, older_than_seconds: float) -> int:
        """Forgets the chunks of uploads broken off (their process died) this long ago."""
        chunks, whole = import_file_chunks, select(import_files.c.file_id)
        with write_transaction(self.engine) as conn:
            gone = conn.execute(
                delete(chunks).where(
                    chunks.c.stored_at < self.clock() - older_than_seconds,
                    chunks.c.file_id.not_in(whole),
                )
            )
        return int(gone.rowcount)

    def _row(self, tenant_id: UUID, file_id: UUID) -> Row[Any]:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(import_files).where(
                    import_files.c.file_id == file_id, import_files.c.tenant_id == tenant_id
                )
            ).one_or_none()
        if row is None:
            raise NotFound(f"no import file with id {file_id}")
        return row

    def _delete(self, file_id: UUID) -> None:
        with write_transaction(self.engine) as conn:
            conn.execute(delete(import_files).where(import_files.c.file_id == file_id))
            conn.execute(delete(import_file_chunks).where(import_file_chunks.c.file_id == file_id))


def _chunks(stream: BinaryIO) -> Iterator[bytearray]:
    """Whole chunks of the stream (the last may be shorter), however little each read gives."""
    pending = bytearray()
    while data := stream.read(CHUNK - len(pending)):
        pending += data
        if len(pending) >= CHUNK:
            yield pending
            pending = bytearray()
    if pending:
        yield pending


class _ChunkReader(io.RawIOBase):
    """A stored file's bytes, one chunk loaded at a time."""

    def __init__(self, engine: Engine, file_id: UUID, chunks: int) -> None:
        self.engine, self.file_id, self.chunks = engine, file_id, chunks
        self.n, self.data, self.at = 0, b"", 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self.at == len(self.data):
            if self.n == self.chunks:
                return 0
            self.data = b""  # let the chunk read go before the next is loaded
            self.data, self.at = self._load(self.n), 0
            self.n += 1
        taken = memoryview(self.data)[self.at : self.at + len(buffer)]
        buffer[: len(taken)] = taken
        self.at += len(taken)
        return len(taken)

    def _load(self, n: int) -> bytes:
        table = import_file_chunks
        with self.engine.connect() as conn:
            data = conn.execute(
                select(table.c.data).where(table.c.file_id == self.file_id, table.c.n == n)
            ).scalar_one_or_none()
        if data is None:  # discarded while being read
            raise NotFound(f"no import file with id {self.file_id}")
        return data if isinstance(data, bytes) else bytes(data)
