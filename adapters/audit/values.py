"""Domain events and aggregates as plain JSON for auditors, with secret material redacted."""

from __future__ import annotations

import base64
import dataclasses
import re
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.shared.cause import META

REDACTED = "[redacted]"
# A value under a name like these is a credential or derived from one (a digest still
# lets an attacker test guesses offline): auditors see that it changed, not what it is.
SECRET_NAME = re.compile(r"secret|password|passphrase|digest|token|private_key|cipher", re.I)
# What every stored domain event carries besides its payload; shown in their own fields.
_ENVELOPE = frozenset(
    {"originator_id", "originator_version", "timestamp", "originator_topic", META}
)

JsonValue = Any  # dict[str, JsonValue] | list[JsonValue] | str | int | float | bool | None


def event_payload(domain_event: object) -> dict[str, JsonValue]:
    """The domain event's own attributes, as JSON, secrets redacted."""
    attributes = {k: v for k, v in vars(domain_event).items() if k not in _ENVELOPE}
    return redacted(attributes)


def aggregate_state(aggregate: Aggregate) -> dict[str, JsonValue]:
    """The aggregate's public attributes, as JSON, secrets redacted."""
    public = {k: v for k, v in vars(aggregate).items() if not k.startswith("_")}
    return redacted(public)


def redacted(attributes: Mapping[str, Any]) -> dict[str, JsonValue]:
    return {
        str(k): _plain(v, SECRET_NAME.search(str(k)) is not None) for k, v in attributes.items()
    }


def _plain(value: Any, secret: bool) -> JsonValue:
    """JSON for a value; text under a secret name is replaced, structure and times are kept."""
    if isinstance(value, Mapping):
        return {
            str(k): _plain(v, secret or bool(SECRET_NAME.search(str(k)))) for k, v in value.items()
        }
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain({f.name: getattr(value, f.name) for f in dataclasses.fields(value)}, secret)
    if isinstance(value, set | frozenset):
        items = [_plain(v, secret) for v in value]
        return sorted(items, key=repr)
    if isinstance(value, list | tuple):
        return [_plain(v, secret) for v in value]
    if isinstance(value, Enum):
        return _plain(value.value, secret)
    if value is None:
        return None
    if isinstance(value, datetime | date | time):
        return value.isoformat()  # when a secret changes is not secret
    if secret:
        return REDACTED
    if isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return str(value)
