"""The workflow engine: one participant's progress through a workflow definition.

Pure and deterministic: no clock and no I/O, so the same definition and the same completions
always give equal runs. Every function returns a new run and leaves the one given alone, so
the aggregate can preview a completion (to reserve a seat, say) before it records it.

Structural steps never wait for a person: a parallel step is passed on entry, a join is
approved when satisfied and rejected when it can no longer be, and reaching an end approves
the run. Only work steps are ever active.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from domain.registration.workflow.definition import (
    BranchRef,
    JoinMode,
    RejectAction,
    StepKind,
    WorkflowDefinition,
)
from domain.shared.errors import RuleViolation


class Outcome(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


class StepStatus(StrEnum):
    ACTIVE = "active"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class BranchStatus(StrEnum):
    ACTIVE = "active"
    PASSED = "passed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class RunStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    APPROVED = "approved"
    REJECTED = "rejected"
    STOPPED = "stopped"


class StepNotActive(RuleViolation):
    """The step is not awaiting completion: not reached yet, done, cancelled, or the run ended."""

    code = "step-not-active"
    title = "The step is not awaiting completion"


class RunFinished(RuleViolation):
    """The run was rejected or stopped already, so it cannot be stopped."""

    code = "workflow-finished"
    title = "The workflow has already finished"


@dataclass(frozen=True)
class StepState:
    """Where one reached step stands; order is the completion that set it (0 for the start)."""

    step_id: str
    status: StepStatus
    outcome: Outcome | None = None
    actor: str | None = None
    comment: str | None = None
    order: int = 0


@dataclass(frozen=True)
class BranchState:
    """Where one branch of a parallel step stands."""

    fork: str
    head: str
    status: BranchStatus


@dataclass(frozen=True)
class JoinDecision:
    """Why a join decided: the counts it saw against the number it needed."""

    join: str
    mode: JoinMode
    required: int
    passed: int
    failed: int
    cancelled: int
    satisfied: bool


@dataclass(frozen=True)
class WorkflowRun:
    """One participant's progress; the maps hold only what has been reached."""

    status: RunStatus
    steps: Mapping[str, StepState]
    branches: Mapping[str, BranchState]
    joins: Mapping[str, JoinDecision]
    completions: int = 0

    @property
    def active_steps(self) -> tuple[str, ...]:
        """The steps awaiting a person, sorted by id."""
        return tuple(sorted(s for s, state in self.steps.items() if _is_active(state)))

    @property
    def is_finished(self) -> bool:
        """Whether the run is approved, rejected or stopped."""
        return self.status is not RunStatus.IN_PROGRESS


def _is_active(state: StepState | BranchState) -> bool:
    return state.status in (StepStatus.ACTIVE, BranchStatus.ACTIVE)


def start(definition: WorkflowDefinition) -> WorkflowRun:
    """The run of a participant who has just registered: the start step is entered."""
    progress = _Progress(definition, WorkflowRun(RunStatus.IN_PROGRESS, {}, {}, {}), 0)
    progress.enter(definition.start, None)
    return progress.freeze()


def complete(
    definition: WorkflowDefinition,
    run: WorkflowRun,
    step_id: str,
    outcome: Outcome,
    actor: str | None = None,
    comment: str | None = None,
) -> WorkflowRun:
    """The run after a person completed an active step; raises StepNotActive or UnknownStep."""
    step = definition.step(step_id)
    if run.is_finished:
        raise StepNotActive(f"the workflow is {run.status}; no step is active")
    state = run.steps.get(step_id)
    if state is None or not _is_active(state):
        active = ", ".join(f"'{s}'" for s in run.active_steps)
        raise StepNotActive(f"the step '{step_id}' is not active; the active steps are {active}")
    progress = _Progress(definition, run, run.completions + 1)
    progress.completions += 1
    outcome = Outcome(outcome)
    status = StepStatus.APPROVED if outcome is Outcome.APPROVED else StepStatus.REJECTED
    progress.steps[step_id] = StepState(step_id, status, outcome, actor, comment, progress.order)
    branch = definition.branch_of(step_id)
    if outcome is Outcome.APPROVED:
        progress.enter(step.next, branch)
    elif step.on_reject is RejectAction.FAIL_BRANCH and branch is not None:
        progress.fail(branch)
    else:
        progress.finish(RunStatus.REJECTED)
    return progress.freeze()


