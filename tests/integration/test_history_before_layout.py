"""A history written before the modules moved still replays, with the same answers."""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.domain import Aggregate
from falcon.testing import TestClient

from adapters.projection.verify import verify
from adapters.screening.duplicate_view import SqlDuplicatesView
from adapters.settings import Settings
from domain.access.credential import Credential
from domain.registration.participant import Participant
from domain.registration.seats import SeatLedger
from entrypoints.http.app import create_app
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build
from tests.fixtures.history_answers import http_answers, table_rows

FIXTURE = Path(__file__).parent.parent / "fixtures" / "history_before_layout"


# Aggregates whose state has changed shape since: (type, the version of it the fixture has).
UPCAST_STATES: dict[str, tuple[type[Aggregate], int]] = {
    "SeatLedger": (SeatLedger, 1),
    "Participant": (Participant, 1),
    "Credential": (Credential, 1),
}


def _as_upcast(answer: dict[str, Any]) -> dict[str, Any]:
    """An aggregate state the earlier code answered, in the shape its class has now.

    Replaying the stored domain events with today's classes gives today's shape;
    the aggregate's own upcasters say what that shape is for the state answered then.
    """
    body = answer.get("body")
    if not isinstance(body, dict) or body.get("aggregate_type") not in UPCAST_STATES:
        return answer
    cls, version = UPCAST_STATES[body["aggregate_type"]]
    state = dict(body["state"])
    while version < getattr(cls, "class_version", 1):
        getattr(cls, f"upcast_v{version}_v{version + 1}")(state)
        version += 1
    # The auditor is shown public attributes only, whatever else an upcaster adds.
    public = {k: v for k, v in state.items() if not k.startswith("_")}
    return {**answer, "body": {**body, "state": public}}


def _full_name(row: dict[str, Any]) -> str:
    return " ".join(n for n in (row.get("first_name"), row.get("last_name")) if n)


# Columns added since, with the value each earlier row has in them: {table: {column: value}}.
ADDED_COLUMNS: dict[str, dict[str, Any]] = {
    "managed_events": {"country": lambda row: None},
    "participants": {
        "full_name": _full_name,
        "survivor_id": lambda row: None,
        "held_by": lambda row: None,
        "blocked_by": lambda row: None,
        "blocked_reason": lambda row: None,
        "waitlist_entry_id": lambda row: None,
    },
}
# Projections whose version moved on since (their tables were rebuilt): {name: version}.
MOVED_VERSIONS = {"registration": 4}
# Members added since to the answers of these paths' documents: {member: value}.
ADDED_MEMBERS: dict[str, dict[str, Any]] = {
    "event": {"country": lambda doc: None},
    "participant": {"full_name": _full_name},
}
# Members added since to a participant's document: {member: value}.
ADDED_TO_PARTICIPANTS = {
    "survivor_id": None,
    "held_by": None,
    "blocked_by": None,
    "blocked_reason": None,
    "waitlist_entry_id": None,
}
# Attributes added since to an aggregate's state as the auditor shows it: {type: {name: value}}.
ADDED_STATE: dict[str, dict[str, Any]] = {"Participant": {"absorbed": {}, "merged": None}}
# Statuses added since, counted 0 in an earlier history.
ADDED_STATUSES = ("merged", "waitlisted")


def _with_added_columns(name: str, rows: list[list[Any]], now: list[Any]) -> list[list[Any]]:
    """The earlier rows in today's columns, the added ones holding what the history implies.

    Rows in a stable order of their own, since a column added in the middle can reorder
    what ORDER BY every column gives.
    """
    added = ADDED_COLUMNS.get(name, {})
    header, *body = rows
    if not added or header == now:
        return rows
    records = [dict(zip(header[1:], row, strict=True)) for row in body]
    shaped = [[r[c] if c in r else added[c](r) for c in now[1:]] for r in records]
    return [now, *sorted(shaped, key=_row_key)]


def _row_key(row: list[Any]) -> str:
    return json.dumps(row, default=str)


def _in_row_order(rows: list[list[Any]]) -> list[list[Any]]:
    header, *body = rows
    return [header, *sorted(body, key=_row_key)]


