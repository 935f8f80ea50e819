"""The Prometheus metrics of a wired App, driven by a fake clock; a registry per App."""

from __future__ import annotations

import math
import re
import threading
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest

from app import App
from monitor.health import read_snapshot, render_status
from monitor.leader import Leadership
from monitor.metrics import Metrics, parse_listen
from monitor.models import Mention, Reply
from monitor.sources import RateLimited, Unavailable
from tests.fakes import (
    FakeSource,
    HeldElsewhereLock,
    KeywordAnalyzer,
    RecordingNotifier,
    ScriptedLeadership,
    free_port,
)

M = timedelta(minutes=1)
H = timedelta(hours=1)


def value(text: str, name: str, **labels: str) -> float:
    """The sample `name{labels}` in an exposition (labels in any order)."""
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        match = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        if not match or match.group(1) != name:
            continue
        got = dict(re.findall(r'([a-z_]+)="([^"]*)"', match.group(2) or ""))
        if got == labels:
            return float(match.group(3))
    raise AssertionError(f"no sample {name}{labels}")


@pytest.fixture
def rig(make_settings, clock):
    source = FakeSource("fake:mentions", platform="x")
    app = App.build(
        make_settings(metrics={"enabled": True, "listen": "127.0.0.1:9464"}),
        clock,
        sources=[source],
        notifiers=[RecordingNotifier()],
        analyzer=KeywordAnalyzer(),
    )
    yield app, source
    app.close()


def post(clock, eid, text, lang, ago=M):
    return Mention(platform="x", external_id=eid, author=f"@c{eid}", text=text, created_at=clock.now() - ago, lang=lang)


def test_counts_clocks_breaches_and_response_times(rig, clock) -> None:
    app, source = rig
    assert app.metrics is not None
    source.add(
        post(clock, "1", "paczka nie dotarło", "pl", ago=10 * M),
        post(clock, "2", "a csomag nem érkezett meg", "hu", ago=50 * M),
        post(clock, "3", "love it", "en"),
    )
    app.run_once()
    app.observe()
    text = app.metrics.render().decode()
    assert value(text, "replyclock_mentions_scored_total", platform="x", language="pl") == 1
    assert value(text, "replyclock_mentions_scored_total", platform="x", language="en") == 1
    assert value(text, "replyclock_complaints_total", platform="x", language="hu") == 1
    assert value(text, "replyclock_open_escalations") == 2
    assert value(text, "replyclock_most_urgent_time_left_seconds") == 10 * 60  # #2: 50 of 60 minutes gone
    assert value(text, "replyclock_mentions_ingested_total", source="fake:mentions", platform="x") == 3
    assert value(text, "replyclock_scorer_seconds_count") == 1
    assert value(text, "replyclock_source_last_success_timestamp_seconds", source="fake:mentions", platform="x") == (
        clock.now().timestamp()
    )

    clock.advance(15 * M)  # #2 breaches; the team answers #1 after 25 minutes
    source.add(Reply(platform="x", external_id="r1", in_reply_to="1", created_at=clock.now(), author="@shop"))
    app.run_once()
    app.observe()
    text = app.metrics.render().decode()
    assert value(text, "replyclock_breaches_total", platform="x") == 1
    # an ordinary breach; the series is there at 0, so `breaches - breaches_late` has both sides
    assert value(text, "replyclock_breaches_late_when_seen_total", platform="x") == 0
    assert value(text, "replyclock_overdue_escalations") == 1
    assert value(text, "replyclock_open_escalations") == 0
    assert math.isnan(value(text, "replyclock_most_urgent_time_left_seconds"))
    assert value(text, "replyclock_response_time_seconds_count", platform="x") == 1
    assert value(text, "replyclock_response_time_seconds_sum", platform="x") == 25 * 60

    app.run_once()  # nothing new: nothing counted twice
    app.observe()
    text = app.metrics.render().decode()
    assert value(text, "replyclock_breaches_total", platform="x") == 1
    assert value(text, "replyclock_response_time_seconds_count", platform="x") == 1


