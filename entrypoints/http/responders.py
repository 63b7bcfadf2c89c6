"""What each responder is: its permission, feature, schemas and status, declared once.

The middleware reads it to authorise, the OpenAPI builder reads it to document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

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
    # Further views the answer depends on (an existence check in another context's view):
    # the key's own commands are waited for in them too.
    also_reads: tuple[str, ...] = ()
    if_match: bool = False
    # False: a POST that changes nothing (a forecast), so it answers no ETag and no position.
    command: bool = True
    creates: bool = False
    # A read that answers one aggregate sends its version as ETag (every command does).
    etag: bool = False
    # The answer is a file to save (Content-Disposition: attachment).
    attachment: bool = False
    errors: tuple[int, ...] = ()
    # Without a response schema, a non-JSON media type is documented as a plain string body.
    media_type: str = "application/json"
    # Further media types the answer may have (a file served as what it is).
    other_media_types: tuple[str, ...] = ()
    tags: tuple[str, ...] = field(default_factory=tuple)
    description: str = ""
    # What the document shows as a body to send and a body answered; each must validate.
    request_example: Mapping[str, Any] | None = None
    response_example: Any = None
    # Top-level answer members shown only in the first answer (a secret): the answer kept
    # for Idempotency-Key retries has them null, and says why in replay_note.
    shown_once: tuple[str, ...] = ()
    replay_note: str = ""
    # The document's name for the operation (registerParticipant), unique in the API.
    operation_id: str = field(kw_only=True)

    def __post_init__(self) -> None:
        if self.shown_once and not self.replay_note:
            raise ValueError(f"{self.operation_id} withholds {self.shown_once} without a note")


def projections_read(op: Operation) -> tuple[str, ...]:
    """Every view an operation's answer reads, its own first."""
    return (op.reads_projection, *op.also_reads) if op.reads_projection else op.also_reads


def operation_of(resource: object, method: str) -> Operation | None:
    """The declared operation of a resource's responder, if any."""
    operations: dict[str, Operation] = getattr(resource, "operations", {})
    return operations.get(method)
