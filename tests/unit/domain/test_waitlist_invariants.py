"""Random histories of a waitlist keep its order honest and never seat more than there is.

Joins of people and parties at every priority, leaves, moves, new priorities, seats
freed and capacity changed, offers accepted, declined and expired, in any interleaving.
The order holds exactly the waiting entries, bands in priority order, first come first
served among those staff never moved; offers held plus seats taken never exceed the
capacity; an entry is offered seats once; and a replay of the recorded domain events
gives the same waitlist.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from domain.shared.errors import DomainError
from domain.waitlists.queue import FreeSeats, Move, Priority
from domain.waitlists.waitlist import Waitlist

START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
WINDOW = timedelta(hours=1)
CATEGORIES = (None, "press", "staff")


class WaitlistMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.made = 0
        self.waitlist = Waitlist(tenant_id=self._new_id(), event_id=self._new_id())
        self.waitlist.change_settings(WINDOW, self.waitlist.on_accept)
        self.recorded: list[Any] = list(self.waitlist.collect_events())
        self.now = START
        self.capacity = 3
        self.press_capacity: int | None = 2
        self.taken: dict[str | None, int] = {}  # seats of accepted offers, per category
        self.joined: list[UUID] = []  # every entry, in the order they joined
        self.moved: set[UUID] = set()  # entries staff moved or gave another priority
        self.ever_offered: list[UUID] = []

    def _new_id(self) -> UUID:
        # Ids the same on every run of one example: offers are ordered by id among equals,
        # and Hypothesis replays an example expecting the same choices.
        self.made += 1
        return uuid5(NAMESPACE_URL, f"waitlist-machine:{self.made}")

    # Commands

    def _run(self, command: Any, *args: Any) -> Any:
        try:
            return command(*args)
        except DomainError:
            return None
        finally:
            self.recorded += self.waitlist.collect_events()

    @rule(
        priority=st.sampled_from(list(Priority)),
        category=st.sampled_from(CATEGORIES),
        party=st.integers(1, 3),
    )
    def join(self, priority: Priority, category: str | None, party: int) -> None:
        entry_id = self._new_id()
        people = [self._new_id() for _ in range(party)]
        if self._run(self.waitlist.join, entry_id, people, category, priority, None):
            self.joined.append(entry_id)

    @precondition(lambda self: bool(self.joined))
    @rule(pick=st.integers(0, 100))
    def leave(self, pick: int) -> None:
        self._run(self.waitlist.leave, self.joined[pick % len(self.joined)], "plans", None)

    @precondition(lambda self: bool(self.joined))
    @rule(pick=st.integers(0, 100), move=st.sampled_from(list(Move)))
    def move(self, pick: int, move: Move) -> None:
        entry_id = self.joined[pick % len(self.joined)]
        before = self.waitlist.version
        self._run(self.waitlist.move, entry_id, move, "staff", None)
        if self.waitlist.version != before:
            self.moved.add(entry_id)

    @precondition(lambda self: bool(self.joined))
    @rule(pick=st.integers(0, 100), priority=st.sampled_from(list(Priority)))
    def reprioritise(self, pick: int, priority: Priority) -> None:
        entry_id = self.joined[pick % len(self.joined)]
        before = self.waitlist.version
        self._run(self.waitlist.reprioritise, entry_id, priority, "staff", None)
        if self.waitlist.version != before:
            self.moved.add(entry_id)

    @rule(capacity=st.integers(0, 8), press=st.none() | st.integers(0, 4))
    def change_capacity(self, capacity: int, press: int | None) -> None:
        # Never below what is taken and held: the registration context refuses that.
        self.capacity = max(capacity, self._held(None))
        self.press_capacity = None if press is None else max(press, self._held("press"))

    @rule()
    def offer_free_seats(self) -> None:
        press = None
        if self.press_capacity is not None:
            press = self.press_capacity - self._held("press")
        free = FreeSeats(self.capacity - self._held(None), {"press": press})
        offered = self._run(self.waitlist.offer_seats, free, self.now) or []
        self.ever_offered += [e.id for e in offered]

    @precondition(lambda self: bool(self.waitlist.offers()))
    @rule(pick=st.integers(0, 100), answer=st.sampled_from(["accept", "decline"]))
    def answer(self, pick: int, answer: str) -> None:
        offers = self.waitlist.offers()
        entry = offers[pick % len(offers)]
        if answer == "decline":
            self._run(self.waitlist.decline, entry.id, None)
        elif self._run(self.waitlist.accept, entry.id, self.now, None) is not None:
            for category in {None, entry.category}:
                self.taken[category] = self.taken.get(category, 0) + entry.seats

    @rule(minutes=st.integers(1, 90))
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)
        self._run(self.waitlist.expire_offers, self.now)

    # Invariants

    def _held(self, category: str | None) -> int:
        """Seats taken plus held by offers, in all (None) or in the category."""
        return self.taken.get(category, 0) + self.waitlist.seats_offered(category)

    @invariant()
    def offers_and_seats_taken_never_exceed_a_capacity(self) -> None:
        assert self._held(None) <= self.capacity
        if self.press_capacity is not None:
            assert self._held("press") <= self.press_capacity

    @invariant()
    def an_entry_is_offered_seats_once(self) -> None:
        assert len(self.ever_offered) == len(set(self.ever_offered))

    @invariant()
    def the_order_holds_the_waiting_entries_bands_first_then_who_came_first(self) -> None:
        waiting = self.waitlist.waiting()
        unoffered = {e.id for e in self.waitlist.entries.values() if e.offer is None}
        assert [e.id for e in waiting] == list(dict.fromkeys(e.id for e in waiting))
        assert {e.id for e in waiting} == unoffered
        bands = [e.priority.band for e in waiting]
        assert bands == sorted(bands)
        for priority in Priority:
            unmoved = [e.id for e in waiting if e.priority is priority and e.id not in self.moved]
            assert unmoved == [i for i in self.joined if i in set(unmoved)]

    @invariant()
    def each_participant_is_in_one_entry(self) -> None:
        people = [p for e in self.waitlist.entries.values() for p in e.participant_ids]
        assert len(people) == len(set(people))
        assert {UUID(p) for p in self.waitlist.of_participant} == set(people)

    @invariant()
    def a_replay_of_the_recorded_domain_events_gives_the_same_waitlist(self) -> None:
        replayed: Waitlist | None = None
        for domain_event in self.recorded:
            replayed = domain_event.mutate(replayed)
        assert replayed is not None
        assert replayed.entries == self.waitlist.entries
        assert replayed.order == self.waitlist.order
        assert replayed.of_participant == self.waitlist.of_participant


TestWaitlistHistories = WaitlistMachine.TestCase
