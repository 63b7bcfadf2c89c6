"""Example bodies and answers of the waitlist routes, as the OpenAPI document shows them."""

from __future__ import annotations

from typing import Any

EVENT = "3f2b8c1e-6d4a-4f0e-9b7a-2c5d8e1f4a6b"
ENTRY = "9a1c2b3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"
PARTICIPANT = "0f8fad5b-d9cb-469f-a165-70867728950e"
OFFER = "5b6c7d8e-9f0a-5b1c-8d2e-3f4a5b6c7d8e"

SETTINGS_REQUEST = {"offer_window_seconds": 172800, "on_accept": "approve", "when_full": "waitlist"}
SETTINGS: dict[str, Any] = {**SETTINGS_REQUEST, "event_id": EVENT, "version": 2}
JOIN_REQUEST = {"participant_ids": [PARTICIPANT], "priority": "HIGH"}
MOVE_REQUEST = {"move": "top", "reason": "speaker confirmed late"}
PRIORITY_REQUEST = {"priority": "VIP", "reason": "sponsor guest"}
LEAVE_REQUEST = {"reason": "no longer coming"}

WAITING: dict[str, Any] = {
    "id": ENTRY,
    "event_id": EVENT,
    "participant_ids": [PARTICIPANT],
    "seats": 1,
    "category": None,
    "priority": "HIGH",
    "state": "waiting",
    "position": 3,
    "position_in_category": 3,
    "offer": None,
    "version": 41,
}
OFFERED: dict[str, Any] = {
    **WAITING,
    "state": "offered",
    "position": None,
    "position_in_category": None,
    "offer": {"id": OFFER, "seats": 1, "expires_at": "2027-05-03T09:00:00+00:00"},
    "version": 57,
}
ACCEPTED: dict[str, Any] = {**OFFERED, "state": "accepted", "version": 58}

ENTRY_PAGE = {"items": [WAITING], "next_cursor": None}
OFFER_ROW: dict[str, Any] = {
    "id": OFFER,
    "entry_id": ENTRY,
    "event_id": EVENT,
    "participant_ids": [PARTICIPANT],
    "seats": 1,
    "category": None,
    "offered_at": "2027-05-01T09:00:00+00:00",
    "expires_at": "2027-05-03T09:00:00+00:00",
    "state": "accepted",
    "answered_at": "2027-05-01T17:12:40+00:00",
    "answered_by": "api-key:5f0c9a1e-2b3d-4c5e-8f7a-9b0c1d2e3f4a",
}
OFFER_PAGE = {"items": [OFFER_ROW], "next_cursor": None}
PROMOTION_ROW: dict[str, Any] = {
    "entry_id": ENTRY,
    "event_id": EVENT,
    "participant_ids": [PARTICIPANT],
    "category": None,
    "priority": "HIGH",
    "joined_at": "2027-04-20T08:30:00+00:00",
    "offered_at": "2027-05-01T09:00:00+00:00",
    "offer_id": OFFER,
    "outcome": "accepted",
    "ended_at": "2027-05-01T17:12:40+00:00",
    "ended_by": "api-key:5f0c9a1e-2b3d-4c5e-8f7a-9b0c1d2e3f4a",
    "left_reason": None,
}
PROMOTION_PAGE = {"items": [PROMOTION_ROW], "next_cursor": None}
