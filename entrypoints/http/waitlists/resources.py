"""Waitlist commands: settings, joining, ordering, leaving, and answering offers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

import falcon

from adapters.waitlists.queries import WaitlistQueries
from domain.platform.features import Feature
from domain.platform.permissions import Permission
from domain.shared.cause import current_cause
from domain.waitlists.application import EntryAck, WaitlistedRegistration
from domain.waitlists.queue import Move, Priority
from domain.waitlists.waitlist import OnAccept, Waitlist, WhenFull
from entrypoints.http.requests import (
    answer_command,
    expected_version,
    found,
    load_body,
    load_query,
    set_etag,
)
from entrypoints.http.responders import Operation
from entrypoints.http.schemas import EmptySchema
from entrypoints.http.waitlists import examples
from entrypoints.http.waitlists.schemas import (
    WaitlistEntrySchema,
    WaitlistJoinSchema,
    WaitlistLeaveSchema,
    WaitlistMoveSchema,
    WaitlistPrioritySchema,
    WaitlistSettingsDocumentSchema,
    WaitlistSettingsSchema,
)

MANAGE = Permission.WAITLIST_MANAGE
ANSWER = Permission.PARTICIPANTS_WRITE
TAGS = ("waitlists",)
PROJECTION = "waitlists"
# The event's own existence is read from the registration view, for a 404.
ALSO_READS = ("registration",)

# Whether the tenant has the event (from the events' view): the wiring answers it.
KnownEvent = Callable[[UUID, UUID], bool]

# Built once: a marshmallow schema is costly to build and safe to share.
SETTINGS_SCHEMA = WaitlistSettingsSchema()
SETTINGS_DOCUMENT_SCHEMA = WaitlistSettingsDocumentSchema()
JOIN_SCHEMA = WaitlistJoinSchema()
MOVE_SCHEMA = WaitlistMoveSchema()
PRIORITY_SCHEMA = WaitlistPrioritySchema()
LEAVE_SCHEMA = WaitlistLeaveSchema()
ENTRY_SCHEMA = WaitlistEntrySchema()
EMPTY_SCHEMA = EmptySchema()


def entry_location(event_id: UUID, entry_id: UUID) -> str:
    """Where a waitlist entry is read."""
    return f"/v1/events/{event_id}/waitlist/entries/{entry_id}"


def settings_document(waitlist: Waitlist) -> dict[str, Any]:
    document: dict[str, Any] = SETTINGS_DOCUMENT_SCHEMA.dump(
        {
            "event_id": waitlist.event_id,
            "offer_window_seconds": int(waitlist.offer_window.total_seconds()),
            "on_accept": waitlist.on_accept.value,
            "when_full": waitlist.when_full.value,
            # An event's waitlist not yet kept is at version 0.
            "version": 0 if waitlist.pending_events else waitlist.settings_version,
        }
    )
    return document


def entry_document(done: EntryAck) -> dict[str, Any]:
    """An entry as a command leaves it (a query dumps its row)."""
    waitlist, entry = done.ack.aggregate, done.entry
    position = in_category = None
    if done.state == "waiting":
        rank = waitlist.rank(entry.id)
        position, in_category = rank.overall, rank.in_category
    offer = entry.offer
    document: dict[str, Any] = ENTRY_SCHEMA.dump(
        {
            "id": entry.id,
            "event_id": waitlist.event_id,
            "participant_ids": list(entry.participant_ids),
            "seats": entry.seats,
            "category": entry.category,
            "priority": entry.priority.value,
            "state": done.state,
            "position": position,
            "position_in_category": in_category,
            "offer": None
            if offer is None
            else {"id": offer.id, "seats": offer.seats, "expires_at": offer.expires_at},
            "version": waitlist.version,
        }
    )
    return document


def _answer(resp: falcon.Response, done: EntryAck) -> None:
    answer_command(resp, done.ack)
    resp.media = entry_document(done)


class WaitlistSettingsResource:
    operations = {
        "GET": Operation(
            "An event's waitlist settings",
            Permission.EVENTS_READ,
            response=WaitlistSettingsDocumentSchema,
            feature=Feature.WAITLIST,
            etag=True,
            reads_projection=PROJECTION,
            also_reads=ALSO_READS,
            tags=TAGS,
            description="An event whose settings were never changed has the defaults: "
            "offers hold their seats 48 hours, accepting approves, and a full event's "
            "registrations join the waitlist. The ETag is the settings' own version: "
            "joins, offers and answers to them leave it as it is.",
            response_example=examples.SETTINGS,
            operation_id="getWaitlistSettings",
        ),
        "PUT": Operation(
            "Set how long offers hold their seats, what accepting does, what a full event does",
            MANAGE,
            request=WaitlistSettingsSchema,
            response=WaitlistSettingsDocumentSchema,
            feature=Feature.WAITLIST,
            if_match=True,
            tags=TAGS,
            description="A new window applies to offers made from then on.",
            request_example=examples.SETTINGS_REQUEST,
            response_example=examples.SETTINGS,
            operation_id="setWaitlistSettings",
        ),
    }

    def __init__(
        self, registration: WaitlistedRegistration, queries: WaitlistQueries, known: KnownEvent
    ) -> None:
        self.registration = registration
        self.queries = queries
        self.known = known

    def on_get(self, req: falcon.Request, resp: falcon.Response, event_id: UUID) -> None:
        load_query(req, EMPTY_SCHEMA)
        tenant_id = req.context.principal.tenant_id
        row = self.queries.settings(tenant_id, event_id)
        if row is None:
            if not self.known(tenant_id, event_id):
                found(None, f"no event with id {event_id}")
            # No waitlist kept yet: the defaults, at version 0.
            document = settings_document(Waitlist(tenant_id=tenant_id, event_id=event_id))
        else:
            document = SETTINGS_DOCUMENT_SCHEMA.dump(row)
        set_etag(resp, document["version"])
        resp.media = document

    def on_put(self, req: falcon.Request, resp: falcon.Response, event_id: UUID) -> None:
        body = load_body(req, SETTINGS_SCHEMA)
        ack = self.registration.change_waitlist_settings(
            req.context.principal.tenant_id,
            event_id,
            timedelta(seconds=body["offer_window_seconds"]),
            OnAccept(body["on_accept"]),
            WhenFull(body["when_full"]),
            expected_version(req),
        )
        answer_command(resp, ack)
        resp.media = settings_document(ack.aggregate)


JOIN_OPERATION = Operation(
    "Put registered participants on the event's waitlist (one, or a party)",
    MANAGE,
    status=201,
    request=WaitlistJoinSchema,
    response=WaitlistEntrySchema,
    feature=Feature.WAITLIST,
    creates=True,
    tags=TAGS,
    description="Registrations made while the event is full join by themselves; this "
    "queues participants already registered (their open steps close, their status "
    "becomes waitlisted) at the end of their priority. A party is offered its seats "
    "together or not at all, and its members leave together. A participant on an entry "
    "already is a 409 `already-on-waitlist`; one approved, ended or of another event "
    "is a 409 `not-waitlistable`.",
    request_example=examples.JOIN_REQUEST,
    response_example=examples.WAITING,
    operation_id="joinWaitlist",
)


Command = Callable[[falcon.Request, UUID, UUID, dict[str, Any]], EntryAck]


class EntryCommandResource:
    """One command on a waitlist entry: move, priority, leave, accept or decline."""

    def __init__(self, command: Command, schema: Any, operation: Operation) -> None:
        self.command = command
        self.schema = schema
        self.operations = {"POST": operation}

    def on_post(
        self, req: falcon.Request, resp: falcon.Response, event_id: UUID, waitlist_entry_id: UUID
    ) -> None:
        body = load_body(req, self.schema)
        _answer(resp, self.command(req, event_id, waitlist_entry_id, body))


def entry_commands(registration: WaitlistedRegistration) -> dict[str, EntryCommandResource]:
    """The entry's command resources, by the last segment of their path."""

    def tenant(req: falcon.Request) -> UUID:
        tenant_id: UUID = req.context.principal.tenant_id
        return tenant_id

    def move(req: falcon.Request, event_id: UUID, entry_id: UUID, b: dict[str, Any]) -> EntryAck:
        return registration.move_waitlist_entry(
            tenant(req), event_id, entry_id, Move(b["move"]), b["reason"], current_cause().actor
        )

    def priority(
        req: falcon.Request, event_id: UUID, entry_id: UUID, b: dict[str, Any]
    ) -> EntryAck:
        return registration.reprioritise_waitlist_entry(
            tenant(req),
            event_id,
            entry_id,
            Priority(b["priority"]),
            b["reason"],
            current_cause().actor,
        )

    def leave(req: falcon.Request, event_id: UUID, entry_id: UUID, b: dict[str, Any]) -> EntryAck:
        return registration.leave_waitlist(
            tenant(req), event_id, entry_id, b["reason"], current_cause().actor
        )

    def accept(req: falcon.Request, event_id: UUID, entry_id: UUID, _: dict[str, Any]) -> EntryAck:
        return registration.accept_offer(tenant(req), event_id, entry_id, current_cause().actor)

    def decline(req: falcon.Request, event_id: UUID, entry_id: UUID, _: dict[str, Any]) -> EntryAck:
        return registration.decline_offer(tenant(req), event_id, entry_id, current_cause().actor)

    ended = (
        " An entry that ended (or never was) is a 404 `not-found`; one holding an offer is a "
        "409 `waitlist-entry-offered`."
    )
    unanswerable = (
        " An entry waiting without an offer is a 409 `no-waitlist-offer`; one that ended is a 404."
    )
    return {
        "move": EntryCommandResource(
            move,
            MOVE_SCHEMA,
            Operation(
                "Move a waiting entry up, down, to the top or the end of its priority",
                MANAGE,
                request=WaitlistMoveSchema,
                response=WaitlistEntrySchema,
                feature=Feature.WAITLIST,
                tags=TAGS,
                description="Priorities stay in their order (VIP, HIGH, NORMAL, LOW): an "
                "entry moves only among its own; at the edge already, it stays." + ended,
                request_example=examples.MOVE_REQUEST,
                response_example=examples.WAITING,
                operation_id="moveWaitlistEntry",
            ),
        ),
        "priority": EntryCommandResource(
            priority,
            PRIORITY_SCHEMA,
            Operation(
                "Give a waiting entry another priority (it goes to the end of that one)",
                MANAGE,
                request=WaitlistPrioritySchema,
                response=WaitlistEntrySchema,
                feature=Feature.WAITLIST,
                tags=TAGS,
                description="The reason is recorded." + ended,
                request_example=examples.PRIORITY_REQUEST,
                response_example=examples.WAITING,
                operation_id="reprioritiseWaitlistEntry",
            ),
        ),
        "leave": EntryCommandResource(
            leave,
            LEAVE_SCHEMA,
            Operation(
                "Take an entry off the waitlist: its registrations are cancelled",
                MANAGE,
                request=WaitlistLeaveSchema,
                response=WaitlistEntrySchema,
                feature=Feature.WAITLIST,
                tags=TAGS,
                description="Seats an offer held for it pass to the next entry. A "
                "waitlisted participant may also withdraw (POST /v1/participants/{id}/"
                "withdraw), which takes a single entry off; a party leaves only as a whole "
                "(a member's withdrawal is a 409 `waitlist-party`). An entry that ended is "
                "a 404.",
                request_example=examples.LEAVE_REQUEST,
                response_example={**examples.WAITING, "state": "left"},
                operation_id="leaveWaitlist",
            ),
        ),
        "accept": EntryCommandResource(
            accept,
            EMPTY_SCHEMA,
            Operation(
                "Accept the entry's offer: its participants take the held seats",
                ANSWER,
                response=WaitlistEntrySchema,
                feature=Feature.WAITLIST,
                tags=TAGS,
                description="As the event's waitlist settings say, each participant is "
                "approved at once in a held seat, or enters the workflow's first steps with "
                "the seat held until the workflow decides (a rejection passes the seat on); a "
                "participant held for screening review enters the workflow. After the "
                "deadline it is a 409 `waitlist-offer-expired`." + unanswerable,
                response_example=examples.ACCEPTED,
                operation_id="acceptWaitlistOffer",
            ),
        ),
        "decline": EntryCommandResource(
            decline,
            EMPTY_SCHEMA,
            Operation(
                "Decline the entry's offer: its participants withdraw, the seats pass on",
                ANSWER,
                response=WaitlistEntrySchema,
                feature=Feature.WAITLIST,
                tags=TAGS,
                description="The next entries in order are offered the seats in the same "
                "save." + unanswerable,
                response_example={**examples.ACCEPTED, "state": "declined"},
                operation_id="declineWaitlistOffer",
            ),
        ),
    }
