"""Import files kept in the service database, on both backends: streamed in, streamed out."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Iterator
from uuid import UUID, uuid4

import pytest
from openpyxl import Workbook
from sqlalchemy import func, insert, select

from adapters.operations.import_files import (
    CHUNK,
    FileTooLarge,
    ImportFiles,
    import_file_chunks,
)
from adapters.operations.import_rows import XLSX, XLSX_MEDIA_TYPE, read_rows
from adapters.settings import Settings
from adapters.sql.transactions import write_transaction
from domain.shared.errors import NotFound
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build

CSV = "text/csv"


@pytest.fixture
def container(any_settings: Settings) -> Iterator[Container]:
    with build(any_settings) as container:
        yield container


@pytest.fixture
def files(container: Container) -> ImportFiles:
    return ImportFiles(container.service_engine, clock=lambda: 1_800_000_000.0)


class Trickle(io.RawIOBase):
    """An upload that arrives in small reads, as a request body does."""

    def __init__(self, data: bytes, most: int = 10_000) -> None:
        self.data, self.at, self.most = data, 0, most
        self.largest_read = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.largest_read = max(self.largest_read, size)
        taken = self.data[self.at : self.at + min(size, self.most)]
        self.at += len(taken)
        return taken


def chunks_kept(files: ImportFiles) -> int:
    with files.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(import_file_chunks)).scalar_one())


def test_a_stored_file_reads_back_whole_and_is_described(files: ImportFiles) -> None:
    tenant, event = uuid4(), uuid4()
    data = bytes(range(256)) * (CHUNK // 256 * 2 + 100)  # two chunks and a bit
    upload = Trickle(data)

    file_id = files.store(tenant, event, "people.csv", CSV, upload, limit_bytes=10 * CHUNK)

    assert upload.largest_read <= CHUNK  # asked for a chunk at most at a time
    assert chunks_kept(files) == 3
    with files.open(tenant, file_id) as stored:
        assert stored.read() == data
    described = files.describe(tenant, file_id)
    assert (described.name, described.media_type, described.size) == ("people.csv", CSV, len(data))
    assert (described.event_id, described.stored_at) == (event, 1_800_000_000.0)


def test_another_tenants_file_is_not_found_and_not_discarded(files: ImportFiles) -> None:
    tenant = uuid4()
    file_id = files.store(tenant, uuid4(), "a.csv", CSV, io.BytesIO(b"Email\na@b.org\n"), 1000)

    for look in (files.open, files.describe):
        with pytest.raises(NotFound):
            look(uuid4(), file_id)
    files.discard(uuid4(), file_id)
    assert files.describe(tenant, file_id).size == 14


def test_a_discarded_file_is_gone_with_its_chunks(files: ImportFiles) -> None:
    tenant = uuid4()
    file_id = files.store(tenant, uuid4(), "a.csv", CSV, io.BytesIO(b"x" * (CHUNK + 1)), 2 * CHUNK)

    files.discard(tenant, file_id)

    with pytest.raises(NotFound):
        files.open(tenant, file_id)
    assert chunks_kept(files) == 0


def test_a_file_over_the_limit_is_refused_and_nothing_of_it_is_kept(files: ImportFiles) -> None:
    upload = Trickle(b"x" * (2 * CHUNK + 10))

    with pytest.raises(FileTooLarge, match=str(2 * CHUNK)):
        files.store(uuid4(), uuid4(), "big.csv", CSV, upload, limit_bytes=2 * CHUNK)

    assert chunks_kept(files) == 0
    assert upload.at <= 3 * CHUNK  # it stopped reading once past the limit


class BrokenOff(io.RawIOBase):
    """An upload whose client goes away after a chunk and a half."""

    def __init__(self) -> None:
        self.sent = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self.sent > CHUNK * 3 // 2:
            raise OSError("the client went away")
        self.sent += size
        return b"x" * size


def test_an_upload_broken_off_half_way_leaves_nothing(files: ImportFiles) -> None:
    with pytest.raises(OSError, match="went away"):
        files.store(uuid4(), uuid4(), "a.csv", CSV, BrokenOff(), 10 * CHUNK)

    assert chunks_kept(files) == 0


def test_chunks_left_by_an_upload_whose_process_died_are_swept_once_old(
    files: ImportFiles,
) -> None:
    tenant = uuid4()
    kept = files.store(tenant, uuid4(), "a.csv", CSV, io.BytesIO(b"Email\na@b.org\n"), 1000)
    now = files.clock()
    with write_transaction(files.engine) as conn:
        for file_id, stored_at in ((uuid4(), now - 7200), (uuid4(), now - 60)):
            chunk = {"file_id": file_id, "n": 0, "data": b"x", "stored_at": stored_at}
            conn.execute(insert(import_file_chunks).values(chunk))

    assert files.discard_unfinished(older_than_seconds=3600) == 1
    assert chunks_kept(files) == 2  # the stored file's, and the upload maybe still going on
    with files.open(tenant, kept) as stored:
        assert stored.read() == b"Email\na@b.org\n"


def test_a_stored_xlsx_workbook_reads_back_as_rows(files: ImportFiles) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Vorname", "E-Mail"])
    for n in range(3000):
        sheet.append([f"Person {n}", f"p{n}@example.org"])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    tenant = uuid4()
    file_id = files.store(tenant, uuid4(), "people.xlsx", XLSX_MEDIA_TYPE, data, 10 * CHUNK)

    with read_rows(files.open(tenant, file_id)) as rows:
        assert rows.format == XLSX
        read = list(rows)

    assert len(read) == 3000
    assert read[-1] == (3001, {"Vorname": "Person 2999", "E-Mail": "p2999@example.org"})


def people(rows: int) -> Iterator[bytes]:
    yield b"First name;Last name;E-mail;Company;Phone;Date of birth;Nationality;Notes\n"
    for n in range(rows):
        yield (
            b"Person%d;Lastname%d;person%d@example.org;Organisation %d;+33 1 23 45 %02d;"
            b"1990-04-30;FR;arrives on the first day, leaves on the last, needs parking\n"
        ) % (n, n, n, n, n % 100)


class Generated(io.RawIOBase):
    """A large upload produced as it is read, a line a read, so the test holds no copy of it."""

    def __init__(self, parts: Iterator[bytes]) -> None:
        self.parts, self.rest, self.size = parts, b"", 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if not self.rest:
            self.rest = next(self.parts, b"")
        taken, self.rest = self.rest[:size], self.rest[size:]
        self.size += len(taken)
        return taken


def test_a_hundred_thousand_rows_are_stored_and_read_in_bounded_memory(
    files: ImportFiles,
) -> None:
    tenant = uuid4()
    upload = Generated(people(100_000))

    tracemalloc.start()
    try:
        file_id = files.store(tenant, uuid4(), "people.csv", CSV, upload, 64 * CHUNK)
        _, stored_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        count, last = 0, None
        with read_rows(files.open(tenant, file_id), CSV) as rows:
            for row in rows:
                count, last = count + 1, row
        _, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert upload.size > 15 * CHUNK
    assert count == 100_000
    assert last == (
        100_001,
        {
            "First name": "Person99999",
            "Last name": "Lastname99999",
            "E-mail": "person99999@example.org",
            "Company": "Organisation 99999",
            "Phone": "+33 1 23 45 99",
            "Date of birth": "1990-04-30",
            "Nationality": "FR",
            "Notes": "arrives on the first day, leaves on the last, needs parking",
        },
    )
    # A few chunks at a time, never the file: well below its size either way.
    assert stored_peak < upload.size / 3
    assert read_peak < upload.size / 3


def test_a_file_id_never_stored_is_not_found(files: ImportFiles) -> None:
    unknown: UUID = uuid4()
    with pytest.raises(NotFound):
        files.describe(uuid4(), unknown)
