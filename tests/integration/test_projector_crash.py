"""A killed projector process resumes, or a standby takes over: its tables equal a rebuild."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.projection.leadership import leader_of
from adapters.projection.verify import verify
from adapters.settings import Settings
from domain.platform.apikey import ApiKey
from domain.platform.application import PlatformApplication
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build

REPO = Path(__file__).resolve().parents[2]


def record_history(app: PlatformApplication, keys: int) -> None:
    """Keys issued and rotated, saved in large chunks: a long history, written fast."""
    tenant_id = app.create_tenant("Crash Test Ltd").aggregate_id
    now = datetime.now(UTC)
    pending = []
    for _ in range(keys):
        key = ApiKey.issue(
            key_id=uuid.uuid4(),
            tenant_id=tenant_id,
            name="gate",
            permissions=["check-in:scan"],
            tier="FREE",
            expires_at=None,
            secret_digest=uuid.uuid4().hex,
            now=now,
        )
        key.rotate(uuid.uuid4().hex, timedelta(hours=1), now)
        pending.extend(key.collect_events())
    for start in range(0, len(pending), 5000):
        app.events.put(pending[start : start + 5000])


def start_worker(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ACCREDIT_DATA_DIR": str(settings.data_dir),
        "ACCREDIT_PROJECTION_BATCH_SIZE": str(settings.projection_batch_size),
        "ACCREDIT_DEMO_TENANT": "0",
    }
    env.pop("ACCREDIT_DATABASE_URL", None)
    if settings.database_url is not None:
        env["ACCREDIT_DATABASE_URL"] = settings.database_url
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "entrypoints.cli", "worker", "projections"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def positions(container: Container) -> list[int]:
    """Where each projection of the platform log (the only one written here) stands in it."""
    readers = [p for p in container.sql_projections() if "platform" in p.projector.upstream]
    found = [p.tracked().get("platform") for p in readers]
    return [t.position if t is not None else 0 for t in found]


def wait_until(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the worker did not get there in time")
        time.sleep(0.005)


def test_a_projector_killed_mid_batch_then_restarted_leaves_what_a_fresh_rebuild_would(
    any_settings: Settings, tmp_path: Path
) -> None:
    settings = replace(any_settings, projection_batch_size=100)
    with build(settings) as container:
        record_history(container.platform, keys=6000)
        head = container.platform.recorder.max_notification_id()
        log = tmp_path / "worker.log"

        worker = start_worker(settings, log)
        wait_until(lambda: max(positions(container)) > 0, timeout=30)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        killed_at = positions(container)

        restarted = start_worker(settings, log)
        wait_until(lambda: set(positions(container)) == {head}, timeout=60)
        restarted.send_signal(signal.SIGTERM)
        assert restarted.wait(timeout=20) == 0, log.read_text()

        assert min(killed_at) < head, "the worker finished before it was killed"
        for projection in container.sql_projections():
            assert list(verify(projection)) == [], projection.name


def leaders(container: Container) -> set[int]:
    """The pid leading each projection of this code's versions (0 where none leads)."""
    found = [leader_of(p.engine, p.name, p.version) for p in container.sql_projections()]
    return {0 if leader is None else leader.pid for leader in found}


def test_a_standby_projector_takes_over_when_the_leader_is_killed(
    any_settings: Settings, tmp_path: Path
) -> None:
    settings = replace(any_settings, projection_batch_size=100)
    with build(settings) as container:
        record_history(container.platform, keys=3000)
        projections = len(container.sql_projections())
        leader_log, standby_log = tmp_path / "leader.log", tmp_path / "standby.log"

        leader = start_worker(settings, leader_log)
        wait_until(lambda: leaders(container) == {leader.pid}, timeout=30)
        standby = start_worker(settings, standby_log)
        standing_by = "another runner leads; standing by"
        wait_until(lambda: standby_log.read_text().count(standing_by) == projections, timeout=30)
        os.kill(leader.pid, signal.SIGKILL)
        leader.wait(timeout=10)
        record_history(container.platform, keys=500)
        head = container.platform.recorder.max_notification_id()

        wait_until(lambda: leaders(container) == {standby.pid}, timeout=30)
        wait_until(lambda: set(positions(container)) == {head}, timeout=60)
        standby.send_signal(signal.SIGTERM)
        assert standby.wait(timeout=20) == 0, standby_log.read_text()

        assert standby_log.read_text().count("this runner leads") == projections
        for projection in container.sql_projections():
            assert list(verify(projection)) == [], projection.name
