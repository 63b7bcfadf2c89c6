"""The duplicate detection projection's tables: people's forms, blocks, counts and pairs."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Float, Index, Integer, String, Table, Uuid

from adapters.sql.schema import VIEWS_SCHEMA, metadata
from adapters.sql.types import UtcDateTime

screening_people = Table(
    "screening_people",
    metadata,
    Column("participant_id", Uuid, primary_key=True, comment="The participant"),
    Column("tenant_id", Uuid, nullable=False, comment="The tenant (organiser)"),
    Column("event_id", Uuid, nullable=False, comment="The managed event they registered for"),
    Column(
        "details",
        JSON,
        nullable=False,
        comment="Their personal details now, as registration's domain events hold them",
    ),
    Column(
        "forms",
        JSON,
        nullable=False,
        comment="The comparison forms: {given, family (name tokens), email, phone (E.164), "
        "document, organisation (tokens), date_of_birth, nationality}",
    ),
    Column(
        "fingerprint",
        String(32),
        nullable=False,
        comment="A digest of the forms: changes when a compared field changes",
    ),
    Column(
        "active",
        Boolean,
        nullable=False,
        comment="False once withdrawn, cancelled or merged: no longer compared with anyone",
    ),
    Column("updated_at", UtcDateTime, nullable=False, comment="Their last change (UTC)"),
    schema=VIEWS_SCHEMA,
    comment="One row per participant: the forms duplicate detection compares",
)

screening_blocking_keys = Table(
    "screening_blocking_keys",
    metadata,
    Column("tenant_id", Uuid, primary_key=True, comment="The tenant (organiser)"),
    Column(
        "key",
        String,
        primary_key=True,
        comment="A blocking key: e:<e-mail>, p:<last digits of the phone>, d:<document>, "
        "b:<birth date>:<initial>, t:<name token>, n:<two name tokens>, s:<their sounds>",
    ),
    Column("participant_id", Uuid, primary_key=True, comment="An active participant with it"),
    Index("screening_blocking_keys_by_participant", "participant_id"),
    schema=VIEWS_SCHEMA,
    comment="Which of a tenant's active participants share a key: only they are compared",
)

screening_key_counts = Table(
    "screening_key_counts",
    metadata,
    Column("tenant_id", Uuid, primary_key=True, comment="The tenant (organiser)"),
    Column(
        "key",
        String,
        primary_key=True,
        comment="A blocking key (t:<token>: a name token; *: every participant)",
    ),
    Column(
        "participants",
        Integer,
        nullable=False,
        comment="How many active participants have it: name token frequencies, block sizes, "
        "and (key *) the tenant's participant count",
    ),
    schema=VIEWS_SCHEMA,
    comment="How common each key is in a tenant: what a name token's agreement is worth",
)

duplicate_candidates = Table(
    "duplicate_candidates",
    metadata,
    Column("pair_id", Uuid, primary_key=True, comment="uuid5 of the two sorted participant ids"),
    Column("tenant_id", Uuid, nullable=False, comment="The tenant (organiser)"),
    Column("participant_a", Uuid, nullable=False, comment="The first participant (id order)"),
    Column("participant_b", Uuid, nullable=False, comment="The second participant"),
    Column("event_a", Uuid, nullable=False, comment="The first participant's managed event"),
    Column("event_b", Uuid, nullable=False, comment="The second participant's managed event"),
    Column(
        "same_event",
        Boolean,
        nullable=False,
        comment="Both registered for one event (listed whatever the tenant's scope setting)",
    ),
    Column(
        "score",
        Float,
        nullable=False,
        comment="log2 odds that they are one person: prior plus every field's weight; >= 0",
    ),
    Column("probability", Float, nullable=False, comment="The score as a probability"),
    Column(
        "explanation",
        JSON,
        nullable=False,
        comment="{total, probability, prior, threshold, fields: [{field, level, weight, "
        "left, right}]}: left is participant_a's form, right participant_b's",
    ),
    Column(
        "status",
        String(10),
        nullable=False,
        comment="PENDING (to review), CONFIRMED or DISMISSED (by a reviewer, on these records)",
    ),
    Column("fingerprint_a", String(32), nullable=False, comment="participant_a's forms digest"),
    Column("fingerprint_b", String(32), nullable=False, comment="participant_b's forms digest"),
    Column(
        "reviewed_fingerprint",
        String(65),
        nullable=True,
        comment="fingerprint_a:fingerprint_b as last reviewed; null: never reviewed",
    ),
    Column("created_at", UtcDateTime, nullable=False, comment="When first raised (UTC)"),
    Column("updated_at", UtcDateTime, nullable=False, comment="Its last change (UTC)"),
    Index("duplicate_candidates_by_score", "tenant_id", "status", "score", "pair_id"),
    Index("duplicate_candidates_by_a", "participant_a"),
    Index("duplicate_candidates_by_b", "participant_b"),
    schema=VIEWS_SCHEMA,
    comment="Pairs of a tenant's participants who may be one person, above the threshold",
)

duplicate_reviews = Table(
    "duplicate_reviews",
    metadata,
    Column("pair_id", Uuid, primary_key=True, comment="The pair reviewed"),
    Column("tenant_id", Uuid, nullable=False, comment="The tenant (organiser)"),
    Column(
        "decision",
        String(10),
        nullable=True,
        comment="CONFIRMED or DISMISSED (null only between a review's opening and its decision)",
    ),
    Column(
        "fingerprint",
        String(65),
        nullable=True,
        comment="The pair's fingerprint_a:fingerprint_b the reviewer decided on",
    ),
    Column("actor", String, nullable=True, comment="Who decided (api-key:<id>, cli:<user>)"),
    Column("comment", String, nullable=True, comment="The reviewer's comment"),
    Column("reviewed_at", UtcDateTime, nullable=False, comment="When (UTC)"),
    schema=VIEWS_SCHEMA,
    comment="The last review of each pair: it holds while neither record changes",
)

screening_settings = Table(
    "screening_settings",
    metadata,
    Column("tenant_id", Uuid, primary_key=True, comment="The tenant (organiser)"),
    Column(
        "duplicate_scope",
        String(10),
        nullable=False,
        comment="event: pairs within one event are listed; tenant: across its events too",
    ),
    Column("updated_at", UtcDateTime, nullable=False, comment="Its last change (UTC)"),
    schema=VIEWS_SCHEMA,
    comment="Each tenant's screening settings (tenants without a row: scope event)",
)
