"""Scans at the gates: one at a time, offline batches, annulments, and the end-of-day check-out.

Every answer is a decision (OK, or a refusal with its reason), recorded as a domain
event before it is answered, denials included; a 4xx is only for a request that
names no checkpoint, scan or plan of the tenant's. The same nonce from the same
device answers the first decision again, with `Idempotent-Replayed: true`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any, Protocol
from uuid import UUID

import falcon

from adapters.access.scan_desk import DeciderUnavailable, Reply, Request
from domain.access.gates import Annulment, Answered, Ask, CheckOut, ScanBatch
from domain.access.scan import Decision, Passage, Scan, ScannedAhead
from domain.platform.permissions import Permission
from domain.shared.application import utc_now
from domain.shared.cause import current_cause
from entrypoints.http.access import scan_examples as examples
from entrypoints.http.access.scan_schemas import (
    AnnulSchema,
    CheckOutAnswerSchema,
    CheckOutSchema,
    DecisionSchema,
    ScanBatchAnswerSchema,
    ScanBatchSchema,
    ScanSchema,
)
from entrypoints.http.problems import Problem
from entrypoints.http.requests import POSITION_HEADER, load_body
from entrypoints.http.responders import Operation

SCAN = Permission.CHECK_IN_SCAN
MANAGE = Permission.ACCESS_MANAGE
TAGS = ("scans",)
REPLAYED_HEADER = "Idempotent-Replayed"
# A device's clock may run a little ahead; a scan from further in the future is refused.
FUTURE_TOLERANCE = timedelta(minutes=5)

SCAN_SCHEMA = ScanSchema()
BATCH_SCHEMA = ScanBatchSchema()
ANNUL_SCHEMA = AnnulSchema()
CHECK_OUT_SCHEMA = CheckOutSchema()
DECISION_SCHEMA = DecisionSchema()


class Scanner(Protocol):
    """Who decides scans: a desk in this process, or the scan decider worker."""

    def answer(self, requests: Sequence[Request]) -> list[Reply]: ...


def document(decision: Decision) -> dict[str, Any]:
    answer: dict[str, Any] = DECISION_SCHEMA.dump(
        {
            "result": decision.result.value,
            "reason": decision.reason,
            "ok": decision.ok,
            "device_id": decision.device_id,
            "nonce": decision.nonce,
            "direction": decision.passage.value,
            "checkpoint_id": decision.checkpoint_id,
            "zone_id": decision.zone_id,
            "credential_id": decision.credential_id,
            "participant_id": decision.participant_id,
            "entered": list(decision.entered),
            "left": list(decision.left),
            "forced": decision.forced,
            "overridden": None if decision.overridden is None else decision.overridden.value,
            "offline": decision.offline,
            "annulment": decision.annulment,
            "scanned_at": decision.scanned_at,
            "recorded_at": decision.recorded_at,
        }
    )
    return answer


def _scan(loaded: dict[str, Any], *, offline: bool) -> Scan:
    scanned_at = loaded["scanned_at"]
    if scanned_at - utc_now() > FUTURE_TOLERANCE:
        raise ScannedAhead(
            "scanned_at", f"scanned_at is more than {FUTURE_TOLERANCE} ahead of the server's clock"
        )
    return Scan(
        badge_code=loaded["badge_code"],
        checkpoint_id=loaded["checkpoint_id"],
        passage=Passage(loaded["direction"]),
        device_id=loaded["device_id"],
        nonce=loaded["nonce"],
        scanned_at=scanned_at,
        forced=loaded["forced"],
        offline=offline,
    )


class _ScanResource:
    def __init__(self, scanner: Scanner) -> None:
        self.scanner = scanner

    def _ask(self, req: falcon.Request, resp: falcon.Response, ask: Ask) -> Answered:
        """The ask's decisions; a domain error it met is raised, a problem like any other."""
        principal = req.context.principal
        request = Request(ask, current_cause(), str(principal.key_id))
        try:
            (reply,) = self.scanner.answer([request])
        except DeciderUnavailable as error:
            # Sent again with the same nonce, the scan answers what was decided, if anything.
            raise Problem(
                "service-unavailable",
                f"{error}; send the scan again with the same nonce",
                headers={"Retry-After": "1"},
            ) from None
        if reply.error is not None:
            raise reply.error
        assert reply.answered is not None
        if reply.position is not None:
            resp.set_header(POSITION_HEADER, str(reply.position))
        # The desk recorded the key's position with the scans, before answering.
        resp.context.positions_recorded = True
        if not any(reply.answered.new):
            resp.set_header(REPLAYED_HEADER, "true")
        return reply.answered


