"""sd_notify over $NOTIFY_SOCKET, and the daemon under a fake service manager: READY, WATCHDOG, STOPPING, SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.systemd import SystemdNotifier
from tests.fakes import free_port

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    path = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(5)
    yield sock, path
    sock.close()


def test_messages_arrive_on_a_path_socket(listener) -> None:
    sock, path = listener
    sd = SystemdNotifier.from_env({"NOTIFY_SOCKET": path})
    assert sd.enabled
    assert sd.ready("3 open escalations\nx ok")
    assert sock.recv(4096) == b"READY=1\nSTATUS=3 open escalations x ok"  # a newline would start a new key
    assert sd.ping() and sock.recv(4096) == b"WATCHDOG=1"
    assert sd.extend_timeout(timedelta(minutes=5)) and sock.recv(4096) == b"EXTEND_TIMEOUT_USEC=300000000"
    assert sd.stopping() and sock.recv(4096) == b"STOPPING=1"


def test_abstract_socket() -> None:
    name = f"replyclock-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(b"\0" + name.encode())
        sock.settimeout(5)
        assert SystemdNotifier.from_env({"NOTIFY_SOCKET": "@" + name}).status("ok")
        assert sock.recv(4096) == b"STATUS=ok"


def test_without_systemd_every_call_is_a_no_op() -> None:
    sd = SystemdNotifier.from_env({})
    assert not sd.enabled and sd.watchdog_every is None
    assert not sd.ready() and not sd.ping() and not sd.stopping()


def test_a_vanished_socket_is_logged_once_and_never_raises(tmp_path, caplog) -> None:
    sd = SystemdNotifier(str(tmp_path / "gone.sock"))
    assert not sd.ping() and not sd.ping()
    assert len([r for r in caplog.records if "cannot notify systemd" in r.message]) == 1


def test_watchdog_interval_is_half_the_timeout_and_only_for_our_pid() -> None:
    sd = SystemdNotifier.from_env({"NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "180000000"})
    assert sd.watchdog_every == timedelta(seconds=90)
    mine = SystemdNotifier.from_env(
        {"NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "2000000", "WATCHDOG_PID": str(os.getpid())}
    )
    assert mine.watchdog_every == timedelta(seconds=1)
    other = SystemdNotifier.from_env({"NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "1"})
    assert other.watchdog_every is None


# --- the daemon as systemd runs it ---------------------------------------------------------

# Uses the configured scorer when sentiment.factory exists, else the keyword fake (the
# daemon's systemd behaviour does not depend on which scorer it loaded).
LAUNCHER = """
import sys, types
sys.path[:0] = [{repo!r}]
try:
    import sentiment.factory
except ImportError:
    from tests.fakes import KeywordAnalyzer
    factory = types.ModuleType("sentiment.factory")
    factory.build_analyzer = lambda settings: KeywordAnalyzer()
    sys.modules["sentiment.factory"] = factory
import daemon
sys.exit(daemon.main(sys.argv[1:]))
"""


def _feed(path: Path) -> None:
    items = [
        {
            "platform": "x",
            "id": "1",
            "author": "@kasia",
            "text": "Paczka nie dotarło, czekam 3 tygodnie",
            "lang": "pl",
            "created_at": "-20m",
        },
        {
            "platform": "facebook",
            "id": "p_2",
            "author": "Anna",
            "text": "A csomagom nem érkezett meg!",
            "lang": "hu",
            "created_at": "-5m",
        },
    ]
    path.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items) + "\n", encoding="utf-8")


def _receive_until(sock: socket.socket, wanted: str, seen: list[str], deadline: float) -> None:
    """Collect datagrams until one holds a line starting with `wanted`."""
    while not any(line.startswith(wanted) for m in seen for line in m.split("\n")):
        sock.settimeout(max(deadline - time.monotonic(), 0.01))
        try:
            seen.append(sock.recv(4096).decode())
        except TimeoutError:
            raise AssertionError(f"no {wanted} within the time; got {seen}") from None


def test_daemon_speaks_sd_notify_serves_metrics_and_stops_on_sigterm(tmp_path, listener) -> None:
    sock, path = listener
    port = free_port()
    _feed(tmp_path / "feed.jsonl")
    cfg = tmp_path / "config.yaml"
    cfg.write_text(
        f"storage:\n  url: sqlite:///{tmp_path / 'rc.db'}\n"
        "sources:\n  replay:\n    path: feed.jsonl\n    poll_every: 1s\n"
        "notify:\n  console: false\n"
        f"metrics:\n  enabled: true\n  listen: 127.0.0.1:{port}\n",
        encoding="utf-8",
    )
    launcher = tmp_path / "launch.py"
    launcher.write_text(LAUNCHER.format(repo=str(REPO)), encoding="utf-8")
    env = {**os.environ, "NOTIFY_SOCKET": path, "WATCHDOG_USEC": "400000"}
    proc = subprocess.Popen(
        [sys.executable, str(launcher), "--config", str(cfg), "run"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen: list[str] = []
    try:
        _receive_until(sock, "READY=1", seen, time.monotonic() + 120)  # the scorer may take a while to load
        _receive_until(sock, "WATCHDOG=1", seen, time.monotonic() + 5)
        deadline = time.monotonic() + 10
        while True:  # the first snapshot follows the first poll
            body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
            if "replyclock_source_last_success_timestamp_seconds{" in body or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        for name in (
            "replyclock_mentions_scored_total",
            "replyclock_open_escalations",
            "replyclock_source_errors_total",
            "replyclock_scorer_seconds_bucket",
            "replyclock_most_urgent_time_left_seconds",
        ):
            assert name in body, name
        assert 'replyclock_mentions_ingested_total{platform="replay",source="replay"} 2.0' in body
        _receive_until(sock, "STATUS=2 open escalations", seen, time.monotonic() + 10)
        pings = sum(m.split("\n").count("WATCHDOG=1") for m in seen)
        assert pings >= 1
        proc.send_signal(signal.SIGTERM)
        stopped_at = time.monotonic()
        _receive_until(sock, "STOPPING=1", seen, stopped_at + 5)
        assert proc.wait(timeout=max(stopped_at + 5 - time.monotonic(), 0.1)) == 0
        assert time.monotonic() - stopped_at < 5
    finally:
        if proc.poll() is None:
            proc.kill()
        out = proc.communicate(timeout=10)[0]
    assert "received SIGTERM" in out, out