def test_the_response_time_of_a_post_dated_ahead_counts_from_when_it_was_seen(rig, clock) -> None:
    app, source = rig
    assert app.metrics is not None
    source.add(post(clock, "1", "paczka nie dotarło", "pl", ago=-10 * M))  # the platform's clock 10 min ahead
    app.run_once()
    app.observe()
    clock.advance(5 * M)
    source.add(Reply(platform="x", external_id="r1", in_reply_to="1", created_at=clock.now(), author="@shop"))
    app.run_once()
    app.observe()
    text = app.metrics.render().decode()
    assert value(text, "replyclock_response_time_seconds_count", platform="x") == 1
    assert value(text, "replyclock_response_time_seconds_sum", platform="x") == 5 * 60  # not 0: 5 min after seen


def test_source_errors_deferrals_and_slack_calls(rig, clock) -> None:
    app, source = rig
    assert app.metrics is not None
    source.fail_next(Unavailable("HTTP 503"))
    app.run_once()
    source.fail_next(RateLimited("429", retry_at=clock.now() + 5 * M))
    app.run_once()
    app.metrics.slack_call("chat.postMessage", True)
    app.metrics.slack_call("chat.update", False, "ratelimited")
    text = app.metrics.render().decode()
    key = {"source": "fake:mentions", "platform": "x"}
    assert value(text, "replyclock_source_errors_total", **key) == 1
    assert value(text, "replyclock_source_rate_limit_deferrals_total", **key) == 1
    assert value(text, "replyclock_source_state", state="deferred", **key) == 1
    assert value(text, "replyclock_source_last_success_timestamp_seconds", **key) == 0
    assert value(text, "replyclock_slack_api_calls_total", method="chat.postMessage") == 1
    assert value(text, "replyclock_slack_api_calls_total", method="chat.update") == 1
    assert value(text, "replyclock_slack_api_failures_total", method="chat.update", error="ratelimited") == 1


def test_each_app_has_its_own_registry_and_endpoint() -> None:
    one, two = Metrics(), Metrics()
    one.slack_call("chat.postMessage", True)
    assert value(one.render().decode(), "replyclock_slack_api_calls_total", method="chat.postMessage") == 1
    assert "replyclock_slack_api_calls_total{" not in two.render().decode()
    host, port = one.serve("127.0.0.1:0")
    try:
        body = urllib.request.urlopen(f"http://{host}:{port}/metrics", timeout=5).read().decode()
        assert "replyclock_slack_api_calls_total" in body
    finally:
        one.close()


def test_metrics_are_off_by_default(make_settings, clock) -> None:
    app = App.build(make_settings(), clock, sources=[], notifiers=[], analyzer=KeywordAnalyzer())
    try:
        assert app.metrics is None
        app.run_once()
        app.observe()
    finally:
        app.close()


def test_listen_addresses() -> None:
    assert parse_listen("127.0.0.1:9464") == ("127.0.0.1", 9464)
    assert parse_listen("[::1]:9464") == ("::1", 9464)


def test_a_breach_while_the_daemon_was_down_is_counted_once_on_restart(make_settings, clock) -> None:
    """The deadline passed while no replyclock ran: the next one records the breach and counts it
    (and not the breach the one before it counted)."""
    settings = make_settings(metrics={"enabled": True, "listen": "127.0.0.1:9464"})
    source = FakeSource("fake:mentions", platform="x")
    source.add(post(clock, "1", "paczka nie dotarło", "pl", ago=10 * M))
    source.add(post(clock, "2", "a csomag nem érkezett meg", "hu", ago=70 * M))
    before = App.build(settings, clock, sources=[source], notifiers=[RecordingNotifier()], analyzer=KeywordAnalyzer())
    before.run_once()
    before.observe()
    assert before.metrics is not None
    assert value(before.metrics.render().decode(), "replyclock_breaches_total", platform="x") == 1
    before.close()
    clock.advance(2 * 60 * M)  # down across the deadline
    after = App.build(settings, clock, sources=[source], notifiers=[RecordingNotifier()], analyzer=KeywordAnalyzer())
    try:
        after.run_once()
        after.observe()
        after.run_once()
        after.observe()
        assert after.metrics is not None
        assert value(after.metrics.render().decode(), "replyclock_breaches_total", platform="x") == 1
    finally:
        after.close()


