"""The poller: fetches each source, stores the batch and advances its cursor, and keeps its health.

A rate-limited source is deferred until `retry_at` while the others go on; a
source whose credentials were refused stays stopped until restart; a source
that raises anything else (a bug) is failing at once and tried again on its
next poll. Only state changes are logged: one line when a source breaks (with
the traceback when the error was unexpected), one when it recovers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from monitor.clock import Clock
from monitor.models import Batch
from monitor.sources import AuthRejected, RateLimited, Source, SourceError

log = logging.getLogger(__name__)


class SavedBatchLike(Protocol):
    @property
    def new_mentions(self) -> int: ...
    @property
    def new_replies(self) -> int: ...


class BatchStore(Protocol):
    """What the poller needs from the store."""

    def cursor(self, source: str) -> str | None: ...
    def save_batch(self, source: str, batch: Batch, seen_at: datetime) -> SavedBatchLike: ...


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """How a source is doing, for logs, `replyclock status`, metrics and the systemd status line."""

    name: str
    platform: str
    state: str = "waiting"  # waiting | ok | deferred | failing | stopped
    last_ok_at: datetime | None = None
    last_new_at: datetime | None = None
    last_error: str = ""
    deferred_until: datetime | None = None
    consecutive_failures: int = 0
    polls: int = 0
    mentions: int = 0
    replies: int = 0
    errors: int = 0
    deferrals: int = 0


@dataclass
class PollResult:
    """What one poll did."""

    source: str
    polled: bool
    new_mentions: int = 0
    new_replies: int = 0
    error: str = ""


class Poller:
    """Polls sources into the store and remembers each one's health."""

    def __init__(self, store: BatchStore, clock: Clock, sources: Iterable[Source] = ()) -> None:
        self.store = store
        self.clock = clock
        self.sources: dict[str, Source] = {}
        self.health: dict[str, SourceHealth] = {}
        for source in sources:
            self.add(source)

    def add(self, source: Source) -> None:
        """Register a source (names must be unique)."""
        if source.name in self.sources:
            raise ValueError(f"two sources are named {source.name!r}")
        self.sources[source.name] = source
        self.health[source.name] = SourceHealth(name=source.name, platform=source.platform)

    def poll_all(self) -> list[PollResult]:
        """Poll every source once (those deferred or stopped are skipped)."""
        return [self.poll(name) for name in self.sources]

    def poll(self, name: str) -> PollResult:
        """Fetch one source and store what it returned; never raises for a source's failure."""
        source = self.sources[name]
        health = self.health[name]
        now = self.clock.now()
        if health.state == "stopped":
            return PollResult(name, polled=False, error=health.last_error)
        if health.deferred_until is not None and now < health.deferred_until:
            return PollResult(name, polled=False, error="deferred")
        earliest = getattr(source, "earliest_next_poll", None)
        if callable(earliest):
            not_before = earliest(now)
            if not_before is not None and now < not_before:
                return PollResult(name, polled=False, error="spreading reads")
        try:
            batch = source.fetch(self.store.cursor(name))
            saved = self.store.save_batch(name, batch, self.clock.now())
        except RateLimited as exc:
            self._set(
                name,
                state="deferred",
                deferred_until=exc.retry_at,
                last_error=str(exc),
                deferrals=health.deferrals + 1,
            )
            if health.state != "deferred":
                log.warning("source %s rate-limited: deferred until %s", name, exc.retry_at.isoformat())
            return PollResult(name, polled=True, error=str(exc))
        except AuthRejected as exc:
            self._set(name, state="stopped", last_error=str(exc), errors=health.errors + 1)
            log.error(
                "source %s stopped: credentials rejected (%s); fix the config and restart, the other sources go on",
                name,
                exc,
            )
            return PollResult(name, polled=True, error=str(exc))
        except SourceError as exc:
            self._set(
                name,
                state="failing",
                last_error=str(exc),
                errors=health.errors + 1,
                consecutive_failures=health.consecutive_failures + 1,
            )
            if health.state != "failing":
                log.warning("source %s failing: %s", name, exc)
            return PollResult(name, polled=True, error=str(exc))
        except Exception as exc:
            # A bug (in the source, or a batch the store refuses) rather than the platform failing: the source
            # is failing all the same, now, not once health.silent_after has run out. Only the exception's type
            # goes into the health: its message may carry what was being parsed, or a secret.
            error = f"unexpected {type(exc).__name__}; see the traceback in the log"
            self._set(
                name,
                state="failing",
                last_error=error,
                errors=health.errors + 1,
                consecutive_failures=health.consecutive_failures + 1,
            )
            if health.state != "failing" or health.last_error != error:
                log.error(
                    "source %s failing: unexpected %s; the other sources go on", name, type(exc).__name__, exc_info=True
                )
            return PollResult(name, polled=True, error=error)
        if health.state in ("failing", "deferred"):
            log.info("source %s recovered", name)
        now = self.clock.now()
        self._set(
            name,
            state="ok",
            last_ok_at=now,
            last_new_at=now if saved.new_mentions or saved.new_replies else health.last_new_at,
            last_error="",
            deferred_until=None,
            consecutive_failures=0,
            polls=health.polls + 1,
            mentions=health.mentions + saved.new_mentions,
            replies=health.replies + saved.new_replies,
        )
        if saved.new_mentions or saved.new_replies:
            log.debug("source %s: %d new mentions, %d replies", name, saved.new_mentions, saved.new_replies)
        return PollResult(name, polled=True, new_mentions=saved.new_mentions, new_replies=saved.new_replies)

    def _set(self, name: str, **changes: object) -> None:
        self.health[name] = replace(self.health[name], **changes)  # type: ignore[arg-type]
