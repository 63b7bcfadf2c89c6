"""OpenAPI 3.1, built from the routes' declared operations and marshmallow schemas."""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Mapping
from typing import Any

import falcon
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from entrypoints.http.operations import Operation, operation_of
from entrypoints.http.problems import PROBLEM_JSON, PROBLEM_TYPES, type_uri
from entrypoints.http.requests import (
    IDEMPOTENCY_KEY_PATTERN,
    IF_MATCH_PATTERN,
    POSITION_HEADER,
    position_pattern,
)
from entrypoints.http.schemas import ProblemSchema

VERSION = "0.1.0"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_PARAM = re.compile(r"{(\w+)(?::(\w+))?}")

_STATUS_TEXT = {
    400: "Malformed request (bad JSON, bad parameter or cursor)",
    401: "Missing or invalid API key",
    403: "Permission missing or feature disabled",
    404: "Not found (or belongs to another tenant)",
    409: "Conflict with the resource's state, or Idempotency-Key still in use",
    412: "If-Match names another version",
    413: "Body too large",
    415: "Body is not JSON",
    422: "Body failed validation, or Idempotency-Key reused with another body",
    429: "Rate limit reached",
    503: "The view has not reached the requested position in time, or is being rebuilt",
}


def _problem(status: int) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "description": _STATUS_TEXT.get(status, "Problem"),
        "content": {PROBLEM_JSON: {"schema": "Problem"}},
    }
    if status in (429, 503):
        answer["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
    return answer


def _header(description: str) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "string"}}


def _parameters(
    path: str, method: str, op: Operation, upstreams: Mapping[str, Collection[str]]
) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": _path_schema(conv)}
        for name, conv in _PARAM.findall(path)
    ]
    if op.paginated:
        params += [
            {
                "name": "limit",
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
            },
            {"name": "cursor", "in": "query", "schema": {"type": "string"}},
        ]
    if op.query is not None:
        # The marshmallow plugin expands the schema into one parameter per field.
        params.append({"in": "query", "schema": op.query})
    if op.reads_projection:
        params.append(
            {
                "name": "min_position",
                "in": "query",
                "description": f"Wait until the view reflects this {POSITION_HEADER} "
                "(e.g. platform:42), up to a bounded time",
                "schema": {
                    "type": "string",
                    "pattern": position_pattern(upstreams.get(op.reads_projection, ())),
                },
            }
        )
    if op.if_match:
        params.append(
            {
                "name": "If-Match",
                "in": "header",
                "description": "The ETag you read; refused with 412 if the resource changed",
                "schema": {"type": "string", "pattern": IF_MATCH_PATTERN},
            }
        )
    if method == "POST" and not op.public:
        params.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "description": "Retries with the same key get the first answer back",
                "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
            }
        )
    return params


def _success(method: str, op: Operation) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if method != "GET" and not op.public:
        headers[POSITION_HEADER] = _header("Position of the command's last event")
    # Every answer about one aggregate carries its version; a page of many does not.
    if op.if_match or op.creates or (op.reads_projection and not op.paginated):
        headers["ETag"] = _header("The resource version")
    if op.creates:
        headers["Location"] = _header("Where the new resource is")
    success: dict[str, Any] = {"description": op.summary, "headers": headers}
    if op.response is not None:
        success["content"] = {op.media_type: {"schema": op.response}}
    elif op.media_type != falcon.MEDIA_JSON:
        success["content"] = {op.media_type: {"schema": {"type": "string"}}}
    return success


def _error_statuses(path: str, method: str, op: Operation) -> list[int]:
    errors = set(op.errors) | {400}
    if not op.public:
        errors |= {401, 403, 429}
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


