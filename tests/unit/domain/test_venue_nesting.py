"""Nesting zones, whatever the order of moves: never a cycle, and chains are the ancestors."""

from __future__ import annotations

from uuid import UUID, uuid4

from hypothesis import given
from hypothesis import strategies as st

from domain.access.plan import ZoneNesting
from domain.access.venue import Venue

ZONES = 8
# Each step moves zone `child` under zone `parent` (None: out of every zone).
MOVES = st.lists(
    st.tuples(st.integers(0, ZONES - 1), st.one_of(st.none(), st.integers(0, ZONES - 1))),
    max_size=40,
)


def _ancestors(parents: dict[UUID, UUID | None], zone_id: UUID) -> list[UUID]:
    chain = [zone_id]
    while (parent := parents[chain[-1]]) is not None:
        chain.append(parent)
    return chain


@given(MOVES)
def test_moving_zones_about_never_makes_a_cycle_and_chains_follow_the_parents(
    moves: list[tuple[int, int | None]],
) -> None:
    venue = Venue(tenant_id=uuid4(), event_id=uuid4())
    ids = [venue.add_zone(f"z{n}", f"Zone {n}") for n in range(ZONES)]
    parents: dict[UUID, UUID | None] = dict.fromkeys(ids)

    for child, parent in moves:
        child_id = ids[child]
        parent_id = None if parent is None else ids[parent]
        would_cycle = parent_id is not None and child_id in _ancestors(parents, parent_id)
        try:
            venue.change_zone(child_id, {"parent_id": parent_id})
        except ZoneNesting:
            assert would_cycle
        else:
            assert not would_cycle
            parents[child_id] = parent_id

    for zone_id in ids:
        chain = [z.id for z in venue.zone_chain(zone_id)]
        assert chain == _ancestors(parents, zone_id)
        assert len(set(chain)) == len(chain)
