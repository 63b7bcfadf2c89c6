"""The platform context: tenants and their API keys."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import JSONTranscoder
from eventsourcing.utils import EnvType

from domain.platform import key_secret
from domain.platform.apikey import ApiKey, SecretStateAsDict
from domain.platform.features import Feature
from domain.platform.permissions import Permission, effective_permissions
from domain.platform.tenant import Tenant
from domain.platform.tiers import Tier
from domain.shared.application import (
    AccreditApplication,
    Ack,
    Position,
    check_version,
    retry_on_conflict,
    utc_now,
)
from domain.shared.errors import NotFound

PRINCIPAL_CACHE_SIZE = 10_000
DEMO_TENANT_ID = uuid5(NAMESPACE_URL, "accredit:tenant:demo")


@dataclass(frozen=True)
class Principal:
    """Who is calling: an API key of one tenant, with what it may do."""

    tenant_id: UUID
    key_id: UUID
    permissions: frozenset[Permission]
    tier: Tier
    features: frozenset[Feature]


@dataclass(frozen=True)
class _Remembered:
    principal: Principal
    fresh_until: float  # monotonic: when to look at the store again
    opens_until: datetime | None  # when the secret stops opening the key by time alone


@dataclass(frozen=True)
class IssuedKey:
    """A key's secret is only ever returned here, once."""

    ack: Ack[ApiKey]
    secret: str
    previous_secret_valid_until: datetime | None = None


class PlatformApplication(AccreditApplication):
    name = "platform"
    aggregates = (Tenant, ApiKey)
    # Long-lived keys and tenants load from a snapshot plus the events after it.
    snapshotting_intervals = {Tenant: 50, ApiKey: 50}

    def __init__(
        self,
        env: EnvType | None = None,
        clock: Callable[[], datetime] = utc_now,
        auth_cache_seconds: float = 0.0,
    ) -> None:
        super().__init__(env, clock)
        self.auth_cache_seconds = auth_cache_seconds
        self._principals: dict[str, _Remembered] = {}

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(SecretStateAsDict())

    def create_tenant(
        self, name: str, features: Iterable[Feature] = tuple(Feature), tenant_id: UUID | None = None
    ) -> Ack[Tenant]:
        """Registers a new tenant (organiser) with the given features enabled."""
        tenant = Tenant.create(name, features, tenant_id or uuid4())
        return self.ack(tenant)

    def tenant_exists(self, tenant_id: UUID) -> bool:
        try:
            self.load(Tenant, tenant_id, readonly=True)
        except NotFound:
            return False
        return True

    @retry_on_conflict
    def rename_tenant(
        self, tenant_id: UUID, name: str, expected_version: int | None = None
    ) -> Ack[Tenant]:
        """Gives the tenant a new display name."""
        tenant = self.load(Tenant, tenant_id)
        check_version(tenant, expected_version)
        tenant.rename(name)
        return self.ack(tenant)

    @retry_on_conflict
    def set_feature(self, tenant_id: UUID, feature: Feature, enabled: bool) -> Ack[Tenant]:
        """Switches one of the tenant's features on or off."""
        tenant = self.load(Tenant, tenant_id)
        if enabled:
            tenant.enable(feature)
        else:
            tenant.disable(feature)
        return self.ack(tenant)

    def issue_api_key(
        self,
        tenant_id: UUID,
        name: str,
        permissions: list[str],
        tier: str = Tier.STANDARD.value,
        expires_at: datetime | None = None,
    ) -> IssuedKey:
        """Issues a key for the tenant; the secret is in the answer and nowhere else."""
        self.load(Tenant, tenant_id, readonly=True)
        key_id = uuid4()
        secret = key_secret.generate(key_id)
        key = ApiKey.issue(
            key_id=key_id,
            tenant_id=tenant_id,
            name=name,
            permissions=permissions,
            tier=tier,
            expires_at=expires_at,
            secret_digest=key_secret.digest(secret),
            now=self.clock(),
        )
        return IssuedKey(self.ack(key), secret)

    def _tenant_key(self, tenant_id: UUID, key_id: UUID) -> ApiKey:
        key = self.load(ApiKey, key_id)
        if key.tenant_id != tenant_id:
            # Another tenant's key does not exist as far as this caller knows.
            raise NotFound(f"no apikey with id {key_id}")
        return key

    @retry_on_conflict
    def rotate_api_key(
        self,
        tenant_id: UUID,
        key_id: UUID,
        grace: timedelta,
        expected_version: int | None = None,
    ) -> IssuedKey:
        """Gives the key a new secret; the old one keeps working for the grace period."""
        key = self._tenant_key(tenant_id, key_id)
        check_version(key, expected_version)
        secret = key_secret.generate(key_id)
        now = self.clock()
        key.rotate(key_secret.digest(secret), grace, now)
        return IssuedKey(self.ack(key), secret, previous_secret_valid_until=now + grace)

    @retry_on_conflict
    def revoke_api_key(
        self, tenant_id: UUID, key_id: UUID, expected_version: int | None = None
    ) -> Ack[ApiKey]:
        """Stops the key and all its secrets from working, at once and for good."""
        key = self._tenant_key(tenant_id, key_id)
        check_version(key, expected_version)
        key.revoke(self.clock())
        return self.ack(key)

    def authenticate(self, secret: str) -> Principal | None:
        """The caller behind a presented secret, or None if it opens nothing.

        A principal found is remembered for auth_cache_seconds: a change made by
        this process applies at once, a change made by another process within
        that time.
        """
        now = time.monotonic()
        remembered = self.remembered(secret)
        if remembered is not None:
            return remembered
        found = self._authenticate(secret)
        if found is None:
            return None
        principal, opens_until = found
        if self.auth_cache_seconds > 0:
            if len(self._principals) >= PRINCIPAL_CACHE_SIZE:
                self._principals.clear()
            fresh_until = now + self.auth_cache_seconds
            self._principals[secret] = _Remembered(principal, fresh_until, opens_until)
        return principal

    def remembered(self, secret: str) -> Principal | None:
        """The caller behind a secret this process checked lately, found without a lookup."""
        cached = self._principals.get(secret)
        if (
            cached is not None
            and cached.fresh_until > time.monotonic()
            and (cached.opens_until is None or self.clock() < cached.opens_until)
        ):
            return cached.principal
        return None

    def forget_principals(self, aggregate_id: UUID) -> None:
        """Drops remembered principals of a key or a tenant that just changed."""
        for secret, remembered in list(self._principals.items()):
            if aggregate_id in (remembered.principal.key_id, remembered.principal.tenant_id):
                self._principals.pop(secret, None)

    def commit(self, *aggregates: Aggregate) -> Position | None:
        position = super().commit(*aggregates)
        for aggregate in aggregates:
            self.forget_principals(aggregate.id)
        return position

    def _authenticate(self, secret: str) -> tuple[Principal, datetime | None] | None:
        key_id = key_secret.key_id_of(secret)
        if key_id is None:
            return None
        try:
            key = self.load(ApiKey, key_id, readonly=True)
            tenant = self.load(Tenant, key.tenant_id, readonly=True)
        except NotFound:
            return None
        digest = key_secret.digest(secret)
        if not key.accepts(digest, self.clock()):
            return None
        principal = Principal(
            tenant_id=tenant.id,
            key_id=key.id,
            permissions=effective_permissions(key.permissions),
            tier=Tier(key.tier),
            features=frozenset(Feature(f) for f in tenant.features),
        )
        return principal, key.opens_until(digest)
