"""The registration context: managed events, their workflows, and participants."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import JSONTranscoder, RecordConflictError

from domain.registration.email_index import EmailIndex, email_index_id
from domain.registration.managed_event import CategoryAsDict, ManagedEvent
from domain.registration.participant import Participant
from domain.registration.person import PersonalDetails
from domain.registration.seats import SeatLedger, ledger_id
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
_NOUNS: dict[type[Any], str] = {ManagedEvent: "event", Participant: "participant"}


def _capacities(event: ManagedEvent) -> dict[str, int | None]:
    return {c.code: c.capacity for c in event.categories}


class RegistrationApplication(AccreditApplication):
    name = "registration"
    aggregates = (ManagedEvent, SeatLedger, Participant, EmailIndex)
    # Managed events gather workflow versions and edits; load them from a snapshot.
    snapshotting_intervals = {ManagedEvent: 50, SeatLedger: 100}

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(CategoryAsDict())

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
        ledger = self.load(SeatLedger, ledger_id(event_id))
        ledger.set_limits(managed.capacity, _capacities(managed))
        return self.ack(managed, ledger)

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

    @retry_on_conflict
    def register(
        self,
        tenant_id: UUID,
        event_id: UUID,
        details: Mapping[str, Any],
        category: str | None = None,
    ) -> Ack[Participant]:
        """Registers a person; one registration per normalised e-mail per event."""
        managed = self._owned(ManagedEvent, tenant_id, event_id, readonly=True)
        managed.check_open()
        managed.category(category)
        person = PersonalDetails.checked(self.clock().date(), managed.country, **details)
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

    def _new_participant(
        self, managed: ManagedEvent, category: str | None, person: PersonalDetails
    ) -> Participant:
        definition = managed.workflow(managed.workflow_version)
        return Participant(
            tenant_id=managed.tenant_id,
            event_id=managed.id,
            category=category,
            details=person.to_record(),
            workflow_version=managed.workflow_version,
            workflow=changes_between(EMPTY_RUN, start(definition)),
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
        try:
            chosen = Outcome(outcome)
        except ValueError:
            raise InvalidValue("outcome", "the outcome must be approved or rejected") from None
        comment = free_text(comment, "comment", COMMENT_MAX)
        definition = self._definition_of(participant)
        after = complete(definition, participant.run, step_id, chosen, actor, comment)
        others: list[Aggregate] = []
        if after.status is RunStatus.APPROVED:
            ledger = self.load(SeatLedger, ledger_id(participant.event_id))
            ledger.take(participant.id, participant.category)
            others.append(ledger)
        participant.record_step(
            step_id, chosen.value, actor, comment, changes_between(participant.run, after)
        )
        return self.ack(participant, *others)

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
        after = stop(self._definition_of(participant), participant.run)
        changes = changes_between(participant.run, after)
        others: list[Aggregate] = []
        if participant.holds_seat:
            ledger = self.load(SeatLedger, ledger_id(participant.event_id))
            ledger.release(participant.id, participant.category)
            others.append(ledger)
        index = self._email_index(participant.event_id, participant.details.normalised_email)
        if index is not None:
            index.release(participant.id)
            others.append(index)
        if withdraw:
            participant.withdraw(reason, changes)
        else:
            participant.cancel(reason, changes)
        return self.ack(participant, *others)

    def seats_taken(self, tenant_id: UUID, event_id: UUID) -> int:
        """Approved participants holding a seat (the ledger's own count, for checks)."""
        self._owned(ManagedEvent, tenant_id, event_id, readonly=True)
        return self.load(SeatLedger, ledger_id(event_id), readonly=True).taken()

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
