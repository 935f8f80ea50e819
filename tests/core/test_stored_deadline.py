"""An escalation's deadline is decided when it opens and stored: a later change of `sla.response_time`
applies to new escalations only, and never re-judges old ones in the clock, the report or the status."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

import daemon
from alerts.report import report_records
from app import App, store_summary
from monitor.models import EventKind, Mention, Reply
from tests.fakes import FakeSource, KeywordAnalyzer, RecordingNotifier

pytestmark = pytest.mark.any_db

M = timedelta(minutes=1)


def build(make_settings, clock, source, notifier, response_time: str, reminders: list[str]) -> App:
    settings = make_settings(sla={"response_time": response_time, "reminders": reminders})
    return App.build(settings, clock, sources=[source], notifiers=[notifier], analyzer=KeywordAnalyzer())


def post(clock, eid: str) -> Mention:
    return Mention(
        platform="x", external_id=eid, author=f"@c{eid}", text="my parcel never arrived", created_at=clock.now()
    )


def answer(clock, eid: str, to: str) -> Reply:
    return Reply(platform="x", external_id=eid, in_reply_to=to, created_at=clock.now(), author="@shop")


def test_an_answer_in_45_minutes_under_a_60_minute_policy_stays_in_time_after_it_becomes_30(
    make_settings, clock, db_url, tmp_path, capsys
) -> None:
    source, rec = FakeSource(), RecordingNotifier()
    start = clock.now()
    app = build(make_settings, clock, source, rec, "60m", ["30m", "10m"])
    try:
        source.add(post(clock, "1"))
        app.run_once()
        clock.advance(45 * M)
        source.add(answer(clock, "r1", "1"))
        app.run_once()
    finally:
        app.close()

    # the manager tightens the policy; last month's report must not change
    app = build(make_settings, clock, source, RecordingNotifier(), "30m", ["10m"])
    try:
        app.run_once()
        [record] = report_records(app.store.escalations(), app.engine.policy, clock.now())
        [escalation] = app.store.escalations()
        assert app.store.events(escalation.id)[-1].kind == EventKind.RESPONDED  # no breach recorded
    finally:
        app.close()
    assert record["outcome"] == "responded"
    assert record["response_minutes"] == 45.0
    assert record["deadline"] == (start + 60 * M).isoformat().replace("+00:00", "Z")
    assert record["sla_minutes"] == 60

    # and `replyclock report` itself, reading the new policy from the config
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"storage:\n  url: {db_url}\nsla:\n  response_time: 30m\n  reminders: [10m]\n", encoding="utf-8")
    assert daemon.main(["--config", str(cfg), "report", "--format", "json"]) == 0
    [printed] = json.loads(capsys.readouterr().out)
    assert printed["outcome"] == "responded" and printed["deadline"] == record["deadline"]


@pytest.mark.parametrize(
    ("before", "changed_at_minute", "after", "breached_at_minute"),
    [
        (("60m", ["30m", "10m"]), 35, ("30m", ["10m"]), 60),  # shortened: the old one keeps its hour
        (("30m", ["10m"]), 25, ("60m", ["30m", "10m"]), 30),  # lengthened: the old one still breaches at 30
    ],
)
def test_a_policy_change_applies_to_new_escalations_only(
    make_settings, clock, before, changed_at_minute, after, breached_at_minute
) -> None:
    source = FakeSource()
    start = clock.now()
    app = build(make_settings, clock, source, RecordingNotifier(), *before)
    try:
        source.add(post(clock, "old"))
        app.run_once()
    finally:
        app.close()

    clock.advance(changed_at_minute * M)
    rec = RecordingNotifier()
    app = build(make_settings, clock, source, rec, *after)
    try:
        source.add(post(clock, "new"))
        app.run_once()
        opened_new = clock.now()
        old = next(e for e in app.store.escalations() if e.external_id == "old")
        minute = changed_at_minute
        while minute < breached_at_minute - 1:
            clock.advance(M)
            minute += 1
            app.run_once()
            summary = store_summary(app.store, app.engine.policy, clock.now())
            assert "breached" not in rec.kinds(old.id), minute
            assert summary.overdue == 0, minute
        clock.advance(M)
        app.run_once()
        assert rec.kinds(old.id)[-1] == "breached"
        assert store_summary(app.store, app.engine.policy, clock.now()).overdue == 1
        assert [e.kind for e in app.store.events(old.id)][-1] == EventKind.BREACHED
        assert app.store.escalation(old.id).breached_at == start + breached_at_minute * M
        deadlines = {
            r["external_id"]: r["deadline"]
            for r in report_records(app.store.escalations(), app.engine.policy, clock.now())
        }
    finally:
        app.close()
    assert deadlines == {
        "old": (start + int(before[0][:-1]) * M).isoformat().replace("+00:00", "Z"),
        "new": (opened_new + int(after[0][:-1]) * M).isoformat().replace("+00:00", "Z"),
    }


def test_reminders_count_back_from_the_stored_deadline(make_settings, clock) -> None:
    source = FakeSource()
    start = clock.now()
    app = build(make_settings, clock, source, RecordingNotifier(), "60m", ["30m", "10m"])
    try:
        source.add(post(clock, "1"))
        app.run_once()
    finally:
        app.close()
    # the new policy reminds 20 and 5 minutes before the deadline: the old clock's deadline, at 60
    clock.advance(35 * M)
    rec = RecordingNotifier()
    app = build(make_settings, clock, source, rec, "30m", ["20m", "5m"])
    try:
        app.run_once()
        assert rec.kinds() == []
        clock.advance(5 * M)  # 40: 20 minutes before the stored deadline
        app.run_once()
        assert rec.kinds() == ["reminder"]
        assert rec.delivered[-1].payload == {"point_seconds": 20 * 60}
        clock.advance(15 * M)  # 55
        app.run_once()
        assert rec.kinds() == ["reminder", "reminder"]
        assert clock.now() == start + 55 * M
    finally:
        app.close()
