"""Prometheus metrics (the only importer of prometheus-client).

Each `Metrics` has its own registry, so tests (and a demo beside a daemon) can
build several. The daemon imports this module only when `metrics.enabled` is
true. Source figures are read from the poller's health at scrape time, so they
never drift from what `replyclock status` shows.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from monitor.clock import Clock
from monitor.health import EscalationSummary, silent_since
from monitor.poller import SourceHealth

# Response times around a 60-minute SLA, from "answered at once" to "answered the next day".
RESPONSE_BUCKETS = tuple(m * 60.0 for m in (1, 5, 10, 15, 20, 30, 45, 60, 90, 120, 240, 480, 1440))
SCORER_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def parse_listen(listen: str) -> tuple[str, int]:
    """`127.0.0.1:9464` or `[::1]:9464` into (host, port)."""
    host, _, port = listen.rpartition(":")
    return host.strip("[]"), int(port)


class _SourceCollector(Collector):
    """Per-source figures, read from the poller's health at scrape time, and whether this process leads.

    A standby (`polling_since()` None) exports no per-source gauges: it polls nothing, so its figures
    would be a dead source (last success 0, state `waiting`) beside the leader's live ones for the same
    source. It keeps exporting the per-source counters, with what its terms as leader counted: a counter
    series that vanished on a standby and came back with its old total when it took the lead again read
    as a gap (absent() alerts, broken rate()s across it) for nothing that had changed. `replyclock_leader`
    says which process is which, so alerts can be scoped to the leader.
    """

    def __init__(
        self,
        health: Callable[[], Iterable[SourceHealth]],
        clock: Clock | None = None,
        polling_since: Callable[[], datetime | None] | None = None,
    ) -> None:
        self.health = health
        self.clock = clock
        self.polling_since = polling_since

    def collect(self) -> Iterator[Any]:
        labels = ["source", "platform"]
        mentions = CounterMetricFamily("replyclock_mentions_ingested", "New mentions stored, by source", labels=labels)
        replies = CounterMetricFamily("replyclock_replies_ingested", "Brand replies stored, by source", labels=labels)
        polls = CounterMetricFamily("replyclock_source_polls", "Successful polls, by source", labels=labels)
        errors = CounterMetricFamily("replyclock_source_errors", "Failed polls, by source", labels=labels)
        deferrals = CounterMetricFamily(
            "replyclock_source_rate_limit_deferrals", "Polls deferred by a rate limit, by source", labels=labels
        )
        last_ok = GaugeMetricFamily(
            "replyclock_source_last_success_timestamp_seconds",
            "Unix time of the last successful poll (0: none since start)",
            labels=labels,
        )
        # what health.silent_after and `replyclock status` judge: unlike `time() - last_success`, it starts
        # at 0 on each start (no alert before the first poll)
        silent = GaugeMetricFamily(
            "replyclock_source_silent_seconds",
            "Seconds since the last successful poll, or since this replyclock began polling if none since",
            labels=labels,
        )
        state = GaugeMetricFamily(
            "replyclock_source_state", "1 for the state each source is in", labels=[*labels, "state"]
        )
        since = self.polling_since() if self.polling_since is not None else None
        if self.polling_since is not None:
            leader = GaugeMetricFamily(
                "replyclock_leader",
                "1 while this replyclock is the leader (polls, posts, exports the per-source gauges); 0 on a standby",
            )
            leader.add_metric([], 0.0 if since is None else 1.0)
            yield leader
        standby = self.polling_since is not None and since is None
        now = self.clock.now() if self.clock is not None else None
        for h in list(self.health()):
            key = [h.name, h.platform]
            mentions.add_metric(key, h.mentions)
            replies.add_metric(key, h.replies)
            polls.add_metric(key, h.polls)
            errors.add_metric(key, h.errors)
            deferrals.add_metric(key, h.deferrals)
            if standby:
                continue
            last_ok.add_metric(key, h.last_ok_at.timestamp() if h.last_ok_at else 0.0)
            if since is not None and now is not None:
                silent.add_metric(key, max((now - silent_since(h, since)).total_seconds(), 0.0))
            for name in ("waiting", "ok", "deferred", "failing", "stopped"):
                state.add_metric([*key, name], 1.0 if h.state == name else 0.0)
        yield from (mentions, replies, polls, errors, deferrals)
        if not standby:
            yield from (last_ok, silent, state)


class _LeaderOnly(Collector):
    """The gauges of the leader's work (its open clocks, its notifiers), exported only while this process leads.

    A standby's would be the figures of its last term as leader: beside the leader's, a dashboard summing
    over instances counted every open clock twice, and an alert on them fired for what the leader settled.
    """

    def __init__(self, gauges: Sequence[Gauge], polling_since: Callable[[], datetime | None] | None) -> None:
        self.gauges = gauges
        self.polling_since = polling_since

    def describe(self) -> Iterator[Any]:
        for gauge in self.gauges:
            yield from gauge.describe()

    def collect(self) -> Iterator[Any]:
        if self.polling_since is not None and self.polling_since() is None:
            return
        for gauge in self.gauges:
            yield from gauge.collect()


class Metrics:
    """Every replyclock metric, in a registry of its own; `serve()` exposes it over HTTP."""

    def __init__(
        self,
        health: Callable[[], Iterable[SourceHealth]] | None = None,
        *,
        clock: Clock | None = None,
        polling_since: Callable[[], datetime | None] | None = None,
    ) -> None:
        """`polling_since`: since when this process polls its sources (None while a standby)."""
        self.registry = CollectorRegistry()
        r = self.registry
        lang = ["platform", "language"]
        self.mentions = Counter(
            "replyclock_mentions_scored", "Mentions scored, by platform and language", lang, registry=r
        )
        self.complaints = Counter(
            "replyclock_complaints", "Mentions scored as complaints, by platform and language", lang, registry=r
        )
        self.escalations_opened = Counter(
            "replyclock_escalations_opened", "Escalations opened, by platform", ["platform"], registry=r
        )
        self.open_escalations = Gauge(
            "replyclock_open_escalations", "Escalations whose clock runs and has not run out", registry=None
        )
        self.at_risk = Gauge(
            "replyclock_at_risk_escalations", "Open escalations close to their deadline", registry=None
        )
        self.overdue = Gauge(
            "replyclock_overdue_escalations", "Escalations past their deadline, unanswered", registry=None
        )
        self.most_urgent = Gauge(
            "replyclock_most_urgent_time_left_seconds",
            "Time left on the most urgent open escalation (NaN when none is open)",
            registry=None,
        )
        self.breaches = Counter("replyclock_breaches", "SLA breaches, by platform", ["platform"], registry=r)
        self.breaches_late = Counter(
            "replyclock_breaches_late_when_seen",
            "SLA breaches already past their deadline when replyclock first saw the post (a first start on a "
            "source, downtime), by platform; counted in replyclock_breaches too",
            ["platform"],
            registry=r,
        )
        self.breaches_withdrawn = Counter(
            "replyclock_breaches_withdrawn",
            "SLA breaches told, then withdrawn: an answer written before the deadline was found after the breach, "
            "by platform; counted in replyclock_breaches too (a counter never goes down)",
            ["platform"],
            registry=r,
        )
        self.response_time = Histogram(
            "replyclock_response_time_seconds",
            "Time from a complaint's post (or when first seen, if dated later) to the team's first answer, by platform",
            ["platform"],
            buckets=RESPONSE_BUCKETS,
            registry=r,
        )
        self.slack_calls = Counter(
            "replyclock_slack_api_calls", "Slack Web API calls, by method", ["method"], registry=r
        )
        self.slack_failures = Counter(
            "replyclock_slack_api_failures",
            "Failed Slack Web API calls, by method and error",
            ["method", "error"],
            registry=r,
        )
        self.scorer_latency = Histogram(
            "replyclock_scorer_seconds", "Seconds the scorer took per batch", buckets=SCORER_BUCKETS, registry=r
        )
        self.notifier_stopped = Gauge(
            "replyclock_notifier_stopped",
            "1 when a notifier stopped delivering (e.g. its token was revoked)",
            ["notifier"],
            registry=None,
        )
        self.most_urgent.set(math.nan)
        leader_gauges = (self.open_escalations, self.at_risk, self.overdue, self.most_urgent, self.notifier_stopped)
        r.register(_LeaderOnly(leader_gauges, polling_since))
        if health is not None:
            r.register(_SourceCollector(health, clock, polling_since))
        self._server: Any = None
        self._thread: threading.Thread | None = None

    # --- hooks the daemon (and the Slack notifier) call -------------------------------------

    def scored(self, platform: str, language: str, complaint: bool) -> None:
        """Count one scored mention (and whether it is a complaint)."""
        self.mentions.labels(platform, language).inc()
        if complaint:
            self.complaints.labels(platform, language).inc()

    def scorer_took(self, seconds: float) -> None:
        """Observe how long one scoring batch took."""
        self.scorer_latency.observe(seconds)

    def slack_call(self, method: str, ok: bool, error: str = "") -> None:
        """Count one Slack Web API call (`chat.postMessage`, …) and, when it failed, its error code."""
        self.slack_calls.labels(method).inc()
        if not ok:
            self.slack_failures.labels(method, error or "unknown").inc()

    def breached(self, platform: str, *, late_when_seen: bool = False) -> None:
        """Count one SLA breach (and whether it was already late when first seen)."""
        self.breaches.labels(platform).inc()
        # the series exists (at 0) beside every breaches series: `breaches - breaches_late` needs both sides
        late = self.breaches_late.labels(platform)
        if late_when_seen:
            late.inc()
        self.breaches_withdrawn.labels(platform)  # at 0 beside it, for `breaches - breaches_withdrawn`

    def breach_withdrawn(self, platform: str) -> None:
        """Count one breach withdrawn: the answer, found after it, had been written before the deadline."""
        self.breaches_withdrawn.labels(platform).inc()

    def responded(self, platform: str, response_time: timedelta) -> None:
        """Observe the time to the first answer of an escalation."""
        self.response_time.labels(platform).observe(max(response_time.total_seconds(), 0.0))

    def update(
        self, summary: EscalationSummary, stopped_notifiers: Mapping[str, str], notifiers: Iterable[str]
    ) -> None:
        """Set the gauges from the current open clocks and notifiers."""
        self.open_escalations.set(summary.open)
        self.at_risk.set(summary.at_risk)
        self.overdue.set(summary.overdue)
        left = summary.most_urgent_left
        self.most_urgent.set(left.total_seconds() if left is not None else math.nan)
        for name in notifiers:
            self.notifier_stopped.labels(name).set(1 if name in stopped_notifiers else 0)

    def stand_by(self) -> None:
        """Drop the gauges of a term as leader: a standby exports none, and a new term starts from the start values."""
        for gauge in (self.open_escalations, self.at_risk, self.overdue):
            gauge.set(0)
        self.most_urgent.set(math.nan)
        self.notifier_stopped.clear()

    # --- exposition -------------------------------------------------------------------------

    def render(self) -> bytes:
        """The text exposition format, as `/metrics` serves it."""
        return generate_latest(self.registry)

    def serve(self, listen: str) -> tuple[str, int]:
        """Serve `/metrics` on `host:port` from a daemon thread; returns the bound address."""
        host, port = parse_listen(listen)
        self._server, self._thread = start_http_server(port, addr=host, registry=self.registry)
        bound = self._server.server_address
        return str(bound[0]), int(bound[1])

    def close(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
