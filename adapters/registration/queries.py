"""Reads of the registration tables, always within the caller's tenant."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, RowMapping, and_, func, select

from adapters.projection.view_changes import ViewChanges
from adapters.registration.rows import (
    BranchRow,
    EventCounts,
    EventRow,
    ParticipantFilter,
    ParticipantRow,
    QueueItem,
    StepRow,
)
from adapters.registration.tables import (
    ACTIVE,
    b_,
    e_,
    managed_events,
    p_,
    participant_steps,
    participants,
    s_,
    searchable,
    v_,
)
from adapters.sql.paging import Page, keyset, keyset_page
from adapters.sql.reader import Reader
from domain.registration.participant import ParticipantStatus


class RegistrationQueries:
    """Reads of the registration tables, always within the caller's tenant."""

    def __init__(self, reader: Engine | Reader, changes: ViewChanges | None = None) -> None:
        self.reader = Reader.of(reader)
        # Every read goes to the tables; kept for a cache that follows the projection.
        self.changes = changes

    def event(self, tenant_id: UUID, event_id: UUID) -> EventRow | None:
        """One managed event of the tenant."""
        query = select(managed_events).where(e_.tenant_id == tenant_id, e_.event_id == event_id)
        rows = self.reader.rows(query)
        return _event_row(rows[0]._mapping) if rows else None

    def workflow(self, tenant_id: UUID, event_id: UUID, version: int) -> dict[str, Any] | None:
        """One published version of an event's workflow definition."""
        query = select(v_.definition).where(
            v_.tenant_id == tenant_id, v_.event_id == event_id, v_.version == version
        )
        rows = self.reader.rows(query)
        return dict(rows[0].definition) if rows else None

    def events(self, tenant_id: UUID, limit: int, cursor: str | None) -> Page[EventRow]:
        """The tenant's managed events by start time, a page at a time."""
        query = select(managed_events).where(e_.tenant_id == tenant_id)
        query = keyset(query, e_.starts_at, e_.event_id, limit, cursor)
        rows = [_event_row(r._mapping) for r in self.reader.rows(query)]
        return keyset_page(rows, limit, lambda r: (r.starts_at, r.id))

    def participant(self, tenant_id: UUID, participant_id: UUID) -> ParticipantRow | None:
        """One participant of the tenant, with every step reached and branch entered."""
        rows, steps, branches = self.reader.snapshot(
            select(participants).where(
                p_.tenant_id == tenant_id, p_.participant_id == participant_id
            ),
            select(participant_steps).where(
                s_.tenant_id == tenant_id, s_.participant_id == participant_id
            ),
            select(b_.fork, b_.head, b_.status).where(
                b_.tenant_id == tenant_id, b_.participant_id == participant_id
            ),
        )
        if not rows:
            return None
        # Sorted here: text sorts by code point on every backend, whatever the collation.
        return _participant_row(
            rows[0]._mapping,
            steps=sorted(
                (_step_row(s._mapping) for s in steps), key=lambda s: (s.order, s.step_id)
            ),
            branches=sorted(
                (BranchRow(**b._mapping) for b in branches), key=lambda b: (b.fork, b.head)
            ),
        )

    def participants(
        self,
        tenant_id: UUID,
        event_id: UUID,
        where: ParticipantFilter,
        limit: int,
        cursor: str | None,
    ) -> Page[ParticipantRow]:
        """An event's participants matching the filter, by registration time, a page at a time."""
        query = select(participants).where(p_.tenant_id == tenant_id, p_.event_id == event_id)
        if where.status is not None:
            query = query.where(p_.status == where.status)
        if where.category is not None:
            query = query.where(p_.category == where.category)
        if where.screening == "held":
            query = query.where(p_.held_by.is_not(None))
        elif where.screening == "blocked":
            query = query.where(p_.blocked_by.is_not(None))
        if where.search is not None and (text := searchable(where.search)):
            # autoescape: a % or _ the user typed is matched as itself.
            query = query.where(p_.search_text.contains(text, autoescape=True))
        if where.step is not None:
            query = query.join(
                participant_steps,
                and_(
                    s_.participant_id == p_.participant_id,
                    s_.step_id == where.step,
                    s_.status == ACTIVE,
                ),
            )
        query = keyset(query, p_.registered_at, p_.participant_id, limit, cursor)
        rows = [_participant_row(r._mapping) for r in self.reader.rows(query)]
        return keyset_page(rows, limit, lambda r: (r.registered_at, r.id))

    def work_queue(
        self, tenant_id: UUID, event_id: UUID, step_id: str, limit: int, cursor: str | None
    ) -> Page[QueueItem]:
        """The participants awaiting a step of an event, longest waiting first."""
        query = (
            select(
                s_.participant_id,
                p_.first_name,
                p_.last_name,
                p_.full_name,
                p_.email,
                p_.category,
                s_.step_id,
                s_.reached_at.label("waiting_since"),
            )
            .select_from(
                participant_steps.join(participants, p_.participant_id == s_.participant_id)
            )
            .where(
                s_.tenant_id == tenant_id,
                s_.event_id == event_id,
                s_.step_id == step_id,
                s_.status == ACTIVE,
                # A merged participant's steps wait for its un-merge, not for a person.
                p_.status != ParticipantStatus.MERGED.value,
            )
        )
        query = keyset(query, s_.reached_at, s_.participant_id, limit, cursor)
        items = [QueueItem(**r._mapping) for r in self.reader.rows(query)]
        return keyset_page(items, limit, lambda q: (q.waiting_since, q.participant_id))

    def counts(self, tenant_id: UUID, event_id: UUID) -> EventCounts | None:
        """How many participants of an event are in each status, overall and per category."""
        event, grouped = self.reader.snapshot(
            select(e_.capacity).where(e_.tenant_id == tenant_id, e_.event_id == event_id),
            select(p_.category, p_.status, func.count().label("n"))
            .where(p_.tenant_id == tenant_id, p_.event_id == event_id)
            .group_by(p_.category, p_.status),
        )
        if not event:
            return None
        by_status = dict.fromkeys((s.value for s in ParticipantStatus), 0)
        by_category: dict[str, dict[str, int]] = {}
        for row in grouped:
            by_status[row.status] = by_status.get(row.status, 0) + row.n
            if row.category is not None:
                by_category.setdefault(row.category, {})[row.status] = row.n
        return EventCounts(
            by_status=by_status,
            by_category=by_category,
            total=sum(by_status.values()),
            capacity=event[0].capacity,
            seats_taken=by_status[ParticipantStatus.APPROVED.value],
        )


def _event_row(mapping: RowMapping) -> EventRow:
    values = dict(mapping)
    return EventRow(id=values.pop("event_id"), **values)


def _participant_row(
    mapping: RowMapping, steps: Iterable[StepRow] = (), branches: Iterable[BranchRow] = ()
) -> ParticipantRow:
    values = dict(mapping)
    del values["email_normalised"], values["search_text"]
    return ParticipantRow(
        id=values.pop("participant_id"), steps=list(steps), branches=list(branches), **values
    )


def _step_row(mapping: RowMapping) -> StepRow:
    values = dict(mapping)
    for column in ("participant_id", "tenant_id", "event_id"):
        del values[column]
    return StepRow(order=values.pop("step_order"), **values)
