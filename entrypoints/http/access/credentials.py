"""Credentials: read one or an event's, take the code once, re-issue, suspend, resume, revoke."""

from __future__ import annotations

from uuid import UUID

import falcon

from adapters.access.credential_queries import CredentialQueries
from adapters.access.undelivered_codes import UndeliveredCodes
from adapters.registration.queries import RegistrationQueries
from domain.access.application import AccessApplication
from domain.access.credential import BadgeCodeShown, Credential
from domain.access.credential_commands import IssuedCode
from domain.platform.permissions import Permission
from entrypoints.http.access import credential_examples as examples
from entrypoints.http.access.credential_schemas import (
    BadgeCodeSchema,
    CredentialChangeSchema,
    CredentialListQuerySchema,
    CredentialPageSchema,
    CredentialReadSchema,
    CredentialSchema,
)
from entrypoints.http.requests import (
    answer_command,
    expected_version,
    found,
    load_body,
    load_query,
    page_limit,
    set_etag,
)
from entrypoints.http.responders import Operation
from entrypoints.http.schemas import EmptySchema

READ = Permission.CREDENTIALS_READ
MANAGE = Permission.CREDENTIALS_MANAGE
TAGS = ("credentials",)
PROJECTION = "credentials"

# Built once: a marshmallow schema is costly to build and safe to share.
BADGE_CODE_SCHEMA = BadgeCodeSchema()
CHANGE_SCHEMA = CredentialChangeSchema()
CREDENTIAL_SCHEMA = CredentialSchema()
LIST_QUERY_SCHEMA = CredentialListQuerySchema()
PAGE_SCHEMA = CredentialPageSchema()
READ_SCHEMA = CredentialReadSchema()
EMPTY_SCHEMA = EmptySchema()

# A badge code is never kept for a retry: the retry learns where it went.
SHOWN_ONCE_NOTE = (
    "the badge code was shown once, in the first answer to this request; "
    "re-issue the credential for a new one"
)


def _code_document(credential: Credential, code: str) -> dict[str, object]:
    document: dict[str, object] = BADGE_CODE_SCHEMA.dump(
        {
            "id": credential.id,
            "participant_id": credential.participant_id,
            "generation": credential.generation,
            "badge_code": code,
            "version": credential.version,
        }
    )
    return document


class CredentialResource:
    operations = {
        "GET": Operation(
            "Read a participant's credential: its state, code generation and eligibility",
            READ,
            response=CredentialReadSchema,
            reads_projection=PROJECTION,
            etag=True,
            tags=TAGS,
            description="Never the code. A participant gets a credential once approved; "
            "until then (and for another tenant's participant) this is a 404.",
            response_example=examples.CREDENTIAL_READ,
            operation_id="getCredential",
        ),
    }

    def __init__(self, queries: CredentialQueries) -> None:
        self.queries = queries

    def on_get(self, req: falcon.Request, resp: falcon.Response, participant_id: UUID) -> None:
        load_query(req, EMPTY_SCHEMA)
        row = found(
            self.queries.credential(req.context.principal.tenant_id, participant_id),
            f"participant {participant_id} has no credential",
        )
        set_etag(resp, row.version)
        resp.media = READ_SCHEMA.dump(row)


class EventCredentialsResource:
    operations = {
        "GET": Operation(
            "An event's credentials in issue order, optionally of one state",
            READ,
            response=CredentialPageSchema,
            paginated=True,
            query=CredentialListQuerySchema,
            reads_projection=PROJECTION,
            # The event is looked up in the events' view: the key's new event is waited for.
            also_reads=("registration",),
            tags=TAGS,
            response_example=examples.CREDENTIAL_PAGE,
            operation_id="listEventCredentials",
        ),
    }

    def __init__(self, queries: CredentialQueries, events: RegistrationQueries) -> None:
        self.queries = queries
        self.events = events

    def on_get(self, req: falcon.Request, resp: falcon.Response, event_id: UUID) -> None:
        query = load_query(req, LIST_QUERY_SCHEMA)
        tenant_id = req.context.principal.tenant_id
        found(self.events.event(tenant_id, event_id), f"no event with id {event_id}")
        page = self.queries.credentials(
            tenant_id, event_id, page_limit(req), req.get_param("cursor"), query.get("state")
        )
        resp.media = PAGE_SCHEMA.dump({"items": page.items, "next_cursor": page.next_cursor})


