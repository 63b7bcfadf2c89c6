"""The access log read model: one row per decided scan, marked when it is annulled.

Every scan the gate decided is a row, denials included; an annulment marks the row
of the scan it names (by device and nonce, in the same gate log) rather than
removing it, so analysts see what was decided and what was undone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from domain.access.gate_log import GateLog
from projections.projector import Projector, on


class AccessLogView(Protocol):
    """Where the access log projector writes gate logs and their scans."""

    def log_opened(self, log_id: UUID, tenant_id: UUID, event_id: UUID, at: datetime) -> None:
        """The event's gate log, with no scan yet."""

    def scan_decided(self, log_id: UUID, version: int, values: dict[str, Any]) -> None:
        """A decided scan of the log, at this version of it."""

    def scan_annulled(
        self, log_id: UUID, device_id: str, nonce: str, reason: str, at: datetime
    ) -> None:
        """The log's scan with this device and nonce was annulled."""


class AccessLogProjector(Projector[AccessLogView]):
    name = "access_log"
    version = 1
    upstream = ("access",)

    @on(GateLog.Opened)
    def _opened(self, e: GateLog.Opened, view: AccessLogView) -> None:
        view.log_opened(e.originator_id, e.tenant_id, e.event_id, e.timestamp)

    @on(GateLog.ScanDecided)
    def _decided(self, e: GateLog.ScanDecided, view: AccessLogView) -> None:
        values = {
            "device_id": e.device_id,
            "nonce": e.nonce,
            "direction": e.direction,
            "result": e.result,
            "reason": e.reason,
            "scanned_at": e.scanned_at,
            "recorded_at": e.timestamp,
            "checkpoint_id": e.checkpoint_id,
            "credential_id": e.credential_id,
            "participant_id": e.participant_id,
            "zone_id": e.zone_id,
            "forced": e.forced,
            "overridden": e.overridden,
            "offline": e.offline,
        }
        view.scan_decided(e.originator_id, e.originator_version, values)

    @on(GateLog.ScanAnnulled)
    def _annulled(self, e: GateLog.ScanAnnulled, view: AccessLogView) -> None:
        view.scan_annulled(e.originator_id, e.device_id, e.nonce, e.reason, e.timestamp)
