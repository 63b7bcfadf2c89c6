"""The registration read model: managed events, participants, steps and counts once caught up."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID, uuid4

import psycopg
import pytest
from sqlalchemy import select

from adapters.projection.build_area import build_area
from adapters.projection.rebuild import rebuild
from adapters.projection.sql_projection import SqlProjection
from adapters.projection.table_compare import compare_table
from adapters.projection.verify import verify
from adapters.registration.queries import RegistrationQueries
from adapters.registration.rows import ParticipantFilter, StepRow
from adapters.registration.view import SqlRegistrationView
from adapters.settings import Settings
from adapters.sql.paging import BadCursor, Page, encode_cursor
from domain.registration.application import RegistrationApplication
from domain.registration.managed_event import ManagedEvent
from domain.registration.participant import Participant, ParticipantStatus
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build
from projections.registration.projector import RegistrationProjector
from tests.conftest import PG_ADMIN_URL
from tests.workflows import screening_then_two_checks

T = TypeVar("T")
START = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
CATEGORIES = [
    {"code": "press", "name": "Press", "capacity": 10},
    {"code": "staff", "name": "Staff", "capacity": None},
]
CHECKS = screening_then_two_checks("ANY")
QUICK = {
    "start": "screening",
    "steps": [
        {"id": "screening", "kind": "review", "name": "First look", "next": "done"},
        {"id": "done", "kind": "end", "name": "Welcome"},
    ],
}


@dataclass
class History:
    """A tenant's managed event and its participants, each at a known point; two more tenants."""

    container: Container
    tenant: UUID
    event: ManagedEvent
    ada: Participant  # press: screened, documents approved, so the ANY join cancelled security
    grace: Participant  # staff: rejected at screening
    zoe: Participant  # press: screened, security failed its branch, documents still open
    fifty: Participant  # staff: awaits screening; changed her e-mail
    jay: Participant  # press: withdrew while awaiting screening
    jax: Participant  # staff: registered under workflow version 2, awaits screening
    max: Participant  # staff: cancelled by the organiser in the middle of the checks
    rival: UUID  # another tenant, with an event and a participant of its own
    rival_event: UUID
    rival_person: UUID
    planner: UUID  # a third tenant, with events and no participants
    planned: list[tuple[datetime, UUID]]
    times: dict[str, datetime] = field(default_factory=dict)

    @property
    def queries(self) -> RegistrationQueries:
        return self.container.query(RegistrationQueries)

    def names(self) -> dict[UUID, str]:
        return {getattr(self, n).id: n for n in PEOPLE}


PEOPLE = ("ada", "grace", "zoe", "fifty", "jay", "jax", "max")


def person(first: str, last: str, email: str) -> dict[str, Any]:
    return {"first_name": first, "last_name": last, "email": email}


