"""The credentials projection's table: one row per credential, never its code."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, Uuid

from adapters.sql.schema import VIEWS_SCHEMA, metadata
from adapters.sql.types import UtcDateTime

access_credentials = Table(
    "access_credentials",
    metadata,
    Column("credential_id", Uuid, primary_key=True, comment="The credential id (in its code)"),
    Column("tenant_id", Uuid, nullable=False, comment="The tenant (organiser)"),
    Column("event_id", Uuid, nullable=False, comment="The managed event (conference)"),
    Column(
        "participant_id",
        Uuid,
        nullable=False,
        unique=True,
        comment="The participant holding it (one credential each)",
    ),
    Column("category", String, nullable=True, comment="The participant's category code"),
    Column(
        "state",
        String(20),
        nullable=False,
        comment="active, suspended (by staff, until resumed) or revoked (by staff, for good)",
    ),
    Column(
        "eligible",
        Boolean,
        nullable=False,
        comment="Whether the participant is approved now (rejected, withdrawn, cancelled: not)",
    ),
    Column(
        "participant_status",
        String(20),
        nullable=False,
        comment="The participant's status as the credential last followed it",
    ),
    Column(
        "blocked",
        Boolean,
        nullable=False,
        comment="Whether screening blocked the participant (a blacklisted document): "
        "every scan answers BLOCKED",
    ),
    Column(
        "works",
        Boolean,
        nullable=False,
        comment="Whether its current code opens anything: active, eligible and not blocked",
    ),
    Column(
        "generation",
        Integer,
        nullable=False,
        comment="Which code it has: 1 when issued, one more at each re-issue",
    ),
    Column("reason", String, nullable=True, comment="Staff's reason for the last state change"),
    Column("issued_at", UtcDateTime, nullable=False, comment="When it was issued (UTC)"),
    Column("reissued_at", UtcDateTime, nullable=True, comment="Its last re-issue; null: never"),
    Column("updated_at", UtcDateTime, nullable=False, comment="Its last change (UTC)"),
    Column("version", Integer, nullable=False, comment="Aggregate version (the ETag)"),
    Index("access_credentials_by_event", "tenant_id", "event_id", "issued_at", "credential_id"),
    schema=VIEWS_SCHEMA,
    comment="One row per credential (a participant's badge); codes are never stored here",
)
