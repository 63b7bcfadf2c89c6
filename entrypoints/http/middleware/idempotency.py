"""Idempotency-Key on POST: a retry gets the stored answer, never a second effect."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import falcon

from adapters.service.idempotency import IdempotencyStore, Outcome, StoredResponse
from domain.platform.application import Principal
from entrypoints.http.problems import Problem
from entrypoints.http.requests import IDEMPOTENCY_KEY_PATTERN, POSITION_HEADER
from entrypoints.http.responders import operation_of
from entrypoints.http.schemas import REPLAY_NOTE

IDEMPOTENCY_KEY = "Idempotency-Key"
REPLAYED_HEADERS = ("content-type", "location", "etag", POSITION_HEADER.lower())


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
        elif claim.outcome is Outcome.UNREADABLE:
            raise Problem(
                "idempotency-answer-unreadable",
                "the answer to the first request with this key was stored encrypted with "
                "another cipher key, so it cannot be replayed, and the request was not run "
                "again: find out whether the first one took effect before you send it with a "
                "new Idempotency-Key",
            )
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
        headers = [(n, v) for n, v in resp.headers.items() if n.lower() in REPLAYED_HEADERS]
        body = _kept_body(resp, resource, req.method)
        self.store.complete(scope, key, StoredResponse(status, headers, body))


def _kept_body(resp: falcon.Response, resource: object, method: str) -> bytes:
    """The body kept for retries: the answer, less the members it shows only once."""
    body = resp.render_body() or b""
    operation = operation_of(resource, method)
    media = resp.media
    if operation is None or not isinstance(media, dict):
        return body
    shown = [name for name in operation.shown_once if media.get(name) is not None]
    if not shown:
        return body
    kept = {**media, **dict.fromkeys(shown), REPLAY_NOTE: operation.replay_note}
    # Serialised as the first answer was, by the app's JSON handler.
    json_handler = resp.options.media_handlers[falcon.MEDIA_JSON]
    return json_handler.serialize(kept, falcon.MEDIA_JSON)
