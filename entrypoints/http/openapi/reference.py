"""The routes that show the API: its OpenAPI document, the reference page, problem types."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import falcon
from marshmallow import Schema, fields

from entrypoints.http.problems import PROBLEM_TYPES, Problem, type_uri
from entrypoints.http.responders import Operation

TAGS = ("ops",)
# Swagger UI draws the page from these alone; the page may fetch nothing from elsewhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_JS, _CSS, _TEXT = "text/javascript", "text/css", "text/plain"
# What /docs/assets/{name} serves: the vendored Swagger UI, with its licences, and our start.
ASSETS: dict[str, tuple[str, str]] = {
    "swagger-ui-bundle.js": ("swagger-ui/swagger-ui-bundle.js", _JS),
    "swagger-ui.css": ("swagger-ui/swagger-ui.css", _CSS),
    "docs.js": ("docs.js", _JS),
    "LICENSE": ("swagger-ui/LICENSE", _TEXT),
    "NOTICE": ("swagger-ui/NOTICE", _TEXT),
    "swagger-ui-bundle.js.LICENSE.txt": ("swagger-ui/swagger-ui-bundle.js.LICENSE.txt", _TEXT),
    "VERSION": ("swagger-ui/VERSION", _TEXT),
}


def static_file(name: str) -> bytes:
    """A file the package ships in entrypoints/http/static."""
    return resources.files("entrypoints.http").joinpath("static", *name.split("/")).read_bytes()


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


def _page_headers(resp: falcon.Response) -> None:
    resp.set_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    resp.set_header("X-Content-Type-Options", "nosniff")


class DocsResource:
    """The interactive reference: Swagger UI, served from the package, on the document."""

    operations = {
        "GET": Operation(
            "The interactive API reference (Swagger UI)",
            public=True,
            media_type=falcon.MEDIA_HTML,
            tags=TAGS,
            description="Every operation with its parameters, bodies, examples, headers and "
            "problem types, and every schema; `Try it out` calls this server.",
            operation_id="getApiReference",
        )
    }

    def __init__(self) -> None:
        self.page = static_file("docs.html")

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        _page_headers(resp)
        resp.content_type = falcon.MEDIA_HTML
        resp.data = self.page


class DocsAssetResource:
    """The reference page's scripts, style and licences, read once from the package."""

    operations = {
        "GET": Operation(
            "A file of the API reference page: Swagger UI's script and style, or its licences",
            public=True,
            media_type=_JS,
            other_media_types=(_CSS, _TEXT),
            tags=TAGS,
            description=f"Any of {', '.join(f'`{name}`' for name in ASSETS)}; Swagger UI is "
            "vendored from the npm package swagger-ui-dist (`VERSION` says which).",
            errors=(404,),
            operation_id="getApiReferenceAsset",
        )
    }

    def __init__(self) -> None:
        self.files = {name: (static_file(path), kind) for name, (path, kind) in ASSETS.items()}

    def on_get(self, req: falcon.Request, resp: falcon.Response, name: str) -> None:
        if name not in self.files:
            raise Problem("not-found", f"the reference has no file {name!r}")
        data, kind = self.files[name]
        _page_headers(resp)
        resp.cache_control = ["public", "max-age=3600"]
        resp.content_type = f"{kind}; charset=utf-8"
        resp.data = data


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
