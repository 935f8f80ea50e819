"""A breach told in Slack, withdrawn when an answer written before the deadline is found after it.

Against the fake Slack: the managers read the correction where they read the breach (in the thread of
its post, also shown in the channel), the alert shows the answer in time, and a breach not yet told
when it is withdrawn is never told.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta

import pytest

from app import App
from monitor.models import Mention, Reply
from tests.fakes import FakeSource, KeywordAnalyzer
from tests.fakes import complaint_post as post

M = timedelta(minutes=1)
H = timedelta(hours=1)
S = timedelta(seconds=1)


def clock_text(message) -> str:
    return next(b["text"]["text"] for b in message["blocks"] if b.get("block_id") == "clock")


@pytest.fixture
def build(slack_settings, clock):
    apps = []

    def make(**slack):
        source = FakeSource()
        app = App.build(slack_settings(slack=slack), clock, sources=[source], analyzer=KeywordAnalyzer())
        apps.append(app)
        return app, source

    yield make
    for app in apps:
        app.close()


def complain(app, source, clock, ago=0 * M):
    source.add(
        Mention(
            platform="x",
            external_id="1",
            author="@ola",
            text="my parcel never arrived",
            created_at=clock.now() - ago,
            url="https://x.com/ola/status/1",
        )
    )
    app.run_once()
    [esc] = app.store.escalations()
    return esc


def answer_found(app, source, clock, esc, written_after, found_after):
    clock.advance(esc.clock_started_at + found_after - clock.now())
    source.add(
        Reply(
            platform="x",
            external_id="r1",
            in_reply_to="1",
            created_at=esc.clock_started_at + written_after,
            author="@sklep_demo",
        )
    )
    app.run_once()
    app.run_once()


def test_the_managers_get_the_correction_in_the_thread_of_the_breach_post(build, clock, fake_slack) -> None:
    app, source = build()
    slack = fake_slack.slack
    esc = complain(app, source, clock)
    clock.advance(60 * M + 10 * S)
    app.run_once()
    [breach] = slack.top_level("CMANAGERS")
    assert "*SLA breached*" in breach["text"]

    answer_found(app, source, clock, esc, 40 * M, 70 * M)
    assert slack.top_level("CMANAGERS") == [breach]  # no second top-level post...
    [correction] = slack.replies("CMANAGERS", breach["ts"])  # ...the correction is in its thread
    text = correction["text"]
    assert text.startswith(":white_check_mark: *Breach withdrawn*"), text
    assert "@ola" in text and "40 min after the post" in text and "within the 1 h 00 min" in text
    assert f"<!date^{int((esc.clock_started_at + 40 * M).timestamp())}^" in text  # answered at HH:MM
    [call] = [c for c in slack.methods("chat.postMessage") if c.args.get("thread_ts") == breach["ts"]]
    assert str(call.args.get("reply_broadcast")).lower() == "true"  # shown in the channel too
    # the team's alert: answered in time, and why a breach was told
    alert = slack.top_level("CALERTS")[0]
    clock_line = clock_text(alert)
    assert ":white_check_mark: *Answered in 40 min*" in clock_line
    assert "breach" in clock_line and "withdrawn" in clock_line

    app.run_once()
    clock.advance(5 * M)
    app.run_once()
    assert len(slack.replies("CMANAGERS", breach["ts"])) == 1  # told once


def _breached_without_managers(build, clock, fake_slack):
    """A complaint breached with no managers' channel: the app, its source, Slack, the escalation, the alert and
    the breach note in the alert's thread."""
    app, source = build(managers_channel=None)
    slack = fake_slack.slack
    esc = complain(app, source, clock)
    clock.advance(61 * M)
    app.run_once()
    alert = slack.top_level("CALERTS")[0]
    [note] = [m for m in slack.replies("CALERTS", alert["ts"]) if "response time is over" in m["text"]]
    return app, source, slack, esc, alert, note


