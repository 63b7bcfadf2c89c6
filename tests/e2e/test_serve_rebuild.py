"""`accredit serve` answers HTTP at once while its worker rebuilds an outdated projection."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from adapters.projection.rebuild import RebuildInterrupted, rebuild_if_outdated
from adapters.projection.tracking import projection_tracking
from adapters.settings import Settings
from domain.registration.application import RegistrationApplication
from entrypoints.wiring.contexts import build
from projections.registration.projector import RegistrationProjector
from tests.e2e.conftest import ACCREDIT, Served, start_serve, stop_serve

# The registration projection's version, which the half-done rebuild is building.
VERSION = RegistrationProjector.version

BATCH = 5


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    url = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    return Settings(
        database_url=url,
        data_dir=tmp_path / "var",
        demo_tenant=False,
        projection_batch_size=BATCH,
    )


def half_rebuilt_registration(settings: Settings) -> None:
    """Tables of an older registration projector, and a rebuild stopped after two batches."""
    with build(settings) as container:
        tenant_id = container.platform.create_tenant("Archive Ltd").aggregate_id
        registration = container.app(RegistrationApplication)
        starts = datetime(2027, 6, 1, 9, tzinfo=UTC)
        for n in range(12):
            ack = registration.create_event(
                tenant_id, f"Expo {n}", starts, starts + timedelta(days=2), "Europe/Paris"
            )
            registration.open_registration(tenant_id, ack.aggregate_id)
        container.catch_up()
        with container.engine.begin() as conn:
            conn.execute(
                projection_tracking.update()
                .where(projection_tracking.c.projection == "registration")
                .values(version=0)
            )
        (projection,) = [p for p in container.sql_projections() if p.name == "registration"]
        stop = threading.Event()
        batches: list[int] = []

        def two_batches(count: int) -> None:
            batches.append(count)
            if len(batches) == 2:
                stop.set()

        with pytest.raises(RebuildInterrupted):
            rebuild_if_outdated(projection, on_progress=two_batches, stop=stop)


class BuildHold:
    """Keeps the registration build from writing, so it stays under way until released."""

    def __init__(self, settings: Settings) -> None:
        self._release: Callable[[], None]
        if settings.database_url is not None:
            pg = psycopg.connect(settings.database_url)
            pg.execute("LOCK TABLE accredit_rebuild_registration.projection_tracking IN SHARE MODE")
            self._release = pg.close  # closing ends the transaction, and its lock
        else:
            db = sqlite3.connect(settings.data_dir / "accredit.rebuild_registration.sqlite")
            db.isolation_level = None
            db.execute("BEGIN IMMEDIATE")
            self._release = db.close
        self.held = True

    def release(self) -> None:
        if self.held:
            self._release()
            self.held = False


def status_row(served: Served, name: str) -> list[str]:
    done = subprocess.run(
        [ACCREDIT, "projections", "status", name],
        env=served.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    (row,) = [line.split() for line in done.stdout.splitlines()[1:]]
    return row


def test_http_answers_and_other_projections_follow_while_one_is_rebuilt(
    settings: Settings, tmp_path: Path
) -> None:
    half_rebuilt_registration(settings)
    env = {"ACCREDIT_PROJECTION_BATCH_SIZE": str(BATCH)}
    if settings.database_url is not None:
        env["ACCREDIT_DATABASE_URL"] = settings.database_url
    held = BuildHold(settings)
    served = start_serve(tmp_path, env, caught_up=False)
    try:
        admin = served.admin_key
        served.wait_until(
            lambda: served.projections()["platform"]["lag_events"] == 0, "platform catch-up"
        )
        rebuilding = served.projections()["registration"]
        ready = served.request("GET", "/ready")
        issued = served.request(
            "POST", "/v1/api-keys", {"name": "gate", "permissions": ["ADMIN"]}, key=admin
        )
        keys = served.request(
            "GET", f"/v1/api-keys?min_position={issued.headers['accredit-position']}", key=admin
        )
        created = served.request(
            "POST",
            "/v1/events",
            {
                "name": "Expo 2028",
                "starts_at": "2028-06-01T09:00:00+02:00",
                "ends_at": "2028-06-03T18:00:00+02:00",
                "time_zone": "Europe/Paris",
            },
            key=admin,
        )
        event = f"/v1/events/{created.body['id']}"
        at_position = f"{event}?min_position={created.headers['accredit-position']}"
        refused = served.request("GET", at_position, key=admin)
        # The admin's own list waits for its new event, which only the build has.
        own_list = served.request("GET", "/v1/events", key=admin)
        listed = served.request("GET", "/v1/events", key=issued.body["secret"])
        cli_row = status_row(served, "registration")
        worker = served.child_pid("projections")

        held.release()
        served.wait_until(
            lambda: served.projections()["registration"]["state"] == "current", "the swap"
        )
        after = served.request("GET", at_position, key=admin)
        swapped = served.projections()["registration"]
    finally:
        held.release()
        stopped = stop_serve(served)

    assert stopped == 0
    assert rebuilding["state"] == "rebuilding"
    assert rebuilding["stored_version"] == 0
    assert rebuilding["rebuild"]["version"] == VERSION
    assert 0 < rebuilding["rebuild"]["progress"] < 1
    assert [(leader["version"], leader["pid"]) for leader in rebuilding["leaders"]] == [
        (VERSION, worker)
    ]
    assert ready.status == 200
    assert keys.status == 200
    assert "gate" in [k["name"] for k in keys.body["items"]]
    assert created.status == 201
    assert refused.status == 503, json.dumps(refused.body)
    assert refused.body["type"] == "/problems/projection-rebuilding"
    assert f"being rebuilt to version {VERSION}" in refused.body["detail"]
    assert refused.headers["retry-after"] == "5"
    assert own_list.status == 503
    assert own_list.body["type"] == "/problems/projection-rebuilding"
    assert listed.status == 200
    # projection, version, stored, upstream, position, head, lag events, lag s, state, rebuilt
    assert cli_row[1:3] == [str(VERSION), "0"]
    assert cli_row[8] == "rebuilding"
    assert cli_row[9].endswith("%")
    assert after.status == 200
    assert after.body["name"] == "Expo 2028"
    assert (swapped["stored_version"], swapped["rebuild"]) == (VERSION, None)
