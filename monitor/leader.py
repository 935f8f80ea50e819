"""Leader election: of several daemons on one store, only the leader polls and posts.

On PostgreSQL the leader holds a session-level advisory lock (`pg_try_advisory_lock`)
on a dedicated connection for as long as it lives. When the leader dies its session
ends, PostgreSQL frees the lock, and a standby that retries every few seconds takes
over. A leader that loses its connection loses the lock with it, notices on its next
heartbeat and stands by. Exactly-once delivery across a takeover does not rest on the
lock but on the store's keys (one outbox entry per notifier and key, one event per
escalation and key): the new leader carries on from what the old one committed.

On SQLite the daemons must share one machine; the lock is an `flock` on a file next to
the database (`<db>.leader`), freed by the kernel when the process dies. An in-memory
database has no one to share with: its process is always the leader.
"""

from __future__ import annotations

import fcntl
import logging
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from monitor.clock import Clock
from monitor.files import give_to_folder_owner

log = logging.getLogger(__name__)

# pg_try_advisory_lock key ("replyclk" as a big-endian int64). Advisory locks are per
# database, so daemons of different databases on one server do not compete.
LEADER_LOCK_KEY = int.from_bytes(b"replyclk", "big")
RETRY_EVERY = timedelta(seconds=5)  # a standby takes over at most this long after the lock is freed
HEARTBEAT_EVERY = timedelta(seconds=1)  # how often a leader checks that its lock is still its own
# libpq keepalives: a leader whose network or host vanishes is noticed by its own side in
# about idle + interval * count seconds (the server frees the lock per its tcp_keepalives_*).
_KEEPALIVES = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3}


class LeaderLock(Protocol):
    """A lock at most one process holds; freed when its holder dies."""

    def try_acquire(self) -> bool:
        """Take the lock if it is free (never blocks); True if this process now holds it."""
        ...

    def still_held(self) -> bool:
        """Check that the lock is still ours (False when its connection was lost)."""
        ...

    def release(self) -> None:
        """Give the lock up."""
        ...

    def describe(self) -> str:
        """What the lock is, for logs."""
        ...


class PostgresAdvisoryLock:
    """A session-level advisory lock held on a dedicated connection for the process lifetime."""

    def __init__(self, url: str, key: int = LEADER_LOCK_KEY) -> None:
        self.key = key
        self._url = make_url(url)
        self._engine = create_engine(
            self._url,
            poolclass=NullPool,
            connect_args={**_KEEPALIVES, "connect_timeout": 10, "application_name": "replyclock-leader"},
        )
        self._conn: Connection | None = None

    def describe(self) -> str:
        return f"PostgreSQL advisory lock {self.key} on {self._url.database}@{self._url.host or 'localhost'}"

    def try_acquire(self) -> bool:
        if self._conn is None:
            self._conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = bool(self._conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar())
        except Exception:
            self._drop()
            raise
        return got

    def still_held(self) -> bool:
        if self._conn is None:
            return False
        try:
            held = self._conn.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND objsubid = 1 AND pid = pg_backend_pid()"
                    " AND ((classid::bigint << 32) | objid::bigint) = :key"
                ),
                {"key": self.key},
            ).scalar()
        except Exception as exc:
            log.warning("leader lock connection failed: %s", type(exc).__name__)
            self._drop()
            return False
        return bool(held)

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            except Exception:  # the session is gone, and the lock with it
                log.debug("unlock failed; the connection is closed anyway", exc_info=True)
            self._drop()
        self._engine.dispose()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.invalidate()
                conn.close()
            except Exception:
                log.debug("closing the leader connection failed", exc_info=True)


class FileLock:
    """An exclusive `flock` on a file: for daemons sharing a SQLite file on one machine."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def describe(self) -> str:
        return f"file lock {self.path}"

    def try_acquire(self) -> bool:
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            give_to_folder_owner(self.path, fd)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def still_held(self) -> bool:
        if self._fd is None:
            return False
        try:
            # a lock file deleted (or replaced) under us excludes nobody: another daemon can lock a new one
            same = os.path.samestat(os.fstat(self._fd), os.stat(self.path))
        except FileNotFoundError:
            same = False
        if not same:
            self.release()
        return same

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor drops the flock


class SoleLock:
    """The lock of a store no other process can see (an in-memory database)."""

    def describe(self) -> str:
        return "sole process"

    def try_acquire(self) -> bool:
        return True

    def still_held(self) -> bool:
        return True

    def release(self) -> None:
        return None


def lock_for(url: str) -> LeaderLock:
    """The leader lock that fits a store URL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return PostgresAdvisoryLock(url)
    database = parsed.database
    if parsed.get_backend_name() == "sqlite" and database and database != ":memory:":
        return FileLock(Path(f"{database}.leader"))
    return SoleLock()


class Leadership:
    """Whether this process leads now: keeps the lock, or retries every `retry_every` to take it."""

    def __init__(self, lock: LeaderLock, clock: Clock, retry_every: timedelta = RETRY_EVERY) -> None:
        self.lock = lock
        self.clock = clock
        self.retry_every = retry_every
        self.leading = False
        self.terms = 0  # how many times this process became the leader
        self._next_try: datetime | None = None
        self._next_heartbeat: datetime | None = None
        self._announced_standby = False
        self._last_error: str | None = None

    def check(self) -> bool:
        """True while this process is the leader; a standby tries for the lock when its retry is due."""
        now = self.clock.now()
        if self.leading:
            if self._next_heartbeat is not None and now < self._next_heartbeat:
                return True
            self._next_heartbeat = now + HEARTBEAT_EVERY
            if self.lock.still_held():
                return True
            self.leading = False
            self._announced_standby = False
            self._next_try = now + self.retry_every
            log.error("lost the leader lock (%s): standing by", self.lock.describe())
            return False
        if self._next_try is not None and now < self._next_try:
            return False
        self._next_try = now + self.retry_every
        try:
            got = self.lock.try_acquire()
        except Exception as exc:
            message = f"{type(exc).__name__}: {_first_line(exc)}"
            if message != self._last_error:
                log.error("cannot reach the leader lock (%s): %s; retrying", self.lock.describe(), message)
            self._last_error = message
            return False
        self._last_error = None
        if got:
            self.leading = True
            self._next_heartbeat = now + HEARTBEAT_EVERY
            self.terms += 1
            log.info("leader: this process polls and posts (%s)", self.lock.describe())
        elif not self._announced_standby:
            self._announced_standby = True
            log.info(
                "standby: another replyclock holds the %s; trying every %s",
                self.lock.describe(),
                _seconds(self.retry_every),
            )
        return got

    @property
    def problem(self) -> str | None:
        """Why the last try for the lock failed (None when the lock could be asked for)."""
        return self._last_error

    def release(self) -> None:
        """Step down (at shutdown) so that a standby takes over at once."""
        if self.leading:
            log.info("stepping down as leader")
        self.leading = False
        self.lock.release()


def _first_line(exc: Any) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else ""


def _seconds(delta: timedelta) -> str:
    return f"{delta.total_seconds():g} s"
