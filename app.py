"""replyclock's composition root and running daemon: wire the parts from the settings, run the loop."""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

import settings as config
from alerts.console import ConsoleNotifier
from alerts.engine import EscalationEngine
from alerts.notify import Dispatcher, Notifier
from monitor.clock import Clock, SystemClock
from monitor.health import (
    STATUS_FILE,
    EscalationSummary,
    HealthWatcher,
    Snapshot,
    pid_namespace,
    read_snapshot,
    standby_may_write,
    state_dir,
    status_line,
    write_snapshot,
)
from monitor.logs import masker
from monitor.models import Escalation, Outcome, Score, SlaPolicy
from monitor.poller import Poller
from monitor.replay import ReplaySource
from monitor.sources import Source
from monitor.systemd import SystemdNotifier
from sentiment.errors import ScorerFailed

if TYPE_CHECKING:
    from alerts.slack import SlackRuntime
    from monitor.leader import Leadership
    from monitor.metrics import Metrics
    from monitor.store import Store, StoredMention
    from sentiment.base import Analyzer
    from sentiment.complaint_model import ComplaintClassifier

log = logging.getLogger("replyclock")

STANDBY_STATUS = "standby: another replyclock is the leader on this store"
TICK_EVERY = 1.0  # seconds of real time between SLA ticks: reminders and breaches go out within it
DEMO_TICK = timedelta(seconds=30)  # on an accelerated clock, tick at least every 30 s of clock time
OBSERVE_EVERY = 5.0  # seconds of real time between snapshots: status line, gauges, status.json, health posts


def sla_policy(settings: config.Settings) -> SlaPolicy:
    """The SLA policy of these settings."""
    return SlaPolicy(
        response_time=settings.sla.response_time,
        reminders=tuple(sorted(settings.sla.reminders, reverse=True)),
        at_risk_below=settings.sla.at_risk_below,
    )


def build_sources(settings: config.Settings, clock: Clock) -> list[Source]:
    """Every enabled source, built from the settings."""
    sources: list[Source] = []
    replay = settings.sources.replay
    if replay.enabled:
        sources.append(ReplaySource(replay.path, clock))
    x = settings.sources.x
    if x.enabled and x.bearer_token is not None:
        from monitor.x import build_x_sources  # tweepy loads only when X is on

        sources += build_x_sources(
            x.bearer_token.get_secret_value(),
            clock,
            user_id=x.user_id,
            username=x.username,
            queries=x.queries,
            api_base_url=x.api_base_url,
            timeout=x.timeout,
            monthly_read_cap=x.monthly_read_cap,
        )
    fb = settings.sources.facebook
    if fb.enabled and fb.page_token is not None and fb.page_id:
        from monitor.facebook import build_facebook_sources  # facebook-sdk loads only when Facebook is on

        sources += build_facebook_sources(
            fb.page_id,
            fb.page_token.get_secret_value(),
            clock,
            api_version=fb.api_version,
            lookback=fb.lookback,
            graph_url=fb.graph_url,
            timeout=fb.timeout,
        )
    return sources


def poll_interval(settings: config.Settings, source: Source) -> timedelta:
    """How often a source is polled, from its section's `poll_every`."""
    section = getattr(settings.sources, source.name.split(":", 1)[0], None)
    every = getattr(section, "poll_every", None)
    return every if isinstance(every, timedelta) else settings.sources.replay.poll_every


