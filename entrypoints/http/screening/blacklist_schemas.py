"""What the blacklist routes accept and answer."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import Schema, fields, validate

from domain.screening.blacklist import EMAIL_MAX, NAME_MAX, REASON_MAX
from entrypoints.http.schemas import UtcMoment, one_line

ISO_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
STATUSES = ["active", "expired", "removed"]


class CalendarDate(fields.Date):
    """A date written YYYY-MM-DD, and only so (Python alone also reads 20000101)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        if not isinstance(value, str) or not re.fullmatch(ISO_DATE_PATTERN, value):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class EntryCreateSchema(Schema):
    event_id = fields.UUID(
        load_default=None,
        allow_none=True,
        metadata={"description": "The one event it bars the person from; absent: every event"},
    )
    first_name = one_line(NAME_MAX, load_default=None, allow_none=True)
    last_name = one_line(NAME_MAX, load_default=None, allow_none=True)
    date_of_birth = CalendarDate(load_default=None, allow_none=True)
    document_number = one_line(
        60,
        load_default=None,
        allow_none=True,
        description="Matched exactly (case and spacing aside): a match blocks the participant",
    )
    email = one_line(EMAIL_MAX, load_default=None, allow_none=True)
    reason = one_line(REASON_MAX, 1, "Why the person is barred", required=True)
    expires_at = UtcMoment(
        load_default=None,
        allow_none=True,
        metadata={"description": "When it stops matching anyone, in the future; absent: never"},
    )


class EntryStateSchema(Schema):
    """An entry as a command leaves it."""

    id = fields.UUID(required=True)
    event_id = fields.UUID(
        required=True, allow_none=True, metadata={"description": "Null: every event"}
    )
    first_name = fields.String(required=True, allow_none=True)
    last_name = fields.String(required=True, allow_none=True)
    date_of_birth = fields.Date(required=True, allow_none=True)
    document_number = fields.String(required=True, allow_none=True)
    email = fields.String(required=True, allow_none=True)
    reason = fields.String(required=True)
    expires_at = fields.AwareDateTime(required=True, allow_none=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(STATUSES),
        metadata={"description": "active (it matches), expired or removed (it matches no one)"},
    )


class EntrySchema(EntryStateSchema):
    """An entry as the blacklist's view holds it, with who added and removed it when."""

    added_by = fields.String(required=True, allow_none=True)
    added_at = fields.AwareDateTime(required=True)
    removed_at = fields.AwareDateTime(required=True, allow_none=True)
    removed_by = fields.String(required=True, allow_none=True)
    removed_reason = fields.String(required=True, allow_none=True)


class EntryPageSchema(Schema):
    items = fields.List(fields.Nested(EntrySchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class EntryListQuerySchema(Schema):
    event_id = fields.UUID(
        metadata={"description": "Only entries covering this event: its own and tenant-wide ones"}
    )
    active = fields.Boolean(
        metadata={"description": "true: only those that match now; false: expired or removed"}
    )


class EntryRemoveSchema(Schema):
    reason = one_line(
        REASON_MAX,
        description="Why it is lifted, for the record",
        load_default=None,
        allow_none=True,
    )
