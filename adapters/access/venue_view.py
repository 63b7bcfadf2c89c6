"""Venues as tables, written by the venues projector in the runner's batch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol

from adapters.access.venue_tables import (
    access_checkpoints,
    access_venues,
    access_zone_rules,
    access_zones,
)
from adapters.projection.sql_view import SqlView


class SqlVenuesView(SqlView):
    """The venues projector's view changes, inside the runner's transaction."""

    tables = (access_venues, access_zones, access_zone_rules, access_checkpoints)

    def prefetch(self, domain_events: Sequence[DomainEventProtocol[Any]]) -> None:
        # New zones and checkpoints read their venue's row; rule changes and removals
        # read the zone's row (how many rule rows it has): both read for the whole batch.
        self.rows.load(access_venues, {e.originator_id for e in domain_events})
        zones = {z for e in domain_events if isinstance(z := getattr(e, "zone_id", None), UUID)}
        self.rows.load(access_zones, zones)

    def _owner(self, venue_id: UUID) -> dict[str, Any]:
        return {
            "venue_id": venue_id,
            "tenant_id": self.rows.value(access_venues, venue_id, "tenant_id"),
            "event_id": self.rows.value(access_venues, venue_id, "event_id"),
        }

    def venue_started(self, venue_id: UUID, tenant_id: UUID, event_id: UUID, at: datetime) -> None:
        self.rows.insert(
            access_venues,
            {
                "venue_id": venue_id,
                "tenant_id": tenant_id,
                "event_id": event_id,
                "version": 1,
                "created_at": at,
                "updated_at": at,
            },
        )

    def venue_changed(self, venue_id: UUID, version: int, at: datetime) -> None:
        self.rows.update(access_venues, venue_id, {"version": version, "updated_at": at})

    def zone_added(
        self, venue_id: UUID, zone_id: UUID, values: dict[str, Any], at: datetime
    ) -> None:
        self.rows.insert(
            access_zones,
            {
                **self._owner(venue_id),
                **values,
                "zone_id": zone_id,
                "rule_rows": 0,
                "created_at": at,
                "updated_at": at,
            },
        )

    def zone_changed(self, zone_id: UUID, changes: dict[str, Any], at: datetime) -> None:
        self.rows.update(access_zones, zone_id, {**changes, "updated_at": at})

    def zone_rules_replaced(self, zone_id: UUID, rules: list[dict[str, Any]], at: datetime) -> None:
        self._drop_rules(zone_id)
        owner = {
            "tenant_id": self.rows.value(access_zones, zone_id, "tenant_id"),
            "event_id": self.rows.value(access_zones, zone_id, "event_id"),
        }
        rows = [
            {"category": rule["category"], **window}
            for rule in rules
            for window in (rule["windows"] or [{"starts_at": None, "ends_at": None}])
        ]
        for row_no, row in enumerate(rows):
            self.rows.insert(
                access_zone_rules, {**owner, **row, "zone_id": zone_id, "row_no": row_no}
            )
        self.zone_changed(zone_id, {"rule_rows": len(rows)}, at)

    def zone_removed(self, zone_id: UUID) -> None:
        self._drop_rules(zone_id)
        self.rows.delete(access_zones, zone_id)

    def _drop_rules(self, zone_id: UUID) -> None:
        for row_no in range(self.rows.value(access_zones, zone_id, "rule_rows")):
            self.rows.delete(access_zone_rules, (zone_id, row_no))

    def checkpoint_added(
        self, venue_id: UUID, checkpoint_id: UUID, values: dict[str, Any], at: datetime
    ) -> None:
        self.rows.insert(
            access_checkpoints,
            {
                **self._owner(venue_id),
                **values,
                "checkpoint_id": checkpoint_id,
                "active": True,
                "created_at": at,
                "updated_at": at,
            },
        )

    def checkpoint_changed(
        self, checkpoint_id: UUID, changes: dict[str, Any], at: datetime
    ) -> None:
        self.rows.update(access_checkpoints, checkpoint_id, {**changes, "updated_at": at})

    def checkpoint_removed(self, checkpoint_id: UUID) -> None:
        self.rows.delete(access_checkpoints, checkpoint_id)
