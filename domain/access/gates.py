"""Every event's gate as the access application's domain events leave it, and its asks.

Whoever decides scans keeps one `Gates`: it follows the access log in order (the
venues, the credentials and the gate logs, whatever process wrote them) and
answers each ask with the decisions it makes and the domain events that record
the new ones. Nothing here reads or writes a store: a decider applies what it
reads, saves what it is given, and on a conflict (another decider took a version
of a gate log first) drops the gate to rebuild it from that log.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.access import gate_log
from domain.access.credential import Credential
from domain.access.credential_snapshot import CredentialSnapshot
from domain.access.gate import Gate
from domain.access.gate_log import GateLog, gate_log_id
from domain.access.scan import Decision, Scan
from domain.access.venue import Venue, venue_id
from domain.shared.errors import NotFound


class NoAccessPlan(NotFound):
    code = "no-access-plan"


@dataclass(frozen=True)
class ScanBatch:
    """Scans to decide for one event, in the order given (one, or an offline batch)."""

    tenant_id: UUID
    event_id: UUID
    scans: tuple[Scan, ...]


@dataclass(frozen=True)
class Annulment:
    """The undoing of the scan a device recorded under a nonce."""

    tenant_id: UUID
    event_id: UUID
    device_id: str
    nonce: str


@dataclass(frozen=True)
class CheckOut:
    """Everyone out of the event, or of one zone, at the end of the day; named by its nonce."""

    tenant_id: UUID
    event_id: UUID
    nonce: str
    zone_id: UUID | None = None


Ask = ScanBatch | Annulment | CheckOut


@dataclass
class Answered:
    """What an ask decided: its decisions in the order asked, and which of them are new."""

    decisions: list[Decision]
    new: list[bool]
    events: list[Aggregate.Event] = field(default_factory=list)  # to record, in order


class Gates:
    def __init__(self) -> None:
        self.venues: dict[UUID, Venue] = {}
        self.credentials: dict[UUID, Credential] = {}
        self._credentials_of: defaultdict[UUID, set[UUID]] = defaultdict(set)  # by venue id
        self.gates: dict[UUID, Gate] = {}  # by gate log id, each made when first needed
        self.versions: dict[UUID, int] = {}  # each gate log's version, as recorded

    # Following the log

    def follow(self, domain_event: Any) -> None:
        """Applies one domain event of the access application, in log order."""
        if isinstance(domain_event, GateLog.Event):
            self._follow_scans(domain_event)
        elif isinstance(domain_event, Venue.Event):
            self._follow_venue(domain_event)
        elif isinstance(domain_event, Credential.Event):
            self._follow_credential(domain_event)

    def _follow_venue(self, domain_event: Venue.Event) -> None:
        venue = self.venues.get(domain_event.originator_id)
        changed = domain_event.mutate(venue)
        assert isinstance(changed, Venue)
        self.venues[changed.id] = changed
        gate = self.gates.get(gate_log_id(changed.tenant_id, changed.event_id))
        if gate is not None:
            gate.venue = changed

    def _follow_credential(self, domain_event: Credential.Event) -> None:
        credential = self.credentials.get(domain_event.originator_id)
        changed = domain_event.mutate(credential)
        assert isinstance(changed, Credential)
        self.credentials[changed.id] = changed
        self._credentials_of[venue_id(changed.tenant_id, changed.event_id)].add(changed.id)
        gate = self.gates.get(gate_log_id(changed.tenant_id, changed.event_id))
        if gate is not None:
            gate.update_credential(CredentialSnapshot.of(changed))

    def _follow_scans(self, domain_event: GateLog.Event) -> None:
        log_id = domain_event.originator_id
        if isinstance(domain_event, GateLog.Opened):
            self.versions[log_id] = domain_event.originator_version
            return
        if domain_event.originator_version <= self.versions.get(log_id, 0):
            return  # this decider's own, applied when it decided
        self.versions[log_id] = domain_event.originator_version
        gate = self.gates.get(log_id)
        if gate is None:
            return  # made from the whole log when first needed
        self._replay(gate, domain_event)

    @staticmethod
    def _replay(gate: Gate, domain_event: GateLog.Event) -> None:
        if isinstance(domain_event, GateLog.ScanDecided):
            gate.apply(gate_log.decision_of(domain_event))
        elif isinstance(domain_event, GateLog.ScanAnnulled):
            original = gate.ledger.decisions[(domain_event.device_id, domain_event.nonce)]
            gate.apply(gate_log.annulment_of(domain_event, original))

    # Gates

    def gate(self, tenant_id: UUID, event_id: UUID, history: Iterable[GateLog.Event] = ()) -> Gate:
        """The event's gate; made on first use from the log's `history` (its domain events).

        NoAccessPlan if the tenant's event has no zones or checkpoints yet.
        """
        log_id = gate_log_id(tenant_id, event_id)
        gate = self.gates.get(log_id)
        if gate is not None:
            return gate
        the_venue_id = venue_id(tenant_id, event_id)
        venue = self.venues.get(the_venue_id)
        if venue is None:
            raise NoAccessPlan(f"event {event_id} has no zones or checkpoints")
        credentials = (
            CredentialSnapshot.of(self.credentials[c]) for c in self._credentials_of[the_venue_id]
        )
        gate = Gate(venue, credentials)
        version = 0
        for domain_event in history:
            self._replay(gate, domain_event)
            version = domain_event.originator_version
        self.versions[log_id] = max(version, self.versions.get(log_id, 0))
        self.gates[log_id] = gate
        return gate

    def has_gate(self, tenant_id: UUID, event_id: UUID) -> bool:
        return gate_log_id(tenant_id, event_id) in self.gates

    def forget(self, log_id: UUID) -> None:
        """Drops a gate whose log another decider wrote to: it is made again from the log."""
        self.gates.pop(log_id, None)
        self.versions.pop(log_id, None)

    # Deciding

    def answer(self, ask: Ask, at: datetime) -> Answered:
        """Decides an ask on the event's gate, applying what it decides, as of `at`.

        The answer's events record the new decisions at the gate log's next versions
        (the log's first domain event too, for an event's first scan). Domain errors
        (an unknown checkpoint, scan or event) are raised with nothing applied.
        """
        gate = self.gate(ask.tenant_id, ask.event_id)
        log_id = gate_log_id(ask.tenant_id, ask.event_id)
        if isinstance(ask, ScanBatch):
            known = [s.key in gate.ledger.decisions for s in ask.scans]
            decisions = gate.decide_batch(ask.scans, at)
            new = [not k for k in known]
            # A batch naming one scan twice decides it once.
            seen: set[tuple[str, str]] = set()
            for n, decision in enumerate(decisions):
                if decision.key in seen:
                    new[n] = False
                seen.add(decision.key)
        elif isinstance(ask, Annulment):
            already = (ask.device_id, ask.nonce) in gate.ledger.annulments
            decision = gate.annul(ask.device_id, ask.nonce, at)
            # A refused annulment (a zone full) records nothing and may be asked again.
            fresh = not already and decision.ok
            if fresh:
                gate.apply(decision)
            decisions, new = [decision], [fresh]
        else:
            decisions = [
                d
                for d in gate.check_out_all(at, ask.nonce, ask.zone_id)
                if d.key not in gate.ledger.decisions
            ]
            for decision in decisions:
                gate.apply(decision)
            new = [True] * len(decisions)
        return Answered(decisions, new, self._record(ask, log_id, decisions, new, at))

    def _record(
        self,
        ask: Ask,
        log_id: UUID,
        decisions: list[Decision],
        new: list[bool],
        at: datetime,
    ) -> list[Aggregate.Event]:
        events: list[Aggregate.Event] = []
        version = self.versions.get(log_id, 0)
        if version == 0 and any(new):
            log = GateLog(ask.tenant_id, ask.event_id)
            (opened,) = log.collect_events()
            assert isinstance(opened, GateLog.Opened)
            object.__setattr__(opened, "timestamp", at)
            events.append(opened)
            version = 1
        for decision, fresh in zip(decisions, new, strict=True):
            if fresh:
                version += 1
                events.append(gate_log.recorded(log_id, version, decision))
        self.versions[log_id] = version
        return events
