"""Request ids, bounded bodies, and who a request's domain events are attributed to."""

from __future__ import annotations

import uuid
from typing import Any

import falcon

from domain.platform.application import Principal
from domain.shared.cause import Cause, enter, leave
from entrypoints.http.problems import Problem
from entrypoints.http.requests import MAX_BODY_BYTES

REQUEST_ID = "X-Request-Id"
CORRELATION_ID = "X-Correlation-Id"


class RequestIdMiddleware:
    """Echoes the caller's X-Request-Id, or makes one, for logs and correlation."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        given = req.get_header(REQUEST_ID)
        if given is None or not (0 < len(given) <= 200 and given.isprintable()):
            given = uuid.uuid4().hex
        req.context.request_id = given
        resp.set_header(REQUEST_ID, given)


class BodyMiddleware:
    """Reads the raw body once, bounded, so idempotency can fingerprint it.

    A body sent with `Transfer-Encoding: chunked` has no Content-Length: the
    server decodes its chunks, and it is read to its end like any other, within
    the same limit (Falcon's bounded stream would read it as empty).
    """

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        length = req.content_length
        if length is not None and length > MAX_BODY_BYTES:
            raise Problem("payload-too-large", f"at most {MAX_BODY_BYTES} bytes")
        if length is None and _chunked(req):
            body = req.stream.read(MAX_BODY_BYTES + 1)
        elif length or req.method != "GET":
            body = req.bounded_stream.read(MAX_BODY_BYTES + 1)
        else:
            body = b""
        if len(body) > MAX_BODY_BYTES:
            raise Problem("payload-too-large", f"at most {MAX_BODY_BYTES} bytes")
        req.context.raw_body = body


def _chunked(req: falcon.Request) -> bool:
    codings = (req.get_header("Transfer-Encoding") or "").lower()
    return "chunked" in (c.strip() for c in codings.split(","))


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
