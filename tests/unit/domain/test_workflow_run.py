"""The workflow engine: how completions move one participant through a definition."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.registration.workflow.definition import (
    JoinMode,
    RejectAction,
    StepKind,
    UnknownStep,
    WorkflowDefinition,
    WorkflowInvalid,
)
from domain.registration.workflow.run import (
    BranchState,
    BranchStatus,
    JoinDecision,
    Outcome,
    RunFinished,
    RunStatus,
    StepNotActive,
    StepState,
    StepStatus,
    WorkflowRun,
    complete,
    start,
    stop,
)
from domain.shared.errors import NotFound, RuleViolation
from tests.unit.domain.test_workflow_definition import (
    NESTED,
    SAMPLE,
    definition_data,
    definitions,
    end,
    flow,
    fork,
    join,
    work,
)

APPROVED, REJECTED = Outcome.APPROVED, Outcome.REJECTED


def definition(data: dict[str, Any]) -> WorkflowDefinition:
    return WorkflowDefinition.parse(data)


def run_through(workflow: WorkflowDefinition, *completions: tuple[str, Outcome]) -> WorkflowRun:
    run = start(workflow)
    for step_id, outcome in completions:
        run = complete(workflow, run, step_id, outcome)
    return run


def statuses(run: WorkflowRun) -> dict[str, str]:
    return {step_id: state.status.value for step_id, state in run.steps.items()}


def branch_statuses(run: WorkflowRun) -> dict[str, str]:
    return {key: branch.status.value for key, branch in run.branches.items()}


LINEAR = definition(flow("a", work("a", "b"), work("b", "done", kind="approval"), end()))


def three_way(mode: str, required: int | None = None, **on_reject: str) -> WorkflowDefinition:
    """A fork into x, y and z closed by a join of the given mode."""
    extra = {} if required is None else {"required": required}
    return definition(
        flow(
            "p",
            fork("p", ["x", "y", "z"], "j"),
            *(
                work(b, "j", **({"on_reject": on_reject[b]} if b in on_reject else {}))
                for b in "xyz"
            ),
            join("j", "after", mode, **extra),
            work("after", "done"),
            end(),
        )
    )


# --- Linear paths ---------------------------------------------------------------------------


def test_a_new_run_waits_at_the_start_step() -> None:
    run = start(LINEAR)

    assert run == WorkflowRun(
        RunStatus.IN_PROGRESS, {"a": StepState("a", StepStatus.ACTIVE)}, {}, {}, 0
    )
    assert run.active_steps == ("a",)
    assert not run.is_finished


def test_approving_every_step_of_a_linear_workflow_approves_the_run() -> None:
    run = run_through(LINEAR, ("a", APPROVED))
    assert run.active_steps == ("b",)

    run = complete(LINEAR, run, "b", APPROVED, actor="reviewer-1", comment="looks fine")

    assert run.status is RunStatus.APPROVED
    assert run.is_finished
    assert run.active_steps == ()
    assert run.completions == 2
    assert run.steps["b"] == StepState(
        "b", StepStatus.APPROVED, Outcome.APPROVED, "reviewer-1", "looks fine", 2
    )
    assert run.steps["done"] == StepState("done", StepStatus.APPROVED, order=2)


def test_a_rejection_rejects_the_participant() -> None:
    run = run_through(LINEAR, ("a", APPROVED), ("b", REJECTED))

    assert run.status is RunStatus.REJECTED
    assert statuses(run) == {"a": "approved", "b": "rejected"}
    assert run.steps["b"].outcome is Outcome.REJECTED


def test_each_step_records_the_completion_that_set_it() -> None:
    run = run_through(LINEAR, ("a", APPROVED), ("b", APPROVED))

    assert [run.steps[s].order for s in ("a", "b", "done")] == [1, 2, 2]


# --- Parallel steps and joins ---------------------------------------------------------------


def test_a_parallel_step_activates_every_branch_head() -> None:
    run = start(three_way("ALL"))

    assert run.active_steps == ("x", "y", "z")
    assert statuses(run)["p"] == "approved"
    assert branch_statuses(run) == {"p/x": "active", "p/y": "active", "p/z": "active"}


def test_an_all_join_waits_for_every_branch() -> None:
    workflow = three_way("ALL")

    run = run_through(workflow, ("x", APPROVED), ("z", APPROVED))
    assert run.active_steps == ("y",)
    assert run.joins == {}

    run = complete(workflow, run, "y", APPROVED)
    assert run.active_steps == ("after",)
    assert run.joins["j"] == JoinDecision("j", JoinMode.ALL, 3, 3, 0, 0, True)
    assert branch_statuses(run) == {"p/x": "passed", "p/y": "passed", "p/z": "passed"}


def test_any_join_continues_on_the_first_pass_and_cancels_the_branches_still_open() -> None:
    run = run_through(three_way("ANY"), ("y", APPROVED))

    assert run.active_steps == ("after",)
    assert statuses(run) == {
        "p": "approved",
        "x": "cancelled",
        "y": "approved",
        "z": "cancelled",
        "j": "approved",
        "after": "active",
    }
    assert branch_statuses(run) == {"p/x": "cancelled", "p/y": "passed", "p/z": "cancelled"}
    assert run.joins["j"] == JoinDecision("j", JoinMode.ANY, 1, 1, 0, 2, True)


def test_any_join_cancels_the_active_steps_of_nested_branches_too() -> None:
    workflow = definition(NESTED)
    run = run_through(workflow, ("y", APPROVED))
    assert run.active_steps == ("u", "v", "x")

    run = complete(workflow, run, "x", APPROVED)

    assert run.active_steps == ("after",)
    assert statuses(run)["u"] == statuses(run)["v"] == "cancelled"
    assert branch_statuses(run) == {
        "p/x": "passed",
        "p/y": "cancelled",
        "q/u": "cancelled",
        "q/v": "cancelled",
    }


def test_an_n_of_m_join_continues_once_the_required_number_pass() -> None:
    workflow = three_way("N_OF_M", 2)

    run = run_through(workflow, ("x", APPROVED))
    assert run.active_steps == ("y", "z")

    run = complete(workflow, run, "z", APPROVED)
    assert run.active_steps == ("after",)
    assert run.joins["j"] == JoinDecision("j", JoinMode.N_OF_M, 2, 2, 0, 1, True)


def test_a_rejection_inside_a_branch_rejects_the_participant_by_default() -> None:
    run = run_through(three_way("ANY"), ("x", REJECTED))

    assert run.status is RunStatus.REJECTED
    assert run.active_steps == ()
    assert statuses(run) == {
        "p": "approved",
        "x": "rejected",
        "y": "cancelled",
        "z": "cancelled",
    }
    assert set(branch_statuses(run).values()) == {"cancelled"}


def test_fail_branch_fails_only_the_branch_and_the_join_decides() -> None:
    workflow = definition(SAMPLE)
    run = run_through(workflow, ("screening", APPROVED), ("security", REJECTED))

    assert run.status is RunStatus.IN_PROGRESS
    assert run.active_steps == ("docs",)
    assert branch_statuses(run) == {"checks/security": "failed", "checks/docs": "active"}

    run = complete(workflow, run, "docs", APPROVED)
    assert run.active_steps == ("final",)
    assert run.joins["checks_done"] == JoinDecision(
        "checks_done", JoinMode.N_OF_M, 1, 1, 1, 0, True
    )


def test_a_join_that_can_no_longer_be_satisfied_rejects_the_participant() -> None:
    workflow = three_way("N_OF_M", 2, x="fail_branch", y="fail_branch")
    run = run_through(workflow, ("x", REJECTED))
    assert run.active_steps == ("y", "z")

    run = complete(workflow, run, "y", REJECTED)

    assert run.status is RunStatus.REJECTED
    assert run.active_steps == ()
    assert run.joins["j"] == JoinDecision("j", JoinMode.N_OF_M, 2, 0, 2, 1, False)
    assert statuses(run)["j"] == "rejected"
    assert statuses(run)["z"] == "cancelled"


def test_an_impossible_inner_join_fails_the_outer_branch_and_the_outer_join_decides() -> None:
    workflow = definition(NESTED)  # outer join j is ANY, inner join k is ALL, u may fail
    run = run_through(workflow, ("y", APPROVED), ("u", REJECTED))

    assert run.status is RunStatus.IN_PROGRESS
    assert run.active_steps == ("x",)
    assert run.joins["k"] == JoinDecision("k", JoinMode.ALL, 2, 0, 1, 1, False)
    assert branch_statuses(run) == {
        "p/x": "active",
        "p/y": "failed",
        "q/u": "failed",
        "q/v": "cancelled",
    }

    run = complete(workflow, run, "x", APPROVED)
    assert run.active_steps == ("after",)
    assert run.joins["j"] == JoinDecision("j", JoinMode.ANY, 1, 1, 1, 0, True)


def test_an_impossible_inner_join_under_an_all_join_rejects_the_participant() -> None:
    data = copy.deepcopy(NESTED)
    data["steps"][7]["mode"] = "ALL"
    run = run_through(definition(data), ("y", APPROVED), ("u", REJECTED))

    assert run.status is RunStatus.REJECTED
    assert run.active_steps == ()
    assert statuses(run)["x"] == "cancelled"
    assert run.joins["j"] == JoinDecision("j", JoinMode.ALL, 2, 0, 1, 1, False)


# --- What cannot be completed -------------------------------------------------------------


def test_completing_a_step_not_reached_yet_names_the_active_steps() -> None:
    with pytest.raises(StepNotActive) as refused:
        complete(LINEAR, start(LINEAR), "b", APPROVED)

    assert isinstance(refused.value, RuleViolation)
    assert refused.value.code == "step-not-active"
    assert refused.value.detail == "the step 'b' is not active; the active steps are 'a'"


def test_completing_a_cancelled_or_completed_step_is_refused() -> None:
    workflow = three_way("ANY")
    run = run_through(workflow, ("x", APPROVED))

    for step_id in ("x", "y", "j"):
        with pytest.raises(StepNotActive):
            complete(workflow, run, step_id, APPROVED)


def test_completing_a_step_the_definition_lacks_is_not_found() -> None:
    with pytest.raises(UnknownStep) as refused:
        complete(LINEAR, start(LINEAR), "ghost", APPROVED)

    assert isinstance(refused.value, NotFound)
    assert refused.value.code == "unknown-step"


def test_a_finished_run_refuses_completions() -> None:
    run = run_through(LINEAR, ("a", REJECTED))

    with pytest.raises(StepNotActive) as refused:
        complete(LINEAR, run, "a", APPROVED)

    assert refused.value.detail == "the workflow is rejected; no step is active"


def test_complete_leaves_the_run_it_was_given_unchanged() -> None:
    workflow = definition(SAMPLE)
    run = run_through(workflow, ("screening", APPROVED))
    before = copy.deepcopy(run)

    after = complete(workflow, run, "docs", APPROVED)

    assert run == before
    assert after != run
    assert run.active_steps == ("docs", "security")


# --- Stopping -------------------------------------------------------------------------------


def test_stopping_a_run_in_progress_cancels_what_is_open() -> None:
    workflow = definition(SAMPLE)
    run = run_through(workflow, ("screening", APPROVED))

    stopped = stop(workflow, run)

    assert stopped.status is RunStatus.STOPPED
    assert stopped.active_steps == ()
    assert stopped.steps["docs"] == StepState("docs", StepStatus.CANCELLED, order=2)
    assert stopped.branches["checks/docs"] == BranchState("checks", "docs", BranchStatus.CANCELLED)
    assert run.status is RunStatus.IN_PROGRESS


def test_an_approved_participant_may_still_withdraw() -> None:
    run = run_through(LINEAR, ("a", APPROVED), ("b", APPROVED))

    assert stop(LINEAR, run).status is RunStatus.STOPPED


@pytest.mark.parametrize("finished", ["rejected", "stopped"])
def test_a_rejected_or_stopped_run_cannot_be_stopped(finished: str) -> None:
    rejected = run_through(LINEAR, ("a", REJECTED))
    run = rejected if finished == "rejected" else stop(LINEAR, start(LINEAR))

    with pytest.raises(RunFinished) as refused:
        stop(LINEAR, run)

    assert refused.value.code == "workflow-finished"
    assert refused.value.detail == f"the workflow is already {finished}"


# --- Invariants over generated workflows and random completions ---------------------------


def on_the_path(workflow: WorkflowDefinition, run: WorkflowRun, join_id: str) -> bool:
    """A join lies on the path taken when every branch around it passed."""
    return all(
        run.branches[ref.key].status is BranchStatus.PASSED for ref in workflow.enclosing(join_id)
    )


def check_invariants(workflow: WorkflowDefinition, run: WorkflowRun) -> None:
    active_branches = [b for b in run.branches.values() if b.status is BranchStatus.ACTIVE]
    assert all(workflow.step(s).kind.is_work for s in run.active_steps)
    assert run.is_finished == (run.status is not RunStatus.IN_PROGRESS)
    if run.status is RunStatus.IN_PROGRESS:
        assert run.active_steps
    else:
        assert run.active_steps == ()
        assert active_branches == []
    for decision in run.joins.values():
        assert decision.required == workflow.needed(decision.join)
        assert decision.satisfied == (decision.passed >= decision.required)
        assert decision.passed + decision.failed + decision.cancelled == workflow.branch_count(
            decision.join
        )
    if run.status is RunStatus.APPROVED:
        assert any(
            workflow.step(s).kind is StepKind.END and state.status is StepStatus.APPROVED
            for s, state in run.steps.items()
        )
        assert not any(
            state.status is StepStatus.REJECTED
            and workflow.step(s).kind.is_work
            and workflow.step(s).on_reject is RejectAction.REJECT_PARTICIPANT
            for s, state in run.steps.items()
        )
        for decision in run.joins.values():
            if on_the_path(workflow, run, decision.join):
                assert decision.satisfied
                assert decision.passed >= decision.required


@given(definitions, st.data())
def test_random_completions_keep_the_run_consistent_and_replay_to_the_same_run(
    workflow: WorkflowDefinition, pick: st.DataObject
) -> None:
    run = start(workflow)
    done: list[tuple[str, Outcome]] = []
    check_invariants(workflow, run)
    while not run.is_finished and len(done) < 60:
        step_id = pick.draw(st.sampled_from(run.active_steps))
        outcome = pick.draw(st.sampled_from(Outcome))
        before = copy.deepcopy(run)
        after = complete(workflow, run, step_id, outcome)
        assert run == before
        run = after
        done.append((step_id, outcome))
        assert run.completions == len(done)
        check_invariants(workflow, run)

    assert run_through(workflow, *done) == run
    if run.is_finished:
        any_step = pick.draw(st.sampled_from([s.id for s in workflow.steps]))
        with pytest.raises(StepNotActive):
            complete(workflow, run, any_step, APPROVED)


@given(definitions, st.data())
def test_stopping_at_any_point_leaves_nothing_open(
    workflow: WorkflowDefinition, pick: st.DataObject
) -> None:
    run = start(workflow)
    for _ in range(pick.draw(st.integers(0, 5))):
        if run.is_finished:
            break
        run = complete(workflow, run, pick.draw(st.sampled_from(run.active_steps)), APPROVED)

    stopped = stop(workflow, run)

    assert stopped.status is RunStatus.STOPPED
    assert stopped.active_steps == ()
    assert all(b.status is not BranchStatus.ACTIVE for b in stopped.branches.values())
    # Stopping withdraws the open steps and touches nothing already decided.
    decided = {s: state for s, state in run.steps.items() if state.status is not StepStatus.ACTIVE}
    assert {s: stopped.steps[s] for s in decided} == decided
    assert set(stopped.steps) == set(run.steps)


@given(definitions)
def test_approving_every_step_always_approves_the_run(workflow: WorkflowDefinition) -> None:
    run = start(workflow)
    while not run.is_finished:
        run = complete(workflow, run, run.active_steps[0], APPROVED)

    assert run.status is RunStatus.APPROVED
    assert all(decision.satisfied for decision in run.joins.values())


@given(definition_data(), st.data())
def test_a_rewired_workflow_is_either_refused_or_runs_consistently(
    data: dict[str, Any], pick: st.DataObject
) -> None:
    ids = st.sampled_from([step["id"] for step in data["steps"]])
    for _ in range(pick.draw(st.integers(1, 3))):
        step = pick.draw(st.sampled_from(data["steps"]))
        key = pick.draw(st.sampled_from(["next", "join", "branches", "kind", "start"]))
        if key == "start":
            data["start"] = pick.draw(ids)
        elif key == "kind":
            step["kind"] = pick.draw(st.sampled_from(StepKind)).value
        else:
            step[key] = pick.draw(
                st.lists(ids, min_size=2, max_size=3) if key == "branches" else ids
            )
    try:
        workflow = WorkflowDefinition.parse(data)
    except WorkflowInvalid:
        return
    run = start(workflow)
    while not run.is_finished and run.completions < 60:
        step_id = pick.draw(st.sampled_from(run.active_steps))
        run = complete(workflow, run, step_id, pick.draw(st.sampled_from(Outcome)))
        check_invariants(workflow, run)
