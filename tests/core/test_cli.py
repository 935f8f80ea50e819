"""The command line end to end: the demo, `run --once` twice, report JSON, score."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.fakes import REPORT_FIELDS

REPO = Path(__file__).resolve().parents[2]


def cli(*args: str, cwd: Path, stdin: str | None = None, timeout: int = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "daemon.py"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        input=stdin,
        timeout=timeout,
    )


def test_demo_plays_the_whole_lifecycle(tmp_path) -> None:
    result = cli("--config", str(REPO / "config.yaml"), "demo", "--speed", "600", "--db", "demo.db", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "ALERT" in out and "REMINDER" in out and "BREACH" in out and "ANSWERED" in out
    assert "open clocks" in out  # the countdown, as plain lines when not on a terminal
    assert "SLA log" in out and "breached" in out and "responded" in out
    assert (tmp_path / "demo.db").exists()
    assert not (tmp_path / "status.json").exists()  # `replyclock status` never mistakes the demo for a daemon
    # the praise and the shop's own announcements never open a clock
    assert "Paczka od @sklep_demo doszła w 1 dzień" not in out


def _config(tmp_path: Path, feed: Path) -> Path:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(
        f"storage:\n  url: sqlite:///{tmp_path / 'rc.db'}\n"
        f"sources:\n  replay:\n    path: {feed}\n"
        "notify:\n  console: true\n"
    )
    return cfg


def test_run_once_twice_creates_no_duplicates_and_report_json(tmp_path) -> None:
    feed = tmp_path / "feed.jsonl"
    items = [
        {
            "platform": "x",
            "id": "1",
            "author": "@kasia",
            "text": "@sklep zamówienie nie dotarło, 3 tygodnie czekam!",
            "created_at": "-20m",
            "lang": "pl",
        },
        {
            "platform": "x",
            "id": "2",
            "author": "@shop",
            "text": "Przepraszamy, sprawdzamy!",
            "created_at": "-5m",
            "from_brand": True,
            "in_reply_to": "1",
        },
        {
            "platform": "facebook",
            "id": "p_3",
            "author": "Anna Kiss",
            "text": "Két hete nem érkezett meg a csomagom!",
            "created_at": "-70m",
            "lang": "hu",
        },
        {"platform": "x", "id": "4", "author": "@happy", "text": "Love my new dress, thank you!", "created_at": "-3m"},
    ]
    feed.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items) + "\nnot json\n")
    cfg = _config(tmp_path, feed)
    first = cli("--config", str(cfg), "run", "--once", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "feed.jsonl:5: skipped" in first.stdout + first.stderr
    second = cli("--config", str(cfg), "run", "--once", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "ALERT" not in second.stdout  # nothing delivered twice

    report = cli("--config", str(cfg), "report", "--format", "json", cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    records = json.loads(report.stdout)
    assert len(records) == 2
    by_id = {r["external_id"]: r for r in records}
    assert set(by_id["1"]) >= REPORT_FIELDS
    assert by_id["1"]["outcome"] == "responded" and by_id["1"]["response_minutes"] == 15.0
    assert by_id["p_3"]["outcome"] == "breached" and by_id["p_3"]["response_minutes"] is None
    assert by_id["p_3"]["alerted_at"] is not None

    table = cli("--config", str(cfg), "report", cwd=tmp_path)
    assert "within SLA: 1/2" in table.stdout

    sys.path.insert(0, str(REPO))
    from monitor.store import Store

    store = Store(f"sqlite:///{tmp_path / 'rc.db'}")
    try:
        assert store.mention_count() == 3  # the brand's answer is a reply, not a mention
        # opened x2, breached x1 (Anna), responded x1 (Kasia), each exactly once; Anna's post was already
        # late when the feed was first read: one digest of such finds
        kinds = sorted(e.kind for e in store.outbox_entries())
        assert kinds == ["breached", "late_digest", "opened", "opened", "responded"]
    finally:
        store.close()


def test_score_reads_json_lines_and_plain_lines(tmp_path) -> None:
    stdin = '{"text": "zamówienie nie dotarło", "lang": "pl"}\nnem érkezett meg a csomag\n'
    result = cli("--config", str(REPO / "config.yaml"), "score", cwd=tmp_path, stdin=stdin)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert len(lines) == 2
    for line in lines:
        assert set(line) >= {"label", "scores", "lang", "complaint", "reasons"}
        assert set(line["scores"]) == {"negative", "neutral", "positive"}
        assert line["complaint"] is True


def test_a_model_that_cannot_load_is_one_clear_line_and_exit_78(tmp_path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"sentiment:\n  model: {tmp_path / 'no-such-model'}\n")
    result = cli("--config", str(cfg), "score", cwd=tmp_path, stdin="hello\n")
    assert result.returncode == 78
    assert result.stderr.strip().splitlines() == [
        f"replyclock: sentiment.model: sentiment model {tmp_path / 'no-such-model'}: no such folder"
    ]


def test_act_on_an_id_too_large_for_the_database_is_a_clear_error(tmp_path) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"storage:\n  url: sqlite:///{tmp_path / 'rc.db'}\n")
    result = cli("--config", str(cfg), "act", "17936100000000000001", "resolve", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "escalation" in result.stderr


def test_the_demos_sla_log_prints_times_in_the_shops_zone(tmp_path) -> None:
    feed = tmp_path / "feed.jsonl"
    item = {"platform": "x", "id": "1", "author": "@k", "text": "my parcel never arrived", "created_at": "-70m"}
    feed.write_text(json.dumps(item) + "\n")
    cfg = tmp_path / "config.yaml"
    cfg.write_text("sla:\n  timezone: Europe/Warsaw\nnotify:\n  console: true\n")
    result = cli(
        "--config", str(cfg), "demo", "--feed", str(feed), "--speed", "600", "--max-minutes", "1", "--db", "d.db",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "created (Europe/Warsaw)" in result.stdout, "the same table as `replyclock report` under sla.timezone"
