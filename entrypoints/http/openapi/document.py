"""OpenAPI 3.1, built from the routes' declared operations and marshmallow schemas."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Collection, Mapping
from typing import Any

import falcon
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from entrypoints.http.openapi.headers import (
    CORRELATION_ID,
    REQUEST_ID,
    header_components,
    problem_headers,
    success_headers,
)
from entrypoints.http.openapi.problem_types import (
    example_components,
    problem_content,
    problem_table,
    slugs_answered,
)
from entrypoints.http.problems import PROBLEM_TYPES, type_uri
from entrypoints.http.requests import (
    IDEMPOTENCY_KEY_PATTERN,
    IF_MATCH_PATTERN,
    MIN_POSITION_HEADER,
    PAGE_LIMIT_DEFAULT,
    PAGE_LIMIT_MAX,
    POSITION_HEADER,
    position_pattern,
)
from entrypoints.http.responders import Operation, operation_of, projections_read
from entrypoints.http.schemas import REPLAY_NOTE, ProblemSchema

VERSION = "0.1.0"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_PARAM = re.compile(r"{(\w+)(?::(\w+))?}")
# lowerCamelCase, as code generators turn it into method names.
OPERATION_ID = re.compile(r"[a-z][A-Za-z0-9]*")
# The project declares no open-source licence: the API is offered on its operator's terms.
LICENSE = {"name": "Proprietary"}

_STATUS_TEXT = {
    400: "Malformed request: bad JSON, header, parameter or cursor",
    401: "Missing or invalid API key",
    403: "Permission missing or feature disabled",
    404: "Not found (or belongs to another tenant)",
    409: "Conflict with the resource's state, or Idempotency-Key still in use",
    412: "If-Match names another version",
    413: "Body too large",
    415: "Body is not JSON",
    422: "Body failed validation, or Idempotency-Key reused with another request or its "
    "answer unreadable",
    429: "Rate limit reached, or too many failed authentications from the client's address",
    500: "Unexpected error (logged under the X-Request-Id)",
    503: "A database is unreachable, or the view has not reached the requested position",
}

DESCRIPTION = """\
**Authentication.** Send `Authorization: Bearer <API key>` (use *Authorize* above to try the
operations here). A key sees only its own tenant: another tenant's ids answer 404. A client
address that fails to authenticate too often within a minute gets 429 `rate-limited`, with
`Retry-After`, for a secret the server has not checked lately, until the minute ends.

**Errors** are RFC 9457 problem documents (`application/problem+json`, schema `Problem`):
a stable `type`, which resolves to its description, a `title`, the `status`, a `detail`, the
`instance` refused, `errors` naming each invalid field, and members some types add. Every
answer carries `X-Request-Id`.

**Commands** answer with the resource's version as `ETag` and the position of their last
domain event as `Accredit-Position`. Those that change an existing resource honour `If-Match`
(412 when it changed). Every POST accepts an `Idempotency-Key`: a retry gets the stored answer,
marked `Idempotent-Replayed: true`.

**Read your writes.** A query sees every command its own API key made before it, on any worker
or host, without a parameter. To read another key's write, pass its `Accredit-Position` as
`min_position` (or the `Accredit-Min-Position` header). The query answers once its view has
reached those positions, or 503 `projection-lagging` with `Retry-After`; a position of an
application the view does not follow, or one never handed out, is 400 at once.

**Lists** take `limit` (1 to 200, default 50) and `cursor` (the `next_cursor` of the page
before; null on the last page).

**Rate limits** are per key, in a window shared by every process: answers carry
`RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` and `RateLimit-Policy`, and over
the quota you get 429 with `Retry-After`.

### Problem types

