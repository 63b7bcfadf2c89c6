"""What the registration queries answer: managed events, participants, their steps, counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class EventRow:
    id: UUID
    tenant_id: UUID
    name: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    venue: str | None
    country: str | None
    capacity: int | None
    categories: list[dict[str, Any]]  # [{code, name, capacity}]
    registration: str  # draft, open or closed
    workflow_version: int
    workflow: dict[str, Any]  # the current version's definition
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class StepRow:
    """One reached step of a participant's workflow."""

    step_id: str
    kind: str
    name: str
    status: str  # active, approved, rejected, cancelled
    outcome: str | None
    actor: str | None
    comment: str | None
    order: int
    reached_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True)
class BranchRow:
    """One branch of a parallel step a participant has entered."""

    fork: str
    head: str
    status: str  # active, passed, failed, cancelled


@dataclass(frozen=True)
class ParticipantRow:
    id: UUID
    tenant_id: UUID
    event_id: UUID
    category: str | None
    first_name: str | None
    last_name: str | None
    full_name: str
    email: str
    phone: str | None
    date_of_birth: date | None
    organisation: str | None
    nationality: str | None
    document_number: str | None
    status: str  # pending, waitlisted, approved, rejected, withdrawn, cancelled, merged
    workflow_version: int
    active_steps: list[str]
    reason: str | None
    survivor_id: UUID | None  # while merged into another participant
    held_by: UUID | None  # the screening decision holding them for review
    blocked_by: UUID | None  # the screening decision blocking them
    blocked_reason: str | None
    waitlist_entry_id: UUID | None
    version: int
    registered_at: datetime
    updated_at: datetime
    steps: list[StepRow] = field(default_factory=list)  # filled for one participant only
    branches: list[BranchRow] = field(default_factory=list)  # filled for one participant only


@dataclass(frozen=True)
class ParticipantFilter:
    """Which participants of an event to list; None matches anything."""

    status: str | None = None
    category: str | None = None
    step: str | None = None  # participants for whom this step is active
    search: str | None = None  # part of the name or e-mail, any case
    screening: str | None = None  # held: held for screening review; blocked: blocked by it


@dataclass(frozen=True)
class QueueItem:
    """A participant waiting at a step, oldest first."""

    participant_id: UUID
    first_name: str | None
    last_name: str | None
    full_name: str
    email: str
    category: str | None
    step_id: str
    waiting_since: datetime


@dataclass(frozen=True)
class EventCounts:
    by_status: dict[str, int]  # every status, zero included
    by_category: dict[str, dict[str, int]]  # category code -> status -> count (nonzero)
    total: int
    capacity: int | None
    seats_taken: int  # approved participants
