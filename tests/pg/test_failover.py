"""A real standby: two `daemon.py run` processes on one PostgreSQL; kill -9 the leader, the standby takes over."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from monitor.leader import RETRY_EVERY
from monitor.store import Store

REPO = Path(__file__).resolve().parents[2]
TAKEOVER_LIMIT = 30.0  # seconds of real time, from the issue
COMPLAINTS = {
    "c1": ("-2m", "@sklep zamówienie nie dotarło, czekam trzy tygodnie!"),
    "c2": ("-1m", "My parcel never arrived and nobody answers. I want a refund."),
    "c3": ("+3s", "A csomagom két hete nem érkezett meg, kérem a pénzem vissza!"),
    "c4": ("+6s", "Заказ так и не пришёл, верните деньги!"),
    "c5": ("+12s", "The lamp arrived broken, I want a refund now"),
    "c6": ("+16s", "Zamówienie nie dotarło, paczka zaginęła, oddajcie pieniądze"),
}

pytestmark = pytest.mark.slow


def _wait(what: str, condition: Callable[[], bool], timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def _write_setup(tmp_path: Path, url: str) -> Path:
    feed = tmp_path / "feed.jsonl"
    lines = [
        {"platform": "x", "id": eid, "author": f"@{eid}", "text": text, "created_at": at}
        for eid, (at, text) in COMPLAINTS.items()
    ]
    praise = {"platform": "x", "id": "p1", "author": "@fan", "text": "Love the new collection!", "created_at": "-1m"}
    lines.append(praise)
    feed.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n", encoding="utf-8")
    cfg = tmp_path / "config.yaml"
    cfg.write_text(
        f"storage:\n  url: {url}\n"
        f"sources:\n  replay:\n    enabled: true\n    path: {feed}\n    poll_every: 1s\n"
        "notify:\n  console: true\n"
    )
    return cfg


class Daemon:
    """One `python daemon.py run` process with its output in a file."""

    def __init__(self, name: str, cfg: Path, tmp_path: Path) -> None:
        self.name = name
        self.log = tmp_path / f"{name}.out"
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}  # a kill -9 must not eat buffered lines
        self.proc = subprocess.Popen(
            [sys.executable, str(REPO / "daemon.py"), "--config", str(cfg), "run"],
            cwd=tmp_path,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            env=env,
        )

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def leads(self) -> bool:
        return "leader: this process polls and posts" in self.output()

    def alerts(self) -> list[str]:
        return [line for line in self.output().splitlines() if line.startswith("ALERT ")]

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        return self.proc.wait(20)


def test_kill_the_leader_and_the_standby_takes_over_without_losing_or_doubling(pg_url: str, tmp_path) -> None:
    assert RETRY_EVERY.total_seconds() < TAKEOVER_LIMIT
    cfg = _write_setup(tmp_path, pg_url)
    daemons = [Daemon("a", cfg, tmp_path), Daemon("b", cfg, tmp_path)]  # both at once, on an empty database
    store: Store | None = None
    try:
        _wait("a leader", lambda: any(d.leads() for d in daemons), 60)
        time.sleep(RETRY_EVERY.total_seconds() + 1)  # one standby retry at least: still one leader
        leaders = [d for d in daemons if d.leads()]
        assert len(leaders) == 1, [d.output() for d in daemons]
        leader, standby = leaders[0], next(d for d in daemons if d is not leaders[0])
        assert "standby: another replyclock holds the PostgreSQL advisory lock" in standby.output()
        store = Store(pg_url)
        _wait("the leader's first alerts", lambda: len(leader.alerts()) >= 3, 60)
        assert standby.alerts() == []

        leader.proc.kill()  # SIGKILL: no clean shutdown, no unlock
        leader.proc.wait(10)
        took = _wait("the standby to take over", standby.leads, TAKEOVER_LIMIT)
        assert took < TAKEOVER_LIMIT

        def all_alerted() -> bool:
            entries = store.outbox_entries("console")
            return sum(e.kind == "opened" and e.status == "sent" for e in entries) == len(COMPLAINTS)

        try:
            _wait("every complaint alerted", all_alerted, 60)
        except AssertionError as exc:
            entries = [(e.key, e.status) for e in store.outbox_entries("console")]
            raise AssertionError(
                f"{exc}\noutbox: {entries}\n--- leader\n{leader.output()}\n--- standby\n{standby.output()}"
            ) from None
        time.sleep(2)  # a few more ticks: nothing else may be sent twice
        assert standby.stop() == 0
        assert "stepping down as leader" in standby.output()

        opened = [e for e in store.outbox_entries("console") if e.kind == "opened"]
        assert len(opened) == len(COMPLAINTS) and len({e.key for e in opened}) == len(COMPLAINTS)
        assert {e.external_id for e in store.escalations()} == set(COMPLAINTS)
        alert_lines = leader.alerts() + standby.alerts()
        assert len(alert_lines) == len(COMPLAINTS), alert_lines  # each complaint printed exactly once
        assert standby.alerts(), "the standby carried on after the takeover"
        assert all(e.alerted_at is not None for e in store.escalations())
    finally:
        for d in daemons:
            d.stop()
        if store is not None:
            store.close()