class ScansResource(_ScanResource):
    operations = {
        "POST": Operation(
            "Scan a badge at a checkpoint: let them in or out, or say why not",
            SCAN,
            request=ScanSchema,
            response=DecisionSchema,
            tags=TAGS,
            description="Answers 200 with the decision whatever it is (`result` OK or the "
            "refusal: UNKNOWN_CREDENTIAL, REVOKED, SUSPENDED, NOT_APPROVED, WRONG_ZONE, "
            "OUTSIDE_VALIDITY_WINDOW, ALREADY_INSIDE, NOT_INSIDE, ZONE_FULL, "
            "CHECKPOINT_INACTIVE, BLOCKED), recorded before it is answered. A zone's "
            "capacity holds across every worker and host. The same device and nonce "
            "again answers the first decision with `Idempotent-Replayed: true`. 404 for "
            "a checkpoint the event does not have.",
            request_example=examples.SCAN,
            response_example=examples.DECISION,
            operation_id="scanBadge",
        ),
    }

    def on_post(self, req: falcon.Request, resp: falcon.Response, event_id: UUID) -> None:
        loaded = load_body(req, SCAN_SCHEMA)
        tenant_id = req.context.principal.tenant_id
        ask = ScanBatch(tenant_id, event_id, (_scan(loaded, offline=False),))
        answered = self._ask(req, resp, ask)
        resp.media = document(answered.decisions[0])


class ScanBatchResource(_ScanResource):
    operations = {
        "POST": Operation(
            "Upload scans collected offline: each decided in scan-time order, each answered",
            SCAN,
            request=ScanBatchSchema,
            response=ScanBatchAnswerSchema,
            tags=TAGS,
            description="The scans are decided as of the time each was scanned, in that "
            "order (ties by nonce), and marked offline; the answer lists one decision per "
            "scan in the order sent. Uploading the batch again (all or part of it) "
            "decides nothing twice: each scan already recorded answers its first "
            "decision. A batch naming a checkpoint the event does not have is refused "
            "whole (404), with no effect.",
            request_example=examples.BATCH,
            response_example=examples.BATCH_ANSWER,
            operation_id="uploadOfflineScans",
        ),
    }

    def on_post(self, req: falcon.Request, resp: falcon.Response, event_id: UUID) -> None:
        loaded = load_body(req, BATCH_SCHEMA)
        scans = tuple(_scan(s, offline=True) for s in loaded["scans"])
        ask = ScanBatch(req.context.principal.tenant_id, event_id, scans)
        answered = self._ask(req, resp, ask)
        # Each decision is dumped once, by `document`.
        resp.media = {"results": [document(d) for d in answered.decisions]}


class ScanAnnulResource(_ScanResource):
    operations = {
        "POST": Operation(
            "Annul a scan by its device and nonce, within five minutes of its recording",
            SCAN,
            request=AnnulSchema,
            response=DecisionSchema,
            tags=TAGS,
            description="Undoes the scan's moves: an entry takes the participant out of "
            "the zones it put them in, an exit puts them back (unless a zone is full: "
            "then `result` is ZONE_FULL, nothing is recorded, and it may be asked "
            "again). Asked again, it answers the first annulment. 404 "
            "`unknown-scan` for no such scan, 409 `annul-window-closed` past the window.",
            request_example=examples.ANNUL,
            response_example=examples.ANNULMENT,
            operation_id="annulScan",
        ),
    }

    def on_post(self, req: falcon.Request, resp: falcon.Response, event_id: UUID) -> None:
        loaded = load_body(req, ANNUL_SCHEMA)
        tenant_id = req.context.principal.tenant_id
        ask = Annulment(tenant_id, event_id, loaded["device_id"], loaded["nonce"])
        answered = self._ask(req, resp, ask)
        resp.media = document(answered.decisions[0])


class CheckOutResource(_ScanResource):
    operations = {
        "POST": Operation(
            "End of day: check everyone out of the event, or out of one zone",
            MANAGE,
            request=CheckOutSchema,
            response=CheckOutAnswerSchema,
            tags=TAGS,
            description="Records an exit (device `check-out`, no checkpoint) for each "
            "participant inside, so occupancy returns to zero. The nonce names the "
            "check-out: asked again, it checks no one out twice.",
            request_example=examples.CHECK_OUT,
            response_example=examples.CHECK_OUT_ANSWER,
            operation_id="checkOutEveryone",
        ),
    }

    def on_post(self, req: falcon.Request, resp: falcon.Response, event_id: UUID) -> None:
        loaded = load_body(req, CHECK_OUT_SCHEMA)
        tenant_id = req.context.principal.tenant_id
        ask = CheckOut(tenant_id, event_id, loaded["nonce"], loaded["zone_id"])
        answered = self._ask(req, resp, ask)
        exits = answered.decisions
        resp.media = {"checked_out": len(exits), "exits": [document(d) for d in exits]}
