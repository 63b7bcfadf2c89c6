"""Racing writers on PostgreSQL: a waitlist offers each freed seat once, and never overbooks.

Cancellations, accepts, declines, new registrations and the expiry command race on one
event. Whatever order they land in, the seat ledger and the waitlist agree: every seat
held for an offer is one entry's offer, seats taken are the approved participants', and
no seat is left free while an entry waits that it fits.
"""

from __future__ import annotations

import multiprocessing
import random
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from typing import Any
from uuid import UUID, uuid4

from adapters.settings import Settings
from adapters.sql.eventstore import eventstore_env
from domain.registration.participant import Participant, ParticipantStatus
from domain.registration.seats import SeatLedger, ledger_id
from domain.shared.application import utc_now
from domain.shared.errors import ConcurrencyConflict, NotFound
from domain.waitlists.application import WaitlistedRegistration
from domain.waitlists.queue import FreeSeats, seated
from domain.waitlists.waitlist import NoOffer, OfferExpired, OnAccept, Waitlist, WhenFull
from domain.waitlists.waitlist import waitlist_id as waitlist_id_of

START = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
WINDOW = timedelta(hours=2)
# What an answer to an offer may meet when others answer or end it first.
LOST_RACE = (OfferExpired, NoOffer, NotFound, ConcurrencyConflict)


class Clock:
    """One time for every application of a test, moved by the test alone."""

    def __init__(self) -> None:
        self.now = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def application(
    settings: Settings, clock: Callable[[], datetime] = utc_now, *, create_tables: bool = True
) -> WaitlistedRegistration:
    """An application of its own, as a separate worker process would each have."""
    env = dict(eventstore_env(settings, WaitlistedRegistration.name))
    if not create_tables:
        env["CREATE_TABLE"] = "n"
    return WaitlistedRegistration(env, clock)


def person(n: int) -> dict[str, Any]:
    return {"first_name": "Ada", "last_name": f"Person{n}", "email": f"p{n}@example.org"}


@dataclass
class Crowd:
    """A full event with people waiting for its seats."""

    tenant: UUID
    event_id: UUID
    approved: list[UUID]
    waiting: list[UUID]


def full_event(app: WaitlistedRegistration, capacity: int, waiting: int) -> Crowd:
    tenant = uuid4()
    event_id = app.create_event(
        tenant, "Expo", START, START + timedelta(days=1), "UTC", capacity=capacity
    ).aggregate_id
    app.open_registration(tenant, event_id)
    app.change_waitlist_settings(tenant, event_id, WINDOW, OnAccept.APPROVE, WhenFull.WAITLIST)
    approved = []
    for n in range(capacity):
        participant_id = app.register(tenant, event_id, person(n)).aggregate_id
        while active := app.participant(tenant, participant_id).run.active_steps:
            app.complete_step(tenant, participant_id, active[0], "approved")
        approved.append(participant_id)
    queued = [
        app.register(tenant, event_id, person(1000 + n), may_wait=True).aggregate_id
        for n in range(waiting)
    ]
    return Crowd(tenant, event_id, approved, queued)


@dataclass
class Outcomes:
    """What one writer's commands came to, and anything that went wrong."""

    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def merge(self, other: Outcomes) -> None:
        self.counts.update(other.counts)
        self.errors.extend(other.errors)


def persist(command: Callable[[], object]) -> None:
    """Runs a command until it is not refused for conflicts (its own retries ran out)."""
    while True:
        try:
            command()
        except ConcurrencyConflict:
            continue
        return


def answer_an_offer(app: WaitlistedRegistration, crowd: Crowd, *, accept: bool) -> str:
    """Answers one of the offers the waitlist shows now: what came of it."""
    offers = app.waitlist(crowd.tenant, crowd.event_id).offers()
    if not offers:
        return "none seen"
    entry = random.choice(offers)
    try:
        if accept:
            app.accept_offer(crowd.tenant, crowd.event_id, entry.id)
        else:
            app.decline_offer(crowd.tenant, crowd.event_id, entry.id)
    except LOST_RACE as exc:
        return f"lost: {type(exc).__name__}"
    return "accepted" if accept else "declined"


def answer_offers(
    app: WaitlistedRegistration,
    crowd: Crowd,
    wanted: int,
    done: Callable[[], bool],
    *,
    accept: bool,
) -> Outcomes:
    """Answers `wanted` offers, or as many as are made before `done` and none is left."""
    outcomes = Outcomes()
    answered = 0
    for _ in range(5000):
        if answered == wanted:
            break
        outcome = answer_an_offer(app, crowd, accept=accept)
        outcomes.counts[outcome] += 1
        if outcome in ("accepted", "declined"):
            answered += 1
        elif outcome == "none seen":
            if done():
                break
            time.sleep(0.005)  # nothing to answer yet: let the cancellations land
    return outcomes