def _suggested_alerts() -> list[str]:
    """The PromQL expressions docs/deploy.md suggests, as written there."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "deploy.md").read_text(encoding="utf-8")
    section = doc.split("Suggested alerts:", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"`([^`]*(?:>|==)[^`]*)`", section)


def test_the_suggested_staleness_alert_does_not_fire_at_start_but_does_when_a_source_stays_silent(rig, clock) -> None:
    """The suggestion was `time() - replyclock_source_last_success_timestamp_seconds > 3*3600`: 0 before the
    first successful poll, so it fired at every start until a poll succeeded."""
    app, source = rig
    assert app.metrics is not None
    [staleness] = [a for a in _suggested_alerts() if "source" in a]
    assert "last_success_timestamp" not in staleness, staleness
    assert staleness == "replyclock_source_silent_seconds > 3*3600"  # what the checks below evaluate
    key = {"source": "fake:mentions", "platform": "x"}

    def silent() -> float:
        return value(app.metrics.render().decode(), "replyclock_source_silent_seconds", **key)  # type: ignore[union-attr]

    assert silent() == 0  # just started, nothing polled yet: not an alert
    source.fail_next(Unavailable("HTTP 503"))
    app.run_once()
    clock.advance(3 * 60 * M + M)  # failing ever since the start: as `replyclock status` judges it
    assert silent() == (3 * 60 + 1) * 60
    app.run_once()
    assert silent() == 0
    clock.advance(10 * M)
    assert silent() == 10 * 60


def test_a_standby_exports_no_silence_for_sources_it_does_not_poll(rig, clock) -> None:
    app, _ = rig
    assert app.metrics is not None
    app.leadership = Leadership(HeldElsewhereLock(), clock)  # type: ignore[arg-type]
    clock.advance(5 * 60 * M)
    app.standby_beat()  # what run_forever does while another replyclock leads
    assert "replyclock_source_silent_seconds{" not in app.metrics.render().decode()


class _Loops(threading.Event):
    """A stop event for run_forever that stops after `n` loops; each wait moves the fake clock on by `step`."""

    def __init__(self, clock, step: timedelta, n: int, on_wait=None) -> None:
        super().__init__()
        self.clock, self.step, self.n, self.on_wait = clock, step, n, on_wait

    def is_set(self) -> bool:
        self.n -= 1
        return self.n < 0

    def wait(self, timeout: float | None = None) -> bool:
        self.clock.advance(self.step)
        if self.on_wait is not None:
            self.on_wait()
        return False


def test_after_standing_by_the_silence_metric_the_health_posts_and_status_count_from_the_same_moment(
    make_settings, clock
) -> None:
    """Leader, standby for 3 hours, leader again: the watcher (and `status`) counted the source silent since
    its last poll of the first term, 4 hours back, and told the managers at once; the metric counted from
    the new term, as its help says they both do."""
    settings = make_settings(metrics={"enabled": True, "listen": "127.0.0.1:9464"}, health={"silent_after": "2h"})
    source = FakeSource("fake:mentions", platform="x")
    app = App.build(settings, clock, sources=[source], notifiers=[RecordingNotifier()], analyzer=KeywordAnalyzer())
    metrics, health, status_file = app.metrics, app.health, app.status_file
    assert metrics is not None and health is not None and status_file is not None
    try:
        app.leadership = ScriptedLeadership(True, False, False, False, True)  # type: ignore[assignment]
        term_two = clock.now() + 4 * H
        waits = iter(range(10))

        def after_wait() -> None:
            if next(waits) == 3:  # from the second term on, every poll fails
                for _ in range(100):
                    source.fail_next(Unavailable("HTTP 503"))

        app.run_forever(_Loops(clock, H, 5, after_wait))
        assert clock.now() == term_two + H and source.fetches  # polled in both terms
        key = {"source": "fake:mentions", "platform": "x"}

        def judged() -> tuple[float, bool, bool]:
            """The metric's seconds, whether the managers were told, whether `replyclock status` is content."""
            app.observe()
            metric = value(metrics.render().decode(), "replyclock_source_silent_seconds", **key)
            snapshot = read_snapshot(status_file)
            _, healthy = render_status(snapshot, None, clock.now(), silent_after=2 * H, snapshot_path=status_file)
            return metric, "fake:mentions" in health.reported, healthy

        assert judged() == (3600.0, False, True)  # an hour into the second term: not silent by any count
        clock.set(term_two + 2 * H + M)
        assert judged() == (2 * 3600.0 + 60, True, False)  # past silent_after by all three counts at once
        assert "for 2h01m" in health.reported["fake:mentions"]
        assert "since this replyclock took the lead" in health.reported["fake:mentions"]
    finally:
        app.close()


