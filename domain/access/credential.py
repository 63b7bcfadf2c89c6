"""The credential: what lets one participant through the gates, under a badge code.

One per participant, with an id derived from the participant's. It works only
while it is active (staff have not suspended or revoked it) and the participant
is approved (eligible); the registration context decides the second, staff the
first. Only the badge code's digest is recorded: the history is read by auditors.
"""

from __future__ import annotations

import hmac
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.access import badge_code
from domain.shared.errors import RuleViolation

CREDENTIAL_NAMESPACE = uuid5(NAMESPACE_URL, "accredit:credential")


def credential_id(participant_id: UUID) -> UUID:
    """The id of the participant's credential: the same on every run, so issue is idempotent."""
    return uuid5(CREDENTIAL_NAMESPACE, str(participant_id))


class CredentialState(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"  # by staff, until resumed
    REVOKED = "revoked"  # by staff, for good for this code; a re-issue makes a new one


class CodeCheck(StrEnum):
    """What a scanned code says about its credential (for a gate's decision)."""

    VALID = "valid"
    SUPERSEDED = "superseded"  # not the credential's current code (re-issued, or forged)
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    NOT_ELIGIBLE = "not-eligible"  # the participant is not approved now


def check_code(code: str, code_digest: str, state: CredentialState, eligible: bool) -> CodeCheck:
    """What a scanned code is worth to a credential with this digest, state and eligibility."""
    if not hmac.compare_digest(badge_code.digest(code), code_digest):
        return CodeCheck.SUPERSEDED
    if state is CredentialState.REVOKED:
        return CodeCheck.REVOKED
    if state is CredentialState.SUSPENDED:
        return CodeCheck.SUSPENDED
    if not eligible:
        return CodeCheck.NOT_ELIGIBLE
    return CodeCheck.VALID


class CredentialRevoked(RuleViolation):
    code = "credential-revoked"
    title = "The credential is revoked; re-issue it for a new code"


class CredentialNotSuspended(RuleViolation):
    code = "credential-not-suspended"
    title = "The credential is not suspended"


class CredentialNotActive(RuleViolation):
    code = "credential-not-active"
    title = "The credential is not active"


class BadgeCodeShown(RuleViolation):
    code = "badge-code-shown"
    title = "The badge code was shown once already; re-issue the credential for a new one"


class Credential(Aggregate):
    # 2: screening's block of the participant.
    class_version = 2

    # Domain events: a public contract, each with its typed payload.

    class Issued(Aggregate.Created):
        """A credential was issued to an approved participant; only its code's digest is kept."""

        tenant_id: UUID
        event_id: UUID
        participant_id: UUID
        category: str | None
        code_digest: str
        participant_version: int

    class Reissued(Aggregate.Event):
        """A new badge code replaced the one before, which stopped working; it is active."""

        code_digest: str
        generation: int

    class Suspended(Aggregate.Event):
        """Staff suspended the credential: its code stops working until it is resumed."""

        reason: str | None

    class Resumed(Aggregate.Event):
        """Staff resumed a suspended credential."""

        reason: str | None

    class Revoked(Aggregate.Event):
        """Staff revoked the credential: its code stops working for good."""

        reason: str | None

    class EligibilityChanged(Aggregate.Event):
        """The participant's registration status changed whether the credential may work."""

        eligible: bool
        participant_status: str
        participant_version: int

    class ScreeningBlocked(Aggregate.Event):
        """Screening blocked the participant: every scan of the code answers BLOCKED."""

        reason: str
        participant_version: int

    class ScreeningUnblocked(Aggregate.Event):
        """Screening lifted the participant's block."""

        participant_version: int

    @staticmethod
    def create_id(participant_id: UUID) -> UUID:
        return credential_id(participant_id)

    @event(Issued)
    def __init__(
        self,
        tenant_id: UUID,
        event_id: UUID,
        participant_id: UUID,
        category: str | None,
        code_digest: str,
        participant_version: int,
    ) -> None:
        self.tenant_id = tenant_id
        self.event_id = event_id
        self.participant_id = participant_id
        self.category = category
        self.code_digest = code_digest
        self.generation = 1
        self.state = CredentialState.ACTIVE
        self.eligible = True
        self.participant_status = "approved"
        self.participant_version = participant_version
        self.reason: str | None = None
        self.blocked_reason: str | None = None  # screening's; None: not blocked
        self.screening_version = 0  # the participant version its block was last taken at

    # What a gate decides on

    @property
    def works(self) -> bool:
        """Whether the current code opens anything: active, the participant approved, and
        not blocked by screening."""
        return self.state is CredentialState.ACTIVE and self.eligible and not self.blocked

    @property
    def blocked(self) -> bool:
        """Whether screening blocked the participant: every scan answers BLOCKED."""
        return self.blocked_reason is not None

    def matches(self, code: str) -> bool:
        """Whether the code is this credential's current one (compared in constant time)."""
        return hmac.compare_digest(badge_code.digest(code), self.code_digest)

    def check(self, code: str) -> CodeCheck:
        """What the scanned code is worth now: valid, or why not."""
        return check_code(code, self.code_digest, self.state, self.eligible)

    # Staff

    def reissue(self, code_digest: str) -> None:
        """A new code; the old one stops working, and the credential is active again."""
        self._reissued(code_digest=code_digest, generation=self.generation + 1)

    @event(Reissued)
    def _reissued(self, code_digest: str, generation: int) -> None:
        self.code_digest = code_digest
        self.generation = generation
        self.state = CredentialState.ACTIVE
        self.reason = None

    def check_not_revoked(self) -> None:
        if self.state is CredentialState.REVOKED:
            raise CredentialRevoked("the credential is revoked; re-issue it for a new code")

    def suspend(self, reason: str | None) -> None:
        self.check_not_revoked()
        if self.state is not CredentialState.ACTIVE:
            raise CredentialNotActive(f"the credential is {self.state}")
        self._suspended(reason=reason)

    @event(Suspended)
    def _suspended(self, reason: str | None) -> None:
        self.state = CredentialState.SUSPENDED
        self.reason = reason

    def resume(self, reason: str | None) -> None:
        self.check_not_revoked()
        if self.state is not CredentialState.SUSPENDED:
            raise CredentialNotSuspended(f"the credential is {self.state}")
        self._resumed(reason=reason)

    @event(Resumed)
    def _resumed(self, reason: str | None) -> None:
        self.state = CredentialState.ACTIVE
        self.reason = reason

    def revoke(self, reason: str | None) -> None:
        self.check_not_revoked()
        self._revoked(reason=reason)

    @event(Revoked)
    def _revoked(self, reason: str | None) -> None:
        self.state = CredentialState.REVOKED
        self.reason = reason

    # The registration context's word

    def follow_participant(self, approved: bool, status: str, participant_version: int) -> None:
        """Takes the participant's status as of a registration domain event, if it is newer.

        A domain event replayed, or one older than the last applied, changes nothing.
        """
        if participant_version <= self.participant_version:
            return
        if approved == self.eligible and status == self.participant_status:
            return
        self._eligibility_changed(
            eligible=approved, participant_status=status, participant_version=participant_version
        )

    @event(EligibilityChanged)
    def _eligibility_changed(
        self, eligible: bool, participant_status: str, participant_version: int
    ) -> None:
        self.eligible = eligible
        self.participant_status = participant_status
        self.participant_version = participant_version

    # The screening context's word, as the participant's registration records it

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """A state from before screening: never blocked."""
        state.update(blocked_reason=None, screening_version=0)

    def follow_screening(self, blocked_reason: str | None, participant_version: int) -> None:
        """Takes the participant's block (a reason) or its lifting (None), if it is newer."""
        if participant_version <= self.screening_version:
            return
        if blocked_reason == self.blocked_reason:
            return
        if blocked_reason is None:
            self._screening_unblocked(participant_version=participant_version)
        else:
            self._screening_blocked(reason=blocked_reason, participant_version=participant_version)

    @event(ScreeningBlocked)
    def _screening_blocked(self, reason: str, participant_version: int) -> None:
        self.blocked_reason = reason
        self.screening_version = participant_version

    @event(ScreeningUnblocked)
    def _screening_unblocked(self, participant_version: int) -> None:
        self.blocked_reason = None
        self.screening_version = participant_version
