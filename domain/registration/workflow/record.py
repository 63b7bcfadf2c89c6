"""What a workflow run's change looks like inside a domain event: JSON primitives only.

A participant's domain events record what the workflow decided, not just what a
person did: the steps, branches and joins whose state changed, and the run's new
status. Replaying them needs no workflow definition, auditors read the decisions
as they were made, and projections copy them as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from domain.registration.workflow.definition import JoinMode
from domain.registration.workflow.run import (
    BranchState,
    BranchStatus,
    JoinDecision,
    Outcome,
    RunStatus,
    StepState,
    StepStatus,
    WorkflowRun,
)

EMPTY_RUN = WorkflowRun(RunStatus.IN_PROGRESS, {}, {}, {})


def changes_between(before: WorkflowRun, after: WorkflowRun) -> dict[str, Any]:
    """The parts of `after` that differ from `before`, as JSON primitives."""
    return {
        "status": after.status.value,
        "completions": after.completions,
        "steps": [
            step_record(s) for k, s in sorted(after.steps.items()) if before.steps.get(k) != s
        ],
        "branches": [
            branch_record(b)
            for k, b in sorted(after.branches.items())
            if before.branches.get(k) != b
        ],
        "joins": [
            join_record(j) for k, j in sorted(after.joins.items()) if before.joins.get(k) != j
        ],
    }


def apply_changes(run: WorkflowRun, changes: Mapping[str, Any]) -> WorkflowRun:
    """The run with recorded changes applied (the inverse of changes_between)."""
    steps = dict(run.steps)
    for record in changes["steps"]:
        steps[record["step_id"]] = step_state(record)
    branches = dict(run.branches)
    for record in changes["branches"]:
        branches[f"{record['fork']}/{record['head']}"] = BranchState(
            record["fork"], record["head"], BranchStatus(record["status"])
        )
    joins = dict(run.joins)
    for record in changes["joins"]:
        joins[record["join"]] = JoinDecision(
            join=record["join"],
            mode=JoinMode(record["mode"]),
            required=record["required"],
            passed=record["passed"],
            failed=record["failed"],
            cancelled=record["cancelled"],
            satisfied=record["satisfied"],
        )
    return replace(
        run,
        status=RunStatus(changes["status"]),
        steps=steps,
        branches=branches,
        joins=joins,
        completions=changes["completions"],
    )


def step_record(state: StepState) -> dict[str, Any]:
    return {
        "step_id": state.step_id,
        "status": state.status.value,
        "outcome": state.outcome.value if state.outcome is not None else None,
        "actor": state.actor,
        "comment": state.comment,
        "order": state.order,
    }


def step_state(record: Mapping[str, Any]) -> StepState:
    outcome = record["outcome"]
    return StepState(
        step_id=record["step_id"],
        status=StepStatus(record["status"]),
        outcome=Outcome(outcome) if outcome is not None else None,
        actor=record["actor"],
        comment=record["comment"],
        order=record["order"],
    )


def branch_record(state: BranchState) -> dict[str, Any]:
    return {"fork": state.fork, "head": state.head, "status": state.status.value}


def join_record(decision: JoinDecision) -> dict[str, Any]:
    return {
        "join": decision.join,
        "mode": decision.mode.value,
        "required": decision.required,
        "passed": decision.passed,
        "failed": decision.failed,
        "cancelled": decision.cancelled,
        "satisfied": decision.satisfied,
    }