PER_SOURCE_COUNTERS = {
    "replyclock_mentions_ingested_total",
    "replyclock_replies_ingested_total",
    "replyclock_source_polls_total",
    "replyclock_source_errors_total",
    "replyclock_source_rate_limit_deferrals_total",
}


def test_a_standby_exports_no_per_source_gauges_and_says_it_is_a_standby(rig, clock) -> None:
    """A standby's last_success stayed at 0 (its sources `waiting`): a dead source to any alert on it, while
    the leader polled them fine. The leader's series are the sources' truth; `replyclock_leader` scopes alerts."""
    app, _ = rig
    assert app.metrics is not None
    metrics = app.metrics
    app.run_once()  # a term as leader first: the series exist
    text = metrics.render().decode()
    assert value(text, "replyclock_leader") == 1
    assert value(text, "replyclock_source_polls_total", source="fake:mentions", platform="x") == 1
    app.leadership = Leadership(HeldElsewhereLock(), clock)  # type: ignore[arg-type]
    clock.advance(5 * 60 * M)
    app.standby_beat()
    text = metrics.render().decode()
    assert value(text, "replyclock_leader") == 0
    per_source = set(re.findall(r"^(replyclock_[a-z_]+)\{[^}]*source=", text, flags=re.MULTILINE))
    # last_success, silent, state: none from a process that polls nothing. Its counters stay, with what its
    # term counted: a counter that vanished and came back with its old total read as a gap, then a jump
    assert per_source == PER_SOURCE_COUNTERS, per_source
    assert value(text, "replyclock_source_polls_total", source="fake:mentions", platform="x") == 1
    # back in the lead (what run_forever does): the series are back, silence counted from the new term
    app.polling_since = clock.now()
    text = metrics.render().decode()
    assert value(text, "replyclock_leader") == 1
    assert value(text, "replyclock_source_polls_total", source="fake:mentions", platform="x") == 1
    assert value(text, "replyclock_source_silent_seconds", source="fake:mentions", platform="x") == 0


# the gauges of the leader's work: its open clocks and its notifiers
LEADER_GAUGES = re.compile(
    r"^(replyclock_(?:open|at_risk|overdue)_escalations|replyclock_most_urgent_time_left_seconds"
    r"|replyclock_notifier_stopped)[ {]",
    flags=re.MULTILINE,
)


def test_a_standby_exports_no_clock_or_notifier_gauges_of_its_last_term(rig, clock) -> None:
    """A standby kept the open clocks of its last term as leader: summed over instances (a dashboard's
    `sum(replyclock_open_escalations)`), every clock counted twice, and its overdue gauge fired an alert
    the leader had long settled. Its counters go on: a counter never goes back."""
    app, source = rig
    assert app.metrics is not None
    metrics = app.metrics
    source.add(
        post(clock, "1", "paczka nie dotarło", "pl", ago=10 * M),
        post(clock, "2", "a csomag nem érkezett meg", "hu", ago=70 * M),  # past its deadline when seen
    )
    app.run_once()
    app.observe()
    text = metrics.render().decode()
    assert value(text, "replyclock_open_escalations") == 1 and value(text, "replyclock_overdue_escalations") == 1
    assert value(text, "replyclock_notifier_stopped", notifier="recorder") == 0
    app.leadership = Leadership(HeldElsewhereLock(), clock)  # type: ignore[arg-type]
    clock.advance(5 * M)
    app.standby_beat()  # what run_forever does while another replyclock leads
    text = metrics.render().decode()
    assert value(text, "replyclock_leader") == 0
    assert LEADER_GAUGES.findall(text) == []
    assert value(text, "replyclock_breaches_total", platform="x") == 1
    assert value(text, "replyclock_escalations_opened_total", platform="x") == 2
    assert value(text, "replyclock_mentions_scored_total", platform="x", language="pl") == 1
    # back in the lead (what run_forever does): the start values until its first snapshot, not the last term's
    app.polling_since = clock.now()
    text = metrics.render().decode()
    assert value(text, "replyclock_open_escalations") == 0 and value(text, "replyclock_overdue_escalations") == 0
    assert math.isnan(value(text, "replyclock_most_urgent_time_left_seconds"))
    app.observe()
    text = metrics.render().decode()
    assert value(text, "replyclock_overdue_escalations") == 1  # #2, still unanswered: the new term's own figure
    assert value(text, "replyclock_notifier_stopped", notifier="recorder") == 0


