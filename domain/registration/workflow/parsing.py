"""Reading a workflow definition from untrusted JSON, noting every problem on the way."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from domain.registration.workflow.graph import too_many
from domain.registration.workflow.steps import (
    COMMON_KEYS,
    ID,
    ID_RULE,
    MAX_STEPS,
    OPTIONAL_KEYS,
    JoinMode,
    Problems,
    RejectAction,
    Step,
    StepKind,
    keys_of,
    not_taken,
)
from domain.shared.errors import InvalidValue
from domain.shared.names import display_name

_MISSING = object()
_E = TypeVar("_E", bound=StrEnum)


def _shown(key: object) -> str:
    """A key from untrusted JSON, short and escaped, to quote in a message."""
    text = key if isinstance(key, str) else repr(key)
    return repr(text[:40] + ("..." if len(text) > 40 else ""))


class Reader:
    """Turns untrusted JSON into steps, noting every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems = Problems()
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
        if too_many(len(raw), self.problems):
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
        allowed = COMMON_KEYS | (OPTIONAL_KEYS if kind is None else keys_of(kind))
        for key in raw:
            if key not in allowed and key in OPTIONAL_KEYS and kind is not None:
                self.problems.append(not_taken(kind, key, at))
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
        if isinstance(value, str) and ID.fullmatch(value):
            return value
        if value is not _MISSING:
            self.problems.add(at, f"the {label} {ID_RULE}")
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
