"""An import file read as rows of text by header, streamed: CSV in any usual dialect, or XLSX.

A CSV's encoding is its byte-order mark's, else UTF-8 if its first 64 KiB read as
UTF-8, else charset-normalizer's guess (Windows' Western European code page where
that reads the file as well as the best guess: it is what spreadsheets here save).
Its delimiter is sniffed from its first lines among , ; tab and |. The first row
is the header. Rows are numbered as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import codecs
import csv
import io
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import islice
from typing import BinaryIO

from charset_normalizer import from_bytes
from openpyxl import load_workbook

from adapters.operations.import_files import CHUNK
from domain.operations.import_mapping import suggested_mapping
from domain.shared.errors import RuleViolation

CSV, XLSX = "csv", "xlsx"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEAD = 64 * 1024
DELIMITERS = ",;\t|"
_SNIFFED_LINES = 20
_BOMS = (  # UTF-32's first: its little-endian mark starts like UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_WESTERN = "cp1252"

Row = tuple[int, dict[str, str]]


class UnreadableFile(RuleViolation):
    code = "unreadable-import-file"
    title = "The import file cannot be read"


@dataclass(frozen=True)
class Preview:
    format: str
    encoding: str | None  # None for XLSX
    delimiter: str | None  # None for XLSX
    headers: list[str]
    mapping: dict[str, str | None]  # each header's suggested field
    rows: list[Row]


@dataclass
class ImportRows:
    """A file's header and its rows, each read once, in order; close it when done."""

    format: str
    headers: list[str]
    rows: Iterator[Row]
    encoding: str | None = None  # None for XLSX
    delimiter: str | None = None  # None for XLSX
    closing: Callable[[], None] | None = None

    def __iter__(self) -> Iterator[Row]:
        return self.rows

    def close(self) -> None:
        if self.closing is not None:
            self.closing()

    def __enter__(self) -> ImportRows:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_rows(stream: BinaryIO, media_type: str | None = None) -> ImportRows:
    """The file's rows; UnreadableFile if it has no header and rows, now or while read."""
    head = stream.read(HEAD)
    if not head.strip():
        raise UnreadableFile("the file is empty")
    if media_type == XLSX_MEDIA_TYPE or head.startswith(b"PK\x03\x04"):
        return _xlsx_rows(head, stream)
    return _csv_rows(head, stream)


def preview(stream: BinaryIO, media_type: str | None = None, rows: int = 20) -> Preview:
    """The file's format, header, a suggested mapping of its columns and its first rows."""
    with read_rows(stream, media_type) as read:
        first = list(islice(read, rows))
    mapping = suggested_mapping(read.headers)
    return Preview(read.format, read.encoding, read.delimiter, read.headers, mapping, first)


def detected_encoding(head: bytes) -> str:
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    matches = from_bytes(head)
    best = matches.best()
    if best is None:
        raise UnreadableFile("the file is not text in any encoding known here")
    if any(m.encoding == _WESTERN for m in matches):
        return _WESTERN
    return str(best.encoding)


def detected_delimiter(sample: str) -> str:
    lines = "\n".join(sample.splitlines()[:_SNIFFED_LINES])
    try:
        return csv.Sniffer().sniff(lines, delimiters=DELIMITERS).delimiter
    except csv.Error:  # one column, or too few lines to tell: the header decides
        header = lines.split("\n", 1)[0]
        return max(DELIMITERS, key=header.count) if any(d in header for d in DELIMITERS) else ","


def _csv_rows(head: bytes, stream: BinaryIO) -> ImportRows:
    encoding = detected_encoding(head)
    try:
        sample = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except UnicodeDecodeError:
        raise UnreadableFile(f"the file is not {encoding} text") from None
    delimiter = detected_delimiter(sample.lstrip("\ufeff"))
    text = io.TextIOWrapper(
        io.BufferedReader(_Rejoined(head, stream)), encoding=encoding, newline=""
    )
    records = csv.reader(text, delimiter=delimiter, quotechar='"', doublequote=True, strict=True)
    lines = _guarded(enumerate(records, start=1), encoding)
    try:
        header = next(lines, None)
        headers = _headers(header[1] if header else [])
    except UnreadableFile:
        text.close()
        raise
    rows = _with_one_row(_cells_by_header(headers, lines, padded=False))
    return ImportRows(
        CSV, headers, rows, encoding=encoding, delimiter=delimiter, closing=text.close
    )