def _first_scrape_of_run(tmp_path, monkeypatch) -> str:
    """What a scrape of `run`'s /metrics saw once it was up, before the loop's first turn."""
    import daemon

    port = free_port()
    cfg = tmp_path / "config.yaml"
    cfg.write_text(
        f"storage:\n  url: sqlite:///{tmp_path / 'rc.db'}\nnotify:\n  console: false\n"
        f"metrics:\n  enabled: true\n  listen: 127.0.0.1:{port}\n",
        encoding="utf-8",
    )
    scraped: list[str] = []

    def first_scrape(self: App, stop: threading.Event, until: object = None) -> None:
        scraped.append(urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode())

    monkeypatch.setattr(daemon, "_install_signal_handlers", lambda stop: None)  # pytest keeps its own
    monkeypatch.setattr(App, "run_forever", first_scrape)
    assert daemon.main(["--config", str(cfg), "run"]) == 0
    [text] = scraped
    return text


def test_a_daemon_reads_as_a_standby_until_it_holds_the_lock(monkeypatch, tmp_path) -> None:
    """`run` serves /metrics before its loop turns: a standby's scrape in between read `replyclock_leader 1`,
    with per-source series of sources it never polls."""
    from monitor.leader import FileLock

    leader = FileLock(tmp_path / "rc.db.leader")  # another replyclock on the same SQLite file
    assert leader.try_acquire()
    try:
        text = _first_scrape_of_run(tmp_path, monkeypatch)
    finally:
        leader.release()
    assert value(text, "replyclock_leader") == 0
    per_source = set(re.findall(r"^(replyclock_[a-z_]+)\{[^}]*source=", text, flags=re.MULTILINE))
    assert per_source <= PER_SOURCE_COUNTERS and LEADER_GAUGES.findall(text) == [], text  # counters at 0 only


def test_a_single_daemon_reads_as_the_leader_from_its_first_scrape(monkeypatch, tmp_path) -> None:
    """A lone daemon read `replyclock_leader 0` until its loop first asked for the lock: an alert on
    `max(replyclock_leader) == 0` saw it flap 0 -> 1 at every start. It asks before /metrics is up."""
    text = _first_scrape_of_run(tmp_path, monkeypatch)
    assert value(text, "replyclock_leader") == 1


def test_a_process_that_takes_the_lead_back_exports_its_clocks_at_once(rig, clock) -> None:
    """A standby's beat had put the next snapshot seconds ahead: back in the lead, the gauges read their start
    values (no clock open) until then, beside the clocks the new term had already caught up with."""
    app, source = rig
    assert app.metrics is not None
    source.add(post(clock, "1", "paczka nie dotarło", "pl", ago=10 * M))
    app.leadership = ScriptedLeadership(True, False, True)  # type: ignore[assignment]
    app.run_forever(_Loops(clock, M, 10))  # leader, standby, then leader again; a minute of the clock per loop
    text = app.metrics.render().decode()
    assert value(text, "replyclock_leader") == 1
    assert value(text, "replyclock_open_escalations") == 1
    assert 0 < value(text, "replyclock_most_urgent_time_left_seconds") <= (60 - 10 - 2) * 60