class BadgeCodeResource:
    operations = {
        "POST": Operation(
            "Take the badge code of a newly issued credential, once",
            MANAGE,
            response=BadgeCodeSchema,
            tags=TAGS,
            description="The code issued with the credential is kept (encrypted with the "
            "cipher key, if set) until this first request, which answers it and forgets it. "
            "Any later one is a 409 `badge-code-shown`: re-issue the credential for a new "
            "code. A retry with the same Idempotency-Key gets `badge_code` null and a "
            "`replay_note`.",
            shown_once=("badge_code",),
            replay_note=SHOWN_ONCE_NOTE,
            response_example=examples.BADGE_CODE,
            operation_id="takeBadgeCode",
        ),
    }

    def __init__(self, access: AccessApplication, codes: UndeliveredCodes) -> None:
        self.access = access
        self.codes = codes

    def on_post(self, req: falcon.Request, resp: falcon.Response, participant_id: UUID) -> None:
        load_body(req, EMPTY_SCHEMA)
        credential = self.access.credential(req.context.principal.tenant_id, participant_id)
        code = self.codes.take(credential.id, credential.generation)
        if code is None:
            raise BadgeCodeShown(
                "the badge code was shown once already (or never kept); "
                "re-issue the credential for a new one"
            )
        set_etag(resp, credential.version)
        resp.media = _code_document(credential, code)


class CredentialReissueResource:
    operations = {
        "POST": Operation(
            "Re-issue a credential: a new badge code, shown once; the old one stops working",
            MANAGE,
            response=BadgeCodeSchema,
            if_match=True,
            tags=TAGS,
            description="The credential becomes active again, a revoked one too; whether it "
            "works still depends on the participant being approved. A retry with the same "
            "Idempotency-Key gets `badge_code` null and a `replay_note`.",
            shown_once=("badge_code",),
            replay_note=SHOWN_ONCE_NOTE,
            response_example=examples.BADGE_CODE_REISSUED,
            operation_id="reissueCredential",
        ),
    }

    def __init__(self, access: AccessApplication, codes: UndeliveredCodes) -> None:
        self.access = access
        self.codes = codes

    def on_post(self, req: falcon.Request, resp: falcon.Response, participant_id: UUID) -> None:
        load_body(req, EMPTY_SCHEMA)
        issued: IssuedCode = self.access.reissue_credential(
            req.context.principal.tenant_id, participant_id, expected_version(req)
        )
        # A code issued before and never taken opens nothing now.
        self.codes.discard(issued.ack.aggregate_id)
        answer_command(resp, issued.ack)
        resp.media = _code_document(issued.ack.aggregate, issued.code)


class CredentialChangeResource:
    """Suspend, resume or revoke: one resource, three routes."""

    SUSPENDS = Operation(
        "Suspend a credential: its code stops working until it is resumed",
        MANAGE,
        request=CredentialChangeSchema,
        response=CredentialSchema,
        if_match=True,
        tags=TAGS,
        description="A suspended or revoked credential is a 409 (`credential-not-active`, "
        "`credential-revoked`).",
        request_example=examples.CHANGE,
        response_example=examples.CREDENTIAL_SUSPENDED,
        operation_id="suspendCredential",
    )
    RESUMES = Operation(
        "Resume a suspended credential",
        MANAGE,
        request=CredentialChangeSchema,
        response=CredentialSchema,
        if_match=True,
        tags=TAGS,
        description="One that is not suspended is a 409 `credential-not-suspended`; a "
        "revoked one is a 409 `credential-revoked` (re-issue it instead).",
        request_example={"reason": "badge found"},
        response_example={**examples.CREDENTIAL, "reason": "badge found", "version": 3},
        operation_id="resumeCredential",
    )
    REVOKES = Operation(
        "Revoke a credential: its code stops working for good",
        MANAGE,
        request=CredentialChangeSchema,
        response=CredentialSchema,
        if_match=True,
        tags=TAGS,
        description="Final for this code: resuming is refused; a re-issue makes a new code. "
        "A revoked credential is a 409 `credential-revoked`.",
        request_example={"reason": "badge lent to someone else"},
        response_example={
            **examples.CREDENTIAL,
            "state": "revoked",
            "works": False,
            "reason": "badge lent to someone else",
            "version": 2,
        },
        operation_id="revokeCredential",
    )

    def __init__(self, access: AccessApplication, change: str) -> None:
        self.operations = {
            "POST": {"suspend": self.SUSPENDS, "resume": self.RESUMES, "revoke": self.REVOKES}[
                change
            ]
        }
        self.command = {
            "suspend": access.suspend_credential,
            "resume": access.resume_credential,
            "revoke": access.revoke_credential,
        }[change]

    def on_post(self, req: falcon.Request, resp: falcon.Response, participant_id: UUID) -> None:
        body = load_body(req, CHANGE_SCHEMA)
        ack = self.command(
            req.context.principal.tenant_id, participant_id, body["reason"], expected_version(req)
        )
        answer_command(resp, ack)
        resp.media = CREDENTIAL_SCHEMA.dump(ack.aggregate)
