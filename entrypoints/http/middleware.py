"""Cross-cutting HTTP behaviour: request ids, bodies, authentication, limits, idempotency."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Collection, Mapping
from typing import Any

import falcon
from eventsourcing.application import Application

from adapters.idempotency import IdempotencyStore, Outcome, StoredResponse
from adapters.ratelimit import SqlRateLimiter
from adapters.tracking import Positions
from adapters.usage import KeyUsageRecorder
from domain.application import Position
from domain.cause import Cause, enter, leave
from domain.features import Feature
from domain.platform import PlatformApplication, Principal
from domain.tiers import Tier
from entrypoints.http.operations import operation_of
from entrypoints.http.problems import Problem
from entrypoints.http.requests import (
    IDEMPOTENCY_KEY_PATTERN,
    MAX_BODY_BYTES,
    POSITION_HEADER,
    requested_positions,
)

REQUEST_ID = "X-Request-Id"
IDEMPOTENCY_KEY = "Idempotency-Key"
REPLAYED_HEADERS = ("content-type", "location", "etag", POSITION_HEADER.lower())


class RequestIdMiddleware:
    """Echoes the caller's X-Request-Id, or makes one, for logs and correlation."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        given = req.get_header(REQUEST_ID)
        if given is None or not (0 < len(given) <= 200 and given.isprintable()):
            given = uuid.uuid4().hex
        req.context.request_id = given
        resp.set_header(REQUEST_ID, given)


class BodyMiddleware:
    """Reads the raw body once, bounded, so idempotency can fingerprint it."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        length = req.content_length or 0
        if length > MAX_BODY_BYTES:
            raise Problem("payload-too-large", f"at most {MAX_BODY_BYTES} bytes")
        body = req.bounded_stream.read(MAX_BODY_BYTES + 1) if length or req.method != "GET" else b""
        if len(body) > MAX_BODY_BYTES:
            raise Problem("payload-too-large", f"at most {MAX_BODY_BYTES} bytes")
        req.context.raw_body = body


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


class RateLimitMiddleware:
    """Counts each key's requests in a window shared by every worker and host."""

    def __init__(
        self, limiter: SqlRateLimiter, quotas: dict[Tier, int | None], window: int
    ) -> None:
        self.limiter = limiter
        self.quotas = quotas
        self.window = window

    def process_resource(
        self, req: falcon.Request, resp: falcon.Response, resource: object, params: dict[str, Any]
    ) -> None:
        principal: Principal | None = req.context.principal
        if principal is None:
            return
        quota = self.quotas.get(principal.tier)
        if quota is None:
            return
        decision = self.limiter.hit(f"key:{principal.key_id}", quota)
        headers = {
            "RateLimit-Limit": str(decision.limit),
            "RateLimit-Remaining": str(decision.remaining),
            "RateLimit-Reset": str(decision.reset_seconds),
            "RateLimit-Policy": f"{decision.limit};w={self.window}",
        }
        resp.set_headers(headers)
        if not decision.allowed:
            headers["Retry-After"] = str(decision.reset_seconds)
            raise Problem(
                "rate-limited",
                f"the {principal.tier} tier allows {quota} requests per {self.window} s",
                headers=headers,
            )


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


