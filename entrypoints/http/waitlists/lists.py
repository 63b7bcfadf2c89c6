"""Waitlist queries: the order, one entry with its rank, the offers, the promotion history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import falcon
from marshmallow import Schema

from adapters.waitlists.queries import EntryDetail, EntryRow, WaitlistQueries
from domain.platform.features import Feature
from domain.platform.permissions import Permission
from domain.shared.cause import current_cause
from domain.waitlists.application import WaitlistedRegistration
from domain.waitlists.queue import Priority
from entrypoints.http.requests import answer_created, found, load_body, load_query, page_limit
from entrypoints.http.responders import Operation
from entrypoints.http.schemas import EmptySchema
from entrypoints.http.waitlists import examples
from entrypoints.http.waitlists.resources import (
    ALSO_READS,
    JOIN_OPERATION,
    JOIN_SCHEMA,
    PROJECTION,
    KnownEvent,
    entry_document,
    entry_location,
)
from entrypoints.http.waitlists.schemas import (
    WaitlistEntryPageSchema,
    WaitlistEntryQuerySchema,
    WaitlistEntrySchema,
    WaitlistOfferPageSchema,
    WaitlistOfferQuerySchema,
    WaitlistPromotionPageSchema,
    WaitlistPromotionQuerySchema,
)

READ = Permission.PARTICIPANTS_READ
TAGS = ("waitlists",)

ENTRY_QUERY_SCHEMA = WaitlistEntryQuerySchema()
ENTRY_PAGE_SCHEMA = WaitlistEntryPageSchema()
ENTRY_SCHEMA = WaitlistEntrySchema()
OFFER_QUERY_SCHEMA = WaitlistOfferQuerySchema()
OFFER_PAGE_SCHEMA = WaitlistOfferPageSchema()
PROMOTION_QUERY_SCHEMA = WaitlistPromotionQuerySchema()
PROMOTION_PAGE_SCHEMA = WaitlistPromotionPageSchema()
EMPTY_SCHEMA = EmptySchema()


def row_document(row: EntryRow, in_category: int | None = None) -> dict[str, Any]:
    """An entry as the view holds it (in_category only where one entry is read)."""
    offer = None
    if row.offer_id is not None and row.offer_expires_at is not None:
        offer = {"id": row.offer_id, "seats": row.seats, "expires_at": row.offer_expires_at}
    return {
        "id": row.id,
        "event_id": row.event_id,
        "participant_ids": row.participant_ids,
        "seats": row.seats,
        "category": row.category,
        "priority": row.priority,
        "state": row.state,
        "position": row.position,
        "position_in_category": in_category,
        "offer": offer,
        "version": row.version,
    }


def _require_event(known: KnownEvent, req: falcon.Request, event_id: UUID) -> None:
    if not known(req.context.principal.tenant_id, event_id):
        found(None, f"no event with id {event_id}")


class WaitlistResource:
    operations = {
        "GET": Operation(
            "The event's waitlist in order: the waiting entries, then those holding offers",
            READ,
            response=WaitlistEntryPageSchema,
            paginated=True,
            query=WaitlistEntryQuerySchema,
            feature=Feature.WAITLIST,
            reads_projection=PROJECTION,
            also_reads=ALSO_READS,
            tags=TAGS,
            description="Waiting entries come in the order seats go to them (VIP, HIGH, "
            "NORMAL, LOW; first come first served within each, as staff moved them), with "
            "their `position` (1: next); then the entries holding an offer, soonest deadline "
            "first. `position_in_category` is given where one entry is read.",
            response_example=examples.ENTRY_PAGE,
            operation_id="listWaitlist",
        ),
        "POST": JOIN_OPERATION,
    }

    def __init__(
        self, registration: WaitlistedRegistration, queries: WaitlistQueries, known: KnownEvent
    ) -> None:
        self.registration = registration
        self.queries = queries
        self.known = known

    def on_get(self, req: falcon.Request, resp: falcon.Response, event_id: UUID) -> None:
        query = load_query(req, ENTRY_QUERY_SCHEMA)
        _require_event(self.known, req, event_id)
        page = self.queries.entries(
            req.context.principal.tenant_id,
            event_id,
            page_limit(req),
            req.get_param("cursor"),
            category=query.get("category"),
            state=query.get("state"),
        )
        items = [row_document(row) for row in page.items]
        resp.media = ENTRY_PAGE_SCHEMA.dump({"items": items, "next_cursor": page.next_cursor})

    def on_post(self, req: falcon.Request, resp: falcon.Response, event_id: UUID) -> None:
        body = load_body(req, JOIN_SCHEMA)
        done = self.registration.join_waitlist(
            req.context.principal.tenant_id,
            event_id,
            body["participant_ids"],
            Priority(body["priority"]),
            current_cause().actor,
        )
        answer_created(resp, done.ack, entry_location(event_id, done.entry.id))
        resp.media = entry_document(done)


class EntryResource:
    operations = {
        "GET": Operation(
            "One waitlist entry: where it stands, overall and in its category, or its offer",
            READ,
            response=WaitlistEntrySchema,
            feature=Feature.WAITLIST,
            reads_projection=PROJECTION,
            etag=True,
            tags=TAGS,
            description="An entry that ended (its offer accepted, declined or expired, or it "
            "left) is a 404; the promotion history keeps what became of it.",
            response_example=examples.WAITING,
            operation_id="getWaitlistEntry",
        ),
    }

    def __init__(self, queries: WaitlistQueries) -> None:
        self.queries = queries

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, event_id: UUID, waitlist_entry_id: UUID
    ) -> None:
        entry_id = waitlist_entry_id
        load_query(req, EMPTY_SCHEMA)
        detail: EntryDetail = found(
            self.queries.entry(req.context.principal.tenant_id, event_id, entry_id),
            f"no waitlist entry with id {entry_id} at the event {event_id}",
        )
        resp.set_header("ETag", f'"{detail.entry.version}"')
        resp.media = ENTRY_SCHEMA.dump(row_document(detail.entry, detail.rank_in_category))


class _EventPageResource:
    """A cursor-paged list of one event's waitlist rows, filtered by its query schema."""

    def __init__(
        self,
        known: KnownEvent,
        fetch: Callable[..., Any],
        query: Schema,
        page: Schema,
    ) -> None:
        self.known = known
        self.fetch = fetch
        self.query = query
        self.page = page

    def on_get(self, req: falcon.Request, resp: falcon.Response, event_id: UUID) -> None:
        filters = load_query(req, self.query)
        _require_event(self.known, req, event_id)
        tenant_id = req.context.principal.tenant_id
        page = self.fetch(tenant_id, event_id, page_limit(req), req.get_param("cursor"), **filters)
        resp.media = self.page.dump({"items": page.items, "next_cursor": page.next_cursor})


