"""The venue: an event's zones, their nesting, rules and checkpoints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.access.application import AccessApplication
from domain.access.plan import (
    Direction,
    PlanFull,
    ReentryPolicy,
    UnknownCheckpoint,
    UnknownZone,
    UnknownZoneGiven,
    ZoneCodeTaken,
    ZoneInUse,
    ZoneNesting,
)
from domain.access.venue import Venue, venue_id
from domain.shared.errors import InvalidValue, NotFound, VersionMismatch

DAY_ONE = datetime(2027, 6, 1, 8, 0, tzinfo=UTC)
CATEGORIES = ("press", "staff")


def _window(start: datetime, hours: int = 10) -> dict[str, datetime]:
    return {"starts_at": start, "ends_at": start + timedelta(hours=hours)}


def _venue() -> Venue:
    return Venue(tenant_id=uuid4(), event_id=uuid4())


def test_the_venue_id_is_derived_from_the_tenant_and_the_event() -> None:
    tenant_id, event_id = uuid4(), uuid4()

    assert Venue(tenant_id=tenant_id, event_id=event_id).id == venue_id(tenant_id, event_id)
    assert venue_id(tenant_id, event_id) != venue_id(uuid4(), event_id)


def test_a_new_zone_lets_people_back_in_after_they_leave_and_has_no_limit() -> None:
    venue = _venue()

    zone = venue.zone(venue.add_zone("arena", "  Main   arena "))

    assert (zone.code, zone.name, zone.capacity, zone.parent_id) == (
        "arena",
        "Main arena",
        None,
        None,
    )
    assert zone.reentry is ReentryPolicy.REENTRY_AFTER_EXIT


def test_zone_codes_are_unique_within_the_event() -> None:
    venue = _venue()
    venue.add_zone("arena", "Arena")

    with pytest.raises(ZoneCodeTaken):
        venue.add_zone("arena", "Another arena")


@pytest.mark.parametrize("code", ["", "Arena", "-arena", "a" * 41, "hall 1"])
def test_a_zone_code_is_a_short_lowercase_identifier(code: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        _venue().add_zone(code, "Arena")

    assert refused.value.field == "code"


@pytest.mark.parametrize("capacity", [-1, 1_000_001, True])
def test_a_capacity_is_a_whole_number_from_zero(capacity: int) -> None:
    with pytest.raises(InvalidValue):
        _venue().add_zone("arena", "Arena", capacity=capacity)


def test_an_unknown_reentry_policy_is_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        _venue().add_zone("arena", "Arena", reentry="TWICE")

    assert refused.value.field == "reentry"


def test_a_zone_sits_inside_an_existing_zone_only() -> None:
    with pytest.raises(UnknownZoneGiven) as refused:
        _venue().add_zone("vip", "VIP", parent_id=uuid4())

    assert refused.value.field == "parent_id"


def test_the_zone_chain_runs_from_the_zone_out_to_the_outermost() -> None:
    venue = _venue()
    arena = venue.add_zone("arena", "Arena")
    stand = venue.add_zone("stand", "Stand", parent_id=arena)
    box = venue.add_zone("box", "Box", parent_id=stand)

    assert [z.code for z in venue.zone_chain(box)] == ["box", "stand", "arena"]
    assert [z.code for z in venue.children(arena)] == ["stand"]


def test_a_zone_cannot_be_moved_inside_itself_or_its_own_zones() -> None:
    venue = _venue()
    arena = venue.add_zone("arena", "Arena")
    vip = venue.add_zone("vip", "VIP", parent_id=arena)

    with pytest.raises(ZoneNesting):
        venue.change_zone(arena, {"parent_id": vip})
    with pytest.raises(ZoneNesting):
        venue.change_zone(arena, {"parent_id": arena})


def test_an_unchanged_zone_records_nothing() -> None:
    venue = _venue()
    arena = venue.add_zone("arena", "Arena", capacity=10)
    before = venue.version

    venue.change_zone(arena, {"name": "Arena", "parent_id": None})
    venue.change_zone_capacity(arena, 10)

    assert venue.version == before


def test_a_capacity_may_be_lowered_below_anything() -> None:
    venue = _venue()
    arena = venue.add_zone("arena", "Arena", capacity=100)

    venue.change_zone_capacity(arena, 0)

    assert venue.zone(arena).capacity == 0


def test_a_zone_with_zones_inside_or_checkpoints_cannot_be_removed() -> None:
    venue = _venue()
    arena = venue.add_zone("arena", "Arena")
    vip = venue.add_zone("vip", "VIP", parent_id=arena)
    gate = venue.add_checkpoint("VIP door", "ENTRY", vip)

    with pytest.raises(ZoneInUse):
        venue.remove_zone(arena)
    with pytest.raises(ZoneInUse):
        venue.remove_zone(vip)
    venue.remove_checkpoint(gate)
    venue.remove_zone(vip)
    venue.remove_zone(arena)

    assert venue.zones == {}


def test_a_zone_with_no_rules_admits_everyone_at_any_time() -> None:
    venue = _venue()
    arena = venue.add_zone("arena", "Arena")

    assert venue.may_enter(arena, None, DAY_ONE)
    assert venue.may_enter(arena, "press", DAY_ONE)


def test_a_zone_with_rules_admits_only_their_categories_in_their_windows() -> None:
    venue = _venue()
    arena = venue.add_zone("arena", "Arena")

    venue.replace_zone_rules(
        arena,
        [{"category": "press", "windows": [_window(DAY_ONE)]}, {"category": "staff"}],
        CATEGORIES,
    )

    assert venue.may_enter(arena, "press", DAY_ONE)
    assert not venue.may_enter(arena, "press", DAY_ONE + timedelta(hours=10))
    assert not venue.may_enter(arena, "press", DAY_ONE - timedelta(seconds=1))
    assert venue.may_enter(arena, "staff", DAY_ONE + timedelta(days=30))
    assert not venue.may_enter(arena, None, DAY_ONE)


def test_entering_an_inner_zone_needs_every_outer_zone_to_admit_too() -> None:
    venue = _venue()
    arena = venue.add_zone("arena", "Arena")
    vip = venue.add_zone("vip", "VIP", parent_id=arena)
    venue.replace_zone_rules(
        arena, [{"category": "press", "windows": [_window(DAY_ONE)]}], CATEGORIES
    )

    assert venue.may_enter(vip, "press", DAY_ONE)
    assert not venue.may_enter(vip, "press", DAY_ONE + timedelta(days=1))
    assert not venue.may_enter(vip, "staff", DAY_ONE)


def test_rules_name_only_the_events_categories_once_each() -> None:
    venue = _venue()
    arena = venue.add_zone("arena", "Arena")

    with pytest.raises(InvalidValue) as unknown:
        venue.replace_zone_rules(arena, [{"category": "vip-guests"}], CATEGORIES)
    with pytest.raises(InvalidValue) as twice:
        venue.replace_zone_rules(arena, [{"category": "press"}, {"category": "press"}], CATEGORIES)

    assert unknown.value.field == "rules[0].category"
    assert twice.value.field == "rules[1].category"


def test_a_time_window_ends_after_it_starts_and_carries_an_offset() -> None:
    venue = _venue()
    arena = venue.add_zone("arena", "Arena")
    backwards = {"starts_at": DAY_ONE, "ends_at": DAY_ONE}
    naive = {"starts_at": datetime(2027, 6, 1), "ends_at": datetime(2027, 6, 2)}  # noqa: DTZ001

    with pytest.raises(InvalidValue) as empty:
        venue.replace_zone_rules(arena, [{"category": "press", "windows": [backwards]}], CATEGORIES)
    with pytest.raises(InvalidValue) as unzoned:
        venue.replace_zone_rules(arena, [{"category": "press", "windows": [naive]}], CATEGORIES)

    assert empty.value.field == "rules[0].windows[0].ends_at"
    assert unzoned.value.field == "rules[0].windows[0].starts_at"


def test_replacing_rules_with_none_opens_the_zone_again() -> None:
    venue = _venue()
    arena = venue.add_zone("arena", "Arena")
    venue.replace_zone_rules(arena, [{"category": "press"}], CATEGORIES)

    venue.replace_zone_rules(arena, [], CATEGORIES)

    assert venue.may_enter(arena, "staff", DAY_ONE)


def test_a_checkpoint_starts_active_and_leads_into_or_out_of_its_zone() -> None:
    venue = _venue()
    arena = venue.add_zone("arena", "Arena")

    entry = venue.checkpoint(venue.add_checkpoint("North gate", "ENTRY", arena))
    exit_ = venue.checkpoint(venue.add_checkpoint("South gate", "EXIT", arena))
    both = venue.checkpoint(venue.add_checkpoint("East gate", "BOTH", arena))

    assert entry.active
    assert entry.direction is Direction.ENTRY
    assert (entry.lets_in, entry.lets_out) == (True, False)
    assert (exit_.lets_in, exit_.lets_out) == (False, True)
    assert (both.lets_in, both.lets_out) == (True, True)


def test_a_checkpoint_needs_a_known_direction_and_zone() -> None:
    venue = _venue()
    arena = venue.add_zone("arena", "Arena")

    with pytest.raises(InvalidValue) as way:
        venue.add_checkpoint("Gate", "SIDEWAYS", arena)
    with pytest.raises(UnknownZoneGiven) as zone:
        venue.add_checkpoint("Gate", "ENTRY", uuid4())

    assert (way.value.field, zone.value.field) == ("direction", "zone_id")


def test_activating_and_deactivating_a_checkpoint_is_idempotent() -> None:
    venue = _venue()
    gate = venue.add_checkpoint("Gate", "ENTRY", venue.add_zone("arena", "Arena"))
    before = venue.version

    venue.activate_checkpoint(gate)
    venue.deactivate_checkpoint(gate)
    venue.deactivate_checkpoint(gate)

    assert venue.version == before + 1
    assert not venue.checkpoint(gate).active
    venue.activate_checkpoint(gate)
    assert venue.checkpoint(gate).active


def test_a_checkpoint_can_be_led_to_another_zone() -> None:
    venue = _venue()
    arena = venue.add_zone("arena", "Arena")
    vip = venue.add_zone("vip", "VIP", parent_id=arena)
    gate = venue.add_checkpoint("Gate", "ENTRY", arena)

    venue.change_checkpoint(gate, {"zone_id": vip, "direction": "BOTH", "name": "VIP gate"})

    assert venue.checkpoint(gate).zone_id == vip
    assert venue.checkpoint(gate).direction is Direction.BOTH


def test_unknown_zones_and_checkpoints_are_not_found() -> None:
    venue = _venue()

    with pytest.raises(UnknownZone):
        venue.zone_chain(uuid4())
    with pytest.raises(UnknownCheckpoint):
        venue.activate_checkpoint(uuid4())


def test_a_plan_holds_at_most_its_number_of_zones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("domain.access.venue.ZONES_MAX", 2)
    venue = _venue()
    venue.add_zone("a", "A")
    venue.add_zone("b", "B")

    with pytest.raises(PlanFull):
        venue.add_zone("c", "C")


def test_the_first_zone_starts_the_plan_and_other_commands_need_one() -> None:
    app = AccessApplication()
    tenant_id, event_id = uuid4(), uuid4()

    with pytest.raises(NotFound):
        app.add_checkpoint(tenant_id, event_id, "Gate", "ENTRY", uuid4())
    added = app.add_zone(tenant_id, event_id, "arena", "Arena")

    assert added.ack.version == 2
    assert app.venue(tenant_id, event_id).zone(added.id).code == "arena"


def test_commands_honour_the_version_the_caller_read() -> None:
    app = AccessApplication()
    tenant_id, event_id = uuid4(), uuid4()
    arena = app.add_zone(tenant_id, event_id, "arena", "Arena", expected_version=0).id

    with pytest.raises(VersionMismatch):
        app.change_zone_capacity(tenant_id, event_id, arena, 5, expected_version=1)
    app.change_zone_capacity(tenant_id, event_id, arena, 5, expected_version=2)


def test_a_replayed_venue_equals_the_live_one() -> None:
    app = AccessApplication()
    live = _venue()
    arena = live.add_zone("arena", "Arena", capacity=3)
    vip = live.add_zone("vip", "VIP", parent_id=arena)
    live.replace_zone_rules(vip, [{"category": "press", "windows": [_window(DAY_ONE)]}], CATEGORIES)
    gate = live.add_checkpoint("Gate", "BOTH", vip)
    live.deactivate_checkpoint(gate)
    app.save(live)

    replayed = app.repository.get(live.id)

    assert isinstance(replayed, Venue)
    assert (replayed.zones, replayed.checkpoints) == (live.zones, live.checkpoints)
    assert replayed.version == live.version
