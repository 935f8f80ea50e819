"""Health of the running daemon: the snapshot behind the status line, `replyclock status` and the
managers' health posts.

The daemon writes its snapshot to `status.json` in its state folder every few
seconds; `replyclock status` reads it back (the daemon's counters and source
health live only in its memory) together with the store. The `HealthWatcher`
turns source health into posts for the managers: one when a source has failed
or been silent for longer than `health.silent_after`, one when it recovers.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from monitor.clock import Clock
from monitor.files import write_private
from monitor.poller import SourceHealth

log = logging.getLogger(__name__)

STATUS_FILE = "status.json"
STALE_AFTER = timedelta(minutes=2)  # the daemon rewrites the snapshot far more often than this


@dataclass(frozen=True, slots=True)
class EscalationSummary:
    """The open clocks at one moment."""

    open: int = 0  # clock running, deadline not yet passed
    at_risk: int = 0
    overdue: int = 0  # deadline passed, nobody answered yet
    most_urgent_id: int | None = None
    most_urgent_left: timedelta | None = None
    breaches_today: int = 0
    breaches_today_late: int = 0  # of those, already past their deadline when replyclock first saw them
    # breaches of today told to the managers and withdrawn since (answered in time after all): not in breaches_today
    breaches_withdrawn_today: int = 0


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the daemon is doing: its escalations, sources and notifiers."""

    at: datetime
    started_at: datetime
    escalations: EscalationSummary = EscalationSummary()
    sources: tuple[SourceHealth, ...] = ()
    stopped_notifiers: Mapping[str, str] = field(default_factory=dict)
    scorer: str = ""
    pid: int = 0
    # "standby": another replyclock leads on this store (its sources and alerts are the leader's);
    # `leader_problem` says why a standby could not even ask for the lock
    role: str = "leader"
    leader_problem: str | None = None
    # what the managers were told is wrong, per source: a later process (a restart, `run --once` from cron)
    # does not tell them again
    health_reported: Mapping[str, str] = field(default_factory=dict)
    # set by a clean stop: `replyclock status` says "stopped" at once rather than after STALE_AFTER
    stopped_at: datetime | None = None
    # the writer's pid namespace: its pid means something only to a reader in the same one
    pid_ns: str | None = None
    # since when the writer polls its sources (it took the lead then; None on a standby): silence counts
    # from here when no poll succeeded since (`silent_since`); files from before it: `started_at`
    polling_since: datetime | None = None
    # written by `run --once` (from cron): its clean stop is the end of a run, not a daemon that was stopped
    one_shot: bool = False

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data (datetimes as ISO 8601, durations in seconds)."""
        esc = self.escalations
        return {
            "at": self.at.isoformat(),
            "started_at": self.started_at.isoformat(),
            "pid": self.pid,
            "scorer": self.scorer,
            "escalations": {
                **asdict(esc),
                "most_urgent_left": esc.most_urgent_left.total_seconds() if esc.most_urgent_left is not None else None,
            },
            "sources": [_health_json(h) for h in self.sources],
            "stopped_notifiers": dict(self.stopped_notifiers),
            "role": self.role,
            "leader_problem": self.leader_problem,
            "health_reported": dict(self.health_reported),
            "stopped_at": self.stopped_at.isoformat() if self.stopped_at is not None else None,
            "pid_ns": self.pid_ns,
            "polling_since": self.polling_since.isoformat() if self.polling_since is not None else None,
            "one_shot": self.one_shot,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Snapshot:
        """Read back what `to_json` wrote; raises ValueError (or KeyError/TypeError/AttributeError) when malformed."""
        esc = dict(data.get("escalations") or {})
        left = esc.get("most_urgent_left")
        esc["most_urgent_left"] = timedelta(seconds=float(left)) if left is not None else None
        return cls(
            at=_aware(data["at"]),
            started_at=_aware(data["started_at"]),
            escalations=EscalationSummary(**{k: v for k, v in esc.items() if k in _SUMMARY_FIELDS}),
            sources=tuple(_health_from(h) for h in data.get("sources") or ()),
            stopped_notifiers=dict(data.get("stopped_notifiers") or {}),
            scorer=str(data.get("scorer", "")),
            pid=int(data.get("pid", 0)),
            role="standby" if data.get("role") == "standby" else "leader",  # files from before roles: a leader's
            leader_problem=str(data["leader_problem"]) if data.get("leader_problem") else None,
            health_reported={str(k): str(v) for k, v in dict(data.get("health_reported") or {}).items()},
            stopped_at=_dt(data.get("stopped_at")),
            pid_ns=str(data["pid_ns"]) if data.get("pid_ns") else None,
            polling_since=_dt(data.get("polling_since")),
            one_shot=data.get("one_shot") is True,
        )


_SUMMARY_FIELDS = {f.name for f in fields(EscalationSummary)}
_HEALTH_FIELDS = {f.name for f in fields(SourceHealth)}
_HEALTH_TIMES = ("last_ok_at", "last_new_at", "deferred_until")


def _aware(value: object) -> datetime:
    parsed = datetime.fromisoformat(str(value))
    if parsed.tzinfo is None:  # ours are always UTC: a naive one would fail every comparison with now
        raise ValueError(f"{value!r} has no time zone")
    return parsed


def _dt(value: object) -> datetime | None:
    return _aware(value) if value else None


def _health_json(h: SourceHealth) -> dict[str, Any]:
    data = asdict(h)
    for key in _HEALTH_TIMES:
        data[key] = data[key].isoformat() if data[key] is not None else None
    return data


def _health_from(data: Mapping[str, Any]) -> SourceHealth:
    values = {k: v for k, v in data.items() if k in _HEALTH_FIELDS}
    for key in _HEALTH_TIMES:
        values[key] = _dt(values.get(key))
    return SourceHealth(**values)


# --- the state folder and the snapshot file ------------------------------------------------


def state_dir(storage_url: str, environ: Mapping[str, str] | None = None) -> Path:
    """Where the snapshot lives: next to the SQLite file, else systemd's StateDirectory, else ./var."""
    env = os.environ if environ is None else environ
    if storage_url.startswith("sqlite:///") and ":memory:" not in storage_url:
        return Path(storage_url[len("sqlite:///") :].split("?", 1)[0]).parent
    if env.get("STATE_DIRECTORY"):
        return Path(env["STATE_DIRECTORY"].split(":", 1)[0])
    return Path("var")


