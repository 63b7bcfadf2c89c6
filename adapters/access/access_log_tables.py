"""The access log projection's tables: each event's gate log and every scan decided there."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, Text, Uuid

from adapters.sql.schema import VIEWS_SCHEMA, metadata
from adapters.sql.types import UtcDateTime

access_gate_logs = Table(
    "access_gate_logs",
    metadata,
    Column("log_id", Uuid, primary_key=True, comment="The gate log (one per event) id"),
    Column("tenant_id", Uuid, nullable=False, comment="The tenant (organiser) running the event"),
    Column("event_id", Uuid, nullable=False, comment="The managed event (conference) it is for"),
    Column("scans", Integer, nullable=False, comment="Scans decided in it (rows in access_log)"),
    Column("opened_at", UtcDateTime, nullable=False, comment="When its first scan came (UTC)"),
    Index("access_gate_logs_by_event", "tenant_id", "event_id"),
    schema=VIEWS_SCHEMA,
    comment="One row per event that has had a scan: the gate log its scans are recorded in",
)

access_log = Table(
    "access_log",
    metadata,
    Column("log_id", Uuid, primary_key=True, comment="The gate log (access_gate_logs)"),
    Column(
        "version",
        Integer,
        primary_key=True,
        autoincrement=False,
        comment="The log's version that recorded the scan: its position in the event's log",
    ),
    Column("tenant_id", Uuid, nullable=False, comment="The tenant running the event"),
    Column("event_id", Uuid, nullable=False, comment="The managed event"),
    Column(
        "device_id",
        Text,
        nullable=False,
        comment="The scanning device; check-out for the exits of an end-of-day check-out",
    ),
    Column(
        "nonce",
        Text,
        nullable=False,
        comment="The device's name for the scan (device and nonce identify it)",
    ),
    Column("direction", String(10), nullable=False, comment="ENTRY or EXIT: the way asked for"),
    Column(
        "result",
        String(40),
        nullable=False,
        comment="OK (let through) or why not: UNKNOWN_CREDENTIAL, REVOKED, SUSPENDED, "
        "NOT_APPROVED, WRONG_ZONE, OUTSIDE_VALIDITY_WINDOW, ALREADY_INSIDE, NOT_INSIDE, "
        "ZONE_FULL, CHECKPOINT_INACTIVE or BLOCKED",
    ),
    Column("reason", Text, nullable=False, comment="The decision in words"),
    Column(
        "participant_id",
        Uuid,
        nullable=True,
        comment="Who was scanned; null: the code named no known credential",
    ),
    Column(
        "credential_id",
        Uuid,
        nullable=True,
        comment="The credential (access_credentials) scanned; null: none known",
    ),
    Column(
        "checkpoint_id",
        Uuid,
        nullable=True,
        comment="The checkpoint (access_checkpoints) scanned at; null: a check-out exit",
    ),
    Column(
        "zone_id",
        Uuid,
        nullable=True,
        comment="The zone (access_zones) entered or left through the checkpoint",
    ),
    Column("forced", Boolean, nullable=False, comment="A staff override let it through"),
    Column(
        "overridden",
        String(40),
        nullable=True,
        comment="The refusal a forced scan overrode; null: none",
    ),
    Column(
        "offline",
        Boolean,
        nullable=False,
        comment="Sent later in a device's batch, decided as of scanned_at",
    ),
    Column("scanned_at", UtcDateTime, nullable=False, comment="When the device read it (UTC)"),
    Column("recorded_at", UtcDateTime, nullable=False, comment="When it was decided (UTC)"),
    Column(
        "annulled",
        Boolean,
        nullable=False,
        comment="Whether it was annulled since (its moves undone)",
    ),
    Column("annulled_at", UtcDateTime, nullable=True, comment="When (UTC); null: not annulled"),
    Column(
        "annulment_reason",
        Text,
        nullable=True,
        comment="Why it was annulled; null: not annulled",
    ),
    Index("access_log_by_time", "tenant_id", "event_id", "scanned_at", "version"),
    Index("access_log_by_participant", "tenant_id", "event_id", "participant_id", "scanned_at"),
    Index("access_log_by_checkpoint", "tenant_id", "event_id", "checkpoint_id", "scanned_at"),
    Index("access_log_by_zone", "tenant_id", "event_id", "zone_id", "scanned_at"),
    Index("access_log_by_result", "tenant_id", "event_id", "result", "scanned_at"),
    Index("access_log_by_device", "tenant_id", "event_id", "device_id", "scanned_at"),
    Index("access_log_by_scan", "log_id", "device_id", "nonce"),
    schema=VIEWS_SCHEMA,
    comment="One row per scan decided at an event's gates, denials and check-out exits "
    "included; an annulled scan keeps its row, marked annulled",
)
