"""The access log and occupancy over HTTP, on SQLite and PostgreSQL: filters, pages, export."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from falcon.testing import TestClient

from adapters.settings import Settings
from adapters.sql.paging import encode_cursor as _cursor
from domain.access.application import AccessApplication
from domain.access.scan import ScanResult
from domain.shared.application import Position
from entrypoints.wiring.container import Container
from tests.integration.test_access_reports import START, Gates
from tests.unit.http import expect
from tests.unit.http.conftest import Caller, IssueKey
from tests.unit.http.test_events import create_event


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    database_url = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    return Settings(
        data_dir=tmp_path / "var",
        database_url=database_url,
        demo_tenant=False,
        read_wait_seconds=0.2,
    )


def _gates(client: TestClient, container: Container, caller: Caller) -> Gates:
    event_id = UUID(create_event(client, caller)["id"])
    return Gates(container.app(AccessApplication), tenant=caller.tenant_id, event=event_id)


def _scanned(client: TestClient, container: Container, caller: Caller) -> tuple[Gates, list[UUID]]:
    """Six people in, two refused, one out again, all projected."""
    gates = _gates(client, container, caller)
    people = [uuid4() for _ in range(6)]
    gates.record(*(gates.enter(p, START + timedelta(minutes=n)) for n, p in enumerate(people)))
    gates.record(
        gates.decision(uuid4(), START + timedelta(minutes=7), result=ScanResult.REVOKED),
        gates.decision(None, START + timedelta(minutes=8), result=ScanResult.UNKNOWN_CREDENTIAL),
        gates.leave(people[0], START + timedelta(minutes=20)),
    )
    container.catch_up()
    return gates, people


def _path(gates: Gates, rest: str) -> str:
    return f"/v1/events/{gates.event}/{rest}"


def _all_pages(client: TestClient, caller: Caller, path: str, **params: Any) -> list[Any]:
    items: list[Any] = []
    while True:
        page = expect.ok(client.simulate_get(path, params=params, headers=caller.headers))
        items += page["items"]
        if page["next_cursor"] is None:
            return items
        params["cursor"] = page["next_cursor"]


def test_the_access_log_pages_through_every_scan_once(
    client: TestClient, container: Container, admin: Caller
) -> None:
    gates, people = _scanned(client, container, admin)
    path = _path(gates, "access-log")

    everything = _all_pages(client, admin, path, limit=50)
    paged = _all_pages(client, admin, path, limit=2)

    assert paged == everything
    assert len({item["version"] for item in paged}) == len(paged) == 9
    assert [i["scanned_at"] for i in paged] == sorted(i["scanned_at"] for i in paged)
    first = everything[0]
    assert first["participant_id"] == str(people[0])
    assert (first["result"], first["direction"], first["annulled"]) == ("OK", "ENTRY", False)
    assert first["scanned_at"] == "2030-06-01T09:00:00+00:00"


def test_the_access_log_filters_by_result_person_zone_device_and_time(
    client: TestClient, container: Container, admin: Caller
) -> None:
    gates, people = _scanned(client, container, admin)
    path = _path(gates, "access-log")

    def count(**params: Any) -> int:
        return len(_all_pages(client, admin, path, limit=1, **params))

    assert count(result="REVOKED,UNKNOWN_CREDENTIAL") == 2
    assert count(result=["REVOKED", "UNKNOWN_CREDENTIAL"]) == 2
    assert count(result="OK") == 7
    assert count(participant_id=str(people[0])) == 2
    assert count(zone_id=str(gates.arena)) == 9
    assert count(zone_id=str(gates.vip)) == 0
    assert count(checkpoint_id=str(gates.gate)) == 9
    assert count(device_id="north-1") == 9
    assert count(device_id="elsewhere") == 0
    assert count(scanned_from="2030-06-01T11:02:00+02:00", scanned_to="2030-06-01T09:08:00Z") == 5


def test_the_export_streams_one_json_object_per_line_for_the_same_selection(
    client: TestClient, container: Container, admin: Caller
) -> None:
    gates, _ = _scanned(client, container, admin)

    answer = client.simulate_get(
        _path(gates, "access-log/export"), params={"result": "OK"}, headers=admin.headers
    )

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/x-ndjson"
    lines = answer.text.splitlines()
    assert answer.text.endswith("\n")
    assert len(lines) == 7
    listed = _all_pages(client, admin, _path(gates, "access-log"), result="OK")
    assert [json.loads(line) for line in lines] == listed


def test_occupancy_buckets_and_who_is_inside_answer_the_projected_counts(
    client: TestClient, container: Container, admin: Caller
) -> None:
    gates, people = _scanned(client, container, admin)

    occupancy = expect.ok(client.simulate_get(_path(gates, "occupancy"), headers=admin.headers))
    buckets = _all_pages(
        client, admin, _path(gates, "occupancy/buckets"), zone_id=str(gates.arena), limit=1
    )
    bounded = expect.ok(
        client.simulate_get(
            _path(gates, "occupancy/buckets"),
            params={"from": "2030-06-01T09:15:00Z", "to": "2030-06-01T10:00:00Z"},
            headers=admin.headers,
        )
    )
    inside = _all_pages(client, admin, _path(gates, f"zones/{gates.arena}/inside"), limit=2)

    assert (occupancy["inside"], occupancy["peak"]) == (5, 6)
    assert occupancy["peak_at"] == "2030-06-01T09:05:00+00:00"
    arena = next(z for z in occupancy["zones"] if z["zone_id"] == str(gates.arena))
    assert (arena["name"], arena["capacity"], arena["inside"], arena["peak"]) == (
        "Arena",
        100,
        5,
        6,
    )
    assert buckets == [
        {
            "bucket_start": "2030-06-01T09:00:00+00:00",
            "entries": 6,
            "exits": 0,
            "denials": 2,
            "annulled": 0,
        },
        {
            "bucket_start": "2030-06-01T09:15:00+00:00",
            "entries": 0,
            "exits": 1,
            "denials": 0,
            "annulled": 0,
        },
    ]
    assert [b["bucket_start"] for b in bounded["items"]] == ["2030-06-01T09:15:00+00:00"]
    assert [i["participant_id"] for i in inside] == [str(p) for p in people[1:]]
    assert all(i["credential_id"] for i in inside)


def test_a_scan_of_the_key_is_waited_for_by_its_occupancy_read(
    client: TestClient, container: Container, admin: Caller
) -> None:
    gates = _gates(client, container, admin)
    container.catch_up()
    gates.record(gates.enter(uuid4(), START))
    position = Position(
        "access", container.app(AccessApplication).recorder.max_notification_id() or 0
    )
    # What a scan's answer leaves behind: the key's position in the access application.
    container.key_positions.record(str(admin.key_id), [position])

    lagging = client.simulate_get(_path(gates, "occupancy"), headers=admin.headers)
    container.catch_up()
    caught_up = client.simulate_get(_path(gates, "occupancy"), headers=admin.headers)

    expect.problem(lagging, 503, "projection-lagging")
    assert expect.ok(caught_up)["inside"] == 1


@pytest.mark.parametrize(
    "rest",
    ["access-log", "access-log/export", "occupancy", "occupancy/buckets", "zones/{zone}/inside"],
)
def test_another_tenants_key_gets_404_for_every_report(
    client: TestClient, container: Container, admin: Caller, outsider: Caller, rest: str
) -> None:
    gates, _ = _scanned(client, container, admin)

    answer = client.simulate_get(
        _path(gates, rest.format(zone=gates.arena)), headers=outsider.headers
    )

    expect.problem(answer, 404, "not-found")


def test_a_zone_the_event_does_not_have_is_404(
    client: TestClient, container: Container, admin: Caller
) -> None:
    gates, _ = _scanned(client, container, admin)

    inside = client.simulate_get(_path(gates, f"zones/{uuid4()}/inside"), headers=admin.headers)
    buckets = client.simulate_get(
        _path(gates, "occupancy/buckets"), params={"zone_id": str(uuid4())}, headers=admin.headers
    )

    expect.problem(inside, 404, "not-found")
    expect.problem(buckets, 404, "not-found")


def test_a_key_without_access_read_is_refused(
    client: TestClient, container: Container, admin: Caller, issue_key: IssueKey
) -> None:
    gates, _ = _scanned(client, container, admin)
    reader = issue_key(admin.tenant_id, ["participants:read"])

    answer = client.simulate_get(_path(gates, "occupancy"), headers=reader.headers)

    assert answer.status_code == 403


@pytest.mark.parametrize(
    ("rest", "params", "status", "slug"),
    [
        ("access-log", {"participant_id": "not-a-uuid"}, 400, "invalid-parameter"),
        ("access-log", {"result": "MAYBE"}, 400, "invalid-parameter"),
        ("access-log", {"result": "OK,"}, 400, "invalid-parameter"),
        ("access-log", {"scanned_from": "2030-06-01T09:00:00"}, 400, "invalid-parameter"),
        ("access-log", {"scanned_to": "yesterday"}, 400, "invalid-parameter"),
        ("access-log", {"cursor": "garbage"}, 400, "invalid-cursor"),
        ("access-log", {"cursor": "WyJ4Il0"}, 400, "invalid-cursor"),
        # ["2030-06-01T09:00:00+00:00", "²"]: a digit to str.isdigit(), not to int().
        (
            "access-log",
            {"cursor": _cursor("2030-06-01T09:00:00+00:00", "²")},
            400,
            "invalid-cursor",
        ),
        ("access-log", {"limit": "0"}, 400, "invalid-parameter"),
        ("access-log", {"limit": "201"}, 400, "invalid-parameter"),
        ("access-log", {"colour": "blue"}, 400, "invalid-parameter"),
        ("access-log/export", {"result": "NOPE"}, 400, "invalid-parameter"),
        ("occupancy/buckets", {"from": "soon"}, 400, "invalid-parameter"),
        ("occupancy/buckets", {"zone_id": "1"}, 400, "invalid-parameter"),
        ("occupancy/buckets", {"cursor": "WyIxIiwiMiJd"}, 400, "invalid-cursor"),
        ("zones/{zone}/inside", {"cursor": "x"}, 400, "invalid-cursor"),
        ("zones/{zone}/inside", {"limit": "x"}, 400, "invalid-parameter"),
    ],
)
def test_bad_input_is_a_problem_never_a_500(
    client: TestClient,
    container: Container,
    admin: Caller,
    rest: str,
    params: dict[str, str],
    status: int,
    slug: str,
) -> None:
    gates, _ = _scanned(client, container, admin)

    answer = client.simulate_get(
        _path(gates, rest.format(zone=gates.arena)), params=params, headers=admin.headers
    )

    expect.problem(answer, status, slug)