def write_snapshot(path: Path, snapshot: Snapshot) -> None:
    """Replace the snapshot file atomically (readers never see half a file); mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path, json.dumps(snapshot.to_json(), ensure_ascii=False))


@functools.cache
def pid_namespace() -> str | None:
    """This process's pid namespace (`pid:[4026531836]`), or None where there is no such thing to read."""
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return None


def pid_alive(pid: int, pid_ns: str | None) -> bool | None:
    """Whether the process `pid` of the namespace `pid_ns` still runs; None when that cannot be told here.

    Under systemd's DynamicUser the daemon is another user than whoever runs `replyclock status`: the
    kernel then refuses the signal (PermissionError), which still says the process exists. A pid of
    another pid namespace (a container, PrivatePIDs=) names some other process here, or none.
    """
    if pid <= 0 or pid_ns != pid_namespace():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return None
    return True


def is_gone(snapshot: Snapshot) -> bool:
    """Whether the process that wrote `snapshot` is known to be gone: a clean stop, or a pid no longer alive."""
    return snapshot.stopped_at is not None or pid_alive(snapshot.pid, snapshot.pid_ns) is False


def standby_may_write(current: Snapshot | None, now: datetime, pid: int) -> bool:
    """Whether a standby may replace `current`: never a fresh snapshot of a running leader sharing its folder."""
    if current is None or current.role == "standby" or current.pid == pid:
        return True
    return now - current.at > STALE_AFTER or is_gone(current)


def read_snapshot(path: Path) -> Snapshot | None:
    """The daemon's last snapshot, or None when there is none (or it cannot be read)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Snapshot.from_json(data)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("ignoring unreadable status file %s: %s", path, exc)
        return None


# --- words ---------------------------------------------------------------------------------


def ago(delta: timedelta) -> str:
    """`45s`, `12m`, `3h05m`, `2d4h`: a compact duration for status lines."""
    seconds = int(abs(delta.total_seconds()))
    if seconds < 60:
        text = f"{seconds}s"
    elif seconds < 3600:
        text = f"{seconds // 60}m"
    elif seconds < 86400:
        text = f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    else:
        text = f"{seconds // 86400}d{seconds % 86400 // 3600}h"
    return f"-{text}" if delta < timedelta(0) else text


def _duration(delta: timedelta) -> str:
    """`3h`, `10m`, `1h30m`: a setting's duration as config.yaml writes it (`ago` pads minutes: `3h00m`)."""
    total, parts = int(delta.total_seconds()), []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if total >= size:
            parts.append(f"{total // size}{unit}")
            total %= size
    return "".join(parts) or "0s"


def silent_since(h: SourceHealth, polling_since: datetime) -> datetime:
    """Since when a source counts as silent: its last successful poll, or when this process began polling
    (started, or took the lead again) if no poll succeeded since then.

    The one rule behind `health.silent_after`'s posts, `replyclock status` and
    `replyclock_source_silent_seconds`: a poll from an earlier term as leader says nothing of the time
    another replyclock polled in between.
    """
    return polling_since if h.last_ok_at is None else max(h.last_ok_at, polling_since)


