"""The registration read models: managed events, participants, and their workflow steps.

A participant's domain events carry what the workflow decided (domain.registration.workflow.record):
only the steps and branches whose state changed, so the view keeps each one's latest
state and the projector never needs the engine.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from domain.registration.managed_event import ManagedEvent
from domain.registration.participant import (
    HELD_REASON,
    Participant,
    ParticipantStatus,
    status_after,
)
from domain.registration.person import PersonalDetails
from projections.projector import Projector, on


class RegistrationView(Protocol):
    """Where the registration projector writes managed events, participants and their steps."""

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
        """A managed event in draft, with version 1 of its workflow."""

    def event_changed(
        self, event_id: UUID, changes: dict[str, Any], version: int, at: datetime
    ) -> None:
        """Columns of a managed event set to new values."""

    def workflow_published(
        self,
        event_id: UUID,
        workflow_version: int,
        workflow: dict[str, Any],
        version: int,
        at: datetime,
    ) -> None:
        """A new workflow version, the one new registrations follow."""

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
        """A participant with the steps and branches its workflow entered at the start."""

    def participant_details_updated(
        self, participant_id: UUID, changes: dict[str, Any], version: int, at: datetime
    ) -> None:
        """Personal details set to new values (dates as dates)."""

    def participant_progressed(
        self,
        participant_id: UUID,
        changes: dict[str, Any],
        steps: list[dict[str, Any]],
        branches: list[dict[str, Any]],
        version: int,
        at: datetime,
    ) -> None:
        """The participant's new status (and reason), and the steps and branches that changed."""

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
        """The participant's workflow run begun afresh on `workflow_version`: the earlier
        run's steps and branches are gone, these are the new run's."""

    def participant_restored(
        self,
        participant_id: UUID,
        changes: dict[str, Any],
        steps: list[dict[str, Any]],
        branches: list[dict[str, Any]],
        version: int,
        at: datetime,
    ) -> None:
        """The participant back as before its cancellation: the steps and branches it closed
        are open again, reached when they first were."""

    def participant_merged(
        self, participant_id: UUID, changes: dict[str, Any], version: int, at: datetime
    ) -> None:
        """A participant merged into its survivor, or back: its status and survivor_id."""


