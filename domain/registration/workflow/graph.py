"""The rules a workflow graph obeys as a whole, and the lookups the engine needs from it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from domain.registration.workflow.steps import (
    MAX_STEPS,
    BranchRef,
    Problems,
    RejectAction,
    Step,
    StepKind,
    WorkflowInvalid,
    a_kind,
    edges,
    listed,
)


@dataclass(frozen=True)
class Shape:
    """The lookups the engine needs, worked out once when the definition is checked."""

    by_id: Mapping[str, Step]
    forks: Mapping[str, Step]  # join id -> the parallel step it closes
    chains: Mapping[str, tuple[BranchRef, ...]]  # step id -> branches around it, innermost first


def too_many(count: int, problems: Problems) -> bool:
    if count > MAX_STEPS:
        problems.add("steps", f"a workflow has at most {MAX_STEPS} steps, not {count}")
    return count > MAX_STEPS


def reference_problems(
    start: str | None,
    steps: Sequence[tuple[int, Step]],
    ids: Sequence[tuple[int, str]],
    count: int,
) -> Problems:
    """Rules on single steps and on the ids they name: shape per kind, unique ids, targets."""
    problems = Problems()
    if not too_many(count, problems) and count == 0:
        problems.add("steps", "a workflow needs at least one step")
    first: dict[str, int] = {}
    for i, step_id in ids:
        if step_id in first:
            problems.add(f"steps[{i}].id", f"the id '{step_id}' is used by steps[{first[step_id]}]")
        first.setdefault(step_id, i)
    if start is not None and start not in first:
        problems.add("start", f"no step with id '{start}'")
    by_id = {step.id: step for _, step in reversed(steps)}
    for i, step in steps:
        at = f"steps[{i}]"
        problems += step._problems(at)
        named = edges(step, at) + ([(f"{at}.join", step.join)] if step.join else [])
        problems += [(path, f"no step with id '{t}'") for path, t in named if t not in first]
        target = by_id.get(step.join or "")
        if step.kind is StepKind.PARALLEL and target and target.kind is not StepKind.JOIN:
            problems.add(f"{at}.join", f"'{target.id}' is {a_kind(target.kind)}, not a join")
    return problems


class Graph:
    """The rules on the graph as a whole; run once every step and reference is sound."""

    def __init__(self, start: str, steps: tuple[Step, ...]) -> None:
        self.start = start
        self.steps = steps
        self.by_id = {step.id: step for step in steps}
        self.index = {step.id: i for i, step in enumerate(steps)}
        self.preds: dict[str, list[str]] = {step.id: [] for step in steps}
        for step in steps:
            for _, target in edges(step, ""):
                self.preds[target].append(step.id)
        self.problems = Problems()
        self.forks: dict[str, Step] = {}
        self.innermost: dict[str, BranchRef] = {}

    def at(self, step_id: str) -> str:
        return f"steps[{self.index[step_id]}]"

    def shape(self) -> Shape:
        """Checks the graph as a whole and returns the engine's lookups; raises WorkflowInvalid."""
        first = self.by_id[self.start]
        if not (first.kind.is_work or first.kind is StepKind.PARALLEL):
            self.problems.add(
                "start", f"the start must be a work or parallel step, not {a_kind(first.kind)}"
            )
        self.check_joins_close_one_fork()
        self.check_only_joins_merge()
        acyclic = self.check_no_cycles()
        self.check_reachable()
        if acyclic:
            # Walking a branch ends only in an acyclic graph.
            self.check_branches_reach_their_join()
            self.check_fail_branch_lies_in_a_branch()
        if self.problems:
            raise WorkflowInvalid(self.problems)
        return Shape(self.by_id, self.forks, {s: self.chain(s) for s in self.innermost})

    def chain(self, step_id: str) -> tuple[BranchRef, ...]:
        found: list[BranchRef] = []
        ref = self.innermost.get(step_id)
        while ref is not None:
            found.append(ref)
            ref = self.innermost.get(ref.fork)
        return tuple(found)

    def check_joins_close_one_fork(self) -> None:
        named_by: dict[str, list[str]] = {s.id: [] for s in self.steps if s.kind is StepKind.JOIN}
        for step in self.steps:
            if step.kind is StepKind.PARALLEL and step.join is not None:
                named_by[step.join].append(step.id)
        for join_id, forks in named_by.items():
            at, join = self.at(join_id), self.by_id[join_id]
            if len(forks) != 1:
                closes = f"closes {listed(forks)}" if forks else "is named by no parallel step"
                self.problems.add(at, f"the join '{join_id}' {closes}; a join closes exactly one")
                continue
            fork = self.forks[join_id] = self.by_id[forks[0]]
            if join.required is not None and join.required > len(fork.branches):
                has = f"'{fork.id}' has {len(fork.branches)}"
                self.problems.add(f"{at}.required", f"{join.required} branches required; {has}")

    def check_only_joins_merge(self) -> None:
        if self.preds[self.start]:
            follows = listed(self.preds[self.start])
            self.problems.add("start", f"the start '{self.start}' must not follow {follows}")
        for step in self.steps:
            preds = self.preds[step.id]
            if step.kind is not StepKind.JOIN and step.id != self.start and len(preds) > 1:
                merged = f"the step '{step.id}' follows {listed(preds)}"
                self.problems.add(self.at(step.id), f"{merged}; only a join merges paths")

    def check_no_cycles(self) -> bool:
        """Reports each cycle at the path that closes it; True when there is none."""
        done: set[str] = set()
        acyclic = True
        for root in self.steps:
            # An explicit stack of the edges still to follow from each step on the path.
            path, pending = [root.id], [edges(root, self.at(root.id))[::-1]]
            while pending and root.id not in done:
                if not pending[-1]:
                    done.add(path.pop())
                    pending.pop()
                    continue
                at, target = pending[-1].pop()
                if target in path:
                    loop = " -> ".join([*path[path.index(target) :], target])
                    self.problems.add(at, f"the steps {loop} form a cycle")
                    acyclic = False
                elif target not in done:
                    path.append(target)
                    pending.append(edges(self.by_id[target], self.at(target))[::-1])
        return acyclic

    def check_reachable(self) -> None:
        seen = closure([self.start], lambda s: [t for _, t in edges(self.by_id[s], "")])
        for step in self.steps:
            if step.id not in seen:
                unreached = f"the step '{step.id}' cannot be reached from the start"
                self.problems.add(self.at(step.id), f"{unreached} '{self.start}'")
        ends = [step.id for step in self.steps if step.kind is StepKind.END]
        if not ends:
            self.problems.add("steps", "a workflow needs at least one end step")
            return
        finishing = closure(ends, lambda s: self.preds[s])
        for step in self.steps:
            if step.id not in finishing:
                self.problems.add(self.at(step.id), f"no end step can be reached from '{step.id}'")

    def check_branches_reach_their_join(self) -> None:
        for fork in self.steps:
            if fork.kind is not StepKind.PARALLEL or fork.join is None:
                continue
            tails = {self.walk(fork, k, head) for k, head in enumerate(fork.branches)}
            if self.forks.get(fork.join) is not fork:
                continue
            for pred in self.preds[fork.join]:
                if pred not in tails and self.by_id[pred].kind is not StepKind.PARALLEL:
                    outside = f"'{pred}' leads to the join '{fork.join}' from outside its branches"
                    self.problems.add(
                        f"{self.at(pred)}.next", f"{outside}; only a join merges paths"
                    )

    def walk(self, fork: Step, k: int, head: str) -> str | None:
        """Follows one branch to its join, noting the steps in it; returns its last step."""
        branch, at = BranchRef(fork.id, head), f"{self.at(fork.id)}.branches[{k}]"
        where = f"the branch '{head}' of '{fork.id}'"
        previous: str | None = None
        current: str | None = head
        seen: set[str] = set()
        while current is not None and current != fork.join:
            step = self.by_id[current]
            if current in seen:
                self.problems.add(at, f"{where} loops back to '{current}'")
                return None
            if step.kind in (StepKind.END, StepKind.JOIN):
                before = f"before its join '{fork.join}'"
                self.problems.add(at, f"{where} reaches the {step.kind} '{current}' {before}")
                return None
            seen.add(current)
            self.innermost[current] = branch
            if step.kind is StepKind.PARALLEL and step.join is not None:
                # A nested fork is stepped over through its join; its branches get their own walk.
                self.innermost[step.join] = branch
                current = step.join
            previous, current = current, self.by_id[current].next
        if current is not None and previous is None:
            self.problems.add(at, f"{where} is empty: it starts at the join '{fork.join}'")
        return previous

    def check_fail_branch_lies_in_a_branch(self) -> None:
        for step in self.steps:
            if step.on_reject is RejectAction.FAIL_BRANCH and step.id not in self.innermost:
                outside = f"'{step.id}' lies in no parallel branch"
                self.problems.add(
                    f"{self.at(step.id)}.on_reject", f"{outside}, so has none to fail"
                )


def closure(roots: Iterable[str], neighbours: Callable[[str], Iterable[str]]) -> set[str]:
    seen = set(roots)
    pending = list(seen)
    while pending:
        for other in neighbours(pending.pop()):
            if other not in seen:
                seen.add(other)
                pending.append(other)
    return seen
