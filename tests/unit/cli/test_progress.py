"""Progress on a terminal (a bar redrawn in place, with the time left) and in a log (lines)."""

from __future__ import annotations

import io

from entrypoints.cli.progress import LINE_SECONDS, ProgressBar, clock_time


class Clock:
    """Time as the test moves it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_on_a_terminal_the_bar_is_redrawn_in_place_with_the_time_left() -> None:
    out, clock = io.StringIO(), Clock()
    bar = ProgressBar("platform", 400, out, terminal=True, clock=clock)

    clock.now += 2
    bar.advance(100)  # 50 per second: 300 more take 6 s
    clock.now += 2
    bar.advance(100)
    bar.finish()

    redraws = out.getvalue().split("\r")[1:]
    assert len(redraws) == 3
    assert "platform [########" in redraws[0]
    assert " 25%  100/400 domain events  50/s  ETA 0:06" in redraws[0]
    assert " 50%  200/400 domain events  50/s  ETA 0:04" in redraws[1]
    assert redraws[2].endswith("\n")
    assert redraws[2].rstrip().endswith("50%  200/400 domain events  50/s  in 0:04")
    assert out.getvalue().count("\n") == 1


def test_on_a_terminal_a_shorter_line_covers_the_longer_one_before_it() -> None:
    out, clock = io.StringIO(), Clock()
    bar = ProgressBar("platform", 0, out, terminal=True, clock=clock)

    clock.now += 1
    bar.advance(10_000)  # 10000/s
    clock.now += 1000
    bar.finish()  # 10/s: two characters fewer

    first, second = out.getvalue().split("\r")[1:]
    assert len(second.rstrip("\n")) >= len(first)


def test_in_a_log_progress_is_plain_lines_now_and_then_without_carriage_returns() -> None:
    out, clock = io.StringIO(), Clock()
    bar = ProgressBar("history (rebuild to v2)", 1000, out, terminal=False, clock=clock)

    for _ in range(9):  # 9 s of batches: nothing yet
        clock.now += 1
        bar.advance(50)
    assert out.getvalue() == ""
    clock.now += LINE_SECONDS - 9
    bar.advance(50)  # 500 in 10 s
    for _ in range(5):
        clock.now += 1
        bar.advance(10)
    bar.finish()

    assert "\r" not in out.getvalue()
    assert out.getvalue().splitlines() == [
        "history (rebuild to v2): 50%  500/1000 domain events  50/s  ETA 0:10",
        "history (rebuild to v2): 55%  550/1000 domain events  37/s  in 0:15",
    ]


def test_short_work_in_a_log_writes_only_its_final_line() -> None:
    out, clock = io.StringIO(), Clock()
    bar = ProgressBar("platform", 2, out, terminal=False, clock=clock)

    bar.advance(2)
    bar.finish()

    assert out.getvalue() == "platform: 100%  2/2 domain events  0/s  in 0:00\n"


def test_a_log_that_grew_while_it_was_read_counts_past_its_first_total() -> None:
    out, clock = io.StringIO(), Clock()
    bar = ProgressBar("platform", 10, out, terminal=False, clock=clock)

    clock.now += 1
    bar.advance(15)
    bar.finish()

    assert "100%  15/15 domain events" in out.getvalue()


def test_the_time_left_reads_like_a_clock() -> None:
    assert [clock_time(s) for s in (0.4, 7, 750, 3725)] == ["0:00", "0:07", "12:30", "1:02:05"]
