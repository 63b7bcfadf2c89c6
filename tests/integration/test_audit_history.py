"""The auditor's history on both backends: indexed once, filtered, paged, replayed, redacted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from eventsourcing.cryptography import AESCipher
from sqlalchemy import select

from adapters.audit.auditor import AuditEntry, Auditor
from adapters.audit.queries import HistoryFilter, HistoryQueries
from adapters.audit.tables import domain_event_history
from adapters.audit.values import REDACTED, aggregate_state
from adapters.settings import Settings
from domain.platform.features import Feature
from domain.platform.tenant import Tenant
from domain.registration.application import RegistrationApplication
from domain.shared.cause import Cause, caused_by, meta_of
from domain.shared.errors import InvalidValue, NotFound
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build
from projections.audit.history import HistoryEntry, HistoryProjector

ALICE = Cause("cli:alice", "correlation-a", "request-a")
BOB = Cause("api-key:bob", "correlation-b", "request-b")


@dataclass(frozen=True)
class Story:
    """Two tenants' histories, written by two actors."""

    acme: UUID
    rival: UUID
    acme_key: UUID
    rival_key: UUID
    acme_secret: str


@pytest.fixture
def container(any_settings: Settings) -> Iterator[Container]:
    built = build(any_settings)
    yield built
    built.close()


def tell(container: Container) -> Story:
    app = container.platform
    with caused_by(ALICE):
        acme = app.create_tenant("Acme Events").aggregate_id
        issued = app.issue_api_key(acme, "gate", ["check-in:scan"])
        rival = app.create_tenant("Rival Conferences").aggregate_id
    with caused_by(BOB):
        app.rename_tenant(acme, "Acme Festivals")
        app.rotate_api_key(acme, issued.ack.aggregate_id, timedelta(0))
        rival_key = app.issue_api_key(rival, "kiosk", ["kiosk:manage"]).ack.aggregate_id
        app.set_feature(acme, Feature.WAITLIST, enabled=False)
        app.revoke_api_key(acme, issued.ack.aggregate_id)
    container.catch_up()
    return Story(acme, rival, issued.ack.aggregate_id, rival_key, issued.secret)


def stored_history(container: Container) -> list[HistoryEntry]:
    with container.engine.connect() as conn:
        rows = conn.execute(select(domain_event_history)).all()
    return [HistoryEntry(**row._mapping) for row in rows]


def walk(
    auditor: Auditor, tenant: UUID | None, where: HistoryFilter, limit: int
) -> list[AuditEntry]:
    seen: list[AuditEntry] = []
    cursor = None
    while True:
        page = auditor.history(tenant, where, limit, cursor)
        assert len(page.items) <= limit
        seen.extend(page.items)
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


def in_order(entries: list[HistoryEntry]) -> list[HistoryEntry]:
    return sorted(entries, key=lambda e: (e.occurred_at, e.application, e.position))


def test_every_domain_event_is_indexed_once_with_its_tenant_actor_and_type(
    container: Container,
) -> None:
    story = tell(container)
    app = container.platform
    notifications = app.recorder.select_notifications(1, 1000)

    indexed = {(e.application, e.position): e for e in stored_history(container)}

    assert len(stored_history(container)) == len(indexed) == len(notifications) == 8
    for n in notifications:
        domain_event = app.mapper.to_domain_event(n)
        entry = indexed[("platform", n.id)]
        meta = meta_of(domain_event)
        assert (entry.aggregate_id, entry.version) == (n.originator_id, n.originator_version)
        assert entry.topic == n.topic
        assert entry.event_type == type(domain_event).__qualname__
        assert entry.occurred_at == domain_event.timestamp
        assert str(entry.tenant_id) == meta["tenant_id"]
        assert (entry.actor, entry.correlation_id, entry.causation_id) == (
            meta["actor"],
            meta["correlation_id"],
            meta["causation_id"],
        )
    rotated = [e for e in indexed.values() if e.event_type == "ApiKey.Rotated"]
    assert [(e.aggregate_type, e.tenant_id, e.actor) for e in rotated] == [
        ("ApiKey", story.acme, "api-key:bob")
    ]
    assert {e.actor for e in indexed.values() if e.event_type == "Tenant.Created"} == {"cli:alice"}


def test_catching_up_again_indexes_nothing_twice(container: Container) -> None:
    tell(container)

    container.catch_up()

    assert len(stored_history(container)) == 8


