"""A scan at a gate, and the decision taken on it.

A scan is identified by its device and the nonce the device gave it, so a device that
sends a scan twice (a lost answer, a retried offline batch) gets the first decision
back. A decision names the zones the scan put the participant into and took them out
of, innermost first: replaying the recorded decisions in order rebuilds who is where,
without the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain.shared.errors import InvalidValue
from domain.shared.moments import checked_moment

ScanKey = tuple[str, str]  # (device id, nonce)


class Passage(StrEnum):
    """Which way a scan asks to go through its checkpoint."""

    ENTRY = "ENTRY"
    EXIT = "EXIT"


class ScanResult(StrEnum):
    OK = "OK"
    UNKNOWN_CREDENTIAL = "UNKNOWN_CREDENTIAL"  # malformed, superseded, or no such credential
    REVOKED = "REVOKED"
    SUSPENDED = "SUSPENDED"
    NOT_APPROVED = "NOT_APPROVED"
    WRONG_ZONE = "WRONG_ZONE"  # the category is never let in, or the gate goes the other way
    OUTSIDE_VALIDITY_WINDOW = "OUTSIDE_VALIDITY_WINDOW"
    ALREADY_INSIDE = "ALREADY_INSIDE"
    NOT_INSIDE = "NOT_INSIDE"
    ZONE_FULL = "ZONE_FULL"
    CHECKPOINT_INACTIVE = "CHECKPOINT_INACTIVE"
    BLOCKED = "BLOCKED"


class ScannedAhead(InvalidValue):
    code = "scanned-ahead"


@dataclass(frozen=True)
class Scan:
    """What a device read at a checkpoint; `forced` is a staff override."""

    badge_code: str
    checkpoint_id: UUID
    passage: Passage
    device_id: str
    nonce: str
    scanned_at: datetime
    forced: bool = False
    offline: bool = False  # sent later in a batch, decided as of `scanned_at`

    def __post_init__(self) -> None:
        checked_moment(self.scanned_at, "scanned_at")

    @property
    def key(self) -> ScanKey:
        return (self.device_id, self.nonce)


@dataclass(frozen=True)
class Decision:
    """The answer to a scan (or to an annulment of one), and the moves it makes.

    `entered` and `left` list zone ids innermost first. A forced scan is OK with
    `overridden` naming the result the rules gave. An annulment carries the key of
    the scan it annuls, with `annulment` set.
    """

    device_id: str
    nonce: str
    passage: Passage
    result: ScanResult
    reason: str
    scanned_at: datetime
    recorded_at: datetime
    checkpoint_id: UUID | None = None  # None: a check-out of everyone, at no gate
    credential_id: UUID | None = None
    participant_id: UUID | None = None
    zone_id: UUID | None = None  # the zone entered or left through the checkpoint
    entered: tuple[UUID, ...] = ()
    left: tuple[UUID, ...] = ()
    forced: bool = False
    overridden: ScanResult | None = None
    offline: bool = False
    annulment: bool = False

    @property
    def key(self) -> ScanKey:
        return (self.device_id, self.nonce)

    @property
    def ok(self) -> bool:
        return self.result is ScanResult.OK
