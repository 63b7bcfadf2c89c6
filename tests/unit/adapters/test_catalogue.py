"""The analysts' page documents every projection table and column, and is current."""

from __future__ import annotations

from pathlib import Path

import entrypoints.wiring.contexts  # noqa: F401  (every context, so every table)
from adapters.analysts.catalogue import analyst_tables, describe, undocumented

PAGE = Path(__file__).resolve().parents[3] / "docs" / "analysts.md"


def test_every_projection_table_and_column_has_a_comment() -> None:
    assert undocumented() == []


def test_the_page_in_the_repository_is_the_current_catalogue() -> None:
    # Regenerate with: .venv/bin/accredit analysts describe > docs/analysts.md
    assert PAGE.read_text() == describe()


def test_the_catalogue_names_the_tables_analysts_ask_for() -> None:
    names = {t.name for t in analyst_tables()}
    assert {"tenants", "api_keys", "api_key_usage", "domain_event_history"} <= names