def test_the_history_follows_every_application(container: Container) -> None:
    assert set(container.projection_upstreams()["history"]) == set(container.applications)


@pytest.mark.parametrize("limit", [1, 3, 50])
def test_filtered_pages_hold_every_match_once_in_order(container: Container, limit: int) -> None:
    story = tell(container)
    everything = [e for e in stored_history(container) if e.tenant_id == story.acme]
    middle = in_order(everything)[2].occurred_at
    late = in_order(everything)[5].occurred_at
    cases = {
        HistoryFilter(): everything,
        HistoryFilter(aggregate_id=story.acme_key): [
            e for e in everything if e.aggregate_id == story.acme_key
        ],
        HistoryFilter(event_type="Tenant.Renamed"): [
            e for e in everything if e.event_type == "Tenant.Renamed"
        ],
        HistoryFilter(event_type="domain.platform.apikey:ApiKey.Revoked"): [
            e for e in everything if e.event_type == "ApiKey.Revoked"
        ],
        HistoryFilter(actor="api-key:bob"): [e for e in everything if e.actor == "api-key:bob"],
        HistoryFilter(since=middle, until=late): [
            e for e in everything if middle <= e.occurred_at < late
        ],
        HistoryFilter(actor="cli:alice", aggregate_id=story.acme_key): [
            e for e in everything if e.actor == "cli:alice" and e.aggregate_id == story.acme_key
        ],
    }
    for where, expected in cases.items():
        paged = walk(container.query(Auditor), story.acme, where, limit)

        assert [a.entry for a in paged] == in_order(expected), where
        assert expected, where


def test_a_tenant_sees_only_its_own_history_and_aggregates(container: Container) -> None:
    story = tell(container)
    auditor = container.query(Auditor)

    mine = walk(auditor, story.acme, HistoryFilter(), 50)
    theirs = walk(auditor, story.rival, HistoryFilter(), 50)

    assert {a.entry.tenant_id for a in mine} == {story.acme}
    assert {a.entry.tenant_id for a in theirs} == {story.rival}
    assert walk(auditor, story.acme, HistoryFilter(aggregate_id=story.rival_key), 50) == []
    with pytest.raises(NotFound):
        auditor.aggregate_history(story.acme, story.rival_key, 50, None)
    with pytest.raises(NotFound):
        auditor.state(story.acme, story.rival_key)
    with pytest.raises(NotFound):
        auditor.state(story.acme, uuid4())


def test_an_aggregates_history_is_its_domain_events_in_version_order(
    container: Container,
) -> None:
    story = tell(container)
    auditor = container.query(Auditor)

    first = auditor.aggregate_history(story.acme, story.acme, 2, None)
    rest = auditor.aggregate_history(story.acme, story.acme, 2, first.next_cursor)

    assert rest.next_cursor is None
    events = [(a.entry.version, a.entry.event_type) for a in [*first.items, *rest.items]]
    assert events == [(1, "Tenant.Created"), (2, "Tenant.Renamed"), (3, "Tenant.FeatureDisabled")]
    assert [a.payload for a in rest.items] == [{"feature": "WAITLIST"}]


def test_state_as_of_each_version_and_moment_equals_the_aggregate_then(
    container: Container,
) -> None:
    story = tell(container)
    auditor = container.query(Auditor)
    history = auditor.aggregate_history(story.acme, story.acme_key, 50, None).items

    for audited in history:
        version, moment = audited.entry.version, audited.entry.occurred_at
        then = container.platform.repository.get(story.acme_key, version=version)
        by_version = auditor.state(story.acme, story.acme_key, version=version)
        by_time = auditor.state(story.acme, story.acme_key, at=moment)

        assert by_version == by_time
        assert by_version.version == version
        assert by_version.as_of == moment
        assert by_version.state == aggregate_state(then)
    latest = auditor.state(story.acme, story.acme_key)
    assert latest.version == 3
    assert latest.state["revoked_at"] is not None


def test_the_state_of_a_long_snapshotted_stream_is_exact_at_every_version(
    container: Container,
) -> None:
    app = container.platform
    tenant = app.create_tenant("Name 0").aggregate_id
    for n in range(1, 56):
        app.rename_tenant(tenant, f"Name {n}")
    container.catch_up()
    auditor = container.query(Auditor)

    for version in (1, 30, 50, 51, 56):
        state = auditor.state(tenant, tenant, version=version)

        assert state.state["name"] == f"Name {version - 1}"


