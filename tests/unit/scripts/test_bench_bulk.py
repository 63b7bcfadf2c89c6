"""The bulk benchmark's options and figures: rates, progress gaps, goals and wrong results."""

from __future__ import annotations

import math

import pytest
from bench_bulk import (
    BulkRun,
    SingleRun,
    change_times,
    executor_pid,
    executor_starts,
    goals,
    items_per_second,
    largest_gap,
    operation_problems,
    parse_args,
    status_kib,
)

SERVE_LOG = """\
2026-12-08 00:06:00 INFO accredit.supervisor: started web pid=101
2026-12-08 00:06:00 INFO accredit.supervisor: started operations pid=102
2026-12-08 00:06:09 WARNING accredit.supervisor: operations pid=102 exited with -9 after 9.0s
2026-12-08 00:06:10 INFO accredit.supervisor: started operations pid=117
"""

PROC_STATUS = "Name:\tpython\nVmPeak:\t  300000 kB\nVmHWM:\t   81612 kB\nVmRSS:\t   80000 kB\n"


def _completed(**changes: object) -> dict[str, object]:
    document = {"state": "COMPLETED", "total": 3, "ok": 3, "refused": 0, "skipped": 0}
    return {**document, **changes}


def test_postgresql_and_the_measured_sizes_are_the_defaults() -> None:
    args = parse_args([])
    assert (args.store, args.participants, args.clients) == ("postgresql", 10_000, 16)
    assert (args.workers, args.threads, args.poll_interval) == (2, 4, 0.1)
    assert args.database_url == "postgresql://postgres@127.0.0.1:5432/postgres"


def test_sqlite_may_be_chosen_and_an_unknown_store_is_refused() -> None:
    assert parse_args(["--store", "sqlite"]).store == "sqlite"
    with pytest.raises(SystemExit):
        parse_args(["--store", "mysql"])


def test_a_database_off_the_loopback_is_refused() -> None:
    with pytest.raises(SystemExit):
        parse_args(["--database-url", "postgresql://postgres@db.example.org/postgres"])


def test_a_rate_is_items_over_seconds_and_no_time_measured_gives_none() -> None:
    assert items_per_second(10_000, 4.0) == 2500.0
    assert math.isnan(items_per_second(10, 0.0))


def test_only_a_status_that_differs_from_the_one_before_counts_as_a_change() -> None:
    seen = [
        (0.0, ("QUEUED", 0)),
        (0.1, ("QUEUED", 0)),
        (0.2, ("RUNNING", 0)),
        (0.3, ("RUNNING", 0)),
    ]
    seen += [(0.4, ("RUNNING", 10)), (0.5, ("RUNNING", 10)), (0.6, ("COMPLETED", 10))]
    assert change_times(seen) == [0.0, 0.2, 0.4, 0.6]


def test_the_progress_gap_is_the_longest_wait_for_a_change() -> None:
    assert largest_gap([0.0, 0.2, 1.5, 1.7]) == pytest.approx(1.3)


def test_fewer_than_two_changes_have_no_gap() -> None:
    assert largest_gap([]) == 0.0
    assert largest_gap([3.0]) == 0.0


def test_a_ratio_of_five_and_a_gap_of_one_second_meet_both_goals() -> None:
    assert goals(5.0, 1.0) == {"ratio": True, "progress_gap": True}


def test_a_slower_bulk_or_a_staler_status_misses_its_goal_and_nan_misses_all() -> None:
    assert goals(4.99, 1.01) == {"ratio": False, "progress_gap": False}
    assert goals(math.nan, math.nan) == {"ratio": False, "progress_gap": False}


def test_an_operation_completed_with_every_item_ok_is_right() -> None:
    assert operation_problems(_completed(), 3) == []


def test_an_item_refused_or_an_operation_not_ended_is_a_wrong_result() -> None:
    refused = _completed(state="COMPLETED_WITH_ERRORS", ok=2, refused=1)
    assert operation_problems(refused, 3) == [
        "the operation ended COMPLETED_WITH_ERRORS",
        "ok is 2, not 3",
        "refused is 1, not 0",
    ]
    assert operation_problems(None, 3) == ["the operation did not end in time"]


def test_the_executor_is_the_operations_worker_serve_started_last() -> None:
    assert executor_pid(SERVE_LOG) == 117
    assert executor_starts(SERVE_LOG) == 2
    assert executor_pid("started web pid=101\n") is None


def test_peak_and_current_memory_are_read_from_the_process_status_in_kib() -> None:
    assert status_kib(PROC_STATUS, "VmHWM") == 81612
    assert status_kib(PROC_STATUS, "VmRSS") == 80000
    assert status_kib(PROC_STATUS, "VmSwap") is None


def test_the_executor_s_own_gap_is_read_between_the_updated_at_values_seen() -> None:
    run = BulkRun(participants=3, final=_completed(), approved=3)
    for at, done, stamp in ((0.0, 0, "00.0"), (0.1, 0, "00.0"), (0.7, 2, "00.5"), (1.6, 3, "01.4")):
        run.observations.append((at, ("RUNNING", done, f"2026-12-08T00:06:{stamp}+00:00")))
    assert run.gap() == pytest.approx(0.9)
    assert run.updated_at_gap() == pytest.approx(0.9)
    assert run.problems() == []


def test_a_participant_the_view_does_not_show_approved_is_a_wrong_result() -> None:
    assert BulkRun(participants=3, final=_completed(), approved=2).problems() == [
        "2 of 3 participants approved"
    ]
    single = SingleRun(participants=3, clients=2, ok=2, approved=2)
    single.statuses["503"] += 1
    single.approved = 1
    assert single.problems() == ["1 answers 503", "1 participants approved, 2 approvals answered"]
