"""Workflow definitions: what parse() accepts, what it refuses and how it says why."""

from __future__ import annotations

import copy
import itertools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.registration.workflow.definition import (
    MAX_STEPS,
    BranchRef,
    JoinMode,
    RejectAction,
    Step,
    StepKind,
    UnknownStep,
    WorkflowDefinition,
    WorkflowInvalid,
)
from domain.shared.errors import DomainError, NotFound

WORK_KINDS = [kind for kind in StepKind if kind.is_work]

SAMPLE: dict[str, Any] = {
    "start": "screening",
    "steps": [
        {"id": "screening", "kind": "review", "name": "Initial screening", "next": "checks"},
        {
            "id": "checks",
            "kind": "parallel",
            "name": "Checks",
            "branches": ["security", "docs"],
            "join": "checks_done",
        },
        {
            "id": "security",
            "kind": "security_check",
            "name": "Security vetting",
            "next": "checks_done",
            "on_reject": "fail_branch",
        },
        {"id": "docs", "kind": "document_check", "name": "ID document", "next": "checks_done"},
        {
            "id": "checks_done",
            "kind": "join",
            "name": "Checks done",
            "mode": "N_OF_M",
            "required": 1,
            "next": "final",
        },
        {"id": "final", "kind": "approval", "name": "Final approval", "next": "done"},
        {"id": "done", "kind": "end", "name": "Accredited"},
    ],
}


# Compact builders for the JSON clients send.
def work(step_id: str, next_id: str, kind: str = "review", **extra: Any) -> dict[str, Any]:
    return {"id": step_id, "kind": kind, "name": step_id.title(), "next": next_id, **extra}


def fork(step_id: str, branches: list[str], join_id: str) -> dict[str, Any]:
    return {
        "id": step_id,
        "kind": "parallel",
        "name": step_id.title(),
        "branches": branches,
        "join": join_id,
    }


def join(step_id: str, next_id: str, mode: str = "ALL", **extra: Any) -> dict[str, Any]:
    return {
        "id": step_id,
        "kind": "join",
        "name": step_id.title(),
        "mode": mode,
        "next": next_id,
        **extra,
    }


def end(step_id: str = "done") -> dict[str, Any]:
    return {"id": step_id, "kind": "end", "name": "Accredited"}


def flow(start: str, *steps: dict[str, Any]) -> dict[str, Any]:
    return {"start": start, "steps": list(steps)}


def problems(data: Any) -> list[tuple[str, str]]:
    with pytest.raises(WorkflowInvalid) as refused:
        WorkflowDefinition.parse(data)
    return refused.value.errors


