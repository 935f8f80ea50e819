"""End to end with an injected clock: ingest, score, escalate, remind, breach, answer, report."""

from __future__ import annotations

import io
import threading
from dataclasses import replace
from datetime import timedelta

import pytest

from alerts.console import ConsoleNotifier
from alerts.messages import alert_blocks, load_reply_templates, suggest_reply
from alerts.notify import DeliveryError
from alerts.report import render_table, report_records
from alerts.sla import status
from app import App
from monitor.models import EventKind, Mention, Reply, clean_text
from monitor.sources import AuthRejected, RateLimited, Unavailable
from sentiment.analyzer import SentimentAnalyzer
from sentiment.embedded import EmbeddedScorer
from sentiment.factory import _embedded_model, build_analyzer
from sentiment.settings import SentimentSettings
from tests.fakes import BrokenScorer, FakeSource, KeywordAnalyzer, RecordingNotifier

pytestmark = pytest.mark.any_db  # SQLite, and PostgreSQL when the test server is there

M = timedelta(minutes=1)


@pytest.fixture
def rig(make_settings, clock):
    source = FakeSource()
    notifier = RecordingNotifier()
    app = App.build(make_settings(), clock, sources=[source], notifiers=[notifier], analyzer=KeywordAnalyzer())
    yield app, source, notifier
    app.close()


def post(clock, eid, text, ago=M, **kw):
    return Mention(platform="x", external_id=eid, author=f"@c{eid}", text=text, created_at=clock.now() - ago, **kw)


def answer(clock, eid, to):
    return Reply(platform="x", external_id=eid, in_reply_to=to, created_at=clock.now(), author="@shop")


def test_lifecycle_reminders_breach_and_answer(rig, clock) -> None:
    app, source, rec = rig
    source.add(
        post(clock, "1", "my parcel never arrived"),
        post(clock, "2", "zamówienie nie dotarło", ago=2 * M),
        post(clock, "3", "love the new collection"),
        post(clock, "4", "refund refused?! broken mug", ago=70 * M),  # already late when first seen
        post(clock, "5", "never arrived, says @shop itself", from_brand=True),
    )
    app.run_once()
    escalations = {e.external_id: e for e in app.store.escalations()}
    assert set(escalations) == {"1", "2", "4"}
    assert rec.kinds(escalations["4"].id) == ["opened", "breached"]
    assert rec.kinds(escalations["1"].id) == ["opened"]
    assert app.store.escalation(escalations["1"].id).alerted_at == clock.now()

    clock.advance(29 * M)  # 30 min since #1 was posted: first reminder
    app.run_once()
    assert rec.kinds(escalations["1"].id) == ["opened", "reminder"]
    assert rec.kinds(escalations["2"].id) == ["opened", "reminder"]

    # the team answers #2 on the platform at 23+ minutes... after its reminder
    clock.advance(1 * M)
    source.add(answer(clock, "r2", "2"))
    app.run_once()
    assert rec.kinds(escalations["2"].id) == ["opened", "reminder", "responded"]
    answered = app.store.escalation(escalations["2"].id)
    assert answered.first_response_at == clock.now() and answered.responded_by == "@shop"

    clock.advance(20 * M)  # 10 min left for #1
    app.run_once()
    assert rec.kinds(escalations["1"].id) == ["opened", "reminder", "reminder"]
    clock.advance(10 * M)  # deadline of #1
    app.run_once()
    app.run_once()
    assert rec.kinds(escalations["1"].id) == ["opened", "reminder", "reminder", "breached"]
    assert [e.kind for e in app.store.events(escalations["1"].id)] == [
        EventKind.OPENED,
        EventKind.ALERTED,
        EventKind.REMINDED,
        EventKind.REMINDED,
        EventKind.BREACHED,
    ]
    # a late answer after the breach is still recorded
    clock.advance(5 * M)
    source.add(answer(clock, "r1", "1"))
    app.run_once()
    late = app.store.escalation(escalations["1"].id)
    assert late.first_response_at == clock.now()
    assert rec.kinds(escalations["1"].id)[-1] == "responded"


