"""What the reference shows as scan bodies."""

from __future__ import annotations

from typing import Any

from entrypoints.http.access.credential_examples import CREDENTIAL_ID, PARTICIPANT_ID

CHECKPOINT_ID = "3c1e6f0a-5d2b-4e8f-9a7c-1b2d3e4f5a6b"
ARENA_ID = "7d4c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a0f"
VIP_ID = "1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d"
BADGE_CODE = "ACR1" + "0" * 47
SCANNED_AT = "2026-05-21T08:02:11+00:00"
RECORDED_AT = "2026-05-21T08:02:11.184000+00:00"

SCAN: dict[str, Any] = {
    "badge_code": BADGE_CODE,
    "checkpoint_id": CHECKPOINT_ID,
    "direction": "ENTRY",
    "device_id": "gate-north-2",
    "nonce": "000418",
    "scanned_at": SCANNED_AT,
    "forced": False,
}
DECISION: dict[str, Any] = {
    "result": "OK",
    "reason": "let through",
    "ok": True,
    "device_id": "gate-north-2",
    "nonce": "000418",
    "direction": "ENTRY",
    "checkpoint_id": CHECKPOINT_ID,
    "zone_id": VIP_ID,
    "credential_id": CREDENTIAL_ID,
    "participant_id": PARTICIPANT_ID,
    "entered": [VIP_ID, ARENA_ID],
    "left": [],
    "forced": False,
    "overridden": None,
    "offline": False,
    "annulment": False,
    "scanned_at": SCANNED_AT,
    "recorded_at": RECORDED_AT,
}
FULL: dict[str, Any] = {
    **DECISION,
    "result": "ZONE_FULL",
    "reason": "VIP is full (300 of 300)",
    "ok": False,
    "entered": [],
    "nonce": "000419",
}
BATCH: dict[str, Any] = {
    "scans": [SCAN, {**SCAN, "nonce": "000419", "scanned_at": "2026-05-21T08:02:40+00:00"}]
}
BATCH_ANSWER: dict[str, Any] = {
    "results": [
        {**DECISION, "offline": True},
        {**FULL, "offline": True, "scanned_at": "2026-05-21T08:02:40+00:00"},
    ]
}
ANNUL: dict[str, Any] = {"device_id": "gate-north-2", "nonce": "000418"}
ANNULMENT: dict[str, Any] = {
    **DECISION,
    "reason": "the entry is undone",
    "entered": [],
    "left": [VIP_ID, ARENA_ID],
    "annulment": True,
    "recorded_at": "2026-05-21T08:03:05.020000+00:00",
}
CHECK_OUT: dict[str, Any] = {"nonce": "2026-05-21-close", "zone_id": None}
CHECK_OUT_ANSWER: dict[str, Any] = {
    "checked_out": 1,
    "exits": [
        {
            **DECISION,
            "reason": "checked out at the end of the day",
            "device_id": "check-out",
            "nonce": f"2026-05-21-close/{PARTICIPANT_ID}",
            "direction": "EXIT",
            "checkpoint_id": None,
            "zone_id": ARENA_ID,
            "entered": [],
            "left": [VIP_ID, ARENA_ID],
            "scanned_at": "2026-05-21T23:00:00+00:00",
            "recorded_at": "2026-05-21T23:00:00+00:00",
        }
    ],
}
