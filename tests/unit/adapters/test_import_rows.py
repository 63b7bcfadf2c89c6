"""Import files are read as rows by header: encoding and delimiter found, CSV or XLSX alike."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from openpyxl import Workbook

from adapters.operations.import_rows import (
    XLSX_MEDIA_TYPE,
    UnreadableFile,
    preview,
    read_rows,
)
from domain.operations.import_check import check_rows
from domain.registration.application import RegistrationApplication

ROWS = [
    ["Prénom", "Nom", "Courriel", "Société"],
    ["José", "Müller", "jose@example.org", "Café Ünïon"],
    ["Renée", "Dœuf", "renee@example.org", "Crème brûlée"],
]


def csv_bytes(encoding: str, delimiter: str = ",", rows: list[list[str]] = ROWS) -> bytes:
    return "".join(delimiter.join(r) + "\r\n" for r in rows).encode(encoding)


def all_rows(data: bytes, media_type: str | None = None) -> list[tuple[int, dict[str, str]]]:
    with read_rows(io.BytesIO(data), media_type) as rows:
        return list(rows)


EXPECTED = [
    (
        2,
        {
            "Prénom": "José",
            "Nom": "Müller",
            "Courriel": "jose@example.org",
            "Société": "Café Ünïon",
        },
    ),
    (
        3,
        {
            "Prénom": "Renée",
            "Nom": "Dœuf",
            "Courriel": "renee@example.org",
            "Société": "Crème brûlée",
        },
    ),
]


@pytest.mark.parametrize(
    ("encoding", "found"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),  # with its byte-order mark, as Python writes it
        ("cp1252", "cp1252"),
    ],
)
def test_the_encoding_is_found_and_the_rows_read_in_it(encoding: str, found: str) -> None:
    data = csv_bytes(encoding)
    assert preview(io.BytesIO(data)).encoding == found
    assert all_rows(data) == EXPECTED


def test_latin_1_text_with_accents_reads_as_the_western_code_page() -> None:
    rows = [["Prénom", "Nom"], ["José", "Núñez"], ["Zoë", "Ångström"]]
    data = csv_bytes("latin-1", rows=rows)
    assert all_rows(data) == [
        (2, {"Prénom": "José", "Nom": "Núñez"}),
        (3, {"Prénom": "Zoë", "Nom": "Ångström"}),
    ]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_sniffed(delimiter: str) -> None:
    data = csv_bytes("utf-8", delimiter)
    assert preview(io.BytesIO(data)).delimiter == delimiter
    assert all_rows(data) == EXPECTED


def test_quoted_fields_keep_their_delimiters_quotes_and_line_breaks() -> None:
    data = (
        b"Name;Email;Notes\n"
        b'Ada;ada@example.org;"arrives late; leaves early"\n'
        b'Bob;bob@example.org;"two\nlines, and ""quotes"""\n'
        b"Cy;cy@example.org;plain\n"
    )

    rows = all_rows(data)

    assert preview(io.BytesIO(data)).delimiter == ";"
    assert [n for n, _ in rows] == [2, 3, 4]  # records, as a spreadsheet numbers them
    assert rows[0][1]["Notes"] == "arrives late; leaves early"
    assert rows[1][1]["Notes"] == 'two\nlines, and "quotes"'


def test_a_single_column_file_reads_with_the_comma() -> None:
    assert all_rows(b"Email\nada@example.org\n") == [(2, {"Email": "ada@example.org"})]


def test_blank_lines_are_skipped_and_numbered_all_the_same() -> None:
    assert all_rows(b"Email,Name\n\nada@example.org,Ada\n") == [
        (3, {"Email": "ada@example.org", "Name": "Ada"})
    ]


