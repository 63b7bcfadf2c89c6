"""The screening context's application: what reviewers and the screening policy decide."""

from __future__ import annotations

from domain.screening.blacklist import Blacklist
from domain.screening.blacklist_commands import BlacklistCommands
from domain.screening.participant_screening import ParticipantScreening


class ScreeningApplication(BlacklistCommands):
    """One event store for the context's decisions (reviews of pairs, blacklist entries)."""

    name = "screening"
    aggregates = (Blacklist, ParticipantScreening)
