"""Dismiss reasons ("not a complaint, because…") in one form whether they came from Slack or the CLI,
so that the report groups them; reasons stored before in either old form still read."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import daemon
from alerts.actions import parse_block_actions
from alerts.dismiss import DismissReason, normalise_reason, parse_reason
from alerts.engine import EscalationEngine
from alerts.report import render_table, report_records
from monitor.clock import FakeClock
from monitor.models import Batch, EventKind, Mention, SlaPolicy
from monitor.store import Store
from tests.fakes import RESPONSE_TIME, complaint_score

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _escalations(store: Store, n: int) -> list[int]:
    mentions = tuple(
        Mention(platform="x", external_id=str(i), author=f"@c{i}", text="parcel never arrived", created_at=T0)
        for i in range(n)
    )
    store.save_batch("x:mentions", Batch(mentions, (), None), T0)
    ids = []
    for pending in store.unscored_mentions():
        escalation = store.open_escalation(pending.id, complaint_score(), T0, response_time=RESPONSE_TIME)
        assert escalation is not None
        ids.append(escalation.id)
    return ids


def _click(escalation_id: int, code: str) -> dict:
    return {
        "type": "block_actions",
        "user": {"id": "UBEATA002", "username": "beata"},
        "actions": [{"action_id": "replyclock:dismiss", "selected_option": {"value": f"{escalation_id}:{code}"}}],
    }


def test_slack_and_the_cli_store_one_reason_code_and_the_report_groups_them(tmp_path: Path, capsys) -> None:
    db = tmp_path / "rc.db"
    store = Store(f"sqlite:///{db}")
    try:
        slack_joke, cli_joke, cli_label, cli_text, cli_none = _escalations(store, 5)
        engine = EscalationEngine(store, SlaPolicy(), FakeClock(T0 + timedelta(minutes=5)))
        [click] = parse_block_actions(_click(slack_joke, "joke"))
        engine.act(click.escalation_id, click.action, click.user_id, click.detail)
    finally:
        store.close()
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"storage:\n  url: sqlite:///{db}\nnotify:\n  console: false\n", encoding="utf-8")
    for escalation, reason in (
        (cli_joke, ["--reason", "joke: reposting a meme"]),
        (cli_label, ["--reason", "Joke or sarcasm"]),
        (cli_text, ["--reason", "the customer was talking about another shop"]),
        (cli_none, []),
    ):
        assert daemon.main(["--config", str(cfg), "act", str(escalation), "dismiss", "--by", "anna", *reason]) == 0
    capsys.readouterr()
    assert daemon.main(["--config", str(cfg), "report", "--format", "json"]) == 0
    records = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert [(records[i]["dismiss_reason"], records[i]["dismiss_note"]) for i in sorted(records)] == [
        ("joke", None),
        ("joke", "reposting a meme"),
        ("joke", None),
        ("other", "the customer was talking about another shop"),
        (None, None),
    ]
    assert daemon.main(["--config", str(cfg), "report"]) == 0
    table = capsys.readouterr().out
    assert "not a complaint: 3 joke, 1 other, 1 without a reason" in table, table


@pytest.mark.parametrize(
    ("stored", "code", "note"),
    [
        ("Joke or sarcasm", "joke", None),  # a Slack click before reasons were codes stored the label
        ("Spam or a bot", "spam", None),
        ("a joke, not a complaint", "other", "a joke, not a complaint"),  # the CLI's free text
        ("by hand", None, None),  # `act dismiss` without --reason stored the event's default detail
    ],
)
def test_reasons_stored_in_the_old_forms_read_as_codes(store: Store, stored: str, code, note) -> None:
    [escalation] = _escalations(store, 1)
    # as the code before this change recorded them: the words went into the event's detail as they were
    store.record_event(escalation, EventKind.DISMISSED, T0 + timedelta(minutes=3), actor="bob", detail=stored)
    [record] = report_records(store.escalations(), SlaPolicy(), T0 + timedelta(hours=2))
    assert (record["dismiss_reason"], record["dismiss_note"]) == (code, note)
    assert f"not a complaint: 1 {code or 'without a reason'}" in render_table([record])


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("Duplicate of #12", "duplicate: of #12"),  # the code word starts a sentence: the rest is the note
        ("spam, bot account", "spam: bot account"),
        ("SPAM - reposting the ad", "spam: reposting the ad"),
        ("joke:meme", "joke: meme"),
        ("Question", "question"),
        ("question   where is my order", "question: where is my order"),
        ("not ours, about another shop", "not_ours: about another shop"),
        ("Not_ours - Allegro seller", "not_ours: Allegro seller"),
        ("duplicate,", "duplicate"),  # nothing after the separator: no note
        # a code word later in the text, or only the start of a longer word, names no reason
        ("not spam, just a question", "other: not spam, just a question"),
        ("a joke, not a complaint", "other: a joke, not a complaint"),
        ("questionable wording but fine", "other: questionable wording but fine"),
        ("jokes aside, it was praise", "other: jokes aside, it was praise"),
        # "other" is the code of free text: its word stays in the note
        ("other shop's parcel", "other: other shop's parcel"),
        ("other: asked twice", "other: asked twice"),
        ("other: spam, said the customer", "other: spam, said the customer"),  # `other` given outright stays
        ("Joke or sarcasm: a meme", "joke: a meme"),  # the menu's label with a note, as before
        ("Joke or sarcasm, a meme", "joke: a meme"),  # or starting the text
        ("duplicate of #12 -", "duplicate: of #12 -"),  # only the separator after the code goes
    ],
)
def test_a_reason_that_starts_with_a_code_word_gets_that_code_and_keeps_the_rest(given: str, stored: str) -> None:
    assert normalise_reason(given) == stored
    assert normalise_reason(stored) == stored  # the stored form reads back as itself


@pytest.mark.parametrize(
    ("stored", "code", "note"),
    [
        # what the code before this change stored for such text: it still reads as it did
        ("other: Duplicate of #12", "other", "Duplicate of #12"),
        ("other: spam, bot account", "other", "spam, bot account"),
        # and what it stores now
        ("duplicate: of #12", "duplicate", "of #12"),
        ("spam: bot account", "spam", "bot account"),
    ],
)
def test_rows_stored_before_the_code_word_rule_read_as_they_did(stored: str, code: str, note: str) -> None:
    assert parse_reason(stored) == DismissReason(code, note)


def test_the_cli_stores_a_reason_that_starts_with_a_code_word_under_that_code(tmp_path: Path, capsys) -> None:
    db = tmp_path / "rc.db"
    store = Store(f"sqlite:///{db}")
    try:
        duplicate, spam = _escalations(store, 2)
    finally:
        store.close()
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"storage:\n  url: sqlite:///{db}\nnotify:\n  console: false\n", encoding="utf-8")
    for escalation, reason in ((duplicate, "Duplicate of #12"), (spam, "spam, bot account")):
        assert daemon.main(["--config", str(cfg), "act", str(escalation), "dismiss", "--reason", reason]) == 0
    capsys.readouterr()
    assert daemon.main(["--config", str(cfg), "report", "--format", "json"]) == 0
    records = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert (records[duplicate]["dismiss_reason"], records[duplicate]["dismiss_note"]) == ("duplicate", "of #12")
    assert (records[spam]["dismiss_reason"], records[spam]["dismiss_note"]) == ("spam", "bot account")
