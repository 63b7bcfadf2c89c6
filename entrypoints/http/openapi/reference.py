"""The routes that show the API: its OpenAPI document, a page of it, the problem types."""

from __future__ import annotations

import html
import json
from typing import Any

import falcon
from marshmallow import Schema, fields

from entrypoints.http.operations import Operation
from entrypoints.http.problems import PROBLEM_TYPES, type_uri

TAGS = ("ops",)


class ProblemTypeSchema(Schema):
    type = fields.String(required=True, metadata={"format": "uri-reference"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)


class OpenApiResource:
    operations = {
        "GET": Operation(
            "This OpenAPI document",
            public=True,
            tags=TAGS,
            operation_id="getOpenApiDocument",
        )
    }

    def __init__(self, spec: dict[str, Any]) -> None:
        # Serialised once: the document is large and never changes while the process runs.
        self.document = json.dumps(spec).encode()

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_JSON
        resp.data = self.document


class DocsResource:
    """A human page generated from the OpenAPI document: no external assets."""

    operations = {
        "GET": Operation(
            "API documentation page",
            public=True,
            media_type=falcon.MEDIA_HTML,
            tags=TAGS,
            operation_id="getApiReference",
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
            "Describe a problem type",
            public=True,
            response=ProblemTypeSchema,
            tags=TAGS,
            description="The slug is the last part of a problem's `type`, e.g. `not-found`.",
            response_example={
                "type": "/problems/not-found",
                "status": 404,
                "title": "Not found",
            },
            operation_id="getProblemType",
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
        f"<p>{esc(spec['info'].get('summary', ''))}</p>",
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
