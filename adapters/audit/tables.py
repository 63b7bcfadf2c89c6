"""The auditor's history table: one row per domain event of every application."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    String,
    Table,
    Uuid,
)

from adapters.sql.schema import VIEWS_SCHEMA, metadata
from adapters.sql.types import UtcDateTime

domain_event_history = Table(
    "domain_event_history",
    metadata,
    Column(
        "application",
        String(100),
        primary_key=True,
        comment="The application (bounded context) whose event store holds the domain event",
    ),
    Column(
        "position",
        BigInteger,
        primary_key=True,
        autoincrement=False,
        comment="The domain event's notification id in its application's log",
    ),
    Column(
        "tenant_id",
        Uuid,
        nullable=True,
        comment="The tenant the domain event belongs to; null for platform-wide records",
    ),
    Column("aggregate_id", Uuid, nullable=False, comment="The aggregate the domain event changed"),
    Column("aggregate_type", String, nullable=False, comment="Its class name, e.g. ApiKey"),
    Column(
        "version",
        Integer,
        nullable=False,
        comment="The aggregate's version after this domain event (1 = created)",
    ),
    Column(
        "event_type",
        String,
        nullable=False,
        comment="The domain event class within its aggregate, e.g. ApiKey.Rotated",
    ),
    Column(
        "topic",
        String,
        nullable=False,
        comment="The topic the domain event was stored under, e.g. "
        "domain.platform.apikey:ApiKey.Rotated (one stored before its class moved keeps its "
        "earlier topic; filter on event_type to match both)",
    ),
    Column(
        "occurred_at",
        UtcDateTime,
        nullable=False,
        comment="When the domain event happened (UTC)",
    ),
    Column(
        "actor",
        String,
        nullable=True,
        comment="Who caused it: api-key:<key id>, cli:<operator> or system",
    ),
    Column(
        "correlation_id",
        String,
        nullable=True,
        comment="Ties together everything one request or job caused (X-Correlation-Id)",
    ),
    Column(
        "causation_id",
        String,
        nullable=True,
        comment="The request that caused it (its X-Request-Id); null for system work",
    ),
    # Pages read each application's log in position order, within a tenant and a filter.
    Index("domain_event_history_by_tenant", "tenant_id", "application", "position"),
    Index("domain_event_history_by_time", "tenant_id", "application", "occurred_at"),
    Index("domain_event_history_by_aggregate", "aggregate_id", "version"),
    Index("domain_event_history_by_actor", "tenant_id", "actor", "application", "position"),
    Index("domain_event_history_by_type", "tenant_id", "event_type", "application", "position"),
    comment="One row per domain event of every application; payloads stay in the event stores",
    schema=VIEWS_SCHEMA,
)
