"""The venues read model on both stores: zones, rules and checkpoints once caught up."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select

from adapters.access.venue_queries import VenueQueries
from adapters.access.venue_tables import access_zone_rules
from adapters.access.venue_view import SqlVenuesView
from adapters.projection.rebuild import rebuild
from adapters.projection.sql_projection import SqlProjection
from adapters.projection.verify import verify
from adapters.settings import Settings
from domain.access.application import AccessApplication
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build
from projections.access.venues import VenuesProjector

PARIS = timezone(timedelta(hours=2))
DAY_ONE = datetime(2027, 6, 1, 9, 0, tzinfo=PARIS)
CATEGORIES = ("press", "staff", "crew")


@pytest.fixture
def container(any_settings: Settings) -> Iterator[Container]:
    built = build(any_settings)
    yield built
    built.close()


def _window(start: datetime, hours: int = 9) -> dict[str, datetime]:
    return {"starts_at": start, "ends_at": start + timedelta(hours=hours)}


def _plan(container: Container) -> dict[str, Any]:
    """An arena with a VIP area and a press box, two gates, rules replaced and narrowed."""
    app = container.app(AccessApplication)
    tenant, event = uuid4(), uuid4()
    arena = app.add_zone(tenant, event, "arena", "Arena", capacity=5000).id
    vip = app.add_zone(tenant, event, "vip", "VIP", parent_id=arena, reentry="UNLIMITED").id
    box = app.add_zone(tenant, event, "box", "Press box", parent_id=arena).id
    app.replace_zone_rules(
        tenant,
        event,
        vip,
        [
            {"category": "press", "windows": [_window(DAY_ONE), _window(DAY_ONE + timedelta(1))]},
            {"category": "staff"},
            {"category": "crew", "windows": [_window(DAY_ONE)]},
        ],
        CATEGORIES,
    )
    app.replace_zone_rules(tenant, event, vip, [{"category": "staff"}], CATEGORIES)
    app.replace_zone_rules(
        tenant, event, box, [{"category": "press", "windows": [_window(DAY_ONE)]}], CATEGORIES
    )
    app.change_zone_capacity(tenant, event, vip, 0)
    north = app.add_checkpoint(tenant, event, "North gate", "ENTRY", arena).id
    south = app.add_checkpoint(tenant, event, "South gate", "BOTH", vip).id
    app.switch_checkpoint(tenant, event, north, active=False)
    app.change_checkpoint(tenant, event, south, {"zone_id": arena, "direction": "EXIT"})
    app.change_zone(tenant, event, box, {"name": "Media box", "parent_id": None})
    app.remove_checkpoint(tenant, event, south)
    gone = app.add_zone(tenant, event, "gone", "Gone soon").id
    app.replace_zone_rules(tenant, event, gone, [{"category": "crew"}], CATEGORIES)
    last = app.remove_zone(tenant, event, gone)
    return {
        "tenant": tenant,
        "event": event,
        "arena": arena,
        "vip": vip,
        "box": box,
        "north": north,
        "south": south,
        "version": last.version,
    }


def test_queries_see_the_zones_rules_and_checkpoints_the_commands_left(
    container: Container,
) -> None:
    plan = _plan(container)
    tenant, event = plan["tenant"], plan["event"]

    container.catch_up()
    queries = container.query(VenueQueries)
    zones = queries.zones(tenant, event, 10, None).items
    vip = queries.zone(tenant, event, plan["vip"])
    vip_rules = queries.zone_rules(tenant, event, plan["vip"])
    box_rules = queries.zone_rules(tenant, event, plan["box"])
    checkpoints = queries.checkpoints(tenant, event, 10, None).items

    assert [(z.code, z.name, z.parent_id) for z in zones] == [
        ("arena", "Arena", None),
        ("vip", "VIP", plan["arena"]),
        ("box", "Media box", None),
    ]
    assert vip is not None
    assert (vip.capacity, vip.reentry, vip.restricted) == (0, "UNLIMITED", True)
    assert {z.version for z in zones} == {vip.version} == {plan["version"]}
    assert vip_rules is not None
    assert vip_rules.rules == [{"category": "staff", "windows": []}]
    assert box_rules is not None
    assert box_rules.rules == [
        {
            "category": "press",
            "windows": [
                {
                    "starts_at": datetime(2027, 6, 1, 7, 0, tzinfo=UTC),
                    "ends_at": datetime(2027, 6, 1, 16, 0, tzinfo=UTC),
                }
            ],
        }
    ]
    assert [(c.name, c.direction, c.active) for c in checkpoints] == [
        ("North gate", "ENTRY", False)
    ]


def test_replaced_and_removed_rules_leave_no_rows_behind(container: Container) -> None:
    _plan(container)

    container.catch_up()
    with container.engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(access_zone_rules)).scalar_one()

    assert rows == 2  # vip: staff at any time; box: press on day one


def test_another_tenant_sees_none_of_the_events_zones(container: Container) -> None:
    plan = _plan(container)
    container.catch_up()
    queries = container.query(VenueQueries)
    stranger: UUID = uuid4()

    assert queries.zones(stranger, plan["event"], 10, None).items == []
    assert queries.zone(stranger, plan["event"], plan["vip"]) is None
    assert queries.zone_rules(stranger, plan["event"], plan["vip"]) is None
    assert queries.checkpoint(stranger, plan["event"], plan["north"]) is None


def test_pages_of_zones_follow_one_another_without_gaps(container: Container) -> None:
    app = container.app(AccessApplication)
    tenant, event = uuid4(), uuid4()
    for n in range(7):
        app.add_zone(tenant, event, f"z{n}", f"Zone {n}")
    container.catch_up()
    queries = container.query(VenueQueries)

    codes, cursor = [], None
    while True:
        page = queries.zones(tenant, event, 3, cursor)
        codes.append([z.code for z in page.items])
        if (cursor := page.next_cursor) is None:
            break

    assert codes == [["z0", "z1", "z2"], ["z3", "z4", "z5"], ["z6"]]


def test_a_rebuild_in_small_batches_gives_the_same_tables_and_verify_finds_no_difference(
    container: Container,
) -> None:
    _plan(container)
    _plan(container)
    live = SqlProjection(
        container.engine,
        VenuesProjector(),
        SqlVenuesView,
        container.applications,
        batch_size=3,
    )
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
