"""A small venue and credentials to scan at: an arena with a VIP area inside, and a hall."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID

from domain.access import badge_code
from domain.access.credential import Credential, credential_id
from domain.access.credential_snapshot import CredentialSnapshot
from domain.access.gate import Gate
from domain.access.scan import Passage, Scan
from domain.access.venue import Venue

NOON = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)


def issued(category: str | None = "press") -> tuple[Credential, str]:
    participant_id = uuid.uuid4()
    code = badge_code.generate(credential_id(participant_id))
    credential = Credential(
        tenant_id=uuid.uuid4(),
        event_id=uuid.uuid4(),
        participant_id=participant_id,
        category=category,
        code_digest=badge_code.digest(code),
        participant_version=1,
    )
    return credential, code


@dataclass
class Site:
    venue: Venue = field(
        default_factory=lambda: Venue(tenant_id=uuid.uuid4(), event_id=uuid.uuid4())
    )
    gates: dict[str, UUID] = field(default_factory=dict)
    zones: dict[str, UUID] = field(default_factory=dict)
    nonces: int = 0

    def __post_init__(self) -> None:
        add = self.venue.add_zone
        self.zones["arena"] = add("arena", "Arena", capacity=3)
        self.zones["vip"] = add("vip", "VIP", capacity=1, parent_id=self.zones["arena"])
        self.zones["hall"] = add("hall", "Hall", reentry="SINGLE_ENTRY")
        self.zones["lounge"] = add("lounge", "Lounge", reentry="UNLIMITED")
        for name, way, zone in [
            ("arena-in", "ENTRY", "arena"),
            ("arena-out", "EXIT", "arena"),
            ("vip", "BOTH", "vip"),
            ("hall", "BOTH", "hall"),
            ("lounge", "BOTH", "lounge"),
        ]:
            self.gates[name] = self.venue.add_checkpoint(name, way, self.zones[zone])

    def gate(self, *credentials: Credential) -> Gate:
        return Gate(self.venue, [CredentialSnapshot.of(c) for c in credentials])

    def scan(
        self,
        code: str,
        gate: str,
        passage: Passage = Passage.ENTRY,
        at: datetime = NOON,
        nonce: str | None = None,
        forced: bool = False,
        offline: bool = False,
        device_id: str = "d1",
    ) -> Scan:
        self.nonces += 1
        nonce = nonce or f"n{self.nonces}"
        return Scan(code, self.gates[gate], passage, device_id, nonce, at, forced, offline)


MINUTE = timedelta(minutes=1)
