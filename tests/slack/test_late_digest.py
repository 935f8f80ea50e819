"""Install day and downtime in Slack: complaints already late when first seen make one managers' digest.

Each such complaint still gets its alert (shown overdue) and a note in its thread; the managers'
channel gets one digest per tick instead of an "SLA breached" post each. The digest goes through
the outbox like every other post: retried through an outage, never posted twice.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_sdk import WebClient

from alerts.slack import SlackNotifier
from app import App
from monitor.models import Reply, SlaPolicy
from tests.fakes import FakeSource, KeywordAnalyzer
from tests.fakes import complaint_post as post

M = timedelta(minutes=1)
H = timedelta(hours=1)
S = timedelta(seconds=1)
LATE_NOTE = "already past its deadline when replyclock first saw it"


def clock_text(message) -> str:
    return next(b["text"]["text"] for b in message["blocks"] if b.get("block_id") == "clock")


def run_for(app, clock, duration, step=S):
    end = clock.now() + duration
    while clock.now() < end:
        app.run_once()
        clock.advance(step)


def alerts_by_escalation(slack) -> dict[int, dict]:
    return {m["metadata"]["event_payload"]["escalation"]: m for m in slack.top_level("CALERTS")}


def digest_entries(app) -> list:
    return [e for e in app.store.outbox_entries("slack") if e.kind == "late_digest"]


@pytest.fixture
def rig(slack_settings, clock):
    source = FakeSource()
    app = App.build(slack_settings(), clock, sources=[source], analyzer=KeywordAnalyzer())
    yield app, source
    app.close()


def test_install_day_tells_the_managers_once_and_each_alert_why_it_is_red(rig, clock, fake_slack) -> None:
    app, source = rig
    slack = fake_slack.slack
    source.add(*(post(clock, str(i), 3 * H - i * M) for i in range(12)), post(clock, "fresh", 5 * M))
    run_for(app, clock, 1 * M)  # posts are paced to about one a second per channel

    escalations = {e.external_id: e for e in app.store.escalations()}
    late = [escalations[str(i)] for i in range(12)]
    (digest,) = slack.top_level("CMANAGERS")
    text = digest["text"]
    assert "SLA breached" not in text
    assert "12 complaints" in text and "already past their deadline when replyclock first saw them" in text
    assert "before replyclock first read fake" in text, "why: the first read of the source reached back"
    assert "@c0" in text and "2 h 00 min" in text, "the longest overdue, and by how much"
    assert all(f"#{e.id}" in text for e in late)
    assert text.count("https://sklep.slack.com/archives/CALERTS/p") == 10, "links to the ten longest overdue"
    assert digest["metadata"]["event_payload"]["key"] == digest_entries(app)[0].key

    alerts = alerts_by_escalation(slack)
    assert len(alerts) == 13
    for e in late:
        assert ":red_circle: *Breached* — overdue by" in clock_text(alerts[e.id])
        (note,) = slack.replies("CALERTS", alerts[e.id]["ts"])
        assert LATE_NOTE in note["text"] and "managers were told" not in note["text"]
    (note,) = slack.replies("CALERTS", alerts[late[0].id]["ts"])
    assert "3 h 00 min after it was posted" in note["text"]
    assert slack.replies("CALERTS", alerts[escalations["fresh"].id]["ts"]) == []
    assert all(e.status == "sent" for e in app.store.outbox_entries("slack"))

    # an ordinary breach is told on its own, as before
    run_for(app, clock, 55 * M, step=10 * S)
    managers = slack.top_level("CMANAGERS")
    assert len(managers) == 2 and "SLA breached" in managers[1]["text"] and "@cfresh" in managers[1]["text"]


def test_the_digest_is_retried_through_an_outage_of_the_managers_channel(rig, clock, fake_slack) -> None:
    app, source = rig
    slack = fake_slack.slack
    slack.fail("chat.postMessage", channel="CMANAGERS", status=503, times=3)
    source.add(post(clock, "1", 2 * H), post(clock, "2", 3 * H))
    app.run_once()
    (entry,) = digest_entries(app)
    assert entry.status == "pending" and entry.attempts == 1
    run_for(app, clock, 2 * M, step=5 * S)
    (digest,) = slack.top_level("CMANAGERS")
    assert "2 complaints" in digest["text"]
    (entry,) = digest_entries(app)
    assert entry.status == "sent" and entry.attempts == 4


def test_a_digest_whose_answer_was_lost_is_found_not_posted_again(slack_settings, clock, fake_slack) -> None:
    client = WebClient(token="xoxb-test", base_url=fake_slack.base_url, timeout=0.3, retry_handlers=[])  # type: ignore[arg-type]
    notifier = SlackNotifier(
        client, alerts_channel="CALERTS", managers_channel="CMANAGERS", policy=SlaPolicy(), clock=clock
    )
    source = FakeSource()
    app = App.build(slack_settings(), clock, sources=[source], notifiers=[notifier], analyzer=KeywordAnalyzer())
    slack = fake_slack.slack
    try:
        slack.fail("chat.postMessage", channel="CMANAGERS", hang=0.6)  # Slack posts it; the answer comes too late
        source.add(post(clock, "1", 2 * H))
        app.run_once()
        assert len(slack.top_level("CMANAGERS")) == 1 and digest_entries(app)[0].status == "pending"
        run_for(app, clock, 1 * M, step=10 * S)
        (entry,) = digest_entries(app)
        assert entry.status == "sent" and entry.result["reconciled"] is True
        assert len(slack.top_level("CMANAGERS")) == 1
    finally:
        app.close()


def test_without_a_managers_channel_the_digest_goes_to_the_alerts_channel(slack_settings, clock, fake_slack) -> None:
    source = FakeSource()
    settings = slack_settings(slack={"managers_channel": None})
    app = App.build(settings, clock, sources=[source], analyzer=KeywordAnalyzer())
    slack = fake_slack.slack
    try:
        source.add(post(clock, "1", 2 * H), post(clock, "2", 3 * H))
        run_for(app, clock, 30 * S)
        top = slack.top_level("CALERTS")
        digests = [m for m in top if m["metadata"]["event_payload"]["key"].startswith("late:")]
        assert len(top) == 3 and len(digests) == 1 and "2 complaints" in digests[0]["text"]
        for alert in (m for m in top if m not in digests):
            (note,) = slack.replies("CALERTS", alert["ts"])
            assert LATE_NOTE in note["text"] and "managers were told" not in note["text"]
        assert slack.top_level("CMANAGERS") == []
    finally:
        app.close()


def test_the_managers_hear_of_late_finds_whose_alerts_slack_refused(make_settings, clock, fake_slack) -> None:
    # e.g. the bot is not in the alerts channel: there is nothing to link to, the digest still goes up
    client = WebClient(token="xoxb-test", base_url=fake_slack.base_url, retry_handlers=[])
    notifier = SlackNotifier(
        client, alerts_channel="CGONE", managers_channel="CMANAGERS", policy=SlaPolicy(), clock=clock
    )
    source = FakeSource()
    app = App.build(make_settings(), clock, sources=[source], notifiers=[notifier], analyzer=KeywordAnalyzer())
    slack = fake_slack.slack
    try:
        source.add(post(clock, "1", 2 * H), post(clock, "2", 3 * H))
        run_for(app, clock, 30 * S)
        (digest,) = slack.top_level("CMANAGERS")
        ids = [e.id for e in app.store.escalations()]
        assert all(f"#{i}" in digest["text"] for i in ids) and "slack.com/archives" not in digest["text"]
        assert all(e.status in ("sent", "dead") for e in app.store.outbox_entries("slack"))
        calls = len(slack.calls)
        run_for(app, clock, 1 * M, step=10 * S)
        assert len(slack.calls) == calls, "nothing is retried for alerts that were given up"
    finally:
        app.close()


def late_finds_while_the_managers_are_down(app, source, clock, slack, *eids_ago) -> dict:
    """Complaints already late when first seen, while the managers' channel fails: their digest waits."""
    slack.fail("chat.postMessage", status=503, times=100, channel="CMANAGERS")
    source.add(*(post(clock, eid, ago) for eid, ago in eids_ago))
    app.run_once()
    assert slack.messages.get("CMANAGERS", []) == []
    return {e.external_id: e for e in app.store.escalations()}


