"""The merge history's table: one row per merge of a participant into another."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, Integer, String, Table, Uuid

from adapters.sql.schema import VIEWS_SCHEMA, metadata
from adapters.sql.types import UtcDateTime

MERGED = "merged"
UNMERGED = "unmerged"

screening_merges = Table(
    "screening_merges",
    metadata,
    Column("merge_id", Uuid, primary_key=True, comment="The merge id"),
    Column("tenant_id", Uuid, nullable=False, comment="The tenant (organiser)"),
    Column(
        "event_id",
        Uuid,
        nullable=False,
        comment="The managed event both participants registered for (merges stay in one)",
    ),
    Column(
        "survivor_id",
        Uuid,
        nullable=False,
        comment="The participant that stands for the person (participants.participant_id)",
    ),
    Column(
        "absorbed_id",
        Uuid,
        nullable=False,
        comment="The participant merged into the survivor; while merged it refuses commands",
    ),
    Column(
        "chosen",
        JSON,
        nullable=False,
        comment="Whose value each personal detail took: {field: survivor or absorbed}",
    ),
    Column(
        "status",
        String(20),
        nullable=False,
        comment="merged, or unmerged (undone: both participants as they were before)",
    ),
    Column("merged_at", UtcDateTime, nullable=False, comment="When the merge was made (UTC)"),
    Column(
        "merged_by",
        String,
        nullable=True,
        comment="Who merged (api-key:<id>, cli:<user>, system), as the domain event records",
    ),
    Column("unmerged_at", UtcDateTime, nullable=True, comment="When it was undone; null: not"),
    Column("unmerged_by", String, nullable=True, comment="Who undid it; null: not undone"),
    Column("version", Integer, nullable=False, comment="Aggregate version (the ETag)"),
    Index("screening_merges_by_tenant", "tenant_id", "merged_at", "merge_id"),
    Index("screening_merges_by_event", "tenant_id", "event_id", "merged_at", "merge_id"),
    Index("screening_merges_by_survivor", "survivor_id"),
    Index("screening_merges_by_absorbed", "absorbed_id"),
    schema=VIEWS_SCHEMA,
    comment="One row per merge of a participant into another registration of the same person",
)