def sample_with(index: int, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(SAMPLE)
    data["steps"][index].update(changes)
    return data


# --- What is accepted ---------------------------------------------------------------------


def test_the_sample_workflow_is_accepted_and_written_back_unchanged() -> None:
    definition = WorkflowDefinition.parse(SAMPLE)

    assert definition.to_dict() == SAMPLE
    assert WorkflowDefinition.parse(definition.to_dict()) == definition


def test_the_steps_are_read_into_typed_values() -> None:
    definition = WorkflowDefinition.parse(SAMPLE)

    assert definition.start == "screening"
    assert definition.step("security") == Step(
        id="security",
        kind=StepKind.SECURITY_CHECK,
        name="Security vetting",
        next="checks_done",
        on_reject=RejectAction.FAIL_BRANCH,
    )
    assert definition.step("checks").branches == ("security", "docs")
    assert definition.step("checks_done").mode is JoinMode.N_OF_M


def test_the_lookups_say_which_branch_and_fork_each_step_belongs_to() -> None:
    definition = WorkflowDefinition.parse(SAMPLE)

    assert definition.branch_of("security") == BranchRef("checks", "security")
    assert definition.branch_of("docs") == BranchRef("checks", "docs")
    assert definition.branch_of("checks") is None
    assert definition.branch_of("checks_done") is None
    assert definition.fork_of("checks_done").id == "checks"
    assert definition.branch_count("checks_done") == 2
    assert definition.needed("checks_done") == 1


def test_nested_branches_are_listed_innermost_first() -> None:
    definition = WorkflowDefinition.parse(NESTED)

    assert definition.enclosing("u") == (BranchRef("q", "u"), BranchRef("p", "y"))
    assert definition.enclosing("q") == (BranchRef("p", "y"),)
    assert definition.enclosing("k") == (BranchRef("p", "y"),)
    assert definition.enclosing("after") == ()


@pytest.mark.parametrize(
    ("mode", "required", "needed"), [("ALL", None, 3), ("ANY", None, 1), ("N_OF_M", 2, 2)]
)
def test_a_join_needs_all_any_or_the_required_number_of_branches(
    mode: str, required: int | None, needed: int
) -> None:
    extra = {} if required is None else {"required": required}
    definition = WorkflowDefinition.parse(
        flow(
            "p",
            fork("p", ["a", "b", "c"], "j"),
            work("a", "j"),
            work("b", "j"),
            work("c", "j"),
            join("j", "done", mode, **extra),
            end(),
        )
    )

    assert definition.needed("j") == needed


def test_names_are_trimmed_and_step_ids_may_be_64_characters() -> None:
    long_id = "a" * 64
    definition = WorkflowDefinition.parse(
        flow(long_id, work(long_id, "done", name="  Say \t hi "), end())
    )

    assert definition.step(long_id).name == "Say hi"


def test_asking_for_a_step_the_workflow_lacks_is_not_found() -> None:
    definition = WorkflowDefinition.parse(SAMPLE)

    with pytest.raises(UnknownStep) as missing:
        definition.step("nowhere")

    assert isinstance(missing.value, NotFound)
    assert missing.value.code == "unknown-step"


def test_building_a_definition_directly_runs_the_same_rules() -> None:
    with pytest.raises(WorkflowInvalid) as refused:
        WorkflowDefinition("a", (Step("a", StepKind.REVIEW, "A", next="a"),))

    assert ("steps[0].next", "the steps a -> a form a cycle") in refused.value.errors


def test_the_error_has_a_stable_code_and_a_one_line_summary() -> None:
    with pytest.raises(WorkflowInvalid) as refused:
        WorkflowDefinition.parse({"start": "x", "steps": []})

    error = refused.value
    assert isinstance(error, DomainError)
    assert error.code == "workflow-invalid"
    assert error.title == "The workflow definition is not valid"
    assert error.detail == (
        "2 problems in the workflow definition, the first at steps: "
        "a workflow needs at least one step"
    )
    assert "\n" not in error.detail


# --- Rule 1: the JSON shape, ids, references and keys per kind --------------------------


@pytest.mark.parametrize("data", [[], "workflow", 3, None])
def test_a_workflow_that_is_not_an_object_is_refused(data: Any) -> None:
    assert problems(data) == [("workflow", "a workflow must be a JSON object")]


def test_unknown_top_level_keys_are_refused() -> None:
    assert ("workflow", "unknown key 'colour'") in problems({**SAMPLE, "colour": "red"})


def test_the_start_and_the_steps_are_required() -> None:
    assert problems({}) == [
        ("start", "the start is required"),
        ("steps", "the steps are required"),
    ]


def test_steps_must_be_a_non_empty_list_of_objects() -> None:
    assert ("steps", "the steps must be a list") in problems({"start": "a", "steps": {"a": 1}})
    assert ("steps", "a workflow needs at least one step") in problems({"start": "a", "steps": []})
    assert ("steps[0]", "a step must be a JSON object") in problems({"start": "a", "steps": ["a"]})


def test_more_than_the_maximum_number_of_steps_is_refused() -> None:
    steps = [work(f"s{i}", f"s{i + 1}") for i in range(MAX_STEPS)] + [end(f"s{MAX_STEPS}")]

    assert problems(flow("s0", *steps)) == [("steps", "a workflow has at most 100 steps, not 101")]


def test_exactly_the_maximum_number_of_steps_is_accepted() -> None:
    steps = [work(f"s{i}", f"s{i + 1}") for i in range(MAX_STEPS - 1)] + [end(f"s{MAX_STEPS - 1}")]

    assert len(WorkflowDefinition.parse(flow("s0", *steps)).steps) == MAX_STEPS


@pytest.mark.parametrize("bad_id", ["", "a" * 65, "has space", "slash/ed", "é", 7, None, ["a"]])
def test_a_step_id_must_be_1_to_64_letters_digits_underscores_or_dashes(bad_id: Any) -> None:
    found = problems(sample_with(0, id=bad_id))

    assert ("steps[0].id", "the id must be a step id: 1 to 64 letters, digits, '_' or '-'") in found


def test_step_ids_must_be_unique() -> None:
    found = problems(sample_with(3, id="security"))

    assert ("steps[3].id", "the id 'security' is used by steps[2]") in found


def test_a_step_needs_an_id_a_known_kind_and_a_name() -> None:
    assert problems(flow("a", {}, end())) == [
        ("steps[0].id", "the id is required"),
        (
            "steps[0].kind",
            "the kind must be one of approval, review, document_check, security_check, "
            "payment_check, photo_check, interview, parallel, join, end",
        ),
        ("steps[0].name", "the name is required"),
        ("start", "no step with id 'a'"),
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("   ", "the name must not be blank"),
        ("x" * 201, "the name must be at most 200 characters"),
        ("nul\x00", "the name must not contain control characters"),
        (12, "the name must be text"),
        (None, "the name must be text"),
    ],
)
def test_a_step_name_must_be_text_neither_blank_nor_too_long(name: Any, message: str) -> None:
    assert problems(sample_with(0, name=name)) == [("steps[0].name", message)]


