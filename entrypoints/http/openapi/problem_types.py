"""Every problem type in the document: an example of each, and which operations answer it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from entrypoints.http.problems import PROBLEM_JSON, PROBLEM_TYPES, type_uri
from entrypoints.http.requests import MAX_BODY_BYTES
from entrypoints.http.responders import Operation

_SOME_PATH = "/v1/participants/be6b60d5-23ea-4faa-89d3-6ed2e53f1535"

# What an answer of each type says beyond its type, title and status (shown as examples);
# a type not named here is shown with its title as its detail.
_EXAMPLES: dict[str, dict[str, Any]] = {
    "bad-request": {"detail": 'If-Match must be one ETag, like "3", or *'},
    "invalid-json": {"detail": "Expecting ',' delimiter: line 1 column 18 (char 17)"},
    "invalid-cursor": {"detail": "the cursor is not valid"},
    "invalid-parameter": {
        "detail": "see errors for each parameter",
        "errors": [
            {
                "field": "status",
                "message": "Must be one of: pending, approved, rejected, withdrawn, cancelled, "
                "merged.",
            }
        ],
    },
    "unauthenticated": {"detail": "send Authorization: Bearer <API key>"},
    "permission-denied": {
        "detail": "this API key lacks the permission participants:write",
        "permission": "participants:write",
    },
    "feature-disabled": {
        "detail": "the feature REST_API is disabled for this tenant",
        "feature": "REST_API",
    },
    "not-found": {"detail": "no participant with id be6b60d5-23ea-4faa-89d3-6ed2e53f1535"},
    "conflict": {
        "detail": "the e-mail is already registered as participant "
        "be6b60d5-23ea-4faa-89d3-6ed2e53f1535",
        "code": "already-registered",
        "participant_id": "be6b60d5-23ea-4faa-89d3-6ed2e53f1535",
    },
    "concurrency-conflict": {"detail": "The resource was changed concurrently"},
    "idempotency-key-in-use": {"detail": "the first request with this key has not finished"},
    "payload-too-large": {"detail": f"at most {MAX_BODY_BYTES} bytes"},
    "unsupported-media-type": {"detail": "got text/plain"},
    "precondition-failed": {
        "detail": "expected version 3, the resource is at version 4",
        "code": "version-mismatch",
    },
    "precondition-required": {"detail": "send If-Match with the ETag you read"},
    "validation-failed": {
        "detail": "see errors for each field",
        "errors": [{"field": "email", "message": "Missing data for required field."}],
    },
    "idempotency-key-reused": {
        "detail": "this key was first used with another method, path or body"
    },
    "idempotency-answer-unreadable": {
        "detail": "the answer to the first request with this key was stored encrypted with "
        "another cipher key, so it cannot be replayed, and the request was not run again: "
        "find out whether the first one took effect before you send it with a new "
        "Idempotency-Key"
    },
    "rate-limited": {"detail": "the FREE tier allows 60 requests per 60 s"},
    "internal-error": {"detail": "the error was logged"},
    "projection-lagging": {"detail": "the registration view has not reached registration:42 yet"},
    "projection-rebuilding": {
        "detail": "the registration view is being rebuilt to version 2; its tables of "
        "version 1 answer until then and have not reached registration:42",
        "projection": "registration",
        "version": 2,
    },
    "service-unavailable": {"detail": "a database is not reachable just now; retry shortly"},
}

# What an operation must take to answer each type; a type named nowhere here (a context's
# own) can be the answer of any operation that documents its status.
_NEEDS = {
    "invalid-json": "body",
    "invalid-cursor": "pages",
    "invalid-parameter": "parameters",
    "permission-denied": "permission",
    "idempotency-key-in-use": "post",
    "idempotency-key-reused": "post",
    "idempotency-answer-unreadable": "post",
    "projection-lagging": "view",
    "projection-rebuilding": "view",
}
# Answered before any route is found, by the server or the framework, or (428) by no route yet.
_BEFORE_ANY_ROUTE = frozenset(
    {
        "forbidden",
        "method-not-allowed",
        "not-acceptable",
        "request-line-too-long",
        "expectation-failed",
        "headers-too-large",
        "not-implemented",
        "precondition-required",
    }
)


def _takes(method: str, op: Operation) -> set[str]:
    """What the operation takes, in the words of _NEEDS."""
    taken = set()
    if op.request is not None or method in ("POST", "PUT", "PATCH"):
        taken.add("body")
    if op.paginated:
        taken.add("pages")
    if op.paginated or op.query is not None or op.reads_projection is not None:
        taken.add("parameters")
    if op.permission is not None:
        taken.add("permission")
    if method == "POST":
        taken.add("post")
    if op.reads_projection is not None:
        taken.add("view")
    return taken


def problem_example(slug: str) -> dict[str, Any]:
    """The example of a problem type, as an answer of it reads."""
    status, title = PROBLEM_TYPES[slug]
    body: dict[str, Any] = {"type": type_uri(slug), "title": title, "status": status}
    members = dict(_EXAMPLES.get(slug, {}))
    body["detail"] = members.pop("detail", title)
    body["instance"] = _SOME_PATH
    return {**body, **members}


def example_components() -> dict[str, dict[str, Any]]:
    """One named example per problem type, for the operations' answers to refer to."""
    return {
        slug: {"summary": f"{status} {slug}: {title}", "value": problem_example(slug)}
        for slug, (status, title) in sorted(PROBLEM_TYPES.items())
    }


def slugs_answered(status: int, method: str, op: Operation) -> list[str]:
    """The problem types an operation can answer with this status."""
    taken = _takes(method, op)
    return [
        slug
        for slug, (answered, _) in sorted(PROBLEM_TYPES.items())
        if answered == status
        and slug not in _BEFORE_ANY_ROUTE
        and (slug not in _NEEDS or _NEEDS[slug] in taken)
    ]


def problem_content(slugs: Iterable[str]) -> dict[str, Any]:
    examples = {slug: {"$ref": f"#/components/examples/{slug}"} for slug in slugs}
    content: dict[str, Any] = {"schema": {"$ref": "#/components/schemas/Problem"}}
    if examples:
        content["examples"] = examples
    return {PROBLEM_JSON: content}


def problem_table() -> str:
    """Every problem type as a Markdown table, for the document's description."""
    rows = [
        f"| [`{type_uri(slug)}`]({type_uri(slug)}) | {status} | {title} |"
        for slug, (status, title) in sorted(PROBLEM_TYPES.items(), key=lambda t: (t[1][0], t[0]))
    ]
    return "\n".join(["| type | status | title |", "|---|---|---|", *rows])
