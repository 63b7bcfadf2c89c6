"""Managed events, participants and their workflow steps as tables, and the queries on them."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Date,
    Engine,
    Index,
    Integer,
    RowMapping,
    Select,
    String,
    Table,
    Uuid,
    and_,
    func,
    literal,
    select,
    tuple_,
)

from adapters.database import VIEWS_SCHEMA, Reader, metadata
from adapters.pagination import BadCursor, Page, decode_cursor, decode_time, encode_cursor
from adapters.registration_rows import (
    BranchRow,
    EventCounts,
    EventRow,
    ParticipantFilter,
    ParticipantRow,
    QueueItem,
    StepRow,
)
from adapters.row_buffer import MissingRow
from adapters.sql_view import SqlView
from adapters.types import UtcDateTime
from adapters.view_changes import ViewChanges
from domain.participant import ParticipantStatus
from domain.person import PersonalDetails, normalised_email
from domain.workflow_run import StepStatus

ACTIVE = StepStatus.ACTIVE.value

managed_events = Table(
    "managed_events",
    metadata,
    Column("event_id", Uuid, primary_key=True, comment="The managed event (conference) id"),
    Column("tenant_id", Uuid, nullable=False, comment="The tenant (organiser) running it"),
    Column("name", String, nullable=False, comment="Display name"),
    Column("starts_at", UtcDateTime, nullable=False, comment="When it starts (UTC)"),
    Column("ends_at", UtcDateTime, nullable=False, comment="When it ends (UTC)"),
    Column("time_zone", String, nullable=False, comment="IANA time zone of the venue"),
    Column("venue", String, nullable=True, comment="Where it takes place; null: not given"),
    Column(
        "capacity",
        Integer,
        nullable=True,
        comment="Seats for approved participants in all; null: unlimited",
    ),
    Column(
        "categories",
        JSON,
        nullable=False,
        comment="Kinds of participant: a list of {code, name, capacity (null: unlimited)}",
    ),
    Column(
        "registration",
        String,
        nullable=False,
        comment="draft (not yet open), open or closed to new registrations",
    ),
    Column(
        "workflow_version",
        Integer,
        nullable=False,
        comment="The workflow version new registrations follow (1 = the first)",
    ),
    Column(
        "workflow",
        JSON,
        nullable=False,
        comment="That version's definition: {start, steps: [{id, kind, name, ...}]}",
    ),
    Column("version", Integer, nullable=False, comment="Aggregate version (the ETag)"),
    Column("created_at", UtcDateTime, nullable=False, comment="When it was created (UTC)"),
    Column("updated_at", UtcDateTime, nullable=False, comment="Its last change (UTC)"),
    Index("managed_events_by_tenant", "tenant_id", "starts_at", "event_id"),
    schema=VIEWS_SCHEMA,
    comment="One row per managed event (conference, festival) a tenant runs",
)

workflow_versions = Table(
    "workflow_versions",
    metadata,
    Column("event_id", Uuid, primary_key=True, comment="The managed event"),
    Column(
        "version",
        Integer,
        primary_key=True,
        autoincrement=False,
        comment="The workflow version (1 = the one the event was created with)",
    ),
    Column("tenant_id", Uuid, nullable=False, comment="The tenant running the event"),
    Column(
        "definition",
        JSON,
        nullable=False,
        comment="The definition: {start, steps: [{id, kind, name, next, branches, join, ...}]}",
    ),
    Column("published_at", UtcDateTime, nullable=False, comment="When it was published (UTC)"),
    schema=VIEWS_SCHEMA,
    comment="Every published workflow version of every managed event; participants keep theirs",
)

participants = Table(
    "participants",
    metadata,
    Column("participant_id", Uuid, primary_key=True, comment="The participant (registration) id"),
    Column("tenant_id", Uuid, nullable=False, comment="The tenant running the event"),
    Column("event_id", Uuid, nullable=False, comment="The managed event registered for"),
    Column(
        "category",
        String,
        nullable=True,
        comment="Category code (managed_events.categories); null: the event has none",
    ),
    Column("first_name", String, nullable=False, comment="First name as given"),
    Column("last_name", String, nullable=False, comment="Last name as given"),
    Column("email", String, nullable=False, comment="E-mail address as given"),
    Column(
        "email_normalised",
        String,
        nullable=False,
        comment="The e-mail Unicode-normalised and case-folded, as registrations compare them",
    ),
    Column(
        "search_text",
        String,
        nullable=False,
        comment="'first last email', Unicode-normalised and case-folded, for substring search",
    ),
    Column("phone", String, nullable=True, comment="Phone number, digits with an optional +"),
    Column("date_of_birth", Date, nullable=True, comment="Date of birth; null: not given"),
    Column("organisation", String, nullable=True, comment="Organisation; null: not given"),
    Column("nationality", String, nullable=True, comment="ISO 3166-1 alpha-2 country code"),
    Column("document_number", String, nullable=True, comment="Identity document number"),
    Column(
        "status",
        String,
        nullable=False,
        comment="pending (in the workflow), approved, rejected, withdrawn or cancelled",
    ),
    Column(
        "workflow_version",
        Integer,
        nullable=False,
        comment="The workflow version the participant follows (workflow_versions.version)",
    ),
    Column(
        "active_steps",
        JSON,
        nullable=False,
        comment="Ids of the steps awaiting a person, sorted (participant_steps for details)",
    ),
    Column(
        "reason",
        String,
        nullable=True,
        comment="Why the participant withdrew or was cancelled; null: not given or not ended",
    ),
    Column("version", Integer, nullable=False, comment="Aggregate version (the ETag)"),
    Column("registered_at", UtcDateTime, nullable=False, comment="When they registered (UTC)"),
    Column("updated_at", UtcDateTime, nullable=False, comment="Their last change (UTC)"),
    Index("participants_by_event", "event_id", "registered_at", "participant_id"),
    Index("participants_by_status", "event_id", "status", "registered_at", "participant_id"),
    Index("participants_by_category", "event_id", "category", "registered_at", "participant_id"),
    Index("participants_by_email", "event_id", "email_normalised"),
    schema=VIEWS_SCHEMA,
    comment="One row per registration of a person for a managed event, with its status",
)

participant_steps = Table(
    "participant_steps",
    metadata,
    Column("participant_id", Uuid, primary_key=True, comment="The participant"),
    Column("step_id", String, primary_key=True, comment="The step's id in the workflow"),
    Column("tenant_id", Uuid, nullable=False, comment="The tenant running the event"),
    Column("event_id", Uuid, nullable=False, comment="The managed event"),
    Column(
        "kind",
        String,
        nullable=False,
        comment="approval, review, ..._check, interview (work); parallel, join or end (structure)",
    ),
    Column("name", String, nullable=False, comment="The step's display name in the workflow"),
    Column(
        "status",
        String,
        nullable=False,
        comment="active (awaiting a person), approved, rejected or cancelled (closed unfinished)",
    ),
    Column(
        "outcome",
        String,
        nullable=True,
        comment="approved or rejected, as the person decided; null: active, structure or cancelled",
    ),
    Column(
        "actor",
        String,
        nullable=True,
        comment="Who completed the step, as the integrator named them",
    ),
    Column("comment", String, nullable=True, comment="The completer's comment"),
    Column(
        "step_order",
        Integer,
        nullable=False,
        comment="The completion that set this state: 0 at registration, n the nth; ends: last + 1",
    ),
    Column("reached_at", UtcDateTime, nullable=False, comment="When the step was reached (UTC)"),
    Column(
        "completed_at",
        UtcDateTime,
        nullable=True,
        comment="When it stopped being active (structure: when reached); null: still active",
    ),
    Index(
        "participant_steps_queue", "event_id", "step_id", "status", "reached_at", "participant_id"
    ),
    schema=VIEWS_SCHEMA,
    comment="Every workflow step each participant has reached, structure included, as it stands",
)

participant_branches = Table(
    "participant_branches",
    metadata,
    Column("participant_id", Uuid, primary_key=True, comment="The participant"),
    Column("fork", String, primary_key=True, comment="The parallel step the branch leaves"),
    Column("head", String, primary_key=True, comment="The branch's first step"),
    Column("tenant_id", Uuid, nullable=False, comment="The tenant running the event"),
    Column("event_id", Uuid, nullable=False, comment="The managed event"),
    Column(
        "status",
        String,
        nullable=False,
        comment="active, passed (reached its join), failed, or cancelled (the join decided first)",
    ),
    schema=VIEWS_SCHEMA,
    comment="Every branch of a parallel step each participant has entered, as it stands",
)

_e, _v, _p = managed_events.c, workflow_versions.c, participants.c
_s, _b = participant_steps.c, participant_branches.c


def searchable(text: str) -> str:
    """Text as it is searched: Unicode-normalised, white space folded, case-folded."""
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _person_columns(first_name: str, last_name: str, email: str) -> dict[str, str]:
    return {
        "email_normalised": normalised_email(email),
        "search_text": searchable(f"{first_name} {last_name} {email}"),
    }


@dataclass
class _Known:
    """What a batch knows of a participant: its immutable facts and its active steps."""

    tenant_id: UUID
    event_id: UUID
    workflow_version: int
    active: set[str]


class SqlRegistrationView(SqlView):
    """The registration projector's view changes, inside the runner's transaction."""

    tables = (
        managed_events,
        workflow_versions,
        participants,
        participant_steps,
        participant_branches,
    )

    def __init__(self, conn: Connection) -> None:
        super().__init__(conn)
        # Both live for one batch (one view per transaction).
        self._known: dict[UUID, _Known] = {}
        self._steps_of: dict[tuple[UUID, int], dict[str, tuple[str, str]]] = {}

    # Managed events

    def event_created(
        self,
        event_id: UUID,
        tenant_id: UUID,
        name: str,
        starts_at: datetime,
        ends_at: datetime,
        time_zone: str,
        venue: str | None,
        capacity: int | None,
        categories: list[dict[str, Any]],
        workflow: dict[str, Any],
        at: datetime,
    ) -> None:
        self.rows.insert(
            managed_events,
            {
                "event_id": event_id,
                "tenant_id": tenant_id,
                "name": name,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "time_zone": time_zone,
                "venue": venue,
                "capacity": capacity,
                "categories": categories,
                "registration": "draft",
                "workflow_version": 1,
                "workflow": workflow,
                "version": 1,
                "created_at": at,
                "updated_at": at,
            },
        )
        self._add_workflow(event_id, tenant_id, 1, workflow, at)

    def event_changed(
        self, event_id: UUID, changes: dict[str, Any], version: int, at: datetime
    ) -> None:
        self.rows.update(
            managed_events, event_id, {**changes, "version": version, "updated_at": at}
        )

    def workflow_published(
        self,
        event_id: UUID,
        workflow_version: int,
        workflow: dict[str, Any],
        version: int,
        at: datetime,
    ) -> None:
        tenant_id = self.rows.value(managed_events, event_id, "tenant_id")
        self._add_workflow(event_id, tenant_id, workflow_version, workflow, at)
        changes = {"workflow_version": workflow_version, "workflow": workflow}
        self.event_changed(event_id, changes, version, at)

    def _add_workflow(
        self,
        event_id: UUID,
        tenant_id: UUID,
        workflow_version: int,
        workflow: dict[str, Any],
        at: datetime,
    ) -> None:
        self.rows.insert(
            workflow_versions,
            {
                "event_id": event_id,
                "version": workflow_version,
                "tenant_id": tenant_id,
                "definition": workflow,
                "published_at": at,
            },
        )

    # Participants

    def participant_registered(
        self,
        participant_id: UUID,
        tenant_id: UUID,
        event_id: UUID,
        category: str | None,
        person: PersonalDetails,
        workflow_version: int,
        status: str,
        steps: list[dict[str, Any]],
        branches: list[dict[str, Any]],
        at: datetime,
    ) -> None:
        known = self._known[participant_id] = _Known(tenant_id, event_id, workflow_version, set())
        self._record_workflow(participant_id, known, steps, branches, at)
        self.rows.insert(
            participants,
            {
                "participant_id": participant_id,
                "tenant_id": tenant_id,
                "event_id": event_id,
                "category": category,
                **person.to_record(as_dates=True),
                **_person_columns(person.first_name, person.last_name, person.email),
                "status": status,
                "workflow_version": workflow_version,
                "active_steps": sorted(known.active),
                "reason": None,
                "version": 1,
                "registered_at": at,
                "updated_at": at,
            },
        )

    def participant_details_updated(
        self, participant_id: UUID, changes: dict[str, Any], version: int, at: datetime
    ) -> None:
        values = {**changes, "version": version, "updated_at": at}
        if {"first_name", "last_name", "email"} & changes.keys():
            names = {
                c: changes[c] if c in changes else self.rows.value(participants, participant_id, c)
                for c in ("first_name", "last_name", "email")
            }
            values.update(_person_columns(**names))
        self.rows.update(participants, participant_id, values)

    def participant_progressed(
        self,
        participant_id: UUID,
        changes: dict[str, Any],
        steps: list[dict[str, Any]],
        branches: list[dict[str, Any]],
        version: int,
        at: datetime,
    ) -> None:
        known = self._participant(participant_id)
        self._record_workflow(participant_id, known, steps, branches, at)
        values = {**changes, "active_steps": sorted(known.active)}
        self.rows.update(
            participants, participant_id, {**values, "version": version, "updated_at": at}
        )

    def _participant(self, participant_id: UUID) -> _Known:
        known = self._known.get(participant_id)
        if known is not None:
            return known
        # A participant this batch has not met yet has no pending change of these columns
        # (every change of them goes through _known), so the table holds them as they are:
        # one read instead of one per column through the buffer.
        row = self.conn.execute(
            select(_p.tenant_id, _p.event_id, _p.workflow_version, _p.active_steps).where(
                _p.participant_id == participant_id
            )
        ).one_or_none()
        if row is None:
            raise MissingRow(f"{participants.name} ({participant_id},)")
        known = _Known(row.tenant_id, row.event_id, row.workflow_version, set(row.active_steps))
        self._known[participant_id] = known
        return known

    def _record_workflow(
        self,
        participant_id: UUID,
        known: _Known,
        steps: list[dict[str, Any]],
        branches: list[dict[str, Any]],
        at: datetime,
    ) -> None:
        """Step and branch rows from the workflow's changes; `known.active` follows them."""
        reached: set[str] = set()
        for record in steps:
            step_id, status = record["step_id"], record["status"]
            values = {
                "status": status,
                "outcome": record["outcome"],
                "actor": record["actor"],
                "comment": record["comment"],
                "step_order": record["order"],
                "completed_at": None if status == ACTIVE else at,
            }
            # Only an active step ever changes again (a step is reached once, and structure
            # is recorded decided), so a step is new unless it was active until now.
            if step_id in known.active:
                self.rows.update(participant_steps, (participant_id, step_id), values)
            else:
                kind, name = self._steps(known)[step_id]
                reached.add(step_id)
                self.rows.insert(
                    participant_steps,
                    {
                        "participant_id": participant_id,
                        "step_id": step_id,
                        "tenant_id": known.tenant_id,
                        "event_id": known.event_id,
                        "kind": kind,
                        "name": name,
                        "reached_at": at,
                        **values,
                    },
                )
            if status == ACTIVE:
                known.active.add(step_id)
            else:
                known.active.discard(step_id)
        for record in branches:
            fork, head, status = record["fork"], record["head"], record["status"]
            # A parallel step's branches are entered with it, and it is recorded once.
            if fork in reached:
                self.rows.insert(
                    participant_branches,
                    {
                        "participant_id": participant_id,
                        "fork": fork,
                        "head": head,
                        "tenant_id": known.tenant_id,
                        "event_id": known.event_id,
                        "status": status,
                    },
                )
            else:
                key = (participant_id, fork, head)
                self.rows.update(participant_branches, key, {"status": status})

    def _steps(self, known: _Known) -> dict[str, tuple[str, str]]:
        """The kind and name of each step of the participant's workflow version."""
        version = (known.event_id, known.workflow_version)
        steps = self._steps_of.get(version)
        if steps is None:
            definition = self.rows.value(workflow_versions, version, "definition")
            steps = {s["id"]: (s["kind"], s["name"]) for s in definition["steps"]}
            self._steps_of[version] = steps
        return steps