def test_the_start_must_name_a_step() -> None:
    assert problems({**SAMPLE, "start": "nowhere"}) == [("start", "no step with id 'nowhere'")]


@pytest.mark.parametrize(
    ("index", "key", "value", "at"),
    [
        (0, "next", "nowhere", "steps[0].next"),
        (1, "branches", ["security", "nowhere"], "steps[1].branches[1]"),
        (1, "join", "nowhere", "steps[1].join"),
    ],
)
def test_every_reference_must_name_a_step(index: int, key: str, value: Any, at: str) -> None:
    assert (at, "no step with id 'nowhere'") in problems(sample_with(index, **{key: value}))


def test_a_key_another_kind_takes_is_refused_on_this_kind() -> None:
    found = problems(sample_with(0, branches=["security", "docs"]))

    assert found == [("steps[0].branches", "a review step has no 'branches'")]


def test_a_key_no_kind_takes_is_refused() -> None:
    assert problems(sample_with(0, colour="red")) == [("steps[0]", "unknown key 'colour'")]


def test_an_end_step_has_no_next() -> None:
    assert ("steps[6].next", "an end step has no 'next'") in problems(sample_with(6, next="final"))


@pytest.mark.parametrize("kind", [*WORK_KINDS, "join"])
def test_work_and_join_steps_need_a_next_step(kind: str) -> None:
    article = "an" if kind in ("approval", "interview") else "a"
    step = {"id": "a", "kind": kind, "name": "A"} | ({"mode": "ALL"} if kind == "join" else {})

    assert ("steps[0].next", f"{article} {kind} step needs a 'next' step") in problems(
        flow("a", step, end())
    )


def test_null_is_not_a_value_for_an_optional_key() -> None:
    found = problems(sample_with(0, next=None))

    assert found == [
        ("steps[0].next", "the next must be a step id: 1 to 64 letters, digits, '_' or '-'")
    ]


