"""The operator's command line, run as a real process."""

from __future__ import annotations

import base64
import getpass
import os
import re
import subprocess
from pathlib import Path

from adapters.settings import Settings
from adapters.sql.eventstore import eventstore_env
from domain.platform.application import PlatformApplication
from domain.shared.cause import meta_of
from tests.e2e.conftest import ACCREDIT


def accredit(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ACCREDIT, *args],
        env={**os.environ, "ACCREDIT_DATA_DIR": str(tmp_path / "var"), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_tenants_create_prints_an_admin_key_and_records_the_operator(tmp_path: Path) -> None:
    done = accredit(tmp_path, "tenants", "create", "Expo Berlin")

    assert done.returncode == 0, done.stderr
    assert re.search(r"export ACCREDIT_KEY=acc_\w{60}", done.stdout)
    app = PlatformApplication(
        eventstore_env(Settings(data_dir=tmp_path / "var"), PlatformApplication.name)
    )
    stored = [app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(1, 10)]
    assert {meta_of(e)["actor"] for e in stored} == {f"cli:{getpass.getuser()}"}


def test_cipher_key_prints_a_usable_32_byte_key(tmp_path: Path) -> None:
    done = accredit(tmp_path, "cipher-key")

    assert done.returncode == 0
    key = done.stdout.strip()
    assert len(base64.b64decode(key)) == 32
    assert accredit(tmp_path, "tenants", "create", "X", ACCREDIT_CIPHER_KEY=key).returncode == 0


def test_a_malformed_setting_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    done = accredit(tmp_path, "tenants", "create", "X", ACCREDIT_CIPHER_KEY="not-a-key")

    assert done.returncode == 2
    assert "ACCREDIT_CIPHER_KEY" in done.stderr
    assert "Traceback" not in done.stderr
