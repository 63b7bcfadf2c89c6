"""The access log as tables, written by the access log projector in the runner's batch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from sqlalchemy import Connection, select, tuple_

from adapters.access.access_log_tables import access_gate_logs, access_log
from adapters.projection.sql_view import SqlView
from domain.access.gate_log import GateLog

ScanOfLog = tuple[UUID, str, str]  # (log id, device id, nonce)
l_ = access_log.c


class SqlAccessLogView(SqlView):
    """The access log projector's view changes, inside the runner's transaction."""

    tables = (access_gate_logs, access_log)

    def __init__(self, conn: Connection) -> None:
        super().__init__(conn)
        # Where each scan this batch (or an earlier one) recorded is, for its annulment.
        self._versions: dict[ScanOfLog, int] = {}

    def prefetch(self, domain_events: Sequence[DomainEventProtocol[Any]]) -> None:
        self.rows.load(access_gate_logs, {e.originator_id for e in domain_events})
        annulled = [
            (e.originator_id, e.device_id, e.nonce)
            for e in domain_events
            if isinstance(e, GateLog.ScanAnnulled)
        ]
        if annulled:
            key = tuple_(l_.log_id, l_.device_id, l_.nonce)
            found = self.conn.execute(
                select(l_.log_id, l_.device_id, l_.nonce, l_.version)
                .where(key.in_(annulled))
                .order_by(l_.version)
            )
            for row in found:
                self._versions[(row.log_id, row.device_id, row.nonce)] = row.version

    def log_opened(self, log_id: UUID, tenant_id: UUID, event_id: UUID, at: datetime) -> None:
        self.rows.insert(
            access_gate_logs,
            {
                "log_id": log_id,
                "tenant_id": tenant_id,
                "event_id": event_id,
                "scans": 0,
                "opened_at": at,
            },
        )

    def scan_decided(self, log_id: UUID, version: int, values: dict[str, Any]) -> None:
        scans = self.rows.value(access_gate_logs, log_id, "scans")
        self.rows.update(access_gate_logs, log_id, {"scans": scans + 1})
        self.rows.insert(
            access_log,
            {
                **values,
                "log_id": log_id,
                "version": version,
                "tenant_id": self.rows.value(access_gate_logs, log_id, "tenant_id"),
                "event_id": self.rows.value(access_gate_logs, log_id, "event_id"),
                "annulled": False,
                "annulled_at": None,
                "annulment_reason": None,
            },
        )
        self._versions[(log_id, values["device_id"], values["nonce"])] = version

    def scan_annulled(
        self, log_id: UUID, device_id: str, nonce: str, reason: str, at: datetime
    ) -> None:
        version = self._versions.get((log_id, device_id, nonce))
        if version is None:
            # The gate annuls only scans it recorded: nothing here to mark.
            return
        changes = {"annulled": True, "annulled_at": at, "annulment_reason": reason}
        self.rows.update(access_log, (log_id, version), changes)
