"""What auditors read: the history view says what happened, the event stores say what it held.

Payloads and past states are read from the event stores through each application's
mapper, so they come back decrypted when payloads are encrypted at rest, and no
plaintext copy of them exists anywhere else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent

from adapters.audit.queries import AggregateIndex, HistoryFilter, HistoryQueries
from adapters.audit.values import JsonValue, aggregate_state, event_payload
from adapters.sql.paging import Page
from domain.shared.errors import InvalidValue, NotFound
from projections.audit.history import HistoryEntry

# A page's domain events are read with one range query per application when they lie
# close together in its log; when they are scattered (a filter that matches little),
# one query per aggregate (or per domain event, if those are scattered too) reads far
# fewer rows.
RANGE_READ_SLACK = 4


@dataclass(frozen=True)
class AuditEntry:
    """One domain event: its place in the history and its payload (secrets redacted)."""

    entry: HistoryEntry
    payload: dict[str, JsonValue]


@dataclass(frozen=True)
class AggregateState:
    """An aggregate as it was at one version (secrets redacted)."""

    aggregate_id: UUID
    aggregate_type: str
    application: str
    version: int
    as_of: datetime  # when the domain event that made this version happened
    state: dict[str, JsonValue]


class Auditor:
    """Reads a tenant's history; tenant_id None reads every tenant (the operator's CLI)."""

    def __init__(self, queries: HistoryQueries, applications: Mapping[str, Application[Any]]):
        self.queries = queries
        self.applications = applications

    def history(
        self, tenant_id: UUID | None, where: HistoryFilter, limit: int, cursor: str | None
    ) -> Page[AuditEntry]:
        """The matching domain events with their payloads, oldest first, a page at a time."""
        page = self.queries.page(tenant_id, where, limit, cursor)
        return Page(self._with_payloads(page.items), page.next_cursor)

    def export(
        self, tenant_id: UUID | None, where: HistoryFilter, chunk: int = 500
    ) -> Iterator[AuditEntry]:
        """Every matching domain event in page order, read a bounded chunk at a time."""
        for entries in self.queries.chunks(tenant_id, where, chunk):
            yield from self._with_payloads(entries)

    def aggregate_history(
        self, tenant_id: UUID | None, aggregate_id: UUID, limit: int, cursor: str | None
    ) -> Page[AuditEntry]:
        """One aggregate's domain events in version order; NotFound if the tenant has none."""
        found = self._find(tenant_id, aggregate_id)
        page = self.queries.aggregate_page(found, limit, cursor)
        return Page(self._with_payloads(page.items), page.next_cursor)

    def state(
        self,
        tenant_id: UUID | None,
        aggregate_id: UUID,
        *,
        version: int | None = None,
        at: datetime | None = None,
    ) -> AggregateState:
        """The aggregate as of a version or a moment (the latest if neither), from its events."""
        if version is not None and at is not None:
            raise InvalidValue("version", "give a version or a time, not both")
        found = self._find(tenant_id, aggregate_id)
        if at is not None:
            entry = self.queries.entry_at(found, at)
            if entry is None:
                raise InvalidValue("at", f"the {found.aggregate_type} did not exist yet at {at}")
            version = entry.version
        elif version is None:
            version = found.last_version
        elif not 1 <= version <= found.last_version:
            raise InvalidValue(
                "version",
                f"the {found.aggregate_type} has versions 1 to {found.last_version}",
            )
        app = self.applications[found.application]
        aggregate: Aggregate = app.repository.get(aggregate_id, version=version)
        return AggregateState(
            aggregate_id=aggregate_id,
            aggregate_type=found.aggregate_type,
            application=found.application,
            version=aggregate.version,
            as_of=aggregate.modified_on,
            state=aggregate_state(aggregate),
        )

    def _find(self, tenant_id: UUID | None, aggregate_id: UUID) -> AggregateIndex:
        found = self.queries.aggregate(tenant_id, aggregate_id)
        if found is None:
            raise NotFound(f"no aggregate {aggregate_id} in the history")
        return found

    def _with_payloads(self, entries: list[HistoryEntry]) -> list[AuditEntry]:
        by_application: defaultdict[str, list[HistoryEntry]] = defaultdict(list)
        for entry in entries:
            by_application[entry.application].append(entry)
        stored: dict[tuple[str, int], StoredEvent] = {}
        for name, group in by_application.items():
            for entry, event in zip(group, self._stored(name, group), strict=True):
                stored[(name, entry.position)] = event
        return [
            AuditEntry(e, event_payload(self._decoded(e, stored[(e.application, e.position)])))
            for e in entries
        ]

    def _stored(self, application: str, entries: list[HistoryEntry]) -> list[StoredEvent]:
        """The stored domain events of one application's entries, in the entries' order."""
        recorder = self.applications[application].recorder
        positions = [e.position for e in entries]
        first, last = min(positions), max(positions)
        found: dict[tuple[UUID | str, int], StoredEvent] = {}
        if last - first < RANGE_READ_SLACK * len(entries):
            notifications = recorder.select_notifications(first, last - first + 1, stop=last)
            found = {(n.originator_id, n.originator_version): n for n in notifications}
        else:
            for aggregate_id, versions in _versions_by_aggregate(entries).items():
                for low, high in _close_ranges(versions):
                    events = recorder.select_events(aggregate_id, gt=low - 1, lte=high)
                    found.update({(aggregate_id, s.originator_version): s for s in events})
        try:
            return [found[(e.aggregate_id, e.version)] for e in entries]
        except KeyError as missing:
            raise LookupError(f"{application} holds no domain event {missing}") from None

    def _decoded(self, entry: HistoryEntry, stored: StoredEvent) -> object:
        return self.applications[entry.application].mapper.to_domain_event(stored)


def _close_ranges(versions: list[int]) -> list[tuple[int, int]]:
    """One range of the versions when they lie close together, else one range for each."""
    low, high = min(versions), max(versions)
    if high - low < RANGE_READ_SLACK * len(versions):
        return [(low, high)]
    return [(v, v) for v in sorted(set(versions))]


def _versions_by_aggregate(entries: Iterable[HistoryEntry]) -> dict[UUID, list[int]]:
    versions: defaultdict[UUID, list[int]] = defaultdict(list)
    for entry in entries:
        versions[entry.aggregate_id].append(entry.version)
    return versions
