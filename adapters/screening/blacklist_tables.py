"""The blacklist projection's tables: each tenant's blacklist and its entries."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Index, Integer, String, Table, Uuid

from adapters.sql.schema import VIEWS_SCHEMA, metadata
from adapters.sql.types import UtcDateTime

screening_blacklists = Table(
    "screening_blacklists",
    metadata,
    Column("blacklist_id", Uuid, primary_key=True, comment="The blacklist id (one per tenant)"),
    Column("tenant_id", Uuid, nullable=False, unique=True, comment="The tenant (organiser)"),
    Column("created_at", UtcDateTime, nullable=False, comment="Its first entry (UTC)"),
    schema=VIEWS_SCHEMA,
    comment="One row per tenant that ever barred someone",
)

screening_blacklist_entries = Table(
    "screening_blacklist_entries",
    metadata,
    Column("entry_id", Uuid, primary_key=True, comment="The entry id"),
    Column("tenant_id", Uuid, nullable=False, comment="The tenant whose blacklist holds it"),
    Column(
        "event_id",
        Uuid,
        nullable=True,
        comment="The managed event it bars the person from; null: every event of the tenant",
    ),
    Column("first_name", String, nullable=True, comment="First name as given; null: not given"),
    Column("last_name", String, nullable=True, comment="Last name as given; null: not given"),
    Column("date_of_birth", Date, nullable=True, comment="Date of birth; null: not given"),
    Column(
        "document_number",
        String,
        nullable=True,
        comment="Identity document number, upper case, spaces folded; null: not given",
    ),
    Column("email", String, nullable=True, comment="E-mail address as given; null: not given"),
    Column("reason", String, nullable=False, comment="Why the person is barred"),
    Column(
        "expires_at",
        UtcDateTime,
        nullable=True,
        comment="When it stops matching anyone (UTC); null: never",
    ),
    Column("added_by", String, nullable=True, comment="Who added it (api-key:<id>, cli:<user>)"),
    Column("added_at", UtcDateTime, nullable=False, comment="When it was added (UTC)"),
    Column(
        "removed",
        Boolean,
        nullable=False,
        comment="Whether it was lifted (it then matches no one, expired or not)",
    ),
    Column("removed_at", UtcDateTime, nullable=True, comment="When it was lifted; null: not"),
    Column("removed_by", String, nullable=True, comment="Who lifted it; null: not lifted"),
    Column("removed_reason", String, nullable=True, comment="Why it was lifted, if said"),
    Column(
        "expiry_recorded_at",
        UtcDateTime,
        nullable=True,
        comment="When its expiry was recorded (Blacklist.EntryExpired), after which the people "
        "it stopped were screened again; null: not expired, or not recorded yet",
    ),
    Column(
        "version",
        Integer,
        nullable=False,
        comment="The blacklist's aggregate version at the entry's last change",
    ),
    Index("screening_blacklist_entries_by_tenant", "tenant_id", "added_at", "entry_id"),
    Index("screening_blacklist_entries_by_expiry", "expires_at"),
    schema=VIEWS_SCHEMA,
    comment="One row per blacklist entry: a person barred from a tenant's events or one event",
)
