"""API keys: issue, list, read, rotate, revoke."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import UUID

import falcon

from adapters.platform.queries import ApiKeyRow, PlatformQueries
from adapters.service.usage import KeyUsageRecorder
from domain.platform.application import PlatformApplication
from domain.platform.permissions import Permission
from entrypoints.http.platform import examples
from entrypoints.http.platform.schemas import (
    ApiKeyIssuedSchema,
    ApiKeyIssueSchema,
    ApiKeyPageSchema,
    ApiKeyRotatedSchema,
    ApiKeyRotateSchema,
    ApiKeySchema,
)
from entrypoints.http.problems import Problem
from entrypoints.http.requests import (
    answer_command,
    answer_created,
    expected_version,
    int_param,
    load_body,
    set_etag,
)
from entrypoints.http.responders import Operation
from entrypoints.http.schemas import EmptySchema

MANAGE = Permission.API_KEYS_MANAGE

# Built once: a marshmallow schema is costly to build and safe to share.
API_KEY_ISSUE_SCHEMA = ApiKeyIssueSchema()
API_KEY_PAGE_SCHEMA = ApiKeyPageSchema()
API_KEY_ROTATE_SCHEMA = ApiKeyRotateSchema()
API_KEY_ROTATED_SCHEMA = ApiKeyRotatedSchema()
API_KEY_SCHEMA = ApiKeySchema()
EMPTY_SCHEMA = EmptySchema()

# A secret is never kept, not even for a retry's sake: the retry learns where it went.
SHOWN_ONCE_NOTE = (
    "the secret was shown once, in the first answer to this request; rotate the key for a new one"
)


def _with_usage(rows: list[ApiKeyRow], usage: KeyUsageRecorder) -> list[ApiKeyRow]:
    used = usage.usage(r.id for r in rows)
    return [replace(r, last_used_at=used[r.id].last_used_at) if r.id in used else r for r in rows]


class ApiKeysResource:
    operations = {
        "GET": Operation(
            "List your tenant's API keys, oldest first",
            MANAGE,
            response=ApiKeyPageSchema,
            paginated=True,
            reads_projection="platform",
            tags=("api-keys",),
            response_example=examples.API_KEY_PAGE,
            operation_id="listApiKeys",
        ),
        "POST": Operation(
            "Issue an API key (the secret is shown once)",
            MANAGE,
            status=201,
            request=ApiKeyIssueSchema,
            response=ApiKeyIssuedSchema,
            creates=True,
            tags=("api-keys",),
            request_example=examples.API_KEY_ISSUE,
            response_example=examples.API_KEY_ISSUED,
            description="A retry with the same Idempotency-Key gets this answer back with "
            "`secret` null and a `replay_note`: the secret is never stored.",
            shown_once=("secret",),
            replay_note=SHOWN_ONCE_NOTE,
            operation_id="issueApiKey",
        ),
    }

    def __init__(
        self, platform: PlatformApplication, queries: PlatformQueries, usage: KeyUsageRecorder
    ) -> None:
        self.platform = platform
        self.queries = queries
        self.usage = usage

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        limit = int_param(req, "limit", 50, 1, 200)
        page = self.queries.api_keys(
            req.context.principal.tenant_id, limit, req.get_param("cursor")
        )
        resp.media = API_KEY_PAGE_SCHEMA.dump(
            {"items": _with_usage(page.items, self.usage), "next_cursor": page.next_cursor}
        )

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = load_body(req, API_KEY_ISSUE_SCHEMA)
        issued = self.platform.issue_api_key(req.context.principal.tenant_id, **body)
        answer_created(resp, issued.ack, f"/v1/api-keys/{issued.ack.aggregate_id}")
        document = API_KEY_SCHEMA.dump(issued.ack.aggregate)
        resp.media = {**document, "secret": issued.secret}


class ApiKeyResource:
    operations = {
        "GET": Operation(
            "Read one API key, with its last use",
            MANAGE,
            response=ApiKeySchema,
            reads_projection="platform",
            etag=True,
            tags=("api-keys",),
            response_example=examples.API_KEY,
            operation_id="getApiKey",
        ),
    }

    def __init__(self, queries: PlatformQueries, usage: KeyUsageRecorder) -> None:
        self.queries = queries
        self.usage = usage

    def on_get(self, req: falcon.Request, resp: falcon.Response, key_id: UUID) -> None:
        row = self.queries.api_key(req.context.principal.tenant_id, key_id)
        if row is None:
            raise Problem("not-found", f"no API key {key_id}")
        set_etag(resp, row.version)
        resp.media = API_KEY_SCHEMA.dump(_with_usage([row], self.usage)[0])


class ApiKeyRotationResource:
    operations = {
        "POST": Operation(
            "Rotate a key's secret; the previous one works for a grace period",
            MANAGE,
            request=ApiKeyRotateSchema,
            response=ApiKeyRotatedSchema,
            if_match=True,
            tags=("api-keys",),
            request_example=examples.API_KEY_ROTATE,
            response_example=examples.API_KEY_ROTATED,
            description="A retry with the same Idempotency-Key gets this answer back with "
            "`secret` null and a `replay_note`: the secret is never stored.",
            shown_once=("secret",),
            replay_note=SHOWN_ONCE_NOTE,
            operation_id="rotateApiKey",
        ),
    }

    def __init__(self, platform: PlatformApplication) -> None:
        self.platform = platform

    def on_post(self, req: falcon.Request, resp: falcon.Response, key_id: UUID) -> None:
        body = load_body(req, API_KEY_ROTATE_SCHEMA)
        grace = timedelta(seconds=body["grace_seconds"])
        issued = self.platform.rotate_api_key(
            req.context.principal.tenant_id, key_id, grace, expected_version(req)
        )
        answer_command(resp, issued.ack)
        resp.media = API_KEY_ROTATED_SCHEMA.dump(
            {
                "id": issued.ack.aggregate_id,
                "secret": issued.secret,
                "previous_secret_valid_until": issued.previous_secret_valid_until,
                "version": issued.ack.version,
            }
        )


class ApiKeyRevocationResource:
    operations = {
        "POST": Operation(
            "Revoke a key: every secret of it stops working at once",
            MANAGE,
            response=ApiKeySchema,
            if_match=True,
            tags=("api-keys",),
            response_example=examples.API_KEY_REVOKED,
            operation_id="revokeApiKey",
        ),
    }

    def __init__(self, platform: PlatformApplication) -> None:
        self.platform = platform

    def on_post(self, req: falcon.Request, resp: falcon.Response, key_id: UUID) -> None:
        load_body(req, EMPTY_SCHEMA)
        ack = self.platform.revoke_api_key(
            req.context.principal.tenant_id, key_id, expected_version(req)
        )
        answer_command(resp, ack)
        resp.media = API_KEY_SCHEMA.dump(ack.aggregate)