def test_running_twice_creates_no_duplicates(rig, clock) -> None:
    app, source, rec = rig
    source.add(post(clock, "1", "my parcel never arrived"), answer(clock, "r9", "nothing"))
    app.run_once()
    app.run_once()
    source.fetches.clear()
    # even with the cursor lost, re-fetching everything changes nothing
    app.store.save_batch("fake", source.fetch(None), clock.now())
    app.run_once()
    assert app.store.mention_count() == 1
    assert len(app.store.escalations()) == 1
    assert len(app.store.outbox_entries()) == 1
    assert rec.kinds() == ["opened"]


def test_a_failing_source_and_a_failing_notifier_never_stop_the_loop(rig, clock, caplog) -> None:
    caplog.set_level("INFO")
    app, source, rec = rig
    source.fail_next(Unavailable("HTTP 503"))
    app.run_once()
    assert app.poller.health["fake"].state == "failing"
    source.add(post(clock, "1", "never arrived"))
    rec.fail_with = DeliveryError("slack is down")
    app.run_once()
    assert app.poller.health["fake"].state == "ok"
    assert rec.delivered == []
    rec.fail_with = None
    clock.advance(1 * M)  # past the backoff
    app.run_once()
    assert rec.kinds() == ["opened"]
    assert sum("recovered" in r.getMessage() for r in caplog.records) == 1


def test_rate_limited_source_is_deferred_until_reset(rig, clock) -> None:
    app, source, _ = rig
    source.fail_next(RateLimited("429", retry_at=clock.now() + 15 * M))
    app.run_once()
    source.add(post(clock, "1", "never arrived"))
    clock.advance(10 * M)
    app.run_once()
    assert len(source.fetches) == 1 and app.store.mention_count() == 0
    clock.advance(6 * M)
    app.run_once()
    assert app.store.mention_count() == 1
    assert app.poller.health["fake"].deferrals == 1


def test_rejected_credentials_stop_the_source_only(rig, clock) -> None:
    app, source, _ = rig
    source.fail_next(AuthRejected("401 Unauthorized"))
    app.run_once()
    clock.advance(60 * M)
    app.run_once()
    assert len(source.fetches) == 1
    assert app.poller.health["fake"].state == "stopped"


def test_actions_from_the_team(rig, clock) -> None:
    app, source, rec = rig
    source.add(post(clock, "1", "never arrived"), post(clock, "2", "broken lamp"))
    app.run_once()
    one, two = app.store.escalations()
    app.engine.act(one.id, "acknowledge", "anna")
    app.engine.act(one.id, "resolve", "anna")
    app.engine.act(two.id, "dismiss", "bob", "a joke, not a complaint")
    app.run_once()
    assert rec.kinds(one.id) == ["opened", "acknowledged", "resolved"]
    assert app.store.escalation(two.id).dismiss_reason == "other: a joke, not a complaint"
    assert app.store.active_escalations() == []
    clock.advance(120 * M)
    app.run_once()
    assert "breached" not in rec.kinds()


def test_an_answer_fetched_with_an_overdue_complaint_is_no_breach(rig, clock) -> None:
    """After downtime (or an answer fetched before its complaint) the post and the team's in-time
    answer arrive together, the post already older than the deadline: the answer counts, managers
    are told of no breach."""
    app, source, rec = rig
    source.add(
        post(clock, "1", "my parcel never arrived", ago=90 * M),
        Reply(platform="x", external_id="r1", in_reply_to="1", created_at=clock.now() - 80 * M, author="@shop"),
        post(clock, "2", "refund refused?! broken mug", ago=90 * M),  # nobody answered this one
    )
    app.run_once()
    answered, unanswered = app.store.escalations()
    assert rec.kinds(answered.id) == ["opened", "responded"]
    assert answered.breached_at is None and answered.first_response_at == clock.now() - 80 * M
    assert EventKind.BREACHED not in [e.kind for e in app.store.events(answered.id)]
    assert rec.kinds(unanswered.id) == ["opened", "breached"]


