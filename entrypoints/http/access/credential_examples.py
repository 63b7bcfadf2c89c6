"""What the reference shows as credential bodies."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.access.credential import credential_id

PARTICIPANT_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
EVENT_ID = "9b2f3e54-6a7b-4c1d-8e9f-0a1b2c3d4e5f"
CREDENTIAL_ID = str(credential_id(UUID(PARTICIPANT_ID)))
ISSUED_AT = "2027-05-20T10:15:00+00:00"

CREDENTIAL: dict[str, Any] = {
    "id": CREDENTIAL_ID,
    "participant_id": PARTICIPANT_ID,
    "event_id": EVENT_ID,
    "category": "press",
    "state": "active",
    "eligible": True,
    "participant_status": "approved",
    "blocked": False,
    "works": True,
    "generation": 1,
    "reason": None,
    "version": 1,
}
CREDENTIAL_READ: dict[str, Any] = {
    **CREDENTIAL,
    "issued_at": ISSUED_AT,
    "reissued_at": None,
    "updated_at": ISSUED_AT,
}
CREDENTIAL_SUSPENDED: dict[str, Any] = {
    **CREDENTIAL,
    "state": "suspended",
    "works": False,
    "reason": "badge reported lost",
    "version": 2,
}
CREDENTIAL_PAGE: dict[str, Any] = {"items": [CREDENTIAL_READ], "next_cursor": None}
CHANGE = {"reason": "badge reported lost"}
BADGE_CODE: dict[str, Any] = {
    "id": CREDENTIAL_ID,
    "participant_id": PARTICIPANT_ID,
    "generation": 1,
    "badge_code": "35JSNC0YXRAMQA1Z0FRGPXE4NHGYZZWNR3GSZVDMN28X0AS0CM3",
    "version": 1,
}
BADGE_CODE_REISSUED: dict[str, Any] = {**BADGE_CODE, "generation": 2, "version": 3}
