"""Each key's command positions, shared through the service tables, on both backends."""

from __future__ import annotations

from sqlalchemy import Engine

from adapters.service.key_positions import KeyPositions
from domain.shared.application import Position


def test_a_key_position_only_moves_forward_per_application(engine: Engine) -> None:
    positions = KeyPositions(engine)

    positions.record("key-a", [Position("platform", 7)])
    positions.record("key-a", [Position("platform", 5), Position("registration", 3)])
    positions.record("key-a", [Position("platform", 9)])

    assert sorted(positions.of("key-a", {"platform", "registration"}), key=str) == [
        Position("platform", 9),
        Position("registration", 3),
    ]


def test_positions_are_per_key_and_limited_to_the_applications_asked_for(
    engine: Engine,
) -> None:
    positions = KeyPositions(engine)
    positions.record("key-a", [Position("platform", 4), Position("registration", 8)])
    positions.record("key-b", [Position("platform", 6)])

    assert positions.of("key-a", {"registration"}) == [Position("registration", 8)]
    assert positions.of("key-b", {"registration"}) == []
    assert positions.of("key-c", {"platform"}) == []
    assert positions.of("key-a", set()) == []


def test_a_second_process_sees_the_positions_the_first_recorded(engine: Engine) -> None:
    KeyPositions(engine).record("key-a", [Position("platform", 12)])

    assert KeyPositions(engine).of("key-a", {"platform"}) == [Position("platform", 12)]
