"""The real slack_sdk WebClient against the fake Slack: errors, pacing, exactly-once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from slack_sdk import WebClient

from alerts.notify import BoardItem
from alerts.sla import status
from alerts.slack import SlackNotifier, make_client
from app import App
from monitor.models import Escalation, SlaPolicy
from tests.fakes import FakeSource, KeywordAnalyzer
from tests.fakes import complaint_post as complaint

M = timedelta(minutes=1)
S = timedelta(seconds=1)


def build(make_settings, clock, notifier):
    source = FakeSource()
    app = App.build(make_settings(), clock, sources=[source], notifiers=[notifier], analyzer=KeywordAnalyzer())
    return app, source


@pytest.fixture
def rig(make_settings, clock, notifier):
    app, source = build(make_settings, clock, notifier)
    yield app, source
    app.close()


def opened(app):
    return [e for e in app.store.outbox_entries("slack") if e.kind == "opened"]


def test_429_waits_for_retry_after_without_blocking(rig, clock, fake_slack) -> None:
    app, source = rig
    slack = fake_slack.slack
    slack.fail("chat.postMessage", status=429, retry_after=30)
    source.add(complaint(clock, "1"))
    app.run_once()
    (entry,) = opened(app)
    assert entry.status == "pending" and entry.attempts == 0, "a rate limit is not a failed attempt"
    clock.advance(10 * S)
    app.run_once()
    assert len(slack.methods("chat.postMessage")) == 1, "nothing is sent while Slack said to wait"
    clock.advance(21 * S)
    app.run_once()
    assert len(slack.top_level("CALERTS")) == 1 and opened(app)[0].status == "sent"


def test_5xx_retries_with_backoff_and_posts_once(rig, clock, fake_slack) -> None:
    app, source = rig
    slack = fake_slack.slack
    slack.fail("chat.postMessage", status=500, times=2)
    source.add(complaint(clock, "1"))
    app.run_once()
    assert opened(app)[0].attempts == 1
    for _ in range(4):
        clock.advance(10 * S)
        app.run_once()
    assert len(slack.top_level("CALERTS")) == 1
    assert opened(app)[0].status == "sent"


def test_a_lost_answer_is_reconciled_not_reposted(make_settings, clock, fake_slack) -> None:
    client = WebClient(token="xoxb-test", base_url=fake_slack.base_url, timeout=0.3, retry_handlers=[])  # type: ignore[arg-type]
    notifier = SlackNotifier(client, alerts_channel="CALERTS", policy=SlaPolicy(), clock=clock)
    app, source = build(make_settings, clock, notifier)
    slack = fake_slack.slack
    try:
        slack.fail("chat.postMessage", hang=0.6)  # Slack posts it, the answer comes too late
        source.add(complaint(clock, "1"))
        app.run_once()
        assert len(slack.top_level("CALERTS")) == 1 and opened(app)[0].status == "pending"
        clock.advance(10 * S)
        app.run_once()
        (entry,) = opened(app)
        assert entry.status == "sent" and entry.result["reconciled"] is True
        assert entry.result["ts"] == slack.top_level("CALERTS")[0]["ts"]
        assert len(slack.methods("chat.postMessage")) == 1
        assert len(slack.methods("conversations.history")) == 1
    finally:
        app.close()


def test_deleted_alert_is_posted_again_once(rig, clock, fake_slack) -> None:
    app, source = rig
    slack = fake_slack.slack
    source.add(complaint(clock, "1"))
    app.run_once()
    (esc,) = app.store.escalations()
    first = slack.top_level("CALERTS")[0]["ts"]
    slack.delete("CALERTS", first)
    app.engine.act(esc.id, "acknowledge", "UANNA0001")
    app.run_once()
    (again,) = slack.top_level("CALERTS")
    assert again["ts"] != first and "<@UANNA0001> is on it" in str(again["blocks"])
    assert opened(app)[0].result["ts"] == again["ts"]
    # later updates go to the new message
    clock.advance(2 * M)
    app.run_once()
    assert slack.methods("chat.update")[-1].args["ts"] == again["ts"]


def test_unknown_channel_is_logged_once_and_not_retried_forever(make_settings, clock, fake_slack, caplog) -> None:
    client = WebClient(token="xoxb-test", base_url=fake_slack.base_url, retry_handlers=[])
    notifier = SlackNotifier(client, alerts_channel="CGONE", policy=SlaPolicy(), clock=clock)
    app, source = build(make_settings, clock, notifier)
    try:
        source.add(complaint(clock, "1"), complaint(clock, "2"))
        app.run_once()
        assert [e.status for e in opened(app)] == ["dead", "dead"]
        clock.advance(10 * M)
        app.run_once()
        assert len(fake_slack.slack.methods("chat.postMessage")) == 2
        assert sum("CGONE unusable" in r.getMessage() for r in caplog.records) == 1
    finally:
        app.close()


def test_invalid_auth_stops_slack_only(make_settings, clock, fake_slack, caplog) -> None:
    client = WebClient(token="xoxb-revoked", base_url=fake_slack.base_url, retry_handlers=[])
    notifier = SlackNotifier(client, alerts_channel="CALERTS", policy=SlaPolicy(), clock=clock)
    app, source = build(make_settings, clock, notifier)
    try:
        source.add(complaint(clock, "1"))
        app.run_once()
        source.add(complaint(clock, "2"))
        clock.advance(M)
        app.run_once()
        assert len(app.store.escalations()) == 2, "ingestion and the SLA log go on"
        assert len(fake_slack.slack.methods("chat.postMessage")) == 1
        stops = [r for r in caplog.records if "invalid_auth" in r.getMessage()]
        assert len(stops) == 1 and "xoxb-revoked" not in stops[0].getMessage()
        assert app.dispatcher.stopped == {
            "slack": "Slack rejected the bot token (invalid_auth); fix slack.bot_token and restart"
        }
    finally:
        app.close()


def test_countdown_updates_stay_within_slack_limits(rig, clock, fake_slack) -> None:
    app, source = rig
    slack = fake_slack.slack
    source.add(*(complaint(clock, str(i)) for i in range(50)))
    app.run_once()
    start = clock.now()
    worst = timedelta(0)
    for _ in range(7 * 60 // 3):
        clock.advance(3 * S)
        app.run_once()
        if clock.now() - start > 3 * M:  # once every alert is posted (about 1 a second) and shown
            board = [
                BoardItem(e, status(e, app.engine.policy, clock.now()), {}) for e in app.store.active_escalations()
            ]
            worst = max(worst, app.dispatcher.notifiers[0].staleness(board, clock.now()))
    assert len(slack.top_level("CALERTS")) == 50
    per_minute = Counter(int((c.at - start).total_seconds() // 60) for c in slack.methods("chat.update"))
    assert max(per_minute.values()) <= 50
    assert sum(per_minute.values()) > 150, "the countdown keeps being updated"
    # 50 open alerts share ~40 updates a minute: each is refreshed every 75 s or so
    assert worst <= 90 * S


def test_a_wave_of_reminders_and_breaches_keeps_every_countdown_within_one_interval(
    make_settings, clock, fake_slack
) -> None:
    """60 alerts opened together remind and breach together; the budget still goes round them evenly."""
    policy = SlaPolicy(response_time=8 * M, reminders=(4 * M,))
    notifier = SlackNotifier(
        make_client("xoxb-test", fake_slack.base_url, timeout=timedelta(seconds=2)),
        alerts_channel="CALERTS",
        managers_channel="CMANAGERS",
        policy=policy,
        clock=clock,
    )
    source = FakeSource()
    settings = make_settings(sla={"response_time": "8m", "reminders": ["4m"]})
    app = App.build(settings, clock, sources=[source], notifiers=[notifier], analyzer=KeywordAnalyzer())
    try:
        source.add(*(complaint(clock, str(i)) for i in range(60)))
        start = clock.now()
        worst, expected = timedelta(0), timedelta(0)
        while clock.now() - start < 12 * M:
            app.run_once()
            if len(fake_slack.slack.top_level("CALERTS")) == 60:  # staleness counts once every alert is shown
                now = clock.now()
                board = [BoardItem(e, status(e, policy, now), {}) for e in app.store.active_escalations()]
                worst = max(worst, notifier.staleness(board, now))
                live = [i for i in board if i.escalation.id in notifier.shown]
                expected = max([expected, *notifier.intervals(live).values()])
            clock.advance(3 * S)
        assert len(fake_slack.slack.top_level("CMANAGERS")) == 60, "every breach was told"
        assert expected > 60 * S, "the test is only meaningful when the budget is short"
        assert worst <= expected + 3 * S, f"a countdown went {worst} without an update (interval {expected})"
    finally:
        app.close()


def test_intervals_follow_the_load(notifier, clock) -> None:
    policy = SlaPolicy()

    def board(n, left):
        items = []
        for i in range(n):
            e = Escalation(
                id=i + 1,
                mention_id=i + 1,
                platform="x",
                external_id=str(i),
                author="a",
                text="t",
                lang="en",
                created_at=clock.now() - (policy.response_time - left),
                opened_at=clock.now(),
                clock_started_at=clock.now() - (policy.response_time - left),
                deadline=clock.now() + left,
            )
            items.append(BoardItem(e, status(e, policy, clock.now()), {"ts": "1.1", "channel": "CALERTS"}))
        return items

    assert set(notifier.intervals(board(5, 40 * M)).values()) == {M}
    assert set(notifier.intervals(board(5, 3 * M)).values()) == {20 * S}
    busy = set(notifier.intervals(board(400, 40 * M)).values())
    assert len(busy) == 1 and busy.pop() >= 9 * M


def test_health_notes_go_to_the_managers(rig, fake_slack) -> None:
    app, _ = rig
    app.post_health("source x: failing for 3 h (HTTP 503)")
    (note,) = fake_slack.slack.top_level("CMANAGERS")
    assert note["text"] == ":satellite_antenna: source x: failing for 3 h (HTTP 503)"
    fake_slack.slack.fail("chat.postMessage", status=500)
    with pytest.raises(RuntimeError, match="slack"):
        app.post_health("source x: back")


def test_every_web_api_call_reaches_the_metrics_hook(slack_settings, clock, fake_slack) -> None:
    settings = slack_settings(metrics={"enabled": True, "listen": "127.0.0.1:9"})
    source = FakeSource()
    app = App.build(settings, clock, sources=[source], analyzer=KeywordAnalyzer())
    try:
        assert app.metrics is not None and app.slack is not None
        fake_slack.slack.fail("chat.postMessage", status=500, times=1)
        source.add(complaint(clock, "1"))
        app.run_once()
        clock.advance(10 * S)
        app.run_once()
        text = app.metrics.render().decode()
        assert 'replyclock_slack_api_calls_total{method="chat.postMessage"} 2.0' in text
        assert 'method="chat.postMessage"' in text and "replyclock_slack_api_failures_total" in text
    finally:
        app.close()


def test_rate_limited_at_http_200_defers_the_alert_instead_of_dropping_it(rig, clock, fake_slack) -> None:
    # chat.postMessage documents `rate_limited` ("posted too many messages"), answered with HTTP 200
    app, source = rig
    slack = fake_slack.slack
    slack.fail("chat.postMessage", error="rate_limited")
    source.add(complaint(clock, "1"))
    app.run_once()
    (entry,) = opened(app)
    assert entry.status == "pending" and entry.attempts == 0
    clock.advance(31 * S)
    app.run_once()
    assert len(slack.top_level("CALERTS")) == 1 and opened(app)[0].status == "sent"


@pytest.mark.parametrize("retry_after", ["1.5", "Wed, 21 Oct 2026 07:28:00 GMT", "soon", "99999999999999"])
def test_an_odd_retry_after_still_pauses_and_never_breaks_the_tick(rig, clock, fake_slack, retry_after) -> None:
    app, source = rig
    slack = fake_slack.slack
    slack.fail("chat.postMessage", status=429, retry_after=retry_after)
    source.add(complaint(clock, "1"))
    app.run_once()
    assert "tick" not in app._failures
    (entry,) = opened(app)
    assert entry.status == "pending" and entry.attempts == 0
    app.run_once()
    assert len(slack.methods("chat.postMessage")) == 1, "nothing is sent while Slack said to wait"
    clock.advance(2 * timedelta(hours=1))
    app.run_once()
    assert len(slack.top_level("CALERTS")) == 1 and opened(app)[0].status == "sent"


def test_a_deleted_alert_is_posted_again_once_even_when_the_update_after_it_fails(rig, clock, fake_slack) -> None:
    app, source = rig
    slack = fake_slack.slack
    source.add(complaint(clock, "1"))
    app.run_once()
    (esc,) = app.store.escalations()
    slack.delete("CALERTS", slack.top_level("CALERTS")[0]["ts"])
    slack.fail("chat.update", error="message_not_found")  # the deleted alert
    slack.fail("chat.update", status=500)  # ...and the update of the new one fails once
    app.engine.act(esc.id, "acknowledge", "UANNA0001")
    app.run_once()
    for _ in range(3):
        clock.advance(10 * S)
        app.run_once()
    (again,) = slack.top_level("CALERTS")
    assert opened(app)[0].result["ts"] == again["ts"]
    assert "<@UANNA0001> is on it" in str(again["blocks"])


def test_the_managers_hear_of_a_breach_whose_alert_slack_refused(make_settings, clock, fake_slack) -> None:
    # e.g. the bot was removed from the alerts channel: the alert is given up, the breach must still go up
    client = WebClient(token="xoxb-test", base_url=fake_slack.base_url, retry_handlers=[])
    notifier = SlackNotifier(
        client, alerts_channel="CGONE", managers_channel="CMANAGERS", policy=SlaPolicy(), clock=clock
    )
    app, source = build(make_settings, clock, notifier)
    slack = fake_slack.slack
    try:
        source.add(complaint(clock, "1"))
        app.run_once()
        assert [e.status for e in opened(app)] == ["dead"]
        clock.advance(61 * M)
        app.run_once()
        clock.advance(10 * S)
        app.run_once()
        (note,) = slack.top_level("CMANAGERS")
        assert "SLA breached" in note["text"] and "@c1" in note["text"]
        calls = len(slack.calls)
        for _ in range(3):
            clock.advance(10 * S)
            app.run_once()
        assert all(e.status in ("sent", "dead") for e in app.store.outbox_entries("slack"))
        assert len(slack.calls) == calls, "nothing is retried for an alert that was given up"
    finally:
        app.close()


def test_a_refused_history_lookup_posts_the_alert_rather_than_losing_it(rig, clock, fake_slack, caplog) -> None:
    # e.g. a private alerts channel and an app without groups:history: the look-before-posting cannot look
    app, source = rig
    slack = fake_slack.slack
    slack.fail("chat.postMessage", status=500)
    slack.fail("conversations.history", error="missing_scope")
    source.add(complaint(clock, "1"))
    app.run_once()
    clock.advance(10 * S)
    app.run_once()
    assert len(slack.top_level("CALERTS")) == 1 and opened(app)[0].status == "sent"
    assert any("missing_scope" in r.getMessage() for r in caplog.records)


def test_a_proxy_error_page_that_is_not_utf8_is_a_transient_failure(make_settings, clock) -> None:
    # slack_sdk decodes every body as UTF-8 unless told otherwise; a proxy's Latin-1 page made it raise
    class Proxy(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = "<html>Przekroczono limit czasu bramy — błąd 502</html>".encode("cp1250")
            self.send_response(502)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/api/"
    notifier = SlackNotifier(make_client("xoxb-test", base), alerts_channel="CALERTS", policy=SlaPolicy(), clock=clock)
    app, source = build(make_settings, clock, notifier)
    try:
        source.add(complaint(clock, "1"))
        app.run_once()
        assert "tick" not in app._failures
        (entry,) = opened(app)
        assert entry.status == "pending" and entry.attempts == 1
    finally:
        app.close()
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize(
    ("due_after", "kind", "action", "detail"),
    [(30 * M, "reminder", "respond", ""), (61 * M, "breached", "dismiss", "a question, not a complaint")],
    ids=["reminder-after-an-answer", "breach-after-not-a-complaint"],
)
def test_a_post_held_up_by_a_rate_limit_is_dropped_once_the_team_made_it_moot(
    rig, clock, fake_slack, due_after, kind, action, detail
) -> None:
    """A reminder once the team answered would only mislead; a breach once it said "not a complaint" too."""
    app, source = rig
    slack = fake_slack.slack
    source.add(complaint(clock, "1"))
    app.run_once()
    (esc,) = app.store.escalations()
    clock.advance(due_after)
    slack.fail("chat.postMessage", status=429, retry_after=120)
    app.run_once()
    assert [e.status for e in app.store.outbox_entries("slack") if e.kind == kind] == ["pending"]
    clock.advance(1 * M)
    app.engine.act(esc.id, action, "UANNA0001", detail)
    clock.advance(2 * M)
    app.run_once()
    alert_ts = slack.top_level("CALERTS")[0]["ts"]
    assert slack.replies("CALERTS", alert_ts) == [], f"a {kind} was posted after the team's {action}"
    assert slack.top_level("CMANAGERS") == []
    assert all(e.status == "sent" for e in app.store.outbox_entries("slack"))


def test_an_alert_outlives_a_slack_outage_longer_than_the_retries(rig, clock, fake_slack) -> None:
    # Slack answered 5xx for a quarter of an hour: the complaint still has 45 minutes, its alert must go out
    app, source = rig
    slack = fake_slack.slack
    slack.fail("chat.postMessage", status=503, times=1000)
    source.add(complaint(clock, "1"))
    for _ in range(30):
        app.run_once()
        clock.advance(30 * S)
    slack._failures.clear()
    clock.advance(10 * M)
    app.run_once()
    assert len(slack.top_level("CALERTS")) == 1 and opened(app)[0].status == "sent"


def test_without_a_managers_channel_the_breach_note_does_not_claim_the_managers_were_told(
    make_settings, clock, fake_slack
) -> None:
    client = WebClient(token="xoxb-test", base_url=fake_slack.base_url, timeout=2, retry_handlers=[])  # type: ignore[arg-type]
    notifier = SlackNotifier(client, alerts_channel="CALERTS", policy=SlaPolicy(), clock=clock)
    app, source = build(make_settings, clock, notifier)
    slack = fake_slack.slack
    try:
        source.add(complaint(clock, "1"))
        app.run_once()
        clock.advance(61 * M)
        app.run_once()
        [alert] = slack.top_level("CALERTS")
        notes = [m["text"] for m in slack.replies("CALERTS", alert["ts"])]
        [breach] = [t for t in notes if "response time is over" in t]
        assert "managers were told" not in breach
        assert "slack.managers_channel" in breach
    finally:
        app.close()


def test_a_countdown_update_slack_refuses_is_retried_at_its_cadence_not_every_tick(
    rig, clock, fake_slack, caplog
) -> None:
    """A refusal other than "gone" (invalid_blocks, not_in_channel…) took one update call every tick."""
    app, source = rig
    slack = fake_slack.slack
    source.add(complaint(clock, "1"))
    app.run_once()
    slack.fail("chat.update", error="invalid_blocks", times=1000)
    for _ in range(60):  # two minutes of ticks, 2 s apart
        clock.advance(2 * S)
        app.run_once()
    updates = slack.methods("chat.update")
    assert 1 <= len(updates) <= 3, len(updates)  # about once a minute, as a countdown that works
    assert sum("invalid_blocks" in r.getMessage() for r in caplog.records) == 1  # said once
