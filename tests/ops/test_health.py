"""Health posts for the managers (once on failure or silence, once on recovery), the status snapshot,
`replyclock status`, and secrets masked in logs and posts."""

from __future__ import annotations

import io
import json
import logging
import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

import daemon
from app import App
from monitor.health import (
    STALE_AFTER,
    STATUS_FILE,
    EscalationSummary,
    HealthWatcher,
    Snapshot,
    read_snapshot,
    render_status,
    state_dir,
    status_line,
    write_snapshot,
)
from monitor.logs import SecretMasker, masker, setup_logging
from monitor.models import Mention
from monitor.poller import SourceHealth
from monitor.sources import AuthRejected, Unavailable
from monitor.store import Store
from tests.fakes import FakeSource, HeldElsewhereLock, KeywordAnalyzer, RecordingNotifier, UnreachableLock

H = timedelta(hours=1)
M = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def restore_logging():
    """daemon.main and setup_logging change the root logger and quiets library loggers: put everything back after."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    names = list(logging.root.manager.loggerDict)
    levels = {n: logging.getLogger(n).level for n in names}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, lvl in levels.items():
        logging.getLogger(name).setLevel(lvl)
    for name in set(logging.root.manager.loggerDict) - set(names):
        logging.getLogger(name).setLevel(logging.NOTSET)


def test_watcher_posts_once_when_silent_and_once_on_recovery(clock) -> None:
    posts: list[str] = []
    watcher = HealthWatcher(3 * H, clock, posts.append)
    ok = SourceHealth("x:mentions", "x", state="ok", last_ok_at=clock.now())
    assert watcher.check([ok]) == []
    clock.advance(3 * H)  # exactly silent_after: not yet
    failing = SourceHealth("x:mentions", "x", state="failing", last_ok_at=ok.last_ok_at, last_error="HTTP 503")
    assert watcher.check([failing]) == []
    clock.advance(M)
    assert len(watcher.check([failing])) == 1
    assert "x:mentions" in posts[0] and "3h01m" in posts[0] and "HTTP 503" in posts[0]
    for _ in range(60):  # an hour of checks every minute: no repeats
        clock.advance(M)
        watcher.check([failing])
    assert len(posts) == 1
    watcher.check([SourceHealth("x:mentions", "x", state="ok", last_ok_at=clock.now())])
    assert len(posts) == 2 and "recovered" in posts[1]
    watcher.check([SourceHealth("x:mentions", "x", state="ok", last_ok_at=clock.now())])
    assert len(posts) == 2


def test_a_stopped_source_is_reported_at_once_and_a_never_polled_one_after_silent_after(clock) -> None:
    posts: list[str] = []
    watcher = HealthWatcher(3 * H, clock, posts.append)
    stopped = SourceHealth("facebook:page", "facebook", state="stopped", last_error="token expired")
    waiting = SourceHealth("x:mentions", "x", state="failing", last_error="timeout")
    watcher.check([stopped, waiting])
    assert len(posts) == 1 and "facebook:page" in posts[0] and "token expired" in posts[0]
    clock.advance(3 * H + M)
    watcher.check([stopped, waiting])
    assert len(posts) == 2 and "x:mentions" in posts[1] and "since start" in posts[1]


def test_a_failed_post_is_retried_on_the_next_check(clock) -> None:
    sent: list[str] = []
    fail = [True]

    def post(text: str) -> None:
        if fail[0]:
            raise ConnectionError("slack down")
        sent.append(text)

    watcher = HealthWatcher(H, clock, post)
    stopped = SourceHealth("x:mentions", "x", state="stopped", last_error="401")
    assert watcher.check([stopped]) == []
    fail[0] = False
    assert len(watcher.check([stopped])) == 1
    assert watcher.check([stopped]) == []


class HealthRecorder(RecordingNotifier):
    def __init__(self) -> None:
        super().__init__("health")
        self.health: list[str] = []

    def post_health(self, text: str) -> None:
        self.health.append(text)


@pytest.fixture
def rig(make_settings, clock):
    source = FakeSource("x:mentions", platform="x")
    notifier = HealthRecorder()
    app = App.build(
        make_settings(health={"silent_after": "2h"}),
        clock,
        sources=[source],
        notifiers=[notifier, RecordingNotifier("plain")],  # one without post_health is skipped
        analyzer=KeywordAnalyzer(),
    )
    yield app, source, notifier
    app.close()


def test_app_tells_the_managers_through_notifiers_with_secrets_masked(rig, clock) -> None:
    app, source, notifier = rig
    masker().add(["s3cr3t-token-value"])
    app.run_once()
    app.observe()
    for _ in range(13):  # every 10 minutes for 2h10m the source fails
        clock.advance(10 * M)
        source.fail_next(Unavailable("GET /2/users?token=s3cr3t-token-value: HTTP 503"))
        app.run_once()
        app.observe()
    assert len(notifier.health) == 1
    assert "x:mentions" in notifier.health[0] and "HTTP 503" in notifier.health[0]
    assert "s3cr3t-token-value" not in notifier.health[0] and "***" in notifier.health[0]
    clock.advance(10 * M)
    app.run_once()
    app.observe()
    assert len(notifier.health) == 2 and "recovered" in notifier.health[1]


def test_status_command_prints_the_daemon_snapshot_and_the_store(rig, clock, capsys, tmp_path) -> None:
    app, source, _ = rig
    source.add(
        Mention(platform="x", external_id="1", author="@k", text="parcel never arrived", created_at=clock.now() - 5 * M)
    )
    app.run_once()
    snapshot = app.observe()
    assert snapshot.escalations.open == 1 and snapshot.escalations.most_urgent_left == 55 * M
    assert status_line(snapshot).startswith("1 open escalation (next: 55m left), x:mentions ok")
    path = state_dir(app.settings.storage.url) / STATUS_FILE
    assert path.parent == tmp_path and (path.stat().st_mode & 0o777) == 0o600
    assert read_snapshot(path) == snapshot

    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"storage:\n  url: {app.settings.storage.url}\nnotify:\n  console: false\n", encoding="utf-8")
    rc = daemon.main(["--config", str(cfg), "status"])
    out = capsys.readouterr().out
    # `status` reads the store on the real clock, for which this fake-clock complaint is long overdue
    assert "escalations: 0 open (0 at risk), 1 overdue; breaches today:" in out
    assert "x:mentions" in out and "ok" in out and "1 mentions, 0 errors" in out
    assert rc == 1  # the snapshot was taken on the fake clock, long ago in real time: stale
    assert "STALE" in out

    assert daemon.main(["--config", str(cfg), "status", "--json"]) == 1  # stale, as above: same exit status
    data = json.loads(capsys.readouterr().out)
    assert data["escalations"]["overdue"] == 1 and data["sources"][0]["name"] == "x:mentions"


def test_status_without_a_daemon_says_so(tmp_path, capsys) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"storage:\n  url: sqlite:///{tmp_path / 'none.db'}\n", encoding="utf-8")
    assert daemon.main(["--config", str(cfg), "status"]) == 1
    assert "is replyclock running?" in capsys.readouterr().out
    assert not (tmp_path / "none.db").exists()  # looking never creates a database


def test_stopped_source_and_notifier_show_in_status(rig, clock) -> None:
    app, source, _ = rig
    source.fail_next(AuthRejected("401 Unauthorized"))
    app.run_once()
    app.dispatcher.stopped["slack"] = "token revoked"
    snapshot = app.observe()
    assert "x:mentions stopped" in status_line(snapshot) and "slack stopped" in status_line(snapshot)


def test_snapshot_round_trip_keeps_every_field(clock) -> None:
    snap = Snapshot(
        at=clock.now(),
        started_at=clock.now() - H,
        escalations=EscalationSummary(3, 1, 2, 7, timedelta(minutes=-2, seconds=5), 4),
        sources=(
            SourceHealth("fb", "facebook", "deferred", clock.now(), None, "429", clock.now() + M, 1, 2, 3, 4, 5, 6),
        ),
        stopped_notifiers={"slack": "invalid_auth"},
        scorer="embedded",
        pid=42,
        role="standby",
        leader_problem="OperationalError: connection refused",
        health_reported={"fb": "stopped: 401"},
        polling_since=clock.now() - M,
        one_shot=True,
    )
    assert Snapshot.from_json(json.loads(json.dumps(snap.to_json()))) == snap


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_secrets_are_masked_in_every_log_line_and_traceback(fmt) -> None:
    stream = io.StringIO()
    setup_logging("INFO", fmt, stream)
    masker().add(["xoxb-very-secret-1234"])
    log = logging.getLogger("replyclock.test")
    log.warning("posting with %s failed", "xoxb-very-secret-1234")
    try:
        raise RuntimeError("invalid_auth for token xoxb-very-secret-1234")
    except RuntimeError:
        log.exception("slack call failed")
    out = stream.getvalue()
    assert "xoxb-very-secret-1234" not in out
    assert out.count("***") >= 2
    if fmt == "text":
        assert out.splitlines()[0] == "WARNING replyclock.test: posting with *** failed"  # no timestamp of our own
    else:
        first = json.loads(out.splitlines()[0])
        assert first["level"] == "WARNING" and first["message"] == "posting with *** failed"


def _journal_stream(path, monkeypatch):
    """A file standing in for journald's stream: $JOURNAL_STREAM names its device and inode, as systemd sets it."""
    out = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed by the test
    st = os.fstat(out.fileno())
    monkeypatch.setenv("JOURNAL_STREAM", f"{st.st_dev}:{st.st_ino}")
    return out


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_lines_to_the_journal_carry_their_priority(tmp_path, monkeypatch, fmt) -> None:
    # journald reads `<N>` at the start of each stdout line as its priority (and strips it); without it
    # every line is "info" and `journalctl -p warning` (docs/deploy.md) shows none of our problems
    out = _journal_stream(tmp_path / "journal", monkeypatch)
    setup_logging("DEBUG", fmt, out)
    log = logging.getLogger("replyclock.test")
    log.debug("tick")
    log.info("started")
    log.warning("source x:mentions failing")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        log.exception("job 'tick' failed")
    out.close()
    lines = (tmp_path / "journal").read_text(encoding="utf-8").splitlines()
    assert [line[:3] for line in lines[:4]] == ["<7>", "<6>", "<4>", "<3>"], lines
    assert all(line.startswith("<3>") for line in lines[3:]), lines  # every traceback line is part of the error
    stripped = lines[2][3:]
    if fmt == "text":
        assert stripped == "WARNING replyclock.test: source x:mentions failing"
    else:
        assert json.loads(stripped)["message"] == "source x:mentions failing"


