"""The committed embedded weights reproduce the dev figures stated in docs/sentiment-model-card.md."""

from __future__ import annotations

import pytest

from sentiment.data import data_dir
from sentiment.factory import build_analyzer
from sentiment.settings import SentimentSettings
from sentiment.tools import evaluate_file


@pytest.mark.skipif(not (data_dir() / "dev.jsonl").exists(), reason="shared sentiment data not present")
def test_committed_weights_keep_their_dev_figures() -> None:
    report = evaluate_file(build_analyzer(SentimentSettings()), data_dir() / "dev.jsonl")
    by_lang = report.negative_f1_by_lang()
    targets = [by_lang[lang] for lang in ("pl", "hu", "ru", "en")]
    # The model card's figures (a regression guard; the 0.75 average is not reached yet).
    assert sum(targets) / 4 >= 0.71
    assert min(targets) >= 0.65
    assert by_lang["ru"] >= 0.76 and by_lang["pl"] >= 0.72