def in_threads(work: list[Callable[[], Outcomes]]) -> Outcomes:
    total = Outcomes()
    lock = threading.Lock()
    barrier = threading.Barrier(len(work))

    def run(job: Callable[[], Outcomes]) -> None:
        barrier.wait()
        try:
            outcomes = job()
        except Exception:  # reported by the test, with its traceback
            outcomes = Outcomes(errors=[traceback.format_exc()])
        with lock:
            total.merge(outcomes)

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer did not finish"
    return total


# What must hold after any race


def participants_of(app: WaitlistedRegistration, event_id: UUID) -> list[Participant]:
    """Every participant registered for the event, read from the notification log."""
    found = []
    for record in app.recorder.select_notifications(1, 100_000):
        if record.topic.endswith("Participant.Registered"):
            participant = app.load(Participant, UUID(str(record.originator_id)))
            if participant.event_id == event_id:
                found.append(participant)
    return found


def domain_events(app: WaitlistedRegistration, topic_end: str) -> list[Any]:
    return [
        app.mapper.to_domain_event(record)
        for record in app.recorder.select_notifications(1, 100_000)
        if record.topic.endswith(topic_end)
    ]


def assert_seats_and_waitlist_agree(settings: Settings, crowd: Crowd) -> None:
    fresh = application(settings)
    ledger = fresh.load(SeatLedger, ledger_id(crowd.event_id))
    waitlist = fresh.load(Waitlist, waitlist_id_of(crowd.event_id))
    participants = participants_of(fresh, crowd.event_id)
    assert ledger.capacity is not None
    by_status = Counter(p.status for p in participants)

    assert ledger.taken() + ledger.offered() <= ledger.capacity
    assert ledger.taken() == by_status[ParticipantStatus.APPROVED]

    held = {UUID(offer): (hold.seats, hold.category) for offer, hold in ledger.offers.items()}
    offered = {
        e.offer.id: (e.offer.seats, e.category)
        for e in waitlist.entries.values()
        if e.offer is not None
    }
    offers_held = [e.offer.id for e in waitlist.entries.values() if e.offer is not None]
    assert len(offers_held) == len(set(offers_held))
    assert held == offered

    in_entries = [p for e in waitlist.entries.values() for p in e.participant_ids]
    assert len(in_entries) == len(set(in_entries)), "a participant is in two entries"
    waitlisted = {p.id for p in participants if p.status is ParticipantStatus.WAITLISTED}
    assert set(in_entries) == waitlisted
    for participant in participants:
        if participant.status is ParticipantStatus.WAITLISTED:
            assert participant.waitlist_entry is not None
            assert participant.id in waitlist.entry(participant.waitlist_entry).participant_ids

    free = FreeSeats(ledger.free(), ledger.free_by_category())
    fits = seated([e.place() for e in waitlist.waiting()], free)
    assert fits == [], f"{ledger.free()} seats are left free while entries wait for them"

    promoted = Counter(e.originator_id for e in domain_events(fresh, "Participant.Promoted"))
    assert [p for p, times in promoted.items() if times > 1] == []
    fresh.close()


# Threads


def test_racing_cancellations_answers_and_registrations_keep_seats_and_offers_agreed(
    pg_settings: Settings,
) -> None:
    apps = [application(pg_settings) for _ in range(8)]
    crowd = full_event(apps[0], capacity=6, waiting=20)
    freeing = threading.Event()
    left = Counter({"freeing": 5})  # cancellers, decliners and registrants still at work
    lock = threading.Lock()

    def finished() -> None:
        with lock:
            left["freeing"] -= 1
            if left["freeing"] == 0:
                freeing.set()

    def canceller(app: WaitlistedRegistration, mine: list[UUID]) -> Callable[[], Outcomes]:
        def cancel() -> Outcomes:
            try:
                for participant_id in mine:
                    persist(partial(app.cancel, crowd.tenant, participant_id, "cannot come"))
            finally:
                finished()
            return Outcomes(Counter(cancelled=len(mine)))

        return cancel

    def registrant(app: WaitlistedRegistration, numbers: range) -> Callable[[], Outcomes]:
        def register() -> Outcomes:
            try:
                for n in numbers:
                    persist(
                        partial(
                            app.register, crowd.tenant, crowd.event_id, person(n), may_wait=True
                        )
                    )
            finally:
                finished()
            return Outcomes(Counter(registered=len(numbers)))

        return register

    def answerer(
        app: WaitlistedRegistration, wanted: int, *, accept: bool
    ) -> Callable[[], Outcomes]:
        def answer() -> Outcomes:
            try:
                return answer_offers(app, crowd, wanted, freeing.is_set, accept=accept)
            finally:
                if not accept:
                    finished()

        return answer

    work = [
        canceller(apps[0], crowd.approved[0:2]),
        canceller(apps[1], crowd.approved[2:4]),
        registrant(apps[2], range(2000, 2003)),
        registrant(apps[3], range(3000, 3003)),
        answerer(apps[4], 2, accept=False),
        answerer(apps[5], 1, accept=True),
        answerer(apps[6], 1, accept=True),
        answerer(apps[7], 1, accept=True),
    ]
    outcomes = in_threads(work)

    assert outcomes.errors == [], "\n".join(outcomes.errors)
    assert (outcomes.counts["cancelled"], outcomes.counts["registered"]) == (4, 6)
    assert_seats_and_waitlist_agree(pg_settings, crowd)
    for app in apps:
        app.close()


