"""The parts of a workflow definition: step kinds, steps, and the errors that name them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple

from domain.shared.errors import InvalidValue, NotFound

MAX_STEPS = 100
ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
ID_RULE = "must be a step id: 1 to 64 letters, digits, '_' or '-'"

Problem = tuple[str, str]


class StepKind(StrEnum):
    APPROVAL = "approval"
    REVIEW = "review"
    DOCUMENT_CHECK = "document_check"
    SECURITY_CHECK = "security_check"
    PAYMENT_CHECK = "payment_check"
    PHOTO_CHECK = "photo_check"
    INTERVIEW = "interview"
    PARALLEL = "parallel"
    JOIN = "join"
    END = "end"

    @property
    def is_work(self) -> bool:
        """Whether a person completes a step of this kind with an outcome."""
        return self not in (StepKind.PARALLEL, StepKind.JOIN, StepKind.END)


class JoinMode(StrEnum):
    ALL = "ALL"
    ANY = "ANY"
    N_OF_M = "N_OF_M"


class RejectAction(StrEnum):
    REJECT_PARTICIPANT = "reject_participant"
    FAIL_BRANCH = "fail_branch"


class WorkflowInvalid(InvalidValue):
    """The definition breaks the rules; `errors` lists every (field path, message) found."""

    code = "workflow-invalid"
    title = "The workflow definition is not valid"

    def __init__(self, errors: Iterable[Problem]) -> None:
        self.errors: list[Problem] = list(errors)
        at, message = self.errors[0] if self.errors else ("workflow", "")
        count = "1 problem" if len(self.errors) == 1 else f"{len(self.errors)} problems"
        super().__init__(
            "workflow", f"{count} in the workflow definition, the first at {at}: {message}"
        )

    def problem_members(self) -> dict[str, Any]:
        # Each problem at its path in a request body, where the definition is `workflow`.
        errors = [{"field": _in_workflow(at), "message": message} for at, message in self.errors]
        return {"code": self.code, "errors": errors}


def _in_workflow(at: str) -> str:
    """A definition's own path (steps[2].next) as a path in the body (workflow.steps[2].next)."""
    return at if at == "workflow" or at.startswith("workflow.") else f"workflow.{at}"


class UnknownStep(NotFound):
    """The workflow has no step with that id."""

    code = "unknown-step"
    title = "The workflow has no such step"


# The optional keys each kind takes; every step also has id, kind and name.
_WORK_KEYS = frozenset({"next", "on_reject"})
_STRUCTURAL_KEYS = {
    StepKind.PARALLEL: frozenset({"branches", "join"}),
    StepKind.JOIN: frozenset({"mode", "required", "next"}),
    StepKind.END: frozenset[str](),
}
COMMON_KEYS = frozenset({"id", "kind", "name"})
OPTIONAL_KEYS = _WORK_KEYS.union(*_STRUCTURAL_KEYS.values())


def keys_of(kind: StepKind) -> frozenset[str]:
    return _WORK_KEYS if kind.is_work else _STRUCTURAL_KEYS[kind]


def a_kind(kind: StepKind) -> str:
    """'a review step', 'an end step': the kind as a message names it."""
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} step"


def not_taken(kind: StepKind, key: str, at: str) -> Problem:
    return (f"{at}.{key}", f"{a_kind(kind)} has no '{key}'")


class BranchRef(NamedTuple):
    """A branch of a parallel step, named by the fork and the branch's first step."""

    fork: str
    head: str

    @property
    def key(self) -> str:
        """The branch's key in a run, 'fork/head' (a step id never holds a '/')."""
        return f"{self.fork}/{self.head}"


@dataclass(frozen=True)
class Step:
    """One step of a workflow: a piece of work, a fork, a join or an end."""

    id: str
    kind: StepKind
    name: str
    next: str | None = None
    branches: tuple[str, ...] = ()
    join: str | None = None
    mode: JoinMode | None = None
    required: int | None = None
    on_reject: RejectAction = RejectAction.REJECT_PARTICIPANT

    def to_dict(self) -> dict[str, Any]:
        """The step as JSON primitives, with only the keys it sets."""
        return {"id": self.id, "kind": self.kind.value, "name": self.name, **self._options()}

    def _options(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if self.next is not None:
            found["next"] = self.next
        if self.branches:
            found["branches"] = list(self.branches)
        if self.join is not None:
            found["join"] = self.join
        if self.mode is not None:
            found["mode"] = self.mode.value
        if self.required is not None:
            found["required"] = self.required
        if self.on_reject is not RejectAction.REJECT_PARTICIPANT:
            found["on_reject"] = self.on_reject.value
        return found

    def _problems(self, at: str) -> list[Problem]:
        """What this step lacks or has too much of for its kind."""
        kind = self.kind
        found = [not_taken(kind, key, at) for key in self._options() if key not in keys_of(kind)]
        if (kind.is_work or kind is StepKind.JOIN) and self.next is None:
            found.append((f"{at}.next", f"{a_kind(kind)} needs a 'next' step"))
        if kind is StepKind.PARALLEL:
            if len(set(self.branches)) < 2:
                found.append((f"{at}.branches", "a parallel step needs at least 2 branches"))
            found += [
                (f"{at}.branches[{k}]", f"the branch '{head}' is listed twice")
                for k, head in enumerate(self.branches)
                if head in self.branches[:k]
            ]
            if self.join is None:
                found.append((f"{at}.join", "a parallel step needs a 'join' step"))
        if kind is StepKind.JOIN:
            if self.mode is None:
                found.append((f"{at}.mode", "a join step needs a 'mode'"))
            if self.mode is JoinMode.N_OF_M and self.required is None:
                found.append((f"{at}.required", "an N_OF_M join needs 'required'"))
            if self.mode is not JoinMode.N_OF_M and self.required is not None:
                found.append((f"{at}.required", "only an N_OF_M join takes 'required'"))
            if self.required is not None and self.required < 1:
                found.append((f"{at}.required", "the required number must be at least 1"))
        return found


def edges(step: Step, at: str) -> list[tuple[str, str]]:
    """The paths leaving a step, each with the field path that names its target."""
    if step.kind is StepKind.PARALLEL:
        return [(f"{at}.branches[{k}]", head) for k, head in enumerate(step.branches)]
    return [] if step.next is None else [(f"{at}.next", step.next)]


def listed(ids: Iterable[str]) -> str:
    return ", ".join(f"'{i}'" for i in ids)


class Problems(list[Problem]):
    """The problems found so far; checks go on after one, so an answer lists them all."""

    def add(self, at: str, message: str) -> None:
        self.append((at, message))
