"""Who is calling (API key) and whether they may (feature flags, permissions)."""

from __future__ import annotations

from typing import Any

import falcon

from adapters.service.usage import KeyUsageRecorder
from domain.platform.application import PlatformApplication, Principal
from domain.platform.features import Feature
from entrypoints.http.operations import operation_of
from entrypoints.http.problems import Problem


class AuthMiddleware:
    """Finds the API key behind the bearer token; records its use without an event."""

    def __init__(self, platform: PlatformApplication, usage: KeyUsageRecorder) -> None:
        self.platform = platform
        self.usage = usage

    def process_resource(
        self, req: falcon.Request, resp: falcon.Response, resource: object, params: dict[str, Any]
    ) -> None:
        req.context.principal = None
        operation = operation_of(resource, req.method)
        if operation is None or operation.public:
            return
        header = req.get_header("Authorization") or ""
        scheme, _, token = header.partition(" ")
        principal = None
        if scheme.lower() == "bearer" and token.strip():
            principal = self.platform.authenticate(token.strip())
        if principal is None:
            raise Problem(
                "unauthenticated",
                "send Authorization: Bearer <API key>",
                headers={"WWW-Authenticate": 'Bearer realm="accredit"'},
            )
        req.context.principal = principal
        self.usage.record(principal.tenant_id, principal.key_id)


class AuthorizationMiddleware:
    """Refuses what the tenant has not enabled or the key may not do."""

    def process_resource(
        self, req: falcon.Request, resp: falcon.Response, resource: object, params: dict[str, Any]
    ) -> None:
        principal: Principal | None = req.context.principal
        operation = operation_of(resource, req.method)
        if principal is None or operation is None:
            return
        for feature in (Feature.REST_API, operation.feature):
            if feature is not None and feature not in principal.features:
                raise Problem(
                    "feature-disabled",
                    f"the feature {feature} is disabled for this tenant",
                    feature=feature.value,
                )
        needed = operation.permission
        if needed is not None and needed not in principal.permissions:
            raise Problem(
                "permission-denied",
                f"this API key lacks the permission {needed}",
                permission=needed.value,
            )