class RegistrationQueries:
    """Reads of the registration tables, always within the caller's tenant."""

    def __init__(self, reader: Engine | Reader, changes: ViewChanges | None = None) -> None:
        self.reader = Reader.of(reader)
        # Every read goes to the tables; kept for a cache that follows the projection.
        self.changes = changes

    def event(self, tenant_id: UUID, event_id: UUID) -> EventRow | None:
        """One managed event of the tenant."""
        query = select(managed_events).where(_e.tenant_id == tenant_id, _e.event_id == event_id)
        rows = self.reader.rows(query)
        return _event_row(rows[0]._mapping) if rows else None

    def events(self, tenant_id: UUID, limit: int, cursor: str | None) -> Page[EventRow]:
        """The tenant's managed events by start time, a page at a time."""
        query = select(managed_events).where(_e.tenant_id == tenant_id)
        query = _keyset(query, _e.starts_at, _e.event_id, limit, cursor)
        rows = [_event_row(r._mapping) for r in self.reader.rows(query)]
        return _page(rows, limit, lambda r: (r.starts_at, r.id))

    def participant(self, tenant_id: UUID, participant_id: UUID) -> ParticipantRow | None:
        """One participant of the tenant, with every step reached and branch entered."""
        query = select(participants).where(
            _p.tenant_id == tenant_id, _p.participant_id == participant_id
        )
        rows = self.reader.rows(query)
        if not rows:
            return None
        steps = self.reader.rows(
            select(participant_steps).where(
                _s.tenant_id == tenant_id, _s.participant_id == participant_id
            )
        )
        branches = self.reader.rows(
            select(_b.fork, _b.head, _b.status).where(
                _b.tenant_id == tenant_id, _b.participant_id == participant_id
            )
        )
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
        query = select(participants).where(_p.tenant_id == tenant_id, _p.event_id == event_id)
        if where.status is not None:
            query = query.where(_p.status == where.status)
        if where.category is not None:
            query = query.where(_p.category == where.category)
        if where.search is not None and (text := searchable(where.search)):
            # autoescape: a % or _ the user typed is matched as itself.
            query = query.where(_p.search_text.contains(text, autoescape=True))
        if where.step is not None:
            query = query.join(
                participant_steps,
                and_(
                    _s.participant_id == _p.participant_id,
                    _s.step_id == where.step,
                    _s.status == ACTIVE,
                ),
            )
        query = _keyset(query, _p.registered_at, _p.participant_id, limit, cursor)
        rows = [_participant_row(r._mapping) for r in self.reader.rows(query)]
        return _page(rows, limit, lambda r: (r.registered_at, r.id))

    def work_queue(
        self, tenant_id: UUID, event_id: UUID, step_id: str, limit: int, cursor: str | None
    ) -> Page[QueueItem]:
        """The participants awaiting a step of an event, longest waiting first."""
        query = (
            select(
                _s.participant_id,
                _p.first_name,
                _p.last_name,
                _p.email,
                _p.category,
                _s.step_id,
                _s.reached_at.label("waiting_since"),
            )
            .select_from(
                participant_steps.join(participants, _p.participant_id == _s.participant_id)
            )
            .where(
                _s.tenant_id == tenant_id,
                _s.event_id == event_id,
                _s.step_id == step_id,
                _s.status == ACTIVE,
            )
        )
        query = _keyset(query, _s.reached_at, _s.participant_id, limit, cursor)
        items = [QueueItem(**r._mapping) for r in self.reader.rows(query)]
        return _page(items, limit, lambda q: (q.waiting_since, q.participant_id))

    def counts(self, tenant_id: UUID, event_id: UUID) -> EventCounts | None:
        """How many participants of an event are in each status, overall and per category."""
        event = self.reader.rows(
            select(_e.capacity).where(_e.tenant_id == tenant_id, _e.event_id == event_id)
        )
        if not event:
            return None
        grouped = self.reader.rows(
            select(_p.category, _p.status, func.count().label("n"))
            .where(_p.tenant_id == tenant_id, _p.event_id == event_id)
            .group_by(_p.category, _p.status)
        )
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


