"""The command line's refusals: one line naming the cause and what is valid, never a traceback."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from domain.platform.features import Feature
from domain.platform.tiers import Tier
from tests.e2e.test_cli import accredit, data_dir

TENANT = str(uuid.uuid4())


@pytest.mark.parametrize(
    ("args", "wrong", "valid"),
    [
        (["tenants", "create", "X", "--feature", "KIOSK"], "KIOSK", list(Feature)),
        (["tenants", "features", TENANT, "--enable", "kiosk_mode"], "kiosk_mode", list(Feature)),
        (
            ["api-keys", "issue", TENANT, "--name", "n", "--permission", "scan"],
            "scan",
            ["ADMIN", "check-in:scan", "audit:read"],
        ),
        (
            ["api-keys", "issue", TENANT, "--name", "n", "--permission", "ADMIN", "--tier", "GOLD"],
            "GOLD",
            list(Tier),
        ),
    ],
)
def test_an_unknown_name_is_refused_listing_the_valid_ones(
    tmp_path: Path, args: list[str], wrong: str, valid: list[str]
) -> None:
    done = accredit(tmp_path, *args)

    assert done.returncode == 2
    refusal = done.stderr.splitlines()[-1]
    assert f"invalid choice: '{wrong}'" in refusal
    for name in valid:
        assert f"'{name}'" in refusal
    assert "<" not in refusal  # no enum reprs


def test_an_unreachable_postgresql_is_one_line_without_a_traceback(tmp_path: Path) -> None:
    done = accredit(
        tmp_path,
        "tenants",
        "create",
        "X",
        ACCREDIT_DATABASE_URL="postgresql://postgres:secret@127.0.0.1:1/x",
    )

    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    assert line.startswith(
        "accredit: cannot reach PostgreSQL at postgres@127.0.0.1:1/x (ACCREDIT_DATABASE_URL): "
    )
    assert "refused" in line
    assert "secret" not in line


def test_a_refusal_by_a_rule_prints_its_detail(tmp_path: Path) -> None:
    data_dir(tmp_path)

    done = accredit(tmp_path, "tenants", "rename", TENANT, "Expo")

    assert done.returncode == 1
    assert done.stderr.splitlines() == [f"accredit: no tenant with id {TENANT}"]


def test_a_time_without_a_zone_is_refused_with_an_example(tmp_path: Path) -> None:
    done = accredit(
        tmp_path,
        "api-keys",
        "issue",
        TENANT,
        "--name",
        "n",
        "--permission",
        "ADMIN",
        "--expires-at",
        "soon",
    )

    assert done.returncode == 2
    assert "not an ISO 8601 time: 'soon' (e.g. 2027-01-31T00:00:00+00:00)" in done.stderr
