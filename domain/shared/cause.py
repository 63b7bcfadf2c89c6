"""Who caused a change, and in answer to what: recorded with every domain event.

The entry point that receives a request (HTTP, CLI, a worker) says who is
acting; every domain event saved while it acts carries that, for auditors.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

META = "meta"  # the attribute (and stored key) of a domain event's metadata


@dataclass(frozen=True)
class Cause:
    """The actor (`api-key:<id>`, `cli:<user>`, `system`) and the ids tying changes together."""

    actor: str
    correlation_id: str
    causation_id: str | None = None


_current: ContextVar[Cause | None] = ContextVar("accredit_cause", default=None)


@contextmanager
def caused_by(cause: Cause) -> Iterator[Cause]:
    """Everything saved inside the block is attributed to this cause."""
    token = enter(cause)
    try:
        yield cause
    finally:
        leave(token)


def enter(cause: Cause) -> Token[Cause | None]:
    """Starts attributing saves to the cause (for frameworks with before/after hooks)."""
    return _current.set(cause)


def leave(token: Token[Cause | None]) -> None:
    """Restores the cause in effect before the matching enter()."""
    _current.reset(token)


def current_cause() -> Cause:
    """The cause in effect, or the system acting on its own."""
    return _current.get() or Cause("system", uuid4().hex)


def stamp(domain_event: object, cause: Cause, tenant_id: UUID | None) -> None:
    """Attaches the metadata to a pending domain event before it is stored."""
    meta = {
        "actor": cause.actor,
        "correlation_id": cause.correlation_id,
        "causation_id": cause.causation_id,
        "tenant_id": str(tenant_id) if tenant_id is not None else None,
    }
    # Domain events are frozen; the metadata is added once, before recording.
    object.__setattr__(domain_event, META, meta)


def meta_of(domain_event: object) -> dict[str, Any]:
    """The metadata a stored domain event carries ({} for none)."""
    meta = getattr(domain_event, META, None)
    return dict(meta) if isinstance(meta, dict) else {}