T = TypeVar("T")
S = TypeVar("S", bound=Select[Any])


def _keyset(query: S, time: Any, key: Any, limit: int, cursor: str | None) -> S:
    """The query ordered by (time, key), after the cursor's row, one row over the limit."""
    if limit < 1:
        raise ValueError("a page holds at least one item")
    if cursor is not None:
        after_time, after_key = _time_and_id(cursor)
        # Typed like the columns, so the time is stored-form UTC on every backend.
        after = tuple_(literal(after_time, time.type), literal(after_key, key.type))
        query = query.where(tuple_(time, key) > after)
    return query.order_by(time, key).limit(limit + 1)


def _page(items: list[T], limit: int, position: Callable[[T], tuple[datetime, UUID]]) -> Page[T]:
    """A page of the rows a _keyset query read, with a cursor if there are more."""
    if len(items) <= limit:
        return Page(items, None)
    items = items[:limit]
    at, key = position(items[-1])
    return Page(items, encode_cursor(at.isoformat(), str(key)))


def _time_and_id(cursor: str) -> tuple[datetime, UUID]:
    values = decode_cursor(cursor)
    if len(values) != 2:
        raise BadCursor("the cursor is not valid")
    at = decode_time(values[0])
    try:
        return at, UUID(values[1])
    except ValueError:
        raise BadCursor("the cursor is not valid") from None


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
