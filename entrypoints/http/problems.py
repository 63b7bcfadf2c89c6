"""RFC 9457 problem details: one stable type per error, mapped in one place."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import falcon
from marshmallow import ValidationError

from adapters.sql.outage import is_outage
from adapters.sql.paging import BadCursor
from domain.shared.errors import (
    ConcurrencyConflict,
    DomainError,
    FeatureDisabled,
    InvalidValue,
    NotFound,
    RuleViolation,
    VersionMismatch,
)

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
OUTAGE_RETRY_SECONDS = 5  # what a client is told to wait when a database is unreachable

# slug -> (status, title). The slug is the stable part of each problem's type URI.
PROBLEM_TYPES: dict[str, tuple[int, str]] = {
    "bad-request": (400, "The request is malformed"),
    "invalid-json": (400, "The body is not valid JSON"),
    "invalid-cursor": (400, "The cursor is not valid"),
    "invalid-parameter": (400, "A query parameter is not valid"),
    "unauthenticated": (401, "Missing or invalid API key"),
    "permission-denied": (403, "The API key lacks a permission"),
    "forbidden": (403, "The request is not allowed from where it came"),
    "feature-disabled": (403, "This feature is not enabled for your organisation"),
    "not-found": (404, "Not found"),
    "method-not-allowed": (405, "Method not allowed"),
    "not-acceptable": (406, "Not acceptable"),
    "conflict": (409, "The request conflicts with the resource's state"),
    "concurrency-conflict": (409, "The resource was changed concurrently"),
    "idempotency-key-in-use": (409, "A request with this Idempotency-Key is still running"),
    "payload-too-large": (413, "The body is too large"),
    "request-line-too-long": (414, "The request line is too long"),
    "expectation-failed": (417, "The expectation cannot be met"),
    "headers-too-large": (431, "The request's header fields are too large"),
    "not-implemented": (501, "The request uses something the server does not implement"),
    "unsupported-media-type": (415, "The body must be application/json"),
    "precondition-failed": (412, "The resource has changed since you read it"),
    "precondition-required": (428, "This request needs an If-Match header"),
    "validation-failed": (422, "The body did not validate"),
    "idempotency-key-reused": (422, "The Idempotency-Key was used with another request"),
    "idempotency-answer-unreadable": (
        422,
        "The answer stored for this Idempotency-Key cannot be read",
    ),
    "rate-limited": (429, "Too many requests"),
    "internal-error": (500, "Internal error"),
    "projection-lagging": (503, "The data you asked to see is not ready yet"),
    "projection-rebuilding": (503, "The data you asked to see is being rebuilt"),
    "service-unavailable": (503, "Service unavailable"),
}

_FALCON_SLUGS = {
    400: "bad-request",
    401: "unauthenticated",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    413: "payload-too-large",
    415: "unsupported-media-type",
    503: "service-unavailable",
}


def type_uri(slug: str) -> str:
    return f"/problems/{slug}"


class Problem(falcon.HTTPError):
    """An error answer with a stable type; extra members are added to the body."""

    def __init__(
        self,
        slug: str,
        detail: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        status, title = PROBLEM_TYPES[slug]
        super().__init__(status, title=title, description=detail, headers=headers)
        self.slug = slug
        self.extra = extra

    def problem_body(self, instance: str | None = None) -> dict[str, Any]:
        """The document; instance names the request refused (its path)."""
        body: dict[str, Any] = {}
        body["type"] = type_uri(self.slug)
        body["title"] = self.title
        body["status"] = self.status_code
        if self.description:
            body["detail"] = self.description
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body


def serialize_problem(req: falcon.Request, resp: falcon.Response, error: falcon.HTTPError) -> None:
    """Every error leaves as application/problem+json, whatever the Accept header."""
    # The path arrives decoded; quoted again, it is a URI reference whatever it holds.
    instance = quote(req.path)
    if isinstance(error, Problem):
        body = error.problem_body(instance)
    else:
        slug = _FALCON_SLUGS.get(error.status_code, "bad-request")
        body = Problem(slug, error.description or None).problem_body(instance)
        if error.status_code not in _FALCON_SLUGS:
            body["status"] = error.status_code
            body["title"] = error.title
    resp.content_type = PROBLEM_JSON
    resp.data = json.dumps(body).encode()


def field_errors(messages: Any, prefix: str = "") -> list[dict[str, str]]:
    """Flattens marshmallow's nested messages into [{field, message}]."""
    if isinstance(messages, dict):
        out: list[dict[str, str]] = []
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.extend(field_errors(value, name))
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [{"field": prefix or "body", "message": m} for m in messages]
    if isinstance(messages, list):
        return [e for m in messages for e in field_errors(m, prefix)]
    return [{"field": prefix or "body", "message": str(messages)}]


