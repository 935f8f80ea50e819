"""One scorer failing at inference fails only its own texts: a fallback scores them, or the error says which."""

from __future__ import annotations

import logging

import pytest

from sentiment.analyzer import SentimentAnalyzer
from sentiment.embedded import EmbeddedScorer
from sentiment.errors import ScorerFailed
from sentiment.factory import _embedded_model
from tests.fakes import BrokenScorer

SECRET = "hf_Zq81SECRETtoken"
TEXTS = [
    "Még mindig nem érkezett meg a csomagom",
    "Где мой заказ? Жду уже месяц",
    "Paczka nie doszła, czekam 3 tygodnie",
]


def test_a_languages_model_failing_falls_back_to_the_embedded_scorer_and_is_logged_once(caplog) -> None:
    model = _embedded_model()
    embedded = EmbeddedScorer(model)
    hu = BrokenScorer("hu-model", f"session failed (token {SECRET})")
    ru = BrokenScorer("ru-model")
    ru.broken = False
    analyzer = SentimentAnalyzer(model.langid, embedded, {"hu": hu, "ru": ru}, fallback=embedded)
    with caplog.at_level(logging.INFO, logger="sentiment.analyzer"):
        first = analyzer.analyze(TEXTS, [None] * 3)
        again = analyzer.analyze(TEXTS[:1], [None])
        down = caplog.text
        hu.broken = False
        mended = analyzer.analyze(TEXTS[:1], [None])
    assert [s.lang for s in first] == ["hu", "ru", "pl"]
    # the Russian model's texts were scored by it, the Hungarian ones by the embedded scorer, and judged
    assert [s.model for s in first] == ["embedded", "ru-model", "embedded"]
    assert first[0].complaint and first[0].reasons[0].startswith("intent: not delivered")
    assert again[0].model == "embedded" and mended[0].model == "hu-model"
    failures = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(failures) == 1 and "hu-model" in failures[0].getMessage() and "RuntimeError" in failures[0].getMessage()
    assert SECRET not in down
    assert "hu-model works again" in caplog.text


def test_without_a_fallback_the_error_propagates_and_names_the_scorer() -> None:
    model = _embedded_model()
    analyzer = SentimentAnalyzer(model.langid, EmbeddedScorer(model), {"hu": BrokenScorer("hu-model", SECRET)})
    with pytest.raises(ScorerFailed) as err:
        analyzer.analyze(TEXTS, [None] * 3)
    assert err.value.scorer == "hu-model" and "RuntimeError" in str(err.value) and SECRET not in str(err.value)
    assert isinstance(err.value.__cause__, RuntimeError)


def test_the_fallback_itself_failing_propagates() -> None:
    model = _embedded_model()
    broken = BrokenScorer("embedded")
    analyzer = SentimentAnalyzer(model.langid, broken, fallback=broken)
    with pytest.raises(ScorerFailed, match="embedded"):
        analyzer.analyze(TEXTS, [None] * 3)
