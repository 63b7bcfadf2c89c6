"""The waitlist read models on both stores: positions as the aggregate ranks them, the offers
and the promotion history, and a rebuild that gives the same rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, event, select

from adapters.projection.verify import verify
from adapters.registration.queries import RegistrationQueries
from adapters.settings import Settings
from adapters.sql.paging import BadCursor, encode_cursor
from adapters.waitlists.order import GAP
from adapters.waitlists.queries import EntryRow, WaitlistQueries
from adapters.waitlists.tables import waitlist_entries, waitlists
from domain.registration.application import RegistrationApplication
from domain.shared.cause import Cause, caused_by
from domain.waitlists.application import WaitlistedRegistration
from domain.waitlists.queue import FreeSeats, Move, Priority
from domain.waitlists.waitlist import OnAccept, Waitlist, WhenFull
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build

NOW = datetime(2030, 6, 1, 9, 0, tzinfo=UTC)
WINDOW = timedelta(hours=48)
STAFF = "api-key:staff"


@pytest.fixture
def container(any_settings: Settings) -> Iterator[Container]:
    built = build(any_settings)
    yield built
    built.close()


def every_entry(
    queries: WaitlistQueries, waitlist: Waitlist, limit: int, **filters: str
) -> list[EntryRow]:
    """The entries query's answer, page after page."""
    rows: list[EntryRow] = []
    cursor = None
    while True:
        page = queries.entries(waitlist.tenant_id, waitlist.event_id, limit, cursor, **filters)
        rows.extend(page.items)
        if page.next_cursor is None:
            return rows
        cursor = page.next_cursor


def assert_same_as_aggregate(queries: WaitlistQueries, waitlist: Waitlist, limit: int) -> None:
    rows = every_entry(queries, waitlist, limit)
    waiting, offered = waitlist.waiting(), waitlist.offers()
    assert [r.id for r in rows] == [e.id for e in waiting + offered]
    for row, entry in zip(rows, waiting, strict=False):
        rank = waitlist.rank(entry.id)
        assert (row.state, row.position, row.priority) == ("waiting", rank.overall, entry.priority)
        detail = queries.entry(waitlist.tenant_id, waitlist.event_id, entry.id)
        assert detail is not None
        assert (detail.rank_overall, detail.rank_in_category) == (rank.overall, rank.in_category)
    for row, entry in zip(rows[len(waiting) :], offered, strict=True):
        assert entry.offer is not None
        assert (row.state, row.position) == ("offered", None)
        assert (row.offer_id, row.offer_expires_at) == (entry.offer.id, entry.offer.expires_at)


class Desk:
    """One event's waitlist, saved after every step the way the application saves it."""

    def __init__(self, registration: RegistrationApplication, tenant_id: UUID) -> None:
        self.registration = registration
        self.waitlist = Waitlist(tenant_id=tenant_id, event_id=uuid4())
        self.save()

    def save(self) -> None:
        with caused_by(Cause(STAFF, uuid4().hex)):
            self.registration.commit(self.waitlist)

    def join(self, priority: Priority, category: str | None = None, party: int = 1) -> UUID:
        entry_id = uuid4()
        participants = [uuid4() for _ in range(party)]
        self.waitlist.join(entry_id, participants, category, priority, actor=None)
        self.save()
        return entry_id


