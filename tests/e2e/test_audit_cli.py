"""`accredit audit ...` as an operator runs it: real processes on one data directory."""

from __future__ import annotations

import getpass
import json
import re
from pathlib import Path

import pytest

from tests.e2e.test_cli import accredit, data_dir


@pytest.fixture
def tenant(tmp_path: Path) -> tuple[str, str]:
    """A tenant made with the CLI, its admin key rotated once: (tenant id, key id)."""
    data_dir(tmp_path)
    created = accredit(tmp_path, "tenants", "create", "Expo Berlin")
    assert created.returncode == 0, created.stderr
    tenant_id = re.search(r"tenant id: (\S+)", created.stdout)
    key_id = re.search(r"key id:\s+(\S+)", created.stdout)
    assert tenant_id
    assert key_id
    rotated = accredit(
        tmp_path, "api-keys", "rotate", tenant_id[1], key_id[1], "--grace-seconds", "0"
    )
    assert rotated.returncode == 0, rotated.stderr
    return tenant_id[1], key_id[1]


def test_history_lists_the_tenants_domain_events_with_their_operator(
    tmp_path: Path, tenant: tuple[str, str]
) -> None:
    tenant_id, key_id = tenant

    table = accredit(tmp_path, "audit", "history", tenant_id)
    lines = accredit(tmp_path, "audit", "history", tenant_id, "--json", "--aggregate", key_id)

    assert table.returncode == 0, table.stderr
    assert re.search(r"platform:1\s+Tenant\.Created", table.stdout)
    assert re.search(rf"platform:3\s+ApiKey\.Rotated\s+{key_id}\s+2\s+cli:", table.stdout)
    items = [json.loads(line) for line in lines.stdout.splitlines()]
    assert [i["type"] for i in items] == ["ApiKey.Issued", "ApiKey.Rotated"]
    assert {i["actor"] for i in items} == {f"cli:{getpass.getuser()}"}
    assert items[1]["payload"]["secret_digest"] == "[redacted]"


def test_aggregate_and_state_show_a_keys_history_and_its_first_version(
    tmp_path: Path, tenant: tuple[str, str]
) -> None:
    _, key_id = tenant

    history = accredit(tmp_path, "audit", "aggregate", key_id)
    state = accredit(tmp_path, "audit", "state", key_id, "--version", "1")

    assert history.returncode == 0, history.stderr
    assert re.search(r"^v1 .* ApiKey\.Issued .*\"name\":\"admin\"", history.stdout, re.M)
    assert re.search(r"^v2 .* ApiKey\.Rotated", history.stdout, re.M)
    assert state.returncode == 0, state.stderr
    document = json.loads(state.stdout)
    assert (document["version"], document["state"]["rotated_at"]) == (1, None)
    assert document["state"]["secrets"] == [{"digest": "[redacted]", "valid_until": None}]


def test_export_writes_the_history_as_json_lines(tmp_path: Path, tenant: tuple[str, str]) -> None:
    tenant_id, _ = tenant
    out = tmp_path / "audit.ndjson"

    done = accredit(tmp_path, "audit", "export", tenant_id, "--output", str(out))
    listed = accredit(tmp_path, "audit", "history", tenant_id, "--json")

    assert done.returncode == 0, done.stderr
    assert "Exported 3 domain events" in done.stderr
    assert out.read_text() == listed.stdout


def test_a_point_outside_the_history_is_a_clear_error(
    tmp_path: Path, tenant: tuple[str, str]
) -> None:
    _, key_id = tenant

    beyond = accredit(tmp_path, "audit", "state", key_id, "--version", "9")
    naive = accredit(tmp_path, "audit", "state", key_id, "--at", "2030-01-01T00:00:00")

    assert beyond.returncode == 1
    assert "versions 1 to 2" in beyond.stderr
    assert naive.returncode == 2
    assert "time zone" in naive.stderr
    assert "Traceback" not in beyond.stderr + naive.stderr
