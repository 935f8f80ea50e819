"""Leader election: one leader per store, a standby that takes over within its retry, nothing lost or doubled."""

from __future__ import annotations

import os
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy.engine import make_url

from app import App
from monitor.leader import LEADER_LOCK_KEY, FileLock, Leadership, PostgresAdvisoryLock, SoleLock, lock_for
from monitor.models import Mention
from monitor.systemd import SystemdNotifier
from tests.fakes import FakeSource, KeywordAnalyzer, RecordingNotifier, UnreachableLock

S = timedelta(seconds=1)


def _kill_leader_session(url: str) -> int:
    """What PostgreSQL sees when a leader's process or host dies: the session holding the lock ends."""
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid, 10000) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND ((classid::bigint << 32) | objid::bigint) = %s",
            (LEADER_LOCK_KEY,),
        ).fetchall()
    return len(rows)


def test_locks_fit_the_store(tmp_path) -> None:
    assert isinstance(lock_for("postgresql+psycopg://u:p@db/rc"), PostgresAdvisoryLock)
    sqlite = lock_for(f"sqlite:///{tmp_path / 'rc.db'}")
    assert isinstance(sqlite, FileLock) and sqlite.path == tmp_path / "rc.db.leader"
    assert isinstance(lock_for("sqlite:///:memory:"), SoleLock)


@pytest.mark.any_db
def test_one_leader_and_a_standby_that_retries_on_its_interval(db_url: str, clock, caplog) -> None:
    caplog.set_level("INFO")
    a = Leadership(lock_for(db_url), clock, retry_every=5 * S)
    b = Leadership(lock_for(db_url), clock, retry_every=5 * S)
    try:
        assert a.check() and a.check()
        assert not b.check()
        clock.advance(5 * S)
        assert not b.check()  # tried again, still taken
        standby_lines = [r for r in caplog.records if r.getMessage().startswith("standby:")]
        assert len(standby_lines) == 1, "said once, not at every retry"
        a.release()  # the leader stops (or dies): its lock is free
        clock.advance(4 * S)
        assert not b.check(), "a standby tries only when its retry is due"
        clock.advance(1 * S)
        assert b.check() and b.terms == 1
        assert not a.check(), "the old leader is now the standby"
        assert sum(r.getMessage().startswith("leader:") for r in caplog.records) == 2
    finally:
        a.release()
        b.release()


def test_a_killed_leader_session_hands_over_and_the_old_leader_notices(pg_url: str, clock, caplog) -> None:
    a = Leadership(PostgresAdvisoryLock(pg_url), clock, retry_every=5 * S)
    b = Leadership(PostgresAdvisoryLock(pg_url), clock, retry_every=5 * S)
    try:
        assert a.check() and not b.check()
        assert _kill_leader_session(pg_url) == 1
        clock.advance(5 * S)
        assert b.check()
        assert not a.check()
        assert "lost the leader lock" in caplog.text
        clock.advance(5 * S)
        assert not a.check() and b.check()  # a reconnects, finds the lock taken, stands by
    finally:
        a.release()
        b.release()


def test_leaders_of_different_databases_do_not_compete(postgres_databases, clock) -> None:
    one, two = postgres_databases.create(), postgres_databases.create()
    a = Leadership(PostgresAdvisoryLock(one), clock)
    b = Leadership(PostgresAdvisoryLock(two), clock)
    try:
        assert a.check() and b.check()
    finally:
        a.release()
        b.release()
        postgres_databases.drop(one)
        postgres_databases.drop(two)


def test_an_unreachable_server_is_a_standby_not_a_crash(clock, caplog) -> None:
    port = 9  # discard: nothing listens there
    lock = PostgresAdvisoryLock(f"postgresql+psycopg://u:secret-pw@127.0.0.1:{port}/rc")
    standby = Leadership(lock, clock, retry_every=5 * S)
    assert not standby.check()
    clock.advance(5 * S)
    assert not standby.check()
    errors = [r for r in caplog.records if "cannot reach the leader lock" in r.getMessage()]
    assert len(errors) == 1  # once per distinct error
    assert "secret-pw" not in caplog.text
    standby.release()


