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
from projections.screening.duplicates import DuplicatesProjector
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
    return {**answer, "body": {**body, "state": state}}


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
    tables["projection_tracking"] = [
        header,
        *(r for r in tracked if (r[1] in logs or r[2] != 0) and r[0] != DuplicatesProjector.name),
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
            assert answers[path] == answer, path


def test_audit_verify_replays_the_earlier_history_into_the_same_tables(
    replayed: tuple[Container, Path],
) -> None:
    container, _ = replayed

    differences = [str(d) for p in container.sql_projections() for d in verify(p)]

    assert differences == []