@pytest.mark.parametrize("reason", ["praise", "spam: a bot", "duplicate"])
def test_a_late_find_dismissed_before_its_digest_goes_out_is_not_listed(rig, clock, fake_slack, reason) -> None:
    """The team read the overdue alert and closed it as no complaint while the digest waited out an outage."""
    app, source = rig
    slack = fake_slack.slack
    late = late_finds_while_the_managers_are_down(app, source, clock, slack, ("1", 2 * H), ("2", 3 * H))
    dismissed, kept = late["2"], late["1"]  # the longest overdue is dismissed
    assert app.engine.apply(dismissed.id, "dismiss", "anna", reason).changed
    slack._failures.clear()
    run_for(app, clock, 2 * M, step=5 * S)

    (digest,) = slack.top_level("CMANAGERS")
    text = digest["text"]
    assert "*1 complaint was already past its deadline" in text, text
    assert f"#{kept.id}" in text and "@c1" in text
    assert f"#{dismissed.id}" not in text and "@c2" not in text
    assert "Longest overdue: @c1 on X, 1 h 00 min past its deadline" in text  # from what remains
    (entry,) = digest_entries(app)
    assert entry.result["listed"] == [kept.id]


def test_a_digest_whose_late_finds_were_all_dismissed_or_withdrawn_is_not_posted(rig, clock, fake_slack) -> None:
    app, source = rig
    slack = fake_slack.slack
    late = late_finds_while_the_managers_are_down(app, source, clock, slack, ("1", 2 * H), ("2", 3 * H))
    answer = Reply("x", "r1", "1", late["1"].clock_started_at + 30 * M, author="@sklep_demo")
    source.add(answer)  # written in time, found now: its breach is withdrawn
    app.run_once()
    assert app.store.escalation(late["1"].id).breach_withdrawn_at is not None
    assert app.engine.apply(late["2"].id, "dismiss", "anna", "question").changed
    slack._failures.clear()
    run_for(app, clock, 2 * M, step=5 * S)

    assert slack.messages.get("CMANAGERS", []) == []
    (entry,) = digest_entries(app)
    assert entry.status == "sent" and "skipped" in entry.result


def test_a_late_find_resolved_before_its_digest_goes_out_is_still_a_breach_listed(rig, clock, fake_slack) -> None:
    """Resolving closes it as handled, late: the SLA log counts it breached, so the digest tells of it."""
    app, source = rig
    slack = fake_slack.slack
    late = late_finds_while_the_managers_are_down(app, source, clock, slack, ("1", 2 * H))
    assert app.engine.apply(late["1"].id, "resolve", "anna", "").changed
    slack._failures.clear()
    run_for(app, clock, 2 * M, step=5 * S)

    (digest,) = slack.top_level("CMANAGERS")
    assert "*1 complaint was already past its deadline" in digest["text"] and f"#{late['1'].id}" in digest["text"]
