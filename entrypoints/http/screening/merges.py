"""Merges: merge a participant into another, list and read merges, undo one."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import falcon

from adapters.screening.merge_queries import MergeQueries
from domain.platform.permissions import Permission
from domain.registration.application import RegistrationApplication
from domain.registration.merge import Merge
from domain.shared.application import Ack
from entrypoints.http.requests import (
    answer_command,
    answer_created,
    expected_version,
    found,
    load_body,
    load_query,
    page_limit,
    set_etag,
)
from entrypoints.http.responders import Operation
from entrypoints.http.schemas import EmptySchema
from entrypoints.http.screening import merge_examples as examples
from entrypoints.http.screening.merge_schemas import (
    MergePageSchema,
    MergeQuerySchema,
    MergeReadSchema,
    MergeRequestSchema,
    MergeSchema,
)

REVIEW = Permission.DUPLICATES_REVIEW
TAGS = ("merges",)
PROJECTION = "merges"

# Built once: a marshmallow schema is costly to build and safe to share.
REQUEST_SCHEMA = MergeRequestSchema()
QUERY_SCHEMA = MergeQuerySchema()
MERGE_SCHEMA = MergeSchema()
READ_SCHEMA = MergeReadSchema()
PAGE_SCHEMA = MergePageSchema()
EMPTY_SCHEMA = EmptySchema()

ABSORBED_REFUSES = (
    "From then on every command on the absorbed participant is a 409 `participant-merged` "
    "whose `survivor_id` (and Link header) names the survivor; reading it shows the status "
    "merged and its `survivor_id`."
)


def merge_document(merge: Merge) -> dict[str, Any]:
    """A merge as a command leaves it (a query dumps its row, with who acted)."""
    document: dict[str, Any] = MERGE_SCHEMA.dump(
        {
            "id": merge.id,
            "event_id": merge.event_id,
            "survivor_id": merge.survivor_id,
            "absorbed_id": merge.absorbed_id,
            "chosen": merge.chosen,
            "status": "unmerged" if merge.undone else "merged",
            "merged_at": merge.created_on,
            "unmerged_at": merge.modified_on if merge.undone else None,
            "version": merge.version,
        }
    )
    return document


def _answer(resp: falcon.Response, ack: Ack[Merge]) -> None:
    answer_command(resp, ack)
    resp.media = merge_document(ack.aggregate)


class ParticipantMergeResource:
    operations = {
        "POST": Operation(
            "Merge another participant of the same event into this one (the survivor)",
            REVIEW,
            status=201,
            request=MergeRequestSchema,
            response=MergeSchema,
            creates=True,
            if_match=True,
            tags=TAGS,
            description="If-Match is the survivor's ETag (as its GET gives it). "
            "For each personal detail, `fields` says whose value survives; "
            "unnamed ones keep the survivor's, or take the absorbed's where the survivor has "
            "none. The absorbed gives back its seat and its e-mail (the survivor takes the "
            "address if `email` is `absorbed`), and its credential stops working. "
            f"{ABSORBED_REFUSES} The same participant twice is a 422; a participant already "
            "merged is a 409 `participant-merged`; participants of two events are a 409 "
            "`merge-across-events`; another tenant's is a 404.",
            request_example=examples.MERGE_REQUEST,
            response_example=examples.MERGE,
            operation_id="mergeParticipants",
        ),
    }

    def __init__(self, registration: RegistrationApplication) -> None:
        self.registration = registration

    def on_post(self, req: falcon.Request, resp: falcon.Response, participant_id: UUID) -> None:
        body = load_body(req, REQUEST_SCHEMA)
        ack = self.registration.merge_participants(
            req.context.principal.tenant_id,
            participant_id,
            body["absorbed_id"],
            body["fields"],
            expected_version(req),
        )
        answer_created(resp, ack, f"/v1/merges/{ack.aggregate_id}")
        resp.media = merge_document(ack.aggregate)


class MergesResource:
    operations = {
        "GET": Operation(
            "The tenant's merges, oldest first, of one participant or one event",
            REVIEW,
            response=MergePageSchema,
            paginated=True,
            query=MergeQuerySchema,
            reads_projection=PROJECTION,
            tags=TAGS,
            description="`participant_id` matches either side of a merge.",
            response_example=examples.MERGE_PAGE,
            operation_id="listMerges",
        ),
    }

    def __init__(self, queries: MergeQueries) -> None:
        self.queries = queries

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = load_query(req, QUERY_SCHEMA)
        page = self.queries.merges(
            req.context.principal.tenant_id,
            page_limit(req),
            req.get_param("cursor"),
            participant_id=query.get("participant_id"),
            event_id=query.get("event_id"),
        )
        resp.media = PAGE_SCHEMA.dump({"items": page.items, "next_cursor": page.next_cursor})


class MergeResource:
    operations = {
        "GET": Operation(
            "Read one merge: who was merged into whom, the details chosen, and its status",
            REVIEW,
            response=MergeReadSchema,
            reads_projection=PROJECTION,
            etag=True,
            tags=TAGS,
            response_example=examples.MERGE_READ,
            operation_id="getMerge",
        ),
    }

    def __init__(self, queries: MergeQueries) -> None:
        self.queries = queries

    def on_get(self, req: falcon.Request, resp: falcon.Response, merge_id: UUID) -> None:
        load_query(req, EMPTY_SCHEMA)
        row = found(
            self.queries.merge(req.context.principal.tenant_id, merge_id),
            f"no merge with id {merge_id}",
        )
        set_etag(resp, row.version)
        resp.media = READ_SCHEMA.dump(row)


class UnmergeResource:
    operations = {
        "POST": Operation(
            "Undo a merge: both participants as they were before it, as new domain events",
            REVIEW,
            response=MergeSchema,
            if_match=True,
            tags=TAGS,
            description="If-Match is the merge's ETag. "
            "The survivor gets back the details the merge changed (a detail "
            "changed since keeps its later value) and its e-mail; the absorbed gets back its "
            "status, its seat, its e-mail and a working credential. No seat left is a 409 "
            "`capacity-reached`; its e-mail registered by someone else since is a 409 "
            "`already-registered`; a merge undone already is a 409 `merge-undone`; a survivor "
            "merged since into another is a 409 `participant-merged` (undo that one first).",
            response_example=examples.UNMERGED,
            operation_id="unmergeParticipants",
        ),
    }

    def __init__(self, registration: RegistrationApplication) -> None:
        self.registration = registration

    def on_post(self, req: falcon.Request, resp: falcon.Response, merge_id: UUID) -> None:
        load_body(req, EMPTY_SCHEMA)
        tenant = req.context.principal.tenant_id
        _answer(resp, self.registration.unmerge(tenant, merge_id, expected_version(req)))
