"""Example bodies and answers of the bulk operation routes, as the OpenAPI document shows them."""

from __future__ import annotations

from typing import Any

EVENT = "3f2b8c1e-6d4a-4f0e-9b7a-2c5d8e1f4a6b"
OPERATION = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
RETRY = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"
PARTICIPANT = "0f8fad5b-d9cb-469f-a165-70867728950e"
OTHER = "6fa459ea-ee8a-4ca4-894e-db77e160355e"
BASE = f"/v1/bulk-operations/{OPERATION}"

PREFLIGHT_REQUEST: dict[str, Any] = {
    "kind": "complete-step",
    "params": {"step_id": "approval", "outcome": "approved", "comment": "checked in bulk"},
    "selection": {"filter": {"status": "pending", "step": "approval"}},
}
REQUEST: dict[str, Any] = {**PREFLIGHT_REQUEST, "dry_run": False}
PREFLIGHT: dict[str, Any] = {
    "selected": 1240,
    "eligible": 1238,
    "ineligible": [
        {"participant_id": PARTICIPANT, "reason": "participant-waitlisted"},
        {"participant_id": OTHER, "reason": "step-not-active"},
    ],
}

LINKS: dict[str, Any] = {
    "items": f"{BASE}/items",
    "cancel": f"{BASE}/cancel",
    "retry": None,
    "undo": None,
}
QUEUED: dict[str, Any] = {
    "id": OPERATION,
    "event_id": EVENT,
    "kind": "complete-step",
    "params": {"step_id": "approval", "outcome": "approved", "comment": "checked in bulk"},
    "dry_run": False,
    "state": "QUEUED",
    "total": None,
    "done": 0,
    "ok": 0,
    "refused": 0,
    "skipped": 0,
    "remaining": None,
    "cancel_requested": False,
    "source_id": None,
    "relation": None,
    "reason": None,
    "requested_at": "2027-05-01T09:00:00+00:00",
    "updated_at": "2027-05-01T09:00:00+00:00",
    "links": LINKS,
    "version": 1,
}
RUNNING: dict[str, Any] = {
    **QUEUED,
    "state": "RUNNING",
    "total": 1240,
    "done": 500,
    "ok": 498,
    "refused": 2,
    "remaining": 740,
    "updated_at": "2027-05-01T09:00:12+00:00",
    "started_at": "2027-05-01T09:00:02+00:00",
    "ended_at": None,
    "items_per_second": 50.0,
    "estimated_end_at": "2027-05-01T09:00:26.800000+00:00",
    "version": 5,
}
# A command's answer is made from the operation alone: the times only reads know are not in it.
READS_ONLY = ("started_at", "ended_at", "items_per_second", "estimated_end_at")
CANCELLING: dict[str, Any] = {
    **{k: v for k, v in RUNNING.items() if k not in READS_ONLY},
    "cancel_requested": True,
    "version": 6,
}
ENDED: dict[str, Any] = {
    **RUNNING,
    "state": "COMPLETED_WITH_ERRORS",
    "done": 1240,
    "ok": 1238,
    "remaining": 0,
    "updated_at": "2027-05-01T09:00:27+00:00",
    "ended_at": "2027-05-01T09:00:27+00:00",
    "items_per_second": 49.6,
    "estimated_end_at": None,
    "links": {**LINKS, "cancel": None, "retry": f"{BASE}/retry"},
    "version": 9,
}
OPERATION_PAGE = {"items": [ENDED], "next_cursor": None}

RETRY_BASE = f"/v1/bulk-operations/{RETRY}"
RETRY_QUEUED: dict[str, Any] = {
    **QUEUED,
    "id": RETRY,
    "state": "RUNNING",
    "total": 2,
    "remaining": 2,
    "source_id": OPERATION,
    "relation": "retry",
    "links": {**LINKS, "items": f"{RETRY_BASE}/items", "cancel": f"{RETRY_BASE}/cancel"},
    "version": 2,
}

ITEM_PAGE: dict[str, Any] = {
    "items": [
        {
            "index": 0,
            "participant_id": OTHER,
            "result": "ok",
            "problem": None,
            "detail": None,
            "done_at": "2027-05-01T09:00:03+00:00",
        },
        {
            "index": 1,
            "participant_id": PARTICIPANT,
            "result": "refused",
            "problem": "participant-waitlisted",
            "detail": "the participant waits for a seat",
            "done_at": "2027-05-01T09:00:03+00:00",
        },
    ],
    "next_cursor": None,
}

UNDO = "9b2d3f4a-5c6e-4f70-8a91-b2c3d4e5f607"
UNDO_BASE = f"/v1/bulk-operations/{UNDO}"
UNDO_QUEUED: dict[str, Any] = {
    **RETRY_QUEUED,
    "id": UNDO,
    "kind": "resume-credential",
    "params": {"reason": "badges reported lost"},
    "total": 1238,
    "remaining": 1238,
    "relation": "undo",
    "links": {**LINKS, "items": f"{UNDO_BASE}/items", "cancel": f"{UNDO_BASE}/cancel"},
}