def test_an_answer_fetched_after_the_team_closed_or_answered_by_hand_still_counts(rig, clock) -> None:
    """The team answers on the platform and clicks at once; the poll fetches the answer a minute later.
    The answer happened first: its time is the response time (not lost, not replaced by the click's)."""
    app, source, _ = rig
    source.add(post(clock, "1", "never arrived"), post(clock, "2", "broken lamp"))
    app.run_once()
    one, two = app.store.escalations()
    clock.advance(20 * M)
    answered_at = clock.now()
    clock.advance(1 * M)
    app.engine.act(one.id, "resolve", "anna")
    app.engine.act(two.id, "respond", "bob")
    clock.advance(1 * M)
    source.add(answer(clock, "r1", "1"), answer(clock, "r2", "2"))
    source.items[-2:] = [replace(r, created_at=answered_at) for r in source.items[-2:]]
    app.run_once()
    resolved, responded = app.store.escalation(one.id), app.store.escalation(two.id)
    assert resolved.first_response_at == answered_at and resolved.responded_by == "@shop"
    assert resolved.resolved_at == answered_at + M and resolved.closed_by == "anna"
    assert responded.first_response_at == answered_at and responded.responded_by == "@shop"
    records = {r["id"]: r for r in report_records(app.store.escalations(), app.engine.policy, clock.now())}
    assert records[one.id]["outcome"] == "resolved" and records[one.id]["response_minutes"] == 21.0
    assert records[two.id]["outcome"] == "responded" and records[two.id]["response_minutes"] == 21.0


def test_a_crash_between_escalating_and_saving_the_score_loses_and_doubles_nothing(rig, clock) -> None:
    app, source, rec = rig
    source.add(post(clock, "1", "my parcel never arrived"))
    app.poller.poll_all()
    [pending] = app.store.unscored_mentions()
    # the process died right after opening the escalation (its alert queued with it), before the score was saved
    [score] = app.analyzer.analyze([pending.mention.text], [pending.mention.lang])
    assert app.engine.escalate(pending.id, score) is not None
    assert app.store.unscored_mentions() != []
    app.run_once()  # the next process rescores it: escalating again is a no-op
    assert app.store.unscored_mentions() == []
    assert len(app.store.escalations()) == 1
    assert rec.kinds() == ["opened"]


def test_marking_the_alert_sent_and_recording_it_alerted_are_one_write(rig, clock, monkeypatch) -> None:
    """The failover test saw it: outbox 'sent' and the ALERTED event were two writes; a leader killed (or a
    database error) between them left alerted_at empty for good, as a sent entry is never delivered again."""
    from monitor.models import EventKind

    app, source, rec = rig
    source.add(post(clock, "1", "my parcel never arrived"))
    real = app.store._record_in
    died = []

    def dies_once(s, escalation_id, kind, *args):  # type: ignore[no-untyped-def]
        if kind == EventKind.ALERTED and not died:
            died.append(kind)
            raise RuntimeError("the database went away here")
        return real(s, escalation_id, kind, *args)

    monkeypatch.setattr(app.store, "_record_in", dies_once)
    app.run_once()  # the dispatcher's failure is logged by the tick job, as any job's
    [entry] = [e for e in app.store.outbox_entries(rec.name) if e.kind == "opened"]
    assert died and entry.status == "pending"  # not "sent" without its escalation being alerted
    clock.advance(M)
    app.run_once()
    [esc] = app.store.escalations()
    assert esc.alerted_at is not None
    assert [e.status for e in app.store.outbox_entries(rec.name) if e.kind == "opened"] == ["sent"]


class PoisonedAnalyzer(KeywordAnalyzer):
    """Raises whenever one particular text is in the batch, as a broken model might on odd input."""

    def analyze(self, texts, lang_hints):  # type: ignore[no-untyped-def]
        if any("POISON" in t for t in texts):
            raise ValueError("tokenizer choked")
        return super().analyze(texts, lang_hints)


def test_a_text_the_scorer_chokes_on_loses_no_other_complaint(make_settings, clock, caplog) -> None:
    source = FakeSource()
    rec = RecordingNotifier()
    app = App.build(make_settings(), clock, sources=[source], notifiers=[rec], analyzer=PoisonedAnalyzer())
    try:
        source.add(
            post(clock, "1", "my parcel never arrived"),
            post(clock, "2", "POISON never arrived"),
            post(clock, "3", "broken lamp, refund please"),
        )
        app.poller.poll_all()
        ids = {p.mention.external_id: p.id for p in app.store.unscored_mentions()}
        app.run_once()
        # the batch failed, so each mention was scored alone: the two good complaints got their clocks
        assert sorted(e.external_id for e in app.store.escalations()) == ["1", "3"]
        assert rec.kinds() == ["opened", "opened"]
        assert app.store.unscored_mentions() == []  # the poisoned one is stored, not retried forever
        poisoned = app.store.score_of(ids["2"])
        assert poisoned is not None and poisoned.model == "none" and not poisoned.complaint
        assert poisoned.reasons == ("scorer failed: ValueError",)
        assert "scoring one by one" in caplog.text and "could not score a mention (ValueError)" in caplog.text
    finally:
        app.close()


