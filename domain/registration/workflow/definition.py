"""Workflow definitions: the graph of steps a participant goes through for one managed event.

A definition arrives as JSON from clients and is stored inside domain events, so it is read
from JSON primitives, checked as a whole and written back to the same shape. Only
series-parallel graphs are accepted: a parallel step forks into branches that all end at its
own join, and only a join merges paths. The engine (workflow.run) relies on that.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from domain.registration.workflow.graph import Graph, Shape, reference_problems
from domain.registration.workflow.parsing import Reader
from domain.registration.workflow.steps import (
    MAX_STEPS,
    BranchRef,
    JoinMode,
    RejectAction,
    Step,
    StepKind,
    UnknownStep,
    WorkflowInvalid,
)

__all__ = [
    "MAX_STEPS",
    "BranchRef",
    "JoinMode",
    "RejectAction",
    "Step",
    "StepKind",
    "UnknownStep",
    "WorkflowDefinition",
    "WorkflowInvalid",
]


@dataclass(frozen=True)
class WorkflowDefinition:
    """A checked workflow graph; building one runs every graph rule."""

    start: str
    steps: tuple[Step, ...]
    _shape: Shape = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        indexed = list(enumerate(self.steps))
        ids = [(i, step.id) for i, step in indexed]
        problems = reference_problems(self.start, indexed, ids, len(indexed))
        if problems:
            raise WorkflowInvalid(problems)
        # Frozen, so the lookups are stored the way dataclasses store their own fields.
        object.__setattr__(self, "_shape", Graph(self.start, self.steps).shape())

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> WorkflowDefinition:
        """Reads JSON data; raises WorkflowInvalid listing every problem, and nothing else."""
        reader = Reader()
        start, steps = reader.workflow(data)
        if steps is not None and reader.problems:
            # Check what the readable steps refer to as well, so one answer lists everything.
            reader.problems += reference_problems(start, steps, reader.ids, reader.count)
        if reader.problems or start is None or steps is None:
            raise WorkflowInvalid(reader.problems)
        return cls(start, tuple(step for _, step in steps))

    def to_dict(self) -> dict[str, Any]:
        """The definition as JSON primitives; parse() reads it back to an equal definition."""
        return {"start": self.start, "steps": [step.to_dict() for step in self.steps]}

    def step(self, step_id: str) -> Step:
        """The step with that id; raises UnknownStep."""
        try:
            return self._shape.by_id[step_id]
        except KeyError:
            raise UnknownStep(f"the workflow has no step '{step_id}'") from None

    def branch_of(self, step_id: str) -> BranchRef | None:
        """The innermost branch a step lies in, or None outside every parallel step."""
        chain = self.enclosing(step_id)
        return chain[0] if chain else None

    def enclosing(self, step_id: str) -> tuple[BranchRef, ...]:
        """Every branch a step lies in, innermost first."""
        self.step(step_id)
        return self._shape.chains.get(step_id, ())

    def fork_of(self, join_id: str) -> Step:
        """The parallel step a join closes."""
        try:
            return self._shape.forks[join_id]
        except KeyError:
            raise UnknownStep(f"the workflow has no join step '{join_id}'") from None

    def branch_count(self, join_id: str) -> int:
        """M: how many branches arrive at a join."""
        return len(self.fork_of(join_id).branches)

    def needed(self, join_id: str) -> int:
        """N: how many branches must pass for a join to be satisfied."""
        join = self.step(join_id)
        if join.mode is JoinMode.ANY:
            return 1
        if join.mode is JoinMode.N_OF_M and join.required is not None:
            return join.required
        return self.branch_count(join_id)
