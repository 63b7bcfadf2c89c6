"""The waitlist projection's tables: the waitlists, who waits where, the offers, the history."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, String, Table, Uuid

from adapters.sql.schema import VIEWS_SCHEMA, metadata
from adapters.sql.types import UtcDateTime

WAITING = "waiting"
OFFERED = "offered"
OPEN = "open"
WITHDRAWN = "withdrawn"
LEFT = "left"

_ACTOR = "(api-key:<id>, cli:<user>, system), as the domain event records"

waitlists = Table(
    "waitlists",
    metadata,
    Column("waitlist_id", Uuid, primary_key=True, comment="The waitlist id (one per event)"),
    Column("tenant_id", Uuid, nullable=False, comment="The tenant (organiser)"),
    Column(
        "event_id",
        Uuid,
        nullable=False,
        unique=True,
        comment="The managed event whose waitlist it is (managed_events.event_id)",
    ),
    Column(
        "offer_window_seconds",
        Integer,
        nullable=False,
        comment="How long an offer made now holds its seats, in seconds",
    ),
    Column(
        "on_accept",
        String(20),
        nullable=False,
        comment="What accepting an offer does: approve (at once) or workflow (into the workflow)",
    ),
    Column(
        "when_full",
        String(20),
        nullable=False,
        comment="What a registration does when the event is full: waitlist (join) or refuse",
    ),
    Column("opened_at", UtcDateTime, nullable=False, comment="When the waitlist began (UTC)"),
    Column(
        "version",
        Integer,
        nullable=False,
        comment="Waitlist aggregate version at the last change of these settings",
    ),
    schema=VIEWS_SCHEMA,
    comment="One row per managed event that has a waitlist, with its settings",
)

waitlist_entries = Table(
    "waitlist_entries",
    metadata,
    Column("entry_id", Uuid, primary_key=True, comment="The entry id"),
    Column("tenant_id", Uuid, nullable=False, comment="The tenant (organiser)"),
    Column("event_id", Uuid, nullable=False, comment="The managed event it waits for"),
    Column(
        "participant_ids",
        JSON,
        nullable=False,
        comment="The participants of the entry (one, or a party), as a JSON list of ids",
    ),
    Column("seats", Integer, nullable=False, comment="Seats it needs: one per participant"),
    Column(
        "category",
        String,
        nullable=True,
        comment="The registration category it waits for; null: none (any seat of the event)",
    ),
    Column(
        "priority",
        String(10),
        nullable=False,
        comment="Its band: VIP, HIGH, NORMAL or LOW (the order is VIP first, LOW last)",
    ),
    Column(
        "state",
        String(10),
        nullable=False,
        comment="waiting (in the order), or offered (seats held for it until offer_expires_at)",
    ),
    Column(
        "place",
        BigInteger,
        nullable=True,
        comment="Its order key among the event's waiting entries: the smaller the key, the "
        "sooner its turn; only the order means anything, not the values nor the gaps between "
        "them. Its position (1 = next): row_number() over (partition by event_id order by "
        "place) among the rows with state = 'waiting'. Null while offered",
    ),
    Column("joined_at", UtcDateTime, nullable=False, comment="When it joined (UTC)"),
    Column("offer_id", Uuid, nullable=True, comment="The offer it holds; null while waiting"),
    Column(
        "offer_expires_at",
        UtcDateTime,
        nullable=True,
        comment="When the offer it holds lapses unless accepted (UTC); null while waiting",
    ),
    Column(
        "version",
        Integer,
        nullable=False,
        comment="Waitlist aggregate version at the last change of this entry (others' joins, "
        "moves and exits change its position without changing it)",
    ),
    Index("waitlist_entries_in_order", "event_id", "state", "place"),
    Index(
        "waitlist_entries_by_deadline",
        "tenant_id",
        "event_id",
        "state",
        "offer_expires_at",
        "entry_id",
    ),
    schema=VIEWS_SCHEMA,
    comment="One row per waitlist entry that waits or holds an offer; an entry that ended is "
    "deleted (waitlist_promotions keeps it)",
)

waitlist_offers = Table(
    "waitlist_offers",
    metadata,
    Column("offer_id", Uuid, primary_key=True, comment="The offer id"),
    Column("entry_id", Uuid, nullable=False, comment="The entry offered the seats"),
    Column("tenant_id", Uuid, nullable=False, comment="The tenant (organiser)"),
    Column("event_id", Uuid, nullable=False, comment="The managed event of the seats"),
    Column(
        "participant_ids",
        JSON,
        nullable=False,
        comment="The participants offered the seats, as a JSON list of ids",
    ),
    Column("seats", Integer, nullable=False, comment="Seats the offer holds"),
    Column(
        "category",
        String,
        nullable=True,
        comment="The registration category of the seats; null: none",
    ),
    Column("offered_at", UtcDateTime, nullable=False, comment="When it was made (UTC)"),
    Column("expires_at", UtcDateTime, nullable=False, comment="Its deadline to accept it (UTC)"),
    Column(
        "state",
        String(10),
        nullable=False,
        comment="open, accepted, declined, expired, or withdrawn (its entry left while offered)",
    ),
    Column(
        "answered_at",
        UtcDateTime,
        nullable=True,
        comment="When it stopped being open (UTC); null: open",
    ),
    Column(
        "answered_by",
        String,
        nullable=True,
        comment=f"Who accepted, declined, withdrew or expired it {_ACTOR}; null: open",
    ),
    Index("waitlist_offers_by_event", "tenant_id", "event_id", "offered_at", "offer_id"),
    Index("waitlist_offers_due", "state", "expires_at"),
    schema=VIEWS_SCHEMA,
    comment="One row per offer of seats ever made to a waitlist entry",
)

waitlist_promotions = Table(
    "waitlist_promotions",
    metadata,
    Column("entry_id", Uuid, primary_key=True, comment="The entry id"),
    Column("tenant_id", Uuid, nullable=False, comment="The tenant (organiser)"),
    Column("event_id", Uuid, nullable=False, comment="The managed event it waited for"),
    Column(
        "participant_ids",
        JSON,
        nullable=False,
        comment="The participants of the entry, as a JSON list of ids",
    ),
    Column("category", String, nullable=True, comment="The category it waited for; null: none"),
    Column(
        "priority", String(10), nullable=False, comment="Its last priority: VIP, HIGH, NORMAL, LOW"
    ),
    Column("joined_at", UtcDateTime, nullable=False, comment="When it joined (UTC)"),
    Column(
        "offered_at", UtcDateTime, nullable=True, comment="When it was offered seats; null: never"
    ),
    Column("offer_id", Uuid, nullable=True, comment="The offer it was made; null: none"),
    Column(
        "outcome",
        String(10),
        nullable=False,
        comment="waiting, offered (it holds an offer), accepted, declined, expired, or left",
    ),
    Column("ended_at", UtcDateTime, nullable=True, comment="When the entry ended (UTC); null: not"),
    Column("ended_by", String, nullable=True, comment=f"Who ended it {_ACTOR}; null: not ended"),
    Column(
        "left_reason",
        String,
        nullable=True,
        comment="Why it left, as given; null: it did not leave, or no reason was given",
    ),
    Index("waitlist_promotions_by_event", "tenant_id", "event_id", "joined_at", "entry_id"),
    schema=VIEWS_SCHEMA,
    comment="One row per waitlist entry from its join to its end: who was offered which seats "
    "when, and what became of it",
)