def _xlsx_rows(head: bytes, stream: BinaryIO) -> ImportRows:
    # openpyxl reads a ZIP, which needs seeking: spooled, the file stays on disk, not in memory.
    spool = tempfile.SpooledTemporaryFile(max_size=CHUNK)  # noqa: SIM115 (closed by ImportRows)
    spool.write(head)
    shutil.copyfileobj(stream, spool, CHUNK)
    spool.seek(0)
    try:
        book = load_workbook(spool, read_only=True, data_only=True)
        cells = book.worksheets[0].iter_rows(values_only=True)
        header = next(cells, None)
    except Exception:  # a broken ZIP or XML fails in many ways, and each has one answer
        spool.close()
        raise UnreadableFile("the file is not a readable XLSX workbook") from None

    def close() -> None:
        book.close()
        spool.close()

    numbered = ((n, [_text(v) for v in row]) for n, row in enumerate(cells, start=2))
    try:
        headers = _headers([_text(v) for v in header or ()])
    except UnreadableFile:
        close()
        raise
    rows = _with_one_row(_cells_by_header(headers, _xlsx_guarded(numbered), padded=True))
    return ImportRows(XLSX, headers, rows, closing=close)


def _headers(cells: list[str]) -> list[str]:
    headers = [c.strip() for c in cells]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise UnreadableFile("the file has no header row")
    for n, header in enumerate(headers, start=1):
        if not header:
            raise UnreadableFile(f"column {n} of the header row has no name")
        if header in headers[: n - 1]:
            raise UnreadableFile(f"the header row names '{header}' twice")
    return headers


def _cells_by_header(
    headers: list[str], lines: Iterator[tuple[int, list[str]]], *, padded: bool
) -> Iterator[Row]:
    """Each row's cells by header; a row with more or (in a CSV) fewer cells is refused."""
    width = len(headers)
    for n, cells in lines:
        if not any(c.strip() for c in cells):
            continue  # a blank line
        if any(c.strip() for c in cells[width:]) or (len(cells) < width and not padded):
            raise UnreadableFile(f"row {n} has {len(cells)} cells where the header has {width}")
        yield n, dict(zip(headers, cells + [""] * (width - len(cells)), strict=False))


def _with_one_row(rows: Iterator[Row]) -> Iterator[Row]:
    """The rows, once it is known there is one: a header alone is no import."""
    first = next(rows, None)
    if first is None:
        raise UnreadableFile("the file has a header row but no rows after it")
    yield first
    yield from rows


def _guarded(
    lines: Iterator[tuple[int, list[str]]], encoding: str
) -> Iterator[tuple[int, list[str]]]:
    """The CSV's records; a decoding or quoting fault becomes UnreadableFile, row named."""
    n = 0
    try:
        for n, cells in lines:
            yield n, cells
    except UnicodeDecodeError:
        raise UnreadableFile(
            f"the file is not {encoding} text after row {n}: save it as UTF-8 and upload it again"
        ) from None
    except csv.Error as error:
        raise UnreadableFile(f"row {n + 1} is not valid CSV: {error}") from None


def _xlsx_guarded(lines: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    n = 1
    try:
        for n, cells in lines:
            yield n, cells
    except Exception:  # as when opening it: a damaged workbook fails in many ways
        raise UnreadableFile(f"the XLSX workbook is damaged after row {n}") from None


def _text(value: object) -> str:
    """A cell as text as it was typed: dates as ISO dates, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Rejoined(io.RawIOBase):
    """The head already read, then the rest of the stream: one stream again."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self.head, self.rest = memoryview(head), rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        data = self.rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
