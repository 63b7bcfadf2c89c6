"""`accredit projections ...` and `accredit audit verify`, run as real processes on SQLite."""

from __future__ import annotations

import os
import pty
import re
import select
import sqlite3
import subprocess
from pathlib import Path

from tests.e2e.conftest import ACCREDIT
from tests.e2e.test_cli import data_dir


def sqlite_env(tmp_path: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if k != "ACCREDIT_DATABASE_URL"},
        "ACCREDIT_DATA_DIR": str(tmp_path / "var"),
        "ACCREDIT_DEMO_TENANT": "0",
    }


def accredit(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ACCREDIT, *args],
        env=sqlite_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def status_rows(output: str) -> dict[str, list[str]]:
    rows = [line.split() for line in output.splitlines()[1:]]
    return {row[0]: row for row in rows}


def test_status_shows_the_lag_run_catches_up_with_a_progress_bar(tmp_path: Path) -> None:
    data_dir(tmp_path)
    assert accredit(tmp_path, "tenants", "create", "Expo Berlin").returncode == 0

    before = accredit(tmp_path, "projections", "status")
    run = accredit(tmp_path, "projections", "run", "platform")
    after = accredit(tmp_path, "projections", "status", "platform")

    assert before.returncode == 0, before.stderr
    # projection, version, stored, upstream, position, head, lag events, lag seconds
    assert status_rows(before.stdout)["platform"][1:7] == ["1", "-", "platform", "0", "2", "2"]
    assert run.returncode == 0, run.stderr
    # Standard error is a pipe here, as in a log: plain lines, no carriage returns.
    assert "platform: 100%  2/2 domain events" in run.stderr
    assert "\r" not in run.stderr
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


def on_a_terminal(tmp_path: Path, *args: str) -> str:
    """What the command writes to standard error when that is a terminal (a pseudo-terminal)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [ACCREDIT, *args],
        env=sqlite_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=follower,
    )
    os.close(follower)
    written = b""
    try:
        # Read until the command closes the terminal; the select timeout is a safety net.
        while select.select([leader], [], [], 60)[0]:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: every writer has closed it
                break
            if not chunk:
                break
            written += chunk
        assert process.wait(60) == 0, written
    finally:
        process.kill()
        os.close(leader)
    return written.decode()


def test_run_on_a_terminal_redraws_its_bar_in_place_with_the_time_left(tmp_path: Path) -> None:
    data_dir(tmp_path)
    assert accredit(tmp_path, "tenants", "create", "Expo Berlin").returncode == 0

    written = on_a_terminal(tmp_path, "projections", "run", "platform")

    assert re.search(r"\rplatform \[#+\] 100%  2/2 domain events  \d+/s  ETA 0:00", written)
    assert re.search(r"\rplatform \[#+\] 100%  2/2 domain events  \d+/s  in \d:\d\d", written)


def test_an_unknown_projection_name_is_refused(tmp_path: Path) -> None:
    data_dir(tmp_path)
    done = accredit(tmp_path, "projections", "rebuild", "nonesuch")

    assert done.returncode == 2
    assert "no projection is named 'nonesuch'" in done.stderr


def test_audit_verify_passes_after_a_rebuild_and_names_each_tampered_cell(
    tmp_path: Path,
) -> None:
    data_dir(tmp_path)
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
