"""The access-control context: what opens which door, to whom, and what happened there."""

from __future__ import annotations

from domain.access.credential import Credential
from domain.access.credential_commands import CredentialCommands
from domain.access.gate_log import GateLog
from domain.access.venue import Venue
from domain.access.venue_commands import VenueCommands


class AccessApplication(VenueCommands, CredentialCommands):
    """One event store for the context: each event's Venue and GateLog, and the Credentials."""

    name = "access"
    aggregates = (Venue, Credential, GateLog)