def test_entries_offers_and_promotions_follow_the_waitlist_and_rebuild_alike(
    container: Container,
) -> None:
    registration = container.app(RegistrationApplication)
    tenant = uuid4()
    desk = Desk(registration, tenant)
    waitlist = desk.waitlist
    ada = desk.join(Priority.NORMAL, "A")
    bob = desk.join(Priority.NORMAL, "B")
    party = desk.join(Priority.LOW, "A", party=2)
    vip = desk.join(Priority.VIP, "A")
    cat = desk.join(Priority.HIGH)
    dan = desk.join(Priority.NORMAL, "A")
    waitlist.move(bob, Move.TOP, "asked first", STAFF)
    desk.save()
    waitlist.reprioritise(party, Priority.HIGH, "speakers", STAFF)
    desk.save()
    container.catch_up()
    queries = container.query(WaitlistQueries)
    assert_same_as_aggregate(queries, waitlist, limit=2)
    assert [r.id for r in every_entry(queries, waitlist, 10, category="A")] == [
        vip,
        party,
        ada,
        dan,
    ]

    # Seats free: the VIP, then the next who fit; the rest keep their places.
    waitlist.offer_seats(FreeSeats(total=1, by_category={}), NOW)
    desk.save()
    waitlist.offer_seats(FreeSeats(total=3, by_category={}), NOW + timedelta(hours=1))
    desk.save()
    container.catch_up()
    assert_same_as_aggregate(queries, waitlist, limit=2)
    offered = [e.id for e in waitlist.offers()]
    assert offered[0] == vip
    assert set(offered[1:]) == {cat, party}  # one deadline: in the order of their ids
    assert [r.id for r in every_entry(queries, waitlist, 10, state="offered")] == offered
    assert [r.id for r in every_entry(queries, waitlist, 1, state="waiting")] == [bob, ada, dan]

    # Deadlines: the first offer lapses first, and the expiry worker is told so.
    assert queries.next_offer_expiry() == NOW + WINDOW
    assert queries.due_offers(NOW + WINDOW, 10) == [(tenant, waitlist.event_id)]
    assert queries.due_offers(NOW + WINDOW - timedelta(seconds=1), 10) == []

    waitlist.accept(cat, NOW + timedelta(hours=2), actor="api-key:cat")
    desk.save()
    waitlist.leave(party, "plans changed", actor="api-key:party")
    desk.save()
    waitlist.leave(ada, None, actor=None)
    desk.save()
    waitlist.expire_offers(NOW + WINDOW)
    desk.save()
    waitlist.offer_seats(FreeSeats(total=1, by_category={}), NOW + WINDOW)
    desk.save()
    waitlist.decline(bob, actor="api-key:bob")
    desk.save()
    container.catch_up()

    assert_same_as_aggregate(queries, waitlist, limit=1)
    assert [r.id for r in every_entry(queries, waitlist, 10)] == [dan]
    offers = queries.offers(tenant, waitlist.event_id, 10, None).items
    assert [o.entry_id for o in offers][::3] == [vip, bob]  # the first made, the last
    answers = {o.entry_id: (o.state, o.answered_by, o.seats) for o in offers}
    assert answers == {
        vip: ("expired", STAFF, 1),
        cat: ("accepted", "api-key:cat", 1),
        party: ("withdrawn", "api-key:party", 2),
        bob: ("declined", "api-key:bob", 1),
    }
    assert [
        o.entry_id for o in queries.offers(tenant, waitlist.event_id, 10, None, "open").items
    ] == []
    assert queries.next_offer_expiry() is None
    assert queries.due_offers(NOW + 10 * WINDOW, 10) == []

    history = queries.promotions(tenant, waitlist.event_id, 4, None)
    rest = queries.promotions(tenant, waitlist.event_id, 4, history.next_cursor)
    assert rest.next_cursor is None
    outcomes = {p.entry_id: p for p in history.items + rest.items}
    assert {k: (p.outcome, p.ended_by) for k, p in outcomes.items()} == {
        ada: ("left", STAFF),
        bob: ("declined", "api-key:bob"),
        party: ("left", "api-key:party"),
        vip: ("expired", STAFF),
        cat: ("accepted", "api-key:cat"),
        dan: ("waiting", None),
    }
    assert outcomes[party].priority == "HIGH"
    assert outcomes[party].left_reason == "plans changed"
    assert outcomes[vip].offered_at == offers[0].offered_at
    assert outcomes[vip].offer_id == offers[0].id
    assert outcomes[dan].offered_at is None
    one = outcomes[party].participant_ids[1]
    mine = queries.promotions(tenant, waitlist.event_id, 10, None, participant_id=one).items
    assert [p.entry_id for p in mine] == [party]

    other = uuid4()
    assert queries.entries(other, waitlist.event_id, 10, None).items == []
    assert queries.entry(other, waitlist.event_id, dan) is None
    assert queries.offers(other, waitlist.event_id, 10, None).items == []
    assert queries.promotions(other, waitlist.event_id, 10, None).items == []

    for projection in container.sql_projections():
        if projection.name == "waitlists":
            assert list(verify(projection)) == []


