"""The supervisor restarts a child that dies, but gives up on one that never gets going."""

from __future__ import annotations

import os
import signal
import sys

from entrypoints.supervisor import Child, RestartPolicy, Supervisor

POLICY = RestartPolicy(first_backoff=0.5, max_backoff=4, startup_seconds=15, give_up_after=3)


def test_a_child_that_keeps_dying_at_start_is_given_up_after_a_few_tries() -> None:
    child = Child("http", ["gunicorn"])

    delays = [child.exited(1.0, POLICY) for _ in range(3)]

    assert delays == [0.5, 1.0, None]


def test_a_child_that_once_ran_is_restarted_however_often_it_then_dies() -> None:
    child = Child("projections", ["worker"])
    assert child.exited(60.0, POLICY) == 0.5  # ran, then died: an outage, not a bad start

    delays = [child.exited(0.2, POLICY) for _ in range(10)]

    assert None not in delays
    assert delays[-1] == POLICY.max_backoff


def test_a_child_that_ran_steadily_restarts_at_the_first_backoff_again() -> None:
    child = Child("projections", ["worker"])
    for _ in range(4):
        child.exited(20.0, POLICY)

    assert child.exited(POLICY.steady_seconds, POLICY) == POLICY.first_backoff


def test_giving_up_on_a_child_stops_the_others_and_fails_the_command() -> None:
    failing = Child("http", [sys.executable, "-c", "raise SystemExit(3)"])
    healthy = Child("projections", [sys.executable, "-c", "import time; time.sleep(120)"])
    quick = RestartPolicy(first_backoff=0.05, max_backoff=0.1, give_up_after=3)

    status = Supervisor([failing, healthy], dict(os.environ), policy=quick).run()

    assert status == 1
    assert failing.restarts == 2  # started three times in all
    assert healthy.process is not None
    assert healthy.process.returncode == -signal.SIGTERM  # stopped, and waited for
