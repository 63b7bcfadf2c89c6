"""The scanner clients: processes of threads, one thread per device, each on a keep-alive
HTTP/1.1 connection of its own, closed-loop (the next scan as soon as the answer is
in) or paced (each device at its share of a fixed rate, latency counted from when the
scan was due, so a slow answer is not hidden by the scans it held up; those still due
when the round ends are counted as missed).

The devices live in their process for the whole run: who is where carries over from
one round to the next. The same threads load the bare endpoint in its rounds.
"""

from __future__ import annotations

import contextlib
import json
import math
import multiprocessing
import queue
import signal
import socket
import threading
import time
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.context import SpawnProcess

from bench_http import stop_clients

from scan_bench.devices import Device, DeviceSpec, Layout

HOST = "127.0.0.1"
REPORT_GRACE_SECONDS = 120.0


@dataclass(frozen=True)
class Job:
    """One timed burst: scans (or the bare endpoint), closed-loop or paced."""

    port: int
    path: str
    bare: bool
    start_at: float  # time.monotonic(), shared by the processes on Linux
    seconds: float
    max_per_device: int
    rate_per_device: float | None  # None: closed-loop


@dataclass
class Tally:
    ok: int = 0
    errors: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    results: Counter[str] = field(default_factory=Counter)
    latencies_ms: array[float] = field(default_factory=lambda: array("d"))
    last_end: float = 0.0
    rate_limits: set[str] = field(default_factory=set)  # RateLimit-Limit headers seen
    missed: int = 0  # paced scans still due when the round ended, never sent
    client_cpu_s: float = 0.0  # what the client processes spent, to tell if they limit

    def add(self, other: Tally) -> None:
        self.ok += other.ok
        self.errors += other.errors
        self.statuses.update(other.statuses)
        self.results.update(other.results)
        self.latencies_ms.extend(other.latencies_ms)
        self.last_end = max(self.last_end, other.last_end)
        self.rate_limits |= other.rate_limits
        self.missed += other.missed
        self.client_cpu_s += other.client_cpu_s


class HttpError(Exception):
    """An answer this client does not read (no length, chunked), or a closed connection."""


class KeepAlive:
    """HTTP/1.1 requests, one at a time, on one kept-alive socket.

    http.client spends some 100 µs of Python parsing each answer's headers; on a
    2-core machine that shares the CPUs with the server under test, the clients would
    be what is measured. This reads the status, the length and the one header the
    benchmark checks straight from the bytes.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock: socket.socket | None = None

    def connect(self) -> None:
        self.sock = socket.create_connection((HOST, self.port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def exchange(self, request: bytes) -> tuple[int, bytes, bytes]:
        """Sends a whole request; answers the status, the lower-cased head and the body."""
        if self.sock is None:
            self.connect()
        sock = self.sock
        assert sock is not None
        sock.sendall(request)
        data = b""
        while (end := data.find(b"\r\n\r\n")) < 0:
            data += self._read(sock)
        head = data[:end].lower()
        length = header(head, b"content-length")
        if length is None:
            self.close()
            raise HttpError("an answer with no Content-Length")
        body = data[end + 4 :]
        while len(body) < int(length):
            body += self._read(sock)
        if b"\r\nconnection: close" in head:
            self.close()
        return int(head[9:12]), head, body

    def _read(self, sock: socket.socket) -> bytes:
        chunk = sock.recv(65536)
        if not chunk:
            self.close()
            raise HttpError("the server closed the connection")
        return chunk


def header(head: bytes, name: bytes) -> str | None:
    """One header's value from a lower-cased head, or None."""
    at = head.find(b"\r\n" + name + b":")
    if at < 0:
        return None
    end = head.find(b"\r\n", at + 2)
    return head[at + len(name) + 3 : end if end >= 0 else None].strip().decode()


