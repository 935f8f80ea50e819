"""Dismiss reasons ("not a complaint, because…") in one form whether they came from Slack or the CLI,
so that the report groups them; reasons stored before in either old form still read."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import daemon
from alerts.actions import parse_block_actions
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