"""


def _text(status: int) -> str:
    return _STATUS_TEXT.get(status, "Problem")


def _problem(status: int, method: str, op: Operation) -> dict[str, Any]:
    slugs = slugs_answered(status, method, op)
    types = ", ".join(f"`{slug}`" for slug in slugs)
    return {
        "description": f"{_text(status)}. Problem types: {types}." if types else _text(status),
        "headers": problem_headers(status, method, op),
        "content": problem_content(slugs),
    }


def _header_parameter(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "description": description,
        "schema": {"type": "string", **schema},
    }


def _path_parameter(name: str, converter: str) -> dict[str, Any]:
    thing = name.removesuffix("_id").replace("_", " ")
    described = f"The {thing}'s id" if name.endswith("_id") else f"The {thing}"
    parameter: dict[str, Any] = {
        "name": name,
        "in": "path",
        "required": True,
        "description": described,
        "schema": {"type": "string"},
    }
    if converter == "uuid":
        parameter["schema"]["format"] = "uuid"
    return parameter


def _parameters(
    path: str, method: str, op: Operation, upstreams: Mapping[str, Collection[str]]
) -> list[dict[str, Any]]:
    params = [_path_parameter(name, conv) for name, conv in _PARAM.findall(path)]
    if op.paginated:
        params += [
            {
                "name": "limit",
                "in": "query",
                "description": "How many items the page holds at most",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": PAGE_LIMIT_MAX,
                    "default": PAGE_LIMIT_DEFAULT,
                },
            },
            {
                "name": "cursor",
                "in": "query",
                "description": "The next_cursor of the page before; leave it out for the first",
                "schema": {"type": "string"},
            },
        ]
    if op.query is not None:
        # The marshmallow plugin expands the schema into one parameter per field.
        params.append({"in": "query", "schema": op.query})
    if op.reads_projection:
        followed = {app for view in projections_read(op) for app in upstreams.get(view, ())}
        application = sorted(upstreams.get(op.reads_projection, ("platform",)))[0]
        params.append(
            {
                "name": "min_position",
                "in": "query",
                "description": f"Answer only once the view reflects this {POSITION_HEADER} "
                f"(waiting a bounded time), to read another key's write: the key's own "
                f"commands are waited for without it; the {MIN_POSITION_HEADER} header "
                "does the same",
                "schema": {
                    "type": "string",
                    "pattern": position_pattern(followed),
                },
                "example": f"{application}:42",
            }
        )
    if op.if_match:
        params.append(
            {
                **_header_parameter(
                    "If-Match",
                    "The ETag you read: the change is refused with 412 if the resource has "
                    "changed since; * or none: whatever its version",
                    pattern=IF_MATCH_PATTERN,
                ),
                "example": '"3"',
            }
        )
    if method == "POST" and not op.public:
        params.append(
            {
                **_header_parameter(
                    "Idempotency-Key",
                    "Your name for this request (1 to 255 visible ASCII characters): a retry "
                    "with the same key gets the first answer back instead of acting twice",
                    pattern=IDEMPOTENCY_KEY_PATTERN,
                ),
                "example": "north-gate-1",
            }
        )
    params += [
        _header_parameter(
            REQUEST_ID, "Names the request in the logs and answers (1 to 200 printable characters)"
        ),
        _header_parameter(
            CORRELATION_ID,
            "Recorded with every domain event the request causes (1 to 200 printable "
            "characters); the request id when left out",
        ),
    ]
    return params


def _success(method: str, op: Operation) -> dict[str, Any]:
    success: dict[str, Any] = {"description": op.summary, "headers": success_headers(method, op)}
    content: dict[str, Any] = {}
    if op.response is not None:
        content["schema"] = op.response
    elif op.media_type != falcon.MEDIA_JSON:
        content["schema"] = {"type": "string"}
    if op.response_example is not None:
        content["example"] = op.response_example
    if content:
        success["content"] = {op.media_type: content}
    for other in op.other_media_types:
        success.setdefault("content", {})[other] = {"schema": {"type": "string"}}
    return success


def _error_statuses(path: str, method: str, op: Operation) -> list[int]:
    errors = set(op.errors) | {400, 500}
    if not op.public:
        # Every authenticated request reads the database: it may be unreachable.
        errors |= {401, 403, 429, 503}
    if _PARAM.search(path):
        errors.add(404)
    if op.request is not None or method == "POST":
        errors |= {413, 415, 422}
    if method == "POST" and not op.public:
        errors.add(409)
    if op.if_match:
        errors |= {409, 412}
    if op.reads_projection:
        errors.add(503)
    return sorted(errors)


def _description(op: Operation) -> str:
    needs = []
    if op.permission:
        needs.append(f"Needs the permission `{op.permission}`.")
    if op.feature:
        needs.append(f"Needs the feature `{op.feature}`.")
    return " ".join(filter(None, [op.description, *needs]))


def _shared(answer: dict[str, Any], status: int, responses: dict[str, Any]) -> dict[str, Any]:
    """A reference to the answer among the document's responses, which hold each one once."""
    digest = hashlib.sha256(json.dumps(answer, sort_keys=True).encode()).hexdigest()[:8]
    name = f"Problem{status}-{digest}"
    responses[name] = answer
    return {"$ref": f"#/components/responses/{name}"}


