"""Workflow definitions: the graph of steps a participant goes through for one managed event.

A definition arrives as JSON from clients and is stored inside domain events, so it is read
from JSON primitives, checked as a whole and written back to the same shape. Only
series-parallel graphs are accepted: a parallel step forks into branches that all end at its
own join, and only a join merges paths. The engine (domain.workflow_run) relies on that.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple, TypeVar

from domain.errors import DomainError, InvalidValue, NotFound
from domain.names import display_name

MAX_STEPS = 100
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_ID_RULE = "must be a step id: 1 to 64 letters, digits, '_' or '-'"

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


class WorkflowInvalid(DomainError):
    """The definition breaks the rules; `errors` lists every (field path, message) found."""

    code = "workflow-invalid"
    title = "The workflow definition is not valid"

    def __init__(self, errors: Iterable[Problem]) -> None:
        self.errors: list[Problem] = list(errors)
        at, message = self.errors[0] if self.errors else ("workflow", "")
        count = "1 problem" if len(self.errors) == 1 else f"{len(self.errors)} problems"
        super().__init__(f"{count} in the workflow definition, the first at {at}: {message}")


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
_COMMON_KEYS = frozenset({"id", "kind", "name"})
_OPTIONAL_KEYS = _WORK_KEYS.union(*_STRUCTURAL_KEYS.values())


def _keys_of(kind: StepKind) -> frozenset[str]:
    return _WORK_KEYS if kind.is_work else _STRUCTURAL_KEYS[kind]


def _a(kind: StepKind) -> str:
    """'a review step', 'an end step': the kind as a message names it."""
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} step"


def _not_taken(kind: StepKind, key: str, at: str) -> Problem:
    return (f"{at}.{key}", f"{_a(kind)} has no '{key}'")


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
        found = [_not_taken(kind, key, at) for key in self._options() if key not in _keys_of(kind)]
        if (kind.is_work or kind is StepKind.JOIN) and self.next is None:
            found.append((f"{at}.next", f"{_a(kind)} needs a 'next' step"))
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


def _edges(step: Step, at: str) -> list[tuple[str, str]]:
    """The paths leaving a step, each with the field path that names its target."""
    if step.kind is StepKind.PARALLEL:
        return [(f"{at}.branches[{k}]", head) for k, head in enumerate(step.branches)]
    return [] if step.next is None else [(f"{at}.next", step.next)]


@dataclass(frozen=True)
class _Shape:
    """The lookups the engine needs, worked out once when the definition is checked."""

    by_id: Mapping[str, Step]
    forks: Mapping[str, Step]  # join id -> the parallel step it closes
    chains: Mapping[str, tuple[BranchRef, ...]]  # step id -> branches around it, innermost first


@dataclass(frozen=True)
class WorkflowDefinition:
    """A checked workflow graph; building one runs every graph rule."""

    start: str
    steps: tuple[Step, ...]
    _shape: _Shape = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        indexed = list(enumerate(self.steps))
        ids = [(i, step.id) for i, step in indexed]
        problems = _reference_problems(self.start, indexed, ids, len(indexed))
        if problems:
            raise WorkflowInvalid(problems)
        # Frozen, so the lookups are stored the way dataclasses store their own fields.
        object.__setattr__(self, "_shape", _Graph(self.start, self.steps).shape())

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> WorkflowDefinition:
        """Reads JSON data; raises WorkflowInvalid listing every problem, and nothing else."""
        reader = _Reader()
        start, steps = reader.workflow(data)
        if steps is not None and reader.problems:
            # Check what the readable steps refer to as well, so one answer lists everything.
            reader.problems += _reference_problems(start, steps, reader.ids, reader.count)
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


def _listed(ids: Iterable[str]) -> str:
    return ", ".join(f"'{i}'" for i in ids)


class _Problems(list[Problem]):
    """The problems found so far; checks go on after one, so an answer lists them all."""

    def add(self, at: str, message: str) -> None:
        self.append((at, message))


def _too_many(count: int, problems: _Problems) -> bool:
    if count > MAX_STEPS:
        problems.add("steps", f"a workflow has at most {MAX_STEPS} steps, not {count}")
    return count > MAX_STEPS


def _reference_problems(
    start: str | None,
    steps: Sequence[tuple[int, Step]],
    ids: Sequence[tuple[int, str]],
    count: int,
) -> _Problems:
    """Rules on single steps and on the ids they name: shape per kind, unique ids, targets."""
    problems = _Problems()
    if not _too_many(count, problems) and count == 0:
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
        named = _edges(step, at) + ([(f"{at}.join", step.join)] if step.join else [])
        problems += [(path, f"no step with id '{t}'") for path, t in named if t not in first]
        target = by_id.get(step.join or "")
        if step.kind is StepKind.PARALLEL and target and target.kind is not StepKind.JOIN:
            problems.add(f"{at}.join", f"'{target.id}' is {_a(target.kind)}, not a join")
    return problems


class _Graph:
    """The rules on the graph as a whole; run once every step and reference is sound."""

    def __init__(self, start: str, steps: tuple[Step, ...]) -> None:
        self.start = start
        self.steps = steps
        self.by_id = {step.id: step for step in steps}
        self.index = {step.id: i for i, step in enumerate(steps)}
        self.preds: dict[str, list[str]] = {step.id: [] for step in steps}
        for step in steps:
            for _, target in _edges(step, ""):
                self.preds[target].append(step.id)
        self.problems = _Problems()
        self.forks: dict[str, Step] = {}
        self.innermost: dict[str, BranchRef] = {}

    def at(self, step_id: str) -> str:
        return f"steps[{self.index[step_id]}]"

    def shape(self) -> _Shape:
        """Checks the graph as a whole and returns the engine's lookups; raises WorkflowInvalid."""
        first = self.by_id[self.start]
        if not (first.kind.is_work or first.kind is StepKind.PARALLEL):
            self.problems.add(
                "start", f"the start must be a work or parallel step, not {_a(first.kind)}"
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
        return _Shape(self.by_id, self.forks, {s: self.chain(s) for s in self.innermost})

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
                closes = f"closes {_listed(forks)}" if forks else "is named by no parallel step"
                self.problems.add(at, f"the join '{join_id}' {closes}; a join closes exactly one")
                continue
            fork = self.forks[join_id] = self.by_id[forks[0]]
            if join.required is not None and join.required > len(fork.branches):
                has = f"'{fork.id}' has {len(fork.branches)}"
                self.problems.add(f"{at}.required", f"{join.required} branches required; {has}")

    def check_only_joins_merge(self) -> None:
        if self.preds[self.start]:
            follows = _listed(self.preds[self.start])
            self.problems.add("start", f"the start '{self.start}' must not follow {follows}")
        for step in self.steps:
            preds = self.preds[step.id]
            if step.kind is not StepKind.JOIN and step.id != self.start and len(preds) > 1:
                merged = f"the step '{step.id}' follows {_listed(preds)}"
                self.problems.add(self.at(step.id), f"{merged}; only a join merges paths")

    def check_no_cycles(self) -> bool:
        """Reports each cycle at the path that closes it; True when there is none."""
        done: set[str] = set()
        acyclic = True
        for root in self.steps:
            # An explicit stack of the edges still to follow from each step on the path.
            path, pending = [root.id], [_edges(root, self.at(root.id))[::-1]]
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
                    pending.append(_edges(self.by_id[target], self.at(target))[::-1])
        return acyclic

    def check_reachable(self) -> None:
        seen = _closure([self.start], lambda s: [t for _, t in _edges(self.by_id[s], "")])
        for step in self.steps:
            if step.id not in seen:
                unreached = f"the step '{step.id}' cannot be reached from the start"
                self.problems.add(self.at(step.id), f"{unreached} '{self.start}'")
        ends = [step.id for step in self.steps if step.kind is StepKind.END]
        if not ends:
            self.problems.add("steps", "a workflow needs at least one end step")
            return
        finishing = _closure(ends, lambda s: self.preds[s])
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


def _closure(roots: Iterable[str], neighbours: Callable[[str], Iterable[str]]) -> set[str]:
    seen = set(roots)
    pending = list(seen)
    while pending:
        for other in neighbours(pending.pop()):
            if other not in seen:
                seen.add(other)
                pending.append(other)
    return seen


_MISSING = object()
_E = TypeVar("_E", bound=StrEnum)


def _shown(key: object) -> str:
    """A key from untrusted JSON, short and escaped, to quote in a message."""
    text = key if isinstance(key, str) else repr(key)
    return repr(text[:40] + ("..." if len(text) > 40 else ""))


class _Reader:
    """Turns untrusted JSON into steps, noting every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems = _Problems()
        self.ids: list[tuple[int, str]] = []
        self.count = 0

    def workflow(self, data: object) -> tuple[str | None, list[tuple[int, Step]] | None]:
        if not isinstance(data, Mapping):
            self.problems.add("workflow", "a workflow must be a JSON object")
            return None, None
        for key in data:
            if key not in ("start", "steps"):
                self.problems.add("workflow", f"unknown key {_shown(key)}")
        start = self.identifier(data.get("start", _MISSING), "start", "start")
        raw = data.get("steps", _MISSING)
        if not isinstance(raw, list | tuple):
            wrong = "are required" if raw is _MISSING else "must be a list"
            self.problems.add("steps", f"the steps {wrong}")
            return start, None
        self.count = len(raw)
        # Reading thousands of steps only to refuse them would waste the server's time.
        if _too_many(len(raw), self.problems):
            return start, None
        steps = [(i, self.step(item, f"steps[{i}]", i)) for i, item in enumerate(raw)]
        return start, [(i, step) for i, step in steps if step is not None]

    def step(self, raw: object, at: str, index: int) -> Step | None:
        if not isinstance(raw, Mapping):
            self.problems.add(at, "a step must be a JSON object")
            return None
        before = len(self.problems)
        step_id = self.identifier(raw.get("id", _MISSING), f"{at}.id", "id")
        if step_id is not None:
            self.ids.append((index, step_id))
        kind = self.choice(raw.get("kind", _MISSING), f"{at}.kind", "kind", StepKind, True)
        name = self.name(raw.get("name", _MISSING), f"{at}.name")
        allowed = _COMMON_KEYS | (_OPTIONAL_KEYS if kind is None else _keys_of(kind))
        for key in raw:
            if key not in allowed and key in _OPTIONAL_KEYS and kind is not None:
                self.problems.append(_not_taken(kind, key, at))
            elif key not in allowed:
                self.problems.add(at, f"unknown key {_shown(key)}")

        def option(key: str) -> object:
            return raw.get(key, _MISSING) if key in allowed else _MISSING

        on_reject = self.choice(option("on_reject"), f"{at}.on_reject", "on_reject", RejectAction)
        step = Step(
            id=step_id or "",
            kind=kind or StepKind.END,
            name=name or "",
            next=self.identifier(option("next"), f"{at}.next", "next", False),
            branches=self.branches(option("branches"), f"{at}.branches"),
            join=self.identifier(option("join"), f"{at}.join", "join", False),
            mode=self.choice(option("mode"), f"{at}.mode", "mode", JoinMode),
            required=self.whole(option("required"), f"{at}.required"),
            on_reject=on_reject or RejectAction.REJECT_PARTICIPANT,
        )
        return step if len(self.problems) == before else None

    def identifier(self, value: object, at: str, label: str, required: bool = True) -> str | None:
        if isinstance(value, str) and _ID.fullmatch(value):
            return value
        if value is not _MISSING:
            self.problems.add(at, f"the {label} {_ID_RULE}")
        elif required:
            self.problems.add(at, f"the {label} is required")
        return None

    def choice(
        self, value: object, at: str, label: str, choices: type[_E], required: bool = False
    ) -> _E | None:
        if isinstance(value, str) and value in {c.value for c in choices}:
            return choices(value)
        if value is not _MISSING or required:
            self.problems.add(at, f"the {label} must be one of {', '.join(choices)}")
        return None

    def name(self, value: object, at: str) -> str | None:
        if not isinstance(value, str):
            required = value is _MISSING
            self.problems.add(at, "the name is required" if required else "the name must be text")
            return None
        try:
            return display_name(value)
        except InvalidValue as refused:
            self.problems.add(at, refused.detail)
            return None

    def branches(self, value: object, at: str) -> tuple[str, ...]:
        if value is _MISSING:
            return ()
        if not isinstance(value, list | tuple) or len(value) > MAX_STEPS:
            self.problems.add(at, f"the branches must be a list of at most {MAX_STEPS} step ids")
            return ()
        heads = [self.identifier(v, f"{at}[{k}]", "branch") for k, v in enumerate(value)]
        return tuple(head for head in heads if head is not None)

    def whole(self, value: object, at: str) -> int | None:
        # JSON true would pass for 1 in Python, so booleans are refused explicitly.
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if value is not _MISSING:
            self.problems.add(at, "the required number must be a whole number")
        return None
