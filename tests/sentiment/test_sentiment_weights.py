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
    # reached yet): average 0.727, pl 0.743, hu 0.666, ru 0.784, en 0.715.
    assert sum(targets) / 4 >= 0.72
    assert min(targets) >= 0.655
    assert by_lang["ru"] >= 0.775 and by_lang["pl"] >= 0.735
    macro = {f"{g.lang}/{g.source}": g.macro_f1 for g in report.groups if g.has_neutral}
    # 3-class macro-F1: en/xlm-t 0.646, hu/husst 0.580, ru/rusentitweet 0.663, de/xlm-t 0.696.
    assert macro["en/xlm-t"] >= 0.635 and macro["hu/husst"] >= 0.57
    assert macro["ru/rusentitweet"] >= 0.65 and macro["de/xlm-t"] >= 0.685
