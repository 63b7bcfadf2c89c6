"""Duplicate candidates: list them, read one with both records and why, confirm or dismiss."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import falcon

from adapters.screening.duplicate_queries import CandidateDetail, DuplicateQueries
from domain.platform.permissions import Permission
from domain.screening.application import ScreeningApplication
from domain.screening.pair_review import Decision, PairReview
from entrypoints.http.requests import answer_command, found, load_body, load_query, page_limit
from entrypoints.http.responders import Operation
from entrypoints.http.schemas import EmptySchema
from entrypoints.http.screening import duplicate_examples as examples
from entrypoints.http.screening.duplicate_schemas import (
    DuplicateListQuerySchema,
    DuplicatePageSchema,
    DuplicateSchema,
    ReviewAnswerSchema,
    ReviewSchema,
    ScreeningSettingsSchema,
)

REVIEW = Permission.DUPLICATES_REVIEW
TAGS = ("duplicates",)
PROJECTION = "duplicates"

# Built once: a marshmallow schema is costly to build and safe to share.
LIST_QUERY_SCHEMA = DuplicateListQuerySchema()
PAGE_SCHEMA = DuplicatePageSchema()
DETAIL_SCHEMA = DuplicateSchema()
REVIEW_SCHEMA = ReviewSchema()
ANSWER_SCHEMA = ReviewAnswerSchema()
SETTINGS_SCHEMA = ScreeningSettingsSchema()
EMPTY_SCHEMA = EmptySchema()


def _detail_document(detail: CandidateDetail) -> dict[str, Any]:
    document: dict[str, Any] = DETAIL_SCHEMA.dump(
        {**vars(detail.candidate), "participants": detail.participants}
    )
    return document


class DuplicatesResource:
    operations = {
        "GET": Operation(
            "Duplicate candidates, highest score first",
            REVIEW,
            response=DuplicatePageSchema,
            paginated=True,
            query=DuplicateListQuerySchema,
            reads_projection=PROJECTION,
            tags=TAGS,
            description="Pairs of the tenant's participants who may be one person: every "
            "registration and change of details is compared with the participants sharing a "
            "blocking key, field by field. Pairs across events are listed when the tenant's "
            "duplicate_scope is `tenant` (see /v1/screening/settings).",
            response_example=examples.PAGE,
            operation_id="listDuplicates",
        ),
    }

    def __init__(self, queries: DuplicateQueries) -> None:
        self.queries = queries

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = load_query(req, LIST_QUERY_SCHEMA)
        page = self.queries.candidates(
            req.context.principal.tenant_id,
            page_limit(req),
            req.get_param("cursor"),
            status=query.get("status"),
            event_id=query.get("event_id"),
            min_score=query.get("min_score"),
        )
        resp.media = PAGE_SCHEMA.dump({"items": page.items, "next_cursor": page.next_cursor})


class DuplicateResource:
    operations = {
        "GET": Operation(
            "Read a duplicate candidate: both participants' details and the explanation",
            REVIEW,
            response=DuplicateSchema,
            reads_projection=PROJECTION,
            tags=TAGS,
            description="The explanation lists each compared field with its level, its weight "
            "(log2 of how much likelier the agreement is for one person than for two) and the "
            "two forms compared; the score is the prior plus every weight.",
            response_example=examples.DETAIL,
            operation_id="getDuplicate",
        ),
    }

    def __init__(self, queries: DuplicateQueries) -> None:
        self.queries = queries

    def on_get(self, req: falcon.Request, resp: falcon.Response, pair_id: UUID) -> None:
        load_query(req, EMPTY_SCHEMA)
        detail = found(
            self.queries.detail(req.context.principal.tenant_id, pair_id),
            f"no duplicate candidate with id {pair_id}",
        )
        resp.media = _detail_document(detail)


class DuplicateReviewResource:
    """Confirm or dismiss: one resource, two routes."""

    CONFIRMS = Operation(
        "Confirm a duplicate candidate: the two records are one person",
        REVIEW,
        request=ReviewSchema,
        response=ReviewAnswerSchema,
        tags=TAGS,
        description="The decision holds for the records as they are now; a change to either "
        "in a compared field makes the pair PENDING again.",
        request_example={"comment": "same passport"},
        response_example=examples.CONFIRMED,
        operation_id="confirmDuplicate",
    )
    DISMISSES = Operation(
        "Dismiss a duplicate candidate: two different people",
        REVIEW,
        request=ReviewSchema,
        response=ReviewAnswerSchema,
        tags=TAGS,
        description="The pair leaves the PENDING list and is not raised again unless one of "
        "the two records changes in a compared field.",
        request_example=examples.REVIEW,
        response_example=examples.DISMISSED,
        operation_id="dismissDuplicate",
    )

    def __init__(
        self, screening: ScreeningApplication, queries: DuplicateQueries, decision: Decision
    ) -> None:
        self.screening = screening
        self.queries = queries
        self.decision = decision
        operation = self.CONFIRMS if decision is Decision.CONFIRMED else self.DISMISSES
        self.operations = {"POST": operation}

    def on_post(self, req: falcon.Request, resp: falcon.Response, pair_id: UUID) -> None:
        body = load_body(req, REVIEW_SCHEMA)
        tenant_id = req.context.principal.tenant_id
        # The records as the view holds them, at least as new as the reviewer's last read of
        # the pair: the decision holds for these, and a change to either re-opens the pair.
        candidate = found(
            self.queries.candidate(tenant_id, pair_id), f"no duplicate candidate with id {pair_id}"
        )
        ack = self.screening.review_pair(
            tenant_id,
            pair_id,
            candidate.participant_ids,
            self.decision,
            candidate.fingerprint,
            body["comment"],
        )
        answer_command(resp, ack)
        resp.media = _review_document(ack.aggregate, body["comment"])


def _review_document(review: PairReview, comment: str | None) -> dict[str, Any]:
    document: dict[str, Any] = ANSWER_SCHEMA.dump(
        {
            "id": review.pair_id,
            "status": review.decision,
            "fingerprint": review.fingerprint,
            "comment": comment,
        }
    )
    return document


class ScreeningSettingsResource:
    operations = {
        "GET": Operation(
            "Read the tenant's screening settings",
            REVIEW,
            response=ScreeningSettingsSchema,
            reads_projection=PROJECTION,
            tags=TAGS,
            response_example=examples.SETTINGS,
            operation_id="getScreeningSettings",
        ),
        "PUT": Operation(
            "Set where duplicates are looked for: within each event, or across the tenant's",
            Permission.TENANT_MANAGE,
            request=ScreeningSettingsSchema,
            response=ScreeningSettingsSchema,
            tags=TAGS,
            description="Takes effect at once for listing: pairs across events are always "
            "detected, and shown only while the scope is `tenant`.",
            request_example=examples.SETTINGS,
            response_example=examples.SETTINGS,
            operation_id="setScreeningSettings",
        ),
    }

    def __init__(self, screening: ScreeningApplication, queries: DuplicateQueries) -> None:
        self.screening = screening
        self.queries = queries

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        load_query(req, EMPTY_SCHEMA)
        scope = self.queries.scope(req.context.principal.tenant_id)
        resp.media = SETTINGS_SCHEMA.dump({"duplicate_scope": scope.value})

    def on_put(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = load_body(req, SETTINGS_SCHEMA)
        ack = self.screening.set_duplicate_scope(
            req.context.principal.tenant_id, body["duplicate_scope"]
        )
        answer_command(resp, ack)
        resp.media = SETTINGS_SCHEMA.dump({"duplicate_scope": ack.aggregate.duplicate_scope.value})
