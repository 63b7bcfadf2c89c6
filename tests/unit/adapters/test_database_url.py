"""ACCREDIT_DATABASE_URL: PostgreSQL, or a sqlite: URL naming the data directory, or a refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.settings import Settings, SettingsError


def test_without_a_url_the_sqlite_files_live_in_the_data_dir() -> None:
    settings = Settings.from_env({"ACCREDIT_DATA_DIR": "/srv/accredit"})

    assert settings.database_url is None
    assert settings.data_dir == Path("/srv/accredit")


def test_a_postgresql_url_selects_postgresql() -> None:
    settings = Settings.from_env({"ACCREDIT_DATABASE_URL": "postgresql://u@db:5432/accredit"})

    assert settings.uses_postgres
    assert settings.database_url == "postgresql://u@db:5432/accredit"


@pytest.mark.parametrize(
    ("url", "directory"),
    [
        ("sqlite:///var/accredit", Path("var/accredit")),  # three slashes: relative
        ("sqlite:////srv/accredit", Path("/srv/accredit")),  # four: absolute
        ("sqlite:////srv/my%20store", Path("/srv/my store")),
    ],
)
def test_a_sqlite_url_names_the_data_directory(url: str, directory: Path) -> None:
    settings = Settings.from_env({"ACCREDIT_DATABASE_URL": url})

    assert not settings.uses_postgres
    assert settings.data_dir == directory


def test_a_sqlite_url_may_repeat_the_data_dir() -> None:
    settings = Settings.from_env(
        {"ACCREDIT_DATABASE_URL": "sqlite:////srv/accredit", "ACCREDIT_DATA_DIR": "/srv/accredit/"}
    )

    assert settings.data_dir == Path("/srv/accredit")


def test_a_sqlite_url_and_another_data_dir_are_refused() -> None:
    with pytest.raises(SettingsError, match="set only one of them"):
        Settings.from_env(
            {"ACCREDIT_DATABASE_URL": "sqlite:////srv/a", "ACCREDIT_DATA_DIR": "/srv/b"}
        )


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("sqlite://", "names no directory"),
        ("sqlite:///:memory:", "names no directory"),
        ("sqlite:////srv/accredit.sqlite", "names a file"),
        ("sqlite:///accredit.db", "names a file"),
        ("sqlite://host/var", "is not one of"),
        ("sqlite:///var?timeout=5", "is not one of"),
        ("sqlite:var", "is not one of"),
        ("mysql://u@db/accredit", "must be postgresql://"),
    ],
)
def test_a_url_that_names_no_usable_store_is_refused_with_the_forms_it_takes(
    url: str, why: str
) -> None:
    with pytest.raises(SettingsError, match=why) as refused:
        Settings.from_env({"ACCREDIT_DATABASE_URL": url})

    assert "ACCREDIT_DATABASE_URL" in str(refused.value)


def test_a_sqlite_url_naming_an_existing_file_is_refused(tmp_path: Path) -> None:
    store = tmp_path / "store"
    store.write_text("")

    with pytest.raises(SettingsError, match="names a file"):
        Settings.from_env({"ACCREDIT_DATABASE_URL": f"sqlite:///{store}"})
