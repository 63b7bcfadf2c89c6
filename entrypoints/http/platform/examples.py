"""What the reference shows as the platform's bodies: a tenant and its API keys."""

from __future__ import annotations

from typing import Any

TENANT_ID = "5b412ab7-1494-5e66-9b92-5e7589cbe6d6"
ADMIN_KEY_ID = "7a55efc0-0495-44fb-ae5f-507cf293e8c8"
GATE_KEY_ID = "3862b262-2099-45d8-9e80-7e13b3c223f4"
ISSUED_AT = "2027-05-02T08:30:00+00:00"

TENANT: dict[str, Any] = {
    "id": TENANT_ID,
    "name": "Acme Events",
    "features": ["REST_API", "WAITLIST", "WEBHOOKS"],
    "version": 2,
    "created_at": "2027-04-01T09:00:00+00:00",
    "updated_at": ISSUED_AT,
}
TENANT_RENAME = {"name": "Acme Events Ltd"}

API_KEY_ISSUE: dict[str, Any] = {
    "name": "north gate",
    "permissions": ["check-in:scan"],
    "tier": "FREE",
    "expires_at": "2027-12-31T23:00:00+00:00",
}
API_KEY: dict[str, Any] = {
    "id": GATE_KEY_ID,
    "name": "north gate",
    "permissions": ["check-in:scan"],
    "tier": "FREE",
    "status": "active",
    "expires_at": "2027-12-31T23:00:00+00:00",
    "created_at": ISSUED_AT,
    "rotated_at": None,
    "revoked_at": None,
    "last_used_at": "2027-05-02T09:12:45+00:00",
    "version": 1,
}
API_KEY_ISSUED: dict[str, Any] = {
    **{k: v for k, v in API_KEY.items() if k != "last_used_at"},
    "secret": "acc_1iOfqEekpSPQQ4LaienQ2Oohfz6BkaY1D04vidzAzX71fV5weYF2l80geA4V",
}
API_KEY_PAGE: dict[str, Any] = {
    "items": [
        {
            **API_KEY,
            "id": ADMIN_KEY_ID,
            "name": "admin",
            "permissions": ["ADMIN"],
            "tier": "STANDARD",
            "expires_at": None,
        },
        API_KEY,
    ],
    "next_cursor": "WyIyMDI3LTA1LTAyVDA4OjMwOjAwKzAwOjAwIiwiMzg2MmIyNjIiXQ",
}
API_KEY_ROTATE = {"grace_seconds": 3600}
API_KEY_ROTATED: dict[str, Any] = {
    "id": GATE_KEY_ID,
    "secret": "acc_1iOfqEekpSPQQ4LaienQ2O1RfNsDb0dGTEgRdVHGTx57sKYiFhgpne0qqbGn",
    "previous_secret_valid_until": "2027-05-02T10:30:00+00:00",
    "version": 2,
}
API_KEY_REVOKED: dict[str, Any] = {
    **API_KEY,
    "status": "revoked",
    "revoked_at": "2027-05-03T17:00:00+00:00",
    "version": 2,
}
