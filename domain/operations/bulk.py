"""A bulk operation: one action applied to many participants, item by item, with a result each.

An operation is asked for with a kind (what to do), its parameters, and a selection
(participant ids, or a filter the executor resolves). The executor records the items
it selected, then applies them in chunks: it claims a chunk before applying it and
records the chunk's results after, so an executor killed in between finds the chunk
in doubt and checks, item by item, whether the action already happened before doing
it (nothing is applied twice). A dry run records what each item's command would
answer and changes nothing. An operation may be cancelled while it runs; retry and
undo are new operations linked to this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.shared.copies import copy_sharing_items
from domain.shared.errors import NotFound, RuleViolation

ITEMS_MAX = 100_000  # items of one operation
CHUNK_MAX = 500  # items claimed, and results recorded, in one domain event


class OperationState(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    COMPLETED_WITH_ERRORS = "COMPLETED_WITH_ERRORS"
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"

    @property
    def ended(self) -> bool:
        return self not in (OperationState.QUEUED, OperationState.RUNNING)


class ItemResult(StrEnum):
    OK = "ok"  # applied (a dry run: would be)
    REFUSED = "refused"  # the command refused it: its problem says why
    SKIPPED = "skipped"  # not tried: the operation was cancelled, or nothing was to do


class Relation(StrEnum):
    RETRY = "retry"  # re-runs the items the first refused
    UNDO = "undo"  # compensates the items the first applied


@dataclass(frozen=True)
class Outcome:
    """What became of one item."""

    index: int
    participant_id: UUID
    result: ItemResult
    problem: str | None = None  # the refusal's problem type (slug)
    code: str | None = None  # the rule that refused it (the problem's `code`)
    detail: str | None = None
    undo: dict[str, Any] | None = None  # what the compensating command needs

    def record(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "participant_id": str(self.participant_id),
            "result": self.result.value,
            "problem": self.problem,
            "code": self.code,
            "detail": self.detail,
            "undo": self.undo,
        }

    @staticmethod
    def of(record: dict[str, Any]) -> Outcome:
        return Outcome(
            index=record["index"],
            participant_id=UUID(record["participant_id"]),
            result=ItemResult(record["result"]),
            problem=record.get("problem"),
            code=record.get("code"),
            detail=record.get("detail"),
            undo=record.get("undo"),
        )


class OperationEnded(RuleViolation):
    """The operation has ended: it runs no more items."""

    code = "bulk-operation-ended"


class NothingToDo(RuleViolation):
    """A retry or undo found no item to run."""

    code = "bulk-nothing-to-do"


class UnknownOperation(NotFound):
    code = "not-found"


class BulkOperation(Aggregate):
    """One operation's request, its items, and how far the executor has got."""

    class Requested(Aggregate.Created):
        """Staff asked for an operation: `kind` with `params` over `selection`."""

        tenant_id: UUID
        event_id: UUID
        kind: str
        params: dict[str, Any]
        selection: dict[str, Any]
        dry_run: bool
        actor: str
        source_id: UUID | None
        relation: str | None

    class ItemsSelected(Aggregate.Event):
        """The executor resolved the selection: these participants, in this order, from
        `first` on (in several domain events for a large selection; `complete` on the last)."""

        first: int
        participant_ids: list[UUID]
        complete: bool

    class ChunkClaimed(Aggregate.Event):
        """The executor began items `first` to `first + count - 1`: until their results
        are recorded, they are in doubt."""

        first: int
        count: int

    class ItemsDone(Aggregate.Event):
        """The results of a claimed chunk's items (each item's outcome)."""

        outcomes: list[dict[str, Any]]

    class CancelRequested(Aggregate.Event):
        """Staff cancelled the operation: items not begun are skipped."""

        actor: str

    class Ended(Aggregate.Event):
        """The operation ended in `state`."""

        state: str
        reason: str | None

    @event(Requested)
    def __init__(
        self,
        tenant_id: UUID,
        event_id: UUID,
        kind: str,
        params: dict[str, Any],
        selection: dict[str, Any],
        dry_run: bool,
        actor: str,
        source_id: UUID | None,
        relation: str | None,
    ) -> None:
        self.tenant_id = tenant_id
        self.event_id = event_id
        self.kind = kind
        self.params = params
        self.selection = selection
        self.dry_run = dry_run
        self.actor = actor
        self.source_id = source_id
        self.relation = relation
        self.state_value = OperationState.QUEUED.value
        self.reason: str | None = None
        self.targets: list[str] = []  # participant ids, by item index
        self.selected = False
        self.claimed: tuple[int, int] | None = None  # (first, count) in doubt
        self.next_index = 0  # items before it have their outcome
        self.counts = {r.value: 0 for r in ItemResult}
        # What a retry or an undo needs, not every outcome (those are in the domain
        # events, and in the items table): the refused items, and the applied items'
        # compensation where the kind has one.
        self.refused: list[int] = []
        self.undos: dict[str, dict[str, Any]] = {}  # item index (as text) -> its undo
        self.cancel_requested = False

    def __deepcopy__(self, memo: dict[int, Any]) -> BulkOperation:
        # Its item ids and results are plain values no command changes in place.
        return copy_sharing_items(self, memo, _SHARED_ITEMS)

    # Queries

    @property
    def state(self) -> OperationState:
        return OperationState(self.state_value)

    @property
    def total(self) -> int | None:
        """How many items the operation has; None until its selection is resolved."""
        return len(self.targets) if self.selected else None

    def done(self) -> int:
        return sum(self.counts.values())

    def remaining(self) -> int | None:
        return None if self.total is None else self.total - self.done()

    def in_doubt(self) -> list[tuple[int, UUID]]:
        """The claimed items without a result yet: begun by an executor that stopped."""
        if self.claimed is None:
            return []
        first, count = self.claimed
        return [(i, UUID(self.targets[i])) for i in range(first, first + count)]

    def refused_items(self) -> list[tuple[int, UUID]]:
        """The items the commands refused, by index."""
        return [(i, UUID(self.targets[i])) for i in self.refused]

    def undoable_items(self) -> list[tuple[int, UUID, dict[str, Any]]]:
        """The applied items with their compensation, by index."""
        found = sorted((int(i), undo) for i, undo in self.undos.items())
        return [(i, UUID(self.targets[i]), undo) for i, undo in found]

    # Commands (the executor's)

    def select(self, participant_ids: list[UUID], complete: bool) -> None:
        """Records the next part of the resolved selection (duplicates dropped)."""
        self._check_running_or_queued()
        if self.selected:
            raise RuleViolation("the operation's items are selected already")
        seen = set(self.targets)
        fresh: list[UUID] = []
        for participant_id in participant_ids:
            if str(participant_id) not in seen:
                seen.add(str(participant_id))
                fresh.append(participant_id)
        if len(self.targets) + len(fresh) > ITEMS_MAX:
            raise RuleViolation(f"an operation has at most {ITEMS_MAX:,} items")
        for start in range(0, max(len(fresh), 1), CHUNK_MAX):
            part = fresh[start : start + CHUNK_MAX]
            last = start + CHUNK_MAX >= len(fresh)
            self._items_selected(
                first=len(self.targets), participant_ids=part, complete=complete and last
            )

    @event(ItemsSelected)
    def _items_selected(self, first: int, participant_ids: list[UUID], complete: bool) -> None:
        del first  # for the record: the items' index in the operation
        self.targets.extend(str(p) for p in participant_ids)
        self.selected = complete
        if self.state_value == OperationState.QUEUED.value:
            self.state_value = OperationState.RUNNING.value

    def claim(self, count: int) -> list[tuple[int, UUID]]:
        """Begins the next `count` items (at most CHUNK_MAX); none left: an empty list."""
        self._check_running_or_queued()
        if not self.selected:
            raise RuleViolation("the operation's items are not selected yet")
        if self.claimed is not None:
            raise RuleViolation("the items claimed before have no result yet")
        count = min(count, CHUNK_MAX, len(self.targets) - self.next_index)
        if count <= 0 or self.cancel_requested:
            return []
        self._chunk_claimed(first=self.next_index, count=count)
        return self.in_doubt()

    @event(ChunkClaimed)
    def _chunk_claimed(self, first: int, count: int) -> None:
        self.claimed = (first, count)

    def record(self, outcomes: list[Outcome]) -> None:
        """Records the results of the claimed items, all of them, in order."""
        if self.claimed is None:
            raise RuleViolation("no items are claimed")
        expected = [i for i, _ in self.in_doubt()]
        if [o.index for o in outcomes] != expected:
            raise RuleViolation("the results do not match the items claimed")
        for outcome, (_, participant_id) in zip(outcomes, self.in_doubt(), strict=True):
            if outcome.participant_id != participant_id:
                raise RuleViolation("a result names another participant than its item")
        self._items_done(outcomes=[o.record() for o in outcomes])

    @event(ItemsDone)
    def _items_done(self, outcomes: list[dict[str, Any]]) -> None:
        for record in outcomes:
            self.counts[record["result"]] += 1
            if record["result"] == ItemResult.REFUSED.value:
                self.refused.append(record["index"])
            elif record["result"] == ItemResult.OK.value and record.get("undo") is not None:
                self.undos[str(record["index"])] = record["undo"]
        self.next_index += len(outcomes)
        self.claimed = None

    def finish(self) -> None:
        """Ends the operation: once every item has its result, or, cancelled, once no item
        is in doubt (those not begun are then skipped)."""
        self._check_running_or_queued()
        if self.claimed is not None:
            raise RuleViolation("the items claimed have no result yet")
        stopped = self.cancel_requested and (not self.selected or self.remaining() != 0)
        if not stopped and (not self.selected or self.remaining() != 0):
            raise RuleViolation("items of the operation have no result yet")
        if stopped:
            self._skip_rest()
            state = OperationState.CANCELLED
        elif self.counts[ItemResult.REFUSED.value]:
            state = OperationState.COMPLETED_WITH_ERRORS
        else:
            state = OperationState.COMPLETED
        self._ended(state=state.value, reason=None)

    def _skip_rest(self) -> None:
        rest = range(self.next_index, len(self.targets))
        for start in range(rest.start, rest.stop, CHUNK_MAX):
            count = min(CHUNK_MAX, rest.stop - start)
            self._chunk_claimed(first=start, count=count)
            self._items_done(
                outcomes=[
                    Outcome(index, participant_id, ItemResult.SKIPPED, detail="cancelled").record()
                    for index, participant_id in self.in_doubt()
                ]
            )

    def fail(self, reason: str) -> None:
        """Ends the operation when it cannot go on (its selection could not be resolved)."""
        self._check_running_or_queued()
        self._ended(state=OperationState.FAILED.value, reason=reason[:500])

    @event(Ended)
    def _ended(self, state: str, reason: str | None) -> None:
        self.state_value = OperationState(state).value
        self.reason = reason

    # Commands (staff's)

    def cancel(self, actor: str) -> None:
        """Asks the executor to stop: items not begun are skipped."""
        self._check_running_or_queued()
        if not self.cancel_requested:
            self._cancel_requested(actor=actor)

    @event(CancelRequested)
    def _cancel_requested(self, actor: str) -> None:
        del actor  # for the record only
        self.cancel_requested = True

    def _check_running_or_queued(self) -> None:
        if self.state.ended:
            raise OperationEnded(f"the operation {self.id} has ended ({self.state.value})")


_SHARED_ITEMS = frozenset({"targets", "refused", "undos", "counts"})