def test_lines_elsewhere_carry_no_priority_prefix(tmp_path, monkeypatch) -> None:
    _journal_stream(tmp_path / "journal", monkeypatch).close()  # systemd's stream, but we write to another file
    with open(tmp_path / "other", "w", encoding="utf-8") as out:
        setup_logging("INFO", "text", out)
        logging.getLogger("replyclock.test").warning("source x:mentions failing")
    assert (tmp_path / "other").read_text() == "WARNING replyclock.test: source x:mentions failing\n"


def test_why_a_command_stopped_reaches_the_journal_as_an_error(tmp_path, monkeypatch) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text("sla:\n  response_time: 1h30\n", encoding="utf-8")
    err = _journal_stream(tmp_path / "journal", monkeypatch)
    monkeypatch.setattr("sys.stderr", err)
    assert daemon.main(["--config", str(cfg), "run"]) == 78
    err.close()
    written = (tmp_path / "journal").read_text(encoding="utf-8")
    assert written.startswith("<3>replyclock: config error: sla.response_time: malformed duration"), written


def test_masker_ignores_values_too_short_to_be_secrets() -> None:
    masker = SecretMasker(["abc", "longer-secret"])
    assert masker.mask("abc longer-secret") == "abc ***"


@pytest.mark.parametrize(
    "content",
    [
        "[]",
        "null",
        '{"at": "2026-11-02T09:00:00", "started_at": "2026-11-02T08:00:00"}',  # naive: not ours
        '{"at": "2026-11-02T09:00:00+00:00", "started_at": "2026-11-02T08:00:00+00:00", "sources": ["x"]}',
        '{"at": "2026-11-02T09:00:00+00:00", "started_at": "2026-11-02T08:00:00+00:00",'
        ' "sources": [{"name": "x", "platform": "x", "last_ok_at": "2026-11-02T08:59:00"}]}',
    ],
)
def test_status_file_of_another_shape_is_ignored_not_a_traceback(tmp_path, capsys, content) -> None:
    (tmp_path / STATUS_FILE).write_text(content, encoding="utf-8")
    assert read_snapshot(tmp_path / STATUS_FILE) is None
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"storage:\n  url: sqlite:///{tmp_path / 'none.db'}\n", encoding="utf-8")
    assert daemon.main(["--config", str(cfg), "status"]) == 1
    assert "ignoring unreadable status file" in capsys.readouterr().err


