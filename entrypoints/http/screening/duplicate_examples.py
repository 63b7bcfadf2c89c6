"""What the reference shows as duplicate review bodies."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.screening.pair_review import pair_id

PARTICIPANT_A = "0f8fad5b-d9cb-469f-a165-70867728950e"
PARTICIPANT_B = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
EVENT_ID = "9b2f3e54-6a7b-4c1d-8e9f-0a1b2c3d4e5f"
PAIR_ID = str(pair_id(UUID(PARTICIPANT_A), UUID(PARTICIPANT_B)))
RAISED_AT = "2027-05-20T10:15:00+00:00"
FINGERPRINT = "5f2b0c4e8a1d3f6b9c7e2a4d6f8b0c1e:9a3c5e7f1b2d4f6a8c0e2b4d6f8a1c3e"

SUMMARY: dict[str, Any] = {
    "id": PAIR_ID,
    "status": "PENDING",
    "score": 21.4,
    "participant_ids": [PARTICIPANT_A, PARTICIPANT_B],
    "event_ids": [EVENT_ID, EVENT_ID],
    "created_at": RAISED_AT,
    "updated_at": RAISED_AT,
}
PAGE: dict[str, Any] = {"items": [SUMMARY], "next_cursor": None}

_ADA = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.org",
    "phone": "+447700900123",
    "date_of_birth": "1985-12-10",
    "organisation": None,
    "nationality": "GB",
    "document_number": None,
}
DETAIL: dict[str, Any] = {
    **SUMMARY,
    "probability": 0.99999,
    "same_event": True,
    "participants": [
        {"id": PARTICIPANT_A, "event_id": EVENT_ID, "details": _ADA},
        {
            "id": PARTICIPANT_B,
            "event_id": EVENT_ID,
            "details": {**_ADA, "first_name": "Adda", "email": "a.lovelace@example.com"},
        },
    ],
    "explanation": {
        "total": 21.4,
        "probability": 0.99999,
        "prior": -14.3,
        "threshold": 0.0,
        "fields": [
            {
                "field": "names",
                "level": "fuzzy",
                "weight": 12.1,
                "left": "ada lovelace",
                "right": "adda lovelace",
            },
            {
                "field": "date_of_birth",
                "level": "exact",
                "weight": 14.1,
                "left": "1985-12-10",
                "right": "1985-12-10",
            },
            {
                "field": "email",
                "level": "disagree",
                "weight": -1.0,
                "left": "ada@example.org",
                "right": "a.lovelace@example.com",
            },
            {
                "field": "phone",
                "level": "exact",
                "weight": 9.2,
                "left": "+447700900123",
                "right": "+447700900123",
            },
            {"field": "nationality", "level": "exact", "weight": 2.2, "left": "GB", "right": "GB"},
            {
                "field": "document_number",
                "level": "missing",
                "weight": 0.0,
                "left": None,
                "right": None,
            },
        ],
    },
}
REVIEW: dict[str, Any] = {"comment": "two people: checked their passports at the desk"}
DISMISSED: dict[str, Any] = {
    "id": PAIR_ID,
    "status": "DISMISSED",
    "fingerprint": FINGERPRINT,
    "comment": REVIEW["comment"],
}
CONFIRMED: dict[str, Any] = {**DISMISSED, "status": "CONFIRMED", "comment": "same passport"}
SETTINGS: dict[str, Any] = {"duplicate_scope": "tenant"}
