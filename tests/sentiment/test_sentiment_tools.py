"""score_stream and evaluate_file, the functions behind `replyclock score` and `replyclock eval`."""

from __future__ import annotations

import io
import json
from pathlib import Path

from sentiment.factory import build_analyzer
from sentiment.settings import SentimentSettings
from sentiment.tools import evaluate_file, format_eval, score_stream


def test_score_stream_reads_json_and_plain_lines_and_skips_malformed() -> None:
    analyzer = build_analyzer(SentimentSettings())
    lines = [
        json.dumps({"text": "Gdzie jest moja paczka? Czekam 2 tygodnie", "lang": "pl"}) + "\n",
        '{"text": "broken json\n',
        "\n",
        "Köszönöm, minden rendben volt!\n",
        json.dumps({"nope": 1}) + "\n",
    ]
    out, err = io.StringIO(), io.StringIO()
    assert score_stream(analyzer, lines, out, err) == 2
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["lang"] for r in rows] == ["pl", "hu"]
    assert set(rows[0]) == {"label", "scores", "lang", "complaint", "severity", "reasons"}
    assert set(rows[0]["scores"]) == {"negative", "neutral", "positive"}
    assert rows[0]["complaint"] and any("not delivered" in r for r in rows[0]["reasons"])
    assert not rows[1]["complaint"] and rows[1]["label"] == "positive"
    assert "line 2" in err.getvalue() and "line 5" in err.getvalue()


def test_half_an_emoji_is_scored_not_fatal() -> None:
    """JSON may carry a lone surrogate ("\\ud83d", an emoji cut in half): the text is scored, not refused."""
    analyzer = build_analyzer(SentimentSettings())
    out, err = io.StringIO(), io.StringIO()
    line = '{"text": "Moja paczka nie doszła \\ud83d", "lang": "pl"}\n'
    assert score_stream(analyzer, [line], out, err) == 1
    row = json.loads(out.getvalue())
    assert row["complaint"] and err.getvalue() == ""


def test_plain_line_opening_with_a_bracket_is_a_text_not_broken_json() -> None:
    analyzer = build_analyzer(SentimentSettings())
    out, err = io.StringIO(), io.StringIO()
    assert score_stream(analyzer, ["[PILNE] Paczka nie doszła, czekam 3 tygodnie\n"], out, err) == 1
    assert json.loads(out.getvalue())["complaint"] and err.getvalue() == ""


def test_evaluate_file_reports_per_language_and_source(tmp_path: Path) -> None:
    rows = [
        {"id": "1", "lang": "en", "source": "a", "text": "terrible, worst shop ever", "label": "negative"},
        {"id": "2", "lang": "en", "source": "a", "text": "love it, thank you so much", "label": "positive"},
        {"id": "3", "lang": "pl", "source": "b", "text": "dramat, nigdy więcej", "label": "negative"},
        {"id": "4", "lang": "pl", "source": "b", "text": "super, dziękuję!", "label": "positive"},
    ]
    path = tmp_path / "mini.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = evaluate_file(build_analyzer(SentimentSettings()), path)
    assert [(g.lang, g.source, g.n) for g in report.groups] == [("en", "a", 2), ("pl", "b", 2)]
    assert all(g.accuracy == 1.0 and g.negative_f1 == 1.0 for g in report.groups)
    text = format_eval(report)
    assert "negF1" in text and "average over pl/en" in text
    assert "targets met (neg F1 avg >= 0.75, each >= 0.65, 3-class macro-F1 >= 0.65)" in text