def _operation(
    path: str, method: str, op: Operation, upstreams: Mapping[str, Collection[str]]
) -> dict[str, Any]:
    problems = {str(s): _problem(s) for s in _error_statuses(path, method, op)}
    doc: dict[str, Any] = {
        "summary": op.summary,
        "operationId": _operation_id(method, path),
        "tags": list(op.tags),
        "parameters": _parameters(path, method, op, upstreams),
        "responses": {str(op.status): _success(method, op), **problems},
    }
    if op.description or op.permission:
        needs = f"Needs the permission `{op.permission}`." if op.permission else ""
        doc["description"] = " ".join(filter(None, [op.description, needs]))
    if op.public:
        doc["security"] = []
    if op.request is not None:
        doc["requestBody"] = {
            "required": method != "POST" or bool(op.request().fields),
            "content": {"application/json": {"schema": op.request}},
        }
    return doc


def _path_schema(converter: str) -> dict[str, Any]:
    return {"type": "string", "format": "uuid"} if converter == "uuid" else {"type": "string"}


def _operation_id(method: str, path: str) -> str:
    words = [w for w in re.split(r"[/{}:\-]+", _PARAM.sub(r"\1", path)) if w and w != "v1"]
    return method.lower() + "".join(w.capitalize() for w in words)


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
            "description": "Command/query API of the Accredit event-accreditation platform. "
            "Authenticate with `Authorization: Bearer <API key>`. Errors are RFC 9457 "
            "problem details."
        },
        security=[{"bearer": []}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Problem", schema=ProblemSchema)
    for path, resource in routes:
        operations = {
            method.lower(): _operation(path, method, op, upstreams)
            for method in METHODS
            if (op := operation_of(resource, method)) is not None
        }
        if operations:
            spec.path(path=_PARAM.sub(r"{\1}", path), operations=operations)
    document: dict[str, Any] = spec.to_dict()
    return document


class OpenApiResource:
    operations = {"GET": Operation("This OpenAPI document", public=True, tags=("ops",))}

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self.spec


class DocsResource:
    """A human page generated from the OpenAPI document: no external assets."""

    operations = {
        "GET": Operation(
            "API documentation page", public=True, media_type=falcon.MEDIA_HTML, tags=("ops",)
        )
    }

    def __init__(self, spec: dict[str, Any]) -> None:
        self.page = render_docs(spec)

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_HTML
        resp.text = self.page


class ProblemTypeResource:
    """What each problem type means, so the type URIs resolve to something useful."""

    operations = {
        "GET": Operation(
            "Describe a problem type", public=True, response=ProblemSchema, tags=("ops",)
        )
    }

    def on_get(self, req: falcon.Request, resp: falcon.Response, slug: str) -> None:
        if slug not in PROBLEM_TYPES:
            raise falcon.HTTPNotFound()
        status, title = PROBLEM_TYPES[slug]
        resp.media = {"type": type_uri(slug), "status": status, "title": title}


def render_docs(spec: dict[str, Any]) -> str:
    esc = html.escape
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>Accredit API</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
        "padding:0 1rem}code{background:#f3f3f3;padding:0 .2rem}h3{margin-bottom:.2rem}"
        ".m{display:inline-block;min-width:4rem;font-weight:bold}</style></head><body>",
        f"<h1>{esc(spec['info']['title'])} {esc(spec['info']['version'])}</h1>",
        f"<p>{esc(spec['info'].get('description', ''))}</p>",
        "<p>Machine-readable: <a href='/v1/openapi.json'>/v1/openapi.json</a></p>",
        "<h2>Operations</h2>",
    ]
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            codes = ", ".join(op["responses"])
            parts.append(
                f"<h3><span class='m'>{esc(method.upper())}</span><code>{esc(path)}</code></h3>"
                f"<p>{esc(op.get('summary', ''))}. {esc(op.get('description', ''))}<br>"
                f"Answers: {esc(codes)}</p>"
            )
    parts.append("<h2>Problem types</h2><ul>")
    for slug, (status, title) in PROBLEM_TYPES.items():
        parts.append(f"<li><code>{esc(type_uri(slug))}</code> ({status}): {esc(title)}</li>")
    parts.append("</ul></body></html>")
    return "".join(parts)
