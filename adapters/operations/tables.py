"""The bulk operations projection's tables: each operation with its progress, and its items."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Index, Integer, String, Table, Uuid

from adapters.sql.schema import VIEWS_SCHEMA, metadata
from adapters.sql.types import UtcDateTime

QUEUED = "QUEUED"
RUNNING = "RUNNING"
ACTIVE = (QUEUED, RUNNING)
PENDING = "pending"  # an item without its result yet

bulk_operations = Table(
    "bulk_operations",
    metadata,
    Column("operation_id", Uuid, primary_key=True, comment="The bulk operation id"),
    Column("tenant_id", Uuid, nullable=False, comment="The tenant (organiser)"),
    Column(
        "event_id",
        Uuid,
        nullable=False,
        comment="The managed event whose participants it acts on (managed_events.event_id)",
    ),
    Column(
        "kind",
        String,
        nullable=False,
        comment="What it does to each item: complete-step, cancel, suspend-credential, "
        "join-waitlist, ... (the kinds the API lists)",
    ),
    Column(
        "params",
        JSON,
        nullable=False,
        comment="The kind's parameters, as cleaned when the operation was asked for (JSON)",
    ),
    Column(
        "selection",
        JSON,
        nullable=False,
        comment='Which participants it was asked for: {"participant_ids": [...]} or '
        '{"filter": {...}} (JSON)',
    ),
    Column(
        "dry_run",
        Boolean,
        nullable=False,
        comment="True: each item records what its command would answer, and nothing changes",
    ),
    Column(
        "actor",
        String,
        nullable=False,
        comment="Who asked for it (api-key:<id>, cli:<user>, system), as the domain event records",
    ),
    Column(
        "source_id",
        Uuid,
        nullable=True,
        comment="The operation it retries or undoes (bulk_operations.operation_id); null: none",
    ),
    Column(
        "relation",
        String(10),
        nullable=True,
        comment="retry (it re-runs the items the source refused) or undo (it compensates the "
        "items the source applied); null: a first operation",
    ),
    Column(
        "state",
        String(25),
        nullable=False,
        comment="QUEUED, RUNNING (its items are being selected or applied), then COMPLETED, "
        "COMPLETED_WITH_ERRORS (some items refused), CANCELLED or FAILED",
    ),
    Column(
        "reason",
        String,
        nullable=True,
        comment="Why it FAILED (its selection could not be resolved); null otherwise",
    ),
    Column(
        "cancel_requested",
        Boolean,
        nullable=False,
        comment="True once staff cancelled it: items not begun are skipped",
    ),
    Column(
        "total",
        Integer,
        nullable=True,
        comment="How many items it has; null until its selection is resolved",
    ),
    Column("ok", Integer, nullable=False, comment="Items applied (a dry run: would be)"),
    Column("refused", Integer, nullable=False, comment="Items the command refused"),
    Column(
        "skipped",
        Integer,
        nullable=False,
        comment="Items not tried: the operation was cancelled, or there was nothing to do",
    ),
    Column("requested_at", UtcDateTime, nullable=False, comment="When it was asked for (UTC)"),
    Column(
        "started_at",
        UtcDateTime,
        nullable=True,
        comment="When its first items were selected (UTC); null: still queued",
    ),
    Column(
        "updated_at",
        UtcDateTime,
        nullable=False,
        comment="Its last domain event: asked for, items selected, begun or done, cancelled, "
        "ended (UTC)",
    ),
    Column("ended_at", UtcDateTime, nullable=True, comment="When it ended (UTC); null: not"),
    Column(
        "version",
        Integer,
        nullable=False,
        comment="BulkOperation aggregate version at its last domain event",
    ),
    Index("bulk_operations_by_tenant", "tenant_id", "requested_at", "operation_id"),
    Index("bulk_operations_by_event", "tenant_id", "event_id", "requested_at", "operation_id"),
    Index("bulk_operations_by_state", "tenant_id", "state", "requested_at", "operation_id"),
    Index("bulk_operations_active", "state", "requested_at", "operation_id"),
    schema=VIEWS_SCHEMA,
    comment="One row per bulk operation: what was asked, how far it has got, how it ended",
)

bulk_operation_items = Table(
    "bulk_operation_items",
    metadata,
    Column(
        "operation_id",
        Uuid,
        primary_key=True,
        comment="The bulk operation (bulk_operations.operation_id)",
    ),
    Column(
        "item_index",
        Integer,
        primary_key=True,
        comment="The item's place in the operation, from 0, in the order items are applied",
    ),
    Column("tenant_id", Uuid, nullable=False, comment="The tenant (organiser)"),
    Column("participant_id", Uuid, nullable=False, comment="The participant the item acts on"),
    Column(
        "result",
        String(10),
        nullable=False,
        comment="pending (no result yet), ok (applied; a dry run: would be), refused (the "
        "command refused it: problem says why) or skipped (not tried)",
    ),
    Column(
        "problem",
        String,
        nullable=True,
        comment="Why it was refused, as the API's problem type (slug); null unless refused",
    ),
    Column(
        "code",
        String,
        nullable=True,
        comment="The rule that refused it, as the problem's code (e.g. step-not-active); "
        "null unless refused",
    ),
    Column(
        "detail",
        String,
        nullable=True,
        comment="The refusal's explanation, or why it was skipped (cancelled); null: none",
    ),
    Column(
        "done_at",
        UtcDateTime,
        nullable=True,
        comment="When its result was recorded (UTC); null: pending",
    ),
    Index("bulk_operation_items_by_result", "operation_id", "result", "item_index"),
    schema=VIEWS_SCHEMA,
    comment="One row per item of a bulk operation, from its selection on: its participant "
    "and what became of it",
)
