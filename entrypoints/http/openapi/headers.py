"""The headers answers carry, each documented where the app really sends it."""

from __future__ import annotations

from typing import Any

from entrypoints.http.requests import POSITION_HEADER
from entrypoints.http.responders import Operation

REQUEST_ID = "X-Request-Id"
CORRELATION_ID = "X-Correlation-Id"
RATE_LIMIT = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy")
# A retry of a POST gets the stored answer back: its success, or a refusal the
# responder gave (401, 403, 413 and 429 come before the answer is stored, 5xx are not kept).
REPLAYED_STATUSES = frozenset({400, 404, 409, 412, 415, 422})

_TEXT = {"type": "string"}
_SECONDS = {"type": "integer", "minimum": 0}

HEADERS: dict[str, tuple[str, dict[str, Any]]] = {
    REQUEST_ID: (
        "The request's own X-Request-Id when it sent 1 to 200 printable characters, "
        "otherwise a new id; the logs name the request by it.",
        _TEXT,
    ),
    CORRELATION_ID: (
        "The request's X-Correlation-Id, or its request id: every domain event the "
        "request records carries it. Sent once the request has passed authentication.",
        _TEXT,
    ),
    "RateLimit-Limit": (
        "Requests the key's tier allows per window (not sent for a tier without limit); "
        "in a 429 refused before authentication, the failed authentications an address may "
        "make per window.",
        _SECONDS,
    ),
    "RateLimit-Remaining": ("Requests left in this window.", _SECONDS),
    "RateLimit-Reset": ("Seconds until the window ends and the quota is whole again.", _SECONDS),
    "RateLimit-Policy": (
        "The quota and the window in seconds, e.g. 600;w=60.",
        {"type": "string", "pattern": "^[0-9]+;w=[0-9]+$"},
    ),
    "Retry-After": ("Seconds to wait before trying again.", _SECONDS),
    POSITION_HEADER: (
        "Where the command's last domain event stands in its application's log. The same "
        "key's queries wait for it by themselves; pass it as min_position to a query made "
        "with another key to read this write there. Absent when nothing was recorded.",
        {"type": "string", "pattern": "^[a-z_]+:[0-9]+$"},
    ),
    "ETag": (
        "The resource's version, quoted; send it back as If-Match to change the resource "
        "only if nobody else has.",
        {"type": "string", "pattern": '^"[0-9]+"$'},
    ),
    "Location": ("The path of the new resource.", {"type": "string", "format": "uri-reference"}),
    "Idempotent-Replayed": (
        "true: this is the stored answer to an earlier request with the same Idempotency-Key.",
        {"type": "string", "enum": ["true"]},
    ),
    "Link": (
        'With participant-merged: </v1/participants/{survivor_id}>; rel="canonical", the '
        "participant the refused one was merged into.",
        _TEXT,
    ),
    "WWW-Authenticate": ('The scheme to authenticate with: Bearer realm="accredit".', _TEXT),
    "Content-Disposition": ("attachment, with a file name to save the export as.", _TEXT),
}


def _component(name: str, required: bool) -> str:
    return f"{name}.required" if required else name


def header(name: str, *, required: bool = False) -> dict[str, Any]:
    """A reference to the header's definition, where an answer always has it or may have it."""
    return {"$ref": f"#/components/headers/{_component(name, required)}"}


def header_components() -> dict[str, dict[str, Any]]:
    """Each header once as an answer may carry it, and once as one always does."""
    components = {}
    for name, (description, schema) in HEADERS.items():
        for required in (False, True):
            components[_component(name, required)] = {
                "description": description,
                "required": required,
                "schema": dict(schema),
            }
    return components


def is_command(method: str, op: Operation) -> bool:
    """Every command answers through answer_command: an ETag, and its position."""
    return method != "GET" and not op.public and op.command


def success_headers(method: str, op: Operation) -> dict[str, Any]:
    headers = {REQUEST_ID: header(REQUEST_ID, required=True)}
    headers[CORRELATION_ID] = header(CORRELATION_ID, required=True)
    if not op.public:
        headers.update((name, header(name)) for name in RATE_LIMIT)
    if is_command(method, op):
        headers[POSITION_HEADER] = header(POSITION_HEADER)
    if is_command(method, op) or op.etag:
        headers["ETag"] = header("ETag", required=True)
    if op.creates:
        headers["Location"] = header("Location", required=True)
    if op.attachment:
        headers["Content-Disposition"] = header("Content-Disposition", required=True)
    if method == "POST" and not op.public:
        headers["Idempotent-Replayed"] = header("Idempotent-Replayed")
    return headers


def problem_headers(status: int, method: str, op: Operation) -> dict[str, Any]:
    headers = {REQUEST_ID: header(REQUEST_ID, required=True)}
    if status not in (401, 413):
        headers[CORRELATION_ID] = header(CORRELATION_ID)
    # The rate limit is counted after authentication and after the body was read.
    if not op.public and status not in (401, 413):
        headers.update((name, header(name, required=status == 429)) for name in RATE_LIMIT)
    if status in (429, 503):
        headers["Retry-After"] = header("Retry-After", required=True)
    elif status == 409 and method == "POST" and not op.public:
        # idempotency-key-in-use: the first request with the key is still running.
        headers["Retry-After"] = header("Retry-After")
    if status == 409 and method != "GET" and not op.public:
        # participant-merged: the record that stands for the person now.
        headers["Link"] = header("Link")
    if status == 401:
        headers["WWW-Authenticate"] = header("WWW-Authenticate", required=True)
    if method == "POST" and not op.public and status in REPLAYED_STATUSES:
        headers["Idempotent-Replayed"] = header("Idempotent-Replayed")
    return headers