def test_a_version_or_moment_outside_the_history_is_refused(container: Container) -> None:
    story = tell(container)
    auditor = container.query(Auditor)
    created = auditor.aggregate_history(story.acme, story.acme_key, 1, None).items[0]

    for version in (0, 4):
        with pytest.raises(InvalidValue) as refused:
            auditor.state(story.acme, story.acme_key, version=version)
        assert refused.value.field == "version"
    with pytest.raises(InvalidValue) as refused:
        auditor.state(
            story.acme, story.acme_key, at=created.entry.occurred_at - timedelta(microseconds=1)
        )
    assert refused.value.field == "at"
    with pytest.raises(InvalidValue):
        auditor.state(story.acme, story.acme_key, version=1, at=created.entry.occurred_at)


def test_secret_material_is_redacted_in_payloads_and_states(container: Container) -> None:
    story = tell(container)
    auditor = container.query(Auditor)
    key = container.platform.repository.get(story.acme_key)
    digests = [s.digest for s in key.secrets]

    issued, rotated, _ = auditor.aggregate_history(story.acme, story.acme_key, 50, None).items
    state = auditor.state(story.acme, story.acme_key, version=2)

    assert issued.payload["secret_digest"] == rotated.payload["secret_digest"] == REDACTED
    assert issued.payload["name"] == "gate"
    assert [s["digest"] for s in state.state["secrets"]] == [REDACTED, REDACTED]
    assert state.state["secrets"][0]["valid_until"] is not None
    exported = json.dumps([a.payload for a in auditor.export(None, HistoryFilter())])
    assert not any(d in exported for d in digests)
    assert story.acme_secret not in exported


def test_the_export_equals_the_paged_history(container: Container) -> None:
    story = tell(container)
    auditor = container.query(Auditor)
    where = HistoryFilter(since=walk(auditor, story.acme, HistoryFilter(), 50)[1].entry.occurred_at)

    exported = list(auditor.export(story.acme, where, chunk=2))

    assert exported == walk(auditor, story.acme, where, 3)
    assert len(exported) == 5


def test_scattered_domain_events_get_their_own_payloads(container: Container) -> None:
    # Acme's two domain events lie far apart in the log, so they are read per aggregate.
    app = container.platform
    acme = app.create_tenant("Acme Events").aggregate_id
    rival = app.create_tenant("Rival Conferences").aggregate_id
    for n in range(12):
        app.issue_api_key(rival, f"key {n}", ["tenant:read"])
    app.rename_tenant(acme, "Acme Festivals")
    container.catch_up()

    history = walk(container.query(Auditor), acme, HistoryFilter(), 50)

    assert [(a.entry.position, a.payload.get("name")) for a in history] == [
        (1, "Acme Events"),
        (15, "Acme Festivals"),
    ]


def test_scattered_versions_of_one_aggregate_get_their_own_payloads(
    container: Container,
) -> None:
    # Alice's two renames lie far apart in the tenant's own stream.
    app = container.platform
    with caused_by(ALICE):
        acme = app.create_tenant("Name 0").aggregate_id
    for n in range(1, 12):
        app.rename_tenant(acme, f"Name {n}")
    with caused_by(ALICE):
        app.rename_tenant(acme, "Name 12")
    container.catch_up()

    history = walk(container.query(Auditor), acme, HistoryFilter(actor="cli:alice"), 50)

    assert [(a.entry.version, a.payload["name"]) for a in history] == [
        (1, "Name 0"),
        (13, "Name 12"),
    ]


def test_payloads_come_back_decrypted_while_no_table_holds_them(any_settings: Settings) -> None:
    settings = replace(any_settings, cipher_key=AESCipher.create_key(32))
    with build(settings) as container:
        tenant = container.platform.create_tenant("Confidential Summit Ltd").aggregate_id
        container.catch_up()
        stored = container.platform.recorder.select_notifications(1, 10)

        history = walk(container.query(Auditor), tenant, HistoryFilter(), 50)
        rows = stored_history(container)

    assert history[0].payload["name"] == "Confidential Summit Ltd"
    assert b"Confidential" not in stored[0].state
    assert "Confidential" not in repr(rows)
    assert {c.name for c in domain_event_history.columns} == {
        "application",
        "position",
        "tenant_id",
        "aggregate_id",
        "aggregate_type",
        "version",
        "event_type",
        "topic",
        "occurred_at",
        "actor",
        "correlation_id",
        "causation_id",
    }


