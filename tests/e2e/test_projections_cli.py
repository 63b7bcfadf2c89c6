"""`accredit projections ...` and `accredit audit verify`, run as real processes on SQLite."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

from tests.e2e.conftest import ACCREDIT


def accredit(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ACCREDIT, *args],
        env={
            **{k: v for k, v in os.environ.items() if k != "ACCREDIT_DATABASE_URL"},
            "ACCREDIT_DATA_DIR": str(tmp_path / "var"),
            "ACCREDIT_DEMO_TENANT": "0",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def status_rows(output: str) -> dict[str, list[str]]:
    rows = [line.split() for line in output.splitlines()[1:]]
    return {row[0]: row for row in rows}


def test_status_shows_the_lag_run_catches_up_with_a_progress_bar(tmp_path: Path) -> None:
    assert accredit(tmp_path, "tenants", "create", "Expo Berlin").returncode == 0

    before = accredit(tmp_path, "projections", "status")
    run = accredit(tmp_path, "projections", "run", "platform")
    after = accredit(tmp_path, "projections", "status", "platform")

    assert before.returncode == 0, before.stderr
    # projection, version, stored, upstream, position, head, lag events, lag seconds
    assert status_rows(before.stdout)["platform"][1:7] == ["1", "-", "platform", "0", "2", "2"]
    assert run.returncode == 0, run.stderr
    assert "100%  2/2 events" in run.stderr
    assert status_rows(after.stdout)["platform"][1:8] == [
        "1",
        "1",
        "platform",
        "2",
        "2",
        "0",
        "0.0",
    ]
    assert set(status_rows(after.stdout)) == {"platform"}


def test_an_unknown_projection_name_is_refused(tmp_path: Path) -> None:
    done = accredit(tmp_path, "projections", "rebuild", "nonesuch")

    assert done.returncode == 2
    assert "no projection is named 'nonesuch'" in done.stderr


def test_audit_verify_passes_after_a_rebuild_and_names_each_tampered_cell(
    tmp_path: Path,
) -> None:
    assert accredit(tmp_path, "tenants", "create", "Expo Berlin").returncode == 0
    rebuilt = accredit(tmp_path, "projections", "rebuild")
    clean = accredit(tmp_path, "audit", "verify")
    with sqlite3.connect(tmp_path / "var" / "accredit.sqlite") as db:
        db.execute("UPDATE tenants SET name = 'Expo Munich'")
    tampered = accredit(tmp_path, "audit", "verify")

    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "rebuild to v1" in rebuilt.stderr
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout == ""
    assert tampered.returncode == 1
    (line,) = tampered.stdout.splitlines()
    assert line.startswith("tenants [")
    assert line.endswith("name: live='Expo Munich' rebuilt='Expo Berlin'")
