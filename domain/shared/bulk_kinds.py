"""What a kind of bulk action is: each context declares its own, the executor runs any.

A kind cleans its parameters when the operation is asked for, applies itself to one
participant through its context's own command (so no rule is bypassed), says whether
that already happened (for an item an executor began and did not record), and may
name the kind that undoes it with what each applied item left for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.application import Application

from domain.shared.application import AccreditApplication
from domain.shared.cause import meta_of
from domain.shared.errors import InvalidValue
from domain.shared.names import free_text


@dataclass(frozen=True)
class BulkItem:
    """One participant an operation acts on, with the operation's parameters."""

    tenant_id: UUID
    event_id: UUID
    participant_id: UUID
    params: Mapping[str, Any]
    # What the item of the operation undone left for its compensation (undo only).
    undo: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Facts:
    """What a preflight knows of a participant, from the read models."""

    status: str
    active_steps: tuple[str, ...]
    credential_status: str | None  # None: no credential
    waitlist_entry_id: UUID | None


class BulkKind(Protocol):
    """A kind of bulk action."""

    @property
    def name(self) -> str:
        """Its name in the API (`complete-step`, `suspend-credential`, ...)."""
        ...

    @property
    def undo_kind(self) -> str | None:
        """The kind that compensates an applied item (None: it cannot be undone)."""
        ...

    @property
    def batch_application(self) -> AccreditApplication | None:
        """The one application whose commands `apply` runs, when many items' domain events
        may be saved in one transaction (None: each item saves on its own, e.g. because it
        also writes outside the event store)."""
        ...

    def clean(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The parameters as the kind keeps them; InvalidValue if they are not acceptable."""
        ...

    def preflight(self, params: Mapping[str, Any], facts: Facts) -> str | None:
        """Why the command would refuse this participant, as its problem code; None: eligible."""
        ...

    def apply(self, item: BulkItem) -> dict[str, Any] | None:
        """Acts on the participant; returns what undoing it needs (None: nothing).

        Raises the command's DomainError when it refuses.
        """
        ...

    def applied(self, item: BulkItem, causation_id: str) -> bool:
        """Whether a domain event of this item (its causation id) is recorded already."""
        ...


def text_param(params: Mapping[str, Any], name: str, limit: int) -> str | None:
    """A kind's optional free-text parameter (a reason, a comment), cleaned; None if absent."""
    value = params.get(name)
    if value is not None and not isinstance(value, str):
        raise InvalidValue(f"params.{name}", "must be text")
    return free_text(value, f"params.{name}", limit)


def recorded(application: Application[UUID], aggregate_id: UUID, causation_id: str) -> bool:
    """Whether any domain event of the aggregate was caused by `causation_id`."""
    return any(
        meta_of(domain_event).get("causation_id") == causation_id
        for domain_event in application.repository.event_store.get(aggregate_id)
    )