class IdempotencyMiddleware:
    """Idempotency-Key on POST: a retry gets the stored answer, never a second effect."""

    def __init__(self, store: IdempotencyStore) -> None:
        self.store = store

    def process_resource(
        self, req: falcon.Request, resp: falcon.Response, resource: object, params: dict[str, Any]
    ) -> None:
        req.context.idempotency = None
        key = req.get_header(IDEMPOTENCY_KEY)
        principal: Principal | None = req.context.principal
        if key is None or req.method != "POST" or principal is None:
            return
        if not re.fullmatch(IDEMPOTENCY_KEY_PATTERN, key):
            raise Problem(
                "bad-request", "Idempotency-Key must be 1 to 255 visible ASCII characters"
            )
        scope = str(principal.key_id)
        fingerprint = hashlib.sha256(
            b"\n".join([req.method.encode(), req.relative_uri.encode(), req.context.raw_body])
        ).hexdigest()
        claim = self.store.claim(scope, key, fingerprint)
        if claim.outcome is Outcome.NEW:
            req.context.idempotency = (scope, key)
        elif claim.outcome is Outcome.REPLAY and claim.response is not None:
            stored = claim.response
            resp.status = stored.status
            for name, value in stored.headers:
                resp.set_header(name, value)
            resp.set_header("Idempotent-Replayed", "true")
            resp.data = stored.body
            resp.complete = True
        elif claim.outcome is Outcome.MISMATCH:
            raise Problem(
                "idempotency-key-reused",
                "this key was first used with another method, path or body",
            )
        else:
            raise Problem(
                "idempotency-key-in-use",
                "the first request with this key has not finished",
                headers={"Retry-After": "1"},
            )

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: object, req_succeeded: bool
    ) -> None:
        claimed = getattr(req.context, "idempotency", None)
        if claimed is None:
            return
        scope, key = claimed
        status = resp.status_code
        if status >= 500:
            # The outcome is unknown to the caller; let the retry run for real.
            self.store.release(scope, key)
            return
        body = resp.render_body() or b""
        headers = [(n, v) for n, v in resp.headers.items() if n.lower() in REPLAYED_HEADERS]
        self.store.complete(scope, key, StoredResponse(status, headers, body))


class ReadYourWritesMiddleware:
    """A query that names a command's position answers only once its view has it."""

    def __init__(
        self,
        positions: Positions,
        timeout: float,
        upstreams: Mapping[str, Collection[str]],
        applications: Mapping[str, Application[Any]],
    ) -> None:
        self.positions = positions
        self.timeout = timeout
        # projection -> the applications it reads; a position elsewhere is never reached.
        self.upstreams = upstreams
        self.applications = applications

    def process_resource(
        self, req: falcon.Request, resp: falcon.Response, resource: object, params: dict[str, Any]
    ) -> None:
        operation = operation_of(resource, req.method)
        if operation is None or operation.reads_projection is None:
            return
        projection = operation.reads_projection
        wanted = requested_positions(req)
        for position in wanted:
            self._check_reachable(projection, position)
        if wanted and not self.positions.wait_for(projection, wanted, self.timeout):
            raise Problem(
                "projection-lagging",
                f"the {projection} view has not reached {', '.join(map(str, wanted))} yet",
                headers={"Retry-After": "1"},
            )

    def _check_reachable(self, projection: str, position: Position) -> None:
        """Refuses at once what waiting can never bring, instead of a 503 after the wait."""
        if position.application not in self.upstreams.get(projection, ()):
            raise Problem(
                "invalid-parameter",
                f"the {projection} view does not follow {position.application}",
            )
        last = self.applications[position.application].recorder.max_notification_id() or 0
        if position.notification_id > last:
            raise Problem(
                "invalid-parameter",
                f"{position} was never handed out: {position.application} is at {last}",
            )


CORRELATION_ID = "X-Correlation-Id"


class CauseMiddleware:
    """Attributes every domain event a request records to its API key and request id."""

    def process_resource(
        self, req: falcon.Request, resp: falcon.Response, resource: object, params: dict[str, Any]
    ) -> None:
        principal: Principal | None = getattr(req.context, "principal", None)
        actor = f"api-key:{principal.key_id}" if principal is not None else "anonymous"
        correlation = req.get_header(CORRELATION_ID)
        if correlation is None or not (0 < len(correlation) <= 200 and correlation.isprintable()):
            correlation = req.context.request_id
        resp.set_header(CORRELATION_ID, correlation)
        req.context.cause_token = enter(Cause(actor, correlation, req.context.request_id))

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: object, req_succeeded: bool
    ) -> None:
        token = getattr(req.context, "cause_token", None)
        if token is not None:
            leave(token)
