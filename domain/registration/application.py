"""The registration context: managed events, their workflows, and participants."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import JSONTranscoder, RecordConflictError

from domain.registration.email_index import EmailIndex, email_index_id
from domain.registration.managed_event import CategoryAsDict, ManagedEvent
from domain.registration.merge import Merge, MergeAcrossEvents, choose_fields, merged_details
from domain.registration.participant import Participant, ParticipantStatus
from domain.registration.person import PersonalDetails, normalised_email
from domain.registration.seats import EventFull, HoldAsDict, SeatLedger, ledger_id
from domain.registration.workflow.definition import WorkflowDefinition
from domain.registration.workflow.record import EMPTY_RUN, changes_between
from domain.registration.workflow.run import Outcome, RunStatus, complete, start, stop
from domain.shared.application import AccreditApplication, Ack, check_version, retry_on_conflict
from domain.shared.errors import InvalidValue, NotFound
from domain.shared.names import free_text

EVENT_DETAILS = frozenset({"name", "venue", "starts_at", "ends_at", "time_zone", "country"})
COMMENT_MAX = 2000
REASON_MAX = 500


A = TypeVar("A", bound=Aggregate)
_NOUNS: dict[type[Any], str] = {
    ManagedEvent: "event",
    Participant: "participant",
    Merge: "merge",
}


def _capacities(event: ManagedEvent) -> dict[str, int | None]:
    return {c.code: c.capacity for c in event.categories}


class RegistrationApplication(AccreditApplication):
    name = "registration"
    aggregates: ClassVar[tuple[type[Aggregate], ...]] = (
        ManagedEvent,
        SeatLedger,
        Participant,
        EmailIndex,
        Merge,
    )
    # Managed events gather workflow versions and edits; load them from a snapshot.
    snapshotting_intervals = {ManagedEvent: 50, SeatLedger: 100}

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(CategoryAsDict())
        transcoder.register(HoldAsDict())

    # Managed events

    def create_event(
        self,
        tenant_id: UUID,
        name: str,
        starts_at: datetime,
        ends_at: datetime,
        time_zone: str,
        venue: str | None = None,
        capacity: int | None = None,
        categories: Iterable[Mapping[str, Any]] = (),
        workflow: Mapping[str, Any] | None = None,
        country: str | None = None,
    ) -> Ack[ManagedEvent]:
        """Creates a managed event, in draft, with the default workflow unless one is given."""
        managed = ManagedEvent.create(
            tenant_id,
            name,
            starts_at,
            ends_at,
            time_zone,
            venue,
            capacity,
            categories,
            workflow,
            country,
        )
        ledger = SeatLedger(
            event_id=managed.id,
            tenant_id=tenant_id,
            capacity=managed.capacity,
            category_capacities=_capacities(managed),
        )
        return self.ack(managed, ledger)

    def event(self, tenant_id: UUID, event_id: UUID) -> ManagedEvent:
        """The tenant's managed event (for commands and their answers)."""
        return self._owned(ManagedEvent, tenant_id, event_id, readonly=True)

    @retry_on_conflict
    def update_event(
        self,
        tenant_id: UUID,
        event_id: UUID,
        changes: Mapping[str, Any],
        expected_version: int | None = None,
    ) -> Ack[ManagedEvent]:
        """Changes details, capacity and categories; capacities never drop below approvals."""
        managed = self._changing(ManagedEvent, tenant_id, event_id, expected_version)
        managed.change_details(**{k: v for k, v in changes.items() if k in EVENT_DETAILS})
        if "capacity" in changes:
            managed.change_capacity(changes["capacity"])
        if "categories" in changes:
            managed.change_categories(changes["categories"])
        work = CommandWork(self)
        work.ledger(event_id).set_limits(managed.capacity, _capacities(managed))
        if work.changed():
            self._seats_freed(work, event_id)  # a capacity raised, or a limit lifted
        return self.ack(managed, *work.changed())

    @retry_on_conflict
    def open_registration(
        self, tenant_id: UUID, event_id: UUID, expected_version: int | None = None
    ) -> Ack[ManagedEvent]:
        """Lets participants register."""
        managed = self._changing(ManagedEvent, tenant_id, event_id, expected_version)
        managed.open_registration()
        return self.ack(managed)

    @retry_on_conflict
    def close_registration(
        self, tenant_id: UUID, event_id: UUID, expected_version: int | None = None
    ) -> Ack[ManagedEvent]:
        """Stops new registrations; participants already in keep going."""
        managed = self._changing(ManagedEvent, tenant_id, event_id, expected_version)
        managed.close_registration()
        return self.ack(managed)

    @retry_on_conflict
    def publish_workflow(
        self,
        tenant_id: UUID,
        event_id: UUID,
        workflow: Mapping[str, Any],
        expected_version: int | None = None,
    ) -> Ack[ManagedEvent]:
        """Validates and publishes a new workflow version for new registrations."""
        managed = self._changing(ManagedEvent, tenant_id, event_id, expected_version)
        managed.publish_workflow(workflow)
        return self.ack(managed)

    # Participants

    def register(
        self,
        tenant_id: UUID,
        event_id: UUID,
        details: Mapping[str, Any],
        category: str | None = None,
        *,
        may_wait: bool = False,
    ) -> Ack[Participant]:
        """Registers a person; one registration per normalised e-mail per event.

        A full event (or category: every seat taken or offered) refuses with EventFull,
        as such a registration could never be approved; unless `may_wait` (the tenant
        has waitlists) and the event's waitlist takes it: the participant then waits.
        """
        managed = self._owned(ManagedEvent, tenant_id, event_id, readonly=True)
        managed.check_open()
        chosen = managed.category(category)
        person = PersonalDetails.checked(self.clock().date(), managed.country, **details)
        limited = managed.capacity is not None or (
            chosen is not None and chosen.capacity is not None
        )
        # Only a limited event's registrations read its ledger (or its waitlist).
        if limited and self._must_wait(managed, category, may_wait):
            return self._register_waiting(managed, category, person)
        email = person.normalised_email
        try:
            # Most addresses are new: claim one by creating its index, with no read first.
            participant = self._new_participant(managed, category, person)
            claim = EmailIndex(
                event_id=event_id, email=email, tenant_id=tenant_id, participant_id=participant.id
            )
            return self.ack(participant, claim)
        except RecordConflictError:
            # The address was registered before (or just now): its index says by whom.
            index = self.load(EmailIndex, email_index_id(event_id, email))
        participant = self._new_participant(managed, category, person)
        index.claim(participant.id)
        return self.ack(participant, index)

    @retry_on_conflict
    def _register_waiting(
        self, managed: ManagedEvent, category: str | None, person: PersonalDetails
    ) -> Ack[Participant]:
        participant = self._new_participant(managed, category, person, waiting=True)
        indexes = _Indexes(self, managed.id, managed.tenant_id)
        indexes.claim(person.normalised_email, participant.id)
        work = CommandWork(self)
        work.add(participant)
        self._wait_for_seats(work, managed.id, [participant], category)
        return self.ack(participant, *indexes.changed(), *work.changed(participant))

    def _must_wait(self, managed: ManagedEvent, category: str | None, may_wait: bool) -> bool:
        """Whether a new registration waits for a seat: EventFull if it cannot have one."""
        del may_wait  # an application with waitlists lets it wait
        self.load(SeatLedger, ledger_id(managed.id), readonly=True).check_not_full(category)
        return False

    def _wait_for_seats(
        self,
        work: CommandWork,
        event_id: UUID,
        participants: list[Participant],
        category: str | None,
    ) -> UUID:
        """Puts the participants (in `work`) on the event's waitlist, together: the entry."""
        del work, event_id, participants, category
        raise EventFull("the event is full and keeps no waitlist")

    def _stop_waiting(
        self, work: CommandWork, participant: Participant, reason: str | None
    ) -> None:
        """Takes a waitlisted participant that ends (or merges) off the waitlist."""
        del work, participant, reason

    def _seats_freed(self, work: CommandWork, event_id: UUID) -> None:
        """Offers the seats the event's ledger (in `work`) has free to who waits for them."""
        del work, event_id

    def _new_participant(
        self,
        managed: ManagedEvent,
        category: str | None,
        person: PersonalDetails,
        *,
        waiting: bool = False,
    ) -> Participant:
        definition = managed.workflow(managed.workflow_version)
        # One waiting for a seat enters no step until it has one.
        run = EMPTY_RUN if waiting else start(definition)
        return Participant(
            tenant_id=managed.tenant_id,
            event_id=managed.id,
            category=category,
            details=person.to_record(),
            workflow_version=managed.workflow_version,
            workflow=changes_between(EMPTY_RUN, run),
        )

    def participant(self, tenant_id: UUID, participant_id: UUID) -> Participant:
        """The tenant's participant (for commands and their answers)."""
        return self._owned(Participant, tenant_id, participant_id, readonly=True)

    @retry_on_conflict
    def update_participant(
        self,
        tenant_id: UUID,
        participant_id: UUID,
        changes: Mapping[str, Any],
        expected_version: int | None = None,
    ) -> Ack[Participant]:
        """Changes personal details; a new e-mail must be free at the event."""
        participant = self._changing(Participant, tenant_id, participant_id, expected_version)
        participant.check_not_ended()
        region = None
        if changes.get("phone") and not changes.get("nationality", participant.details.nationality):
            # Only a national phone of a person of no known nationality needs the event.
            region = self.event(tenant_id, participant.event_id).country
        updated = participant.details.changed(self.clock().date(), changes, region)
        saved: list[Aggregate] = [participant]
        if updated.normalised_email != participant.details.normalised_email:
            saved.extend(self._move_email(participant, updated.normalised_email))
        participant.update_details(participant.details.differences(updated))
        return self.ack(participant, *saved[1:])

    @retry_on_conflict
    def complete_step(
        self,
        tenant_id: UUID,
        participant_id: UUID,
        step_id: str,
        outcome: str,
        actor: str | None = None,
        comment: str | None = None,
        expected_version: int | None = None,
    ) -> Ack[Participant]:
        """Records a step's outcome; an approval that ends the workflow takes a seat."""
        participant = self._changing(Participant, tenant_id, participant_id, expected_version)
        participant.check_not_ended()
        participant.check_not_waitlisted()
        try:
            chosen = Outcome(outcome)
        except ValueError:
            raise InvalidValue("outcome", "the outcome must be approved or rejected") from None
        comment = free_text(comment, "comment", COMMENT_MAX)
        definition = self._definition_of(participant)
        after = complete(definition, participant.run, step_id, chosen, actor, comment)
        work = CommandWork(self)
        if after.status is RunStatus.APPROVED and participant.held:
            # Held for screening review: the approval waits for the release.
            after = replace(after, status=RunStatus.IN_PROGRESS)
        if after.status is RunStatus.APPROVED:
            self._take_seat(work, participant)
        elif after.status is RunStatus.REJECTED and participant.offer_seat is not None:
            self._give_back_offer_seat(work, participant)
        participant.record_step(
            step_id, chosen.value, actor, comment, changes_between(participant.run, after)
        )
        return self.ack(participant, *work.changed())

    def _take_seat(self, work: CommandWork, participant: Participant) -> None:
        """The approved participant's seat: the one its offer held, or a free one."""
        ledger = work.ledger(participant.event_id)
        if participant.offer_seat is not None:
            ledger.seat_offer(participant.offer_seat, [participant.id])
        else:
            ledger.take(participant.id, participant.category)

    def _give_back_offer_seat(self, work: CommandWork, participant: Participant) -> None:
        if participant.offer_seat is None:
            return
        if work.ledger(participant.event_id).release_offer_seat(
            participant.offer_seat, participant.id
        ):
            self._seats_freed(work, participant.event_id)

    @retry_on_conflict
    def withdraw(
        self,
        tenant_id: UUID,
        participant_id: UUID,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> Ack[Participant]:
        """The participant withdraws: open steps close, a seat held is freed, so is the e-mail."""
        return self._end(tenant_id, participant_id, reason, expected_version, withdraw=True)

    @retry_on_conflict
    def cancel(
        self,
        tenant_id: UUID,
        participant_id: UUID,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> Ack[Participant]:
        """The organiser cancels the registration, with the same effects as a withdrawal."""
        return self._end(tenant_id, participant_id, reason, expected_version, withdraw=False)

    def _end(
        self,
        tenant_id: UUID,
        participant_id: UUID,
        reason: str | None,
        expected_version: int | None,
        *,
        withdraw: bool,
    ) -> Ack[Participant]:
        participant = self._changing(Participant, tenant_id, participant_id, expected_version)
        participant.check_not_ended()
        reason = free_text(reason, "reason", REASON_MAX)
        work = CommandWork(self)
        self._end_in(work, participant, reason, withdraw=withdraw)
        return self.ack(participant, *work.changed(participant))

    def _end_in(
        self, work: CommandWork, participant: Participant, reason: str | None, *, withdraw: bool
    ) -> None:
        """Ends the registration: its seat (or offered seat, or waitlist entry) and its
        e-mail are given back, and a seat freed goes to who waits for it."""
        # A waitlisted participant has no step open (its run stopped, or never began).
        run = participant.run
        after = run if participant.waitlisted else stop(self._definition_of(participant), run)
        changes = changes_between(run, after)
        if participant.holds_seat:
            work.ledger(participant.event_id).release(participant.id, participant.category)
            self._seats_freed(work, participant.event_id)
        elif participant.offer_seat is not None:
            self._give_back_offer_seat(work, participant)
        elif participant.waitlisted:
            self._stop_waiting(work, participant, reason)
        index = self._email_index(participant.event_id, participant.details.normalised_email)
        if index is not None:
            index.release(participant.id)
            work.add(index)
        if withdraw:
            participant.withdraw(reason, changes)
        else:
            participant.cancel(reason, changes)

    @retry_on_conflict
    def restore(
        self, tenant_id: UUID, participant_id: UUID, expected_version: int | None = None
    ) -> Ack[Participant]:
        """Undoes a cancellation: the participant is back as it was before it.

        It claims its e-mail again (AlreadyRegistered if someone registered with it since);
        an approved one takes a seat again (CapacityReached if none is left: it does not
        wait); a pending one has its open steps back. One that waited for a seat, or one
        withdrawn, rejected or merged, is refused.
        """
        participant = self._changing(Participant, tenant_id, participant_id, expected_version)
        status = participant.status_before_cancel()
        indexes = _Indexes(self, participant.event_id, tenant_id)
        indexes.claim(participant.details.normalised_email, participant.id)
        work = CommandWork(self)
        seat_retaken = status is ParticipantStatus.APPROVED
        if seat_retaken:
            work.ledger(participant.event_id).take(participant.id, participant.category)
        participant.restore(seat_retaken, email_reclaimed=bool(indexes.changed()))
        return self.ack(participant, *indexes.changed(), *work.changed())

    # Screening: the screening policy's decisions, and a reviewer's release of a hold.

    @retry_on_conflict
    def follow_screening(
        self, participant_id: UUID, decision_id: UUID, outcome: str, reason: str
    ) -> Ack[Participant] | None:
        """Applies a screening decision to the participant once (the screening policy).

        A hold keeps an approval from taking effect, a block stops the credential; a
        clear lifts either. Idempotent by the decision's id; an ended registration is
        left as it is. None if the participant does not exist.
        """
        try:
            participant = self.load(Participant, participant_id)
        except NotFound:
            return None
        work = CommandWork(self)
        if outcome == "hold":
            hold = self._hold(work, participant)
            participant.follow_screening(decision_id, outcome, reason, None, hold)
        else:
            release = self._release(work, participant)
            participant.follow_screening(decision_id, outcome, reason, release)
        return self.ack(participant, *work.changed())

    @retry_on_conflict
    def release_screening_hold(
        self, tenant_id: UUID, participant_id: UUID, actor: str | None
    ) -> Ack[Participant]:
        """A reviewer releases a held participant; an approval the hold deferred takes a seat."""
        participant = self._changing(Participant, tenant_id, participant_id, None)
        work = CommandWork(self)
        release = self._release(work, participant)
        participant.release_hold(actor, release)
        return self.ack(participant, *work.changed())

    def _hold(self, work: CommandWork, participant: Participant) -> dict[str, Any] | None:
        """If a hold takes back an approval given before it (the entry came later, or the
        approval came first): the seat is freed (and offered on), and the workflow's
        answer returned; else None."""
        if participant.held or not participant.holds_seat or participant.has_ended:
            return None
        work.ledger(participant.event_id).release(participant.id, participant.category)
        self._seats_freed(work, participant.event_id)
        deferred = replace(participant.run, status=RunStatus.IN_PROGRESS)
        return changes_between(participant.run, deferred)

    def _release(self, work: CommandWork, participant: Participant) -> dict[str, Any] | None:
        """If lifting the participant's hold lets a deferred approval through: the seat
        is taken, and the workflow's answer returned; else None."""
        if not participant.held or not participant.approval_deferred:
            return None
        self._take_seat(work, participant)
        approved = replace(participant.run, status=RunStatus.APPROVED)
        return changes_between(participant.run, approved)

    def seats_taken(self, tenant_id: UUID, event_id: UUID) -> int:
        """Approved participants holding a seat (the ledger's own count, for checks)."""
        self._owned(ManagedEvent, tenant_id, event_id, readonly=True)
        return self.load(SeatLedger, ledger_id(event_id), readonly=True).taken()

    def registered_email(self, tenant_id: UUID, event_id: UUID, email: str) -> UUID | None:
        """The participant who holds this e-mail for the tenant's event, if one does."""
        index = self._email_index(event_id, normalised_email(email))
        if index is None or index.tenant_id != tenant_id:
            return None
        return index.participant_id

    # Merges (domain.registration.merge)

    @retry_on_conflict
    def merge_participants(
        self,
        tenant_id: UUID,
        survivor_id: UUID,
        absorbed_id: UUID,
        choices: Mapping[str, str] | None = None,
        expected_version: int | None = None,
    ) -> Ack[Merge]:
        """Merges a registration into another of the same event, choosing whose details survive.

        The absorbed gives back its seat and its e-mail; the survivor takes the absorbed's
        address if chosen; all in one save. `expected_version` is the survivor's.
        """
        if survivor_id == absorbed_id:
            raise InvalidValue("absorbed_id", "a participant cannot be merged with itself")
        survivor = self._changing(Participant, tenant_id, survivor_id, expected_version)
        absorbed = self._owned(Participant, tenant_id, absorbed_id)
        survivor.check_not_ended()
        absorbed.check_not_merged()
        if absorbed.event_id != survivor.event_id:
            raise MergeAcrossEvents("the two participants are registered for different events")
        chosen = choose_fields(survivor.details, absorbed.details, choices or {})
        after = merged_details(survivor.details, absorbed.details, chosen)
        merge = Merge(
            tenant_id=tenant_id,
            event_id=survivor.event_id,
            survivor_id=survivor.id,
            absorbed_id=absorbed.id,
            chosen=chosen,
        )
        others: list[Aggregate] = [survivor, absorbed]
        work = CommandWork(self)
        seat_released = absorbed.holds_seat
        if seat_released:
            work.ledger(absorbed.event_id).release(absorbed.id, absorbed.category)
            self._seats_freed(work, absorbed.event_id)
        elif absorbed.offer_seat is not None:
            self._give_back_offer_seat(work, absorbed)
        elif absorbed.waitlisted:
            self._stop_waiting(work, absorbed, f"merged into {survivor.id}")
        indexes = _Indexes(self, survivor.event_id, tenant_id)
        absorbed_index = indexes.get(absorbed.details.normalised_email)
        email_released = absorbed_index is not None and absorbed_index.participant_id == absorbed.id
        indexes.release(absorbed.details.normalised_email, absorbed.id)
        if after.normalised_email != survivor.details.normalised_email:
            indexes.release(survivor.details.normalised_email, survivor.id)
            indexes.claim(after.normalised_email, survivor.id)
        survivor.absorb(merge.id, absorbed.id, chosen, survivor.details.differences(after))
        absorbed.merge_into(merge.id, survivor.id, seat_released, email_released)
        return self.ack(merge, *others, *indexes.changed(), *work.changed())

    def merge(self, tenant_id: UUID, merge_id: UUID) -> Merge:
        """The tenant's merge (for commands and their answers)."""
        return self._owned(Merge, tenant_id, merge_id, readonly=True)

    @retry_on_conflict
    def unmerge(
        self, tenant_id: UUID, merge_id: UUID, expected_version: int | None = None
    ) -> Ack[Merge]:
        """Undoes a merge: both participants get back what it changed, as new domain events.

        The absorbed takes back its seat (CapacityReached if none is left) and its e-mail
        (AlreadyRegistered if someone else registered it since).
        """
        merge = self._changing(Merge, tenant_id, merge_id, expected_version)
        merge.undo()
        survivor = self.load(Participant, merge.survivor_id)
        absorbed = self.load(Participant, merge.absorbed_id)
        # The survivor merged since into a third: undo that first (the refusal names it).
        survivor.check_not_merged()
        state = absorbed.merged_by(merge.id)
        restored = survivor.restorable(merge.id)
        after = survivor.details.with_record(restored)
        others: list[Aggregate] = [survivor, absorbed]
        indexes = _Indexes(self, merge.event_id, tenant_id)
        if not survivor.has_ended and after.normalised_email != survivor.details.normalised_email:
            indexes.release(survivor.details.normalised_email, survivor.id)
            indexes.claim(after.normalised_email, survivor.id)
        if state.email_released:
            indexes.claim(absorbed.details.normalised_email, absorbed.id)
        work = CommandWork(self)
        if state.seat_released:
            work.ledger(absorbed.event_id).take(absorbed.id, absorbed.category)
        survivor.unabsorb(merge.id, restored)
        absorbed.unmerge(merge.id)
        if absorbed.waitlisted:
            # It left the waitlist when merged: it waits again, at the end of its band.
            self._wait_for_seats(work, absorbed.event_id, [absorbed], absorbed.category)
        return self.ack(merge, *others, *indexes.changed(), *work.changed(*others))

    # Helpers

    def _definition_of(self, participant: Participant) -> WorkflowDefinition:
        managed = self.load(ManagedEvent, participant.event_id, readonly=True)
        return managed.workflow(participant.workflow_version)

    def _email_index(self, event_id: UUID, normalised: str) -> EmailIndex | None:
        try:
            return self.load(EmailIndex, email_index_id(event_id, normalised))
        except NotFound:
            return None

    def _move_email(self, participant: Participant, normalised: str) -> list[Aggregate]:
        old = self._email_index(participant.event_id, participant.details.normalised_email)
        new = self._email_index(participant.event_id, normalised)
        if new is None:
            new = EmailIndex(
                event_id=participant.event_id,
                email=normalised,
                tenant_id=participant.tenant_id,
                participant_id=participant.id,
            )
        else:
            new.claim(participant.id)
        moved: list[Aggregate] = [new]
        if old is not None:
            old.release(participant.id)
            moved.append(old)
        return moved

    def _changing(
        self, cls: type[A], tenant_id: UUID, aggregate_id: UUID, expected_version: int | None
    ) -> A:
        """The tenant's aggregate to change, at the version the caller read (If-Match)."""
        aggregate = self._owned(cls, tenant_id, aggregate_id)
        check_version(aggregate, expected_version)
        return aggregate

    def _owned(
        self, cls: type[A], tenant_id: UUID, aggregate_id: UUID, *, readonly: bool = False
    ) -> A:
        noun = _NOUNS.get(cls, cls.__name__.lower())
        try:
            aggregate = self.load(cls, aggregate_id, readonly=readonly)
        except NotFound:
            raise NotFound(f"no {noun} with id {aggregate_id}") from None
        if getattr(aggregate, "tenant_id", None) != tenant_id:
            # Another tenant's aggregate does not exist as far as this caller knows.
            raise NotFound(f"no {noun} with id {aggregate_id}")
        return aggregate


class _Indexes:
    """The e-mail indexes of one event a command changes, each loaded once, saved together."""

    def __init__(self, app: RegistrationApplication, event_id: UUID, tenant_id: UUID) -> None:
        self.app = app
        self.event_id = event_id
        self.tenant_id = tenant_id
        self.loaded: dict[str, EmailIndex | None] = {}

    def get(self, normalised: str) -> EmailIndex | None:
        if normalised not in self.loaded:
            self.loaded[normalised] = self.app._email_index(self.event_id, normalised)
        return self.loaded[normalised]

    def release(self, normalised: str, participant_id: UUID) -> None:
        index = self.get(normalised)
        if index is not None:
            index.release(participant_id)

    def claim(self, normalised: str, participant_id: UUID) -> None:
        """AlreadyRegistered if another participant holds the address."""
        index = self.get(normalised)
        if index is None:
            self.loaded[normalised] = EmailIndex(
                event_id=self.event_id,
                email=normalised,
                tenant_id=self.tenant_id,
                participant_id=participant_id,
            )
        elif index.participant_id != participant_id:
            index.claim(participant_id)

    def changed(self) -> list[Aggregate]:
        return [i for i in self.loaded.values() if i is not None and i.pending_events]


class CommandWork:
    """The aggregates one command loads beside its own: each loaded once, saved together."""

    def __init__(self, app: AccreditApplication) -> None:
        self.app = app
        self.loaded: dict[UUID, Aggregate | None] = {}

    def load(self, cls: type[A], aggregate_id: UUID) -> A:
        """NotFound if it does not exist (yet)."""
        found = self.find(cls, aggregate_id)
        if found is None:
            raise NotFound(f"no {cls.__name__.lower()} with id {aggregate_id}")
        return found

    def find(self, cls: type[A], aggregate_id: UUID) -> A | None:
        if aggregate_id not in self.loaded:
            try:
                self.loaded[aggregate_id] = self.app.load(cls, aggregate_id)
            except NotFound:
                self.loaded[aggregate_id] = None
        found = self.loaded[aggregate_id]
        if found is not None and not isinstance(found, cls):
            raise NotFound(f"no {cls.__name__.lower()} with id {aggregate_id}")
        return found

    def add(self, aggregate: Aggregate) -> None:
        """A new aggregate the command creates (or one it loaded itself)."""
        self.loaded[aggregate.id] = aggregate

    def ledger(self, event_id: UUID) -> SeatLedger:
        return self.load(SeatLedger, ledger_id(event_id))

    def changed(self, *besides: Aggregate) -> list[Aggregate]:
        """What to save: every aggregate with new domain events, but those named."""
        skip = {a.id for a in besides}
        return [
            a
            for a in self.loaded.values()
            if a is not None and a.pending_events and a.id not in skip
        ]
