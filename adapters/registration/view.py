"""The registration projector's view changes, written to its tables in the runner's batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from sqlalchemy import Connection

from adapters.projection.sql_view import SqlView
from adapters.registration.tables import (
    ACTIVE,
    managed_events,
    participant_branches,
    participant_steps,
    participants,
    searchable,
    workflow_versions,
)
from domain.registration.person import PersonalDetails, full_name, normalised_email


def _person_columns(first_name: str | None, last_name: str | None, email: str) -> dict[str, str]:
    name = full_name(first_name, last_name)
    return {
        "full_name": name,
        "email_normalised": normalised_email(email),
        "search_text": searchable(f"{name} {email}"),
    }


@dataclass
class _Known:
    """What a batch knows of a participant: its immutable facts and its active steps."""

    tenant_id: UUID
    event_id: UUID
    workflow_version: int
    active: set[str]


class SqlRegistrationView(SqlView):
    """The registration projector's view changes, inside the runner's transaction."""

    tables = (
        managed_events,
        workflow_versions,
        participants,
        participant_steps,
        participant_branches,
    )

    def __init__(self, conn: Connection) -> None:
        super().__init__(conn)
        # Both live for one batch (one view per transaction).
        self._known: dict[UUID, _Known] = {}
        self._steps_of: dict[tuple[UUID, int], dict[str, tuple[str, str]]] = {}

    def prefetch(self, domain_events: Sequence[DomainEventProtocol[Any]]) -> None:
        # A participant's change reads its row (its workflow version, active steps and
        # names) and its workflow version's step names: both read for the whole batch.
        # Ids of managed events and of participants registered in this batch match no
        # row and cost nothing more; the workflow versions of the latter are read as
        # they are met, once per version.
        found = self.rows.load(participants, {e.originator_id for e in domain_events})
        versions = {(row["event_id"], row["workflow_version"]) for row in found}
        self.rows.load(workflow_versions, versions)

    # Managed events

    def event_created(
        self,
        event_id: UUID,
        tenant_id: UUID,
        name: str,
        starts_at: datetime,
        ends_at: datetime,
        time_zone: str,
        venue: str | None,
        capacity: int | None,
        categories: list[dict[str, Any]],
        workflow: dict[str, Any],
        country: str | None,
        at: datetime,
    ) -> None:
        self.rows.insert(
            managed_events,
            {
                "event_id": event_id,
                "tenant_id": tenant_id,
                "name": name,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "time_zone": time_zone,
                "venue": venue,
                "country": country,
                "capacity": capacity,
                "categories": categories,
                "registration": "draft",
                "workflow_version": 1,
                "workflow": workflow,
                "version": 1,
                "created_at": at,
                "updated_at": at,
            },
        )
        self._add_workflow(event_id, tenant_id, 1, workflow, at)

    def event_changed(
        self, event_id: UUID, changes: dict[str, Any], version: int, at: datetime
    ) -> None:
        self.rows.update(
            managed_events, event_id, {**changes, "version": version, "updated_at": at}
        )

    def workflow_published(
        self,
        event_id: UUID,
        workflow_version: int,
        workflow: dict[str, Any],
        version: int,
        at: datetime,
    ) -> None:
        tenant_id = self.rows.value(managed_events, event_id, "tenant_id")
        self._add_workflow(event_id, tenant_id, workflow_version, workflow, at)
        changes = {"workflow_version": workflow_version, "workflow": workflow}
        self.event_changed(event_id, changes, version, at)

    def _add_workflow(
        self,
        event_id: UUID,
        tenant_id: UUID,
        workflow_version: int,
        workflow: dict[str, Any],
        at: datetime,
    ) -> None:
        self.rows.insert(
            workflow_versions,
            {
                "event_id": event_id,
                "version": workflow_version,
                "tenant_id": tenant_id,
                "definition": workflow,
                "published_at": at,
            },
        )

    # Participants

    def participant_registered(
        self,
        participant_id: UUID,
        tenant_id: UUID,
        event_id: UUID,
        category: str | None,
        person: PersonalDetails,
        workflow_version: int,
        status: str,
        steps: list[dict[str, Any]],
        branches: list[dict[str, Any]],
        at: datetime,
    ) -> None:
        known = self._known[participant_id] = _Known(tenant_id, event_id, workflow_version, set())
        self._record_workflow(participant_id, known, steps, branches, at)
        self.rows.insert(
            participants,
            {
                "participant_id": participant_id,
                "tenant_id": tenant_id,
                "event_id": event_id,
                "category": category,
                **person.to_record(as_dates=True),
                **_person_columns(person.first_name, person.last_name, person.email),
                "status": status,
                "workflow_version": workflow_version,
                "active_steps": sorted(known.active),
                "reason": None,
                "survivor_id": None,
                "held_by": None,
                "blocked_by": None,
                "blocked_reason": None,
                "waitlist_entry_id": None,
                "version": 1,
                "registered_at": at,
                "updated_at": at,
            },
        )

    def participant_details_updated(
        self, participant_id: UUID, changes: dict[str, Any], version: int, at: datetime
    ) -> None:
        values = {**changes, "version": version, "updated_at": at}
        if {"first_name", "last_name", "email"} & changes.keys():
            names = {
                c: changes[c] if c in changes else self.rows.value(participants, participant_id, c)
                for c in ("first_name", "last_name", "email")
            }
            values.update(_person_columns(**names))
        self.rows.update(participants, participant_id, values)

    def participant_progressed(
        self,
        participant_id: UUID,
        changes: dict[str, Any],
        steps: list[dict[str, Any]],
        branches: list[dict[str, Any]],
        version: int,
        at: datetime,
        *,
        reopened: bool = False,
    ) -> None:
        known = self._participant(participant_id)
        self._record_workflow(participant_id, known, steps, branches, at, reopened=reopened)
        values = {**changes, "active_steps": sorted(known.active)}
        self.rows.update(
            participants, participant_id, {**values, "version": version, "updated_at": at}
        )

    def participant_restarted(
        self,
        participant_id: UUID,
        changes: dict[str, Any],
        workflow_version: int,
        steps: list[dict[str, Any]],
        branches: list[dict[str, Any]],
        version: int,
        at: datetime,
    ) -> None:
        """The participant's workflow run begun afresh: the steps and branches of the run
        before it are gone, and `steps` and `branches` are the new run's."""
        known = self._participant(participant_id)
        self.rows.delete_all(participant_steps, participant_id)
        self.rows.delete_all(participant_branches, participant_id)
        known.active.clear()
        known.workflow_version = workflow_version
        changes = {**changes, "workflow_version": workflow_version}
        self.participant_progressed(participant_id, changes, steps, branches, version, at)

    def participant_restored(
        self,
        participant_id: UUID,
        changes: dict[str, Any],
        steps: list[dict[str, Any]],
        branches: list[dict[str, Any]],
        version: int,
        at: datetime,
    ) -> None:
        """The steps and branches the cancellation closed have their rows already: they
        are set back, not reached anew."""
        self.participant_progressed(
            participant_id, changes, steps, branches, version, at, reopened=True
        )

    def participant_merged(
        self, participant_id: UUID, changes: dict[str, Any], version: int, at: datetime
    ) -> None:
        self.rows.update(
            participants, participant_id, {**changes, "version": version, "updated_at": at}
        )

    def _participant(self, participant_id: UUID) -> _Known:
        known = self._known.get(participant_id)
        if known is None:
            value = partial(self.rows.value, participants, participant_id)
            known = _Known(
                value("tenant_id"),
                value("event_id"),
                value("workflow_version"),
                set(value("active_steps")),
            )
            self._known[participant_id] = known
        return known

    def _record_workflow(
        self,
        participant_id: UUID,
        known: _Known,
        steps: list[dict[str, Any]],
        branches: list[dict[str, Any]],
        at: datetime,
        *,
        reopened: bool = False,
    ) -> None:
        """Step and branch rows from the workflow's changes; `known.active` follows them.

        `reopened`: the changes set back steps and branches that have rows (a restore).
        """
        reached: set[str] = set()
        for record in steps:
            step_id, status = record["step_id"], record["status"]
            values = {
                "status": status,
                "outcome": record["outcome"],
                "actor": record["actor"],
                "comment": record["comment"],
                "step_order": record["order"],
                "completed_at": None if status == ACTIVE else at,
            }
            # Only an active step ever changes again (a step is reached once, and structure
            # is recorded decided), so a step is new unless it was active until now, or a
            # restore opens it again.
            if step_id in known.active or reopened:
                self.rows.update(participant_steps, (participant_id, step_id), values)
            else:
                kind, name = self._steps(known)[step_id]
                reached.add(step_id)
                self.rows.insert(
                    participant_steps,
                    {
                        "participant_id": participant_id,
                        "step_id": step_id,
                        "tenant_id": known.tenant_id,
                        "event_id": known.event_id,
                        "kind": kind,
                        "name": name,
                        "reached_at": at,
                        **values,
                    },
                )
            if status == ACTIVE:
                known.active.add(step_id)
            else:
                known.active.discard(step_id)
        for record in branches:
            fork, head, status = record["fork"], record["head"], record["status"]
            # A parallel step's branches are entered with it, and it is recorded once.
            if fork in reached:
                self.rows.insert(
                    participant_branches,
                    {
                        "participant_id": participant_id,
                        "fork": fork,
                        "head": head,
                        "tenant_id": known.tenant_id,
                        "event_id": known.event_id,
                        "status": status,
                    },
                )
            else:
                key = (participant_id, fork, head)
                self.rows.update(participant_branches, key, {"status": status})

    def _steps(self, known: _Known) -> dict[str, tuple[str, str]]:
        """The kind and name of each step of the participant's workflow version."""
        version = (known.event_id, known.workflow_version)
        steps = self._steps_of.get(version)
        if steps is None:
            definition = self.rows.value(workflow_versions, version, "definition")
            steps = {s["id"]: (s["kind"], s["name"]) for s in definition["steps"]}
            self._steps_of[version] = steps
        return steps
