"""The complaint classifier: loading, how judge() uses it, its held-out figures, and retraining."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sentiment.complaint import judge
from sentiment.complaint_model import WEIGHTS_PATH, ComplaintClassifier
from sentiment.data import data_dir, load_shop_messages
from sentiment.errors import ModelLoadError
from sentiment.factory import build_analyzer
from sentiment.settings import ComplaintSettings, SentimentSettings

ROOT = Path(__file__).resolve().parents[2]
HELD_OUT = ROOT / "bench" / "complaints_heldout.tsv"
CALM = {"negative": 0.10, "neutral": 0.30, "positive": 0.60}
UNEASY = {"negative": 0.40, "neutral": 0.40, "positive": 0.20}


def test_a_post_with_no_intent_escalates_when_it_reads_like_a_complaint() -> None:
    text = "The left sleeve is five centimetres longer than the right"
    verdict = judge(text, UNEASY, ComplaintSettings(), likeness=0.93)
    assert verdict.complaint is True
    assert verdict.severity == "low"
    assert verdict.reasons == ("reads like a complaint 0.93", "negative 0.40")


def test_the_classifier_does_not_decide_for_a_post_the_scorer_finds_calm() -> None:
    # alone it takes "parcel came a day after I ordered, wow" for a complaint: it learnt words, not tone
    text = "The left sleeve is five centimetres longer than the right"
    assert judge(text, CALM, ComplaintSettings(), likeness=0.93).complaint is False
    assert judge(text, CALM, ComplaintSettings(classifier_min_negative=0.0), likeness=0.93).complaint is True


def test_below_the_threshold_or_switched_off_the_classifier_decides_nothing() -> None:
    text = "The left sleeve is five centimetres longer than the right"
    assert judge(text, UNEASY, ComplaintSettings(), likeness=0.69).complaint is False
    assert judge(text, UNEASY, ComplaintSettings(classifier_threshold=None), likeness=0.99).complaint is False
    assert judge(text, UNEASY, ComplaintSettings(), likeness=None).complaint is False


@pytest.mark.parametrize("text", ["Can I collect my order in store?", "so sad my size is sold out 😢"])
def test_calm_questions_and_sold_out_regret_need_an_intent_whatever_the_classifier_says(text: str) -> None:
    assert judge(text, UNEASY, ComplaintSettings(), likeness=0.99).complaint is False


def test_with_an_intent_the_reasons_stay_the_intents() -> None:
    verdict = judge("my parcel never arrived", CALM, ComplaintSettings(), likeness=0.99)
    assert verdict.complaint is True
    assert not any(r.startswith("reads like") for r in verdict.reasons)


def test_the_analyzer_shows_the_classifier_as_the_reason() -> None:
    analyzer = build_analyzer(SentimentSettings())
    [score] = analyzer.analyze(["Total disaster, the dress came apart at the wedding"], [None])
    assert score.complaint is True
    assert score.reasons[0].startswith("reads like a complaint 0.")


def test_switched_off_the_classifier_is_not_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    import sentiment.factory as factory

    def refuse() -> ComplaintClassifier:
        raise AssertionError("loaded although classifier_threshold is null")

    monkeypatch.setattr(factory, "_complaint_classifier", refuse)
    settings = SentimentSettings(complaint=ComplaintSettings(classifier_threshold=None))
    [score] = build_analyzer(settings).analyze(["Total disaster, the dress came apart at the wedding"], [None])
    assert score.complaint is False


def test_held_out_messages_keep_the_figures_the_docs_state() -> None:
    # round I (docs/sentiment.md): 10 of 32 complaints and 2 false alarms of 32 with the classifier, 0 and 1 without
    messages = load_shop_messages(HELD_OUT)
    for threshold, at_least, at_most in ((0.7, 10, 2), (None, 0, 1)):
        settings = SentimentSettings(complaint=ComplaintSettings(classifier_threshold=threshold))
        scores = build_analyzer(settings).analyze([m.text for m in messages], [None] * len(messages))
        found = sum(s.complaint and m.complaint for s, m in zip(scores, messages, strict=True))
        false = sum(s.complaint and not m.complaint for s, m in zip(scores, messages, strict=True))
        assert found >= at_least and false <= at_most, (threshold, found, false)


def test_a_missing_or_foreign_weight_file_is_a_clear_load_error(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="complaint classifier"):
        ComplaintClassifier(tmp_path / "nothing.npz")
    with np.load(WEIGHTS_PATH) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["weights"] = arrays["weights"][:100]
    bad = tmp_path / "short.npz"
    np.savez(bad, **arrays)
    with pytest.raises(ModelLoadError, match="shape"):
        ComplaintClassifier(bad)


@pytest.mark.skipif(not (data_dir() / "train.jsonl").exists(), reason="shared sentiment data not present")
def test_retraining_writes_weights_the_runtime_loads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("train_complaint", ROOT / "scripts" / "train_complaint.py")
    assert spec is not None and spec.loader is not None
    train = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train)
    out = tmp_path / "complaint.npz"
    assert train.main(["--out", str(out), "--tweets", "2000"]) == 0
    printed = capsys.readouterr().out
    assert "round B:" in printed and "dev tweets" in printed
    assert "held out" not in printed  # only when asked: looking at it again and again tunes on it
    probs = ComplaintClassifier(out).probabilities(
        ["Ordered 3 weeks ago and still no parcel, nobody answers", "Love the dress, thank you so much!"]
    )
    assert probs[0] > 0.7 > probs[1]


class _FixedScorer:
    """A scorer whose negative probability is written in the text: "0.50 …"."""

    name = "fixed"

    def predict(self, texts, langs):  # type: ignore[no-untyped-def]
        from monitor.models import Sentiment

        out = []
        for t in texts:
            negative = float(t.split()[0])
            out.append(Sentiment.from_scores({"negative": negative, "neutral": 1 - negative, "positive": 0.0}))
        return out


class _CountingClassifier:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def probabilities(self, texts):  # type: ignore[no-untyped-def]
        self.asked.extend(texts)
        return np.full(len(texts), 0.99, np.float32)


def test_the_classifier_is_asked_only_about_posts_it_can_decide() -> None:
    from sentiment.analyzer import SentimentAnalyzer
    from sentiment.embedded import EmbeddedModel

    classifier = _CountingClassifier()
    analyzer = SentimentAnalyzer(
        EmbeddedModel().langid,
        _FixedScorer(),
        complaint=ComplaintSettings(),
        classifier=classifier,  # type: ignore[arg-type]
    )
    texts = ["0.10 the dress is lovely", "0.50 the dress is lovely", "0.95 the dress is lovely"]
    scores = analyzer.analyze(texts, [None] * 3)
    # too calm for it (below classifier_min_negative), and negative enough for the score alone
    assert classifier.asked == ["0.50 the dress is lovely"]
    assert [s.complaint for s in scores] == [False, True, True]
    assert scores[1].reasons == ("reads like a complaint 0.99", "negative 0.50")
    assert scores[2].reasons == ("negative 0.95",)


def test_asking_only_about_posts_it_can_decide_gives_the_verdicts_of_asking_about_every_post() -> None:
    # the analyzer skips the classifier below classifier_min_negative and from negative_threshold up:
    # the verdicts must be those judge() gives with the classifier's probability for every post
    from monitor.models import clean_text
    from sentiment.text import canonical

    messages = load_shop_messages() + load_shop_messages(HELD_OUT)
    settings = ComplaintSettings()
    scores = build_analyzer(SentimentSettings(complaint=settings)).analyze(
        [m.text for m in messages], [None] * len(messages)
    )
    texts = [canonical(clean_text(m.text)) for m in messages]
    likeness = ComplaintClassifier().probabilities(texts)
    asked_all = [judge(t, s.scores, settings, float(p)) for t, s, p in zip(texts, scores, likeness, strict=True)]
    assert [(s.complaint, s.severity) for s in scores] == [(v.complaint, v.severity) for v in asked_all]
    # and both edges are exercised: high probabilities below the minimum and at the threshold
    negatives = [s.scores["negative"] for s in scores]
    high = [n for n, p in zip(negatives, likeness, strict=True) if p >= 0.7]
    assert any(n < settings.classifier_min_negative for n in high)
    assert any(n >= settings.negative_threshold for n in high)
