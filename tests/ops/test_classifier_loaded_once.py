"""`run` reads the shop's complaint classifier file once: the check before start-up hands the loaded
classifier to the analyzer instead of the analyzer reading the file again."""

from __future__ import annotations

from pathlib import Path

import pytest

import daemon
from sentiment.complaint_model import ComplaintClassifier
from tests.sentiment.test_sentiment_shop_classifier import _config, _constant_weights


@pytest.mark.parametrize("args", [["run", "--once"], ["check-config"]])
def test_run_reads_the_configured_classifier_file_once(tmp_path: Path, monkeypatch, args) -> None:
    weights = _constant_weights(tmp_path / "shop.npz", 8.0)
    loads: list[Path] = []
    analyzers: list[object] = []
    original = ComplaintClassifier.__init__

    def counting(self: ComplaintClassifier, path: Path = weights) -> None:
        loads.append(path)
        original(self, path)

    monkeypatch.setattr(ComplaintClassifier, "__init__", counting)
    import sentiment.factory

    build = sentiment.factory.build_analyzer
    monkeypatch.setattr(
        sentiment.factory, "build_analyzer", lambda *a, **k: analyzers.append(build(*a, **k)) or analyzers[-1]
    )
    assert daemon.main(["--config", _config(tmp_path, "shop.npz"), *args]) == 0
    assert loads == [weights]
    if args[0] == "run":
        [analyzer] = analyzers
        # the analyzer scores with the classifier the check loaded (it gives every text 1.00)
        [score] = analyzer.analyze(["I paid for express shipping and it has been worth it"], [None])
        assert score.complaint and score.reasons[0] == "reads like a complaint 1.00"