def source_problem(h: SourceHealth, now: datetime, silent_after: timedelta, polling_since: datetime) -> str | None:
    """Why a source needs a human (stopped, or no successful poll for longer than `silent_after`), or None."""
    if h.state == "stopped":
        return f"stopped: {h.last_error or 'credentials rejected'}; fix its credentials and restart replyclock"
    since = silent_since(h, polling_since)
    if now - since <= silent_after:
        return None
    if h.last_ok_at is None:
        what = "no successful poll since start"
    elif h.last_ok_at < polling_since:
        what = "no successful poll since this replyclock took the lead"
    else:
        what = "no successful poll"
    detail = f"; last error: {h.last_error}" if h.last_error else ""
    if h.state == "deferred" and h.deferred_until is not None:
        detail = f"; rate-limited until {h.deferred_until:%Y-%m-%d %H:%M} UTC"
    return f"{what} for {ago(now - since)}{detail}"


def describe_source(h: SourceHealth, now: datetime) -> str:
    """A short state for the status line: `ok`, `rate-limited until 14:05`, `failing`, …"""
    if h.state == "deferred" and h.deferred_until is not None and h.deferred_until > now:
        return f"rate-limited until {h.deferred_until:%H:%M}"
    if h.state == "failing":
        return f"failing ({h.consecutive_failures}x)"
    return h.state


def status_line(snapshot: Snapshot) -> str:
    """The one-line `STATUS=` for systemd, e.g. `3 open escalations (next: 12m left), x:mentions ok`."""
    esc = snapshot.escalations
    parts = [f"{esc.open} open escalation{'s' if esc.open != 1 else ''}"]
    if esc.most_urgent_left is not None:
        parts[0] += f" (next: {ago(esc.most_urgent_left)} left)"
    if esc.overdue:
        parts.append(f"{esc.overdue} overdue")
    parts += [f"{h.name} {describe_source(h, snapshot.at)}" for h in snapshot.sources]
    parts += [f"{name} stopped" for name in snapshot.stopped_notifiers]
    return ", ".join(parts)


def idle_between_one_shot_runs(snapshot: Snapshot, now: datetime, stale_after: timedelta) -> bool:
    """Whether `snapshot` is a `run --once` that finished cleanly within `stale_after` of `now`.

    A deployment that runs `run --once` from cron or a systemd timer has no process between its runs:
    that is its normal state, not a daemon that stopped, as long as the next run comes in time.
    """
    return snapshot.one_shot and snapshot.stopped_at is not None and now - snapshot.stopped_at <= stale_after


