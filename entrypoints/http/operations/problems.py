"""The operations context's own problem types, and the domain errors answered with them."""

from __future__ import annotations

from collections.abc import Mapping

from domain.operations.bulk import NothingToDo, OperationEnded
from domain.shared.errors import DomainError

# slug -> (status, title); UnknownOperation is a not-found, other refusals a conflict.
TYPES: Mapping[str, tuple[int, str]] = {
    OperationEnded.code: (409, "The bulk operation has ended"),
    NothingToDo.code: (409, "The bulk operation has no item to run"),
}
ERRORS: Mapping[type[DomainError], str] = {
    OperationEnded: OperationEnded.code,
    NothingToDo: NothingToDo.code,
}


def operations_problems() -> tuple[Mapping[str, tuple[int, str]], Mapping[type[DomainError], str]]:
    """The types and errors, as the wiring's ProblemTypes takes them."""
    return TYPES, ERRORS
