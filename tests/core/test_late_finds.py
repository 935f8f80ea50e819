"""Complaints already past their deadline when replyclock first sees them ("late finds").

On a first start (X's newest page, Facebook's look-back window) or after downtime, many posts
are found late at once. Each is still a breach in the SLA log, but the managers hear of them
in one digest per tick instead of one post each; the digest is an outbox entry of its own,
so a notifier failure or a restart does not lose it.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from alerts.console import ConsoleNotifier
from alerts.notify import DeliveryError
from alerts.report import render_table, report_records
from app import App
from monitor.models import EventKind, Mention, Reply
from tests.fakes import FakeSource, KeywordAnalyzer, RecordingNotifier

pytestmark = pytest.mark.any_db

M = timedelta(minutes=1)
H = timedelta(hours=1)
LATE_DETAIL = "already late when first seen"


def post(clock, eid: str, ago: timedelta, text: str = "my parcel never arrived") -> Mention:
    return Mention(platform="x", external_id=eid, author=f"@c{eid}", text=text, created_at=clock.now() - ago)


def build(make_settings, clock, source, notifier) -> App:
    return App.build(make_settings(), clock, sources=[source], notifiers=[notifier], analyzer=KeywordAnalyzer())


def by_external_id(app: App) -> dict[str, int]:
    return {e.external_id: e.id for e in app.store.escalations()}


def digests(app: App) -> list:
    return [e for e in app.store.outbox_entries() if e.kind == "late_digest"]


def test_a_first_start_records_each_late_find_as_a_breach_and_tells_the_managers_once(make_settings, clock) -> None:
    source, rec = FakeSource(), RecordingNotifier()
    app = build(make_settings, clock, source, rec)
    try:
        source.add(
            post(clock, "1", 3 * H),
            post(clock, "2", 70 * M),
            post(clock, "3", 2 * H),
            post(clock, "4", 5 * M),  # in time: an ordinary clock
        )
        app.run_once()
        app.run_once()  # idempotent: nothing is queued twice
        ids = by_external_id(app)
        late = [ids["1"], ids["2"], ids["3"]]
        for esc_id in late:
            escalation = app.store.escalation(esc_id)
            assert escalation.late_when_seen and escalation.breached_at == escalation.opened_at
            assert [(e.kind, e.detail) for e in app.store.events(esc_id) if e.kind == EventKind.BREACHED] == [
                (EventKind.BREACHED, LATE_DETAIL)
            ]
            # the team still gets the breach, marked, so its alert shows it overdue and explains why
            assert rec.kinds(esc_id) == ["opened", "breached"]
            (note,) = [n for n in rec.delivered if n.escalation.id == esc_id and n.kind == "breached"]
            assert note.payload["late_when_seen"] is True
        assert not app.store.escalation(ids["4"]).late_when_seen

        (digest,) = rec.digests
        assert [item.escalation.id for item in digest.items] == [ids["1"], ids["3"], ids["2"]], "longest overdue first"
        assert {item.reason for item in digest.items} == {"first_read"}
        assert all(item.escalation.source == "fake" for item in digest.items)
        (entry,) = digests(app)
        assert entry.escalation_id is None and entry.status == "sent"

        # an ordinary breach later is told on its own, as before, and makes no digest
        clock.advance(56 * M)
        app.run_once()
        note = rec.delivered[-1]
        assert (note.kind, note.escalation.id) == ("breached", ids["4"])
        assert not note.payload.get("late_when_seen")
        assert [e.detail for e in app.store.events(ids["4"]) if e.kind == EventKind.BREACHED] == [""]
        assert len(rec.digests) == 1
    finally:
        app.close()


def test_one_digest_per_tick_that_found_late_complaints(make_settings, clock) -> None:
    source, rec = FakeSource(), RecordingNotifier()
    app = build(make_settings, clock, source, rec)
    try:
        source.add(post(clock, "1", 2 * H), post(clock, "2", 90 * M))
        app.run_once()
        clock.advance(M)
        source.add(post(clock, "3", 4 * H))  # the look-back window read over a second poll
        app.run_once()
        ids = by_external_id(app)
        assert [[i.escalation.id for i in d.items] for d in rec.digests] == [[ids["1"], ids["2"]], [ids["3"]]]
        assert len({d.key for d in rec.digests}) == 2
    finally:
        app.close()


def test_the_digest_survives_a_failing_notifier_and_a_restart(make_settings, clock) -> None:
    source, rec = FakeSource(), RecordingNotifier()
    app = build(make_settings, clock, source, rec)
    try:
        rec.fail_digest_with = DeliveryError("Slack answered HTTP 503")
        source.add(post(clock, "1", 2 * H), post(clock, "2", 3 * H))
        app.run_once()
        (entry,) = digests(app)
        assert entry.status == "pending" and entry.attempts == 1
        assert rec.kinds() == ["opened", "opened", "breached", "breached"], "the rest went out"
    finally:
        app.close()

    # the process is restarted before the retry: the next one delivers the digest, once
    clock.advance(M)
    rec = RecordingNotifier()
    app = build(make_settings, clock, source, rec)
    try:
        app.run_once()
        app.run_once()
        (digest,) = rec.digests
        assert len(digest.items) == 2
        assert digests(app)[0].status == "sent"
        assert rec.kinds() == []
    finally:
        app.close()


def test_why_they_were_late_after_downtime(make_settings, clock) -> None:
    source, rec = FakeSource(), RecordingNotifier()
    app = build(make_settings, clock, source, rec)
    try:
        source.add(post(clock, "0", 0 * M, text="love it"))
        app.run_once()
    finally:
        app.close()

    clock.advance(10 * M)
    source.add(post(clock, "1", 0 * M))  # posted while replyclock was not running
    clock.advance(3 * H)
    rec = RecordingNotifier()
    app = build(make_settings, clock, source, rec)
    try:
        app.run_once()
        (digest,) = rec.digests
        assert [i.reason for i in digest.items] == ["not_running"]
    finally:
        app.close()


def test_why_they_were_late_when_the_source_fell_behind_while_running(make_settings, clock) -> None:
    source, rec = FakeSource(), RecordingNotifier()
    app = build(make_settings, clock, source, rec)
    try:
        source.add(post(clock, "0", 0 * M, text="love it"))
        app.run_once()
        clock.advance(5 * M)
        source.add(post(clock, "1", 0 * M))
        clock.advance(2 * H)  # e.g. the source was failing or rate limited all this time
        app.run_once()
        (digest,) = rec.digests
        assert [i.reason for i in digest.items] == ["source_behind"]
    finally:
        app.close()


def test_the_report_marks_late_finds_and_counts_them_apart(make_settings, clock) -> None:
    source, rec = FakeSource(), RecordingNotifier()
    app = build(make_settings, clock, source, rec)
    try:
        source.add(post(clock, "1", 2 * H), post(clock, "2", 0 * M), post(clock, "3", 0 * M))
        app.run_once()
        clock.advance(10 * M)
        source.add(Reply(platform="x", external_id="r3", in_reply_to="3", created_at=clock.now(), author="@shop"))
        app.run_once()
        clock.advance(51 * M)
        app.run_once()
        records = {r["external_id"]: r for r in report_records(app.store.escalations(), app.engine.policy, clock.now())}
    finally:
        app.close()
    assert [records[k]["outcome"] for k in "123"] == ["breached", "breached", "responded"]
    assert [records[k]["late_when_seen"] for k in "123"] == [True, False, False]
    table = render_table(list(records.values()))
    assert "breached*" in table and table.count("breached*") == 1
    assert "within SLA: 1/3 (33%)" in table
    assert "already late when first seen: 1 of the 2 breaches" in table
    assert "without them, within SLA: 1/2 (50%)" in table


def test_the_console_prints_one_line_for_the_digest(make_settings, clock) -> None:
    out = io.StringIO()
    source = FakeSource()
    app = App.build(
        make_settings(notify={"console": True}),
        clock,
        sources=[source],
        notifiers=[ConsoleNotifier(out, live=False)],
        analyzer=KeywordAnalyzer(),
    )
    try:
        source.add(post(clock, "1", 2 * H), post(clock, "2", 3 * H))
        app.run_once()
    finally:
        app.close()
    lines = out.getvalue().splitlines()
    breaches = [line for line in lines if line.startswith("BREACH")]
    assert len(breaches) == 2 and all("already late when first seen" in line for line in breaches)
    assert any("3 h 00 min after it was posted" in line for line in breaches)
    (digest,) = [line for line in lines if line.startswith("LATE")]
    assert "2 complaints" in digest and "before replyclock first read fake" in digest


def test_status_and_metrics_count_late_finds_apart(make_settings, clock, tmp_path) -> None:
    source, rec = FakeSource(), RecordingNotifier()
    settings = make_settings(metrics={"enabled": True, "listen": "127.0.0.1:9"})
    app = App.build(settings, clock, sources=[source], notifiers=[rec], analyzer=KeywordAnalyzer())
    app.status_file = tmp_path / "status.json"  # on PostgreSQL it would be ./var, beside other tests' reads
    try:
        source.add(post(clock, "1", 2 * H), post(clock, "2", 3 * H), post(clock, "3", 0 * M))
        app.run_once()
        clock.advance(61 * M)
        app.run_once()
        snapshot = app.observe()
        assert app.metrics is not None
        text = app.metrics.render().decode()
    finally:
        app.close()
    assert snapshot.escalations.breaches_today == 3
    assert snapshot.escalations.breaches_today_late == 2
    assert 'replyclock_breaches_total{platform="x"} 3.0' in text
    assert 'replyclock_breaches_late_when_seen_total{platform="x"} 2.0' in text
