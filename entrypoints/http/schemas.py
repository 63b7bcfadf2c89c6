"""Marshmallow schemas: what the API accepts and answers, and the OpenAPI components."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate

from domain.platform.features import Feature
from domain.platform.permissions import Permission

# No C0 or C1 control characters (a NUL cannot even be stored in a PostgreSQL text
# column) and no bidirectional embeddings, overrides or isolates (they disguise text).
DISPLAY_NAME_PATTERN = r"^[^\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]*$"
CATEGORY_CODE_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,39}$"
STEP_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


def _printable(value: str) -> None:
    # fullmatch, because re.match lets "$" match before a trailing newline.
    if re.fullmatch(DISPLAY_NAME_PATTERN, value) is None:
        raise ValidationError("must not contain control or bidirectional control characters")


def display_name() -> fields.String:
    """A required one-line name of 1 to 200 characters."""
    return fields.String(
        required=True,
        validate=[validate.Length(min=1, max=200), _printable],
        metadata={"pattern": DISPLAY_NAME_PATTERN},
    )


def one_line(maximum: int, minimum: int = 0, description: str = "", **kwargs: Any) -> fields.String:
    """A one-line text of `minimum` to `maximum` characters, without control characters."""
    metadata = {"pattern": DISPLAY_NAME_PATTERN}
    if description:
        metadata["description"] = description
    return fields.String(
        validate=[validate.Length(min=minimum, max=maximum), _printable],
        metadata=metadata,
        **kwargs,
    )


def matching(pattern: str, message: str) -> Callable[[str], None]:
    """A validator: the whole text matches (re.match would let "$" pass a final newline)."""
    compiled = re.compile(pattern)

    def check(value: str) -> None:
        if compiled.fullmatch(value) is None:
            raise ValidationError(message)

    return check


def patterned(
    pattern: str, message: str, maximum: int, description: str = "", **kwargs: Any
) -> fields.String:
    """A text that must match the pattern, as the document says and the load checks."""
    metadata = {"pattern": pattern, **({"description": description} if description else {})}
    return fields.String(
        validate=[validate.Length(max=maximum), matching(pattern, message)],
        metadata=metadata,
        **kwargs,
    )


def category_code(description: str = "", **kwargs: Any) -> fields.String:
    rule = "must be 1-40 of a-z, 0-9, - and _, starting alphanumeric"
    return patterned(CATEGORY_CODE_PATTERN, rule, 40, description, **kwargs)


# The member a replayed answer (Idempotent-Replayed: true) adds where it withholds what was
# shown once; an answer schema with shown-once members declares it with replay_note().
REPLAY_NOTE = "replay_note"


def replay_note() -> fields.String:
    """The note of a replay that withholds members shown once; absent from first answers."""
    return fields.String(
        metadata={
            "description": "Only in a replay of the answer to an Idempotency-Key "
            "(Idempotent-Replayed: true): which members were shown once, in the first "
            "answer, and are null here, and how to get new ones"
        }
    )


def shown_once(description: str) -> fields.String:
    """A member shown in the first answer only: null in its replays, which say so."""
    return fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": f"{description}. Null in a replay (Idempotent-Replayed: true), "
            f"which says so in {REPLAY_NOTE}"
        },
    )


class WholeNumber(fields.Integer):
    """An integer as JSON Schema means it: 3 and 3.0, never 3.5, "3" or true."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return super()._deserialize(value, attr, data, **kwargs)


class UtcMoment(fields.AwareDateTime):
    """An ISO 8601 time with its zone, taken to UTC (a time with no UTC form is refused)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise ValidationError("is outside the calendar once taken to UTC") from None


class EmptySchema(Schema):
    """A command that takes no body (an empty object is fine, unknown fields are not)."""


class FieldErrorSchema(Schema):
    field = fields.String(
        required=True,
        metadata={
            "description": "The field's dotted path in the body (workflow.steps[2].next), the "
            "query parameter, or body for the body as a whole"
        },
    )
    message = fields.String(required=True, metadata={"description": "What is wrong with it"})


class ProblemSchema(Schema):
    """RFC 9457 problem details; members beyond these may be added."""

    class Meta:
        unknown = INCLUDE
        description = (
            "An RFC 9457 problem document: every error answer is one. `type` is stable; the "
            "other members after `instance` appear with the types that say so."
        )

    type = fields.String(
        required=True,
        metadata={
            "description": "The problem type: a stable URI reference, /problems/<slug>, that "
            "resolves to the type's description",
            "format": "uri-reference",
        },
    )
    title = fields.String(
        required=True, metadata={"description": "The type's summary, the same every time"}
    )
    status = fields.Integer(
        required=True,
        metadata={"description": "The HTTP status of the answer", "minimum": 400, "maximum": 599},
    )
    detail = fields.String(metadata={"description": "What went wrong this time, for a person"})
    instance = fields.String(
        metadata={"description": "The path of the request refused", "format": "uri-reference"}
    )
    errors = fields.List(
        fields.Nested(FieldErrorSchema),
        metadata={
            "description": "validation-failed and invalid-parameter: every invalid field or "
            "parameter, each with its message"
        },
    )
    code = fields.String(
        metadata={
            "description": "conflict, precondition-failed and some validation-failed or "
            "not-found answers: the rule that refused the request, e.g. already-registered, "
            "registration-closed, event-full, capacity-reached, step-not-active, version-mismatch, "
            "workflow-invalid, badge-code-shown, credential-revoked, credential-not-active, "
            "credential-not-suspended"
        }
    )
    participant_id = fields.UUID(
        metadata={
            "description": "conflict with code already-registered: the registration that "
            "holds the e-mail"
        }
    )
    feature = fields.String(
        metadata={
            "description": "feature-disabled: the feature the tenant has not enabled",
            "enum": [f.value for f in Feature],
        }
    )
    permission = fields.String(
        metadata={
            "description": "permission-denied: the permission the API key lacks",
            "enum": [p.value for p in Permission],
        }
    )
    checks = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={
            "description": "service-unavailable from /ready: the checks that passed before "
            "one failed (views, service, event_store)"
        },
    )
    projection = fields.String(
        metadata={"description": "projection-rebuilding: the view being rebuilt"}
    )
    version = fields.Integer(
        metadata={"description": "projection-rebuilding: the version being built"}
    )
