"""A domain event a projection cannot apply stops it there, visibly, and never for good.

The domain now refuses a time with no UTC form where it enters, but a history may
hold one written before (here: saved straight into the store, past the check). The
projection stops before it, says where and why to every process, backs off, and
makes readiness fail; the first batch past it clears the failure. A rebuild that meets
it shows it the same way, since the live view waits for that build.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from uuid import uuid4

import pytest
from falcon.testing import TestClient

from adapters.projection.failures import ProjectionFailed, failures, record_failure
from adapters.projection.rebuild import rebuild
from adapters.projection.runner import ProjectionRunner
from adapters.projection.sql_projection import SqlProjection
from adapters.settings import Settings
from domain.platform.apikey import ApiKey
from domain.platform.features import Feature
from entrypoints.http.app import create_app
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build
from tests.unit.http import expect

NO_UTC_FORM = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-12)))


@pytest.fixture
def container(any_settings: Settings) -> Iterator[Container]:
    built = build(any_settings)
    yield built
    built.close()


def _poison(container: Container, tenant_id: object) -> int:
    """A key whose expiry has no UTC form, saved past the domain's check; its position."""
    key = ApiKey(
        key_id=uuid4(),
        tenant_id=tenant_id,
        name="from before the check",
        permissions=["tenant:read"],
        tier="FREE",
        expires_at=NO_UTC_FORM,
        secret_digest="0" * 64,
    )
    position = container.platform.commit(key)
    assert position is not None
    return position.notification_id


def _platform_runner(container: Container) -> ProjectionRunner[object]:
    return next(r for r in container.projection_runners() if r.name == "platform")


def test_a_projection_stops_before_the_domain_event_it_cannot_apply_and_says_so(
    container: Container,
) -> None:
    before = container.platform.create_tenant("Before", tuple(Feature)).aggregate_id
    poison = _poison(container, before)
    container.platform.create_tenant("After", tuple(Feature))
    runner = _platform_runner(container)

    with pytest.raises(Exception, match="cannot apply platform"):
        runner.catch_up()
    with pytest.raises(Exception, match="attempt 2"):
        runner.catch_up()

    (failure,) = failures(container.engine)
    assert (failure.projection, failure.upstream, failure.position) == (
        "platform",
        "platform",
        poison,
    )
    assert "OverflowError" in failure.error
    assert failure.attempts == 2
    assert failure.retry_at - failure.last_failed_at == timedelta(seconds=2)  # it doubles
    (status,) = [s for s in container.projection_statuses() if s.name == "platform"]
    assert status.state == "failing"
    (upstream,) = status.upstreams
    # Everything before the domain event it cannot apply is applied; nothing after it.
    assert upstream.position == poison - 1


def test_health_and_readiness_show_a_failing_projection(container: Container) -> None:
    tenant = container.platform.create_tenant("Acme", tuple(Feature)).aggregate_id
    poison = _poison(container, tenant)
    with pytest.raises(Exception, match="cannot apply"):
        _platform_runner(container).catch_up()
    client = TestClient(create_app(container))

    health = expect.ok(client.simulate_get("/health/projections"))
    ready = client.simulate_get("/ready")

    (platform,) = [p for p in health["projections"] if p["name"] == "platform"]
    assert platform["state"] == "failing"
    (failure,) = platform["failures"]
    assert failure["position"] == poison
    assert "OverflowError" in failure["error"]
    body = expect.problem(ready, 503, "service-unavailable")
    assert f"platform:{poison}" in body["checks"]["projections"]
    assert int(ready.headers["Retry-After"]) > 0


def test_a_worker_backs_off_and_other_projections_keep_following(container: Container) -> None:
    tenant = container.platform.create_tenant("Acme", tuple(Feature)).aggregate_id
    _poison(container, tenant)
    stop = threading.Event()
    runner = _platform_runner(container)
    wakeup = container.wakeup(next(p for p in container.sql_projections() if p.name == "platform"))
    worker = threading.Thread(target=runner.run_forever, args=(stop, wakeup))
    worker.start()
    try:
        history = next(r for r in container.projection_runners() if r.name == "history")
        # The auditor's history indexes every domain event, the one the platform cannot apply too.
        assert history.catch_up() >= 2
        for _ in range(200):
            if failures(container.engine):
                break
            stop.wait(0.05)
        (failure,) = failures(container.engine)
        # The next attempt is scheduled, not made at once.
        assert failure.retry_at > failure.last_failed_at
    finally:
        stop.set()
        worker.join(timeout=30)
        wakeup.close()


def test_the_first_batch_past_a_failure_clears_it(container: Container) -> None:
    container.platform.create_tenant("Acme", tuple(Feature))
    record_failure(container.engine, "platform", "platform", 1, 1, "RuntimeError: gone away")

    _platform_runner(container).catch_up()

    assert failures(container.engine) == []


def _platform_projection(container: Container) -> SqlProjection:
    return next(p for p in container.sql_projections() if p.name == "platform")


def test_a_rebuild_that_cannot_apply_a_domain_event_shows_it_with_the_live_projection(
    container: Container,
) -> None:
    tenant = container.platform.create_tenant("Acme", tuple(Feature)).aggregate_id
    poison = _poison(container, tenant)
    client = TestClient(create_app(container))

    with pytest.raises(ProjectionFailed, match=f"cannot apply platform:{poison}"):
        rebuild(_platform_projection(container))

    (failure,) = failures(container.engine)
    assert (failure.projection, failure.position, failure.attempts) == ("platform", poison, 1)
    (status,) = [s for s in container.projection_statuses() if s.name == "platform"]
    assert status.state == "failing"
    body = expect.problem(client.simulate_get("/ready"), 503, "service-unavailable")
    assert f"platform:{poison}" in body["checks"]["projections"]


def test_a_rebuild_swapped_in_clears_the_failure_recorded_before(container: Container) -> None:
    container.platform.create_tenant("Acme", tuple(Feature))
    record_failure(container.engine, "platform", "platform", 1, 1, "RuntimeError: gone away")

    rebuild(_platform_projection(container))

    assert failures(container.engine) == []