# Processes


def _cancel_and_accept(
    settings: Settings, crowd: Crowd, mine: list[UUID], start: Barrier, results: Queue[Outcomes]
) -> None:
    outcomes = Outcomes()
    app = None
    try:
        # The setup made the tables: a worker starting with the others must not race on
        # PostgreSQL's catalog creating them again.
        app = application(settings, create_tables=False)
        start.wait()
        for participant_id in mine:
            persist(partial(app.cancel, crowd.tenant, participant_id, "cannot come"))
            outcomes.counts["cancelled"] += 1
            outcomes.counts[answer_an_offer(app, crowd, accept=True)] += 1
        outcomes.merge(answer_offers(app, crowd, 1, lambda: True, accept=True))
    except Exception:  # reported by the test, with its traceback
        outcomes.errors.append(traceback.format_exc())
        start.abort()  # the others do not wait for one that failed to start
    finally:
        if app is not None:
            app.close()
    results.put(outcomes)


def test_racing_worker_processes_keep_seats_and_offers_agreed(pg_settings: Settings) -> None:
    setup = application(pg_settings)
    crowd = full_event(setup, capacity=8, waiting=12)
    setup.close()
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(4), context.Queue()
    workers = [
        context.Process(
            target=_cancel_and_accept,
            args=(pg_settings, crowd, crowd.approved[n::4], start, results),
        )
        for n in range(4)
    ]
    for worker in workers:
        worker.start()
    outcomes = Outcomes()
    for _ in workers:
        outcomes.merge(results.get(timeout=120))
    for worker in workers:
        worker.join(timeout=30)

    assert outcomes.errors == [], "\n".join(outcomes.errors)
    assert all(worker.exitcode == 0 for worker in workers)
    assert outcomes.counts["cancelled"] == 8
    assert_seats_and_waitlist_agree(pg_settings, crowd)


# The expiry command


def test_racing_expiry_commands_end_each_offer_once_and_pass_its_seat_on_once(
    pg_settings: Settings,
) -> None:
    clock = Clock()
    apps = [application(pg_settings, clock) for _ in range(6)]
    crowd = full_event(apps[0], capacity=4, waiting=10)
    for participant_id in crowd.approved[:3]:
        apps[0].cancel(crowd.tenant, participant_id, "cannot come")
    first_offers = {
        e.offer.id: e.participant_ids
        for e in apps[0].waitlist(crowd.tenant, crowd.event_id).offers()
        if e.offer is not None
    }
    assert len(first_offers) == 3
    clock.now += WINDOW + timedelta(seconds=1)

    def expirer(app: WaitlistedRegistration) -> Callable[[], Outcomes]:
        def expire() -> Outcomes:
            while True:
                try:
                    ack = app.expire_offers(crowd.event_id)
                except ConcurrencyConflict:
                    continue
                return Outcomes(Counter(["expired" if ack is not None else "nothing due"]))

        return expire

    outcomes = in_threads([expirer(app) for app in apps])

    assert outcomes.errors == [], "\n".join(outcomes.errors)
    assert outcomes.counts == Counter({"expired": 1, "nothing due": len(apps) - 1})
    fresh = application(pg_settings)
    expired = Counter(e.offer_id for e in domain_events(fresh, "Waitlist.OfferExpired"))
    assert expired == Counter(dict.fromkeys(first_offers, 1))
    offered = Counter(e.offer_id for e in domain_events(fresh, "Waitlist.Offered"))
    assert len(offered) == 6
    assert set(offered.values()) == {1}
    ended = Counter(e.originator_id for e in domain_events(fresh, "Participant.Cancelled"))
    for participants in first_offers.values():
        for participant_id in participants:
            assert ended[participant_id] == 1
            status = fresh.participant(crowd.tenant, participant_id).status
            assert status is ParticipantStatus.CANCELLED
    ledger = fresh.load(SeatLedger, ledger_id(crowd.event_id))
    assert (ledger.taken(), ledger.offered()) == (1, 3)
    assert_seats_and_waitlist_agree(pg_settings, crowd)
    for app in [*apps, fresh]:
        app.close()