def escalation_summary(
    active: Sequence[Escalation], recent: Sequence[Escalation], policy: SlaPolicy, now: datetime, tz: tzinfo = UTC
) -> EscalationSummary:
    """Count the open clocks in `active`, and the breaches among `recent` that happened today (in `tz`).

    A breach happens at its `breached_at`: the deadline of a clock that ran out while replyclock watched,
    the moment replyclock first saw a late find (what the SLA log, the metrics and the digest say too).
    A breach withdrawn since (an answer written before the deadline, found after the breach was told) is
    no breach: it is counted apart, on the day of its breach.
    """
    from alerts.sla import SlaState, status

    clocks = [(e, status(e, policy, now)) for e in active]
    running = [(e, s) for e, s in clocks if s.running and not s.breached]
    urgent = min(running, key=lambda pair: pair[1].time_left, default=None)
    day_start = _day_start(now, tz)
    breaches_today = late_today = withdrawn_today = 0
    for e in recent:
        s = status(e, policy, now)
        # not recorded yet (an answer matched in the tick that would have): what the engine would record
        breached_at = e.breached_at or max(s.deadline, e.opened_at)
        if not day_start <= breached_at <= now:
            continue
        if s.outcome == Outcome.BREACHED:
            breaches_today += 1
            late_today += 1 if e.late_when_seen else 0
        elif e.breach_withdrawn_at is not None and e.dismissed_at is None:
            # told to the managers, then withdrawn (answered in time after all): no breach, but said apart,
            # so the count of breach posts they saw today adds up
            withdrawn_today += 1
    return EscalationSummary(
        open=len(running),
        at_risk=sum(1 for _, s in running if s.state == SlaState.AT_RISK),
        overdue=sum(1 for _, s in clocks if s.running and s.breached),
        most_urgent_id=urgent[0].id if urgent else None,
        most_urgent_left=urgent[1].time_left if urgent else None,
        breaches_today=breaches_today,
        breaches_today_late=late_today,
        breaches_withdrawn_today=withdrawn_today,
    )


def _day_start(now: datetime, tz: tzinfo) -> datetime:
    """Midnight of `now`'s day in `tz`, in UTC (the shop's day, not the server's)."""
    local = now.astimezone(tz)
    return datetime.combine(local.date(), datetime.min.time(), tzinfo=tz).astimezone(UTC)


def store_summary(
    store: Store,
    policy: SlaPolicy,
    now: datetime,
    active: Sequence[Escalation] | None = None,
    tz: tzinfo = UTC,
) -> EscalationSummary:
    """The escalation summary read from the store (`active`: the open escalations, if already read)."""
    recent = store.escalations(breach_since=_day_start(now, tz))
    return escalation_summary(store.active_escalations() if active is None else active, recent, policy, now, tz)


def build_notifiers(
    settings: config.Settings,
    *,
    console_stream: Any = None,
    clock: Clock | None = None,
    store: Store | None = None,
) -> list[Notifier]:
    """Every enabled notifier."""
    notifiers: list[Notifier] = []
    if settings.notify.console:
        notifiers.append(
            ConsoleNotifier(console_stream, summary_every=min(timedelta(minutes=5), settings.sla.response_time / 6))
        )
    slack = settings.slack
    if slack.enabled and slack.bot_token is not None and slack.alerts_channel:
        from alerts.slack import build_slack_notifier

        notifiers.append(
            build_slack_notifier(
                token=slack.bot_token.get_secret_value(),
                base_url=slack.base_url,
                alerts_channel=slack.alerts_channel,
                managers_channel=slack.managers_channel,
                mention_on_reminder=slack.mention_on_reminder,
                policy=sla_policy(settings),
                clock=clock or SystemClock(),
                templates=slack.templates,
                history=store.author_history if store is not None else None,
            )
        )
    return notifiers


def slack_runtime(settings: config.Settings, notifiers: Sequence[Notifier], clock: Clock) -> SlackRuntime | None:
    """The Slack notifier's interactivity (clicks, who may act), when a Slack notifier is wired."""
    if not any(n.name == "slack" for n in notifiers):
        return None
    from alerts.actions import Gatekeeper
    from alerts.slack import SlackNotifier, SlackRuntime

    notifier = next((n for n in notifiers if isinstance(n, SlackNotifier)), None)
    if notifier is None:
        return None
    gate = Gatekeeper(settings.slack.allowed_users, settings.slack.allowed_usergroup, notifier.usergroup_members, clock)
    return SlackRuntime(notifier, gate)


