"""The waitlist's order and offers: bands by priority, first come first served, parties."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from domain.shared.errors import InvalidValue
from domain.waitlists.queue import FreeSeats, Move, Priority
from domain.waitlists.waitlist import (
    AlreadyWaiting,
    NoOffer,
    NotWaiting,
    OfferExpired,
    Waitlist,
    offer_id,
)

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
NORMAL, VIP, LOW, HIGH = Priority.NORMAL, Priority.VIP, Priority.LOW, Priority.HIGH


def waitlist() -> Waitlist:
    return Waitlist(tenant_id=uuid4(), event_id=uuid4())


def join(
    wl: Waitlist,
    priority: Priority = NORMAL,
    category: str | None = None,
    party: int = 1,
) -> UUID:
    entry_id = uuid4()
    wl.join(entry_id, [uuid4() for _ in range(party)], category, priority, "api-key:staff")
    return entry_id


def free(total: int | None, **by_category: int | None) -> FreeSeats:
    return FreeSeats(total, by_category)


def test_entries_wait_by_priority_then_in_the_order_they_came() -> None:
    wl = waitlist()
    first, low, vip, second, high = (join(wl, p) for p in (NORMAL, LOW, VIP, NORMAL, HIGH))

    assert [e.id for e in wl.waiting()] == [vip, high, first, second, low]
    assert (wl.rank(vip).overall, wl.rank(second).overall, wl.rank(low).overall) == (1, 4, 5)


def test_a_participant_waits_in_one_entry_at_a_time_and_a_party_names_each_once() -> None:
    wl = waitlist()
    person = uuid4()
    wl.join(uuid4(), [person], None, NORMAL, None)

    with pytest.raises(AlreadyWaiting):
        wl.join(uuid4(), [uuid4(), person], None, VIP, None)
    other = uuid4()
    with pytest.raises(InvalidValue):
        wl.join(uuid4(), [other, other], None, NORMAL, None)
    with pytest.raises(InvalidValue):
        wl.join(uuid4(), [], None, NORMAL, None)
    assert len(wl.waiting()) == 1


def test_staff_move_an_entry_within_its_priority_and_say_why() -> None:
    wl = waitlist()
    vip = join(wl, VIP)
    a, b, c = join(wl), join(wl), join(wl)
    low = join(wl, LOW)

    assert wl.move(c, Move.TOP, "speaker's assistant", "api-key:staff").overall == 2
    assert wl.move(a, Move.END, "asked to wait", None).overall == 4
    # At the edge of its band already: nothing moves, nothing is recorded.
    version = wl.version
    assert wl.move(c, Move.UP, "again", None).overall == 2
    assert wl.version == version
    assert wl.move(b, Move.DOWN, "swap", None).overall == 4
    assert [e.id for e in wl.waiting()] == [vip, c, a, b, low]
    with pytest.raises(InvalidValue):
        wl.move(b, Move.UP, "  ", None)


def test_a_new_priority_puts_the_entry_at_the_end_of_that_band() -> None:
    wl = waitlist()
    vip, a, b, low = join(wl, VIP), join(wl), join(wl), join(wl, LOW)

    assert wl.reprioritise(low, HIGH, "sponsor", None).overall == 2
    assert wl.reprioritise(a, VIP, "board member", None).overall == 2
    assert [e.id for e in wl.waiting()] == [vip, a, low, b]
    assert [e.priority for e in wl.waiting()] == [VIP, VIP, HIGH, NORMAL]


def test_freed_seats_go_down_the_order_and_a_party_is_not_passed_over() -> None:
    wl = waitlist()
    single = join(wl)
    party = join(wl, party=3)
    behind = join(wl)

    offered = wl.offer_seats(free(2), NOW)

    # Two seats: the first single, then the party of three waits and so does everyone after.
    assert [e.id for e in offered] == [single]
    assert wl.seats_offered() == 1
    assert [e.id for e in wl.offer_seats(free(3), NOW)] == [party]
    assert [e.id for e in wl.offer_seats(free(1), NOW)] == [behind]
    assert wl.waiting() == []


def test_an_entry_waiting_for_a_full_category_does_not_hold_up_other_categories() -> None:
    wl = waitlist()
    press = join(wl, category="press")
    staff = join(wl, category="staff")
    press_two = join(wl, category="press")

    offered = wl.offer_seats(free(5, press=0, staff=1), NOW)

    assert [e.id for e in offered] == [staff]
    assert [e.id for e in wl.waiting()] == [press, press_two]
    assert wl.rank(press_two).in_category == 2
    assert wl.rank(press_two).overall == 2


def test_an_offer_holds_its_seats_until_it_is_answered_or_its_deadline_passes() -> None:
    wl = waitlist()
    wl.change_settings(timedelta(hours=2), wl.on_accept)
    accepted, declined, expired, left = (join(wl) for _ in range(4))
    wl.offer_seats(free(4), NOW)

    assert {e.offer.expires_at for e in wl.offers() if e.offer} == {NOW + timedelta(hours=2)}
    wl.accept(accepted, NOW + timedelta(hours=1), "participant")
    wl.decline(declined, "participant")
    wl.leave(left, "changed plans", None)
    with pytest.raises(OfferExpired):
        wl.accept(expired, NOW + timedelta(hours=2), "participant")
    assert [e.id for e in wl.expire_offers(NOW + timedelta(hours=2))] == [expired]
    assert wl.offers() == []
    assert wl.seats_offered() == 0


def test_a_waiting_entry_has_no_offer_to_answer_and_an_offered_one_no_rank() -> None:
    wl = waitlist()
    waiting, offered = join(wl), join(wl)
    wl.move(offered, Move.TOP, "first", None)
    wl.offer_seats(free(1), NOW)

    with pytest.raises(NoOffer):
        wl.accept(waiting, NOW, None)
    with pytest.raises(NotWaiting):
        wl.rank(offered)
    with pytest.raises(NotWaiting):
        wl.move(offered, Move.END, "no", None)
    assert wl.entry(offered).offer is not None
    assert wl.entry(offered).offer.id == offer_id(offered)  # type: ignore[union-attr]


def test_an_ended_entry_lets_its_participants_join_again_at_the_end() -> None:
    wl = waitlist()
    person = uuid4()
    first = uuid4()
    wl.join(first, [person], None, NORMAL, None)
    join(wl)
    wl.leave(first, None, None)

    again = uuid4()
    wl.join(again, [person], None, NORMAL, None)

    assert wl.rank(again).overall == 2
    assert wl.entry_of(person) == wl.entry(again)


def test_a_copy_of_the_waitlist_changes_apart_from_the_original() -> None:
    # Each command works on the repository cache's copy: a command refused half-way must
    # leave the cached waitlist as it was.
    wl = waitlist()
    entries = [join(wl) for _ in range(3)]
    wl.offer_seats(free(1), NOW)
    wl.collect_events()
    before = ([e.id for e in wl.waiting()], wl.offers(), wl.version)

    copied = copy.deepcopy(wl)
    copied.leave(entries[1], None, None)
    newcomer, late = uuid4(), uuid4()
    copied.join(late, [newcomer], None, LOW, None)
    copied.reprioritise(entries[2], VIP, "board member", None)
    copied.decline(entries[0], None)

    assert ([e.id for e in wl.waiting()], wl.offers(), wl.version) == before
    assert wl.entry_of(wl.entry(entries[1]).participant_ids[0]) is not None
    assert wl.entry_of(newcomer) is None
    assert wl.collect_events() == []
    assert [e.id for e in copied.waiting()] == [entries[2], late]
