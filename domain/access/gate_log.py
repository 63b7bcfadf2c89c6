"""The gate log: the recorded scans of one event, every decision and every annulment.

One aggregate per event, with an id derived from the tenant's and the event's. Its
domain events are the scans' record: who decides scans appends them in batches,
each batch one commit, and the aggregate's version is the fence between two
deciders (a second one appending at a version the first has taken is refused by
the event store, and must catch up before it may decide again). The aggregate
keeps no state of its own: who is where is the `ScanLedger` the decisions add up
to, rebuilt by replaying them.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.access.scan import Decision, Passage, ScanResult

# Fixed for good: every gate log id ever handed out was derived with it.
GATE_LOG_NAMESPACE = uuid5(NAMESPACE_URL, "accredit:access:gate-log")


@lru_cache(maxsize=4096)
def gate_log_id(tenant_id: UUID, event_id: UUID) -> UUID:
    """The id of the event's gate log: the same in every process."""
    return uuid5(GATE_LOG_NAMESPACE, f"{tenant_id}:{event_id}")


class GateLog(Aggregate):
    # Domain events: a public contract, each with its typed payload.

    class Opened(Aggregate.Created):
        """The event's first scan is about to be recorded."""

        tenant_id: UUID
        event_id: UUID

    class ScanDecided(Aggregate.Event):
        """A scan was decided, whatever the result: denials are recorded too.

        `entered` and `left` are the zones the scan moved the participant into and
        out of, innermost first; the record time is the domain event's timestamp.
        `checkpoint_id` is null for the exits of an end-of-day check-out.
        """

        device_id: str
        nonce: str
        direction: str
        result: str
        reason: str
        scanned_at: datetime
        checkpoint_id: UUID | None
        credential_id: UUID | None
        participant_id: UUID | None
        zone_id: UUID | None
        entered: list[UUID]
        left: list[UUID]
        forced: bool
        overridden: str | None
        offline: bool

        def apply(self, aggregate: Any) -> None:
            """Changes nothing on the aggregate: the ledger replays the decisions."""

    class ScanAnnulled(Aggregate.Event):
        """A scan (named by its device and nonce) was annulled, with the moves that undid it."""

        device_id: str
        nonce: str
        reason: str
        entered: list[UUID]
        left: list[UUID]

        def apply(self, aggregate: Any) -> None:
            """Changes nothing on the aggregate: the ledger replays the annulments."""

    @event(Opened)
    def __init__(self, tenant_id: UUID, event_id: UUID) -> None:
        self.tenant_id = tenant_id
        self.event_id = event_id

    @staticmethod
    def create_id(tenant_id: UUID, event_id: UUID) -> UUID:
        return gate_log_id(tenant_id, event_id)


def recorded(
    log_id: UUID, version: int, decision: Decision
) -> GateLog.ScanDecided | GateLog.ScanAnnulled:
    """The domain event that records a decision at this version of the log."""
    header: dict[str, Any] = {
        "originator_id": log_id,
        "originator_version": version,
        "timestamp": decision.recorded_at,
    }
    if decision.annulment:
        undone: dict[str, Any] = {
            "device_id": decision.device_id,
            "nonce": decision.nonce,
            "reason": decision.reason,
            "entered": list(decision.entered),
            "left": list(decision.left),
        }
        return GateLog.ScanAnnulled(**header, **undone)
    payload: dict[str, Any] = {
        "device_id": decision.device_id,
        "nonce": decision.nonce,
        "direction": decision.passage.value,
        "result": decision.result.value,
        "reason": decision.reason,
        "scanned_at": decision.scanned_at,
        "checkpoint_id": decision.checkpoint_id,
        "credential_id": decision.credential_id,
        "participant_id": decision.participant_id,
        "zone_id": decision.zone_id,
        "entered": list(decision.entered),
        "left": list(decision.left),
        "forced": decision.forced,
        "overridden": None if decision.overridden is None else decision.overridden.value,
        "offline": decision.offline,
    }
    return GateLog.ScanDecided(**header, **payload)


def decision_of(domain_event: GateLog.ScanDecided) -> Decision:
    """The decision a recorded scan holds."""
    return Decision(
        device_id=domain_event.device_id,
        nonce=domain_event.nonce,
        passage=Passage(domain_event.direction),
        result=ScanResult(domain_event.result),
        reason=domain_event.reason,
        scanned_at=domain_event.scanned_at,
        recorded_at=domain_event.timestamp,
        checkpoint_id=domain_event.checkpoint_id,
        credential_id=domain_event.credential_id,
        participant_id=domain_event.participant_id,
        zone_id=domain_event.zone_id,
        entered=tuple(domain_event.entered),
        left=tuple(domain_event.left),
        forced=domain_event.forced,
        overridden=None if domain_event.overridden is None else ScanResult(domain_event.overridden),
        offline=domain_event.offline,
    )


def annulment_of(domain_event: GateLog.ScanAnnulled, original: Decision) -> Decision:
    """The annulment a recorded domain event holds, of the decision it annulled."""
    return Decision(
        device_id=domain_event.device_id,
        nonce=domain_event.nonce,
        passage=original.passage,
        result=ScanResult.OK,
        reason=domain_event.reason,
        scanned_at=original.scanned_at,
        recorded_at=domain_event.timestamp,
        checkpoint_id=original.checkpoint_id,
        credential_id=original.credential_id,
        participant_id=original.participant_id,
        zone_id=original.zone_id,
        entered=tuple(domain_event.entered),
        left=tuple(domain_event.left),
        offline=original.offline,
        annulment=True,
    )
