"""A tenant's screening settings: where duplicates are looked for."""

from __future__ import annotations

from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

SETTINGS_NAMESPACE = uuid5(NAMESPACE_URL, "accredit:screening-settings")


def settings_id(tenant_id: UUID) -> UUID:
    return uuid5(SETTINGS_NAMESPACE, str(tenant_id))


class DuplicateScope(StrEnum):
    EVENT = "event"  # a pair is listed only when both registered for one event
    TENANT = "tenant"  # across all the tenant's events


DEFAULT_SCOPE = DuplicateScope.EVENT


class ScreeningSettings(Aggregate):
    # Domain events: a public contract, each with its typed payload.

    class Created(Aggregate.Created):
        """The tenant's screening settings were first set."""

        tenant_id: UUID
        duplicate_scope: str

    class DuplicateScopeChanged(Aggregate.Event):
        """Duplicates are now looked for within each event, or across the tenant's events."""

        tenant_id: UUID
        duplicate_scope: str

    @staticmethod
    def create_id(tenant_id: UUID) -> UUID:
        return settings_id(tenant_id)

    @event(Created)
    def __init__(self, tenant_id: UUID, duplicate_scope: str) -> None:
        self.tenant_id = tenant_id
        self.duplicate_scope = DuplicateScope(duplicate_scope)

    def change_scope(self, scope: DuplicateScope) -> None:
        if scope is not self.duplicate_scope:
            self._scope_changed(tenant_id=self.tenant_id, duplicate_scope=scope.value)

    @event(DuplicateScopeChanged)
    def _scope_changed(self, tenant_id: UUID, duplicate_scope: str) -> None:
        del tenant_id  # recorded for readers of the history; the settings know their tenant
        self.duplicate_scope = DuplicateScope(duplicate_scope)
