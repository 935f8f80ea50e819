"""Everyday shop messages (shop_messages.tsv): complaints escalate, the rest do not, on both offline scorers."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentiment.factory import build_analyzer
from sentiment.settings import SentimentSettings

FILE = Path(__file__).with_name("shop_messages.tsv")
LINES = [line.split("\t") for line in FILE.read_text("utf-8").splitlines() if line and not line.startswith("#")]
MESSAGES = [(flag == "1", lang, text) for flag, lang, text in LINES]


@pytest.fixture(scope="module", params=["embedded", "embedded-e5"])
def scores(request: pytest.FixtureRequest) -> list:  # type: ignore[type-arg]
    analyzer = build_analyzer(SentimentSettings(model=request.param))
    return analyzer.analyze([m[2] for m in MESSAGES], [None] * len(MESSAGES))


def test_every_target_language_has_complaints_and_calm_posts() -> None:
    for lang in ("pl", "hu", "ru", "en"):
        assert sum(1 for c, lang_, _ in MESSAGES if lang_ == lang and c) >= 8
        assert sum(1 for c, lang_, _ in MESSAGES if lang_ == lang and not c) >= 2


@pytest.mark.parametrize("i", range(len(MESSAGES)), ids=[m[2][:40] for m in MESSAGES])
def test_shop_message(i: int, scores: list) -> None:  # type: ignore[type-arg]
    complaint, lang, text = MESSAGES[i]
    score = scores[i]
    assert score.lang == lang, (text, score)
    assert score.complaint is complaint, (text, score)
    if complaint:
        # a complaint the team is shown must say why: an intent, not only a score
        assert any(r.startswith("intent: ") for r in score.reasons), (text, score.reasons)
