"""The API key: a tenant's credential with permissions, a rate tier and secrets."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import Transcoding

from domain.platform.permissions import normalise_scopes
from domain.platform.tiers import Tier
from domain.shared.errors import InvalidValue, RuleViolation
from domain.shared.moments import checked_moment
from domain.shared.names import display_name
from domain.shared.topics import moved_from

GRACE_MAX = timedelta(days=30)


class KeyRevoked(RuleViolation):
    code = "api-key-revoked"
    title = "The API key is revoked"


@dataclass(frozen=True)
class SecretState:
    digest: str
    valid_until: datetime | None


class SecretStateAsDict(Transcoding):
    """Lets snapshots of keys store their secrets' digests and ends."""

    type = SecretState
    name = "api_key_secret"

    def encode(self, obj: SecretState) -> dict[str, object]:
        return {"digest": obj.digest, "valid_until": obj.valid_until}

    def decode(self, data: dict[str, Any]) -> SecretState:
        return SecretState(data["digest"], data["valid_until"])


class ApiKey(Aggregate):
    # Domain events: a public contract, each with its typed payload.

    class Issued(Aggregate.Created):
        """An API key was issued; only its secret's SHA-256 digest is recorded."""

        key_id: UUID
        tenant_id: UUID
        name: str
        permissions: list[str]
        tier: str
        expires_at: datetime | None
        secret_digest: str

    class Rotated(Aggregate.Event):
        """The key got a new secret; the one before works until previous_valid_until."""

        secret_digest: str
        rotated_at: datetime
        previous_valid_until: datetime

    class Revoked(Aggregate.Event):
        """The key and all its secrets stopped working, for good."""

        revoked_at: datetime

    @staticmethod
    def create_id(key_id: UUID) -> UUID:
        # The id is chosen before the event so the secret can embed it.
        return key_id

    @event(Issued)
    def __init__(
        self,
        key_id: UUID,  # noqa: ARG002
        tenant_id: UUID,
        name: str,
        permissions: list[str],
        tier: str,
        expires_at: datetime | None,
        secret_digest: str,
    ) -> None:
        self.tenant_id = tenant_id
        self.name = name
        self.permissions = list(permissions)
        self.tier = tier
        self.expires_at = expires_at
        self.secrets = [SecretState(secret_digest, None)]
        self.rotated_at: datetime | None = None
        self.revoked_at: datetime | None = None

    @classmethod
    def issue(
        cls,
        key_id: UUID,
        tenant_id: UUID,
        name: str,
        permissions: list[str],
        tier: str,
        expires_at: datetime | None,
        secret_digest: str,
        now: datetime,
    ) -> ApiKey:
        if tier not in Tier.__members__:
            raise InvalidValue("tier", f"unknown tier {tier!r}; one of {', '.join(Tier)}")
        if expires_at is not None:
            # A naive time is ambiguous, and cannot be compared with the aware clock.
            checked_moment(expires_at, "expires_at")
        if expires_at is not None and expires_at <= now:
            raise InvalidValue("expires_at", "the expiry must be in the future")
        return cls(
            key_id=key_id,
            tenant_id=tenant_id,
            name=display_name(name),
            permissions=normalise_scopes(permissions),
            tier=tier,
            expires_at=expires_at,
            secret_digest=secret_digest,
        )

    @property
    def created_at(self) -> datetime:
        return self.created_on

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def accepts(self, secret_digest: str, now: datetime) -> bool:
        """Whether a presented secret (by digest) opens this key now."""
        if self.revoked or self.is_expired(now):
            return False
        return any(
            hmac.compare_digest(s.digest, secret_digest)
            and (s.valid_until is None or now < s.valid_until)
            for s in self.secrets
        )

    def opens_until(self, secret_digest: str) -> datetime | None:
        """When a secret that opens the key stops doing so by time alone (None: never)."""
        ends = [s.valid_until for s in self.secrets if s.digest == secret_digest]
        ends.append(self.expires_at)
        known = [e for e in ends if e is not None]
        return min(known) if known else None

    def rotate(self, secret_digest: str, grace: timedelta, now: datetime) -> None:
        if self.revoked:
            raise KeyRevoked("a revoked key cannot be rotated")
        if grace < timedelta(0) or grace > GRACE_MAX:
            raise InvalidValue("grace_seconds", f"the grace period must be 0 to {GRACE_MAX}")
        self._rotated(secret_digest=secret_digest, rotated_at=now, previous_valid_until=now + grace)

    @event(Rotated)
    def _rotated(
        self, secret_digest: str, rotated_at: datetime, previous_valid_until: datetime
    ) -> None:
        self.rotated_at = rotated_at
        # Older secrets keep their earlier end; the one in use gets the grace period.
        self.secrets = [
            SecretState(
                s.digest,
                previous_valid_until
                if s.valid_until is None
                else min(s.valid_until, previous_valid_until),
            )
            for s in self.secrets
            # A secret whose end has passed opens nothing: it need not be kept.
            if s.valid_until is None or s.valid_until > rotated_at
        ]
        self.secrets.append(SecretState(secret_digest, None))

    def revoke(self, now: datetime) -> None:
        if not self.revoked:
            self._revoked(revoked_at=now)

    @event(Revoked)
    def _revoked(self, revoked_at: datetime) -> None:
        self.revoked_at = revoked_at


# Histories written before this module moved name its classes by the old path.
moved_from("domain.apikey", __name__)
