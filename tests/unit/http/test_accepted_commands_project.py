"""Whatever a command accepts, every projection applies: no accepted input stalls a view.

Random bodies (any text, any time in the calendar with any offset, any zone name,
numbers at and past the limits) go to the commands; each answer is a 2xx or a
problem, and after every accepted one each projection catches up without failing
and the resource reads back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from falcon.testing import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.projection.failures import failures
from entrypoints.wiring.container import Container
from tests.unit.http.conftest import Caller

OFFSETS = st.integers(min_value=-24 * 60 + 1, max_value=24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
# The calendar's ends, where an offset can push a time out of it once taken to UTC.
EDGES = st.sampled_from(
    [
        "9999-12-31T23:59:59-12:00",
        "9999-12-31T23:59:59.999999+00:00",
        "9999-12-31T12:00:00-23:59",
        "0001-01-01T00:00:00+01:00",
        "0001-01-01T00:00:00-01:00",
    ]
)
MOMENTS = st.one_of(
    EDGES,
    st.builds(lambda naive, zone: naive.replace(tzinfo=zone).isoformat(), st.datetimes(), OFFSETS),
)
SOON = st.integers(min_value=1, max_value=10**6).map(
    lambda hours: (datetime.now(UTC) + timedelta(hours=hours)).isoformat()
)
TEXT = st.text(max_size=40)
ZONES = st.sampled_from(["UTC", "Europe/Paris", "Asia/Kathmandu", "Europe", "localtime", "Mars"])


def _accepted(result: Any) -> bool:
    assert result.status_code < 500, result.text
    return 200 <= result.status_code < 300


def _projects_and_reads_back(
    container: Container, client: TestClient, caller: Caller, path: str
) -> None:
    container.catch_up()
    assert failures(container.engine) == []
    read = client.simulate_get(path, headers=caller.headers)
    assert read.status_code == 200, read.text


LENIENT = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@LENIENT
@given(
    name=TEXT,
    tier=st.sampled_from(["FREE", "PREMIUM", "NONE"]),
    expires_at=st.one_of(st.none(), MOMENTS, SOON),
)
def test_any_api_key_the_api_issues_is_projected(
    client: TestClient,
    container: Container,
    admin: Caller,
    name: str,
    tier: str,
    expires_at: str | None,
) -> None:
    body = {"name": name, "permissions": ["tenant:read"], "tier": tier, "expires_at": expires_at}

    result = client.simulate_post("/v1/api-keys", json=body, headers=admin.headers)

    if _accepted(result):
        _projects_and_reads_back(container, client, admin, f"/v1/api-keys/{result.json['id']}")


@LENIENT
@given(
    name=TEXT,
    venue=st.one_of(st.none(), TEXT),
    starts_at=MOMENTS,
    length=st.integers(min_value=-10, max_value=10**7),
    zone=ZONES,
    capacity=st.one_of(st.none(), st.integers(min_value=-1, max_value=2 * 10**6)),
    category=st.one_of(st.none(), TEXT),
)
def test_any_event_the_api_creates_is_projected(
    client: TestClient,
    container: Container,
    admin: Caller,
    name: str,
    venue: str | None,
    starts_at: str,
    length: int,
    zone: str,
    capacity: int | None,
    category: str | None,
) -> None:
    start = datetime.fromisoformat(starts_at)
    try:
        ends_at = (start + timedelta(minutes=length)).isoformat()
    except OverflowError:
        ends_at = starts_at
    body: dict[str, Any] = {
        "name": name,
        "venue": venue,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "time_zone": zone,
        "capacity": capacity,
    }
    if category is not None:
        body["categories"] = [{"code": "press", "name": category}]

    result = client.simulate_post("/v1/events", json=body, headers=admin.headers)

    if _accepted(result):
        _projects_and_reads_back(container, client, admin, f"/v1/events/{result.json['id']}")


@LENIENT
@given(
    first=TEXT,
    last=TEXT,
    local=st.text(min_size=1, max_size=20),
    phone=st.one_of(st.none(), st.text(max_size=20)),
    born=st.one_of(st.none(), st.dates().map(str)),
    organisation=st.one_of(st.none(), TEXT),
    nationality=st.one_of(st.none(), st.text(max_size=3)),
    document=st.one_of(st.none(), st.text(max_size=32)),
)
def test_any_participant_the_api_registers_is_projected(
    client: TestClient,
    container: Container,
    admin: Caller,
    first: str,
    last: str,
    local: str,
    phone: str | None,
    born: str | None,
    organisation: str | None,
    nationality: str | None,
    document: str | None,
) -> None:
    event = client.simulate_post(
        "/v1/events",
        json={
            "name": "Expo",
            "starts_at": "2030-06-01T09:00:00+02:00",
            "ends_at": "2030-06-01T18:00:00+02:00",
            "time_zone": "Europe/Paris",
        },
        headers=admin.headers,
    ).json["id"]
    client.simulate_post(f"/v1/events/{event}/open-registration", headers=admin.headers)
    body = {
        "first_name": first,
        "last_name": last,
        "email": f"{local}@example.org",
        "phone": phone,
        "date_of_birth": born,
        "organisation": organisation,
        "nationality": nationality,
        "document_number": document,
    }

    result = client.simulate_post(
        f"/v1/events/{event}/participants", json=body, headers=admin.headers
    )

    if _accepted(result):
        _projects_and_reads_back(container, client, admin, f"/v1/participants/{result.json['id']}")
