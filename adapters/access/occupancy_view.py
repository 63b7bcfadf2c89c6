"""Occupancy as tables, written by the occupancy projector in the runner's batch.

A move changes a count only when it changes who is inside (a row of access_inside
appears or goes), so each zone's `inside` is always its rows there, and the sum of
its buckets' entries minus exits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from sqlalchemy import Table

from adapters.access.occupancy_tables import (
    access_event_buckets,
    access_inside,
    access_occupancy_events,
    access_occupancy_scans,
    access_occupancy_sources,
    access_occupancy_zones,
    access_present,
    access_zone_buckets,
)
from adapters.projection.row_buffer import MissingRow
from adapters.projection.sql_view import SqlView
from domain.access.gate_log import GateLog

BUCKET_MINUTES = 15
_COUNTS = {"entries": 0, "exits": 0, "denials": 0, "annulled": 0}


def bucket_of(at: datetime) -> datetime:
    """The start of the quarter hour (UTC) a moment falls in."""
    at = at.astimezone(UTC)
    return at.replace(minute=at.minute - at.minute % BUCKET_MINUTES, second=0, microsecond=0)


class SqlOccupancyView(SqlView):
    """The occupancy projector's view changes, inside the runner's transaction."""

    tables = (
        access_occupancy_sources,
        access_occupancy_events,
        access_occupancy_zones,
        access_inside,
        access_present,
        access_occupancy_scans,
        access_zone_buckets,
        access_event_buckets,
    )

    def prefetch(self, domain_events: Sequence[DomainEventProtocol[Any]]) -> None:
        self.rows.load(access_occupancy_sources, {e.originator_id for e in domain_events})
        zones: set[UUID] = set()
        for e in domain_events:
            if isinstance(zone := getattr(e, "zone_id", None), UUID):
                zones.add(zone)
            zones.update(getattr(e, "entered", ()), getattr(e, "left", ()))
        self.rows.load(access_occupancy_zones, zones)
        self.rows.load(
            access_occupancy_scans,
            [
                (e.originator_id, e.device_id, e.nonce)
                for e in domain_events
                if isinstance(e, GateLog.ScanDecided | GateLog.ScanAnnulled)
            ],
        )
        self._prefetch_moves(domain_events)

    def _prefetch_moves(self, domain_events: Sequence[DomainEventProtocol[Any]]) -> None:
        """Reads who is where and the quarter hours the batch's scans will count in."""
        inside: set[tuple[UUID, UUID]] = set()
        present: set[tuple[UUID, UUID, UUID]] = set()
        zone_buckets: set[tuple[UUID, datetime]] = set()
        event_buckets: set[tuple[UUID, UUID, datetime]] = set()
        # Gate logs opened in this batch have no row yet: their events say whose they are.
        opened = {
            e.originator_id: (e.tenant_id, e.event_id)
            for e in domain_events
            if isinstance(e, GateLog.Opened)
        }
        for e in domain_events:
            if isinstance(e, GateLog.ScanDecided):
                at, who = e.scanned_at, e.participant_id
            elif isinstance(e, GateLog.ScanAnnulled):
                at, who = e.timestamp, self._scanned(e.originator_id, e.device_id, e.nonce)
            else:
                continue
            owner = opened.get(e.originator_id)
            if owner is None:
                try:
                    owner = self._event_of(e.originator_id)
                except MissingRow:
                    continue
            bucket = bucket_of(at)
            event_buckets.add((*owner, bucket))
            zones = {*e.entered, *e.left}
            if isinstance(e, GateLog.ScanDecided) and e.zone_id is not None:
                zones.add(e.zone_id)
            zone_buckets.update((z, bucket) for z in zones)
            if who is not None:
                inside.update((z, who) for z in zones)
                present.add((*owner, who))
        self.rows.load(access_inside, inside)
        self.rows.load(access_present, present)
        self.rows.load(access_zone_buckets, zone_buckets)
        self.rows.load(access_event_buckets, event_buckets)

    def _scanned(self, log_id: UUID, device_id: str, nonce: str) -> UUID | None:
        """Who the log's scan with this key was of, if it was recorded before this batch."""
        key = (log_id, device_id, nonce)
        if not self._exists(access_occupancy_scans, key, "participant_id"):
            return None
        who: UUID | None = self.rows.value(access_occupancy_scans, key, "participant_id")
        return who

    def _exists(self, table: Table, key: Any, column: str) -> bool:
        try:
            self.rows.value(table, key, column)
        except MissingRow:
            return False
        return True

    def _event_of(self, source_id: UUID) -> tuple[UUID, UUID]:
        row = access_occupancy_sources
        return (
            self.rows.value(row, source_id, "tenant_id"),
            self.rows.value(row, source_id, "event_id"),
        )

    def event_source(self, source_id: UUID, tenant_id: UUID, event_id: UUID) -> None:
        self.rows.insert(
            access_occupancy_sources,
            {"source_id": source_id, "tenant_id": tenant_id, "event_id": event_id},
        )
        if not self._exists(access_occupancy_events, (tenant_id, event_id), "inside"):
            self.rows.insert(
                access_occupancy_events,
                {
                    "tenant_id": tenant_id,
                    "event_id": event_id,
                    "inside": 0,
                    "peak": 0,
                    "peak_at": None,
                },
            )

    def zone_added(self, venue_id: UUID, zone_id: UUID, values: dict[str, Any]) -> None:
        if self._exists(access_occupancy_zones, zone_id, "inside"):
            self.zone_changed(zone_id, values)
            return
        tenant_id, event_id = self._event_of(venue_id)
        self._new_zone(zone_id, tenant_id, event_id, values)

    def _new_zone(
        self, zone_id: UUID, tenant_id: UUID, event_id: UUID, values: dict[str, Any]
    ) -> None:
        self.rows.insert(
            access_occupancy_zones,
            {
                "name": None,
                "capacity": None,
                "parent_id": None,
                **values,
                "zone_id": zone_id,
                "tenant_id": tenant_id,
                "event_id": event_id,
                "inside": 0,
                "peak": 0,
                "peak_at": None,
                "removed": False,
            },
        )

    def zone_changed(self, zone_id: UUID, changes: dict[str, Any]) -> None:
        self.rows.update(access_occupancy_zones, zone_id, changes)

    def scan_decided(self, log_id: UUID, values: dict[str, Any]) -> None:
        tenant_id, event_id = self._event_of(log_id)
        key = (log_id, values["device_id"], values["nonce"])
        scan = {
            "participant_id": values["participant_id"],
            "credential_id": values["credential_id"],
            "zone_id": values["zone_id"],
        }
        if self._exists(access_occupancy_scans, key, "zone_id"):
            self.rows.update(access_occupancy_scans, key, scan)
        else:
            self.rows.insert(
                access_occupancy_scans,
                {**scan, "log_id": log_id, "device_id": key[1], "nonce": key[2]},
            )
        at: datetime = values["scanned_at"]
        bucket = bucket_of(at)
        if values["denied"]:
            self._count_event(tenant_id, event_id, bucket, "denials")
            if values["zone_id"] is not None:
                self._count_zone(values["zone_id"], tenant_id, event_id, bucket, "denials")
        if values["participant_id"] is not None:
            self._move(tenant_id, event_id, scan, values["entered"], values["left"], at)

    def scan_annulled(
        self, log_id: UUID, device_id: str, nonce: str, moves: dict[str, Any], at: datetime
    ) -> None:
        tenant_id, event_id = self._event_of(log_id)
        key = (log_id, device_id, nonce)
        bucket = bucket_of(at)
        self._count_event(tenant_id, event_id, bucket, "annulled")
        if not self._exists(access_occupancy_scans, key, "zone_id"):
            return  # the gate annuls only scans it recorded
        t = access_occupancy_scans
        scan = {c: self.rows.value(t, key, c) for c in ("participant_id", "credential_id")}
        zone_id = self.rows.value(t, key, "zone_id")
        if zone_id is not None:
            self._count_zone(zone_id, tenant_id, event_id, bucket, "annulled")
        if scan["participant_id"] is not None:
            self._move(tenant_id, event_id, scan, moves["entered"], moves["left"], at)

    def _move(
        self,
        tenant_id: UUID,
        event_id: UUID,
        scan: dict[str, Any],
        entered: list[UUID],
        left: list[UUID],
        at: datetime,
    ) -> None:
        participant_id: UUID = scan["participant_id"]
        bucket = bucket_of(at)
        for zone_id in left:
            if not self._exists(access_inside, (zone_id, participant_id), "since"):
                continue
            self.rows.delete(access_inside, (zone_id, participant_id))
            self._count_zone(zone_id, tenant_id, event_id, bucket, "exits")
            self._add_inside(access_occupancy_zones, zone_id, -1, at)
            self._present(tenant_id, event_id, participant_id, -1, at)
        for zone_id in entered:
            if self._exists(access_inside, (zone_id, participant_id), "since"):
                continue
            self.rows.insert(
                access_inside,
                {
                    "zone_id": zone_id,
                    "participant_id": participant_id,
                    "tenant_id": tenant_id,
                    "event_id": event_id,
                    "credential_id": scan["credential_id"],
                    "since": at,
                },
            )
            self._count_zone(zone_id, tenant_id, event_id, bucket, "entries")
            self._add_inside(access_occupancy_zones, zone_id, 1, at)
            self._present(tenant_id, event_id, participant_id, 1, at)

    def _present(
        self, tenant_id: UUID, event_id: UUID, participant_id: UUID, step: int, at: datetime
    ) -> None:
        """The participant's count of zones moved by one; arriving or leaving moves the event's."""
        key = (tenant_id, event_id, participant_id)
        zones = self.rows.value(access_present, key, "zones") if self._present_row(key) else 0
        zones += step
        event_key = (tenant_id, event_id)
        bucket = bucket_of(at)
        if zones == 0:
            self.rows.delete(access_present, key)
            self._count_event(tenant_id, event_id, bucket, "exits")
            self._add_inside(access_occupancy_events, event_key, -1, at)
        elif zones == 1 and step == 1:
            self.rows.insert(
                access_present,
                {
                    "tenant_id": tenant_id,
                    "event_id": event_id,
                    "participant_id": participant_id,
                    "zones": 1,
                    "since": at,
                },
            )
            self._count_event(tenant_id, event_id, bucket, "entries")
            self._add_inside(access_occupancy_events, event_key, 1, at)
        else:
            self.rows.update(access_present, key, {"zones": zones})

    def _present_row(self, key: tuple[UUID, UUID, UUID]) -> bool:
        return self._exists(access_present, key, "zones")

    def _add_inside(self, table: Table, key: Any, step: int, at: datetime) -> None:
        inside = self.rows.value(table, key, "inside") + step
        changes: dict[str, Any] = {"inside": inside}
        if inside > self.rows.value(table, key, "peak"):
            changes.update(peak=inside, peak_at=at)
        self.rows.update(table, key, changes)

    def _count_zone(
        self, zone_id: UUID, tenant_id: UUID, event_id: UUID, bucket: datetime, column: str
    ) -> None:
        if not self._exists(access_occupancy_zones, zone_id, "inside"):
            self._new_zone(zone_id, tenant_id, event_id, {})
        key = (zone_id, bucket)
        if not self._exists(access_zone_buckets, key, column):
            row = {"zone_id": zone_id, "bucket_start": bucket, **_COUNTS}
            self.rows.insert(
                access_zone_buckets, {**row, "tenant_id": tenant_id, "event_id": event_id}
            )
        self._increment(access_zone_buckets, key, column)

    def _count_event(self, tenant_id: UUID, event_id: UUID, bucket: datetime, column: str) -> None:
        key = (tenant_id, event_id, bucket)
        if not self._exists(access_event_buckets, key, column):
            row = {"tenant_id": tenant_id, "event_id": event_id, "bucket_start": bucket}
            self.rows.insert(access_event_buckets, {**row, **_COUNTS})
        self._increment(access_event_buckets, key, column)

    def _increment(self, table: Table, key: Any, column: str) -> None:
        self.rows.update(table, key, {column: self.rows.value(table, key, column) + 1})
