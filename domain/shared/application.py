"""What every Accredit application shares: explicit configuration, positions, retries."""

from __future__ import annotations

import copy
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import wraps
from typing import Any, ClassVar, Generic, ParamSpec, Protocol, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import JSONTranscoder, RecordConflictError, Transcoding
from eventsourcing.utils import Environment, EnvType

from domain.shared.cause import META, current_cause, stamp
from domain.shared.errors import ConcurrencyConflict, NotFound, VersionMismatch

P = ParamSpec("P")
R = TypeVar("R")
A = TypeVar("A", bound=Aggregate)

CONFLICT_ATTEMPTS = 8
CONFLICT_BACKOFF_MAX = 0.2


@dataclass(frozen=True, order=True)
class Position:
    """Where a domain event stands in one application's notification log."""

    application: str
    notification_id: int

    def __str__(self) -> str:
        return f"{self.application}:{self.notification_id}"


@dataclass(frozen=True)
class Ack(Generic[A]):
    """The answer to a command: the aggregate as it now is, and its last event's position."""

    aggregate: A
    position: Position | None

    @property
    def aggregate_id(self) -> UUID:
        return self.aggregate.id

    @property
    def version(self) -> int:
        return self.aggregate.version


def utc_now() -> datetime:
    return datetime.now(UTC)


_rehearsing: ContextVar[bool] = ContextVar("accredit_rehearsing", default=False)


@contextmanager
def rehearsal() -> Iterator[None]:
    """Commands run inside check every rule and record nothing (a dry run): what they
    would have saved is dropped, and their answers carry no position."""
    token = _rehearsing.set(True)
    try:
        yield
    finally:
        _rehearsing.reset(token)


def rehearsing() -> bool:
    """Whether commands now record nothing (what they touch outside the store must not change)."""
    return _rehearsing.get()


@dataclass
class Batch:
    """What commands of one application saved while batched: kept, then saved as one."""

    application: AccreditApplication
    changed: dict[UUID, Aggregate] = field(default_factory=dict)

    def save(self) -> bool:
        """Saves every aggregate the commands changed, in one transaction; False if another
        writer changed one of them first (then nothing of the batch is saved)."""
        if not self.changed:
            return True
        try:
            self.application.save(*self.changed.values())
        except RecordConflictError:
            return False
        finally:
            self.changed = {}
        return True


_batches: ContextVar[tuple[Batch, ...]] = ContextVar("accredit_batches", default=())


@contextmanager
def batched(application: AccreditApplication) -> Iterator[Batch]:
    """Commands of the application run inside save nothing: what they would save is kept,
    and later commands load it as they left it, until `Batch.save` saves it all at once (many
    commands' domain events in one transaction). A command refused inside changes nothing."""
    batch = Batch(application)
    token = _batches.set((*_batches.get(), batch))
    try:
        yield batch
    finally:
        _batches.reset(token)


def _batch_of(application: AccreditApplication) -> Batch | None:
    for batch in _batches.get():
        if batch.application is application:
            return batch
    return None


def _copy_keeping_pending(aggregate: A) -> A:
    """A copy of a batched aggregate that shares its pending domain events (immutable, and
    hundreds of them after a batch's commands: copying them for every command was most of
    a batch's time)."""
    pending = aggregate._pending_events  # the library's own list of them
    aggregate._pending_events = []
    try:
        copied = copy.deepcopy(aggregate)
    finally:
        aggregate._pending_events = pending
    copied._pending_events = list(pending)
    return copied


class ConflictObserver(Protocol):
    """Told of each optimistic-concurrency conflict a command meets (for metrics)."""

    def retried(self, application: str, command: str) -> None: ...

    def refused(self, application: str, command: str) -> None: ...


def _tell_observer(args: tuple[Any, ...], command: str, *, refused: bool) -> None:
    """Tells the observer of the application whose command this is, if it has one."""
    application = args[0] if args else None
    if not isinstance(application, AccreditApplication) or application.conflicts is None:
        return
    if refused:
        application.conflicts.refused(application.name, command)
    else:
        application.conflicts.retried(application.name, command)