def test_status_json_is_parseable_even_when_something_is_logged(tmp_path, capsys) -> None:
    """Log lines go to stderr for every command but run and demo: stdout is the result, for scripts."""
    (tmp_path / STATUS_FILE).write_text("[]", encoding="utf-8")  # logs a warning when read
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"storage:\n  url: sqlite:///{tmp_path / 'none.db'}\n", encoding="utf-8")
    daemon.main(["--config", str(cfg), "status", "--json"])
    out = capsys.readouterr()
    assert "ignoring unreadable status file" in out.err and "WARNING" not in out.out
    assert json.loads(out.out) == {}  # no snapshot to show, and still JSON


@pytest.mark.parametrize("url", ["sqlite+pysqlite:///{db}", "sqlite:///{db}?timeout=5"])
def test_status_never_creates_a_database_whatever_the_spelling_of_its_url(tmp_path, capsys, url) -> None:
    db = tmp_path / "none.db"
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"storage:\n  url: {url.format(db=db)}\n", encoding="utf-8")
    assert daemon.main(["--config", str(cfg), "status"]) == 1
    assert not db.exists()


def test_status_reads_a_store_whose_url_has_query_parameters(tmp_path, capsys) -> None:
    db = tmp_path / "rc.db"
    Store(f"sqlite:///{db}").close()
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"storage:\n  url: sqlite:///{db}?timeout=5\n", encoding="utf-8")
    daemon.main(["--config", str(cfg), "status"])
    assert "escalations: 0 open" in capsys.readouterr().out


