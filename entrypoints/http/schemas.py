"""Marshmallow schemas: what the API accepts and answers, and the OpenAPI components."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate

from domain.platform.features import Feature
from domain.platform.permissions import Permission

# No C0 or C1 control characters (a NUL cannot even be stored in a PostgreSQL text
# column) and no bidirectional embeddings, overrides or isolates (they disguise text).
DISPLAY_NAME_PATTERN = r"^[^\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]*$"


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
    field = fields.String(required=True, metadata={"description": "Dotted path, or body"})
    message = fields.String(required=True)


class ProblemSchema(Schema):
    """RFC 9457 problem details; extension members beyond these may be added."""

    class Meta:
        unknown = INCLUDE

    type = fields.String(required=True, metadata={"description": "Stable problem type URI"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    errors = fields.List(
        fields.Nested(FieldErrorSchema), metadata={"description": "One entry per invalid field"}
    )
    code = fields.String(metadata={"description": "The domain rule that refused the command"})
    feature = fields.String(
        metadata={"description": "The disabled feature", "enum": [f.value for f in Feature]}
    )
    permission = fields.String(
        metadata={"description": "The missing permission", "enum": [p.value for p in Permission]}
    )
    checks = fields.Dict(
        keys=fields.String(), values=fields.String(), metadata={"description": "Readiness checks"}
    )
