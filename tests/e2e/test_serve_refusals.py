"""`accredit serve` refuses at once what it could never run on, instead of restarting forever."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

from tests.e2e.conftest import ACCREDIT


def test_serve_on_a_port_in_use_exits_naming_the_port(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        # The timeout is a safety net: a serve that restarted gunicorn forever would hang here.
        done = subprocess.run(
            [ACCREDIT, "serve", "--port", str(port)],
            env={**os.environ, "ACCREDIT_DATA_DIR": str(tmp_path / "var")},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"accredit: cannot listen on 127.0.0.1:{port}: Address already in use (is another "
        "server running there? choose another with --port or ACCREDIT_PORT)"
    ]
    assert not (tmp_path / "var").exists()  # refused before it created anything