# The kinds of refusal every context shares; a context maps its own errors in the
# wiring list (register_problem_types), and each error says its own members.
_DOMAIN_SLUGS: dict[type[DomainError], str] = {
    NotFound: "not-found",
    VersionMismatch: "precondition-failed",
    ConcurrencyConflict: "concurrency-conflict",
    FeatureDisabled: "feature-disabled",
    InvalidValue: "validation-failed",
    RuleViolation: "conflict",
}


def register_problem_types(
    types: Mapping[str, tuple[int, str]], errors: Mapping[type[DomainError], str]
) -> None:
    """Adds a context's problem types and the domain errors answered with them.

    Declaring one again the same way is harmless; declaring it otherwise is a wiring error.
    """
    for slug, answer in types.items():
        if PROBLEM_TYPES.setdefault(slug, answer) != answer:
            raise ValueError(f"the problem type {slug!r} is declared twice, differently")
    for error, slug in errors.items():
        if slug not in PROBLEM_TYPES:
            raise ValueError(f"{error.__name__} is mapped to the unknown problem type {slug!r}")
        if _DOMAIN_SLUGS.setdefault(error, slug) != slug:
            raise ValueError(f"{error.__name__} is mapped to two problem types")


def slug_of(error: DomainError) -> str:
    """The problem type of a domain error: that of its nearest mapped class."""
    for cls in type(error).__mro__:
        slug = _DOMAIN_SLUGS.get(cls)
        if slug is not None:
            return slug
    return "conflict"


# A member naming the record that now stands for the one refused: the answer links to it.
_CANONICAL_MEMBERS = {"survivor_id": "/v1/participants/{}"}


def domain_error_to_problem(error: DomainError) -> Problem:
    """The one place where the domain's refusals become HTTP answers."""
    slug = slug_of(error)
    members = error.problem_members()
    if members.get("code") in (slug, "not-found"):
        # A code that only repeats the type says nothing.
        del members["code"]
    links = [
        f'<{path.format(members[name])}>; rel="canonical"'
        for name, path in _CANONICAL_MEMBERS.items()
        if name in members
    ]
    headers = {"Link": ", ".join(links)} if links else None
    return Problem(slug, error.detail, headers=headers, **members)


def register_error_handlers(app: falcon.App[falcon.Request, falcon.Response]) -> None:
    """Maps exceptions to problems once, so responders need no try/except."""

    def on_domain_error(
        req: falcon.Request, resp: falcon.Response, ex: DomainError, params: dict[str, Any]
    ) -> None:
        raise domain_error_to_problem(ex) from None

    def on_validation_error(
        req: falcon.Request, resp: falcon.Response, ex: ValidationError, params: dict[str, Any]
    ) -> None:
        errors = field_errors(ex.messages)
        raise Problem("validation-failed", "see errors for each field", errors=errors) from None

    def on_bad_cursor(
        req: falcon.Request, resp: falcon.Response, ex: BadCursor, params: dict[str, Any]
    ) -> None:
        raise Problem("invalid-cursor", str(ex)) from None

    def on_unexpected(
        req: falcon.Request, resp: falcon.Response, ex: Exception, params: dict[str, Any]
    ) -> None:
        if isinstance(ex, falcon.HTTPError):
            raise ex
        if is_outage(ex):
            log.warning("database unavailable on %s %s: %s", req.method, req.path, ex)
            raise Problem(
                "service-unavailable",
                "a database is not reachable just now; retry shortly",
                headers={"Retry-After": str(OUTAGE_RETRY_SECONDS)},
            ) from None
        log.exception("unhandled error on %s %s", req.method, req.path)
        raise Problem("internal-error", "the error was logged") from None

    # Falcon picks the most specific handler, so the catch-all goes first.
    app.add_error_handler(Exception, on_unexpected)
    app.add_error_handler(DomainError, on_domain_error)
    app.add_error_handler(ValidationError, on_validation_error)
    app.add_error_handler(BadCursor, on_bad_cursor)
    app.set_error_serializer(serialize_problem)
