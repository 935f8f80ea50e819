"""A post dated after we first saw it (the platform's clock ahead of ours, or ours behind) never gives
the team more time than the policy allows: its clock starts when we first saw it."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from alerts.report import report_records
from app import App
from monitor.models import Mention, Reply
from tests.fakes import FakeSource, KeywordAnalyzer, RecordingNotifier

pytestmark = pytest.mark.any_db

M = timedelta(minutes=1)


@pytest.fixture
def rig(make_settings, clock):
    source, notifier = FakeSource(), RecordingNotifier()
    app = App.build(make_settings(), clock, sources=[source], notifiers=[notifier], analyzer=KeywordAnalyzer())
    yield app, source, notifier
    app.close()


def post(eid: str, created_at) -> Mention:
    return Mention(
        platform="x", external_id=eid, author=f"@c{eid}", text="my parcel never arrived", created_at=created_at
    )


def iso(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def skew_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "dated" in r.getMessage()]


def test_a_post_dated_20_minutes_ahead_breaches_60_minutes_after_it_was_seen(rig, clock, caplog) -> None:
    caplog.set_level(logging.INFO)
    app, source, rec = rig
    seen = clock.now()
    source.add(post("1", seen + 20 * M))
    app.run_once()
    app.run_once()
    [escalation] = app.store.escalations()
    clock.advance(30 * M)  # 30 minutes left of the 60 since it was seen
    app.run_once()
    assert rec.kinds(escalation.id) == ["opened", "reminder"]
    clock.advance(29 * M)
    app.run_once()
    assert rec.kinds(escalation.id) == ["opened", "reminder", "reminder"]
    clock.advance(1 * M)  # 60 minutes since it was seen, 40 after its own date
    app.run_once()
    assert rec.kinds(escalation.id)[-1] == "breached"

    [record] = report_records(app.store.escalations(), app.engine.policy, clock.now())
    assert record["created_at"] == iso(seen + 20 * M)  # as the platform said
    assert record["deadline"] == iso(seen + 60 * M)
    assert record["clock_started_at"] == iso(seen)
    [warning] = skew_warnings(caplog)  # once, although the mention was polled and ticked many times
    assert "x 1" in warning and "20 min" in warning
    opened = app.store.events(escalation.id)[0]
    assert opened.detail == "seen 20 min before the time it is dated: the clock starts when it was seen"


def test_an_answer_to_a_post_dated_ahead_is_timed_from_when_it_was_seen(rig, clock) -> None:
    app, source, _ = rig
    seen = clock.now()
    source.add(post("1", seen + 10 * M))
    app.run_once()
    clock.advance(5 * M)
    source.add(Reply(platform="x", external_id="r1", in_reply_to="1", created_at=clock.now(), author="@shop"))
    app.run_once()
    [record] = report_records(app.store.escalations(), app.engine.policy, clock.now())
    assert record["outcome"] == "responded"
    assert record["response_minutes"] == 5.0  # not -5.0: the answer came 5 minutes after we saw the post


def test_a_small_skew_is_not_worth_a_warning_but_still_gives_no_extra_time(rig, clock, caplog) -> None:
    caplog.set_level(logging.INFO)
    app, source, _ = rig
    seen = clock.now()
    source.add(post("1", seen + 3 * M), post("2", seen - 7 * M))
    app.run_once()
    records = {r["external_id"]: r for r in report_records(app.store.escalations(), app.engine.policy, clock.now())}
    assert records["1"]["deadline"] == iso(seen + 60 * M)
    assert records["2"]["deadline"] == iso(seen + 53 * M)  # an ordinary post: the clock starts at its own time
    assert skew_warnings(caplog) == []


def test_an_answer_dated_before_its_post_reads_as_answered_at_once_not_in_negative_minutes(rig, clock) -> None:
    app, source, _ = rig
    source.add(post("1", clock.now() - 2 * M))
    app.run_once()
    clock.advance(M)
    # the platform dates the answer a few seconds before the post (its clocks disagree)
    source.add(Reply(platform="x", external_id="r1", in_reply_to="1", created_at=clock.now() - 4 * M, author="@shop"))
    app.run_once()
    [record] = report_records(app.store.escalations(), app.engine.policy, clock.now())
    assert record["outcome"] == "responded"
    assert record["response_minutes"] == 0.0
