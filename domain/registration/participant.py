"""The participant: a person registered for a managed event, on their way through its workflow.

Each step completion records the person's decision and what the workflow decided
in answer (steps opened or cancelled, branches passed or failed, joins decided,
the run's new status), so replaying a participant needs no workflow definition.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.registration.merge import Absorption, MergedState, ParticipantMerged
from domain.registration.person import PersonalDetails
from domain.registration.workflow.record import EMPTY_RUN, apply_changes, changes_between
from domain.registration.workflow.run import RunStatus, WorkflowRun
from domain.shared.errors import RuleViolation
from domain.shared.topics import moved_from


class ParticipantStatus(StrEnum):
    PENDING = "pending"  # in the workflow
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # by the participant
    CANCELLED = "cancelled"  # by the organiser
    MERGED = "merged"  # into another registration of the same person (survivor_id)
    WAITLISTED = "waitlisted"  # the event was full: waiting for a seat, no step open


_FROM_RUN = {
    RunStatus.IN_PROGRESS: ParticipantStatus.PENDING,
    RunStatus.APPROVED: ParticipantStatus.APPROVED,
    RunStatus.REJECTED: ParticipantStatus.REJECTED,
}


def status_after(run_status: str) -> ParticipantStatus:
    """A participant's status while the workflow runs, or once it decided (as recorded)."""
    return _FROM_RUN[RunStatus(run_status)]


class RegistrationEnded(RuleViolation):
    code = "registration-ended"
    title = "The participant has withdrawn or was cancelled"


class ParticipantWaitlisted(RuleViolation):
    code = "participant-waitlisted"
    title = "The participant waits for a seat: no workflow step is open"


class NotRestorable(RuleViolation):
    code = "not-restorable"
    title = "Only a cancelled registration that was pending or approved is restored"


class NotHeld(RuleViolation):
    code = "not-held-for-screening"
    title = "The participant is not held for screening review"


HELD_REASON = "held for screening review"


