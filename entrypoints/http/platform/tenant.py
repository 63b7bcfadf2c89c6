"""The caller's own tenant."""

from __future__ import annotations

import falcon

from adapters.platform.queries import PlatformQueries
from domain.platform.application import PlatformApplication
from domain.platform.permissions import Permission
from entrypoints.http.platform import examples
from entrypoints.http.platform.schemas import TenantSchema, TenantUpdateSchema
from entrypoints.http.problems import Problem
from entrypoints.http.requests import answer_command, expected_version, load_body, set_etag
from entrypoints.http.responders import Operation

# Built once: a marshmallow schema is costly to build and safe to share.
TENANT_SCHEMA = TenantSchema()
TENANT_UPDATE_SCHEMA = TenantUpdateSchema()


class TenantResource:
    operations = {
        "GET": Operation(
            "Read your tenant: name and enabled features",
            Permission.TENANT_READ,
            response=TenantSchema,
            reads_projection="platform",
            etag=True,
            tags=("tenant",),
            response_example=examples.TENANT,
            operation_id="getTenant",
        ),
        "PATCH": Operation(
            "Rename your tenant",
            Permission.TENANT_MANAGE,
            request=TenantUpdateSchema,
            response=TenantSchema,
            if_match=True,
            tags=("tenant",),
            request_example=examples.TENANT_RENAME,
            response_example={**examples.TENANT, "name": examples.TENANT_RENAME["name"]},
            operation_id="renameTenant",
        ),
    }

    def __init__(self, platform: PlatformApplication, queries: PlatformQueries) -> None:
        self.platform = platform
        self.queries = queries

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        tenant = self.queries.tenant(req.context.principal.tenant_id)
        if tenant is None:
            raise Problem(
                "projection-lagging",
                "the tenant view has not caught up yet",
                headers={"Retry-After": "1"},
            )
        set_etag(resp, tenant.version)
        resp.media = TENANT_SCHEMA.dump(tenant)

    def on_patch(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = load_body(req, TENANT_UPDATE_SCHEMA)
        ack = self.platform.rename_tenant(
            req.context.principal.tenant_id, body["name"], expected_version(req)
        )
        answer_command(resp, ack)
        resp.media = TENANT_SCHEMA.dump(ack.aggregate)