def _with_added_members(document: Any, *, audit: bool) -> Any:
    """An earlier answer with the members added since, wherever an event or person is.

    The auditor's views show domain events and states as recorded, upcast: an event's
    payload and state gain the country; a person's recorded details gain nothing.
    """
    if isinstance(document, list):
        return [_with_added_members(d, audit=audit) for d in document]
    if not isinstance(document, dict):
        return document
    out = {k: _with_added_members(v, audit=audit) for k, v in document.items()}
    if "time_zone" in out and (audit or "registration" in out):  # an event
        out.update({k: f(out) for k, f in ADDED_MEMBERS["event"].items() if k not in out})
    if not audit and "first_name" in out and "last_name" in out:  # a person
        out.update({k: f(out) for k, f in ADDED_MEMBERS["participant"].items() if k not in out})
        if "workflow_version" in out:  # a participant, not a queue item
            out.update({k: v for k, v in ADDED_TO_PARTICIPANTS.items() if k not in out})
    added_state = ADDED_STATE.get(out.get("aggregate_type", ""), {})
    if audit and added_state and isinstance(out.get("state"), dict):
        out["state"] = {**added_state, **out["state"]}
    if not audit and "by_status" in out:  # an event's counts
        out["by_status"] = {**dict.fromkeys(ADDED_STATUSES, 0), **out["by_status"]}
    return out


def _comparable(path: str, answer: Any) -> Any:
    """An answer as compared: an NDJSON export as its parsed lines."""
    body = answer.get("body") if isinstance(answer, dict) else None
    if isinstance(body, str) and path.startswith("/v1/audit/export"):
        return {**answer, "body": [json.loads(line) for line in body.splitlines() if line]}
    return answer


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        gzip.decompress((FIXTURE / "expected.json.gz").read_bytes())
    )
    for answers in document["answers"].values():
        for path, answer in answers.items():
            if "/state" in path:
                answers[path] = _as_upcast(answer)
    return document


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Container, Path]]:
    data_dir = tmp_path_factory.mktemp("history") / "var"
    data_dir.mkdir()
    for store in FIXTURE.glob("*.events.sqlite"):
        shutil.copy(store, data_dir / store.name)
    container = build(Settings(data_dir=data_dir, demo_tenant=False))
    container.catch_up()
    yield container, data_dir
    container.close()


def test_every_projection_table_holds_the_rows_the_earlier_code_built(
    replayed: tuple[Container, Path], expected: dict[str, Any]
) -> None:
    _, data_dir = replayed

    tables = json.loads(json.dumps(table_rows(data_dir / "accredit.sqlite"), default=str))
    # Applications added since have empty logs: their tracking rows stand at 0.
    logs = {store.name.removesuffix(".events.sqlite") for store in FIXTURE.glob("*.events.sqlite")}
    header, *tracked = tables["projection_tracking"]
    # Projections added since (following logs the history has) are left out too: their
    # tables are empty, as checked below.
    projected = {r[0] for r in expected["tables"]["projection_tracking"][1:]}
    tables["projection_tracking"] = [
        header,
        *(r for r in tracked if (r[1] in logs or r[2] != 0) and r[0] in projected),
    ]
    earlier_header, *earlier = expected["tables"]["projection_tracking"]
    expected["tables"]["projection_tracking"] = [
        earlier_header,
        *([*r[:-1], MOVED_VERSIONS.get(r[0], r[-1])] for r in earlier),
    ]

    # Tables of projections added since hold nothing: the history has none of their domain
    # events (the credentials projection reads the access log, which it did not have).
    # Duplicate detection, added since too, reads registration's log: it screens the history.
    detected = {t.name for t in SqlDuplicatesView.tables}
    added = {
        name: rows
        for name, rows in tables.items()
        if name not in expected["tables"] and name not in detected
    }
    assert all(len(rows) == 1 for rows in added.values()), added  # a header, no rows
    assert len(tables["screening_people"]) > 1
    assert set(expected["tables"]) <= set(tables)
    for name, rows in expected["tables"].items():
        if name in ADDED_COLUMNS:
            want = _with_added_columns(name, rows, tables[name][0])
            assert _in_row_order(tables[name]) == want, name
        else:
            assert tables[name] == rows, name


def test_every_query_and_the_auditors_views_answer_as_the_earlier_code_did(
    replayed: tuple[Container, Path], expected: dict[str, Any]
) -> None:
    container, _ = replayed
    client = TestClient(create_app(container))

    for tenant_id, secret in expected["secrets"].items():
        answers = json.loads(json.dumps(http_answers(client, secret), default=str))
        wanted = expected["answers"][tenant_id]
        assert sorted(answers) == sorted(wanted)
        for path, answer in wanted.items():
            audit = path.startswith("/v1/audit")
            want = _with_added_members(_comparable(path, answer), audit=audit)
            assert _comparable(path, answers[path]) == want, path


def test_audit_verify_replays_the_earlier_history_into_the_same_tables(
    replayed: tuple[Container, Path],
) -> None:
    container, _ = replayed

    differences = [str(d) for p in container.sql_projections() for d in verify(p)]

    assert differences == []
