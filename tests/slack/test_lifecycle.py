"""End to end with an injected clock: the real WebClient against the fake Slack, driven by App.run_once."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from alerts.actions import Click
from alerts.report import report_records
from app import App
from monitor.models import EventKind, Mention, Reply
from tests.fakes import FakeSource, KeywordAnalyzer

M = timedelta(minutes=1)
S = timedelta(seconds=1)


def post(clock, eid, text, ago=M, author=None, lang="en"):
    return Mention(
        platform="x",
        external_id=eid,
        author=author or f"@c{eid}",
        text=text,
        created_at=clock.now() - ago,
        lang=lang,
        url=f"https://x.com/c/status/{eid}",
    )


def answer(clock, eid, to):
    return Reply(platform="x", external_id=eid, in_reply_to=to, created_at=clock.now(), author="@sklep_demo")


def clock_text(message) -> str:
    return next(b["text"]["text"] for b in message["blocks"] if b.get("block_id") == "clock")


def action_ids(message) -> list[str]:
    return [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def run_for(app, clock, duration, step=S * 10):
    end = clock.now() + duration
    while clock.now() < end:
        clock.advance(step)
        app.run_once()


@pytest.fixture
def rig(slack_settings, clock):
    source = FakeSource()
    app = App.build(slack_settings(), clock, sources=[source], analyzer=KeywordAnalyzer())
    assert app.slack is not None
    yield app, source
    app.close()


def test_complaint_lifecycle_in_slack(rig, clock, fake_slack) -> None:
    app, source = rig
    slack = fake_slack.slack
    source.add(
        post(clock, "1", "my parcel never arrived", ago=0 * M),
        post(clock, "2", "I love the new collection", ago=0 * M),
    )
    app.run_once()
    alerts = slack.top_level("CALERTS")
    assert len(alerts) == 1, "one alert for the complaint, none for praise"
    alert = alerts[0]
    assert alert["metadata"]["event_type"] == "replyclock_alert"
    assert ":large_green_circle: *On track* — *1 h 00 min* left" in clock_text(alert)
    assert action_ids(alert) == [
        "replyclock:acknowledge",
        "replyclock:respond",
        "replyclock:resolve",
        "replyclock:dismiss",
    ]
    (esc,) = app.store.escalations()

    # the countdown moves in place, about once a minute
    run_for(app, clock, 5 * M)
    assert len(slack.top_level("CALERTS")) == 1
    updates = slack.methods("chat.update")
    assert 4 <= len(updates) <= 6
    assert "*55 min* left" in clock_text(slack.top_level("CALERTS")[0])

    # a user who may not act clicks: refused privately, nothing changes
    app.slack.clicks.put(Click(esc.id, "acknowledge", "UMALLORY1", "mallory", channel_id="CALERTS"))
    before = len(slack.methods("chat.update"))
    app.run_once()
    assert app.store.escalation(esc.id).acknowledged_by is None
    assert slack.ephemeral and slack.ephemeral[-1]["user"] == "UMALLORY1"
    assert len(slack.methods("chat.update")) == before
    refused = [e for e in app.store.events(esc.id) if e.kind == "click_refused"]
    assert [e.actor for e in refused] == ["UMALLORY1"]

    # reminder at 30 minutes left, in the thread, mentioning the team (nobody acknowledged)
    run_for(app, clock, 25 * M)
    thread = slack.replies("CALERTS", alert["ts"])
    assert len(thread) == 1 and thread[0]["text"].startswith("<!subteam^S0SOCIAL>")
    assert ":large_orange_circle: *At risk*" in clock_text(slack.top_level("CALERTS")[0])

    # Anna acknowledges: the message says she is on it and the next reminder mentions her
    app.slack.clicks.put(Click(esc.id, "acknowledge", "UANNA0001", "anna", channel_id="CALERTS"))
    app.run_once()
    assert "<@UANNA0001> is on it" in clock_text(slack.top_level("CALERTS")[0])
    assert "replyclock:acknowledge" not in action_ids(slack.top_level("CALERTS")[0])
    run_for(app, clock, 20 * M)
    thread = slack.replies("CALERTS", alert["ts"])
    assert len(thread) == 2 and thread[1]["text"].startswith("<@UANNA0001>")

    # breach at 60 minutes: the message turns red and one post goes to the managers
    run_for(app, clock, 10 * M + 20 * S)
    message = slack.top_level("CALERTS")[0]
    assert ":red_circle: *Breached* — overdue by" in clock_text(message)
    managers = slack.top_level("CMANAGERS")
    assert len(managers) == 1 and "sklep.slack.com/archives/CALERTS" in managers[0]["text"]
    run_for(app, clock, 3 * M)
    assert len(slack.top_level("CMANAGERS")) == 1
    assert "overdue by *3 min*" in clock_text(slack.top_level("CALERTS")[0])

    # a late answer on the platform: final state, no countdown, fewer buttons
    source.add(answer(clock, "r1", "1"))
    app.run_once()
    message = slack.top_level("CALERTS")[0]
    assert "*Answered late*" in clock_text(message) and "@sklep_demo" in clock_text(message)
    assert action_ids(message) == ["replyclock:resolve", "replyclock:dismiss"]
    updates = len(slack.methods("chat.update"))
    run_for(app, clock, 5 * M)
    assert len(slack.methods("chat.update")) == updates, "the countdown stopped"
    assert len(slack.top_level("CALERTS")) == 1
    kinds = [e.kind for e in app.store.events(esc.id)]
    assert kinds.count(EventKind.REMINDED) == 2 and kinds.count(EventKind.BREACHED) == 1


def test_answer_at_23_minutes_shows_the_final_state(rig, clock, fake_slack) -> None:
    app, source = rig
    slack = fake_slack.slack
    source.add(post(clock, "7", "zamówienie nie dotarło, gdzie jest moja paczka?", ago=0 * M, lang="pl"))
    app.run_once()
    (alert,) = slack.top_level("CALERTS")
    reply = next(b for b in alert["blocks"] if b.get("block_id") == "reply")["text"]["text"]
    assert "(pl)" in reply and "przepraszamy" in reply.lower()
    run_for(app, clock, 23 * M)
    source.add(answer(clock, "r7", "7"))
    app.run_once()
    message = slack.top_level("CALERTS")[0]
    assert ":white_check_mark: *Answered in 23 min* by @sklep_demo" in clock_text(message)
    assert not any(b.get("block_id") == "reply" for b in message["blocks"])
    assert slack.replies("CALERTS", alert["ts"]) == [], "no reminder once answered before 30 min left"
    run_for(app, clock, 40 * M)
    assert slack.top_level("CMANAGERS") == []


def test_buttons_respond_resolve_and_dismiss_with_a_reason(rig, clock, fake_slack) -> None:
    app, source = rig
    slack = fake_slack.slack
    source.add(post(clock, "1", "parcel never arrived", ago=0 * M), post(clock, "2", "broken mug lol", ago=0 * M))
    app.run_once()
    one, two = app.store.escalations()
    app.slack.clicks.put(Click(one.id, "respond", "UANNA0001", channel_id="CALERTS"))
    app.slack.clicks.put(Click(two.id, "dismiss", "UANNA0001", detail="Joke or sarcasm", channel_id="CALERTS"))
    clock.advance(2 * M)
    app.run_once()
    first, second = slack.top_level("CALERTS")
    assert "*Answered in 2 min* by <@UANNA0001>" in clock_text(first)
    assert "*Not a complaint* (Joke or sarcasm) — marked by <@UANNA0001>" in clock_text(second)
    assert action_ids(second) == []
    assert app.store.escalation(two.id).dismiss_reason == "joke"
    app.slack.clicks.put(Click(one.id, "resolve", "UANNA0001", channel_id="CALERTS"))
    app.run_once()
    assert action_ids(slack.top_level("CALERTS")[0]) == []
    assert [e.actor for e in app.store.events(one.id) if e.kind in ("responded", "resolved")] == [
        "UANNA0001",
        "UANNA0001",
    ]


def test_author_history_is_shown(rig, clock, fake_slack) -> None:
    app, source = rig
    slack = fake_slack.slack
    source.add(post(clock, "1", "parcel never arrived", ago=0 * M, author="@same"))
    app.run_once()
    clock.advance(10 * M)
    source.add(answer(clock, "r1", "1"))
    app.run_once()
    clock.advance(2 * timedelta(days=1))
    source.add(post(clock, "2", "again: my refund never arrived", ago=0 * M, author="@same"))
    app.run_once()
    latest = slack.top_level("CALERTS")[-1]
    history = next(b for b in latest["blocks"] if b.get("block_id") == "history")["text"]["text"]
    assert "Earlier from @same" in history and "answered in 10 min by @sklep_demo" in history


DONE_FEED = [
    {
        "platform": "x",
        "id": "100",
        "author": "@ania",
        "text": "Zamówienie nie dotarło od tygodnia!",
        "created_at": "-5s",
        "lang": "pl",
    },
    {
        "platform": "x",
        "id": "101",
        "author": "@bela",
        "text": "love the new sweaters",
        "created_at": "-5s",
        "lang": "en",
    },
    {
        "platform": "facebook",
        "id": "p_200",
        "author": "Kovács Béla",
        "text": "A csomag nem érkezett meg, refund?",
        "created_at": "-2s",
        "lang": "hu",
    },
    {
        "platform": "x",
        "id": "102",
        "author": "@olga",
        "text": "Заказ не пришёл, broken promises",
        "created_at": "+3s",
        "lang": "ru",
    },
    {
        "platform": "x",
        "id": "900",
        "author": "@sklep_demo",
        "text": "Przepraszamy, sprawdzamy!",
        "created_at": "+15s",
        "in_reply_to": "100",
        "from_brand": True,
    },
]


def test_done_when_replay_feed_against_fake_slack(slack_settings, clock, fake_slack, tmp_path) -> None:
    """`replyclock run` on a replay feed with a 40 s response time and a reminder at 20 s left."""
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(json.dumps(item, ensure_ascii=False) for item in DONE_FEED) + "\n", encoding="utf-8")
    settings = slack_settings(
        sla={"response_time": "40s", "reminders": ["20s"]},
        sources={"replay": {"enabled": True, "path": str(feed), "poll_every": "1s"}},
    )
    app = App.build(settings, clock, analyzer=KeywordAnalyzer())
    slack = fake_slack.slack
    try:
        for _ in range(80):  # 80 seconds, one tick a second like run_forever
            app.run_once()
            clock.advance(S)
    finally:
        app.close()
    alerts = slack.top_level("CALERTS")
    refs = sorted(m["metadata"]["event_payload"]["ref"] for m in alerts)
    assert refs == ["facebook:p_200", "x:100", "x:102"], "exactly one alert per complaint, none for praise"
    by_ref = {m["metadata"]["event_payload"]["ref"]: m for m in alerts}
    # each countdown was updated while it ran
    updated = {u.args["ts"] for u in slack.methods("chat.update")}
    assert {m["ts"] for m in alerts} <= updated
    # the answered one shows the final state and got no reminder (answered 20 s after posting: 20 s left)
    answered = by_ref["x:100"]
    assert "*Answered in 20 s* by @sklep_demo" in clock_text(answered)
    for ref in ("facebook:p_200", "x:102"):
        thread = slack.replies("CALERTS", by_ref[ref]["ts"])
        assert len(thread) == 1 and "left" in thread[0]["text"], ref
        assert ":red_circle: *Breached*" in clock_text(by_ref[ref])
    managers = slack.top_level("CMANAGERS")
    assert sorted(m["metadata"]["event_payload"]["ref"] for m in managers) == ["facebook:p_200", "x:102"]


def test_an_answer_the_platform_dates_ahead_of_our_clock_closes_the_alert(rig, clock, fake_slack) -> None:
    app, source = rig
    slack = fake_slack.slack
    source.add(post(clock, "8", "my parcel never arrived", ago=0 * M))
    app.run_once()
    run_for(app, clock, 12 * M)
    # the platform's clock runs 40 s ahead of ours: the answer is fetched "before" it was written
    source.add(
        Reply(platform="x", external_id="r8", in_reply_to="8", created_at=clock.now() + 40 * S, author="@sklep_demo")
    )
    app.run_once()
    run_for(app, clock, 3 * M)
    message = slack.top_level("CALERTS")[0]
    assert ":white_check_mark: *Answered in 12 min* by @sklep_demo" in clock_text(message)
    assert "left" not in clock_text(message), "no countdown left running on an answered complaint"
    [record] = report_records(app.store.escalations(), app.engine.policy, clock.now())
    assert record["outcome"] == "responded" and record["response_minutes"] == 12.0
