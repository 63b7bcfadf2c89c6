"""The scan benchmark's final check: a replay of recorded decisions finds what broke capacity."""

from __future__ import annotations

from uuid import UUID, uuid4

from scan_bench.replay import PlanZone, Replay, occupancy_differences

ARENA, VIP = uuid4(), uuid4()
PLAN = {ARENA: PlanZone(None, None), VIP: PlanZone(2, ARENA)}


def _enter(replay: Replay, n: int, person: UUID, *zones: UUID) -> None:
    replay.decided(n, "gate", str(n), "OK", person, zones[0], list(zones), [])


def _full(replay: Replay, n: int, person: UUID) -> None:
    replay.decided(n, "gate", str(n), "ZONE_FULL", person, VIP, [], [])


def test_entries_within_capacity_and_a_full_answer_at_capacity_are_no_violation() -> None:
    replay = Replay(PLAN)
    people = [uuid4() for _ in range(3)]
    _enter(replay, 1, people[0], VIP, ARENA)
    _enter(replay, 2, people[1], ARENA)
    _enter(replay, 3, people[1], VIP)
    _full(replay, 4, people[2])
    assert not replay.over_capacity
    assert not replay.full_with_room
    assert replay.full_answers[VIP] == 1
    assert replay.occupancy() == {ARENA: 2, VIP: 2}


def test_an_entry_past_the_capacity_is_a_violation() -> None:
    replay = Replay(PLAN)
    for n in range(3):
        _enter(replay, n, uuid4(), VIP, ARENA)
    assert len(replay.over_capacity) == 1
    assert replay.peak[VIP] == 3


def test_zone_full_while_there_was_room_is_a_violation() -> None:
    replay = Replay(PLAN)
    first = uuid4()
    _enter(replay, 1, first, VIP, ARENA)
    _enter(replay, 2, uuid4(), VIP, ARENA)
    replay.decided(3, "gate", "3", "OK", first, VIP, [], [VIP])  # leaves the VIP area
    _full(replay, 4, uuid4())
    assert len(replay.full_with_room) == 1


def test_an_annulment_undoes_the_moves_of_the_scan_it_names() -> None:
    replay = Replay(PLAN)
    person = uuid4()
    _enter(replay, 1, person, VIP, ARENA)
    replay.annulled(2, "gate", "1", [], [VIP, ARENA])
    assert replay.occupancy() == {}
    assert replay.annulments == 1


def test_a_decision_recorded_twice_for_one_nonce_is_reported_and_not_applied() -> None:
    replay = Replay(PLAN)
    person = uuid4()
    _enter(replay, 1, person, ARENA)
    replay.decided(2, "gate", "1", "OK", person, ARENA, [ARENA], [])
    assert len(replay.duplicates) == 1
    assert replay.occupancy() == {ARENA: 1}


def test_occupancy_differences_name_each_zone_whose_count_differs() -> None:
    assert occupancy_differences({ARENA: 3, VIP: 1}, {ARENA: 3, VIP: 1}) == []
    assert len(occupancy_differences({ARENA: 3, VIP: 1}, {ARENA: 2})) == 2


def test_a_device_follows_its_badges_from_the_zones_its_answers_enter_and_leave() -> None:
    from scan_bench.devices import ARENA as ARENA_CODE  # noqa: PLC0415
    from scan_bench.devices import OUTSIDE, Device, DeviceSpec, Layout  # noqa: PLC0415

    layout = Layout(
        zones={"arena": "a", "hall": "h", "vip": "v"},
        gates=[("g1", "arena", "BOTH"), ("g2", "hall", "BOTH"), ("g3", "vip", "BOTH")],
    )
    device = Device(DeviceSpec("gate-1", "secret", [("p1", "CODE1")], seed=1), layout)
    badge, body = device.next_scan()
    assert body["badge_code"] == "CODE1"
    assert body["nonce"] == "1"
    device.learn(badge, {"entered": ["v", "a"], "left": []})
    assert len(device.pools[OUTSIDE]) == 0
    assert len(device.pools["vip"]) == 1
    device.learn(badge, {"entered": [], "left": ["v"]})
    assert len(device.pools[ARENA_CODE]) == 1


def test_the_scanners_read_a_header_from_an_answers_head() -> None:
    from scan_bench.load import header  # noqa: PLC0415

    head = b"http/1.1 200 ok\r\ncontent-length: 42\r\nratelimit-limit: 60000"
    assert header(head, b"content-length") == "42"
    assert header(head, b"ratelimit-limit") == "60000"
    assert header(head, b"retry-after") is None
