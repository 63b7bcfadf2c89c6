"""Who is calling (API key) and whether they may (feature flags, permissions)."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Any

import falcon

from adapters.service.auth_failures import FailedAuthentications
from adapters.service.usage import KeyUsageRecorder
from domain.platform import key_secret
from domain.platform.application import PlatformApplication, Principal
from domain.platform.features import Feature
from entrypoints.http.problems import Problem
from entrypoints.http.responders import operation_of


class AuthMiddleware:
    """Finds the API key behind the bearer token; records its use without an event.

    A secret this process checked lately is served from memory, and a malformed one is
    refused at no cost. Any other costs event-store reads, so an address that has spent
    its budget of failed authentications is refused (429) before the lookup, unless the
    secret once opened a key here: no forger has one, and a kiosk sharing its address
    (a NAT, a proxy) with a failing one keeps working.
    """

    KNOWN_GOOD_SIZE = 10_000

    def __init__(
        self,
        platform: PlatformApplication,
        usage: KeyUsageRecorder,
        failures: FailedAuthentications | None = None,
    ) -> None:
        self.platform = platform
        self.usage = usage
        self.failures = failures
        # Digests of secrets that opened a key in this process, newest last.
        self._known_good: OrderedDict[str, None] = OrderedDict()

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
            principal = self._principal(token.strip(), req.remote_addr)
        if principal is None:
            raise Problem(
                "unauthenticated",
                "send Authorization: Bearer <API key>",
                headers={"WWW-Authenticate": 'Bearer realm="accredit"'},
            )
        req.context.principal = principal
        self.usage.record(principal.tenant_id, principal.key_id)

    def _principal(self, secret: str, address: str) -> Principal | None:
        remembered = self.platform.remembered(secret)
        if remembered is not None or key_secret.key_id_of(secret) is None:
            return remembered
        if self.failures is None:
            return self.platform.authenticate(secret)
        digest = hashlib.sha256(secret.encode()).hexdigest()
        refused = None if digest in self._known_good else self.failures.refusal(address)
        if refused is not None:
            limit, window = refused.limit, self.failures.window_seconds
            reset = str(refused.reset_seconds)
            raise Problem(
                "rate-limited",
                f"{limit} failed authentications from your address in {window} s: until the "
                "window ends, no secret it sends is looked up",
                headers={
                    "Retry-After": reset,
                    "RateLimit-Limit": str(limit),
                    "RateLimit-Remaining": "0",
                    "RateLimit-Reset": reset,
                    "RateLimit-Policy": f"{limit};w={window}",
                },
            )
        principal = self.platform.authenticate(secret)
        if principal is None:
            self._known_good.pop(digest, None)
            self.failures.count(address)
            return None
        self._known_good[digest] = None
        self._known_good.move_to_end(digest)
        if len(self._known_good) > self.KNOWN_GOOD_SIZE:
            self._known_good.popitem(last=False)
        return principal


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