def test_the_preview_shows_headers_a_suggested_mapping_and_the_first_rows() -> None:
    rows = [["First name", "Surname", "E-mail", "Remarks"]] + [
        [f"P{n}", "Doe", f"p{n}@example.org", ""] for n in range(30)
    ]

    shown = preview(io.BytesIO(csv_bytes("utf-8", ";", rows)), rows=5)

    assert shown.format == "csv"
    assert shown.headers == ["First name", "Surname", "E-mail", "Remarks"]
    assert shown.mapping == {
        "First name": "first_name",
        "Surname": "last_name",
        "E-mail": "email",
        "Remarks": None,
    }
    assert [n for n, _ in shown.rows] == [2, 3, 4, 5, 6]


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_sheet_reads_as_text_with_dates_as_iso_dates() -> None:
    data = xlsx(
        [
            ["First name", "Email", "Date of birth", "Phone", None],
            # A spreadsheet's date and time has no time zone.
            ["Ada", "ada@example.org", datetime(1990, 4, 30), 4930123456, None],  # noqa: DTZ001
            ["Bob", "bob@example.org", date(1985, 1, 2), "+33 1 23 45 67 89"],
            [None, None, None, None],
        ]
    )

    shown = preview(io.BytesIO(data))

    assert (shown.format, shown.encoding, shown.delimiter) == ("xlsx", None, None)
    assert shown.mapping["Date of birth"] == "date_of_birth"
    assert all_rows(data, XLSX_MEDIA_TYPE) == [
        (
            2,
            {
                "First name": "Ada",
                "Email": "ada@example.org",
                "Date of birth": "1990-04-30",
                "Phone": "4930123456",
            },
        ),
        (
            3,
            {
                "First name": "Bob",
                "Email": "bob@example.org",
                "Date of birth": "1985-01-02",
                "Phone": "+33 1 23 45 67 89",
            },
        ),
    ]


@pytest.mark.parametrize(
    ("data", "media_type", "said"),
    [
        (b"", None, "empty"),
        (b"  \n", None, "empty"),
        (b"Email,Name\n", None, "no rows"),
        (b"Email,Name\nada@example.org,Ada,extra\n", None, "row 2 has 3 cells"),
        (b"Email,Name\nada@example.org\n", None, "row 2 has 1 cells"),
        (b"Email,,Name\na,b,c\n", None, "column 2"),
        (b"Email,Email\na,b\n", None, "twice"),
        (b'Email,Name\n"ada@example.org,Ada\n', None, "not valid CSV"),
        (b"PK\x03\x04 not really a zip", None, "XLSX"),
        (xlsx([["Email", "Name"]]), None, "no rows"),
        (xlsx([["Email", None, "Name"], ["a", "b", "c"]]), None, "column 2"),
        (xlsx([["Email"], ["a", "extra"]]), None, "row 2 has 2 cells"),
        (b"Email\n" + "Zoë".encode("utf-16-le"), XLSX_MEDIA_TYPE, "XLSX"),
    ],
)
def test_a_malformed_file_is_refused_with_a_clear_reason(
    data: bytes, media_type: str | None, said: str
) -> None:
    with pytest.raises(UnreadableFile, match=said):
        all_rows(data, media_type)


def test_a_file_that_stops_being_utf_8_past_its_first_64_kib_is_refused_naming_the_row() -> None:
    head = b"Email,Name\n" + b"".join(b"p%d@example.org,P\n" % n for n in range(5000))
    data = head + "zoë@example.org,Zoë\n".encode("latin-1")
    assert len(head) > 64 * 1024

    with pytest.raises(UnreadableFile, match="not utf-8 text after row"):
        all_rows(data)


def test_a_truncated_xlsx_is_refused() -> None:
    data = xlsx([["Email"], *[[f"p{n}@example.org"] for n in range(2000)]])
    with pytest.raises(UnreadableFile, match="XLSX"):
        all_rows(data[: len(data) // 2])


def test_a_file_read_with_its_suggested_mapping_checks_against_the_events_registrations() -> None:
    app = RegistrationApplication({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    tenant, start = uuid4(), datetime(2027, 6, 1, 9, tzinfo=UTC)
    event_id = app.create_event(
        tenant, "Expo", start, start + timedelta(days=1), "Europe/Paris"
    ).aggregate_id
    app.open_registration(tenant, event_id)
    app.register(tenant, event_id, {"first_name": "Ada", "email": "ada@example.org"})
    data = "Vorname;Nachname;E-Mail;Geburtsdatum\r\n".encode("cp1252") + (
        "Ada;Lovelace;ADA@example.org;1815-12-10\r\n"
        "Jürgen;Groß;juergen@example.org;1970-01-01\r\n"
        "Jürgen;Groß;Juergen@Example.org;\r\n"
    ).encode("cp1252")

    shown = preview(io.BytesIO(data))
    with read_rows(io.BytesIO(data)) as rows:
        checks = list(
            check_rows(
                rows,
                shown.mapping,
                date(2027, 5, 1),
                "DE",
                (),
                lambda email: app.registered_email(tenant, event_id, email) is not None,
            )
        )

    assert [(c.row_number, c.importable) for c in checks] == [(2, False), (3, True), (4, False)]
    assert checks[0].already_registered
    assert [f for f, _ in checks[0].errors] == ["date_of_birth"]  # before 1900
    assert checks[1].values["last_name"] == "Groß"
    assert checks[2].duplicate_of_row == 3
