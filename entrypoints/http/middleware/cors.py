"""CORS for browser front ends (kiosk and organiser pages), through Falcon's own middleware."""

from __future__ import annotations

from collections.abc import Sequence

import falcon

from entrypoints.http.requests import POSITION_HEADER

# What a page may read of an answer beyond the CORS-safelisted headers.
EXPOSED_HEADERS = (
    "ETag",
    "Location",
    POSITION_HEADER,
    "Idempotent-Replayed",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "RateLimit-Policy",
    "X-Request-Id",
    "Content-Disposition",
    "WWW-Authenticate",
)


class CorsMiddleware(falcon.CORSMiddleware):  # type: ignore[type-arg]  # WSGI only
    """Falcon's CORS policy for the listed origins; answers vary by Origin when listed.

    Keys are bearer tokens, never cookies, so no origin is allowed credentials.
    """

    def __init__(self, origins: Sequence[str]) -> None:
        allowed: str | Sequence[str] = "*" if tuple(origins) == ("*",) else origins
        super().__init__(allow_origins=allowed, expose_headers=EXPOSED_HEADERS)

    def process_response(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        resource: object,
        req_succeeded: bool,
    ) -> None:
        super().process_response(req, resp, resource, req_succeeded)
        if self.allow_origins != "*":
            # A cache must not give one origin's answer (allowed or not) to another.
            resp.append_header("Vary", "Origin")