def test_a_post_in_a_language_we_do_not_support_is_und_from_scoring_to_the_alert(make_settings, clock) -> None:
    """A Spanish or Turkish customer is not shown as Slovak nor answered in Slovak: the language is "und",
    the scorer borrows the English weights, the complaint rules still run, and the alert says so."""
    source = FakeSource()
    out = io.StringIO()
    notifiers = [RecordingNotifier(), ConsoleNotifier(out, live=False)]
    analyzer = build_analyzer(SentimentSettings())
    app = App.build(make_settings(), clock, sources=[source], notifiers=notifiers, analyzer=analyzer)
    try:
        source.add(
            post(clock, "1", "Nadie responde desde hace dos semanas. Voy a pedir un chargeback a mi banco.", lang="es"),
            post(clock, "2", "Siparişim hâlâ gelmedi, ne zaman kargoya verilecek?"),
        )
        app.poller.poll_all()
        ids = {p.mention.external_id: p.id for p in app.store.unscored_mentions()}
        app.run_once()
        spanish, turkish = app.store.score_of(ids["1"]), app.store.score_of(ids["2"])
        assert spanish is not None and turkish is not None
        assert (spanish.lang, turkish.lang) == ("und", "und")
        assert spanish.model == turkish.model == "embedded"
        assert spanish.complaint and spanish.severity == "high"
        assert spanish.reasons[0] == "intent: legal or public threat (chargeback)"
        [escalation] = app.store.escalations()
        assert escalation.lang == "und"
        sla = status(escalation, app.engine.policy, clock.now())
        blocks = alert_blocks(escalation, sla, suggestion=suggest_reply(load_reply_templates(), escalation))
        assert "on X (language not identified)" in blocks[1]["text"]["text"]
        reply = next(b for b in blocks if b.get("block_id") == "reply")["text"]["text"]
        assert reply.startswith("*Suggested first reply* (en, language not identified):\n```Hi @c1, ")
        assert "(language not identified, high)" in out.getvalue()
    finally:
        app.close()


def test_a_languages_model_down_without_fallback_loses_nothing_and_stops_nothing(make_settings, clock, caplog) -> None:
    """With `sentiment.fallback: null` the failure propagates: the other languages' mentions are scored and
    escalated, the failing model's mentions stay unscored (not stored as failed) and are scored at the next
    polls once it works again, without waiting for new mentions."""
    model = _embedded_model()
    hu = BrokenScorer("hu-model")
    analyzer = SentimentAnalyzer(model.langid, EmbeddedScorer(model), {"hu": hu})
    source = FakeSource()
    rec = RecordingNotifier()
    app = App.build(make_settings(), clock, sources=[source], notifiers=[rec], analyzer=analyzer)
    try:
        source.add(
            post(clock, "1", "Paczka nie doszła, czekam 3 tygodnie"),
            post(clock, "2", "Még mindig nem érkezett meg a csomagom"),
            post(clock, "3", "Где мой заказ? Жду уже месяц"),
        )
        app.run_once()
        assert sorted(e.external_id for e in app.store.escalations()) == ["1", "3"]
        assert [p.mention.external_id for p in app.store.unscored_mentions()] == ["2"]
        app.run_once()  # still down, and no new mention: tried again, still waiting
        assert [p.mention.external_id for p in app.store.unscored_mentions()] == ["2"]
        assert hu.calls >= 4
        hu.broken = False
        clock.advance(M)
        app.poll("fake")  # nothing new from the source: the waiting mention is scored all the same
        assert app.store.unscored_mentions() == []
        assert sorted(e.external_id for e in app.store.escalations()) == ["1", "2", "3"]
        [stored] = [e for e in app.store.escalations() if e.external_id == "2"]
        assert stored.lang == "hu" and "scorer failed" not in " ".join(stored.reasons)
        assert caplog.text.count("left unscored") == 1  # the outage is logged once, not at every poll
    finally:
        app.close()


