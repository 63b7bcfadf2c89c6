"""Permissions an API key may carry, and the ADMIN role that holds them all."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from domain.shared.errors import InvalidValue

ADMIN = "ADMIN"


class Permission(StrEnum):
    API_KEYS_MANAGE = "api-keys:manage"
    WEBHOOKS_MANAGE = "webhooks:manage"
    CHECK_IN_SCAN = "check-in:scan"
    KIOSK_MANAGE = "kiosk:manage"
    BULK_OPERATIONS_EXECUTE = "bulk-operations:execute"
    DUPLICATES_REVIEW = "duplicates:review"
    BLACKLIST_MANAGE = "blacklist:manage"
    WAITLIST_MANAGE = "waitlist:manage"
    COMMUNICATION_BROADCAST = "communication:broadcast"
    EVENT_CLONE_EXECUTE = "event-clone:execute"
    TENANT_READ = "tenant:read"
    TENANT_MANAGE = "tenant:manage"
    EVENTS_READ = "events:read"
    EVENTS_WRITE = "events:write"
    PARTICIPANTS_READ = "participants:read"
    PARTICIPANTS_WRITE = "participants:write"
    AUDIT_READ = "audit:read"
    # Access control: reading and configuring an event's zones and checkpoints.
    ACCESS_READ = "access:read"
    ACCESS_MANAGE = "access:manage"
    # Credentials (access): read their state; issue codes, re-issue, suspend, resume, revoke.
    CREDENTIALS_READ = "credentials:read"
    CREDENTIALS_MANAGE = "credentials:manage"


def normalise_scopes(scopes: Iterable[str]) -> list[str]:
    """Checks requested scopes and returns them sorted, without repeats."""
    known = {p.value for p in Permission} | {ADMIN}
    cleaned = sorted(set(scopes))
    unknown = [s for s in cleaned if s not in known]
    if unknown:
        raise InvalidValue("permissions", f"unknown permission(s): {', '.join(unknown)}")
    if not cleaned:
        raise InvalidValue("permissions", "a key needs at least one permission")
    return cleaned


def effective_permissions(scopes: Iterable[str]) -> frozenset[Permission]:
    """What the scopes allow: ADMIN expands to every permission, including later ones."""
    scope_set = set(scopes)
    if ADMIN in scope_set:
        return frozenset(Permission)
    return frozenset(Permission(s) for s in scope_set if s in Permission._value2member_map_)
