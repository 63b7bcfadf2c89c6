"""The credential issue policy: every approved participant gets a credential at once.

It follows the registration application's log and turns each participant domain
event that can change the participant's status into one access command,
`follow_participant`, which is idempotent by construction: the credential's id
derives from the participant's, and it records the participant version it last
followed. A domain event handled twice (a worker killed before saving its
position, a position reset) issues nothing twice and flips nothing back. The clear
code of a newly issued credential goes to the undelivered codes, for the
organiser to take once.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from eventsourcing.domain import DomainEventProtocol

from adapters.access.undelivered_codes import UndeliveredCodes
from adapters.projection.leadership import leadership_for, wait_to_lead
from adapters.projection.process import ProcessRunner
from adapters.projection.wakeup import wakeup_for
from adapters.sql.eventstore import cipher
from domain.access.application import AccessApplication
from domain.access.credential_commands import IssuedCode
from domain.registration.application import RegistrationApplication
from domain.registration.participant import Participant, ParticipantStatus, status_after
from domain.shared.cause import Cause, caused_by, meta_of
from entrypoints.wiring.container import Container

log = logging.getLogger("accredit.workers")

NAME = "credentials"
# The lead is taken under its own name: the credentials projection leads under "credentials".
LEADERSHIP = ("policy-credentials", 1)
PARTICIPANT_EVENTS = (
    Participant.Registered,
    Participant.StepCompleted,
    Participant.Withdrawn,
    Participant.Cancelled,
    # A cancellation undone gives the status back (an approved one's credential works again).
    Participant.Restored,
    # A merged participant's credential stops working; an un-merge gives its status back.
    Participant.MergedInto,
    Participant.Unmerged,
    # Waiting for a seat has no credential; a promotion that approves gives one.
    Participant.Waitlisted,
    Participant.Promoted,
    Participant.ScreeningHeld,
    Participant.ScreeningReleased,
    Participant.ScreeningBlocked,
    Participant.ScreeningUnblocked,
)
# Screening's block of a participant, which makes every scan of their credential BLOCKED.
BLOCKING_EVENTS = (Participant.ScreeningBlocked, Participant.ScreeningUnblocked)


def status_of(domain_event: DomainEventProtocol[Any]) -> ParticipantStatus:
    """The participant's status once this domain event is applied."""
    if isinstance(domain_event, Participant.Withdrawn):
        return ParticipantStatus.WITHDRAWN
    if isinstance(domain_event, Participant.Cancelled):
        return ParticipantStatus.CANCELLED
    if isinstance(domain_event, Participant.MergedInto):
        return ParticipantStatus.MERGED
    if isinstance(domain_event, Participant.Unmerged | Participant.Restored):
        return ParticipantStatus(domain_event.status)
    if isinstance(domain_event, Participant.Waitlisted):
        return ParticipantStatus.WAITLISTED
    workflow: dict[str, Any] = getattr(domain_event, "workflow")  # noqa: B009
    return status_after(workflow["status"])


class CredentialPolicy:
    """Translates participant domain events into access commands."""

    def __init__(
        self,
        registration: RegistrationApplication,
        access: AccessApplication,
        codes: UndeliveredCodes,
    ) -> None:
        self.registration = registration
        self.access = access
        self.codes = codes

    def __call__(self, domain_event: DomainEventProtocol[Any]) -> None:
        participant_id = domain_event.originator_id
        screening = (Participant.ScreeningHeld, Participant.ScreeningReleased)
        if isinstance(domain_event, screening) and not domain_event.workflow:
            return  # a hold or release that changes no status
        blocked_reason: str | None = None
        if isinstance(domain_event, Participant.Registered):
            tenant_id, event_id = domain_event.tenant_id, domain_event.event_id
            category = domain_event.category
        else:
            # Who the participant is never changes after registering: read it once.
            participant = self.registration.load(Participant, participant_id, readonly=True)
            tenant_id, event_id = participant.tenant_id, participant.event_id
            category = participant.category
            # The block as it stands now: newer than this domain event, never older.
            blocked_reason = participant.blocked_reason
        # Attributed to the system, tied to what the registration domain event answered.
        meta = meta_of(domain_event)
        cause = Cause(
            actor="system",
            correlation_id=str(meta.get("correlation_id") or participant_id),
            causation_id=f"registration:{participant_id}@{domain_event.originator_version}",
        )
        with caused_by(cause):
            if isinstance(domain_event, BLOCKING_EVENTS):
                reason = getattr(domain_event, "reason", None)
                self.access.follow_screening(
                    participant_id, reason, domain_event.originator_version
                )
                return
            done = self.access.follow_participant(
                tenant_id,
                event_id,
                participant_id,
                category,
                status_of(domain_event).value,
                domain_event.originator_version,
                blocked_reason,
            )
        if isinstance(done, IssuedCode):
            credential = done.ack.aggregate
            self.codes.keep(credential.id, tenant_id, credential.generation, done.code)


def credential_policy(container: Container) -> ProcessRunner:
    """The policy's runner on this container's applications and service tables."""
    registration = container.app(RegistrationApplication)
    codes = UndeliveredCodes(container.service_engine, cipher(container.settings))
    policy = CredentialPolicy(registration, container.app(AccessApplication), codes)
    return ProcessRunner(
        container.service_engine,
        NAME,
        registration,
        PARTICIPANT_EVENTS,
        policy,
        container.settings.projection_batch_size,
        # Beside the projections' failures, where /ready and operators look.
        failures=container.engine,
    )


def run_credentials(container: Container, stop: threading.Event) -> None:
    """Issues credentials to approved participants, leading when no other runner does."""
    runner = credential_policy(container)
    leadership = leadership_for(container.engine, *LEADERSHIP)
    describe = "credential issue policy"
    try:
        while wait_to_lead(leadership, stop, describe):
            wakeup = wakeup_for(
                {"registration": runner.upstream},
                container.settings.database_url,
                container.settings.poll_interval_seconds,
            )
            try:
                runner.run_forever(stop, wakeup, leadership.leading)
            finally:
                wakeup.close()
                leadership.step_down()
            if not stop.is_set():
                log.warning("%s: lost the lead", describe)
    finally:
        leadership.close()