def test_a_parallel_step_needs_two_distinct_branches_and_a_join() -> None:
    one = problems(sample_with(1, branches=["security"]))
    twice = problems(sample_with(1, branches=["security", "docs", "docs"]))
    no_join = copy.deepcopy(SAMPLE)
    del no_join["steps"][1]["join"]

    assert ("steps[1].branches", "a parallel step needs at least 2 branches") in one
    assert ("steps[1].branches[2]", "the branch 'docs' is listed twice") in twice
    assert ("steps[1].join", "a parallel step needs a 'join' step") in problems(no_join)


def test_a_parallel_step_must_name_a_join_step_as_its_join() -> None:
    found = problems(sample_with(1, join="final"))

    assert ("steps[1].join", "'final' is an approval step, not a join") in found


def test_the_branches_must_be_a_list_of_ids() -> None:
    assert ("steps[1].branches", "the branches must be a list of at most 100 step ids") in problems(
        sample_with(1, branches="security")
    )
    assert (
        "steps[1].branches[0]",
        "the branch must be a step id: 1 to 64 letters, digits, '_' or '-'",
    ) in problems(sample_with(1, branches=[3, "docs"]))


# --- Rule 2: only a join merges paths -----------------------------------------------------


def test_a_step_reached_from_two_steps_is_refused_only_a_join_merges() -> None:
    found = problems(flow("a", work("a", "c"), work("b", "c"), work("c", "done"), end()))

    assert ("steps[2]", "the step 'c' follows 'a', 'b'; only a join merges paths") in found


def test_the_start_must_not_follow_another_step() -> None:
    found = problems(flow("a", work("a", "done"), work("b", "a"), end()))

    assert ("start", "the start 'a' must not follow 'b'") in found


def test_the_start_is_neither_a_join_nor_an_end() -> None:
    at_a_join = problems(flow("j", join("j", "done"), end()))
    at_the_end = problems({**SAMPLE, "start": "done"})

    assert ("start", "the start must be a work or parallel step, not a join step") in at_a_join
    assert ("start", "the start must be a work or parallel step, not an end step") in at_the_end


def test_a_join_named_by_no_parallel_step_is_refused() -> None:
    found = problems(flow("a", work("a", "j"), join("j", "done"), end()))

    assert (
        "steps[1]",
        "the join 'j' is named by no parallel step; a join closes exactly one",
    ) in found


def test_a_join_named_by_two_parallel_steps_is_refused() -> None:
    found = problems(
        flow(
            "p",
            fork("p", ["a", "b"], "j"),
            work("a", "j"),
            work("b", "j"),
            join("j", "q"),
            fork("q", ["c", "d"], "j"),
            work("c", "j"),
            work("d", "j"),
            end(),
        )
    )

    assert ("steps[3]", "the join 'j' closes 'p', 'q'; a join closes exactly one") in found


def test_a_step_outside_the_branches_must_not_lead_to_their_join() -> None:
    found = problems(
        flow(
            "p",
            fork("p", ["a", "b"], "j"),
            work("a", "j"),
            work("b", "j"),
            work("w", "j"),
            join("j", "done"),
            end(),
        )
    )

    assert (
        "steps[3].next",
        "'w' leads to the join 'j' from outside its branches; only a join merges paths",
    ) in found


# --- Rule 3: no cycles, everything reachable, an end in reach ------------------------------


def test_a_cycle_is_refused_naming_its_steps() -> None:
    found = problems(flow("a", work("a", "b"), work("b", "c"), work("c", "b"), end()))

    assert ("steps[2].next", "the steps b -> c -> b form a cycle") in found


def test_a_step_the_start_cannot_reach_is_refused() -> None:
    found = problems(flow("a", work("a", "done"), work("b", "done"), end()))

    assert ("steps[1]", "the step 'b' cannot be reached from the start 'a'") in found


def test_a_workflow_without_an_end_is_refused() -> None:
    found = problems(flow("a", work("a", "b"), work("b", "a")))

    assert ("steps", "a workflow needs at least one end step") in found


