"""Feature flags a tenant can have switched on or off."""

from __future__ import annotations

from enum import StrEnum


class Feature(StrEnum):
    REST_API = "REST_API"
    WEBHOOKS = "WEBHOOKS"
    BULK_OPERATIONS = "BULK_OPERATIONS"
    EVENT_CLONE = "EVENT_CLONE"
    WAITLIST = "WAITLIST"
    COMMUNICATION_HUB = "COMMUNICATION_HUB"
    KIOSK_MODE = "KIOSK_MODE"
