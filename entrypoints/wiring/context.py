"""What a bounded context brings to the service, declared once in its entry of the wiring list.

The container, the Falcon app, the OpenAPI document, the history's upstream
applications, the command line and the worker processes are all derived from
the list of contexts (entrypoints.wiring.contexts); nothing else enumerates them.
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from adapters.projection.sql_view import SqlView
from adapters.projection.view_changes import ViewChanges
from adapters.settings import Settings
from adapters.sql.eventstore import eventstore_env
from adapters.sql.reader import Reader
from adapters.sql.store_check import check_store
from domain.shared.application import AccreditApplication
from domain.shared.bulk_kinds import BulkKind
from domain.shared.errors import DomainError
from projections.projector import Projector

if TYPE_CHECKING:
    from entrypoints.wiring.container import Container

Route = tuple[str, object]  # a URI template and its Falcon resource
Subcommands = argparse._SubParsersAction  # the type argparse gives add_subparsers()
# A background worker: runs until the event is set, on a container of its own process.
Worker = Callable[["Container", threading.Event], None]


@dataclass(frozen=True)
class ViewAccess:
    """What a context's queries read through: the views' reader, and who reads it."""

    reader: Reader
    changes: ViewChanges | None  # PostgreSQL: announcements of projection progress
    applications: tuple[str, ...]  # every application's name, in wiring order
    # The event stores, for reads of payloads and past states (the auditor's).
    event_stores: Mapping[str, AccreditApplication]


@dataclass(frozen=True)
class ProjectionWiring:
    """A projection: the view it writes, and how to make its projector."""

    view: type[SqlView]
    projector: Callable[[], Projector[Any]] | None = None
    # A projector of every context's domain events is made from every application's name.
    projector_of_all: Callable[[tuple[str, ...]], Projector[Any]] | None = None

    def make(self, applications: tuple[str, ...]) -> Projector[Any]:
        if self.projector_of_all is not None:
            return self.projector_of_all(applications)
        if self.projector is None:
            raise ValueError(f"the projection of {self.view.__name__} names no projector")
        return self.projector()


@dataclass(frozen=True)
class ProblemTypes:
    """A context's own problem types (slug -> status, title) and which errors they answer."""

    types: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    errors: Mapping[type[DomainError], str] = field(default_factory=dict)


def no_routes(container: Container) -> Sequence[Route]:
    del container
    return ()


@dataclass(frozen=True)
class Context:
    """One bounded context: everything the composition root wires for it."""

    name: str
    # Its event-sourced application (None: the context records nothing), made from the
    # settings by `make_application`, or with just its event store's settings.
    application: type[AccreditApplication] | None = None
    make_application: Callable[[Settings], AccreditApplication] | None = None
    projections: tuple[ProjectionWiring, ...] = ()
    # Read models the routes and commands use, each looked up by its class.
    queries: tuple[Callable[[ViewAccess], object], ...] = ()
    routes: Callable[[Container], Sequence[Route]] = no_routes
    commands: Callable[[Subcommands[argparse.ArgumentParser]], None] | None = None
    workers: Mapping[str, Worker] = field(default_factory=dict)
    # Workers `serve` starts only where the settings need them (by name; others always).
    workers_wanted: Mapping[str, Callable[[Settings], bool]] = field(default_factory=dict)
    problems: ProblemTypes = field(default_factory=ProblemTypes)
    # The context whose application this one's `application` extends (a subclass with the
    # same name and event store): it is made in that context's place, not beside it.
    extends: str | None = None
    # The bulk actions the context offers (each through its own commands), on a container.
    bulk_kinds: Callable[[Container], Sequence[BulkKind]] | None = None

    def new_application(self, settings: Settings) -> AccreditApplication | None:
        """The context's application on these settings, or None."""
        if self.make_application is not None:
            return self.make_application(settings)
        if self.application is None:
            return None
        return self.application(eventstore_env(settings, self.application.name))


@dataclass(frozen=True)
class Invocation:
    """What a command-line handler is given: the settings, and how to build a container."""

    settings: Settings
    open: Callable[[Settings], Container]
    contexts: tuple[Context, ...]  # the wiring list, for commands that describe them

    def container(self) -> Container:
        """A container on the existing store; the handler closes it (use it in a with block).

        Refuses a data directory that does not exist rather than creating an empty
        store where the operator did not mean one to be.
        """
        check_store(self.settings, creating=False)
        return self.open(self.settings)

    def create(self, settings: Settings | None = None) -> Container:
        """A container that creates the store if it is missing (`serve`, `init`)."""
        chosen = settings or self.settings
        check_store(chosen, creating=True)
        return self.open(chosen)


def application_classes(contexts: Sequence[Context]) -> list[type[AccreditApplication]]:
    """The application class each event store is made of, in wiring order: a context's
    own, or the one of the context extending it."""
    extensions = {c.extends: c.application for c in contexts if c.extends is not None}
    chosen = [extensions.get(c.name) or c.application for c in contexts if c.extends is None]
    return [cls for cls in chosen if cls is not None]
