"""`replyclock status` after the daemon is gone: a clean stop marks status.json, a crash is caught by its pid."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import daemon
from app import App
from monitor import health
from monitor.health import STATUS_FILE, Snapshot, read_snapshot, render_status, standby_may_write, write_snapshot
from tests.fakes import HeldElsewhereLock, KeywordAnalyzer, RecordingNotifier


def _dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _config(tmp_path: Path) -> Path:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(
        f"storage:\n  url: sqlite:///{tmp_path / 'rc.db'}\nsources:\n  replay:\n    enabled: false\n"
        "notify:\n  console: false\n",
        encoding="utf-8",
    )
    return cfg


@pytest.mark.parametrize("role", ["leader", "standby"])
def test_a_fresh_snapshot_of_a_process_that_is_gone_reads_as_not_running(tmp_path, capsys, role) -> None:
    now = datetime.now(UTC)  # `status` reads on the real clock: this snapshot is 3 seconds old
    snapshot = Snapshot(now - timedelta(seconds=3), now - timedelta(hours=2), pid=_dead_pid(), role=role)
    write_snapshot(tmp_path / STATUS_FILE, replace(snapshot, pid_ns=health.pid_namespace()))
    cfg = _config(tmp_path)
    assert daemon.main(["--config", str(cfg), "status"]) == 1
    out = capsys.readouterr().out
    assert f"pid {snapshot.pid} is not running" in out and "crashed or was killed" in out, out
    assert daemon.main(["--config", str(cfg), "status", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["running"] is False


def test_a_clean_stop_marks_the_snapshot_and_status_says_stopped(tmp_path, capsys) -> None:
    cfg = _config(tmp_path)
    assert daemon.main(["--config", str(cfg), "run", "--once"]) == 0
    snapshot = read_snapshot(tmp_path / STATUS_FILE)
    assert snapshot is not None and snapshot.pid == os.getpid()  # this process ran it, and still runs
    assert snapshot.stopped_at is not None
    capsys.readouterr()
    # a `run --once` that finished just now: idle between runs, exit 0 (see the cron tests below)
    assert daemon.main(["--config", str(cfg), "status"]) == 0
    out = capsys.readouterr().out
    assert "finished cleanly" in out, out
    assert daemon.main(["--config", str(cfg), "status", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["running"] is False and data["stopped_at"] == snapshot.stopped_at.isoformat()


def test_status_between_cron_run_once_runs_is_idle_and_exits_0(tmp_path, capsys) -> None:
    """A deployment that runs `run --once` from cron or a systemd timer is healthy between its runs:
    `status` exited 1 ("not running") after every run, so monitoring alerted all the time."""
    cfg = _config(tmp_path)
    assert daemon.main(["--config", str(cfg), "run", "--once"]) == 0
    snapshot = read_snapshot(tmp_path / STATUS_FILE)
    assert snapshot is not None and snapshot.stopped_at is not None and snapshot.one_shot
    capsys.readouterr()
    assert daemon.main(["--config", str(cfg), "status"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    finished = f"{snapshot.stopped_at:%Y-%m-%d %H:%M:%S} UTC"
    assert first.startswith(
        f"daemon: idle between one-shot runs: the last run (`replyclock run --once`, pid {snapshot.pid}) "
        f"finished cleanly at {finished} ("
    ), first
    assert daemon.main(["--config", str(cfg), "status", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["one_shot"] is True and data["idle"] is True and data["running"] is False


def _one_shot_finished(tmp_path: Path, ago: timedelta) -> Snapshot:
    """A status.json as a `run --once` leaves it, finished `ago` before now (real clock: `status` reads on it)."""
    end = datetime.now(UTC) - ago
    snapshot = Snapshot(
        end, end - timedelta(seconds=4), pid=_dead_pid(), pid_ns=health.pid_namespace(), stopped_at=end, one_shot=True
    )
    write_snapshot(tmp_path / STATUS_FILE, snapshot)
    return snapshot


def test_a_one_shot_run_older_than_silent_after_is_stale_and_exits_1(tmp_path, capsys) -> None:
    # the cron job or timer stopped: by default a run is due within health.silent_after (3h), as a source is
    cfg = _config(tmp_path)
    snapshot = _one_shot_finished(tmp_path, timedelta(hours=3, minutes=1))
    assert daemon.main(["--config", str(cfg), "status"]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith(
        f"daemon: not running: the last run was a one-shot run (`replyclock run --once`, pid {snapshot.pid}) "
        f"that finished cleanly at {snapshot.stopped_at:%Y-%m-%d %H:%M:%S} UTC (3h01m ago)"
    ), first
    assert "STALE" in first and "health.one_shot_stale_after" in first and "3h" in first, first
    assert daemon.main(["--config", str(cfg), "status", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["idle"] is False and data["running"] is False


def test_health_one_shot_stale_after_sets_the_window(tmp_path, capsys) -> None:
    cfg = _config(tmp_path)
    cfg.write_text(cfg.read_text(encoding="utf-8") + "health:\n  one_shot_stale_after: 10m\n", encoding="utf-8")
    _one_shot_finished(tmp_path, timedelta(minutes=9))
    assert daemon.main(["--config", str(cfg), "status"]) == 0
    assert capsys.readouterr().out.startswith("daemon: idle between one-shot runs")
    _one_shot_finished(tmp_path, timedelta(minutes=11))
    assert daemon.main(["--config", str(cfg), "status"]) == 1
    assert "STALE: no `replyclock run --once` finished in the last 10m" in capsys.readouterr().out


def test_an_idle_one_shot_deployment_still_reports_its_problems(tmp_path) -> None:
    # idle is not healthy by itself: a stopped notifier (or a source that needs attention) still exits 1
    at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    ran = Snapshot(at, at - timedelta(seconds=4), pid=812, stopped_at=at, one_shot=True)
    now = at + timedelta(minutes=3)
    text, healthy = render_status(ran, None, now, silent_after=timedelta(hours=3), snapshot_path=tmp_path)
    assert healthy and text.startswith("daemon: idle between one-shot runs"), text
    broken = replace(ran, stopped_notifiers={"slack": "invalid_auth"})
    text, healthy = render_status(broken, None, now, silent_after=timedelta(hours=3), snapshot_path=tmp_path)
    assert not healthy and "notifier slack: STOPPED" in text, text
    # a long-running daemon's clean stop is still "not running" (exit 1), however recent
    stopped = replace(ran, one_shot=False)
    assert not render_status(stopped, None, now, silent_after=timedelta(hours=3), snapshot_path=tmp_path)[1]


def test_a_daemon_stopped_cleanly_is_not_called_a_one_shot_run(tmp_path) -> None:
    at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    stopped = Snapshot(at=at, started_at=at - timedelta(days=3), pid=812, stopped_at=at)
    text, healthy = render_status(stopped, None, at, silent_after=timedelta(hours=3), snapshot_path=tmp_path)
    assert not healthy
    assert "stopped cleanly" in text and "after 3d0h up" in text and "one-shot" not in text, text


def test_a_live_daemon_of_another_user_is_running(monkeypatch) -> None:
    # systemd's DynamicUser: `kill(pid, 0)` on the service's pid is refused to other users, yet it is alive
    def refused(pid: int, signal: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(health.os, "kill", refused)
    assert health.pid_alive(4242, health.pid_namespace()) is True


def test_a_pid_of_another_pid_namespace_or_none_at_all_cannot_be_judged(monkeypatch) -> None:
    # a daemon in a container (or under PrivatePIDs=): its pid means nothing here, so the age alone decides
    assert health.pid_alive(_dead_pid(), "pid:[1]") is None
    assert health.pid_alive(0, health.pid_namespace()) is None  # files from before pids were checked
    now = datetime.now(UTC)
    elsewhere = Snapshot(now, now - timedelta(hours=1), pid=_dead_pid(), pid_ns="pid:[1]")
    text, healthy = render_status(
        elsewhere, None, now, silent_after=timedelta(hours=3), snapshot_path=Path("status.json"), alive=None
    )
    assert healthy and "not running" not in text


def test_a_standby_may_replace_the_snapshot_of_a_leader_that_is_gone(make_settings, clock) -> None:
    app = App.build(make_settings(), clock, sources=[], notifiers=[RecordingNotifier()], analyzer=KeywordAnalyzer())
    try:
        leader = app.observe()
        assert not standby_may_write(replace(leader, pid=os.getppid()), clock.now(), os.getpid())  # alive, fresh
        assert standby_may_write(replace(leader, pid=_dead_pid()), clock.now(), os.getpid())
        assert standby_may_write(replace(leader, pid=os.getppid(), stopped_at=clock.now()), clock.now(), os.getpid())
    finally:
        app.close()


def test_a_clean_stop_never_marks_another_process_snapshot(make_settings, clock) -> None:
    from monitor.leader import Leadership

    app = App.build(make_settings(), clock, sources=[], notifiers=[RecordingNotifier()], analyzer=KeywordAnalyzer())
    try:
        assert app.status_file is not None
        leader = replace(app.observe(), pid=os.getppid())  # the leader sharing this folder, still running
        write_snapshot(app.status_file, leader)
        app.leadership = Leadership(HeldElsewhereLock(), clock)  # type: ignore[arg-type]
        app.mark_stopped()
        assert read_snapshot(app.status_file) == leader
    finally:
        app.close()