class Participant(Aggregate):
    # 2: what screening decided (the last decision followed, a hold, a block).
    # 3: waitlists (the entry waited in, the offer whose seat the workflow decides).
    # 4: what a cancellation ended (status, reason, run), so that a restore gives it back.
    class_version = 4

    # Domain events: a public contract, each with its typed payload. `workflow` is what
    # the workflow decided in answer (domain.registration.workflow.record).

    class Registered(Aggregate.Created):
        """A person registered for an event and entered its workflow's first steps."""

        tenant_id: UUID
        event_id: UUID
        category: str | None
        details: dict[str, Any]  # the personal details, as PersonalDetails records them
        workflow_version: int
        workflow: dict[str, Any]

    class DetailsUpdated(Aggregate.Event):
        """Personal details changed."""

        changes: dict[str, Any]  # the personal details that changed (None: cleared)

    class StepCompleted(Aggregate.Event):
        """A step was approved or rejected, and what the workflow decided in answer."""

        step_id: str
        outcome: str
        actor: str | None
        comment: str | None
        workflow: dict[str, Any]

    class Withdrawn(Aggregate.Event):
        """The participant withdrew; open steps were cancelled."""

        reason: str | None
        workflow: dict[str, Any]

    class Cancelled(Aggregate.Event):
        """The organiser cancelled the registration; open steps were cancelled."""

        reason: str | None
        workflow: dict[str, Any]

    class Restored(Aggregate.Event):
        """A cancellation was undone: the participant is back as it was before it, pending
        with its open steps or approved in a seat taken again, as `workflow` records."""

        status: str  # the status it returns to: pending or approved
        reason: str | None  # the reason shown again, as before (a screening hold's), or None
        seat_retaken: bool  # approved: it took a seat again
        email_reclaimed: bool  # it holds its e-mail at the event again
        workflow: dict[str, Any]

    class Absorbed(Aggregate.Event):
        """Another registration of the same person was merged into this one."""

        merge_id: UUID
        absorbed_id: UUID
        chosen: dict[str, str]  # personal detail -> survivor or absorbed, every one
        changes: dict[str, Any]  # the personal details the merge changed, as recorded
        previous: dict[str, Any]  # their values before the merge

    class MergedInto(Aggregate.Event):
        """This registration was merged into another (the survivor); it refuses commands."""

        merge_id: UUID
        survivor_id: UUID
        previous_status: str
        seat_released: bool  # it held a seat, given back
        email_released: bool  # it held its e-mail at the event, given back

    class Unabsorbed(Aggregate.Event):
        """A merge into this registration was undone; the details it changed are restored."""

        merge_id: UUID
        absorbed_id: UUID
        changes: dict[str, Any]  # the personal details restored, as recorded

    class Unmerged(Aggregate.Event):
        """The merge of this registration was undone; it has its status back."""

        merge_id: UUID
        status: str
        seat_retaken: bool
        email_reclaimed: bool

    # Waitlists: a registration made when the event was full waits for a seat.

    class Waitlisted(Aggregate.Event):
        """The participant waits for a seat in the waitlist entry `entry_id`: the event (or
        its category) was full. Open steps were closed, as `workflow` records."""

        entry_id: UUID
        workflow: dict[str, Any]

    class Promoted(Aggregate.Event):
        """The participant's entry took an offered seat: approved in it, or into the
        workflow's first steps with the seat held for it (`offer_id`) until the workflow
        decides, as `workflow` records (a run begun afresh)."""

        entry_id: UUID
        offer_id: UUID
        workflow_version: int
        workflow: dict[str, Any]

    # Screening's word (the screening policy's, and a reviewer's release): kept apart from
    # the workflow's events. A hold defers an approval, a block stops the credential.

    class ScreeningHeld(Aggregate.Event):
        """Screening matched the participant to a blacklist entry closely: held for review.
        An approval given already is taken back until the release, as `workflow` records."""

        decision_id: UUID
        reason: str
        workflow: dict[str, Any]

    class ScreeningReleased(Aggregate.Event):
        """The hold was lifted (by a reviewer, or the entry went); an approval it deferred
        takes effect, as `workflow` records."""

        decision_id: UUID
        actor: str | None
        workflow: dict[str, Any]

    class ScreeningBlocked(Aggregate.Event):
        """Screening matched the participant's document to a blacklist entry: blocked."""

        decision_id: UUID
        reason: str

    class ScreeningUnblocked(Aggregate.Event):
        """The block was lifted: the entry that caused it went, or no longer matches."""

        decision_id: UUID

    @event(Registered)
    def __init__(
        self,
        tenant_id: UUID,
        event_id: UUID,
        category: str | None,
        details: dict[str, Any],
        workflow_version: int,
        workflow: dict[str, Any],
    ) -> None:
        self.tenant_id = tenant_id
        self.event_id = event_id
        self.category = category
        self.details = PersonalDetails.from_record(details)
        self.workflow_version = workflow_version
        self.run: WorkflowRun = apply_changes(EMPTY_RUN, workflow)
        self.status = status_after(self.run.status)
        self.reason: str | None = None
        self.merged: MergedState | None = None  # while merged into a survivor
        self.absorbed: dict[UUID, Absorption] = {}  # by merge id, until undone
        self.screening_decision: UUID | None = None  # the last screening decision followed
        self.held_by: UUID | None = None
        self.blocked_by: UUID | None = None
        self.blocked_reason: str | None = None
        self.waitlist_entry: UUID | None = None  # while waitlisted
        self.offer_seat: UUID | None = None  # the offer holding its seat while the workflow runs
        # While cancelled: the status, reason and run changes a restore gives back.
        self._state_before_cancel: dict[str, Any] | None = None

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        """A state from before waitlists: never waitlisted."""
        state.update(waitlist_entry=None, offer_seat=None)

    @staticmethod
    def upcast_v3_v4(state: dict[str, Any]) -> None:
        """A state from before restores: a cancellation then kept nothing to give back."""
        state.setdefault("_state_before_cancel", None)

    @property
    def survivor_id(self) -> UUID | None:
        return self.merged.survivor_id if self.merged is not None else None

    @property
    def holds_seat(self) -> bool:
        return self.status is ParticipantStatus.APPROVED

    @property
    def waitlisted(self) -> bool:
        return self.status is ParticipantStatus.WAITLISTED

    @property
    def has_ended(self) -> bool:
        return self.status in (ParticipantStatus.WITHDRAWN, ParticipantStatus.CANCELLED)

    def check_not_merged(self) -> None:
        if self.merged is not None:
            raise ParticipantMerged(self.id, self.merged.survivor_id)

    def check_not_ended(self) -> None:
        self.check_not_merged()
        if self.has_ended:
            raise RegistrationEnded(f"the participant is {self.status}")

    def check_not_waitlisted(self) -> None:
        if self.waitlisted:
            raise ParticipantWaitlisted(
                f"the participant waits for a seat (waitlist entry {self.waitlist_entry})"
            )

    def update_details(self, changes: dict[str, Any]) -> None:
        """Records the fields that differ (already checked by PersonalDetails)."""
        self.check_not_ended()
        if changes:
            self._details_updated(changes=changes)

    @event(DetailsUpdated)
    def _details_updated(self, changes: dict[str, Any]) -> None:
        self.details = self.details.with_record(changes)

    def record_step(
        self,
        step_id: str,
        outcome: str,
        actor: str | None,
        comment: str | None,
        workflow: dict[str, Any],
    ) -> None:
        """Records a completed step with the workflow's answer (changes_between old and new)."""
        self.check_not_ended()
        self.check_not_waitlisted()
        self._step_completed(
            step_id=step_id, outcome=outcome, actor=actor, comment=comment, workflow=workflow
        )

    @event(StepCompleted)
    def _step_completed(
        self,
        step_id: str,
        outcome: str,
        actor: str | None,
        comment: str | None,
        workflow: dict[str, Any],
    ) -> None:
        del step_id, outcome, actor, comment  # the workflow changes hold them too
        self.run = apply_changes(self.run, workflow)
        self.status = status_after(self.run.status)
        if self.run.is_finished:
            self.offer_seat = None  # taken (approved) or given back (rejected)

    def withdraw(self, reason: str | None, workflow: dict[str, Any]) -> None:
        self.check_not_ended()
        self._withdrawn(reason=reason, workflow=workflow)

    @event(Withdrawn)
    def _withdrawn(self, reason: str | None, workflow: dict[str, Any]) -> None:
        self._ended(ParticipantStatus.WITHDRAWN, reason, workflow)

    def cancel(self, reason: str | None, workflow: dict[str, Any]) -> None:
        self.check_not_ended()
        self._cancelled(reason=reason, workflow=workflow)

    @event(Cancelled)
    def _cancelled(self, reason: str | None, workflow: dict[str, Any]) -> None:
        run, status, shown = self.run, self.status, self.reason
        self._ended(ParticipantStatus.CANCELLED, reason, workflow)
        # Kept from the domain event itself, so a history cancelled long ago restores too.
        self._state_before_cancel = {
            "status": status.value,
            "reason": shown,
            "workflow": changes_between(self.run, run),
        }

    def status_before_cancel(self) -> ParticipantStatus:
        """The status a restore returns to; NotRestorable unless cancelled from pending or
        approved (one waiting for a seat lost its place on the waitlist)."""
        return self._before_cancel()[0]

    def restore(self, seat_retaken: bool, email_reclaimed: bool) -> None:
        """Returns to the status, reason and run the cancellation ended."""
        status, before = self._before_cancel()
        self._restored(
            status=status.value,
            reason=before["reason"],
            seat_retaken=seat_retaken,
            email_reclaimed=email_reclaimed,
            workflow=before["workflow"],
        )

    def _before_cancel(self) -> tuple[ParticipantStatus, dict[str, Any]]:
        self.check_not_merged()
        before = self._state_before_cancel
        if self.status is not ParticipantStatus.CANCELLED or before is None:
            raise NotRestorable(
                f"the participant is {self.status}: only a cancelled registration is restored"
            )
        status = ParticipantStatus(before["status"])
        if status is ParticipantStatus.WAITLISTED:
            raise NotRestorable(
                "the participant was waiting for a seat when cancelled and its place on the "
                "waitlist is gone: it may register again"
            )
        if status not in (ParticipantStatus.PENDING, ParticipantStatus.APPROVED):
            raise NotRestorable(f"the participant was {status} when cancelled")
        return status, before

    @event(Restored)
    def _restored(
        self,
        status: str,
        reason: str | None,
        seat_retaken: bool,
        email_reclaimed: bool,
        workflow: dict[str, Any],
    ) -> None:
        del seat_retaken, email_reclaimed  # for the record only
        self.run = apply_changes(self.run, workflow)
        self.status = ParticipantStatus(status)
        self.reason = reason
        self._state_before_cancel = None

    def _ended(
        self, status: ParticipantStatus, reason: str | None, workflow: dict[str, Any]
    ) -> None:
        self.run = apply_changes(self.run, workflow)
        self.status = status
        self.reason = reason
        self.waitlist_entry = None
        self.offer_seat = None

    # Waitlists (domain.waitlists decides who waits and who is offered a seat)

    def wait_for_seat(self, entry_id: UUID, workflow: dict[str, Any]) -> None:
        """Waits in the entry for a seat; `workflow` closes the steps open (if any)."""
        self.check_not_ended()
        self._waitlisted(entry_id=entry_id, workflow=workflow)

    @event(Waitlisted)
    def _waitlisted(self, entry_id: UUID, workflow: dict[str, Any]) -> None:
        self.run = apply_changes(self.run, workflow)
        self.status = ParticipantStatus.WAITLISTED
        self.waitlist_entry = entry_id

    def promote(self, offer_id: UUID, workflow_version: int, workflow: dict[str, Any]) -> None:
        """Takes the offered seat: `workflow` is the run begun afresh (approved, or in its
        first steps with the seat held by the offer)."""
        self.check_not_ended()
        if not self.waitlisted or self.waitlist_entry is None:
            raise RuleViolation(f"the participant {self.id} is not on the waitlist")
        self._promoted(
            entry_id=self.waitlist_entry,
            offer_id=offer_id,
            workflow_version=workflow_version,
            workflow=workflow,
        )

    @event(Promoted)
    def _promoted(
        self, entry_id: UUID, offer_id: UUID, workflow_version: int, workflow: dict[str, Any]
    ) -> None:
        del entry_id  # for the record only
        self.workflow_version = workflow_version
        self.run = apply_changes(EMPTY_RUN, workflow)
        self.status = status_after(self.run.status)
        self.waitlist_entry = None
        self.offer_seat = None if self.run.is_finished else offer_id

    # Merges (domain.registration.merge decides what they change)

    def absorb(
        self,
        merge_id: UUID,
        absorbed_id: UUID,
        chosen: dict[str, str],
        changes: dict[str, Any],
    ) -> None:
        """Takes the chosen details of a registration merged into this one."""
        self.check_not_ended()
        mine = self.details.to_record()
        previous = {k: mine[k] for k in changes}
        self._absorbed(
            merge_id=merge_id,
            absorbed_id=absorbed_id,
            chosen=chosen,
            changes=changes,
            previous=previous,
        )

    @event(Absorbed)
    def _absorbed(
        self,
        merge_id: UUID,
        absorbed_id: UUID,
        chosen: dict[str, str],
        changes: dict[str, Any],
        previous: dict[str, Any],
    ) -> None:
        del chosen  # kept in the domain event for auditors
        self.details = self.details.with_record(changes)
        self.absorbed[merge_id] = Absorption(absorbed_id, dict(changes), dict(previous))

    def restorable(self, merge_id: UUID) -> dict[str, Any]:
        """What undoing the merge restores: the details it changed that have not changed since.

        A detail changed again after the merge keeps its later value.
        """
        absorbed = self.absorbed[merge_id]
        now = self.details.to_record()
        return {k: v for k, v in absorbed.previous.items() if now[k] == absorbed.changes[k]}

    def unabsorb(self, merge_id: UUID, changes: dict[str, Any]) -> None:
        absorbed = self.absorbed[merge_id]
        self._unabsorbed(merge_id=merge_id, absorbed_id=absorbed.absorbed_id, changes=changes)

    @event(Unabsorbed)
    def _unabsorbed(self, merge_id: UUID, absorbed_id: UUID, changes: dict[str, Any]) -> None:
        del absorbed_id
        self.details = self.details.with_record(changes)
        del self.absorbed[merge_id]

    def merge_into(
        self, merge_id: UUID, survivor_id: UUID, seat_released: bool, email_released: bool
    ) -> None:
        """Points this registration to its survivor; from now on it refuses commands."""
        self.check_not_merged()
        self._merged_into(
            merge_id=merge_id,
            survivor_id=survivor_id,
            previous_status=self.status.value,
            seat_released=seat_released,
            email_released=email_released,
        )

    @event(MergedInto)
    def _merged_into(
        self,
        merge_id: UUID,
        survivor_id: UUID,
        previous_status: str,
        seat_released: bool,
        email_released: bool,
    ) -> None:
        self.merged = MergedState(
            merge_id, survivor_id, previous_status, seat_released, email_released
        )
        self.status = ParticipantStatus.MERGED

    def merged_by(self, merge_id: UUID) -> MergedState:
        """What this registration kept of the merge that absorbed it."""
        if self.merged is None or self.merged.merge_id != merge_id:
            raise RuleViolation(f"participant {self.id} is not merged by merge {merge_id}")
        return self.merged

    def unmerge(self, merge_id: UUID) -> None:
        """Gives this registration back its status, seat and e-mail from before the merge."""
        merged = self.merged_by(merge_id)
        self._unmerged(
            merge_id=merge_id,
            status=merged.previous_status,
            seat_retaken=merged.seat_released,
            email_reclaimed=merged.email_released,
        )

    @event(Unmerged)
    def _unmerged(
        self, merge_id: UUID, status: str, seat_retaken: bool, email_reclaimed: bool
    ) -> None:
        del merge_id, seat_retaken, email_reclaimed
        self.merged = None
        self.status = ParticipantStatus(status)

    # Screening

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """A state from before screening and merges: nothing decided, held, blocked or merged."""
        state.update(screening_decision=None, held_by=None, blocked_by=None, blocked_reason=None)
        state.setdefault("merged", None)
        state.setdefault("absorbed", {})

    @property
    def held(self) -> bool:
        return self.held_by is not None

    @property
    def blocked(self) -> bool:
        return self.blocked_by is not None

    @property
    def approval_deferred(self) -> bool:
        """Every step is done and would approve, but a hold kept the workflow from deciding."""
        return (
            self.status is ParticipantStatus.PENDING
            and not self.run.active_steps
            and bool(self.run.steps)
        )

    def follow_screening(
        self,
        decision_id: UUID,
        outcome: str,
        reason: str,
        release: dict[str, Any] | None,
        hold: dict[str, Any] | None = None,
    ) -> None:
        """Takes a screening decision (clear, hold or block) once; an ended or merged one is
        kept out.

        `release` is the workflow's answer if a hold lifted now lets an approval through;
        `hold`, if a hold now takes an approval back.
        """
        if self.has_ended or self.merged is not None or self.screening_decision == decision_id:
            return  # a merged registration is screened as its survivor
        if self.blocked and outcome != "block":
            self._screening_unblocked(decision_id=decision_id)
        if self.held and outcome != "hold":
            self._screening_released(decision_id=decision_id, actor=None, workflow=release or {})
        if outcome == "block" and self.blocked_by != decision_id:
            self._screening_blocked(decision_id=decision_id, reason=reason)
        if outcome == "hold" and self.held_by != decision_id:
            self._screening_held(decision_id=decision_id, reason=reason, workflow=hold or {})

    def release_hold(self, actor: str | None, release: dict[str, Any] | None) -> None:
        """A reviewer lets a held participant go on: a deferred approval takes effect."""
        self.check_not_ended()
        if self.held_by is None:
            raise NotHeld("the participant is not held for screening review")
        self._screening_released(decision_id=self.held_by, actor=actor, workflow=release or {})

    @event(ScreeningHeld)
    def _screening_held(self, decision_id: UUID, reason: str, workflow: dict[str, Any]) -> None:
        del reason  # for the record only
        self.screening_decision = self.held_by = decision_id
        self.reason = HELD_REASON
        if workflow:
            self.run = apply_changes(self.run, workflow)
            self.status = status_after(self.run.status)

    @event(ScreeningReleased)
    def _screening_released(
        self, decision_id: UUID, actor: str | None, workflow: dict[str, Any]
    ) -> None:
        del actor  # for the record only
        self.screening_decision = decision_id
        self.held_by = None
        if self.reason == HELD_REASON:
            self.reason = None
        if workflow:
            self.run = apply_changes(self.run, workflow)
            self.status = status_after(self.run.status)

    @event(ScreeningBlocked)
    def _screening_blocked(self, decision_id: UUID, reason: str) -> None:
        self.screening_decision = self.blocked_by = decision_id
        self.blocked_reason = reason

    @event(ScreeningUnblocked)
    def _screening_unblocked(self, decision_id: UUID) -> None:
        self.screening_decision = decision_id
        self.blocked_by = None
        self.blocked_reason = None


# Histories written before this module moved name its classes by the old path.
moved_from("domain.participant", __name__)
