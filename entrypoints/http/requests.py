"""Reading requests: the JSON body through a schema, query parameters, preconditions."""

from __future__ import annotations

import json
from typing import Any

import falcon
from marshmallow import Schema

from domain.application import Ack, Position
from entrypoints.http.problems import Problem

MAX_BODY_BYTES = 1024 * 1024
POSITION_HEADER = "Accredit-Position"
MIN_POSITION_HEADER = "Accredit-Min-Position"


def load_body(req: falcon.Request, schema: Schema) -> dict[str, Any]:
    """The body, parsed as JSON and loaded by the schema (errors become problems)."""
    raw: bytes = req.context.raw_body
    if not raw.strip():
        data: Any = {}
    else:
        if req.content_type and not req.content_type.split(";")[0].strip().lower().endswith(
            ("/json", "+json")
        ):
            raise Problem("unsupported-media-type", f"got {req.content_type}")
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise Problem("invalid-json", str(exc)) from None
    if not isinstance(data, dict):
        raise Problem(
            "validation-failed",
            "the body must be a JSON object",
            errors=[{"field": "body", "message": "must be a JSON object"}],
        )
    loaded: dict[str, Any] = schema.load(data)
    return loaded


def int_param(req: falcon.Request, name: str, default: int, low: int, high: int) -> int:
    raw = req.get_param(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Problem("invalid-parameter", f"{name} must be a whole number") from None
    if not low <= value <= high:
        raise Problem("invalid-parameter", f"{name} must be between {low} and {high}")
    return value


def expected_version(req: falcon.Request, *, required: bool = False) -> int | None:
    """The aggregate version named by If-Match (our ETags are the version, quoted)."""
    header = req.get_header("If-Match")
    if header is None:
        if required:
            raise Problem("precondition-required", "send If-Match with the ETag you read")
        return None
    tag = header.strip()
    if tag == "*":
        return None
    tag = tag.removeprefix("W/")
    if len(tag) >= 2 and tag[0] == tag[-1] == '"':
        tag = tag[1:-1]
    if not tag.isdigit():
        raise Problem("precondition-failed", "If-Match names no version of this resource")
    return int(tag)


def set_etag(resp: falcon.Response, version: int) -> None:
    resp.set_header("ETag", f'"{version}"')


def answer_command(resp: falcon.Response, ack: Ack[Any]) -> None:
    """Every command answer carries the new ETag and the position of its last event."""
    set_etag(resp, ack.version)
    if ack.position is not None:
        resp.set_header(POSITION_HEADER, str(ack.position))


def requested_positions(req: falcon.Request) -> list[Position]:
    """Positions a query must reflect: ?min_position=app:N (or the header), comma-separated."""
    raw = req.get_param("min_position") or req.get_header(MIN_POSITION_HEADER)
    if not raw:
        return []
    positions = []
    for part in raw.split(","):
        app, _, number = part.strip().rpartition(":")
        if not app or not number.isdigit():
            raise Problem(
                "invalid-parameter",
                "min_position must look like platform:42 (from Accredit-Position)",
            )
        positions.append(Position(app, int(number)))
    return positions