@dataclass
class App:
    """The wired daemon: store, scorer, poller, engine, dispatcher and the jobs that drive them."""

    settings: config.Settings
    clock: Clock
    store: Store
    analyzer: Analyzer
    poller: Poller
    engine: EscalationEngine
    dispatcher: Dispatcher
    speed: float = 1.0
    metrics: Metrics | None = None
    systemd: SystemdNotifier = field(default_factory=lambda: SystemdNotifier(None))
    health: HealthWatcher | None = None
    leadership: Leadership | None = None
    slack: SlackRuntime | None = None
    status_file: Path | None = None  # where observe() writes status.json; None: nowhere (the demo)
    stopping: threading.Event | None = None  # run_forever's stop event: a scoring backlog yields to it
    polling_since: datetime | None = None  # since when this process polls its sources; None while a standby
    one_shot: bool = False  # `run --once`: its snapshot says so, and `replyclock status` after it too
    _failures: dict[str, str] = field(default_factory=dict)
    _started_at: datetime | None = None
    _watched: dict[int, str] = field(default_factory=dict)  # escalation id -> platform, until it closes
    _breaches_counted: set[int] = field(default_factory=set)
    _next_ping: float = 0.0
    _next_observe: float = 0.0
    _status: str = ""
    _left_unscored: int = 0  # mentions the last scoring pass could not score: the next poll tries again

    @classmethod
    def build(
        cls,
        settings: config.Settings,
        clock: Clock | None = None,
        *,
        sources: Sequence[Source] | None = None,
        notifiers: Sequence[Notifier] | None = None,
        analyzer: Analyzer | None = None,
        speed: float = 1.0,
        complaint_classifier: ComplaintClassifier | None = None,
    ) -> App:
        """Wire every part from the settings (tests pass fakes for any of them).

        `complaint_classifier`: the shop's classifier, loaded by the check before start-up (read once).
        """
        from monitor.leader import Leadership, lock_for
        from monitor.store import Store

        clock = clock or SystemClock()
        store = Store(settings.storage.url)  # first: an outdated schema stops us before a model loads
        if analyzer is None:
            from sentiment.factory import build_analyzer

            analyzer = build_analyzer(settings.sentiment, complaint_classifier)
        notifier_list = (
            list(notifiers) if notifiers is not None else build_notifiers(settings, clock=clock, store=store)
        )
        policy = sla_policy(settings)
        poller = Poller(store, clock, sources if sources is not None else build_sources(settings, clock))
        engine = EscalationEngine(store, policy, clock, [n.name for n in notifier_list])
        dispatcher = Dispatcher(store, notifier_list, policy, clock)
        metrics: Metrics | None = None
        if settings.metrics.enabled:
            from monitor.metrics import Metrics

            metrics = Metrics(
                health=lambda: list(poller.health.values()), clock=clock, polling_since=lambda: app.polling_since
            )
        slack = slack_runtime(settings, notifier_list, clock)
        if slack is not None and metrics is not None:
            slack.notifier.observe_call = metrics.slack_call
        app = cls(settings, clock, store, analyzer, poller, engine, dispatcher, speed, metrics, slack=slack)
        app.leadership = Leadership(lock_for(settings.storage.url), clock)
        app._started_at = clock.now()
        # leading from the start for one-process uses (tests, the demo, `run --once` once it checked the lock);
        # `run` stands by until its loop holds the lock, a standby's beat clears it, taking the lead sets it again
        app.polling_since = app._started_at
        if metrics is not None:
            # Breaches recorded before this process started were counted by the one before it. Not
            # "breached_at before the start": a breach it recorded after downtime is dated at the deadline.
            active = store.active_escalations()
            app._breaches_counted = {e.id for e in active if e.breached_at is not None}
            # watched from the start: one that closes before the first snapshot (an answer found by the
            # first tick, a breach withdrawn) still counts its answer and withdrawal
            app._watched = {e.id: e.platform for e in active}
        app.status_file = state_dir(settings.storage.url) / STATUS_FILE
        previous = read_snapshot(app.status_file)
        app.health = HealthWatcher(
            settings.health.silent_after,
            clock,
            app.post_health,
            polling_since=lambda: app.polling_since,  # what the metrics and status.json count silence from
            # a standby's file says nothing of what the managers were told
            reported=previous.health_reported if previous is not None and previous.role == "leader" else None,
        )
        return app

    # --- jobs ------------------------------------------------------------------------------

    def poll(self, name: str) -> None:
        """Poll one source, then score what it brought (and what an earlier pass had to leave)."""
        result = self.poller.poll(name)
        if result.new_mentions or self._left_unscored:
            self.score_pending()

    def score_pending(self, batch_size: int = 256) -> int:
        """Score every unscored mention and open escalations for the complaints.

        Mentions whose scorer fails (a model down, `sentiment.fallback: null`) stay unscored and are
        tried again at the next poll; the others go on.
        """
        done = 0
        left: set[int] = set()
        try:
            while True:
                pending = self.store.unscored_mentions(batch_size, exclude=left)
                if not pending:
                    return done
                if self.stopping is not None and self.stopping.is_set():
                    # the rest stay unscored and the next start scores them; finishing a long backlog
                    # here would outlast systemd's TimeoutStopSec and end in SIGKILL
                    if done:
                        log.info("stopping: %d mention(s) scored, the rest wait for the next start", done)
                    return done
                texts = [p.mention.text for p in pending]
                hints = [p.mention.lang for p in pending]
                started = time.perf_counter()
                try:
                    scores: list[Score | None] = list(self.analyzer.analyze(texts, hints))
                except Exception:
                    if self._left_unscored:  # a scorer already known to be down: said when it went down
                        log.debug("scoring a batch of %d failed; scoring one by one", len(pending), exc_info=True)
                    else:
                        log.exception("scoring a batch of %d failed; scoring one by one", len(pending))
                    scores = self._score_alone(pending)
                if self.metrics is not None:
                    self.metrics.scorer_took(time.perf_counter() - started)
                now = self.clock.now()
                for item, score in zip(pending, scores, strict=True):
                    if score is None:
                        left.add(item.id)
                        continue
                    # escalate before the score marks the mention done: a crash in between rescores it,
                    # and escalating again is a no-op, so no complaint is ever left without its clock
                    opened = self.engine.escalate(item.id, score, from_brand=item.mention.from_brand)
                    self.store.save_score(item.id, score, now)
                    done += 1
                    if self.metrics is not None:
                        self.metrics.scored(
                            item.mention.platform, score.lang, score.complaint and not item.mention.from_brand
                        )
                        if opened is not None:
                            # watched from now on, so a close before the next snapshot still counts
                            self._watched[opened.id] = opened.platform
                            self.metrics.escalations_opened.labels(opened.platform).inc()
                self.beat()  # a long backlog through a large model must not look like a hung loop
        finally:
            self._note_left_unscored(len(left))

    def _score_alone(self, pending: Sequence[StoredMention]) -> list[Score | None]:
        """Each mention scored by itself; None for one whose scorer fails for every text (tried again later)."""
        scores: list[Score | None] = []
        failures: list[tuple[int, Exception]] = []
        for i, item in enumerate(pending):
            try:
                scores.append(self.analyzer.analyze([item.mention.text], [item.mention.lang])[0])
            except Exception as exc:
                scores.append(None)
                failures.append((i, exc))
        worked = {score.model for score in scores if score is not None}
        for i, error in failures:
            scorer = error.scorer if isinstance(error, ScorerFailed) else None
            # its scorer (or, unnamed, any scorer) scored other texts: this text breaks it, and would at every retry
            breaks_a_working_scorer = scorer in worked if scorer is not None else bool(worked)
            if breaks_a_working_scorer:
                log.error("could not score a mention (%s); stored as 'scorer failed' for review", type(error).__name__)
                scores[i] = Score(
                    label="neutral",
                    scores={"negative": 0.0, "neutral": 1.0, "positive": 0.0},
                    lang=pending[i].mention.lang or "und",
                    complaint=False,
                    reasons=(f"scorer failed: {type(error).__name__}",),
                    model="none",
                )
        return scores

    def _note_left_unscored(self, count: int) -> None:
        """Say when scoring starts leaving mentions for later and when it stops (not at every poll)."""
        if count and not self._left_unscored:
            log.warning("%d mention(s) left unscored: their scorer fails; tried again at every poll", count)
        elif self._left_unscored and not count:
            log.info("the mentions left unscored are scored now")
        self._left_unscored = count

    def tick(self) -> None:
        """Apply clicks, match answers, send due reminders and breaches, deliver the outbox, refresh countdowns."""
        if self.slack is not None:
            self.guarded("slack clicks", functools.partial(self.slack.apply_clicks, self.engine))
        self.engine.tick()
        self.dispatcher.deliver_due()
        self.dispatcher.refresh()

    # --- operations: systemd, metrics, status, health --------------------------------------

    def _ping_watchdog(self, now: float) -> None:
        every = self.systemd.watchdog_every
        if every is not None and now >= self._next_ping:
            self.systemd.ping()
            self._next_ping = now + every.total_seconds()

    def stand_by(self) -> None:
        """Read as a standby: no polling (so no silence to report), no metrics of the leader's work."""
        self.polling_since = None
        if self.metrics is not None:
            self.metrics.stand_by()

    def standby_beat(self) -> None:
        """A standby keeps the watchdog fed and says what it is doing (its sources are not its to watch)."""
        now = time.monotonic()
        self._ping_watchdog(now)
        self.stand_by()
        problem = self.leadership.problem if self.leadership is not None else None
        if problem is not None:
            problem = masker().mask(problem)
        # not "another replyclock is the leader" when nobody may be: the lock (or its database) is out of reach
        line = STANDBY_STATUS if problem is None else f"not leading: cannot reach the leader lock ({problem})"
        if self._status != line:
            self.systemd.status(line)
            self._status = line
        if self.status_file is not None and now >= self._next_observe:
            self._next_observe = now + OBSERVE_EVERY
            # `replyclock status` on this host says "standby", not "is replyclock running?"; a leader of the
            # same folder (two daemons, one host) keeps its fresh snapshot
            at = self.clock.now()
            if standby_may_write(read_snapshot(self.status_file), at, os.getpid()):
                snapshot = Snapshot(
                    at=at,
                    started_at=self._started_at or at,
                    scorer=self.analyzer.name,
                    pid=os.getpid(),
                    role="standby",
                    leader_problem=problem,
                    pid_ns=pid_namespace(),
                )
                self.guarded("standby status", functools.partial(write_snapshot, self.status_file, snapshot))

    def beat(self) -> None:
        """Ping the systemd watchdog when due, and take a snapshot every few seconds."""
        now = time.monotonic()
        self._ping_watchdog(now)
        if now >= self._next_observe:
            self._next_observe = now + OBSERVE_EVERY
            self.guarded("observe", self.observe)

    def observe(self) -> Snapshot:
        """Update the gauges, the systemd status line and status.json, and tell the managers of sources gone bad."""
        now = self.clock.now()
        policy = self.engine.policy
        active = self.store.active_escalations()
        summary = store_summary(self.store, policy, now, active, self.settings.sla.zone)
        self._count_outcomes(active)
        sources = tuple(self.poller.health.values())
        if self.health is not None:
            # before the snapshot is written: it keeps what the managers were told, for the next process
            self.health.check(sources)
        snapshot = Snapshot(
            at=now,
            started_at=self._started_at or now,
            escalations=summary,
            sources=sources,
            stopped_notifiers=dict(self.dispatcher.stopped),
            scorer=self.analyzer.name,
            pid=os.getpid(),
            health_reported=dict(self.health.reported) if self.health is not None else {},
            pid_ns=pid_namespace(),
            polling_since=self.polling_since,
            one_shot=self.one_shot,
        )
        if self.metrics is not None:
            self.metrics.update(summary, self.dispatcher.stopped, [n.name for n in self.dispatcher.notifiers])
        line = status_line(snapshot)
        if line != self._status:
            self.systemd.status(line)
            self._status = line
        if self.status_file is not None:
            write_snapshot(self.status_file, snapshot)
        return snapshot

    def mark_stopped(self) -> None:
        """Mark this process's status.json as stopped on the way out, so `replyclock status` says so at once.

        Only a snapshot this process wrote: a leader sharing the folder keeps its own. A crash marks
        nothing; `replyclock status` then finds the pid gone.
        """
        if self.status_file is None:
            return
        current = read_snapshot(self.status_file)
        if current is None or current.pid != os.getpid() or current.stopped_at is not None:
            return
        write_snapshot(self.status_file, replace(current, stopped_at=self.clock.now()))

    def _count_outcomes(self, active: Sequence[Escalation]) -> None:
        """Feed breaches and first-answer times to the metrics as escalations breach and close."""
        if self.metrics is None:
            return
        current = {e.id: e for e in active}
        closed = []
        for escalation_id in set(self._watched) - set(current):
            del self._watched[escalation_id]
            try:
                closed.append(self.store.escalation(escalation_id))
            except KeyError:
                continue
        for e in current.values():
            self._watched.setdefault(e.id, e.platform)
        for e in [*current.values(), *closed]:
            if e.breached_at is not None and e.id not in self._breaches_counted:
                self._breaches_counted.add(e.id)
                self.metrics.breached(e.platform, late_when_seen=e.late_when_seen)
        for e in closed:
            self._breaches_counted.discard(e.id)
            if e.response_time is not None:
                self.metrics.responded(e.platform, e.response_time)
            if e.breach_withdrawn_at is not None:
                self.metrics.breach_withdrawn(e.platform)

    def post_health(self, text: str) -> None:
        """Tell the managers through every notifier that can (`post_health(text)`); raises if all failed."""
        text = masker().mask(text)
        posters = [n for n in self.dispatcher.notifiers if callable(getattr(n, "post_health", None))]
        errors = []
        for notifier in posters:
            try:
                notifier.post_health(text)  # type: ignore[attr-defined]
            except Exception as exc:
                errors.append(f"{notifier.name}: {type(exc).__name__}: {masker().mask(str(exc))}")
        if posters and len(errors) == len(posters):
            raise RuntimeError("; ".join(errors))

    def run_once(self) -> None:
        """Every job once: poll all sources, score, tick, deliver."""
        for name in self.poller.sources:
            self.guarded(f"poll {name}", functools.partial(self.poll, name))
        self.guarded("score", self.score_pending)
        self.guarded("tick", self.tick)

    def guarded(self, job: str, fn: Callable[[], Any]) -> None:
        """Run a job; a failure is logged (once per distinct error) and never escapes."""
        try:
            fn()
        except Exception as exc:
            text = f"{type(exc).__name__}: {exc}"
            if self._failures.get(job) != text:
                log.exception("job %r failed", job)
            self._failures[job] = text
        else:
            if self._failures.pop(job, None) is not None:
                log.info("job %r recovered", job)

    def is_leader(self) -> bool:
        """Whether this process may poll and post now (a standby retries for the lock when due)."""
        return self.leadership is None or self.leadership.check()

    def run_forever(self, stop: threading.Event, until: Callable[[], bool] | None = None) -> None:
        """Run the scheduled jobs until `stop` is set (or `until()` says the work is done).

        Only the leader runs them; a standby waits and takes over when the leader's lock is freed.
        """
        import schedule

        self.stopping = stop
        scheduler = schedule.Scheduler()
        for name, source in self.poller.sources.items():
            seconds = max(poll_interval(self.settings, source).total_seconds() / self.speed, 0.2)
            # schedule takes fractional intervals (demo speeds); its type hints say int
            scheduler.every(seconds).seconds.do(  # type: ignore[arg-type]
                self.guarded, f"poll {name}", functools.partial(self.poll, name)
            )
        tick_every = max(min(TICK_EVERY, DEMO_TICK.total_seconds() / self.speed), 0.05)
        scheduler.every(tick_every).seconds.do(self.guarded, "tick", self.tick)  # type: ignore[arg-type]
        leading = False
        while not stop.is_set():
            if not self.is_leader():
                if leading and self.slack is not None:
                    # Slack spreads clicks over every open connection: a standby's would be acked and never applied
                    self.guarded("slack socket mode", self.slack.close)
                leading = False
                self.standby_beat()
                watchdog = self.systemd.watchdog_every
                stop.wait(min(TICK_EVERY, watchdog.total_seconds()) if watchdog is not None else TICK_EVERY)
                continue
            if not leading:
                leading = True
                # a complaint whose deadline passed before now was missed while no replyclock was leading
                self.engine.running_since = self.polling_since = self.clock.now()
                # only the leader takes clicks: a standby's queue would never be applied
                self.start_interactivity()
                self.run_once()  # catch up at once with what the previous leader left
                self._next_observe = 0.0  # the gauges and status.json of this term at once, not a standby's beat on
            scheduler.run_pending()
            if until is not None and until():
                break
            self.beat()
            idle = scheduler.idle_seconds
            wait = min(max(idle if idle is not None else tick_every, 0.02), tick_every)
            watchdog = self.systemd.watchdog_every
            stop.wait(min(wait, watchdog.total_seconds()) if watchdog is not None else wait)

    def start_interactivity(self) -> None:
        """Connect Slack's Socket Mode when an app token is set; without it the alerts work, the buttons do not."""
        token = self.settings.slack.app_token
        if self.slack is None:
            return
        if token is None:
            log.warning("slack.app_token is not set: alerts are posted, but their buttons do nothing")
            return
        try:
            self.slack.start_socket_mode(token.get_secret_value())
        except Exception as exc:
            log.error("Slack Socket Mode could not connect (%s): buttons are off, alerts go on", type(exc).__name__)

    def close(self) -> None:
        """Disconnect from Slack, step down as leader, stop serving metrics and release the store."""
        if self.slack is not None:
            self.slack.close()
        if self.leadership is not None:
            self.leadership.release()
        if self.metrics is not None:
            self.metrics.close()
        self.store.close()