def test_the_history_projector_refuses_a_domain_event_without_its_position() -> None:
    tenant = Tenant.create("Acme", [], uuid4())

    with pytest.raises(TypeError):
        HistoryProjector(("platform",)).project(tenant.collect_events()[0], object())


def test_a_domain_event_recorded_late_with_an_earlier_time_is_on_a_later_page(
    container: Container,
) -> None:
    story = tell(container)
    queries = HistoryQueries(container.reader, ["platform"])
    everything = HistoryFilter()
    first = queries.page(story.acme, everything, 2, None)
    assert first.next_cursor is not None
    # A slow writer's domain event: stamped before the last one seen, recorded after all.
    newest = max(stored_history(container), key=lambda e: e.position)
    late = replace(
        first.items[-1],
        position=newest.position + 1,
        occurred_at=first.items[-1].occurred_at - timedelta(seconds=1),
    )
    with container.engine.begin() as conn:
        conn.execute(domain_event_history.insert(), [vars(late)])

    rest: list[int] = []
    cursor: str | None = first.next_cursor
    while cursor is not None:
        page = queries.page(story.acme, everything, 2, cursor)
        rest.extend(e.position for e in page.items)
        cursor = page.next_cursor

    assert late.position in rest
    assert len(rest) + 2 == len({*rest, *(e.position for e in first.items)})


def test_pages_merge_applications_by_time_and_keep_each_log_in_its_order(
    container: Container,
) -> None:
    story = tell(container)
    queries = HistoryQueries(container.reader, ["platform", "registration"])
    acme = sorted(
        (e for e in stored_history(container) if e.tenant_id == story.acme),
        key=lambda e: e.position,
    )
    other = [
        replace(acme[0], application="registration", position=n, occurred_at=at)
        for n, at in (
            (1, acme[0].occurred_at - timedelta(seconds=5)),
            (2, acme[-1].occurred_at + timedelta(days=1)),
        )
    ]
    with container.engine.begin() as conn:
        conn.execute(domain_event_history.insert(), [vars(e) for e in other])

    pages: list[list[tuple[str, int]]] = []
    cursor = None
    while True:
        page = queries.page(story.acme, HistoryFilter(), 2, cursor)
        pages.append([(e.application, e.position) for e in page.items])
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    merged = [item for items in pages for item in items]

    assert merged[0] == ("registration", 1)
    assert merged[-1] == ("registration", 2)
    assert [p for a, p in merged if a == "platform"] == [e.position for e in acme]
    assert all(1 <= len(items) <= 2 for items in pages)


def test_a_participants_history_and_past_states_show_what_the_workflow_decided(
    container: Container,
) -> None:
    app = container.app(RegistrationApplication)
    tenant = container.platform.create_tenant("Expo Ltd").aggregate_id
    start = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
    event_id = app.create_event(
        tenant, "Expo", start, start + timedelta(days=1), "UTC"
    ).aggregate_id
    app.open_registration(tenant, event_id)
    details = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org"}
    with caused_by(ALICE):
        pid = app.register(tenant, event_id, details).aggregate_id
    with caused_by(BOB):
        app.complete_step(tenant, pid, "approval", "approved", BOB.actor, "welcome")
    container.catch_up()
    auditor = container.query(Auditor)

    history = auditor.aggregate_history(tenant, pid, 10, None).items
    then = auditor.state(tenant, pid, version=1)
    now = auditor.state(tenant, pid)

    assert [(e.entry.event_type, e.entry.actor) for e in history] == [
        ("Participant.Registered", ALICE.actor),
        ("Participant.StepCompleted", BOB.actor),
    ]
    decided = history[1].payload["workflow"]
    assert decided["status"] == "approved"
    assert {s["step_id"]: s["status"] for s in decided["steps"]}["approval"] == "approved"
    assert (then.state["status"], now.state["status"]) == ("pending", "approved")
    assert now.state["run"]["steps"]["approval"]["comment"] == "welcome"
    assert now.state["details"]["email"] == "ada@example.org"