def test_an_entry_is_read_with_its_ranks_overall_and_in_its_category(
    container: Container,
) -> None:
    desk = Desk(container.app(RegistrationApplication), uuid4())
    first = desk.join(Priority.NORMAL, "A")
    desk.join(Priority.NORMAL)
    third = desk.join(Priority.NORMAL)
    desk.join(Priority.NORMAL, "A")
    container.catch_up()
    queries = container.query(WaitlistQueries)
    waitlist = desk.waitlist

    detail = queries.entry(waitlist.tenant_id, waitlist.event_id, third)
    head = queries.entry(waitlist.tenant_id, waitlist.event_id, first)

    assert detail is not None
    assert head is not None
    assert (detail.rank_overall, detail.rank_in_category) == (3, 2)
    assert (head.rank_overall, head.rank_in_category) == (1, 1)
    assert queries.entry(waitlist.tenant_id, uuid4(), third) is None


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        encode_cursor("first"),
        encode_cursor("+1"),
        encode_cursor(str(2**63)),
        encode_cursor("a", "b"),
    ],
)
def test_a_tampered_entries_cursor_is_refused(container: Container, cursor: str) -> None:
    queries = container.query(WaitlistQueries)

    with pytest.raises(BadCursor):
        queries.entries(uuid4(), uuid4(), 10, cursor)


def test_analysts_see_each_waitlist_with_its_current_settings(container: Container) -> None:
    desk = Desk(container.app(RegistrationApplication), uuid4())
    desk.waitlist.change_settings(timedelta(hours=6), OnAccept.WORKFLOW, WhenFull.REFUSE)
    desk.save()
    container.catch_up()

    rows = container.reader.rows(select(waitlists))

    assert [tuple(r) for r in rows] == [
        (
            desk.waitlist.id,
            desk.waitlist.tenant_id,
            desk.waitlist.event_id,
            6 * 3600,
            "workflow",
            "refuse",
            desk.waitlist.created_on,
            2,
        )
    ]


steps = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "join",
                "party",
                "move",
                "reprioritise",
                "offer",
                "accept",
                "decline",
                "expire",
                "leave",
            ]
        ),
        st.integers(0, 50),
        st.sampled_from(list(Priority)),
        st.sampled_from(list(Move)),
        st.sampled_from([None, "A", "B"]),
    ),
    min_size=1,
    max_size=25,
)


def test_positions_are_the_aggregates_ranks_after_any_sequence_of_changes(
    container: Container,
) -> None:
    registration = container.app(RegistrationApplication)
    queries = container.query(WaitlistQueries)

    @settings(max_examples=8, deadline=None)
    @given(steps)
    def check(actions: list[tuple[str, int, Priority, Move, str | None]]) -> None:
        desk = Desk(registration, uuid4())
        waitlist = desk.waitlist
        clock = NOW
        for action, pick, priority, move, category in actions:
            waiting, offered = waitlist.waiting(), waitlist.offers()
            clock += timedelta(hours=1)
            if action in ("join", "party"):
                desk.join(priority, category, party=3 if action == "party" else 1)
                continue
            if action == "offer":
                waitlist.offer_seats(FreeSeats(total=2, by_category={"B": 1}), clock)
            elif action == "expire":
                waitlist.expire_offers(clock + WINDOW)
            elif action in ("move", "reprioritise") and waiting:
                entry = waiting[pick % len(waiting)].id
                if action == "move":
                    waitlist.move(entry, move, "staff", STAFF)
                else:
                    waitlist.reprioritise(entry, priority, "staff", STAFF)
            elif action in ("accept", "decline") and offered:
                entry = offered[pick % len(offered)].id
                if action == "accept":
                    waitlist.accept(entry, clock - timedelta(days=60), STAFF)
                else:
                    waitlist.decline(entry, STAFF)
            elif action == "leave" and waiting + offered:
                everyone = waiting + offered
                waitlist.leave(everyone[pick % len(everyone)].id, None, STAFF)
            desk.save()
            if pick % 3 == 0:  # catch up now and then: several changes in one batch too
                container.catch_up()
                assert_same_as_aggregate(queries, waitlist, limit=3)
        container.catch_up()
        assert_same_as_aggregate(queries, waitlist, limit=3)

    check()
    for projection in container.sql_projections():
        if projection.name == "waitlists":
            assert list(verify(projection)) == []


def rows_written(engine: Engine, table: str) -> list[int]:
    """The rows each statement that inserts, updates or deletes rows of `table` touches."""
    written: list[int] = []

    def count(_c: object, cursor: Any, sql: str, *_rest: object) -> None:
        verb = sql.lstrip().split(None, 1)[0].upper()
        if verb in ("INSERT", "UPDATE", "DELETE") and table in sql:
            written.append(cursor.rowcount)

    event.listen(engine, "after_cursor_execute", count)
    return written