def render_status(
    snapshot: Snapshot | None,
    escalations: EscalationSummary | None,
    now: datetime,
    *,
    silent_after: timedelta,
    snapshot_path: Path,
    alive: bool | None = None,
    one_shot_stale_after: timedelta | None = None,
) -> tuple[str, bool]:
    """The human summary of `replyclock status`, and whether everything is healthy.

    `alive`: whether the snapshot's process still runs (`pid_alive`); None when that cannot be told,
    and then the snapshot's age alone says whether the daemon still runs. `one_shot_stale_after`: how
    long after a clean `run --once` the deployment reads as idle between runs (default `silent_after`).
    """
    lines: list[str] = []
    healthy = True
    window = silent_after if one_shot_stale_after is None else one_shot_stale_after
    if snapshot is None:
        lines.append(f"daemon: no status file at {snapshot_path} (is replyclock running?)")
        healthy = False
    elif snapshot.stopped_at is not None and snapshot.one_shot:
        finished = f"{snapshot.stopped_at:%Y-%m-%d %H:%M:%S} UTC ({ago(now - snapshot.stopped_at)} ago)"
        if idle_between_one_shot_runs(snapshot, now, window):
            lines.append(
                f"daemon: idle between one-shot runs: the last run (`replyclock run --once`, pid {snapshot.pid}) "
                f"finished cleanly at {finished}"
            )
        else:
            lines.append(
                f"daemon: not running: the last run was a one-shot run (`replyclock run --once`, pid {snapshot.pid}) "
                f"that finished cleanly at {finished} — STALE: no `replyclock run --once` finished in the last "
                f"{_duration(window)} (health.one_shot_stale_after): is its cron job or timer still running?"
            )
            healthy = False
    elif snapshot.stopped_at is not None:
        lines.append(
            f"daemon: not running: pid {snapshot.pid} stopped cleanly {ago(now - snapshot.stopped_at)} ago "
            f"({snapshot.stopped_at:%Y-%m-%d %H:%M} UTC), after {ago(snapshot.stopped_at - snapshot.started_at)} up"
        )
        healthy = False
    elif alive is False:
        lines.append(
            f"daemon: not running: pid {snapshot.pid} is not running and recorded no clean stop (it crashed "
            f"or was killed); its last status is {ago(now - snapshot.at)} old"
        )
        healthy = False
    else:
        age = now - snapshot.at
        stale = age > STALE_AFTER
        healthy = not stale and snapshot.leader_problem is None
        role = ""
        if snapshot.role == "standby":
            role = (
                f"NOT LEADING: cannot reach the leader lock ({snapshot.leader_problem}); "
                if snapshot.leader_problem
                else "standby: another replyclock is the leader on this store and polls, posts and takes clicks; "
            )
        lines.append(
            f"daemon: pid {snapshot.pid}, {role}up {ago(snapshot.at - snapshot.started_at)}, scorer {snapshot.scorer}; "
            f"status {ago(age)} old" + (" — STALE: is replyclock still running?" if stale else "")
        )
    esc = escalations if escalations is not None else (snapshot.escalations if snapshot else None)
    if esc is not None:
        urgent = (
            f"; most urgent #{esc.most_urgent_id}: {ago(esc.most_urgent_left)} left"
            if esc.most_urgent_left is not None
            else ""
        )
        lines.append(
            f"escalations: {esc.open} open ({esc.at_risk} at risk), {esc.overdue} overdue{urgent}; "
            f"breaches today: {esc.breaches_today}"
            + (f" ({esc.breaches_today_late} already late when first seen)" if esc.breaches_today_late else "")
            + (
                f"; {esc.breaches_withdrawn_today} breach post{'s' if esc.breaches_withdrawn_today != 1 else ''} "
                "withdrawn (answered in time, the answer found late)"
                if esc.breaches_withdrawn_today
                else ""
            )
        )
    if snapshot is not None and snapshot.role == "standby":
        lines.append("sources: polled by the leader (run `replyclock status` where it runs)")
    elif snapshot is not None:
        lines.append("sources:" if snapshot.sources else "sources: none enabled")
        width = max((len(h.name) for h in snapshot.sources), default=0)
        for h in snapshot.sources:
            last = f"last ok {ago(snapshot.at - h.last_ok_at)} ago" if h.last_ok_at else "never polled ok"
            problem = source_problem(h, snapshot.at, silent_after, snapshot.polling_since or snapshot.started_at)
            healthy = healthy and problem is None
            extra = f"; {h.last_error}" if h.last_error and h.state != "ok" else ""
            lines.append(
                f"  {h.name:<{width}}  {describe_source(h, snapshot.at):<24} {last}, "
                f"{h.mentions} mentions, {h.errors} errors, {h.deferrals} deferrals{extra}"
                + (" — NEEDS ATTENTION" if problem else "")
            )
        for name, why in snapshot.stopped_notifiers.items():
            healthy = False
            lines.append(f"notifier {name}: STOPPED: {why}")
    return "\n".join(lines), healthy


# --- telling the managers ------------------------------------------------------------------


class HealthWatcher:
    """Posts once when a source goes bad (stopped, or silent past `silent_after`) and once when it recovers."""

    def __init__(
        self,
        silent_after: timedelta,
        clock: Clock,
        post: Callable[[str], None],
        polling_since: Callable[[], datetime | None] | None = None,
        reported: Mapping[str, str] | None = None,
    ) -> None:
        """`polling_since`: since when this process polls its sources (None on a standby); default: from now on."""
        self.silent_after = silent_after
        self.clock = clock
        self.post = post
        created = clock.now()
        self.polling_since = polling_since or (lambda: created)
        # source -> the problem the managers were told about (by this process or, from status.json, an earlier one)
        self.reported: dict[str, str] = dict(reported or {})
        self._post_failed: set[str] = set()

    def check(self, health: Iterable[SourceHealth]) -> list[str]:
        """Compare each source with what was reported; post the changes and return them."""
        now = self.clock.now()
        since = self.polling_since()
        posted: list[str] = []
        if since is None:  # a standby: the sources are the leader's to judge
            return posted
        for h in health:
            problem = source_problem(h, now, self.silent_after, since)
            if problem is not None and h.name not in self.reported:
                text = f":warning: replyclock: source {h.name} ({h.platform}) needs attention — {problem}"
                if self._send(h.name, text):
                    self.reported[h.name] = problem
                    posted.append(text)
            elif problem is None and h.name in self.reported:
                text = (
                    f":white_check_mark: replyclock: source {h.name} ({h.platform}) recovered — polling normally again"
                )
                if self._send(h.name, text):
                    del self.reported[h.name]
                    posted.append(text)
        return posted

    def _send(self, name: str, text: str) -> bool:
        try:
            self.post(text)
        except Exception as exc:
            # Not marked as reported: the next check tries again (Slack may be down for a while).
            if name not in self._post_failed:
                log.warning("could not post the health of %s: %s", name, exc)
            self._post_failed.add(name)
            return False
        self._post_failed.discard(name)
        log.log(logging.WARNING if "needs attention" in text else logging.INFO, "health: %s", text)
        return True
