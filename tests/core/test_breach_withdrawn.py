"""A breach told to the managers, then an answer fetched late that was written before the deadline.

The platform can show the team's answer late (a Facebook post read again, an X page resumed): the
breach was recorded and posted, but the customer had been answered in time. The breach is withdrawn:
the event log says when it was found, the notifiers tell the managers, the SLA log counts the
escalation as answered in time with a note, "breaches today" leaves it out (naming it apart), and the
metrics count the withdrawal on a counter of its own. An answer written after the deadline and
fetched late is no such thing: it stays a breach, answered late.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from alerts.console import ConsoleNotifier
from alerts.report import render_json, render_table, report_records, summary_lines
from app import App, escalation_summary
from monitor.health import render_status
from monitor.models import EventKind, Mention, Outcome, Reply
from tests.fakes import REPORT_FIELDS, FakeSource, KeywordAnalyzer, RecordingNotifier

pytestmark = pytest.mark.any_db

M = timedelta(minutes=1)
H = timedelta(hours=1)


@pytest.fixture
def rig(make_settings, clock):
    source = FakeSource()
    notifier = RecordingNotifier()
    app = App.build(
        make_settings(metrics={"enabled": True, "listen": "127.0.0.1:9464"}),
        clock,
        sources=[source],
        notifiers=[notifier],
        analyzer=KeywordAnalyzer(),
    )
    yield app, source, notifier
    app.close()


def breached_then_answered(app, source, clock, written_after: timedelta, fetched_after: timedelta, ago=M):
    """A complaint posted `ago` before now; its deadline passes (the breach is told); then the shop's answer,
    written `written_after` the post, is fetched `fetched_after` the post. Returns (escalation, answered_at)."""
    source.add(Mention(platform="x", external_id="1", author="@c1", text="my parcel never arrived",
                       created_at=clock.now() - ago))  # fmt: skip
    app.run_once()
    [esc] = app.store.escalations()
    answered_at = esc.clock_started_at + written_after
    clock.advance(esc.deadline - clock.now() + M)
    app.run_once()
    assert app.store.escalation(esc.id).breached_at is not None
    clock.advance(esc.clock_started_at + fetched_after - clock.now())
    source.add(Reply(platform="x", external_id="r1", in_reply_to="1", created_at=answered_at, author="@shop"))
    app.run_once()
    app.run_once()
    return app.store.escalation(esc.id), answered_at


def test_the_breach_is_withdrawn_in_the_event_log_when_the_in_time_answer_is_found(rig, clock) -> None:
    app, source, rec = rig
    esc, answered_at = breached_then_answered(app, source, clock, 40 * M, 70 * M)
    found_at = esc.clock_started_at + 70 * M
    assert esc.first_response_at == answered_at and esc.breach_withdrawn_at == found_at
    assert esc.breached_at == esc.deadline  # the breach that was told stays in the log
    events = app.store.events(esc.id)
    [withdrawn] = [e for e in events if e.kind == EventKind.BREACH_WITHDRAWN]
    assert withdrawn.at == found_at
    assert "answered 40m after the post" in withdrawn.detail and "within the 60m SLA" in withdrawn.detail
    # once, after the answer that shows it: told to the notifiers like every other change
    assert rec.kinds(esc.id) == ["opened", "breached", "responded", "breach_withdrawn"]
    [note] = [n for n in rec.delivered if n.kind == "breach_withdrawn"]
    assert note.status.outcome == Outcome.RESPONDED and not note.status.breached
    assert note.breach_result.get("status") == "sent"  # what telling the breach left, for the correction


def test_an_answer_written_after_the_deadline_and_fetched_late_stays_a_breach(rig, clock) -> None:
    app, source, rec = rig
    esc, answered_at = breached_then_answered(app, source, clock, 65 * M, 80 * M)
    assert esc.first_response_at == answered_at and esc.breach_withdrawn_at is None
    assert EventKind.BREACH_WITHDRAWN not in [e.kind for e in app.store.events(esc.id)]
    assert rec.kinds(esc.id) == ["opened", "breached", "responded"]
    [record] = report_records([esc], app.engine.policy, clock.now())
    assert record["outcome"] == "breached" and record["breach_withdrawn_at"] is None


def test_a_late_find_answered_in_time_is_withdrawn_too(rig, clock) -> None:
    """Already past its deadline when first seen (told in the managers' digest), its in-time answer found later."""
    app, source, rec = rig
    esc, _ = breached_then_answered(app, source, clock, 30 * M, 100 * M, ago=70 * M)
    assert esc.late_when_seen and esc.breach_withdrawn_at is not None
    assert rec.kinds(esc.id)[-1] == "breach_withdrawn"


def test_the_report_counts_it_answered_in_time_and_says_the_breach_was_withdrawn(rig, clock) -> None:
    app, source, _ = rig
    esc, _ = breached_then_answered(app, source, clock, 40 * M, 70 * M)
    [record] = report_records([esc], app.engine.policy, clock.now())
    assert set(record) >= REPORT_FIELDS  # only fields added
    assert record["outcome"] == "responded" and record["response_minutes"] == 40.0
    assert record["overdue_minutes"] is None
    assert record["breached_at"] is not None  # when the breach was recorded and told, as before
    assert record["breach_withdrawn_at"] == (esc.clock_started_at + 70 * M).isoformat().replace("+00:00", "Z")
    assert json.loads(render_json([record]))[0]["breach_withdrawn_at"] == record["breach_withdrawn_at"]
    table = render_table([record])
    [row] = [line for line in table.splitlines() if line.startswith(f"{esc.id:>4}  ")]
    assert "responded" in row and "40 min" in row and "breach withdrawn" in row
    lines = summary_lines([record])
    assert "within SLA: 1/1 (100%)" in lines
    assert any(line.startswith("breach posts withdrawn: 1") for line in lines), lines


def test_breaches_today_leave_a_withdrawn_breach_out_and_name_it(rig, clock) -> None:
    app, source, _ = rig
    breached_then_answered(app, source, clock, 40 * M, 70 * M)
    summary = escalation_summary([], app.store.escalations(), app.engine.policy, clock.now(), UTC)
    assert summary.breaches_today == 0 and summary.breaches_withdrawn_today == 1
    snapshot = app.observe()  # what `replyclock status` reads from status.json
    assert snapshot.escalations == summary
    text, _ = render_status(snapshot, None, clock.now(), silent_after=2 * H, snapshot_path=Path("status.json"))
    assert "breaches today: 0; 1 breach post withdrawn (answered in time, the answer found late)" in text, text


def test_the_metrics_count_the_breach_and_its_withdrawal_apart(rig, clock) -> None:
    from tests.ops.test_metrics import value

    app, source, _ = rig
    breached_then_answered(app, source, clock, 40 * M, 70 * M)
    app.observe()
    text = app.metrics.render().decode()
    assert value(text, "replyclock_breaches_total", platform="x") == 1  # a counter never goes down
    assert value(text, "replyclock_breaches_withdrawn_total", platform="x") == 1


def test_the_console_says_the_breach_is_withdrawn(make_settings, clock) -> None:
    out = io.StringIO()
    source = FakeSource()
    app = App.build(
        make_settings(),
        clock,
        sources=[source],
        notifiers=[ConsoleNotifier(out, live=False)],
        analyzer=KeywordAnalyzer(),
    )
    try:
        breached_then_answered(app, source, clock, 40 * M, 70 * M)
    finally:
        app.close()
    [line] = [line for line in out.getvalue().splitlines() if line.startswith("WITHDRAWN")]
    assert "breach withdrawn — answered in 40 min" in line and "within 1 h 00 min" in line, line


def test_the_pending_pair_carries_the_breach_so_the_engine_reads_no_escalation_to_decide(
    rig, clock, monkeypatch
) -> None:
    """Whether an answer withdraws a breach needs the escalation only once a breach was recorded: the
    pending pair carries `breached_at`, and an answer to one never breached is matched without reading it."""
    app, source, _ = rig
    source.add(Mention(platform="x", external_id="1", author="@c1", text="my parcel never arrived",
                       created_at=clock.now() - M))  # fmt: skip
    source.add(Mention(platform="x", external_id="2", author="@c2", text="my parcel never arrived",
                       created_at=clock.now() - M))  # fmt: skip
    app.run_once()
    one, two = sorted(app.store.escalations(), key=lambda e: e.external_id)
    clock.advance(one.deadline - clock.now() + M)
    app.run_once()  # both breach
    assert app.store.escalation(one.id).breached_at == one.deadline
    source.add(Mention(platform="x", external_id="3", author="@c3", text="my parcel never arrived",
                       created_at=clock.now()))  # fmt: skip
    app.run_once()
    three = next(e for e in app.store.escalations() if e.external_id == "3")
    for ext in ("1", "3"):
        source.add(Reply(platform="x", external_id=f"r{ext}", in_reply_to=ext, created_at=clock.now(), author="@shop"))
    app.poller.poll_all()
    pending = {p.escalation_id: p for p in app.store.pending_responses()}
    assert pending[one.id].breached_at == one.deadline and pending[three.id].breached_at is None
    assert two.id not in pending
    reads: list[int] = []
    read = app.store.escalation
    monkeypatch.setattr(app.store, "escalation", lambda i: reads.append(i) or read(i))
    report = app.engine.tick()
    assert sorted(report.responded) == sorted([one.id, three.id]) and report.withdrawn == []
    # #3: once, after its answer is recorded (for the log line); #1, breached: before, to decide, and after
    assert reads.count(three.id) == 1 and reads.count(one.id) == 2, reads