def test_half_an_emoji_in_a_post_loses_nothing(make_settings, clock) -> None:
    """A platform that cut a text inside an emoji sends a lone surrogate ("\\ud83d"), and NUL is no text
    for PostgreSQL: both become U+FFFD, so the store, the real scorer and the notifier take the post and
    the rest of its batch."""
    source = FakeSource()
    rec = RecordingNotifier()
    app = App.build(
        make_settings(), clock, sources=[source], notifiers=[rec], analyzer=build_analyzer(SentimentSettings())
    )
    try:
        source.add(
            post(clock, "1", "Paczka nie doszła \ud83d, czekam 3 tygodnie", author_id="\udc00x"),
            post(clock, "2", "where is my order? \U0001f621"),
            post(clock, "3", "my parcel\x00 never arrived"),  # PostgreSQL refuses NUL in text
        )
        app.run_once()
        assert sorted(e.external_id for e in app.store.escalations()) == ["1", "2", "3"]
        assert rec.kinds() == ["opened", "opened", "opened"]
        texts = {e.external_id: e.text for e in app.store.escalations()}
        assert texts["1"] == "Paczka nie doszła \ufffd, czekam 3 tygodnie"
        assert texts["2"].endswith("\U0001f621")  # a whole emoji is kept as it is
    finally:
        app.close()


def test_lone_surrogates_and_nul_are_replaced_in_every_text_field(clock) -> None:
    m = post(clock, "1", "a\ud83db", author_id="\udfffz", url="https://x.com/\ud800", conversation_id="c\x00")
    assert (m.text, m.author_id, m.url, m.conversation_id) == ("a\ufffdb", "\ufffdz", "https://x.com/\ufffd", "c\ufffd")
    r = Reply(platform="x", external_id="r", in_reply_to="1", created_at=clock.now(), text="ok \ud83d")
    assert r.text == "ok \ufffd"
    assert clean_text("\U0001f600 fine") == "\U0001f600 fine"


def test_an_answer_two_seconds_before_the_deadline_never_reads_as_sixty_minutes(rig, clock) -> None:
    app, source, _ = rig
    source.add(post(clock, "1", "my parcel never arrived", ago=timedelta(0)))
    app.run_once()
    clock.advance(60 * M - timedelta(seconds=2))
    source.add(answer(clock, "r1", "1"))
    app.run_once()
    [record] = report_records(app.store.escalations(), app.engine.policy, clock.now())
    assert record["outcome"] == "responded" and record["response_minutes"] == 59.9
    assert " 59 min " in render_table([record])


class StopOnFirstBatch(KeywordAnalyzer):
    """Scores like KeywordAnalyzer; its first batch is when SIGTERM arrives (the stop event is set)."""

    def __init__(self, stop: threading.Event) -> None:
        super().__init__()
        self.stop = stop
        self.batches: list[int] = []

    def analyze(self, texts, lang_hints):  # type: ignore[no-untyped-def]
        self.batches.append(len(texts))
        self.stop.set()
        return super().analyze(texts, lang_hints)


def test_a_stopping_daemon_leaves_the_rest_of_a_scoring_backlog_for_its_next_start(make_settings, clock) -> None:
    settings = make_settings()
    source = FakeSource()
    source.add(*(post(clock, str(i), f"order {i} arrived, thanks") for i in range(300)))
    stop = threading.Event()
    analyzer = StopOnFirstBatch(stop)
    app = App.build(settings, clock, sources=[source], notifiers=[], analyzer=analyzer)
    try:
        app.run_forever(stop)  # returns at once: the stop came while the first batch was scored
        assert analyzer.batches == [256]  # systemd's TimeoutStopSec=30 need not wait for the backlog
        assert len(app.store.unscored_mentions(1000)) == 300 - 256
    finally:
        app.close()
    restarted = App.build(settings, clock, sources=[source], notifiers=[], analyzer=KeywordAnalyzer())
    try:
        restarted.run_once()
        assert restarted.store.unscored_mentions(1000) == []  # nothing was lost
    finally:
        restarted.close()