def test_without_a_managers_channel_the_correction_goes_in_the_alerts_thread(build, clock, fake_slack) -> None:
    app, source, slack, esc, alert, note = _breached_without_managers(build, clock, fake_slack)
    assert app.store.outbox_entry("slack", f"{esc.id}:breached").result["thread_note_ts"] == note["ts"]

    answer_found(app, source, clock, esc, 40 * M, 75 * M)
    corrections = [m for m in slack.replies("CALERTS", alert["ts"]) if m["text"].startswith(":white_check_mark:")]
    assert [m["ts"] for m in corrections] == [note["ts"], corrections[1]["ts"]]  # the note edited, then the correction
    assert "40 min after the post" in corrections[1]["text"]
    # nobody reading the thread is left with a breach that did not happen: the note itself says so
    edited = slack.find("CALERTS", note["ts"])["text"]
    assert edited.startswith(":white_check_mark: ~The response time is over~ *Breach withdrawn*"), edited
    assert "within the 1 h 00 min SLA" in edited and "after this note was posted" in edited
    assert slack.top_level("CMANAGERS") == []
    run_for(app, clock, 2 * M)
    assert len([m for m in slack.replies("CALERTS", alert["ts"]) if "Breach withdrawn" in m["text"]]) == 2  # once each
    entry = app.store.outbox_entry("slack", f"{esc.id}:breach_withdrawn")
    assert entry is not None and entry.status == "sent" and entry.result["breach_edited_at"]


def test_a_breach_note_deleted_from_the_alerts_thread_gets_the_correction_all_the_same(
    build, clock, fake_slack
) -> None:
    app, source, slack, esc, alert, note = _breached_without_managers(build, clock, fake_slack)
    slack.delete("CALERTS", note["ts"])

    answer_found(app, source, clock, esc, 40 * M, 75 * M)
    run_for(app, clock, 1 * M)
    [correction] = [m for m in slack.replies("CALERTS", alert["ts"]) if "Breach withdrawn" in m["text"]]
    assert "40 min after the post" in correction["text"]
    entry = app.store.outbox_entry("slack", f"{esc.id}:breach_withdrawn")
    assert entry is not None and entry.status == "sent" and entry.result["breach_edit"] == "message_not_found"


def test_a_breach_not_yet_told_when_it_is_withdrawn_is_never_told(build, clock, fake_slack) -> None:
    """The managers' channel failed when the breach was due; by the time it works the answer was found."""
    app, source = build()
    slack = fake_slack.slack
    esc = complain(app, source, clock)
    slack.fail("chat.postMessage", status=500, times=50, channel="CMANAGERS")
    clock.advance(61 * M)
    app.run_once()
    assert slack.messages.get("CMANAGERS", []) == []
    slack._failures.clear()
    answer_found(app, source, clock, esc, 40 * M, 62 * M)
    for _ in range(3):
        clock.advance(30 * S)
        app.run_once()
    assert slack.messages.get("CMANAGERS", []) == []  # neither the breach nor a correction of it
    assert ":white_check_mark: *Answered in 40 min*" in clock_text(slack.top_level("CALERTS")[0])
    breach = app.store.outbox_entry("slack", f"{esc.id}:breached")
    withdrawn = app.store.outbox_entry("slack", f"{esc.id}:breach_withdrawn")
    assert breach is not None and breach.status == "sent" and "skipped" in breach.result
    assert withdrawn is not None and withdrawn.status == "sent" and "skipped" in withdrawn.result


def test_a_late_find_told_in_the_digest_is_withdrawn_in_the_managers_channel(build, clock, fake_slack) -> None:
    app, source = build()
    slack = fake_slack.slack
    esc = complain(app, source, clock, ago=70 * M)  # already late when first seen
    for _ in range(3):
        clock.advance(10 * S)
        app.run_once()
    [digest] = slack.top_level("CMANAGERS")
    assert "already past" in digest["text"]

    answer_found(app, source, clock, esc, 30 * M, 90 * M)
    posts = slack.top_level("CMANAGERS")
    assert len(posts) == 2 and posts[0] == digest
    assert posts[1]["text"].startswith(":white_check_mark: *Breach withdrawn*")
    assert "30 min after the post" in posts[1]["text"]


