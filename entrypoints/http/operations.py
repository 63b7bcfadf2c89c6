"""What each responder is: its permission, feature, schemas and status, declared once.

The middleware reads it to authorise, the OpenAPI builder reads it to document.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from marshmallow import Schema

from domain.platform.features import Feature
from domain.platform.permissions import Permission


@dataclass(frozen=True)
class Operation:
    summary: str
    permission: Permission | None = None
    status: int = 200
    request: type[Schema] | None = None
    response: type[Schema] | None = None
    feature: Feature | None = None
    public: bool = False
    paginated: bool = False
    # Further query parameters (beyond limit, cursor, min_position), one field each.
    query: type[Schema] | None = None
    reads_projection: str | None = None
    if_match: bool = False
    creates: bool = False
    errors: tuple[int, ...] = ()
    # Without a response schema, a non-JSON media type is documented as a plain string body.
    media_type: str = "application/json"
    tags: tuple[str, ...] = field(default_factory=tuple)
    description: str = ""


def operation_of(resource: object, method: str) -> Operation | None:
    """The declared operation of a resource's responder, if any."""
    operations: dict[str, Operation] = getattr(resource, "operations", {})
    return operations.get(method)
