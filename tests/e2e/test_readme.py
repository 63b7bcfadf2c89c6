"""The README's curl calls work exactly as printed, against a live server."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.e2e.conftest import Served

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_curl_block() -> str:
    text = README.read_text()
    match = re.search(r"<!-- curl-begin -->\s*```sh\n(.*?)```\s*<!-- curl-end -->", text, re.S)
    assert match, "the README lost its curl block"
    return match.group(1)


def test_readme_curl_calls_work_as_printed(served: Served) -> None:
    # Only the port differs: the server under test listens on a free one.
    script = readme_curl_block().replace("127.0.0.1:8000", f"127.0.0.1:{served.port}")
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        env={"ACCREDIT_KEY": served.admin_key, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "HTTP/1.1 200 OK" in out
    assert "HTTP/1.1 201 Created" in out
    assert '"name": "north gate"' in out
    assert '"next_cursor": null' in out
    assert "HTTP/1.1 401 Unauthorized" in out
    assert "application/problem+json" in out
    # The registration walk-through: the queue waited for the participant just registered.
    assert '"registration": "open"' in out
    assert '"first_name": "Ada"' in out
    assert '"waiting_since"' in out