def make_history(container: Container) -> History:
    app: RegistrationApplication = container.app(RegistrationApplication)
    tenant = uuid4()
    event_id = app.create_event(
        tenant,
        "Expo 2027",
        START,
        START + timedelta(days=2),
        "Europe/Paris",
        venue="Grand Palais",
        capacity=100,
        categories=CATEGORIES,
        workflow=CHECKS,
    ).aggregate_id
    app.open_registration(tenant, event_id)
    times: dict[str, datetime] = {}

    def register(first: str, last: str, email: str, category: str) -> UUID:
        ack = app.register(tenant, event_id, person(first, last, email), category)
        times[f"{first} registered"] = ack.aggregate.modified_on
        return ack.aggregate_id

    def complete(who: UUID, step: str, outcome: str, **more: Any) -> None:
        ack = app.complete_step(tenant, who, step, outcome, **more)
        times[f"{step} of {who}"] = ack.aggregate.modified_on

    ada = register("Ada", "Lovelace", "Ada@Example.org", "press")
    grace = register("Grace", "Hopper", "grace@example.org", "staff")
    zoe = register("Zoë", "Fifty%Fifty", "zoe@example.org", "press")
    fifty = register("Fay", "Fifty-Fifty", "fay@example.org", "staff")
    jay = register("Jay", "Doe", "j_doe@example.org", "press")
    complete(ada, "screening", "approved", actor="alice", comment="looks fine")
    complete(ada, "documents", "approved", actor="bob")
    complete(grace, "screening", "rejected", actor="alice", comment="no badge")
    complete(zoe, "screening", "approved")
    complete(zoe, "security", "rejected", actor="carol")
    app.update_participant(tenant, fifty, {"email": "FF@example.org"})
    times["jay withdrew"] = app.withdraw(tenant, jay, "changed plans").aggregate.modified_on
    max_ = register("Max", "Muster", "max@example.org", "staff")
    complete(max_, "screening", "approved")
    times["max cancelled"] = app.cancel(tenant, max_, "duplicate").aggregate.modified_on
    changes = {"name": "Expo 2027 Paris", "ends_at": START + timedelta(days=3), "capacity": 120}
    app.update_event(tenant, event_id, changes)
    app.publish_workflow(tenant, event_id, QUICK)
    jax = register("Jax", "Doe", "jxdoe@example.org", "staff")

    rival = uuid4()
    rival_event = app.create_event(rival, "Rival", START, START + timedelta(hours=1), "UTC")
    app.open_registration(rival, rival_event.aggregate_id)
    rival_person = app.register(rival, rival_event.aggregate_id, person("R", "R", "r@example.org"))
    planner = uuid4()
    starts = [START + timedelta(days=d) for d in (3, 1, 2, 1, 0)]
    planned = [
        (s, app.create_event(planner, f"E{n}", s, s + timedelta(hours=5), "UTC").aggregate_id)
        for n, s in enumerate(starts)
    ]
    load = app.participant
    return History(
        container,
        tenant,
        app.event(tenant, event_id),
        *(load(tenant, p) for p in (ada, grace, zoe, fifty, jay, jax, max_)),
        rival,
        rival_event.aggregate_id,
        rival_person.aggregate_id,
        planner,
        planned,
        times,
    )


