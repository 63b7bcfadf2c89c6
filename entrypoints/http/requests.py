"""Reading requests: the JSON body through a schema, query parameters, preconditions."""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from typing import Any, TypeVar

import falcon
from marshmallow import Schema, ValidationError

from domain.shared.application import Ack, Position
from entrypoints.http.problems import Problem, field_errors

MAX_BODY_BYTES = 1024 * 1024
POSITION_HEADER = "Accredit-Position"
MIN_POSITION_HEADER = "Accredit-Min-Position"
# ASCII digits only: str.isdigit() also accepts "²", which int() then refuses.
POSITION_PATTERN = r"^[a-z_]+:[0-9]+(,[a-z_]+:[0-9]+)*$"
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")
_VERSION = re.compile(r"[0-9]+")
# One entity tag (RFC 9110 8.8.3), weak or strong, or *; a bare number is taken as a tag too.
IF_MATCH_PATTERN = r'^(\*|(W/)?"[^"]*"|[0-9]+)$'
# Visible ASCII, spaces inside only: what survives every HTTP hop unchanged.
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]([\x20-\x7e]{0,253}[\x21-\x7e])?$"
# The page size every paginated operation takes (and the document advertises).
PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX = 50, 200

T = TypeVar("T")


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
            data = json.loads(raw, parse_constant=_reject_constant)
            # A lone surrogate escape (\ud800) parses, but no UTF-8 store can hold it.
            json.dumps(data, ensure_ascii=False).encode()
        except (ValueError, UnicodeError) as exc:
            raise Problem("invalid-json", str(exc)) from None
        except RecursionError:
            raise Problem("invalid-json", "the JSON is nested too deeply") from None
    if not isinstance(data, dict):
        raise Problem(
            "validation-failed",
            "the body must be a JSON object",
            errors=[{"field": "body", "message": "must be a JSON object"}],
        )
    loaded: dict[str, Any] = schema.load(data)
    return loaded


def _reject_constant(name: str) -> Any:
    # Python's json reads NaN and Infinity; RFC 8259 JSON has no such values.
    raise ValueError(f"{name} is not a JSON value")


def int_param(req: falcon.Request, name: str, default: int, low: int, high: int) -> int:
    raw = req.get_param(name)
    if raw is None:
        return default
    if not _WHOLE_NUMBER.fullmatch(raw) or len(raw) > 20:
        raise Problem("invalid-parameter", f"{name} must be a whole number")
    value = int(raw)
    if not low <= value <= high:
        raise Problem("invalid-parameter", f"{name} must be between {low} and {high}")
    return value


def page_limit(req: falcon.Request) -> int:
    """The ?limit= of a paginated query: 1 to 200, 50 when not given."""
    return int_param(req, "limit", PAGE_LIMIT_DEFAULT, 1, PAGE_LIMIT_MAX)


def found(row: T | None, detail: str) -> T:
    """The row a view answered, or a 404 problem when it has none (or another tenant's)."""
    if row is None:
        raise Problem("not-found", detail)
    return row


# Query parameters every paged or projection-reading operation takes, read elsewhere.
COMMON_QUERY_PARAMETERS = frozenset({"limit", "cursor", "min_position"})


def load_query(req: falcon.Request, schema: Schema) -> dict[str, Any]:
    """The query parameters loaded by the schema; unknown or invalid ones are a 400 problem."""
    given = {k: v for k, v in req.params.items() if k not in COMMON_QUERY_PARAMETERS}
    try:
        loaded: dict[str, Any] = schema.load(given)
    except ValidationError as exc:
        raise Problem(
            "invalid-parameter", "see errors for each parameter", errors=field_errors(exc.messages)
        ) from None
    return loaded


def expected_version(req: falcon.Request, *, required: bool = False) -> int | None:
    """The aggregate version named by If-Match (our ETags are the version, quoted)."""
    header = req.get_header("If-Match")
    if header is None:
        if required:
            raise Problem("precondition-required", "send If-Match with the ETag you read")
        return None
    tag = header.strip()
    if not re.fullmatch(IF_MATCH_PATTERN, tag):
        raise Problem("bad-request", 'If-Match must be one ETag, like "3", or *')
    if tag == "*":
        return None
    tag = tag.removeprefix("W/").strip('"')
    if not _VERSION.fullmatch(tag) or len(tag) > 20:
        # A well-formed ETag, but none this service hands out: it matches no version.
        raise Problem("precondition-failed", "If-Match names no version of this resource")
    return int(tag)


def set_etag(resp: falcon.Response, version: int) -> None:
    resp.set_header("ETag", f'"{version}"')


def answer_command(resp: falcon.Response, ack: Ack[Any]) -> None:
    """Every command answer carries the new ETag and the position of its last event."""
    set_etag(resp, ack.version)
    if ack.position is not None:
        resp.set_header(POSITION_HEADER, str(ack.position))


def answer_created(resp: falcon.Response, ack: Ack[Any], location: str) -> None:
    """A command that created a resource: 201, where it is, its ETag and position."""
    answer_command(resp, ack)
    resp.status = falcon.HTTP_201
    resp.location = location


def requested_positions(req: falcon.Request) -> list[Position]:
    """Positions a query must reflect: ?min_position=app:N (or the header), comma-separated."""
    raw = req.get_param("min_position")
    if raw is None:
        raw = req.get_header(MIN_POSITION_HEADER)
    if raw is None:
        return []
    if not re.fullmatch(POSITION_PATTERN, raw) or len(raw) > 1000:
        raise Problem(
            "invalid-parameter",
            "min_position must look like platform:42 (from Accredit-Position)",
        )
    return parse_positions(raw)


def parse_positions(raw: str) -> list[Position]:
    """Positions as Accredit-Position writes them: app:N, comma-separated."""
    positions = []
    for part in raw.split(","):
        app, _, number = part.rpartition(":")
        positions.append(Position(app, int(number)))
    return positions


def position_pattern(applications: Collection[str]) -> str:
    """POSITION_PATTERN narrowed to the applications one view follows, for the document."""
    names = "|".join(sorted(re.escape(a) for a in applications)) or "(?!)"
    one = f"({names}):[0-9]+"
    return f"^{one}(,{one})*$"