@pytest.mark.parametrize("json_flag", [[], ["--json"]], ids=["text", "json"])
@pytest.mark.parametrize(
    ("age", "stopped", "expected"),
    [(timedelta(0), {}, 0), (timedelta(hours=1), {}, 1), (timedelta(0), {"slack": "token revoked"}, 1)],
    ids=["fresh", "stale", "notifier-stopped"],
)
def test_status_exit_status_is_the_same_with_and_without_json(
    tmp_path, capsys, json_flag, age, stopped, expected
) -> None:
    now = datetime.now(UTC)  # `status` reads the snapshot on the real clock
    write_snapshot(
        tmp_path / STATUS_FILE, Snapshot(now - age, now - age - timedelta(hours=1), stopped_notifiers=stopped)
    )
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"storage:\n  url: sqlite:///{tmp_path / 'none.db'}\n", encoding="utf-8")
    assert daemon.main(["--config", str(cfg), "status", *json_flag]) == expected
    if json_flag:
        assert json.loads(capsys.readouterr().out)["stopped_notifiers"] == stopped  # the JSON is as before


def _standby(app: App, clock, lock: object) -> App:
    from monitor.leader import Leadership

    app.leadership = Leadership(lock, clock)  # type: ignore[arg-type]
    assert not app.is_leader()
    return app