def _resolved_then_answered_in_time(app, source, clock):
    """An escalation resolved by hand, and the shop's answer to it (written 10 minutes in) fetched only
    afterwards, waiting in `source`: (the escalation, when the answer was written)."""
    source.add(post(clock, "1", "never arrived"))
    app.run_once()
    [esc] = app.store.escalations()
    answered_at = clock.advance(10 * M)
    clock.advance(M)
    app.engine.act(esc.id, "resolve", "anna")
    source.add(replace(answer(clock, "r1", "1"), created_at=answered_at))
    return esc, answered_at


def test_an_answer_a_stopped_run_stored_but_never_matched_is_matched_by_the_next_runs_first_tick(
    make_settings, clock
) -> None:
    """Ticks look only at the replies stored since the last tick; a run's first looks at them all: the
    run before stored this answer (to an escalation closed by hand) and stopped before its tick."""
    source, settings = FakeSource(), make_settings()
    first = App.build(settings, clock, sources=[source], notifiers=[RecordingNotifier()], analyzer=KeywordAnalyzer())
    esc, answered_at = _resolved_then_answered_in_time(first, source, clock)
    first.poller.poll_all()  # stored; the process stops before its next tick
    first.close()
    clock.advance(3 * 60 * M)  # down for hours
    second = App.build(settings, clock, sources=[source], notifiers=[RecordingNotifier()], analyzer=KeywordAnalyzer())
    try:
        second.run_once()
        assert second.store.escalation(esc.id).first_response_at == answered_at
    finally:
        second.close()


def test_a_tick_that_fails_while_matching_answers_looks_again_from_where_it_was(rig, clock, monkeypatch) -> None:
    app, source, _ = rig
    esc, answered_at = _resolved_then_answered_in_time(app, source, clock)
    real = app.store.record_event
    monkeypatch.setattr(app.store, "record_event", lambda *a, **kw: (_ for _ in ()).throw(OSError("disk full")))
    app.run_once()  # stores the answer; the tick fails
    monkeypatch.setattr(app.store, "record_event", real)
    clock.advance(60 * M)  # the answer was stored an hour before the next tick that works
    app.run_once()
    assert app.store.escalation(esc.id).first_response_at == answered_at


def test_an_in_time_answer_found_after_the_breach_was_told_keeps_the_breach_and_logs_the_answer(rig, clock) -> None:
    """The platform shows the team's answer late (a Facebook post read again, an X page resumed): written
    40 minutes after the complaint, fetched after its deadline, once the managers were told of the breach.
    The store keeps the breach as it was told and records the answer's time, once; the clock stops."""
    app, source, rec = rig
    source.add(post(clock, "1", "my parcel never arrived"))
    app.run_once()
    [esc] = app.store.escalations()
    answered_at = clock.now() + 39 * M
    clock.advance(60 * M)  # past the deadline: breached, the managers are told
    app.run_once()
    assert rec.kinds(esc.id)[-1] == "breached"
    breached_at = app.store.escalation(esc.id).breached_at
    assert breached_at == esc.deadline
    clock.advance(20 * M)
    source.add(replace(answer(clock, "r1", "1"), created_at=answered_at))
    app.run_once()
    app.run_once()
    got = app.store.escalation(esc.id)
    assert got.first_response_at == answered_at and got.responded_by == "@shop"
    assert got.breached_at == breached_at  # what the managers were told stays in the log
    kinds = [e.kind for e in app.store.events(esc.id)]
    assert kinds.count(EventKind.BREACHED) == 1 and kinds.count(EventKind.RESPONDED) == 1
    assert kinds.count(EventKind.BREACH_WITHDRAWN) == 1
    assert app.store.active_escalations() == []  # the clock stopped: no more reminders or breaches
    # the answer shows the breach was none: it is withdrawn (tests/core/test_breach_withdrawn.py)
    assert rec.kinds(esc.id) == ["opened", "breached", "responded", "breach_withdrawn"]
    [record] = report_records([got], app.engine.policy, clock.now())
    assert record["breached_at"] is not None and record["response_minutes"] == 40.0