def test_the_file_lock_is_freed_when_its_process_dies(tmp_path) -> None:
    path = tmp_path / "rc.db.leader"
    pid = os.fork()
    if pid == 0:  # the child takes the lock and dies without releasing it
        FileLock(path).try_acquire()
        os._exit(0)
    os.waitpid(pid, 0)
    lock = FileLock(path)
    assert lock.try_acquire()
    assert not FileLock(path).try_acquire()
    lock.release()


@pytest.mark.any_db
def test_failover_between_two_apps_loses_and_doubles_nothing(make_settings, clock) -> None:
    """Two daemons on one store: the leader alerts, dies; the standby takes over and carries on."""
    source = FakeSource()
    settings = make_settings()
    recorders = [RecordingNotifier("slack"), RecordingNotifier("slack")]
    apps = [
        App.build(settings, clock, sources=[source], notifiers=[rec], analyzer=KeywordAnalyzer()) for rec in recorders
    ]
    for app in apps:
        assert app.leadership is not None
        app.leadership.retry_every = 5 * S

    def step() -> None:
        """One turn of each daemon's loop: only a leader works."""
        for app in apps:
            if app.is_leader():
                app.run_once()

    def post(eid: str, text: str) -> None:
        source.add(Mention(platform="x", external_id=eid, author=f"@c{eid}", text=text, created_at=clock.now()))

    try:
        post("1", "my parcel never arrived")
        step()
        assert [len(r.delivered) for r in recorders] == [1, 0]
        # the leader dies: its lock goes with it (the kernel or PostgreSQL frees it), no clean shutdown
        leader = apps[0].leadership
        assert leader is not None
        leader.lock.release()
        apps[0].leadership = None
        del apps[0]
        post("2", "broken lamp, refund please")
        clock.advance(2 * S)
        step()  # the standby's retry is not due yet
        assert recorders[1].delivered == []
        clock.advance(3 * S)
        step()
        assert [n.key for n in recorders[1].delivered] == ["2:opened"]
        clock.advance(30 * 60 * S)
        step()  # the reminders of both go out once, from the new leader
        step()
        store = apps[0].store
        expected = ["1:opened", "1:reminder:1800", "2:opened", "2:reminder:1800"]
        assert sorted(e.key for e in store.outbox_entries()) == expected  # one entry per alert, no more
        assert all(e.status == "sent" for e in store.outbox_entries())
        assert sorted(n.key for r in recorders for n in r.delivered) == expected  # each delivered exactly once
        assert len(store.escalations()) == 2
    finally:
        for app in apps:
            app.close()


def test_a_deleted_lock_file_is_noticed_so_two_daemons_never_both_lead(tmp_path, clock) -> None:
    """The pid inside makes `<db>.leader` look like a stale pidfile; deleting it must not make two leaders."""
    path = tmp_path / "rc.db.leader"
    a = Leadership(FileLock(path), clock, retry_every=5 * S)
    b = Leadership(FileLock(path), clock, retry_every=5 * S)
    try:
        assert a.check() and not b.check()
        path.unlink()
        clock.advance(5 * S)
        assert b.check()  # the standby locks a new file
        assert not a.check(), "the old leader still leads on a file nobody else can see"
        clock.advance(5 * S)
        assert not a.check() and b.check()
    finally:
        a.release()
        b.release()


class _Statuses(SystemdNotifier):
    def __init__(self) -> None:
        super().__init__(None)
        self.sent: list[str] = []

    def notify(self, *assignments: str) -> bool:
        self.sent += assignments
        return True


def test_a_daemon_that_cannot_reach_the_lock_does_not_claim_another_one_leads(make_settings, clock) -> None:
    """`systemctl status` said "another replyclock is the leader" while no daemon polled anything."""
    app = App.build(make_settings(), clock, sources=[FakeSource()], notifiers=[], analyzer=KeywordAnalyzer())
    try:
        lock = UnreachableLock(
            PermissionError(13, "Permission denied", "/var/lib/replyclock/replyclock.db.leader"),
            "file lock /var/lib/replyclock/replyclock.db.leader",
        )
        app.leadership = Leadership(lock, clock)
        app.systemd = _Statuses()
        assert not app.is_leader()
        app.standby_beat()
        [status] = app.systemd.sent
        assert "another replyclock is the leader" not in status
        assert "cannot reach the leader lock" in status and "Permission denied" in status
    finally:
        app.close()