def _device_thread(device: Device, job: Job, out: list[Tally]) -> None:
    tally = Tally()
    conn = KeepAlive(job.port)
    with contextlib.suppress(OSError):
        conn.connect()
    prefix = (
        f"POST {job.path} HTTP/1.1\r\nHost: {HOST}:{job.port}\r\n"
        f"Authorization: Bearer {device.spec.secret}\r\nContent-Type: application/json\r\n"
    ).encode()
    interval = None if job.rate_per_device is None else 1.0 / job.rate_per_device
    # Paced devices start spread over one interval, not all at once.
    due = job.start_at + (0.0 if interval is None else device.rng.random() * interval)
    deadline = job.start_at + job.seconds
    clock = time.monotonic
    if (delay := job.start_at - clock()) > 0:
        time.sleep(delay)
    for _ in range(job.max_per_device):
        if interval is not None:
            if (wait := due - clock()) > 0:
                time.sleep(wait)
            elif clock() >= deadline:
                # Behind when the round ends: the scans still due are missed, not sent late.
                tally.missed += max(0, math.ceil((deadline - due) / interval))
                break
            began, due = due, due + interval
        else:
            began = clock()
        if began >= deadline:
            break
        badge, body = device.next_scan()
        payload = json.dumps(body).encode()
        request = b"%sContent-Length: %d\r\n\r\n%s" % (prefix, len(payload), payload)
        try:
            status, head, raw = conn.exchange(request)
        except (OSError, HttpError) as exc:
            tally.errors += 1
            tally.statuses[type(exc).__name__] += 1
            conn.close()
            continue
        tally.latencies_ms.append((clock() - began) * 1000.0)
        tally.statuses[str(status)] += 1
        if status != 200:
            tally.errors += 1
            continue
        tally.ok += 1
        if len(tally.rate_limits) < 2 and (limit := header(head, b"ratelimit-limit")):
            tally.rate_limits.add(limit)
        if not job.bare:
            answer = json.loads(raw)
            tally.results[answer["result"]] += 1
            device.learn(badge, answer)
    tally.last_end = clock()
    conn.close()
    out.append(tally)


def _client_process(
    specs: Sequence[DeviceSpec],
    layout: Layout,
    jobs: multiprocessing.Queue[Job | None],
    results: multiprocessing.Queue[Tally],
) -> None:
    # The parent handles Ctrl-C and stops us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    devices = [Device(spec, layout) for spec in specs]
    while (job := jobs.get()) is not None:
        cpu_before = time.process_time()
        tallies: list[Tally] = []
        threads = [
            threading.Thread(target=_device_thread, args=(d, job, tallies), daemon=True)
            for d in devices
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        total = Tally()
        for tally in tallies:
            total.add(tally)
        total.client_cpu_s = time.process_time() - cpu_before
        results.put(total)


class Scanners:
    """The devices spread over client processes, each run on command."""

    def __init__(self, specs: Sequence[DeviceSpec], layout: Layout, processes: int) -> None:
        processes = max(1, min(processes, len(specs)))
        ctx = multiprocessing.get_context("spawn")
        self.devices = len(specs)
        self.results: multiprocessing.Queue[Tally] = ctx.Queue()
        self.inboxes: list[multiprocessing.Queue[Job | None]] = []
        self.processes: list[SpawnProcess] = []
        for n in range(processes):
            inbox: multiprocessing.Queue[Job | None] = ctx.Queue()
            process = ctx.Process(
                target=_client_process,
                args=(specs[n::processes], layout, inbox, self.results),
                daemon=True,
            )
            process.start()
            self.inboxes.append(inbox)
            self.processes.append(process)

    def run(
        self,
        port: int,
        path: str,
        *,
        bare: bool,
        seconds: float,
        max_requests: int,
        rate: float | None = None,
    ) -> tuple[Tally, float]:
        """One burst; answers the tally and the measured wall time in seconds."""
        start_at = time.monotonic() + 0.5  # time for every thread to connect
        job = Job(
            port=port,
            path=path,
            bare=bare,
            start_at=start_at,
            seconds=seconds,
            max_per_device=max(1, max_requests // self.devices),
            rate_per_device=None if rate is None else rate / self.devices,
        )
        for inbox in self.inboxes:
            inbox.put(job)
        total = Tally()
        for _ in self.inboxes:
            try:
                total.add(self.results.get(timeout=seconds + REPORT_GRACE_SECONDS))
            except queue.Empty:
                raise TimeoutError("a scanner client did not report back in time") from None
        return total, max(total.last_end - start_at, 1e-9)

    def close(self) -> None:
        stop_clients(self.inboxes, self.processes)