class RegistrationProjector(Projector[RegistrationView]):
    name = "registration"
    # 2: one-name people (first or last name null) with full_name; the event's country;
    # participants have survivor_id, and the status merged.
    # 3: participants show a screening hold (held_by) and block (blocked_by, blocked_reason).
    # 4: participants waitlisted (the event was full), and promoted from the waitlist.
    version = 4
    upstream = ("registration",)

    @on(ManagedEvent.Created)
    def _event_created(self, e: ManagedEvent.Created, view: RegistrationView) -> None:
        view.event_created(
            e.originator_id,
            e.tenant_id,
            e.name,
            e.starts_at,
            e.ends_at,
            e.time_zone,
            e.venue,
            e.capacity,
            e.categories,
            e.workflow,
            e.country,
            e.timestamp,
        )

    @on(ManagedEvent.DetailsChanged)
    def _details_changed(self, e: ManagedEvent.DetailsChanged, view: RegistrationView) -> None:
        view.event_changed(e.originator_id, e.changes, e.originator_version, e.timestamp)

    @on(ManagedEvent.CapacityChanged)
    def _capacity_changed(self, e: ManagedEvent.CapacityChanged, view: RegistrationView) -> None:
        changes = {"capacity": e.capacity}
        view.event_changed(e.originator_id, changes, e.originator_version, e.timestamp)

    @on(ManagedEvent.CategoriesChanged)
    def _categories_changed(
        self, e: ManagedEvent.CategoriesChanged, view: RegistrationView
    ) -> None:
        changes = {"categories": e.categories}
        view.event_changed(e.originator_id, changes, e.originator_version, e.timestamp)

    @on(ManagedEvent.RegistrationOpened)
    def _registration_opened(
        self, e: ManagedEvent.RegistrationOpened, view: RegistrationView
    ) -> None:
        changes = {"registration": "open"}
        view.event_changed(e.originator_id, changes, e.originator_version, e.timestamp)

    @on(ManagedEvent.RegistrationClosed)
    def _registration_closed(
        self, e: ManagedEvent.RegistrationClosed, view: RegistrationView
    ) -> None:
        changes = {"registration": "closed"}
        view.event_changed(e.originator_id, changes, e.originator_version, e.timestamp)

    @on(ManagedEvent.WorkflowPublished)
    def _workflow_published(
        self, e: ManagedEvent.WorkflowPublished, view: RegistrationView
    ) -> None:
        view.workflow_published(
            e.originator_id, e.version, e.workflow, e.originator_version, e.timestamp
        )

    @on(Participant.Registered)
    def _registered(self, e: Participant.Registered, view: RegistrationView) -> None:
        workflow = e.workflow
        view.participant_registered(
            e.originator_id,
            e.tenant_id,
            e.event_id,
            e.category,
            PersonalDetails.from_record(e.details),
            e.workflow_version,
            status_after(workflow["status"]).value,
            workflow["steps"],
            workflow["branches"],
            e.timestamp,
        )

    @on(Participant.DetailsUpdated, Participant.Absorbed, Participant.Unabsorbed)
    def _details_updated(
        self,
        e: Participant.DetailsUpdated | Participant.Absorbed | Participant.Unabsorbed,
        view: RegistrationView,
    ) -> None:
        changes = dict(e.changes)
        if changes.get("date_of_birth"):
            changes["date_of_birth"] = date.fromisoformat(changes["date_of_birth"])
        view.participant_details_updated(
            e.originator_id, changes, e.originator_version, e.timestamp
        )

    @on(Participant.MergedInto)
    def _merged_into(self, e: Participant.MergedInto, view: RegistrationView) -> None:
        changes = {
            "status": ParticipantStatus.MERGED.value,
            "survivor_id": e.survivor_id,
            "waitlist_entry_id": None,
        }
        view.participant_merged(e.originator_id, changes, e.originator_version, e.timestamp)

    @on(Participant.Unmerged)
    def _unmerged(self, e: Participant.Unmerged, view: RegistrationView) -> None:
        changes = {"status": e.status, "survivor_id": None}
        view.participant_merged(e.originator_id, changes, e.originator_version, e.timestamp)

    @on(Participant.StepCompleted)
    def _step_completed(self, e: Participant.StepCompleted, view: RegistrationView) -> None:
        status = status_after(e.workflow["status"])
        self._progressed(e, view, {"status": status.value})

    @on(Participant.Withdrawn)
    def _withdrawn(self, e: Participant.Withdrawn, view: RegistrationView) -> None:
        changes = {
            "status": ParticipantStatus.WITHDRAWN.value,
            "reason": e.reason,
            "waitlist_entry_id": None,
        }
        self._progressed(e, view, changes)

    @on(Participant.Cancelled)
    def _cancelled(self, e: Participant.Cancelled, view: RegistrationView) -> None:
        changes = {
            "status": ParticipantStatus.CANCELLED.value,
            "reason": e.reason,
            "waitlist_entry_id": None,
        }
        self._progressed(e, view, changes)

    @on(Participant.Restored)
    def _restored(self, e: Participant.Restored, view: RegistrationView) -> None:
        # Back as before the cancellation: its steps and branches as they were then.
        view.participant_restored(
            e.originator_id,
            {"status": e.status, "reason": e.reason},
            e.workflow["steps"],
            e.workflow["branches"],
            e.originator_version,
            e.timestamp,
        )

    # Waitlists: one waiting has no step open; a promotion begins its run afresh.

    @on(Participant.Waitlisted)
    def _waitlisted(self, e: Participant.Waitlisted, view: RegistrationView) -> None:
        changes = {"status": ParticipantStatus.WAITLISTED.value, "waitlist_entry_id": e.entry_id}
        self._progressed(e, view, changes)

    @on(Participant.Promoted)
    def _promoted(self, e: Participant.Promoted, view: RegistrationView) -> None:
        # The run begins afresh: a participant staff queued had steps of the one before.
        status = status_after(e.workflow["status"]).value
        view.participant_restarted(
            e.originator_id,
            {"status": status, "waitlist_entry_id": None},
            e.workflow_version,
            e.workflow["steps"],
            e.workflow["branches"],
            e.originator_version,
            e.timestamp,
        )

    # Screening's word: a hold shows as the reason a pending participant waits (and may
    # take an approval back); a release lets it through; a block is shown with its reason.

    @on(Participant.ScreeningHeld)
    def _held(self, e: Participant.ScreeningHeld, view: RegistrationView) -> None:
        changes: dict[str, Any] = {"reason": HELD_REASON, "held_by": e.decision_id}
        if e.workflow:
            changes["status"] = status_after(e.workflow["status"]).value
        steps, branches = e.workflow.get("steps", []), e.workflow.get("branches", [])
        view.participant_progressed(
            e.originator_id, changes, steps, branches, e.originator_version, e.timestamp
        )

    @on(Participant.ScreeningReleased)
    def _released(self, e: Participant.ScreeningReleased, view: RegistrationView) -> None:
        changes: dict[str, Any] = {"reason": None, "held_by": None}
        if e.workflow:
            changes["status"] = status_after(e.workflow["status"]).value
        steps, branches = e.workflow.get("steps", []), e.workflow.get("branches", [])
        view.participant_progressed(
            e.originator_id, changes, steps, branches, e.originator_version, e.timestamp
        )

    @on(Participant.ScreeningBlocked)
    def _blocked(self, e: Participant.ScreeningBlocked, view: RegistrationView) -> None:
        changes = {"blocked_by": e.decision_id, "blocked_reason": e.reason}
        view.participant_progressed(
            e.originator_id, changes, [], [], e.originator_version, e.timestamp
        )

    @on(Participant.ScreeningUnblocked)
    def _unblocked(self, e: Participant.ScreeningUnblocked, view: RegistrationView) -> None:
        changes = {"blocked_by": None, "blocked_reason": None}
        view.participant_progressed(
            e.originator_id, changes, [], [], e.originator_version, e.timestamp
        )

    def _progressed(
        self,
        e: Participant.StepCompleted
        | Participant.Withdrawn
        | Participant.Cancelled
        | Participant.Waitlisted,
        view: RegistrationView,
        changes: dict[str, Any],
    ) -> None:
        view.participant_progressed(
            e.originator_id,
            changes,
            e.workflow["steps"],
            e.workflow["branches"],
            e.originator_version,
            e.timestamp,
        )
