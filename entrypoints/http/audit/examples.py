"""What the reference shows as the auditor's bodies: domain events and a past state."""

from __future__ import annotations

import json
from typing import Any

TENANT_ID = "5b412ab7-1494-5e66-9b92-5e7589cbe6d6"
KEY_ID = "3862b262-2099-45d8-9e80-7e13b3c223f4"
PARTICIPANT_ID = "be6b60d5-23ea-4faa-89d3-6ed2e53f1535"
EVENT_ID = "94148a65-c291-4d07-9760-ee277d38f437"

KEY_ISSUED: dict[str, Any] = {
    "type": "ApiKey.Issued",
    "topic": "domain.platform.apikey:ApiKey.Issued",
    "application": "platform",
    "position": 2,
    "aggregate_id": KEY_ID,
    "aggregate_type": "ApiKey",
    "version": 1,
    "occurred_at": "2027-05-02T08:30:00+00:00",
    "actor": "api-key:7a55efc0-0495-44fb-ae5f-507cf293e8c8",
    "correlation_id": "22c4ef2315f54b1fbe0020a270a1dbac",
    "causation_id": "22c4ef2315f54b1fbe0020a270a1dbac",
    "payload": {
        "key_id": KEY_ID,
        "tenant_id": TENANT_ID,
        "name": "north gate",
        "permissions": ["check-in:scan"],
        "tier": "FREE",
        "expires_at": None,
        "secret_digest": "[redacted]",
    },
}
KEY_ROTATED: dict[str, Any] = {
    **KEY_ISSUED,
    "type": "ApiKey.Rotated",
    "topic": "domain.platform.apikey:ApiKey.Rotated",
    "position": 5,
    "version": 2,
    "occurred_at": "2027-05-02T09:30:00+00:00",
    "correlation_id": "b1f3a0c2d4e5f60718293a4b5c6d7e8f",
    "causation_id": "b1f3a0c2d4e5f60718293a4b5c6d7e8f",
    "payload": {
        "secret_digest": "[redacted]",
        "rotated_at": "2027-05-02T09:30:00+00:00",
        "previous_valid_until": "2027-05-02T10:30:00+00:00",
    },
}
AUDIT_EVENT_PAGE: dict[str, Any] = {
    "items": [KEY_ISSUED, KEY_ROTATED],
    "next_cursor": "WyJwbGF0Zm9ybSIsIjUiXQ",
}
AGGREGATE_STATE: dict[str, Any] = {
    "aggregate_id": PARTICIPANT_ID,
    "aggregate_type": "Participant",
    "application": "registration",
    "version": 1,
    "as_of": "2027-04-12T14:03:27+00:00",
    "state": {
        "tenant_id": TENANT_ID,
        "event_id": EVENT_ID,
        "category": "press",
        "details": {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada@example.org",
            "phone": None,
            "date_of_birth": None,
            "organisation": "Analytical Engines",
            "nationality": "GB",
            "document_number": None,
        },
        "workflow_version": 1,
        "status": "pending",
        "reason": None,
    },
}
EXPORT = "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in (KEY_ISSUED, KEY_ROTATED))
