"""What the reference shows as the access log's and occupancy's answers."""

from __future__ import annotations

from typing import Any

from entrypoints.http.access.venue_examples import ARENA_ID, EVENT_ID, GATE_ID, VIP_ID

PARTICIPANT_ID = "3f1b6c2e-8d4a-4e5f-9a0b-1c2d3e4f5a6b"
CREDENTIAL_ID = "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d"
NEXT_CURSOR = "WyIyMDMwLTA2LTAxVDA5OjE1OjAwKzAwOjAwIiwiNDIiXQ"

ACCESS_LOG_ENTRY: dict[str, Any] = {
    "version": 42,
    "event_id": EVENT_ID,
    "device_id": "north-gate-1",
    "nonce": "000917",
    "direction": "ENTRY",
    "result": "OK",
    "reason": "let in",
    "participant_id": PARTICIPANT_ID,
    "credential_id": CREDENTIAL_ID,
    "checkpoint_id": GATE_ID,
    "zone_id": ARENA_ID,
    "forced": False,
    "overridden": None,
    "offline": False,
    "scanned_at": "2030-06-01T09:14:58.120000+00:00",
    "recorded_at": "2030-06-01T09:14:58.310000+00:00",
    "annulled": False,
    "annulled_at": None,
    "annulment_reason": None,
}
ACCESS_LOG_PAGE: dict[str, Any] = {"items": [ACCESS_LOG_ENTRY], "next_cursor": NEXT_CURSOR}

OCCUPANCY: dict[str, Any] = {
    "event_id": EVENT_ID,
    "inside": 1204,
    "peak": 1530,
    "peak_at": "2030-06-01T11:02:41+00:00",
    "zones": [
        {
            "zone_id": ARENA_ID,
            "name": "Arena",
            "parent_id": None,
            "capacity": 5000,
            "inside": 1204,
            "peak": 1530,
            "peak_at": "2030-06-01T11:02:41+00:00",
        },
        {
            "zone_id": VIP_ID,
            "name": "VIP lounge",
            "parent_id": ARENA_ID,
            "capacity": 80,
            "inside": 61,
            "peak": 80,
            "peak_at": "2030-06-01T12:30:05+00:00",
        },
    ],
}

BUCKET_PAGE: dict[str, Any] = {
    "items": [
        {
            "bucket_start": "2030-06-01T09:00:00+00:00",
            "entries": 312,
            "exits": 4,
            "denials": 9,
            "annulled": 1,
        },
        {
            "bucket_start": "2030-06-01T09:15:00+00:00",
            "entries": 488,
            "exits": 11,
            "denials": 14,
            "annulled": 0,
        },
    ],
    "next_cursor": None,
}

INSIDE_PAGE: dict[str, Any] = {
    "items": [
        {
            "participant_id": PARTICIPANT_ID,
            "credential_id": CREDENTIAL_ID,
            "since": "2030-06-01T09:14:58.120000+00:00",
        }
    ],
    "next_cursor": None,
}
