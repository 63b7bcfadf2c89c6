"""What a gate keeps of a credential: enough to check a code and to apply the zone rules."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.access.credential import CodeCheck, Credential, CredentialState, check_code


@dataclass(frozen=True)
class CredentialSnapshot:
    credential_id: UUID
    participant_id: UUID
    code_digest: str
    state: CredentialState
    eligible: bool
    category: str | None
    participant_status: str = "approved"  # as the registration context last said
    blocked_reason: str | None = None  # screening blocked the participant

    @classmethod
    def of(cls, credential: Credential) -> CredentialSnapshot:
        """The credential as it stands now; take a new one whenever it changes."""
        return cls(
            credential.id,
            credential.participant_id,
            credential.code_digest,
            credential.state,
            credential.eligible,
            credential.category,
            credential.participant_status,
            credential.blocked_reason,
        )

    def check(self, code: str) -> CodeCheck:
        """What the scanned code is worth now, as `Credential.check` says."""
        return check_code(code, self.code_digest, self.state, self.eligible)