def late_finds_with_the_managers_down(app, source, clock, slack, *eids_ago):
    """Complaints already late when first seen, while the managers' channel fails: their digest waits."""
    slack.fail("chat.postMessage", status=503, times=100, channel="CMANAGERS")
    source.add(*(post(clock, eid, ago) for eid, ago in eids_ago))
    app.run_once()
    escalations = {e.external_id: e for e in app.store.escalations()}
    assert slack.messages.get("CMANAGERS", []) == []
    return escalations


def run_for(app, clock, duration, step=5 * S):
    end = clock.now() + duration
    while clock.now() < end:
        clock.advance(step)
        app.run_once()


def answered_in_time(source, esc, written_after=30 * M):
    source.add(
        Reply(
            platform="x",
            external_id=f"r{esc.external_id}",
            in_reply_to=esc.external_id,
            created_at=esc.clock_started_at + written_after,
            author="@sklep_demo",
        )
    )


def test_a_digest_delivered_after_a_withdrawal_lists_only_the_breaches_left(build, clock, fake_slack) -> None:
    """The digest waited (managers' channel down); meanwhile one of its late finds turned out answered in time."""
    app, source = build()
    slack = fake_slack.slack
    late = late_finds_with_the_managers_down(app, source, clock, slack, ("1", 2 * H), ("2", 3 * H))
    withdrawn, kept = late["2"], late["1"]  # the longest overdue is withdrawn
    answered_in_time(source, withdrawn)
    app.run_once()
    assert app.store.escalation(withdrawn.id).breach_withdrawn_at is not None
    slack._failures.clear()
    run_for(app, clock, 2 * M)

    [digest] = slack.top_level("CMANAGERS")  # the digest, and no correction of a breach never shown here
    text = digest["text"]
    assert "*1 complaint was already past its deadline" in text, text
    assert f"#{kept.id}" in text and "@c1" in text
    assert f"#{withdrawn.id}" not in text and "@c2" not in text
    assert "Longest overdue: @c1 on X, 1 h 00 min past its deadline" in text  # from what remains
    # the team reads the correction where the late find was told: the note in its alert's thread
    alert = next(m for m in slack.top_level("CALERTS") if m["metadata"]["event_payload"]["escalation"] == withdrawn.id)
    assert any("Breach withdrawn" in m["text"] for m in slack.replies("CALERTS", alert["ts"]))
    assert all(e.status == "sent" for e in app.store.outbox_entries("slack"))


def test_a_digest_whose_late_finds_were_all_withdrawn_is_not_posted(build, clock, fake_slack) -> None:
    app, source = build()
    slack = fake_slack.slack
    late = late_finds_with_the_managers_down(app, source, clock, slack, ("1", 2 * H))
    answered_in_time(source, late["1"])
    app.run_once()
    slack._failures.clear()
    run_for(app, clock, 2 * M)

    assert slack.messages.get("CMANAGERS", []) == []  # neither a digest nor a correction
    [entry] = [e for e in app.store.outbox_entries("slack") if e.kind == "late_digest"]
    assert entry.status == "sent" and "skipped" in entry.result
    alert = slack.top_level("CALERTS")[0]
    assert ":white_check_mark: *Answered in 30 min*" in clock_text(alert)
    assert any("Breach withdrawn" in m["text"] for m in slack.replies("CALERTS", alert["ts"]))


def breach_told(app, source, clock, slack):
    """A complaint whose deadline passes: the managers' breach post, and the link it gives to the alert."""
    esc = complain(app, source, clock)
    clock.advance(60 * M + 10 * S)
    app.run_once()
    [breach] = slack.top_level("CMANAGERS")
    link = re.search(r"<(https://[^|>]+)\|the alert>", breach["text"])
    assert link is not None, breach["text"]
    return esc, breach, link.group(1)