def retry_on_conflict(method: Callable[P, R]) -> Callable[P, R]:
    """Re-runs a command when a concurrent writer saved first, a bounded number of times.

    An application's `conflicts` observer, if it has one, is told of each retry and of
    the final refusal.
    """

    @wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(CONFLICT_ATTEMPTS):
            try:
                return method(*args, **kwargs)
            except RecordConflictError:
                last = attempt == CONFLICT_ATTEMPTS - 1
                _tell_observer(args, method.__name__, refused=last)
                if last:
                    break
                # Exponential backoff with jitter spreads colliding writers apart.
                ceiling = min(CONFLICT_BACKOFF_MAX, 0.002 * 2**attempt)
                time.sleep(random.uniform(0, ceiling))  # noqa: S311
        raise ConcurrencyConflict("the resource kept changing; retry the request")

    return wrapper


class SetAsList(Transcoding):
    """Lets snapshots store aggregates that keep sets (a tenant's features)."""

    type = set
    name = "set"

    def encode(self, obj: set[Any]) -> list[Any]:
        return sorted(obj, key=repr)

    def decode(self, data: list[Any]) -> set[Any]:
        return set(data)


class AccreditApplication(Application[UUID]):
    """An event-sourced application configured only by what the composition root passes."""

    # Every aggregate class the application records, for the domain-event catalogue.
    aggregates: ClassVar[tuple[type[Aggregate], ...]] = ()
    # Set by the composition root of a process that records metrics.
    conflicts: ConflictObserver | None = None

    def __init__(self, env: EnvType | None = None, clock: Callable[[], datetime] = utc_now):
        super().__init__(env)
        self.clock = clock

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        # Unlike the library default, ignore os.environ: settings are read in one place.
        merged = dict(type(self).env)
        if type(self).is_snapshotting_enabled or type(self).snapshotting_intervals:
            merged["IS_SNAPSHOTTING_ENABLED"] = "y"
        merged.update(env or {})
        return Environment(name, merged)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(SetAsList())

    def commit(self, *aggregates: Aggregate) -> Position | None:
        """Saves the aggregates atomically and returns the position of the last event.

        Each domain event is stamped with the cause in effect and its tenant.
        """
        if rehearsing():
            for aggregate in aggregates:
                aggregate.collect_events()
            return None
        cause = current_cause()
        for aggregate in aggregates:
            tenant_id = getattr(aggregate, "tenant_id", None)
            for domain_event in aggregate.pending_events:
                # Stamped once: a batched aggregate keeps earlier commands' domain events.
                if getattr(domain_event, META, None) is None:
                    stamp(domain_event, cause, tenant_id)
        batch = _batch_of(self)
        if batch is not None:
            for aggregate in aggregates:
                batch.changed[aggregate.id] = aggregate
            return None
        recordings = self.save(*aggregates)
        if not recordings:
            return None
        return Position(self.name, max(r.notification.id for r in recordings))

    def ack(self, aggregate: A, *others: Aggregate) -> Ack[A]:
        return Ack(aggregate, self.commit(aggregate, *others))

    def load(self, cls: type[A], aggregate_id: UUID, *, readonly: bool = False) -> A:
        """Gets an aggregate of the given class, or raises NotFound."""
        batch = _batch_of(self)
        if batch is not None and aggregate_id in batch.changed:
            kept = batch.changed[aggregate_id]
            if not isinstance(kept, cls):
                raise NotFound(f"no {cls.__name__.lower()} with id {aggregate_id}")
            # A copy: a command refused halfway leaves the batch as it was.
            return kept if readonly else _copy_keeping_pending(kept)
        try:
            # A read-only load does not copy the cached aggregate. It still waits for a
            # thread that is bringing that aggregate up to date: what it reads decides
            # commands (is registration open, which workflow version), so it must not be
            # the state from before domain events another process has recorded.
            aggregate: Any = self.repository.get(aggregate_id, deepcopy_from_cache=not readonly)
        except AggregateNotFoundError:
            raise NotFound(f"no {cls.__name__.lower()} with id {aggregate_id}") from None
        if not isinstance(aggregate, cls):
            raise NotFound(f"no {cls.__name__.lower()} with id {aggregate_id}")
        return aggregate


def check_version(aggregate: Aggregate, expected: int | None) -> None:
    """Honours If-Match: refuses when the caller read another version."""
    if expected is not None and aggregate.version != expected:
        raise VersionMismatch(expected, aggregate.version)
