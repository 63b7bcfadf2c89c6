"""What the reference shows as merge bodies."""

from __future__ import annotations

from typing import Any

MERGE_ID = "5d6e7f80-91a2-4b3c-8d4e-5f60718293a4"
EVENT_ID = "9b2f3e54-6a7b-4c1d-8e9f-0a1b2c3d4e5f"
SURVIVOR_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
ABSORBED_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
MERGED_AT = "2027-05-21T09:30:00+00:00"
UNMERGED_AT = "2027-05-21T11:00:00+00:00"

MERGE_REQUEST: dict[str, Any] = {
    "absorbed_id": ABSORBED_ID,
    "fields": {"email": "absorbed", "phone": "absorbed"},
}
MERGE: dict[str, Any] = {
    "id": MERGE_ID,
    "event_id": EVENT_ID,
    "survivor_id": SURVIVOR_ID,
    "absorbed_id": ABSORBED_ID,
    "chosen": {
        "first_name": "survivor",
        "last_name": "survivor",
        "email": "absorbed",
        "phone": "absorbed",
        "date_of_birth": "survivor",
        "organisation": "survivor",
        "nationality": "survivor",
        "document_number": "absorbed",
    },
    "status": "merged",
    "merged_at": MERGED_AT,
    "unmerged_at": None,
    "version": 1,
}
MERGE_READ: dict[str, Any] = {
    **MERGE,
    "merged_by": "api-key:3f2504e0-4f89-41d3-9a0c-0305e82c3301",
    "unmerged_by": None,
}
UNMERGED: dict[str, Any] = {
    **MERGE,
    "status": "unmerged",
    "unmerged_at": UNMERGED_AT,
    "version": 2,
}
MERGE_PAGE: dict[str, Any] = {"items": [MERGE_READ], "next_cursor": None}
