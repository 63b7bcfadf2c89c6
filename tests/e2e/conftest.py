"""Runs the real `accredit serve` (supervisor, gunicorn, workers) and talks HTTP to it."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ACCREDIT = str(Path(sys.executable).with_name("accredit"))
# The one origin whose pages `served` lets call the API.
CORS_ORIGIN = "https://kiosk.example.org"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


@dataclass
class Served:
    """One running `accredit serve`, its demo admin key, and its logs."""

    process: subprocess.Popen[str]
    port: int
    admin_key: str
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        key: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        all_headers = dict(headers or {})
        if key is not None:
            all_headers["Authorization"] = f"Bearer {key}"
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        conn.request(method, path, body=payload, headers=all_headers)
        resp = conn.getresponse()
        raw = resp.read()
        conn.close()
        parsed = (
            json.loads(raw) if raw and "json" in (resp.getheader("Content-Type") or "") else raw
        )
        return Answer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, parsed)

    def log(self) -> str:
        return self.log_path.read_text()

    def created(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POSTs as the admin and asserts a 201; returns the created document."""
        answer = self.request("POST", path, body, key=self.admin_key)
        assert answer.status == 201, answer.body
        document: dict[str, Any] = answer.body
        return document

    def child_pid(self, name: str) -> int:
        pids = re.findall(rf"started {name} pid=(\d+)", self.log())
        return int(pids[-1])

    def projections(self) -> dict[str, Any]:
        """Each projection's entry in /health/projections, by name."""
        body = self.request("GET", "/health/projections").body
        return {p["name"]: p for p in body["projections"]}

    def wait_until(self, condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if condition():
                    return
            except OSError as exc:
                # A connection refused or reset while waiting is one more "not yet"; if the
                # wait runs out, the server's log says what happened meanwhile.
                last: OSError | None = exc
            else:
                last = None
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} did not happen in time ({last!r}):\n{self.log()}")
            time.sleep(0.1)

    def caught_up(self) -> bool:
        return all(
            p["state"] == "current" and p["lag_events"] == 0 for p in self.projections().values()
        )


def start_serve(tmp_path: Path, extra_env: dict[str, str], *, caught_up: bool = True) -> Served:
    """Starts serve; unless told otherwise, returns once its projections have caught up.

    HTTP answers before they have: a test of what it shows meanwhile passes caught_up=False.
    """
    port = free_port()
    env = {
        **os.environ,
        "ACCREDIT_DATA_DIR": str(tmp_path / "var"),
        "ACCREDIT_PORT": str(port),
        "ACCREDIT_WORKERS": "2",
        "ACCREDIT_THREADS": "2",
        "ACCREDIT_POLL_INTERVAL_SECONDS": "0.05",
        "ACCREDIT_AUTH_CACHE_SECONDS": "1",
        **extra_env,
    }
    log_path = tmp_path / "serve.log"
    out_path = tmp_path / "serve.out"
    process = subprocess.Popen(
        [ACCREDIT, "serve"],
        env=env,
        stdout=out_path.open("w"),
        stderr=log_path.open("w"),
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"accredit serve exited:\n{log_path.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError(f"accredit serve did not listen:\n{log_path.read_text()}")
        match = re.search(r"ACCREDIT_KEY=(acc_\w+)", out_path.read_text())
        assert match, out_path.read_text()
        served = Served(process, port, match.group(1), log_path, env)
        if caught_up:
            served.wait_until(served.caught_up, "catching up the projections")
    except BaseException:
        # A server that never became ready is not left running: its workers with it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
    return served


def stop_serve(served: Served) -> int:
    if served.process.poll() is None:
        served.process.send_signal(signal.SIGTERM)
        try:
            return served.process.wait(45)
        except subprocess.TimeoutExpired:
            os.killpg(served.process.pid, signal.SIGKILL)
            served.process.wait()
            raise
    return served.process.returncode


@pytest.fixture(params=["sqlite", "postgres"])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Served]:
    """`accredit serve` on SQLite, then on a fresh PostgreSQL database."""
    extra = {
        "ACCREDIT_RATE_LIMITS": json.dumps({"FREE": 10}),
        "ACCREDIT_CORS_ORIGINS": CORS_ORIGIN,
    }
    if request.param == "postgres":
        extra["ACCREDIT_DATABASE_URL"] = request.getfixturevalue("pg_url")
    server = start_serve(tmp_path, extra)
    try:
        yield server
    finally:
        stop_serve(server)