def test_an_offer_to_the_head_a_leave_and_a_join_write_one_entries_row_however_many_wait(
    container: Container,
) -> None:
    desk = Desk(container.app(RegistrationApplication), uuid4())
    waitlist = desk.waitlist
    for _ in range(60):
        desk.join(Priority.NORMAL)
    container.catch_up()
    queries = container.query(WaitlistQueries)
    written = rows_written(container.engine, "waitlist_entries")

    waitlist.offer_seats(FreeSeats(total=1, by_category={}), NOW)
    desk.save()
    container.catch_up()
    assert written == [1]

    waitlist.leave(waitlist.waiting()[10].id, None, STAFF)
    desk.save()
    container.catch_up()
    assert written == [1, 1]

    desk.join(Priority.VIP)  # at the head, before the other 58
    container.catch_up()
    assert written == [1, 1, 1]
    assert_same_as_aggregate(queries, waitlist, limit=25)


def test_joins_at_one_spot_past_its_room_renumber_the_order_and_keep_the_ranks(
    container: Container,
) -> None:
    # Each HIGH entry joins between the last HIGH and the first NORMAL: the room there
    # halves each time, until no key fits and the order is numbered afresh.
    desk = Desk(container.app(RegistrationApplication), uuid4())
    waitlist = desk.waitlist
    for category in ("A", "B", None):
        desk.join(Priority.NORMAL, category)
    queries = container.query(WaitlistQueries)
    for n in range(45):
        desk.join(Priority.HIGH, ("A", "B", None)[n % 3])
        if n % 10 == 0:  # some joins in a batch of their own, some many in one
            container.catch_up()
    high = [e.id for e in waitlist.waiting() if e.priority == Priority.HIGH]
    for entry_id in high[::7]:
        waitlist.move(entry_id, Move.DOWN, "staff", STAFF)
        desk.save()
    container.catch_up()

    assert_same_as_aggregate(queries, waitlist, limit=7)
    for category in ("A", "B"):
        in_order = [e.id for e in waitlist.waiting() if e.category == category]
        assert [r.id for r in every_entry(queries, waitlist, 4, category=category)] == in_order
    places = container.reader.rows(
        select(waitlist_entries.c.place).order_by(waitlist_entries.c.place)
    )
    assert max(r.place for r in places) > 48 * GAP // 2  # numbered afresh, a gap apart
    for projection in container.sql_projections():
        if projection.name == "waitlists":
            assert list(verify(projection)) == []


def test_a_participant_promoted_into_the_workflow_shows_its_run_begun_afresh(
    container: Container,
) -> None:
    # Staff queued a pending participant (its open step closed); the offer it accepts
    # begins the workflow again: its steps read as the new run, and a rebuild agrees.
    registration = container.app(WaitlistedRegistration)
    tenant = uuid4()
    starts = NOW + timedelta(days=30)
    event_id = registration.create_event(
        tenant, "Masterclass", starts, starts + timedelta(hours=3), "UTC", capacity=1
    ).aggregate_id
    registration.open_registration(tenant, event_id)
    registration.change_waitlist_settings(
        tenant, event_id, WINDOW, OnAccept.WORKFLOW, WhenFull.WAITLIST
    )
    holder, queued = (
        registration.register(
            tenant, event_id, {"first_name": n, "last_name": "Lovelace", "email": f"{n}@ex.org"}
        ).aggregate_id
        for n in ("ada", "grace")
    )
    registration.complete_step(tenant, holder, "approval", "approved")
    entry = registration.join_waitlist(tenant, event_id, [queued], Priority.NORMAL, STAFF).entry
    container.catch_up()
    queries = container.query(RegistrationQueries)
    waiting = queries.participant(tenant, queued)
    assert waiting is not None
    assert [(s.step_id, s.status) for s in waiting.steps] == [("approval", "cancelled")]

    registration.cancel(tenant, holder)
    registration.accept_offer(tenant, event_id, entry.id)
    container.catch_up()

    promoted = queries.participant(tenant, queued)
    assert promoted is not None
    assert (promoted.status, promoted.active_steps) == ("pending", ["approval"])
    assert [(s.step_id, s.status, s.completed_at) for s in promoted.steps] == [
        ("approval", "active", None)
    ]
    for projection in container.sql_projections():
        if projection.name == "registration":
            assert list(verify(projection)) == []