class OffersResource(_EventPageResource):
    operations = {
        "GET": Operation(
            "Every offer made at the event, oldest first, with its state and deadline",
            READ,
            response=WaitlistOfferPageSchema,
            paginated=True,
            query=WaitlistOfferQuerySchema,
            feature=Feature.WAITLIST,
            reads_projection=PROJECTION,
            also_reads=ALSO_READS,
            tags=TAGS,
            response_example=examples.OFFER_PAGE,
            operation_id="listWaitlistOffers",
        ),
    }

    def __init__(self, queries: WaitlistQueries, known: KnownEvent) -> None:
        super().__init__(known, queries.offers, OFFER_QUERY_SCHEMA, OFFER_PAGE_SCHEMA)


class PromotionsResource(_EventPageResource):
    operations = {
        "GET": Operation(
            "The promotion history: each entry, the seat it was offered when, and the outcome",
            READ,
            response=WaitlistPromotionPageSchema,
            paginated=True,
            query=WaitlistPromotionQuerySchema,
            feature=Feature.WAITLIST,
            reads_projection=PROJECTION,
            also_reads=ALSO_READS,
            tags=TAGS,
            response_example=examples.PROMOTION_PAGE,
            operation_id="listWaitlistPromotions",
        ),
    }

    def __init__(self, queries: WaitlistQueries, known: KnownEvent) -> None:
        super().__init__(known, queries.promotions, PROMOTION_QUERY_SCHEMA, PROMOTION_PAGE_SCHEMA)
