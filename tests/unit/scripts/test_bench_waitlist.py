"""The waitlist benchmark's options and its figures: percentiles and offers out of turn."""

from __future__ import annotations

import pytest
from bench_waitlist import figures, parse_args, stores, wrong_offers


def test_both_stores_and_the_measured_sizes_are_the_defaults() -> None:
    args = parse_args([])
    assert stores(args) == ("sqlite", "postgresql")
    assert (args.capacity, args.waiting, args.promotions) == (600, 10_000, 500)
    assert args.database_url == "postgresql://postgres@127.0.0.1:5432/postgres"


def test_more_promotions_than_seated_or_waiting_participants_are_refused() -> None:
    with pytest.raises(SystemExit):
        parse_args(["--waiting", "40", "--promotions", "50"])


def test_a_database_off_the_loopback_is_refused() -> None:
    with pytest.raises(SystemExit):
        parse_args(["--database-url", "postgresql://postgres@db.example.org/postgres"])


def test_figures_are_nearest_rank_percentiles() -> None:
    assert figures([float(n) for n in range(100, 0, -1)]) == {
        "n": 100,
        "p50_ms": 50.0,
        "p99_ms": 99.0,
    }


def test_offers_to_the_first_entries_in_order_are_no_wrong_offer() -> None:
    assert wrong_offers(["a", "b"], ["b", "a"]) == []


def test_an_offer_out_of_turn_and_a_missing_one_are_both_named() -> None:
    assert wrong_offers(["a", "b"], ["a", "c"]) == [
        "entry b has no offer",
        "entry c has an offer out of turn",
    ]
