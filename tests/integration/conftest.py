"""Fixtures for tests that run against both backends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from adapters.settings import Settings
from adapters.sql.engines import make_engine
from adapters.sql.schema import create_tables


@pytest.fixture
def engine(any_settings: Settings) -> Iterator[Engine]:
    """The service database with every table, on SQLite and on PostgreSQL."""
    engine = make_engine(any_settings)
    create_tables(engine)
    yield engine
    engine.dispose()
