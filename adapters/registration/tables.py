"""The registration projection's tables: managed events, workflow versions, participants, steps."""

from __future__ import annotations

import unicodedata

from sqlalchemy import JSON, Column, Date, Index, Integer, String, Table, Uuid

from adapters.sql.schema import VIEWS_SCHEMA, metadata
from adapters.sql.types import UtcDateTime
from domain.registration.workflow.run import StepStatus

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
        "country",
        String,
        nullable=True,
        comment="ISO 3166-1 alpha-2 country it takes place in (phones are read in it); null",
    ),
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
    Column("first_name", String, nullable=True, comment="First name as given; null: none"),
    Column("last_name", String, nullable=True, comment="Last name as given; null: none"),
    Column(
        "full_name",
        String,
        nullable=False,
        comment="The name as shown: 'first last', or the one name a person has",
    ),
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
        comment="'full_name email', Unicode-normalised, case-folded, accents dropped: for search",
    ),
    Column(
        "phone",
        String,
        nullable=True,
        comment="Phone in E.164 (+4930123456); digits only when its country was unknown",
    ),
    Column("date_of_birth", Date, nullable=True, comment="Date of birth; null: not given"),
    Column("organisation", String, nullable=True, comment="Organisation; null: not given"),
    Column("nationality", String, nullable=True, comment="ISO 3166-1 alpha-2 country code"),
    Column("document_number", String, nullable=True, comment="Identity document number"),
    Column(
        "status",
        String,
        nullable=False,
        comment="pending (in the workflow), approved, rejected, withdrawn, cancelled or merged",
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
    Column(
        "survivor_id",
        Uuid,
        nullable=True,
        comment="While merged: the participant it was merged into (screening_merges); else null",
    ),
    Column(
        "held_by",
        Uuid,
        nullable=True,
        comment="While held for screening review: the screening decision "
        "(ParticipantScreening.Screened) that held them; else null",
    ),
    Column(
        "blocked_by",
        Uuid,
        nullable=True,
        comment="While blocked by screening (their scans answer BLOCKED): the screening "
        "decision that blocked them; else null",
    ),
    Column(
        "blocked_reason",
        String,
        nullable=True,
        comment="While blocked: why (it names the blacklist entry); else null",
    ),
    Column(
        "waitlist_entry_id",
        Uuid,
        nullable=True,
        comment="While waitlisted: the waitlist entry it waits in (waitlist_entries); else null",
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

e_, v_, p_ = managed_events.c, workflow_versions.c, participants.c
s_, b_ = participant_steps.c, participant_branches.c


def searchable(text: str) -> str:
    """Text as it is searched: Unicode-normalised, white space and case folded, accents
    dropped (so "jose" finds José and "MULLER" finds Müller)."""
    decomposed = unicodedata.normalize("NFKD", " ".join(text.split()).casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFKC", bare)