def test_a_step_from_which_no_end_can_be_reached_is_refused() -> None:
    found = problems(flow("a", work("a", "done"), work("b", "c"), work("c", "b"), end()))

    assert ("steps[1]", "no end step can be reached from 'b'") in found
    assert ("steps[2]", "no end step can be reached from 'c'") in found


# --- Rule 4: every branch reaches its own join --------------------------------------------

NESTED: dict[str, Any] = flow(
    "p",
    fork("p", ["x", "y"], "j"),
    work("x", "j"),
    work("y", "q"),
    fork("q", ["u", "v"], "k"),
    work("u", "k", on_reject="fail_branch"),
    work("v", "k"),
    join("k", "j"),
    join("j", "after", "ANY"),
    work("after", "done"),
    end(),
)


def test_parallel_steps_may_nest_inside_branches() -> None:
    assert WorkflowDefinition.parse(NESTED).to_dict() == NESTED


def test_a_branch_that_reaches_an_end_before_its_join_is_refused() -> None:
    found = problems(
        flow(
            "p",
            fork("p", ["x", "y"], "j"),
            work("x", "j"),
            work("y", "done"),
            join("j", "done"),
            end(),
        )
    )

    assert (
        "steps[0].branches[1]",
        "the branch 'y' of 'p' reaches the end 'done' before its join 'j'",
    ) in found


def test_a_branch_that_reaches_another_join_before_its_own_is_refused() -> None:
    data = copy.deepcopy(NESTED)
    data["steps"][5]["next"] = "j"

    found = problems(data)

    assert (
        "steps[3].branches[1]",
        "the branch 'v' of 'q' reaches the join 'j' before its join 'k'",
    ) in found


def test_an_empty_branch_is_refused() -> None:
    found = problems(
        flow("p", fork("p", ["j", "x"], "j"), work("x", "j"), join("j", "done"), end())
    )

    assert (
        "steps[0].branches[0]",
        "the branch 'j' of 'p' is empty: it starts at the join 'j'",
    ) in found


# --- Rule 5: join modes --------------------------------------------------------------------


def test_a_join_needs_a_mode() -> None:
    data = copy.deepcopy(SAMPLE)
    del data["steps"][4]["mode"]
    del data["steps"][4]["required"]

    assert problems(data) == [("steps[4].mode", "a join step needs a 'mode'")]


def test_an_unknown_join_mode_is_refused() -> None:
    found = problems(sample_with(4, mode="MOST"))

    assert ("steps[4].mode", "the mode must be one of ALL, ANY, N_OF_M") in found


def test_an_n_of_m_join_needs_the_required_number() -> None:
    data = copy.deepcopy(SAMPLE)
    del data["steps"][4]["required"]

    assert problems(data) == [("steps[4].required", "an N_OF_M join needs 'required'")]


@pytest.mark.parametrize("mode", ["ALL", "ANY"])
def test_only_an_n_of_m_join_takes_the_required_number(mode: str) -> None:
    found = problems(sample_with(4, mode=mode))

    assert found == [("steps[4].required", "only an N_OF_M join takes 'required'")]


@pytest.mark.parametrize(
    ("required", "message"),
    [
        (0, "the required number must be at least 1"),
        (3, "3 branches required; 'checks' has 2"),
        (True, "the required number must be a whole number"),
        (1.0, "the required number must be a whole number"),
        ("1", "the required number must be a whole number"),
    ],
)
def test_the_required_number_is_a_whole_number_from_1_to_the_branches(
    required: Any, message: str
) -> None:
    assert problems(sample_with(4, required=required)) == [("steps[4].required", message)]


def test_requiring_every_branch_of_an_n_of_m_join_is_accepted() -> None:
    assert WorkflowDefinition.parse(sample_with(4, required=2)).needed("checks_done") == 2


# --- Rule 6: fail_branch only inside a branch ----------------------------------------------


def test_fail_branch_outside_every_branch_is_refused() -> None:
    found = problems(sample_with(0, on_reject="fail_branch"))

    assert found == [
        ("steps[0].on_reject", "'screening' lies in no parallel branch, so has none to fail")
    ]