def _operation(
    path: str,
    method: str,
    op: Operation,
    upstreams: Mapping[str, Collection[str]],
    responses: dict[str, Any],
) -> dict[str, Any]:
    problems = {
        str(s): _shared(_problem(s, method, op), s, responses)
        for s in _error_statuses(path, method, op)
    }
    doc: dict[str, Any] = {
        "summary": op.summary,
        "operationId": op.operation_id,
        "tags": list(op.tags),
        "parameters": _parameters(path, method, op, upstreams),
        "responses": {str(op.status): _success(method, op), **problems},
    }
    if description := _description(op):
        doc["description"] = description
    if op.public:
        doc["security"] = []
    if op.request is not None:
        body: dict[str, Any] = {"schema": op.request}
        if op.request_example is not None:
            body["example"] = op.request_example
        doc["requestBody"] = {
            "required": method != "POST" or bool(op.request().fields),
            "content": {"application/json": body},
        }
    return doc


def _check_operation_ids(operations: list[Operation]) -> None:
    """Each operation's id is lowerCamelCase and unique: clients name methods after it."""
    for op in operations:
        if not OPERATION_ID.fullmatch(op.operation_id):
            raise ValueError(f"the operationId {op.operation_id!r} is not lowerCamelCase")
    twice = [name for name, n in Counter(op.operation_id for op in operations).items() if n > 1]
    if twice:
        raise ValueError(f"operationIds declared more than once: {sorted(twice)}")


def _check_shown_once(operations: list[Operation]) -> None:
    """What a replay withholds, the answer's schema allows as null, beside the note saying so."""
    for op in operations:
        if not op.shown_once:
            continue
        declared = op.response().fields if op.response is not None else {}
        nullable = all(name in declared and declared[name].allow_none for name in op.shown_once)
        if not nullable or REPLAY_NOTE not in declared:
            raise ValueError(
                f"{op.operation_id}'s response schema must allow {list(op.shown_once)} to be "
                f"null and declare {REPLAY_NOTE}, as its replays have them"
            )


def _complete_problem_schema(document: dict[str, Any]) -> None:
    """The Problem schema's type lists every problem type, with those the contexts added."""
    kind = document["components"]["schemas"]["Problem"]["properties"]["type"]
    kind["enum"] = [type_uri(slug) for slug in sorted(PROBLEM_TYPES)]


def build_spec(
    routes: list[tuple[str, object]], upstreams: Mapping[str, Collection[str]]
) -> dict[str, Any]:
    """The OpenAPI document of every route that declares operations.

    upstreams names, per projection, the applications whose positions its queries accept.
    """
    spec = APISpec(
        title="Accredit API",
        version=VERSION,
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={
            "summary": "Command/query API of the Accredit event-accreditation platform",
            "description": DESCRIPTION + problem_table(),
            "license": LICENSE,
        },
        servers=[{"url": "/", "description": "The server that serves this document"}],
        security=[{"bearer": []}],
    )
    spec.components.security_scheme(
        "bearer",
        {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "acc_ and 60 letters and digits",
            "description": "An API key's secret, shown once when the key is issued or rotated",
        },
    )
    spec.components.schema("Problem", schema=ProblemSchema)
    for slug, example in example_components().items():
        spec.components.example(slug, example)
    for name, definition in header_components().items():
        spec.components.header(name, definition)
    declared: list[Operation] = []
    responses: dict[str, Any] = {}
    for path, resource in routes:
        found = {m: op for m in METHODS if (op := operation_of(resource, m)) is not None}
        declared += found.values()
        if found:
            spec.path(
                path=_PARAM.sub(r"{\1}", path),
                operations={
                    m.lower(): _operation(path, m, op, upstreams, responses)
                    for m, op in found.items()
                },
            )
    _check_operation_ids(declared)
    _check_shown_once(declared)
    for name, answer in sorted(responses.items()):
        spec.components.response(name, answer)
    document: dict[str, Any] = spec.to_dict()
    _complete_problem_schema(document)
    return document