def updates_of(slack, channel: str) -> list:
    return [c for c in slack.methods("chat.update") if c.args.get("channel") == channel]


def test_the_managers_breach_post_itself_is_marked_withdrawn(build, clock, fake_slack) -> None:
    """Managers scanning the channel must not read a breach that did not happen: the post itself says so."""
    app, source = build()
    slack = fake_slack.slack
    esc, breach, link = breach_told(app, source, clock, slack)

    answer_found(app, source, clock, esc, 40 * M, 70 * M)
    post_now = slack.find("CMANAGERS", breach["ts"])
    assert post_now is not None and post_now["edited"] == 1
    text = post_now["text"]
    assert text.startswith(":white_check_mark: ~SLA breached~ *Breach withdrawn*"), text
    assert ":red_circle:" not in text and "has had no answer" not in text
    answered = f"answered at <!date^{int((esc.clock_started_at + 40 * M).timestamp())}^"
    assert answered in text and "40 min after the post" in text and "within the 1 h 00 min SLA" in text
    assert f"<{link}|the alert>" in text  # the link to the alert stays
    shown = "\n".join(json.dumps(block) for block in post_now["blocks"])
    assert "*Breach withdrawn*" in shown and answered in shown and "within the 1 h 00 min SLA" in shown
    assert link in shown and "@ola" in shown
    [correction] = slack.replies("CMANAGERS", breach["ts"])  # the correction in its thread, as before
    assert correction["text"].startswith(":white_check_mark: *Breach withdrawn*")

    for _ in range(3):
        clock.advance(1 * M)
        app.run_once()
    assert len(updates_of(slack, "CMANAGERS")) == 1 and len(slack.replies("CMANAGERS", breach["ts"])) == 1
    entry = app.store.outbox_entry("slack", f"{esc.id}:breach_withdrawn")
    assert entry is not None and entry.status == "sent" and entry.result["breach_edited_at"]


def test_an_edit_slack_refuses_for_now_is_retried_and_the_correction_posted_once(
    build, clock, fake_slack, caplog
) -> None:
    app, source = build()
    slack = fake_slack.slack
    esc, breach, _ = breach_told(app, source, clock, slack)
    slack.fail("chat.update", status=429, retry_after=7, channel="CMANAGERS")
    slack.fail("chat.update", status=500, times=2, channel="CMANAGERS")

    answer_found(app, source, clock, esc, 40 * M, 70 * M)
    assert "Breach withdrawn" not in slack.find("CMANAGERS", breach["ts"])["text"]
    run_for(app, clock, 2 * M)
    assert len(updates_of(slack, "CMANAGERS")) == 4  # rate limited, failed twice, then done
    assert "*Breach withdrawn*" in slack.find("CMANAGERS", breach["ts"])["text"]
    assert len(slack.replies("CMANAGERS", breach["ts"])) == 1  # the correction once
    entry = app.store.outbox_entry("slack", f"{esc.id}:breach_withdrawn")
    assert entry is not None and entry.status == "sent"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # no job failed


def test_a_breach_post_deleted_by_then_gets_the_correction_on_its_own(build, clock, fake_slack) -> None:
    app, source = build()
    slack = fake_slack.slack
    esc, breach, _ = breach_told(app, source, clock, slack)
    slack.delete("CMANAGERS", breach["ts"])

    answer_found(app, source, clock, esc, 40 * M, 70 * M)
    run_for(app, clock, 1 * M)
    [correction] = slack.top_level("CMANAGERS")
    assert correction["text"].startswith(":white_check_mark: *Breach withdrawn*")
    entry = app.store.outbox_entry("slack", f"{esc.id}:breach_withdrawn")
    assert entry is not None and entry.status == "sent" and entry.result["breach_edit"] == "message_not_found"
