"""What the reference shows as the access API's bodies: an arena, its VIP area, two gates."""

from __future__ import annotations

from typing import Any

EVENT_ID = "94148a65-c291-4d07-9760-ee277d38f437"
ARENA_ID = "0b7e4a8e-5d0f-4d4b-9d3e-2a9c1f6e8b21"
VIP_ID = "5f3c2d1a-7b8e-4c9d-8e0f-1a2b3c4d5e6f"
GATE_ID = "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f"
NEXT_CURSOR = "WyIyMDI3LTAzLTAxVDEwOjAwOjAwKzAwOjAwIiwiMGI3ZTRhOGUiXQ"

ZONE_CREATE: dict[str, Any] = {
    "code": "vip",
    "name": "VIP lounge",
    "capacity": 80,
    "parent_id": ARENA_ID,
    "reentry": "REENTRY_AFTER_EXIT",
}
ZONE: dict[str, Any] = {
    "id": VIP_ID,
    "event_id": EVENT_ID,
    "code": "vip",
    "name": "VIP lounge",
    "capacity": 80,
    "parent_id": ARENA_ID,
    "reentry": "REENTRY_AFTER_EXIT",
    "restricted": False,
    "version": 3,
}
ARENA: dict[str, Any] = {
    **ZONE,
    "id": ARENA_ID,
    "code": "arena",
    "name": "Arena",
    "capacity": 5000,
    "parent_id": None,
    "version": 3,
}
ZONE_PAGE: dict[str, Any] = {"items": [ARENA, ZONE], "next_cursor": NEXT_CURSOR}
ZONE_UPDATE: dict[str, Any] = {"name": "VIP terrace", "reentry": "UNLIMITED"}
ZONE_UPDATED: dict[str, Any] = {**ZONE, **ZONE_UPDATE, "version": 4}
ZONE_CAPACITY: dict[str, Any] = {"capacity": 60}
ZONE_CAPACITY_CHANGED: dict[str, Any] = {**ZONE, "capacity": 60, "version": 4}

ZONE_RULES_REPLACE: dict[str, Any] = {
    "rules": [
        {
            "category": "press",
            "windows": [
                {"starts_at": "2027-06-01T09:00:00+02:00", "ends_at": "2027-06-01T18:00:00+02:00"}
            ],
        },
        {"category": "exhibitor", "windows": []},
    ]
}
ZONE_RULES: dict[str, Any] = {
    "zone_id": VIP_ID,
    "event_id": EVENT_ID,
    "rules": [
        {
            "category": "press",
            "windows": [
                {"starts_at": "2027-06-01T07:00:00+00:00", "ends_at": "2027-06-01T16:00:00+00:00"}
            ],
        },
        {"category": "exhibitor", "windows": []},
    ],
    "version": 5,
}
ZONE_REMOVED: dict[str, Any] = {"id": VIP_ID, "version": 6}

CHECKPOINT_CREATE: dict[str, Any] = {
    "name": "North gate",
    "direction": "ENTRY",
    "zone_id": ARENA_ID,
}
CHECKPOINT: dict[str, Any] = {
    "id": GATE_ID,
    "event_id": EVENT_ID,
    "name": "North gate",
    "direction": "ENTRY",
    "zone_id": ARENA_ID,
    "active": True,
    "version": 4,
}
CHECKPOINT_PAGE: dict[str, Any] = {"items": [CHECKPOINT], "next_cursor": None}
CHECKPOINT_UPDATE: dict[str, Any] = {"name": "North gates 1-4", "direction": "BOTH"}
CHECKPOINT_UPDATED: dict[str, Any] = {**CHECKPOINT, **CHECKPOINT_UPDATE, "version": 5}
CHECKPOINT_DEACTIVATED: dict[str, Any] = {**CHECKPOINT, "active": False, "version": 5}
CHECKPOINT_ACTIVATED: dict[str, Any] = {**CHECKPOINT, "version": 6}
CHECKPOINT_REMOVED: dict[str, Any] = {"id": GATE_ID, "version": 7}