def test_an_unknown_reject_action_is_refused() -> None:
    found = problems(sample_with(2, on_reject="shrug"))

    assert found == [
        ("steps[2].on_reject", "the on_reject must be one of reject_participant, fail_branch")
    ]


def test_on_reject_is_only_for_work_steps() -> None:
    found = problems(sample_with(4, on_reject="fail_branch"))

    assert found == [("steps[4].on_reject", "a join step has no 'on_reject'")]


# --- All at once ---------------------------------------------------------------------------


def test_every_problem_found_is_listed_in_one_answer() -> None:
    data = copy.deepcopy(SAMPLE)
    data["steps"][0]["name"] = ""
    data["steps"][1]["branches"] = ["security", "ghost"]
    data["steps"][3]["id"] = "security"
    data["steps"][5]["colour"] = "red"

    assert problems(data) == [
        ("steps[0].name", "the name must not be blank"),
        ("steps[5]", "unknown key 'colour'"),
        ("steps[3].id", "the id 'security' is used by steps[2]"),
        ("steps[1].branches[1]", "no step with id 'ghost'"),
    ]


# --- Generated definitions -----------------------------------------------------------------


@st.composite
def definition_data(draw: st.DrawFn, max_depth: int = 3, branched: bool = False) -> dict[str, Any]:
    """Random valid series-parallel workflows, as the JSON a client would send."""
    steps: list[dict[str, Any]] = []
    ids = (f"s{n}" for n in itertools.count())

    def sequence(depth: int, inside: bool, then: str) -> str:
        # Built back to front: each step is made once the step it leads to has an id.
        target = then
        for _ in range(draw(st.integers(1, 3 if len(steps) < 30 else 1))):
            if depth > 0 and len(steps) < 30 and draw(st.integers(0, 2)) == 0:
                target = parallel(depth - 1, then=target)
                continue
            step = {
                "id": next(ids),
                "kind": draw(st.sampled_from(WORK_KINDS)).value,
                "name": "Work",
                "next": target,
            }
            on_reject = draw(st.sampled_from([None, *RejectAction])) if inside else None
            if on_reject is not None:
                step["on_reject"] = on_reject.value
            steps.append(step)
            target = step["id"]
        return target

    def parallel(depth: int, then: str) -> str:
        fork_id, join_id = next(ids), next(ids)
        width = draw(st.integers(2, 3))
        mode = draw(st.sampled_from(JoinMode))
        join_step = join(join_id, then, mode.value)
        if mode is JoinMode.N_OF_M:
            join_step["required"] = draw(st.integers(1, width))
        steps.append(join_step)
        heads = [sequence(depth, inside=True, then=join_id) for _ in range(width)]
        steps.append(fork(fork_id, heads, join_id))
        return fork_id

    steps.append(end("end"))
    depth = draw(st.integers(1 if branched else 0, max_depth))
    tail = parallel(depth - 1, then="end") if branched else "end"
    start = (
        sequence(depth, inside=False, then=tail) if tail == "end" or draw(st.booleans()) else tail
    )
    return {"start": start, "steps": draw(st.permutations(steps))}


definitions = definition_data().map(WorkflowDefinition.parse)


@given(definition_data())
def test_generated_valid_workflows_are_accepted_and_round_trip(data: dict[str, Any]) -> None:
    definition = WorkflowDefinition.parse(data)

    assert WorkflowDefinition.parse(definition.to_dict()) == definition


