"""Times are stored the same way whichever path binds them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.sqlite import DATETIME

from adapters.sql.types import UtcDateTime

zones = st.sampled_from(
    [UTC, timezone(timedelta(hours=-7)), timezone(timedelta(hours=5, minutes=45))]
)
moments = st.datetimes(
    # Naive bounds are what hypothesis asks for; the zones are added to each value.
    min_value=datetime(1000, 1, 2),  # noqa: DTZ001
    max_value=datetime(9999, 12, 30),  # noqa: DTZ001
    timezones=zones,
)


@given(moments)
def test_sqlite_keeps_the_text_sqlalchemy_writes_for_the_same_utc_moment(moment: datetime) -> None:
    dialect = sqlite.dialect()
    ours = UtcDateTime().bind_processor(dialect)
    theirs = DATETIME().bind_processor(dialect)
    assert ours is not None
    assert theirs is not None

    assert ours(moment) == theirs(moment.astimezone(UTC).replace(tzinfo=None))


def test_a_naive_time_is_refused_on_sqlite() -> None:
    process = UtcDateTime().bind_processor(sqlite.dialect())
    assert process is not None
    with pytest.raises(ValueError, match="naive"):
        process(datetime(2027, 1, 1, 9, 0))  # noqa: DTZ001
    assert process(None) is None
