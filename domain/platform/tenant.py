"""The tenant: an organiser running events on the platform, with its feature flags."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.platform.features import Feature
from domain.shared.names import display_name
from domain.shared.topics import moved_from


class Tenant(Aggregate):
    # Domain events: a public contract, each with its typed payload.

    class Created(Aggregate.Created):
        """A tenant (an organiser) joined the platform with these features enabled."""

        tenant_id: UUID
        name: str
        features: list[str]

    class Renamed(Aggregate.Event):
        """The tenant's display name changed."""

        name: str

    class FeatureEnabled(Aggregate.Event):
        """A feature flag was switched on for the tenant."""

        feature: str

    class FeatureDisabled(Aggregate.Event):
        """A feature flag was switched off for the tenant."""

        feature: str

    @staticmethod
    def create_id(tenant_id: UUID) -> UUID:
        return tenant_id

    @event(Created)
    def __init__(self, tenant_id: UUID, name: str, features: list[str]) -> None:  # noqa: ARG002
        self.name = name
        self.features = set(features)

    @classmethod
    def create(cls, name: str, features: Iterable[Feature], tenant_id: UUID) -> Tenant:
        return cls(
            tenant_id=tenant_id,
            name=display_name(name),
            features=sorted({f.value for f in features}),
        )

    @property
    def tenant_id(self) -> UUID:
        """A tenant is its own tenant: its domain events belong to its history."""
        return self.id

    @property
    def created_at(self) -> datetime:
        return self.created_on

    @property
    def updated_at(self) -> datetime:
        return self.modified_on

    def has(self, feature: Feature) -> bool:
        return feature.value in self.features

    def rename(self, name: str) -> None:
        cleaned = display_name(name)
        if cleaned != self.name:
            self._renamed(name=cleaned)

    @event(Renamed)
    def _renamed(self, name: str) -> None:
        self.name = name

    def enable(self, feature: Feature) -> None:
        if not self.has(feature):
            self._feature_enabled(feature=feature.value)

    @event(FeatureEnabled)
    def _feature_enabled(self, feature: str) -> None:
        self.features.add(feature)

    def disable(self, feature: Feature) -> None:
        if self.has(feature):
            self._feature_disabled(feature=feature.value)

    @event(FeatureDisabled)
    def _feature_disabled(self, feature: str) -> None:
        self.features.discard(feature)


# Histories written before this module moved name its classes by the old path.
moved_from("domain.tenant", __name__)