def refused(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(WorkflowInvalid) as invalid:
        WorkflowDefinition.parse(data)
    assert invalid.value.errors
    return invalid.value.errors


def ancestors(definition: WorkflowDefinition, step_id: str) -> set[str]:
    """The steps from which a path leads to this one."""
    found: set[str] = set()
    for step in definition.steps:
        targets = step.branches if step.kind is StepKind.PARALLEL else (step.next,)
        if step_id in targets:
            found |= {step.id, *ancestors(definition, step.id)}
    return found


def index_of(data: dict[str, Any], step_id: str) -> int:
    return next(i for i, step in enumerate(data["steps"]) if step["id"] == step_id)


def work_ids(data: dict[str, Any]) -> list[str]:
    return [step["id"] for step in data["steps"] if StepKind(step["kind"]).is_work]


@given(definition_data(), st.data())
def test_pointing_a_step_back_at_an_earlier_one_is_refused_as_a_cycle(
    data: dict[str, Any], pick: st.DataObject
) -> None:
    definition = WorkflowDefinition.parse(data)
    step_id = pick.draw(st.sampled_from(work_ids(data)))
    earlier = pick.draw(st.sampled_from(sorted({step_id, *ancestors(definition, step_id)})))
    data["steps"][index_of(data, step_id)]["next"] = earlier

    assert any(message.endswith("form a cycle") for _, message in refused(data))


@given(definition_data(), st.data())
def test_a_dangling_reference_is_refused(data: dict[str, Any], pick: st.DataObject) -> None:
    step = pick.draw(st.sampled_from([s for s in data["steps"] if s["kind"] != "end"]))
    key = pick.draw(st.sampled_from(["branches", "join"])) if step["kind"] == "parallel" else "next"
    if key == "branches":
        step["branches"][pick.draw(st.integers(0, len(step["branches"]) - 1))] = "ghost"
    else:
        step[key] = "ghost"

    assert any(message == "no step with id 'ghost'" for _, message in refused(data))


@given(definition_data(branched=True), st.data())
def test_a_branch_that_skips_its_join_for_the_end_is_refused(
    data: dict[str, Any], pick: st.DataObject
) -> None:
    definition = WorkflowDefinition.parse(data)
    inside = [s for s in work_ids(data) if definition.branch_of(s) is not None]
    data["steps"][index_of(data, pick.draw(st.sampled_from(inside)))]["next"] = "end"

    refused(data)


@given(definition_data(), st.data())
def test_a_duplicated_id_is_refused(data: dict[str, Any], pick: st.DataObject) -> None:
    if len(data["steps"]) < 2:
        return
    first, second = pick.draw(
        st.lists(st.sampled_from(data["steps"]), min_size=2, max_size=2, unique_by=id)
    )
    second["id"] = first["id"]

    assert any("is used by" in message for _, message in refused(data))


@given(definition_data())
def test_dropping_the_end_is_refused(data: dict[str, Any]) -> None:
    data["steps"] = [step for step in data["steps"] if step["kind"] != "end"]

    refused(data)


# Mostly the words of a workflow, so the junk often gets past the first checks.
KEYS = ["start", "steps", "id", "kind", "name", "next", "branches", "join", "mode", "required"]
VALUES = ["a", "b", "done", "review", "parallel", "end", "ALL", "ANY", "N_OF_M", "fail_branch"]
WORDS = st.sampled_from([*KEYS, "on_reject", *VALUES])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8) | WORDS,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(WORDS | st.text(max_size=8), inner, max_size=6)
    ),
    max_leaves=30,
)


def parsed_or_refused(data: Any) -> WorkflowDefinition | WorkflowInvalid:
    try:
        return WorkflowDefinition.parse(data)
    except WorkflowInvalid as invalid:
        return invalid


@given(JSON)
def test_any_json_is_either_a_definition_or_a_workflow_invalid(data: Any) -> None:
    result = parsed_or_refused(data)

    assert isinstance(result, WorkflowDefinition) or result.errors


@given(definition_data(), st.data())
def test_a_valid_workflow_with_one_value_replaced_by_junk_is_a_definition_or_refused(
    data: dict[str, Any], pick: st.DataObject
) -> None:
    step = pick.draw(st.sampled_from(data["steps"]))
    step[pick.draw(WORDS)] = pick.draw(JSON)

    result = parsed_or_refused(data)

    assert isinstance(result, WorkflowDefinition) or result.errors
