"""The credentials' commands: the issue policy's, and staff's on each participant's."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.access import badge_code
from domain.access.credential import CodeCheck, Credential, credential_id
from domain.shared.application import AccreditApplication, Ack, check_version, retry_on_conflict
from domain.shared.errors import NotFound
from domain.shared.names import free_text

REASON_MAX = 500


@dataclass(frozen=True)
class IssuedCode:
    """A command's answer that made a badge code: the only moment the code exists in clear."""

    ack: Ack[Credential]
    code: str


class CredentialCommands(AccreditApplication):
    """The access application's commands on participants' credentials."""

    # Credentials

    @retry_on_conflict
    def follow_participant(
        self,
        tenant_id: UUID,
        event_id: UUID,
        participant_id: UUID,
        category: str | None,
        status: str,
        participant_version: int,
        blocked_reason: str | None = None,
    ) -> IssuedCode | Ack[Credential] | None:
        """Applies a participant's status as of one of its domain events (the issue policy).

        An approved participant without a credential gets one, with a new code; an
        existing credential follows the status if the domain event is newer than the
        last one it followed. Idempotent: a domain event applied twice changes nothing.
        `blocked_reason` is screening's block of the participant as of that version.
        """
        approved = status == "approved"
        try:
            credential = self.load(Credential, credential_id(participant_id))
        except NotFound:
            if not approved:
                return None
            return self._issue(
                tenant_id, event_id, participant_id, category, participant_version, blocked_reason
            )
        credential.follow_participant(approved, status, participant_version)
        credential.follow_screening(blocked_reason, participant_version)
        return self.ack(credential)

    @retry_on_conflict
    def follow_screening(
        self, participant_id: UUID, blocked_reason: str | None, participant_version: int
    ) -> Ack[Credential] | None:
        """Applies screening's block (a reason) or its lifting (None) to the participant's
        credential, if it has one; one issued later takes the block when issued."""
        try:
            credential = self.load(Credential, credential_id(participant_id))
        except NotFound:
            return None
        credential.follow_screening(blocked_reason, participant_version)
        return self.ack(credential)

    def _issue(
        self,
        tenant_id: UUID,
        event_id: UUID,
        participant_id: UUID,
        category: str | None,
        participant_version: int,
        blocked_reason: str | None,
    ) -> IssuedCode | None:
        code = badge_code.generate(credential_id(participant_id))
        credential = Credential(
            tenant_id=tenant_id,
            event_id=event_id,
            participant_id=participant_id,
            category=category,
            code_digest=badge_code.digest(code),
            participant_version=participant_version,
        )
        credential.follow_screening(blocked_reason, participant_version)
        # A conflict means another run issued it first: retry_on_conflict then follows it.
        return IssuedCode(self.ack(credential), code)

    def credential(self, tenant_id: UUID, participant_id: UUID) -> Credential:
        """The tenant's participant's credential (for commands and their answers)."""
        return self._owned(tenant_id, participant_id)

    @retry_on_conflict
    def reissue_credential(
        self, tenant_id: UUID, participant_id: UUID, expected_version: int | None = None
    ) -> IssuedCode:
        """A new badge code; the old one stops working and the credential is active again."""
        credential = self._changing(tenant_id, participant_id, expected_version)
        code = badge_code.generate(credential.id)
        credential.reissue(badge_code.digest(code))
        return IssuedCode(self.ack(credential), code)

    @retry_on_conflict
    def suspend_credential(
        self,
        tenant_id: UUID,
        participant_id: UUID,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> Ack[Credential]:
        """Staff suspend the credential: its code stops working until resumed."""
        credential = self._changing(tenant_id, participant_id, expected_version)
        credential.suspend(free_text(reason, "reason", REASON_MAX))
        return self.ack(credential)

    @retry_on_conflict
    def resume_credential(
        self,
        tenant_id: UUID,
        participant_id: UUID,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> Ack[Credential]:
        """Staff resume a suspended credential (never a revoked one)."""
        credential = self._changing(tenant_id, participant_id, expected_version)
        credential.resume(free_text(reason, "reason", REASON_MAX))
        return self.ack(credential)

    @retry_on_conflict
    def revoke_credential(
        self,
        tenant_id: UUID,
        participant_id: UUID,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> Ack[Credential]:
        """Staff revoke the credential: its code stops working for good."""
        credential = self._changing(tenant_id, participant_id, expected_version)
        credential.revoke(free_text(reason, "reason", REASON_MAX))
        return self.ack(credential)

    def check_code(self, tenant_id: UUID, code: str) -> tuple[Credential | None, CodeCheck]:
        """What a scanned code is worth at the tenant's gates, and whose credential it names.

        A malformed code, or one naming no credential of the tenant, is SUPERSEDED with
        no credential.
        """
        found = badge_code.credential_id_of(code)
        if found is None:
            return None, CodeCheck.SUPERSEDED
        try:
            credential = self.load(Credential, found, readonly=True)
        except NotFound:
            return None, CodeCheck.SUPERSEDED
        if credential.tenant_id != tenant_id:
            return None, CodeCheck.SUPERSEDED
        return credential, credential.check(code)

    def _changing(
        self, tenant_id: UUID, participant_id: UUID, expected_version: int | None
    ) -> Credential:
        credential = self._owned(tenant_id, participant_id, readonly=False)
        check_version(credential, expected_version)
        return credential

    def _owned(self, tenant_id: UUID, participant_id: UUID, *, readonly: bool = True) -> Credential:
        missing = f"participant {participant_id} has no credential"
        try:
            credential = self.load(Credential, credential_id(participant_id), readonly=readonly)
        except NotFound:
            raise NotFound(missing) from None
        if credential.tenant_id != tenant_id:
            # Another tenant's credential does not exist as far as this caller knows.
            raise NotFound(missing)
        return credential