def test_a_standby_writes_a_snapshot_that_status_reads_as_a_healthy_standby(rig, clock) -> None:
    """A standby host used to have no status.json: `replyclock status` said "is replyclock running?", exit 1."""
    app, _, _ = rig
    _standby(app, clock, HeldElsewhereLock())
    app.standby_beat()
    path = state_dir(app.settings.storage.url) / STATUS_FILE
    snapshot = read_snapshot(path)
    assert snapshot is not None and snapshot.role == "standby" and snapshot.sources == ()
    text, healthy = render_status(snapshot, None, clock.now(), silent_after=2 * H, snapshot_path=path)
    assert healthy, text
    assert "standby" in text and "another replyclock is the leader" in text
    assert "is replyclock running?" not in text


def test_a_standby_that_cannot_reach_the_lock_is_unhealthy_and_says_why(rig, clock) -> None:
    app, _, _ = rig
    _standby(app, clock, UnreachableLock(OSError("connection refused")))
    app.standby_beat()
    path = state_dir(app.settings.storage.url) / STATUS_FILE
    snapshot = read_snapshot(path)
    assert snapshot is not None and snapshot.role == "standby"
    assert "connection refused" in (snapshot.leader_problem or "")
    text, healthy = render_status(snapshot, None, clock.now(), silent_after=2 * H, snapshot_path=path)
    assert not healthy
    assert "cannot reach the leader lock" in text and "another replyclock is the leader" not in text


def test_a_standby_never_overwrites_a_fresh_leader_snapshot_in_the_same_folder(rig, clock) -> None:
    app, _, _ = rig
    leader_snapshot = app.observe()  # the leader of this folder (another process in real life)
    path = state_dir(app.settings.storage.url) / STATUS_FILE
    write_snapshot(path, replace(leader_snapshot, pid=os.getppid()))  # a process that runs, not this one
    _standby(app, clock, HeldElsewhereLock())
    app.standby_beat()
    assert read_snapshot(path).role == "leader"  # type: ignore[union-attr]
    clock.advance(STALE_AFTER + M)  # the leader of this folder is gone: the standby's word counts now
    app._next_observe = 0.0  # a snapshot is due (they are taken every few seconds of real time)
    app.standby_beat()
    assert read_snapshot(path).role == "standby"  # type: ignore[union-attr]


def test_a_snapshot_written_before_roles_existed_reads_as_the_leader(clock) -> None:
    data = Snapshot(at=clock.now(), started_at=clock.now()).to_json()
    del data["role"], data["leader_problem"]
    assert Snapshot.from_json(data).role == "leader"


def test_a_later_process_does_not_tell_the_managers_again_what_an_earlier_one_told(make_settings, clock) -> None:
    """`run --once` from cron (or a restart) posted "needs attention" for the same stopped source every run."""
    settings = make_settings(health={"silent_after": "2h"})

    def one_run(fail: bool) -> list[str]:
        source = FakeSource("x:mentions", platform="x")
        if fail:
            source.fail_next(AuthRejected("401 Unauthorized"))
        notifier = HealthRecorder()
        app = App.build(settings, clock, sources=[source], notifiers=[notifier], analyzer=KeywordAnalyzer())
        try:
            app.run_once()
            app.observe()
        finally:
            app.close()
        clock.advance(5 * M)
        return notifier.health

    [told] = one_run(fail=True)
    assert "x:mentions" in told and "needs attention" in told
    assert one_run(fail=True) == []  # the managers already know
    [recovered] = one_run(fail=False)
    assert "recovered" in recovered
    assert one_run(fail=False) == []