@pytest.fixture
def container(any_settings: Settings) -> Iterator[Container]:
    with build(any_settings) as container:
        yield container


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database, dropped afterwards (no skip: a failed connection fails)."""
    name = f"accredit_test_{uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def history(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[History]:
    """One history per backend for the tests that only read it (a database costs a second)."""
    data_dir = tmp_path_factory.mktemp("registration") / "var"
    with ExitStack() as stack:
        url = stack.enter_context(postgres_database()) if request.param == "postgres" else None
        container = stack.enter_context(
            build(Settings(database_url=url, data_dir=data_dir, demo_tenant=False))
        )
        made = make_history(container)
        container.catch_up()
        yield made


def walk(read: Callable[[str | None], Page[T]]) -> list[list[T]]:
    pages, cursor = [], None
    while True:
        page = read(cursor)
        pages.append(page.items)
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


def ids(rows: list[Any]) -> list[UUID]:
    return [r.id for r in rows]


def test_an_event_is_seen_with_its_details_categories_and_current_workflow(
    history: History,
) -> None:
    managed = history.event
    row = history.queries.event(history.tenant, managed.id)

    assert row is not None
    assert (row.id, row.tenant_id) == (managed.id, history.tenant)
    assert (row.name, row.venue, row.time_zone) == (
        "Expo 2027 Paris",
        "Grand Palais",
        "Europe/Paris",
    )
    assert (row.starts_at, row.ends_at) == (START, START + timedelta(days=3))
    assert row.capacity == 120
    assert row.categories == CATEGORIES
    assert row.registration == "open"
    assert row.workflow_version == 2
    assert row.workflow == managed.workflow(2).to_dict()
    assert row.version == managed.version
    assert (row.created_at, row.updated_at) == (managed.created_on, managed.modified_on)


def test_a_participant_is_seen_with_details_status_and_active_steps(history: History) -> None:
    zoe = history.queries.participant(history.tenant, history.zoe.id)
    jay = history.queries.participant(history.tenant, history.jay.id)
    fifty = history.queries.participant(history.tenant, history.fifty.id)

    assert zoe is not None
    assert (zoe.first_name, zoe.last_name, zoe.email) == ("Zoë", "Fifty%Fifty", "zoe@example.org")
    assert (zoe.event_id, zoe.category, zoe.status) == (history.event.id, "press", "pending")
    assert zoe.active_steps == ["documents"]
    assert (zoe.workflow_version, zoe.version) == (1, history.zoe.version)
    assert zoe.registered_at == history.zoe.created_on
    assert zoe.updated_at == history.zoe.modified_on
    assert (zoe.phone, zoe.date_of_birth, zoe.reason) == (None, None, None)
    assert jay is not None
    assert (jay.status, jay.reason, jay.active_steps) == ("withdrawn", "changed plans", [])
    assert fifty is not None
    assert (fifty.email, fifty.version) == ("FF@example.org", 2)


def test_a_participant_shows_every_step_reached_with_its_decision_and_times(
    history: History,
) -> None:
    ada = history.queries.participant(history.tenant, history.ada.id)
    registered = history.times["Ada registered"]
    screened = history.times[f"screening of {history.ada.id}"]
    documented = history.times[f"documents of {history.ada.id}"]

    assert ada is not None
    assert ada.status == "approved"
    assert ada.active_steps == []
    # By the completion that set them, then by id; structure is decided as it is reached.
    assert ada.steps == [
        StepRow(
            "checks", "parallel", "Checks", "approved", None, None, None, 1, screened, screened
        ),
        StepRow(
            "screening", "review", "Screening", "approved", "approved", "alice", "looks fine",
            1, registered, screened,
        ),
        StepRow(
            "checks_done", "join", "Checked", "approved", None, None, None, 2, documented,
            documented,
        ),
        StepRow(
            "documents", "document_check", "ID", "approved", "approved", "bob", None, 2,
            screened, documented,
        ),
        StepRow(
            "done", "end", "Accredited", "approved", None, None, None, 2, documented, documented
        ),
        StepRow(
            "security", "security_check", "Security", "cancelled", None, None, None, 2, screened,
            documented,
        ),
    ]  # fmt: skip
    assert [(b.fork, b.head, b.status) for b in ada.branches] == [
        ("checks", "documents", "passed"),
        ("checks", "security", "cancelled"),
    ]


def test_a_failed_branch_and_a_still_open_one_are_seen_as_they_stand(history: History) -> None:
    zoe = history.queries.participant(history.tenant, history.zoe.id)

    assert zoe is not None
    steps = {s.step_id: s for s in zoe.steps}
    assert (steps["security"].status, steps["security"].actor) == ("rejected", "carol")
    assert steps["security"].completed_at == history.times[f"security of {history.zoe.id}"]
    assert (steps["documents"].status, steps["documents"].completed_at) == ("active", None)
    assert "checks_done" not in steps
    assert [(b.head, b.status) for b in zoe.branches] == [
        ("documents", "active"),
        ("security", "failed"),
    ]


def test_steps_are_named_by_the_workflow_version_the_participant_follows(
    history: History,
) -> None:
    jax = history.queries.participant(history.tenant, history.jax.id)
    fifty = history.queries.participant(history.tenant, history.fifty.id)

    assert jax is not None
    assert fifty is not None
    assert jax.workflow_version == 2
    assert [(s.step_id, s.name, s.status) for s in jax.steps] == [
        ("screening", "First look", "active")
    ]
    assert [(s.step_id, s.name) for s in fifty.steps] == [("screening", "Screening")]


def test_a_withdrawal_closes_the_open_steps_at_its_time(history: History) -> None:
    jay = history.queries.participant(history.tenant, history.jay.id)

    assert jay is not None
    [screening] = jay.steps
    assert (screening.status, screening.outcome) == ("cancelled", None)
    assert screening.reached_at == history.times["Jay registered"]
    assert screening.completed_at == history.times["jay withdrew"]


def test_a_cancellation_closes_every_open_step_and_branch(history: History) -> None:
    max_ = history.queries.participant(history.tenant, history.max.id)
    cancelled = history.times["max cancelled"]

    assert max_ is not None
    assert (max_.status, max_.reason, max_.active_steps) == ("cancelled", "duplicate", [])
    assert [(s.step_id, s.status, s.completed_at == cancelled) for s in max_.steps] == [
        ("checks", "approved", False),
        ("screening", "approved", False),
        ("documents", "cancelled", True),
        ("security", "cancelled", True),
    ]
    assert [(b.head, b.status) for b in max_.branches] == [
        ("documents", "cancelled"),
        ("security", "cancelled"),
    ]


EVERYONE = ["ada", "grace", "zoe", "fifty", "jay", "max", "jax"]
FILTERS: dict[str, tuple[ParticipantFilter, list[str]]] = {
    "everyone": (ParticipantFilter(), EVERYONE),
    "pending": (ParticipantFilter(status="pending"), ["zoe", "fifty", "jax"]),
    "press": (ParticipantFilter(category="press"), ["ada", "zoe", "jay"]),
    "pending staff": (ParticipantFilter(status="pending", category="staff"), ["fifty", "jax"]),
    "at screening": (ParticipantFilter(step="screening"), ["fifty", "jax"]),
    "at documents": (ParticipantFilter(step="documents"), ["zoe"]),
    "at security (closed for all)": (ParticipantFilter(step="security"), []),
    "at screening, press": (ParticipantFilter(step="screening", category="press"), []),
    "a name in other case": (ParticipantFilter(search="LOVE"), ["ada"]),
    "part of an e-mail": (ParticipantFilter(search="ada@example"), ["ada"]),
    "a non-ASCII capital": (ParticipantFilter(search="ZOË"), ["zoe"]),
    "first and last name": (ParticipantFilter(search=" Jax  doe "), ["jax"]),
    "the new e-mail": (ParticipantFilter(search="ff@"), ["fifty"]),
    "the old e-mail": (ParticipantFilter(search="fay@"), []),
    "a % as itself": (ParticipantFilter(search="y%f"), ["zoe"]),
    "a lone %": (ParticipantFilter(search="%"), ["zoe"]),
    "an _ as itself": (ParticipantFilter(search="j_doe"), ["jay"]),
    "a backslash as itself": (ParticipantFilter(search="\\"), []),
    "search and status": (ParticipantFilter(search="doe", status="pending"), ["jax"]),
    "blank search": (ParticipantFilter(search="  "), EVERYONE),
}


def test_participants_are_filtered_by_status_category_active_step_and_search(
    history: History,
) -> None:
    names = history.names()
    pages = {
        label: history.queries.participants(history.tenant, history.event.id, where, 50, None)
        for label, (where, _) in FILTERS.items()
    }

    found = {label: [names[p.id] for p in page.items] for label, page in pages.items()}
    assert found == {label: expected for label, (_, expected) in FILTERS.items()}
    assert all(page.next_cursor is None for page in pages.values())
    assert all(p.steps == [] and p.branches == [] for page in pages.values() for p in page.items)


def test_pages_walk_every_participant_once_in_registration_order(history: History) -> None:
    queries, tenant, event_id, names = (
        history.queries,
        history.tenant,
        history.event.id,
        history.names(),
    )
    pending = ParticipantFilter(status="pending")

    pages = walk(lambda c: queries.participants(tenant, event_id, ParticipantFilter(), 2, c))
    pending_pages = walk(lambda c: queries.participants(tenant, event_id, pending, 1, c))

    assert [len(p) for p in pages] == [2, 2, 2, 1]
    walked = [p for page in pages for p in page]
    assert [names[p.id] for p in walked] == EVERYONE
    assert walked == sorted(walked, key=lambda p: (p.registered_at, p.id))
    assert [[names[p.id] for p in page] for page in pending_pages] == [["zoe"], ["fifty"], ["jax"]]


def test_events_are_paged_by_start_time_then_id(history: History) -> None:
    pages = walk(lambda c: history.queries.events(history.planner, 2, c))

    assert [len(p) for p in pages] == [2, 2, 1]
    assert [r.id for page in pages for r in page] == [i for _, i in sorted(history.planned)]


def test_a_work_queue_lists_who_awaits_a_step_longest_waiting_first(history: History) -> None:
    queries, tenant, event_id = history.queries, history.tenant, history.event.id

    screening = walk(lambda c: queries.work_queue(tenant, event_id, "screening", 1, c))
    documents = queries.work_queue(tenant, event_id, "documents", 10, None)

    assert [[q.participant_id for q in page] for page in screening] == [
        [history.fifty.id],
        [history.jax.id],
    ]
    [first], _ = screening
    assert (first.first_name, first.last_name, first.email) == (
        "Fay",
        "Fifty-Fifty",
        "FF@example.org",
    )
    assert (first.category, first.step_id) == ("staff", "screening")
    assert first.waiting_since == history.times["Fay registered"]
    assert [q.participant_id for q in documents.items] == [history.zoe.id]
    assert documents.items[0].waiting_since == history.times[f"screening of {history.zoe.id}"]
    assert queries.work_queue(tenant, event_id, "security", 10, None).items == []


def test_counts_give_every_status_per_event_and_category(history: History) -> None:
    counts = history.queries.counts(history.tenant, history.event.id)

    assert counts is not None
    assert counts.by_status == {
        "pending": 3,
        "approved": 1,
        "rejected": 1,
        "withdrawn": 1,
        "cancelled": 1,
        "merged": 0,
        "waitlisted": 0,
    }
    assert set(counts.by_status) == {s.value for s in ParticipantStatus}
    assert counts.by_category == {
        "press": {"approved": 1, "pending": 1, "withdrawn": 1},
        "staff": {"rejected": 1, "pending": 2, "cancelled": 1},
    }
    assert (counts.total, counts.capacity, counts.seats_taken) == (7, 120, 1)
    assert (
        history.container.app(RegistrationApplication).seats_taken(history.tenant, history.event.id)
        == 1
    )


def test_an_event_without_participants_counts_zero_everywhere(history: History) -> None:
    _, event_id = history.planned[0]

    counts = history.queries.counts(history.planner, event_id)

    assert counts is not None
    assert counts.by_status == dict.fromkeys((s.value for s in ParticipantStatus), 0)
    assert (counts.by_category, counts.total, counts.capacity, counts.seats_taken) == (
        {},
        0,
        None,
        0,
    )


def test_another_tenant_sees_nothing_of_the_event_or_its_participants(history: History) -> None:
    queries, tenant, rival = history.queries, history.tenant, history.rival
    event_id, everyone = history.event.id, ParticipantFilter()

    assert queries.event(rival, event_id) is None
    assert ids(queries.events(rival, 10, None).items) == [history.rival_event]
    assert ids(queries.events(tenant, 10, None).items) == [event_id]
    assert queries.participant(rival, history.ada.id) is None
    assert queries.participant(tenant, history.rival_person) is None
    assert queries.participants(rival, event_id, everyone, 10, None).items == []
    assert queries.work_queue(rival, event_id, "screening", 10, None).items == []
    assert queries.counts(rival, event_id) is None
    assert queries.counts(tenant, history.rival_event) is None
    assert queries.participants(tenant, history.rival_event, everyone, 10, None) == Page([], None)
    assert queries.work_queue(tenant, history.rival_event, "approval", 10, None) == Page([], None)
    assert ids(queries.participants(rival, history.rival_event, everyone, 10, None).items) == [
        history.rival_person
    ]


TAMPERED = {
    "not-base64-json": "not a cursor",
    "not-a-time": encode_cursor("yesterday", str(uuid4())),
    "one-value": encode_cursor("2026-03-01T09:00:00+00:00"),
    "not-a-uuid": encode_cursor("2026-03-01T09:00:00+00:00", "not-a-uuid"),
    "no-zone": encode_cursor("2026-03-01T09:00:00", str(uuid4())),
    "three-values": encode_cursor("2026-03-01T09:00:00+00:00", str(uuid4()), "more"),
    "out-of-range": encode_cursor("0001-01-01T00:00:00+01:00", str(uuid4())),
}


def test_a_tampered_cursor_is_refused_by_every_list(history: History) -> None:
    queries, tenant, event_id = history.queries, history.tenant, history.event.id
    lists: dict[str, Callable[[str], object]] = {
        "events": lambda c: queries.events(tenant, 10, c),
        "participants": lambda c: queries.participants(tenant, event_id, ParticipantFilter(), 9, c),
        "work queue": lambda c: queries.work_queue(tenant, event_id, "screening", 10, c),
    }
    accepted = []
    for name, read in lists.items():
        for kind, cursor in TAMPERED.items():
            try:
                read(cursor)
            except BadCursor:
                continue
            accepted.append((name, kind))

    assert accepted == []


def test_a_page_of_no_rows_is_refused(history: History) -> None:
    queries, tenant, event_id = history.queries, history.tenant, history.event.id
    with pytest.raises(ValueError, match="at least one"):
        queries.events(tenant, 0, None)
    with pytest.raises(ValueError, match="at least one"):
        queries.participants(tenant, event_id, ParticipantFilter(), 0, None)
    with pytest.raises(ValueError, match="at least one"):
        queries.work_queue(tenant, event_id, "screening", 0, None)


# --- The tables are the same however they were built ------------------------------------


def projection(container: Container, batch_size: int = 1000) -> SqlProjection:
    return SqlProjection(
        container.engine,
        RegistrationProjector(),
        SqlRegistrationView,
        container.applications,
        batch_size=batch_size,
    )


def test_projecting_one_domain_event_per_batch_gives_the_same_tables_as_one_batch(
    history: History,
) -> None:
    container = history.container
    one_by_one = projection(container, batch_size=1)
    area = build_area(container.engine, "registration_one_by_one_test")
    area.create(one_by_one.tables)
    try:
        one_by_one.runner(area.engine, announce=False).catch_up()
        with container.engine.connect() as live, area.engine.connect() as scratch:
            differences = [
                d for table in one_by_one.tables for d in compare_table(table, live, scratch)
            ]
            rows = {t.name: len(scratch.execute(select(t)).all()) for t in one_by_one.tables}
    finally:
        area.drop()

    assert differences == []
    assert rows == {
        "managed_events": 7,
        "workflow_versions": 8,
        "participants": 8,
        # ada 6, zoe and max 4 (screening, checks and its branches' first steps), the others 1.
        "participant_steps": 19,
        "participant_branches": 6,
    }


def test_a_rebuild_gives_the_same_tables_and_verify_finds_no_difference(
    container: Container,
) -> None:
    make_history(container)
    # Small batches: some of a participant's domain events land in later batches than others.
    live = projection(container, batch_size=4)
    live.runner().catch_up()

    def snapshot() -> list[list[tuple[Any, ...]]]:
        with container.engine.connect() as conn:
            return [
                [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
                for t in live.tables
            ]

    before = snapshot()
    rebuild(live)

    assert snapshot() == before
    assert list(verify(live)) == []
    assert live.stored_version() == RegistrationProjector.version


def test_a_restored_participant_reads_as_before_its_cancellation_and_a_rebuild_agrees(
    container: Container,
) -> None:
    app: RegistrationApplication = container.app(RegistrationApplication)
    tenant = uuid4()
    event_id = app.create_event(
        tenant, "Expo", START, START + timedelta(days=1), "UTC", workflow=CHECKS
    ).aggregate_id
    app.open_registration(tenant, event_id)
    max_ = app.register(tenant, event_id, person("Max", "Muster", "max@example.org")).aggregate_id
    app.complete_step(tenant, max_, "screening", "approved", actor="alice")
    container.catch_up()
    queries = container.query(RegistrationQueries)
    before = queries.participant(tenant, max_)
    app.cancel(tenant, max_, "duplicate")
    container.catch_up()

    app.restore(tenant, max_)
    container.catch_up()

    after = queries.participant(tenant, max_)
    assert before is not None
    assert after is not None
    assert (after.status, after.reason, after.active_steps) == (
        "pending",
        None,
        ["documents", "security"],
    )
    assert after.steps == before.steps
    assert after.branches == before.branches
    live = projection(container)
    assert list(verify(live)) == []
