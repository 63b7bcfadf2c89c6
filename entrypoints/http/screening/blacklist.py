"""The blacklist: bar a person from a tenant's events or one event, list, read, lift."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import falcon

from adapters.screening.blacklist_queries import BlacklistQueries, EntryFilter
from domain.platform.permissions import Permission
from domain.screening.application import ScreeningApplication
from domain.screening.blacklist import Blacklist
from entrypoints.http.requests import (
    answer_command,
    answer_created,
    found,
    load_body,
    load_query,
    page_limit,
)
from entrypoints.http.responders import Operation
from entrypoints.http.schemas import EmptySchema
from entrypoints.http.screening import blacklist_examples as examples
from entrypoints.http.screening.blacklist_schemas import (
    EntryCreateSchema,
    EntryListQuerySchema,
    EntryPageSchema,
    EntryRemoveSchema,
    EntrySchema,
    EntryStateSchema,
)

MANAGE = Permission.BLACKLIST_MANAGE
TAGS = ("blacklist",)
PROJECTION = "blacklist"

# Built once: a marshmallow schema is costly to build and safe to share.
CREATE_SCHEMA = EntryCreateSchema()
REMOVE_SCHEMA = EntryRemoveSchema()
LIST_QUERY_SCHEMA = EntryListQuerySchema()
STATE_SCHEMA = EntryStateSchema()
ENTRY_SCHEMA = EntrySchema()
PAGE_SCHEMA = EntryPageSchema()
EMPTY_SCHEMA = EmptySchema()


@dataclass(frozen=True)
class TenantEvents:
    """What the blacklist asks of the tenant's events; the wiring answers it.

    `check` reads the event itself, for commands: NotFound when the tenant has no
    such event. `listed` asks the events' view, for queries.
    """

    check: Callable[[UUID, UUID], None]
    listed: Callable[[UUID, UUID], bool]


def _state_document(blacklist: Blacklist, entry_id: UUID, now: datetime) -> dict[str, Any]:
    entry = blacklist.entry(entry_id)
    values = {**asdict(entry), "status": entry.status(now)}
    document: dict[str, Any] = STATE_SCHEMA.dump(values)
    return document


def _entry_document(row: Any, now: datetime) -> dict[str, Any]:
    document: dict[str, Any] = ENTRY_SCHEMA.dump({**asdict(row), "status": row.status(now)})
    return document


class BlacklistResource:
    operations = {
        "GET": Operation(
            "List the blacklist's entries, oldest first",
            MANAGE,
            response=EntryPageSchema,
            paginated=True,
            query=EntryListQuerySchema,
            reads_projection=PROJECTION,
            # A named event is looked up in the events' view: the key's new event is waited for.
            also_reads=("registration",),
            errors=(404,),
            tags=TAGS,
            description="`event_id` keeps the entries covering that event (its own and the "
            "tenant-wide ones; an event the tenant does not have is a 404); `active=true` "
            "those that match people now, `active=false` the expired and removed ones.",
            response_example=examples.ENTRY_PAGE,
            operation_id="listBlacklistEntries",
        ),
        "POST": Operation(
            "Bar a person from the tenant's events, or from one event",
            MANAGE,
            status=201,
            request=EntryCreateSchema,
            response=EntryStateSchema,
            creates=True,
            errors=(404,),
            tags=TAGS,
            description="Every registration and change of details is screened against the "
            "entries in force, and adding one screens the existing participants: the same "
            "document number blocks the participant (their credential's scans answer "
            "BLOCKED); a close name with the same date of birth or e-mail holds their "
            "registration for review. An entry names a document number, or a name with a "
            "date of birth or an e-mail (422 `validation-failed` otherwise); an expiry is in "
            "the future; an `event_id` the tenant does not have is a 404.",
            request_example=examples.ENTRY_CREATE,
            response_example=examples.ENTRY_STATE,
            operation_id="addBlacklistEntry",
        ),
    }

    def __init__(
        self, screening: ScreeningApplication, queries: BlacklistQueries, events: TenantEvents
    ) -> None:
        self.screening = screening
        self.queries = queries
        self.events = events

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = load_query(req, LIST_QUERY_SCHEMA)
        tenant_id = req.context.principal.tenant_id
        event_id = query.get("event_id")
        if event_id is not None:
            found(self.events.listed(tenant_id, event_id) or None, f"no event with id {event_id}")
        now = self.screening.clock()
        where = EntryFilter(event_id=event_id, active=query.get("active"), at=now)
        page = self.queries.entries(tenant_id, where, page_limit(req), req.get_param("cursor"))
        resp.media = PAGE_SCHEMA.dump(
            {
                "items": [{**asdict(r), "status": r.status(now)} for r in page.items],
                "next_cursor": page.next_cursor,
            }
        )

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = load_body(req, CREATE_SCHEMA)
        tenant_id = req.context.principal.tenant_id
        if body["event_id"] is not None:
            self.events.check(tenant_id, body["event_id"])
        added = self.screening.add_blacklist_entry(tenant_id, **body)
        answer_created(resp, added.ack, f"/v1/blacklist/{added.id}")
        resp.media = _state_document(added.ack.aggregate, added.id, self.screening.clock())


class BlacklistEntryResource:
    operations = {
        "GET": Operation(
            "Read one blacklist entry, with who added and removed it when",
            MANAGE,
            response=EntrySchema,
            reads_projection=PROJECTION,
            tags=TAGS,
            response_example=examples.ENTRY,
            operation_id="getBlacklistEntry",
        ),
    }

    def __init__(self, screening: ScreeningApplication, queries: BlacklistQueries) -> None:
        self.screening = screening
        self.queries = queries

    def on_get(self, req: falcon.Request, resp: falcon.Response, entry_id: UUID) -> None:
        load_query(req, EMPTY_SCHEMA)
        row = found(
            self.queries.entry(req.context.principal.tenant_id, entry_id),
            f"no blacklist entry with id {entry_id}",
        )
        resp.media = _entry_document(row, self.screening.clock())


class BlacklistEntryRemoveResource:
    operations = {
        "POST": Operation(
            "Lift a blacklist entry: it matches no one from now on",
            MANAGE,
            request=EntryRemoveSchema,
            response=EntryStateSchema,
            tags=TAGS,
            description="The entry stays in the history, removed. Participants it stopped "
            "are screened again: held ones are released, blocked ones unblocked, unless "
            "another entry still matches them. An entry removed already is a 409 "
            "`blacklist-entry-removed`.",
            request_example=examples.ENTRY_REMOVE,
            response_example=examples.ENTRY_REMOVED,
            operation_id="removeBlacklistEntry",
        ),
    }

    def __init__(self, screening: ScreeningApplication) -> None:
        self.screening = screening

    def on_post(self, req: falcon.Request, resp: falcon.Response, entry_id: UUID) -> None:
        body = load_body(req, REMOVE_SCHEMA)
        ack = self.screening.remove_blacklist_entry(
            req.context.principal.tenant_id, entry_id, body["reason"]
        )
        answer_command(resp, ack)
        resp.media = _state_document(ack.aggregate, entry_id, self.screening.clock())