def stop(definition: WorkflowDefinition, run: WorkflowRun) -> WorkflowRun:
    """The run of a participant who withdrew or was cancelled; raises RunFinished."""
    if run.status in (RunStatus.REJECTED, RunStatus.STOPPED):
        raise RunFinished(f"the workflow is already {run.status}")
    # Steps withdrawn here sort after every completion.
    progress = _Progress(definition, run, run.completions + 1)
    progress.finish(RunStatus.STOPPED)
    return progress.freeze()


class _Progress:
    """A run being changed by one call: private copies of its maps, frozen at the end."""

    def __init__(self, definition: WorkflowDefinition, run: WorkflowRun, order: int) -> None:
        self.definition = definition
        self.status = run.status
        self.steps = dict(run.steps)
        self.branches = dict(run.branches)
        self.joins = dict(run.joins)
        self.completions = run.completions
        self.order = order

    def freeze(self) -> WorkflowRun:
        return WorkflowRun(self.status, self.steps, self.branches, self.joins, self.completions)

    def mark(self, step_id: str, status: StepStatus) -> None:
        self.steps[step_id] = StepState(step_id, status, order=self.order)

    def enter(self, step_id: str | None, branch: BranchRef | None) -> None:
        """Moves a path onto a step, passing structural steps until it waits for a person."""
        # A valid definition gives every work step and join a next step.
        assert step_id is not None
        step = self.definition.step(step_id)
        if step.kind.is_work:
            self.mark(step_id, StepStatus.ACTIVE)
        elif step.kind is StepKind.PARALLEL:
            self.mark(step_id, StepStatus.APPROVED)
            for head in step.branches:
                self.branches[BranchRef(step_id, head).key] = BranchState(
                    step_id, head, BranchStatus.ACTIVE
                )
            for head in step.branches:
                self.enter(head, BranchRef(step_id, head))
        elif step.kind is StepKind.JOIN:
            # Only a branch of the join's own fork leads to it.
            assert branch is not None
            self.arrive(branch, BranchStatus.PASSED)
        else:
            self.mark(step_id, StepStatus.APPROVED)
            self.finish(RunStatus.APPROVED)

    def fail(self, branch: BranchRef) -> None:
        """A branch failed: what is open in it is withdrawn and it arrives failed at its join."""
        self.withdraw(branch)
        self.arrive(branch, BranchStatus.FAILED)

    def arrive(self, branch: BranchRef, status: BranchStatus) -> None:
        """A branch reached its join, passed or failed; the join decides once it can."""
        self.branches[branch.key] = BranchState(branch.fork, branch.head, status)
        fork = self.definition.step(branch.fork)
        # A valid definition gives every parallel step a join, and every join a mode.
        assert fork.join is not None
        join = self.definition.step(fork.join)
        assert join.mode is not None
        refs = [BranchRef(fork.id, head) for head in fork.branches]
        statuses = [self.branches[ref.key].status for ref in refs]
        needed, passed = self.definition.needed(join.id), statuses.count(BranchStatus.PASSED)
        failed = statuses.count(BranchStatus.FAILED)
        satisfied = passed >= needed
        if not satisfied and failed <= len(refs) - needed:
            return
        still_open = [ref for ref in refs if self.branches[ref.key].status is BranchStatus.ACTIVE]
        self.joins[join.id] = JoinDecision(
            join.id, join.mode, needed, passed, failed, len(still_open), satisfied
        )
        for ref in still_open:
            self.withdraw(ref)
            self.branches[ref.key] = BranchState(ref.fork, ref.head, BranchStatus.CANCELLED)
        outer = self.definition.branch_of(join.id)
        if satisfied:
            self.mark(join.id, StepStatus.APPROVED)
            self.enter(join.next, outer)
            return
        self.mark(join.id, StepStatus.REJECTED)
        if outer is None:
            self.finish(RunStatus.REJECTED)
        else:
            self.fail(outer)

    def withdraw(self, inside: BranchRef | None = None) -> None:
        """Cancels the open steps and branches within a branch (nested ones too), or all."""

        def within(step_id: str) -> bool:
            return inside is None or inside in self.definition.enclosing(step_id)

        for step_id, state in list(self.steps.items()):
            if _is_active(state) and within(step_id):
                self.mark(step_id, StepStatus.CANCELLED)
        for key, branch in list(self.branches.items()):
            if _is_active(branch) and within(branch.fork):
                self.branches[key] = replace(branch, status=BranchStatus.CANCELLED)

    def finish(self, status: RunStatus) -> None:
        """Ends the run, withdrawing whatever is still open."""
        self.status = status
        self.withdraw()
