"""The waitlists context wired: each event's waitlist, its offers, and their expiry."""

from __future__ import annotations

from domain.waitlists.application import WaitlistedRegistration
from entrypoints.wiring.context import Context

WAITLISTS = Context(
    name="waitlists",
    # The waitlist lives in the registration context's event store (one save frees a seat
    # and offers it): its application is registration's, extended.
    application=WaitlistedRegistration,
    extends="registration",
)
