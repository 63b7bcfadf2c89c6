"""The operator's command line, run as a real process."""

from __future__ import annotations

import base64
import getpass
import os
import re
import subprocess
from importlib import metadata
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


def data_dir(tmp_path: Path) -> Path:
    """The data directory the commands use, made as `accredit init` would (it is then empty)."""
    made = tmp_path / "var"
    made.mkdir()
    return made


def test_tenants_create_prints_an_admin_key_and_records_the_operator(tmp_path: Path) -> None:
    data_dir(tmp_path)
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
    data_dir(tmp_path)
    assert accredit(tmp_path, "tenants", "create", "X", ACCREDIT_CIPHER_KEY=key).returncode == 0


def test_a_malformed_setting_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    done = accredit(tmp_path, "tenants", "create", "X", ACCREDIT_CIPHER_KEY="not-a-key")

    assert done.returncode == 2
    assert "ACCREDIT_CIPHER_KEY" in done.stderr
    assert "Traceback" not in done.stderr


def test_version_is_the_installed_packages(tmp_path: Path) -> None:
    done = accredit(tmp_path, "--version")

    assert done.returncode == 0
    assert done.stdout.strip() == f"accredit {metadata.version('accredit')}"


def test_help_lists_every_command_with_what_it_does_and_the_exit_statuses(tmp_path: Path) -> None:
    done = accredit(tmp_path, "--help")

    assert done.returncode == 0
    for command in ("serve", "init", "worker", "tenants", "api-keys", "audit", "projections"):
        assert re.search(rf"^    {command}\s+\w", done.stdout, re.M), command
    assert "Exit status: 0 done; 1 not done" in done.stdout


def test_init_creates_the_data_directory_the_other_commands_need(tmp_path: Path) -> None:
    refused = accredit(tmp_path, "tenants", "create", "Expo Berlin")
    assert not (tmp_path / "var").exists()

    init = accredit(tmp_path, "init")
    again = accredit(tmp_path, "init")
    created = accredit(tmp_path, "tenants", "create", "Expo Berlin")

    assert refused.returncode == 2
    assert refused.stderr.splitlines() == [
        f"accredit: there is no data directory at {tmp_path / 'var'} (ACCREDIT_DATA_DIR): "
        "`accredit init` creates one, as does the first `accredit serve`"
    ]
    assert init.returncode == 0, init.stderr
    assert init.stdout == f"The store is ready in {tmp_path / 'var'}/ (SQLite).\n"
    assert again.returncode == 0
    assert created.returncode == 0, created.stderr


def test_a_sqlite_url_names_the_data_directory(tmp_path: Path) -> None:
    store = tmp_path / "elsewhere"
    url = f"sqlite:///{store}"

    init = accredit(tmp_path, "init", ACCREDIT_DATA_DIR="", ACCREDIT_DATABASE_URL=url)
    created = accredit(
        tmp_path, "tenants", "create", "X", ACCREDIT_DATA_DIR="", ACCREDIT_DATABASE_URL=url
    )

    assert init.returncode == 0, init.stderr
    assert created.returncode == 0, created.stderr
    assert (store / "platform.events.sqlite").is_file()
    assert not (tmp_path / "var").exists()


def test_a_sqlite_url_naming_a_file_is_refused_with_the_forms_it_takes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'accredit.sqlite'}"

    done = accredit(tmp_path, "init", ACCREDIT_DATA_DIR="", ACCREDIT_DATABASE_URL=url)

    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"accredit: configuration error: ACCREDIT_DATABASE_URL '{url}'")
    assert f"e.g. sqlite:///{tmp_path / 'accredit'}" in line
    assert not (tmp_path / "accredit.sqlite").exists()
