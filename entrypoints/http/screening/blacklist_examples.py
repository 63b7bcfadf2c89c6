"""What the reference shows as blacklist bodies."""

from __future__ import annotations

from typing import Any

ENTRY_ID = "3d6f0a52-8c1e-4b7a-9f2d-5e4c3b2a1f0e"
EVENT_ID = "9b2f3e54-6a7b-4c1d-8e9f-0a1b2c3d4e5f"
ADDED_AT = "2027-05-20T10:15:00+00:00"

ENTRY_CREATE: dict[str, Any] = {
    "first_name": "Jon",
    "last_name": "Doe",
    "date_of_birth": "1980-04-02",
    "document_number": "X1234567",
    "reason": "violent behaviour at the 2026 edition",
    "expires_at": "2030-01-01T00:00:00+00:00",
}
ENTRY_STATE: dict[str, Any] = {
    "id": ENTRY_ID,
    "event_id": None,
    "first_name": "Jon",
    "last_name": "Doe",
    "date_of_birth": "1980-04-02",
    "document_number": "X1234567",
    "email": None,
    "reason": "violent behaviour at the 2026 edition",
    "expires_at": "2030-01-01T00:00:00+00:00",
    "status": "active",
}
ENTRY: dict[str, Any] = {
    **ENTRY_STATE,
    "added_by": "api-key:6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
    "added_at": ADDED_AT,
    "removed_at": None,
    "removed_by": None,
    "removed_reason": None,
}
ENTRY_PAGE: dict[str, Any] = {"items": [ENTRY], "next_cursor": None}
ENTRY_REMOVE = {"reason": "the ban was lifted on appeal"}
ENTRY_REMOVED: dict[str, Any] = {**ENTRY_STATE, "status": "removed"}
