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
    # The model card's figures less a small margin (a regression guard; the 0.75 average is not
    # reached yet): average 0.740, pl 0.749, hu 0.675, ru 0.793, en 0.742.
    assert sum(targets) / 4 >= 0.735
    assert min(targets) >= 0.665
    assert by_lang["ru"] >= 0.785 and by_lang["pl"] >= 0.74 and by_lang["en"] >= 0.735
    macro = {f"{g.lang}/{g.source}": g.macro_f1 for g in report.groups if g.has_neutral}
    # 3-class macro-F1: en/xlm-t 0.635, hu/husst 0.595, ru/rusentitweet 0.691, de/xlm-t 0.733.
    assert macro["en/xlm-t"] >= 0.625 and macro["hu/husst"] >= 0.585
    assert macro["ru/rusentitweet"] >= 0.68 and macro["de/xlm-t"] >= 0.72
