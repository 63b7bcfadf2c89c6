"""The waitlists' timer: ends offers as their deadlines pass, so their seats pass on.

No request has to arrive for an offer to expire. The timer reads the offers view for
the events with an offer due and runs each one's `expire_offers` command, which ends
only the offers past their deadline: run twice, or by a worker killed halfway and
started again, it ends nothing twice. One timer leads at a time across hosts; `serve`
supervises it, and `accredit worker waitlists` runs it alone.
"""

from __future__ import annotations

import logging
import threading

from adapters.projection.leadership import leadership_for, wait_to_lead
from adapters.waitlists.queries import WaitlistQueries
from domain.shared.cause import Cause, caused_by
from domain.waitlists.application import WaitlistedRegistration
from entrypoints.wiring.container import Container

log = logging.getLogger("accredit.workers")

LEADERSHIP = ("waitlist-offers", 1)
# The timer looks again at the next deadline, but at least this often and at most this
# seldom (a deadline set by another process is seen within the longest).
LOOK_SECONDS = (0.2, 1.0)
DUE_BATCH = 100


def expire_due_offers(registration: WaitlistedRegistration, queries: WaitlistQueries) -> int:
    """Ends every offer due now; returns how many events' waitlists changed."""
    changed = 0
    while True:
        due = queries.due_offers(registration.clock(), DUE_BATCH)
        done = 0
        for _tenant_id, event_id in due:
            cause = Cause(actor="system", correlation_id=f"waitlist-expiry:{event_id}")
            with caused_by(cause):
                done += registration.expire_offers(event_id) is not None
        changed += done
        # A full batch may hide more; one that changed nothing is the view lagging.
        if len(due) < DUE_BATCH or not done:
            return changed


def run_waitlists(container: Container, stop: threading.Event) -> None:
    """Ends offers on time while it leads, until stopped."""
    registration = container.app(WaitlistedRegistration)
    queries = container.query(WaitlistQueries)
    leadership = leadership_for(container.engine, *LEADERSHIP)
    shortest, longest = LOOK_SECONDS
    try:
        while wait_to_lead(leadership, stop, "waitlist offers"):
            while not stop.is_set() and leadership.leading():
                wait = longest
                try:
                    expire_due_offers(registration, queries)
                    upcoming = queries.next_offer_expiry()
                    if upcoming is not None:
                        until = (upcoming - registration.clock()).total_seconds()
                        wait = min(max(until, shortest), longest)
                except Exception:
                    log.exception("waitlist offers: could not end the offers due; retrying")
                stop.wait(wait)
            leadership.step_down()
    finally:
        leadership.close()
