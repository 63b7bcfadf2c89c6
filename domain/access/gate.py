"""The gate: one event's scans decided in memory, against its plan and its credentials.

`decide` is pure: it reads the plan, the credentials and the ledger, and answers a
Decision with the moves it implies; `apply` records a decision in the ledger. Who
decides in a worker records each decision as a domain event and recovers by applying
them again in order.

An entry is judged in this order: the code (UNKNOWN_CREDENTIAL), the checkpoint
(CHECKPOINT_INACTIVE, then its direction), the credential (REVOKED, SUSPENDED,
NOT_APPROVED), screening (BLOCKED), the zone rules of the whole chain (WRONG_ZONE,
OUTSIDE_VALIDITY_WINDOW), re-entry (ALREADY_INSIDE), then room (ZONE_FULL); the
first refusal is the answer.

Rules the plan leaves open, as decided here:

- a gate that does not go the scan's way (an entry at an EXIT-only gate) answers
  WRONG_ZONE, like a zone the participant may not enter at all;
- exits are refused only for an unknown code, an inactive or one-way gate, and
  someone not inside: a suspended, revoked or blocked participant may always leave;
- entering a zone needs the re-entry policy of the zone itself, and of each zone
  around it the scan also enters (a single-entry arena is not re-entered through a
  VIP door of its own);
- a forced scan (staff override) is OK over every refusal but an unknown code
  (no one to let through) and a full zone (a capacity is never exceeded), an
  inactive or one-way gate included; `overridden` names the refusal it overrode;
- a capacity lowered below the people inside keeps them in and lets no one else
  in (forced or not) until there is room again;
- an annulment, within ANNUL_WINDOW of the scan's recording, takes an entry's
  participant out of the zones it entered that they are still in (and the zones
  inside those), and puts an exit's participant back where the exit took them
  from, unless a zone is full: then the annulment is refused (ZONE_FULL), records
  nothing, and may be asked again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from uuid import UUID

from domain.access import admission, badge_code, zone_moves
from domain.access.admission import Refusal
from domain.access.credential import CodeCheck, credential_id
from domain.access.credential_snapshot import CredentialSnapshot
from domain.access.plan import Checkpoint
from domain.access.scan import Decision, Passage, Scan, ScanKey, ScanResult
from domain.access.scan_ledger import ScanLedger
from domain.access.venue import Venue
from domain.access.zone_moves import Moves
from domain.shared.errors import NotFound, RuleViolation

ANNUL_WINDOW = timedelta(minutes=5)
CHECK_OUT_DEVICE = "check-out"  # the device id of the exits a check-out implies

# A participant merged into another registration of the same person: the survivor's
# credential is the one to use.
MERGED = "merged"
MERGED_REASON = "the participant was merged into another registration; use the survivor's badge"
_CODE_REFUSALS: dict[CodeCheck, Refusal] = {
    CodeCheck.REVOKED: (ScanResult.REVOKED, "the credential is revoked"),
    CodeCheck.SUSPENDED: (ScanResult.SUSPENDED, "the credential is suspended"),
    CodeCheck.NOT_ELIGIBLE: (ScanResult.NOT_APPROVED, "the participant is not approved"),
}


class UnknownScan(NotFound):
    code = "unknown-scan"


class AnnulWindowClosed(RuleViolation):
    code = "annul-window-closed"
    title = "The scan was recorded too long ago to be annulled"


class Gate:
    def __init__(
        self,
        venue: Venue,
        credentials: Iterable[CredentialSnapshot] = (),
        blocked: Iterable[UUID] = (),
    ) -> None:
        self.venue = venue
        self.credentials = {c.credential_id: c for c in credentials}
        self.blocked = set(blocked)  # participant ids the screening context holds back
        self.ledger = ScanLedger()

    # What the decisions read, kept up to date from the other aggregates

    def update_credential(self, snapshot: CredentialSnapshot) -> None:
        self.credentials[snapshot.credential_id] = snapshot

    def block(self, participant_id: UUID) -> None:
        self.blocked.add(participant_id)

    def unblock(self, participant_id: UUID) -> None:
        self.blocked.discard(participant_id)

    # Occupancy

    def inside(self, zone_id: UUID) -> int:
        return self.ledger.inside(zone_id)

    def who_is_inside(self, zone_id: UUID) -> set[UUID]:
        return self.ledger.who_is_inside(zone_id)

    # Decisions

    def decide(self, scan: Scan, recorded_at: datetime | None = None) -> Decision:
        """The answer to a scan, changing nothing; a scan decided before gets its first answer.

        UnknownCheckpoint if the plan has no such checkpoint.
        """
        if (first := self.ledger.decisions.get(scan.key)) is not None:
            return first
        checkpoint = self.venue.checkpoint(scan.checkpoint_id)
        at = recorded_at or scan.scanned_at
        found = self._credential(scan.badge_code)
        if found is None:
            unknown = (ScanResult.UNKNOWN_CREDENTIAL, "the code is no current badge's")
            return self._decision(scan, at, None, checkpoint, unknown)
        credential, check = found
        current = self.ledger.where(credential.participant_id)
        if scan.passage is Passage.ENTRY:
            moves = zone_moves.into(self.venue, current, checkpoint.zone_id)
        else:
            moves = ((), zone_moves.out_of(current, checkpoint.zone_id))
        refusal = self._refusal(scan, checkpoint, credential, check, current, moves)
        if refusal is not None and not scan.forced:
            return self._decision(scan, at, credential, checkpoint, refusal)
        if (full := admission.by_room(self.venue, self.ledger, moves[0])) is not None:
            return self._decision(scan, at, credential, checkpoint, full)
        overridden = None if refusal is None else refusal[0]
        reason = "let through" if refusal is None else f"forced by staff over: {refusal[1]}"
        ok = (ScanResult.OK, reason)
        return self._decision(scan, at, credential, checkpoint, ok, moves, overridden)

    def apply(self, decision: Decision) -> None:
        """Records a decision's effect; one recorded already changes nothing."""
        self.ledger.record(decision)

    def scan(self, scan: Scan, recorded_at: datetime | None = None) -> Decision:
        """Decides a scan and applies its decision."""
        decision = self.decide(scan, recorded_at)
        self.apply(decision)
        return decision

    def decide_batch(
        self, scans: Sequence[Scan], recorded_at: datetime | None = None
    ) -> list[Decision]:
        """Decides and applies scans in the order they were made; answers in the order given.

        Ties in time go by nonce. Every checkpoint is looked up first, so a batch naming
        one the plan does not have is refused whole (UnknownCheckpoint), with no effect.
        """
        for scan in scans:
            if scan.key not in self.ledger.decisions:
                self.venue.checkpoint(scan.checkpoint_id)
        order = sorted(range(len(scans)), key=lambda n: (scans[n].scanned_at, scans[n].nonce))
        # (domain.access.gates.batch_order records them in this same order.)
        answers = {n: self.scan(scans[n], recorded_at) for n in order}
        return [answers[n] for n in range(len(scans))]

    def annul(self, device_id: str, nonce: str, at: datetime) -> Decision:
        """The undoing of a recorded scan, to apply; an annulled scan's annulment again.

        UnknownScan if no scan has that key, AnnulWindowClosed past ANNUL_WINDOW.
        """
        key: ScanKey = (device_id, nonce)
        if (done := self.ledger.annulments.get(key)) is not None:
            return done
        original = self.ledger.decisions.get(key)
        if original is None:
            raise UnknownScan(f"no scan from device {device_id} with nonce {nonce}")
        if at - original.recorded_at > ANNUL_WINDOW:
            raise AnnulWindowClosed(f"a scan may be annulled up to {ANNUL_WINDOW} after it")
        (result, reason), moves = self._undoing(original)
        return Decision(
            device_id=device_id,
            nonce=nonce,
            passage=original.passage,
            result=result,
            reason=reason,
            scanned_at=original.scanned_at,
            recorded_at=at,
            checkpoint_id=original.checkpoint_id,
            credential_id=original.credential_id,
            participant_id=original.participant_id,
            zone_id=original.zone_id,
            entered=moves[0],
            left=moves[1],
            offline=original.offline,
            annulment=True,
        )

    def _undoing(self, original: Decision) -> tuple[Refusal, Moves]:
        if not original.ok or original.participant_id is None:
            return (ScanResult.OK, "the scan was refused: nothing to undo"), zone_moves.NO_MOVES
        current = self.ledger.where(original.participant_id)
        if original.passage is Passage.ENTRY:
            left = zone_moves.out_of_any(current, original.entered)
            return (ScanResult.OK, "the entry is undone"), ((), left)
        moves = zone_moves.back_into(self.venue, current, original.left)
        if (full := admission.by_room(self.venue, self.ledger, moves[0])) is not None:
            return (full[0], f"cannot undo the exit: {full[1]}"), zone_moves.NO_MOVES
        return (ScanResult.OK, "the exit is undone"), moves

    def check_out_all(
        self, at: datetime, nonce: str, zone_id: UUID | None = None
    ) -> list[Decision]:
        """The exits an end of day implies: everyone out of the zone, or out of every zone.

        `nonce` names the check-out: each exit's key is derived from it and the
        participant, so a check-out asked again with its nonce has no second effect.
        """
        decisions = []
        for participant_id, current in sorted(self.ledger.whereabouts.items()):
            left = current if zone_id is None else zone_moves.out_of(current, zone_id)
            if not left:
                continue
            decisions.append(
                Decision(
                    device_id=CHECK_OUT_DEVICE,
                    nonce=f"{nonce}/{participant_id}",
                    passage=Passage.EXIT,
                    result=ScanResult.OK,
                    reason="checked out at the end of the day",
                    scanned_at=at,
                    recorded_at=at,
                    credential_id=credential_id(participant_id),
                    participant_id=participant_id,
                    zone_id=left[-1],
                    left=left,
                )
            )
        return decisions

    def _decision(
        self,
        scan: Scan,
        at: datetime,
        credential: CredentialSnapshot | None,
        checkpoint: Checkpoint,
        outcome: Refusal,
        moves: Moves = zone_moves.NO_MOVES,
        overridden: ScanResult | None = None,
    ) -> Decision:
        return Decision(
            device_id=scan.device_id,
            nonce=scan.nonce,
            passage=scan.passage,
            result=outcome[0],
            reason=outcome[1],
            scanned_at=scan.scanned_at,
            recorded_at=at,
            checkpoint_id=checkpoint.id,
            credential_id=None if credential is None else credential.credential_id,
            participant_id=None if credential is None else credential.participant_id,
            zone_id=checkpoint.zone_id,
            entered=moves[0],
            left=moves[1],
            forced=scan.forced,
            overridden=overridden,
            offline=scan.offline,
        )

    # Rules

    def _credential(self, code: str) -> tuple[CredentialSnapshot, CodeCheck] | None:
        """The credential the code is the current code of, and what it is worth now."""
        found = badge_code.credential_id_of(code)
        credential = None if found is None else self.credentials.get(found)
        if credential is None:
            return None
        check = credential.check(code)
        return None if check is CodeCheck.SUPERSEDED else (credential, check)

    def _refusal(
        self,
        scan: Scan,
        checkpoint: Checkpoint,
        credential: CredentialSnapshot,
        check: CodeCheck,
        current: tuple[UUID, ...],
        moves: Moves,
    ) -> Refusal | None:
        if not checkpoint.active:
            return ScanResult.CHECKPOINT_INACTIVE, f"{checkpoint.name} is closed"
        if scan.passage is Passage.EXIT:
            if not checkpoint.lets_out:
                return ScanResult.WRONG_ZONE, f"{checkpoint.name} only lets people in"
            if checkpoint.zone_id not in current:
                return ScanResult.NOT_INSIDE, "the participant is not inside"
            return None
        if not checkpoint.lets_in:
            return ScanResult.WRONG_ZONE, f"{checkpoint.name} only lets people out"
        if check is CodeCheck.NOT_ELIGIBLE and credential.participant_status == MERGED:
            return ScanResult.NOT_APPROVED, MERGED_REASON
        if check in _CODE_REFUSALS:
            return _CODE_REFUSALS[check]
        if credential.blocked_reason is not None:
            return ScanResult.BLOCKED, credential.blocked_reason
        if credential.participant_id in self.blocked:
            return ScanResult.BLOCKED, "the participant is blocked"
        zone_id, participant_id = checkpoint.zone_id, credential.participant_id
        return admission.by_rules(
            self.venue, zone_id, credential.category, scan.scanned_at
        ) or admission.by_reentry(
            self.venue, self.ledger, zone_id, participant_id, current, moves[0]
        )
