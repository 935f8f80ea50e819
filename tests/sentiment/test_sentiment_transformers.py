"""The transformers scorer on a tiny model trained here: real loading code, both paths, label mapping."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from tiny_sentiment_model import ID2LABEL, TRAIN

from sentiment.errors import ModelLoadError, ScorerFailed
from sentiment.factory import build_analyzer
from sentiment.settings import SentimentSettings
from sentiment.transformers_scorer import TransformersScorer, map_labels, polarity_of


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("negative", "negative"),
        ("Neutral", "neutral"),
        ("POSITIVE", "positive"),
        ("1 star", "negative"),
        ("2 stars", "negative"),
        ("3 stars", "neutral"),
        ("5 stars", "positive"),
        ("LABEL_0", None),
        ("very negative", "negative"),
        ("neg", "negative"),
    ],
)
def test_polarity_of_label_names(raw: str, expected: str | None) -> None:
    assert polarity_of(raw) == expected


def test_map_labels_needs_a_map_for_label_n() -> None:
    with pytest.raises(ModelLoadError, match="label_map"):
        map_labels("m", {0: "LABEL_0", 1: "LABEL_1"}, None)
    assert map_labels("m", {0: "LABEL_0", 1: "LABEL_1"}, {"LABEL_0": "positive", "LABEL_1": "negative"}) == [
        "positive",
        "negative",
    ]
    assert map_labels("m", {0: "1 star", 1: "3 stars", 2: "5 stars"}, None) == [
        "negative",
        "neutral",
        "positive",
    ]


def _settings(tmp_path: Path, model: str, fast_path: str) -> SentimentSettings:
    return SentimentSettings(
        model=model,
        fast_path=fast_path,
        onnx_cache_dir=str(tmp_path / "onnx"),
        threads=1,
        batch_size=4,
        max_length=16,
    )  # type: ignore[arg-type]


def test_tiny_model_labels_mean_something_and_both_paths_agree(tiny_model_dir: Path, tmp_path: Path) -> None:
    texts = [t for t, _ in TRAIN]
    plain = TransformersScorer.load(str(tiny_model_dir), _settings(tmp_path, str(tiny_model_dir), "none"))
    fast = TransformersScorer.load(str(tiny_model_dir), _settings(tmp_path, str(tiny_model_dir), "onnx"))
    assert type(fast._run).__name__ == "_OnnxRunner"
    assert list((tmp_path / "onnx").rglob("model.int8.onnx"))
    plain_labels = [s.label for s in plain.predict(texts, ["en"] * len(texts))]
    fast_labels = [s.label for s in fast.predict(texts, ["en"] * len(texts))]
    assert plain_labels == [lab for _, lab in TRAIN]  # id2label is positive/negative/neutral, not index 0 = negative
    assert fast_labels == plain_labels
    for s in plain.predict(texts[:2], ["en", "en"]):
        assert set(s.scores) == {"negative", "neutral", "positive"}
        assert abs(sum(s.scores.values()) - 1.0) < 1e-5


def test_batches_sorted_and_truncated_keep_input_order(tiny_model_dir: Path, tmp_path: Path) -> None:
    scorer = TransformersScorer.load(str(tiny_model_dir), _settings(tmp_path, str(tiny_model_dir), "none"))
    long_text = " ".join(["great"] * 200)
    texts = [long_text, "terrible , my parcel is broken", "do you ship to hungary"]
    one_by_one = np.vstack([scorer.logits([t]) for t in texts])
    together = scorer.logits(texts)
    assert np.allclose(one_by_one, together, atol=1e-4)


def test_models_by_lang_and_offline_errors(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = SentimentSettings(models_by_lang={"en": str(tiny_model_dir)}, fast_path="none", threads=1)
    analyzer = build_analyzer(settings)
    en, pl = analyzer.analyze(["worst shop , refund refused , terrible", "Dziękuję, wszystko super!"], ["en", "pl"])
    assert en.model == str(tiny_model_dir) and en.label == "negative" and en.complaint
    assert pl.model == "embedded" and pl.label == "positive"
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    with pytest.raises(ModelLoadError, match="HF_HUB_OFFLINE"):
        build_analyzer(SentimentSettings(model="someone/not-cached-model"))


def test_a_models_by_lang_model_failing_at_inference_falls_back_only_when_configured(
    tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    strict = SentimentSettings(models_by_lang={"en": str(tiny_model_dir)}, fast_path="none", threads=1)
    lenient = build_analyzer(strict.model_copy(update={"fallback": "embedded"}))
    strict_analyzer = build_analyzer(strict)

    def broken(self: TransformersScorer, texts: object, langs: object) -> list[object]:
        raise RuntimeError("ONNXRuntimeError: invalid input")

    monkeypatch.setattr(TransformersScorer, "predict", broken)
    texts = ["worst shop , refund refused , terrible", "Dziękuję, wszystko super!"]
    en, pl = lenient.analyze(texts, ["en", "pl"])
    assert en.model == "embedded" and en.complaint and pl.model == "embedded" and pl.label == "positive"
    with pytest.raises(ScorerFailed, match=str(tiny_model_dir)):
        strict_analyzer.analyze(texts, ["en", "pl"])


def test_download_refuses_clearly_when_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    from sentiment.tools import download_model

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelLoadError, match="HF_HUB_OFFLINE"):
        download_model("cardiffnlp/twitter-xlm-roberta-base-sentiment-multilingual", None)


def test_model_without_meaningful_labels_is_refused_at_load(tiny_model_dir: Path, tmp_path: Path) -> None:
    # The same trained model with its outputs renamed LABEL_0..2: nothing says which one is negative.
    folder = tmp_path / "label-n"
    shutil.copytree(tiny_model_dir, folder)
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    config["id2label"] = {str(i): f"LABEL_{i}" for i in ID2LABEL}
    config["label2id"] = {f"LABEL_{i}": i for i in ID2LABEL}
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ModelLoadError, match="label_map"):
        build_analyzer(SentimentSettings(model=str(folder), fast_path="none"))
    mapping = {f"LABEL_{i}": polarity for i, polarity in ID2LABEL.items()}
    analyzer = build_analyzer(SentimentSettings(model=str(folder), fast_path="none", label_map={str(folder): mapping}))
    assert analyzer.analyze(["worst shop , refund refused , terrible"], ["en"])[0].label == "negative"


def test_max_length_beyond_the_models_positions_is_capped(tiny_model_dir: Path, tmp_path: Path) -> None:
    # The tiny model has 80 positions (78 tokens, XLM-R style); a configured 128 must not crash long texts.
    settings = _settings(tmp_path, str(tiny_model_dir), "none").model_copy(update={"max_length": 128})
    scorer = TransformersScorer.load(str(tiny_model_dir), settings)
    texts = [" ".join(["great"] * 300), "terrible , my parcel is broken"]
    assert [s.label for s in scorer.predict(texts, ["en", "en"])] == ["positive", "negative"]


def test_onnx_fast_path_for_a_tokenizer_with_token_type_ids_and_one_type(tiny_model_dir: Path, tmp_path: Path) -> None:
    # BERTweet-like: the tokenizer emits token_type_ids (all 0) but the model has one token type only.
    from transformers import AutoConfig, AutoTokenizer, XLMRobertaForSequenceClassification

    trained = XLMRobertaForSequenceClassification.from_pretrained(tiny_model_dir)
    state = trained.state_dict()
    key = "roberta.embeddings.token_type_embeddings.weight"
    state[key] = state[key][:1].clone()
    config = AutoConfig.from_pretrained(tiny_model_dir)
    config.type_vocab_size = 1
    folder = tmp_path / "one-type"
    model = XLMRobertaForSequenceClassification(config)
    model.load_state_dict(state)
    model.save_pretrained(folder)
    names = ["input_ids", "token_type_ids", "attention_mask"]
    AutoTokenizer.from_pretrained(tiny_model_dir, model_input_names=names).save_pretrained(folder)
    fast = TransformersScorer.load(str(folder), _settings(tmp_path, str(folder), "onnx"))
    assert type(fast._run).__name__ == "_OnnxRunner"
    texts = [t for t, _ in TRAIN]
    assert [s.label for s in fast.predict(texts, ["en"] * len(texts))] == [lab for _, lab in TRAIN]


def test_download_fetches_pytorch_weights_when_a_repo_has_no_safetensors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A stand-in for the hub (no test touches the internet): a repo that ships only pytorch_model.bin.
    import fnmatch

    import huggingface_hub

    from sentiment.transformers_scorer import download

    repo = {"config.json": "{}", "tokenizer.json": "{}", "pytorch_model.bin": "weights", "training_args.bin": "x"}

    def fake_snapshot_download(model_id: str, cache_dir: str | None = None, allow_patterns: list[str] = ()) -> str:
        folder = tmp_path / "snapshot"
        folder.mkdir(exist_ok=True)
        for name, content in repo.items():
            if any(fnmatch.fnmatch(name, p) for p in allow_patterns):
                (folder / name).write_text(content)
        return str(folder)

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_snapshot_download)
    folder = download("someone/bin-only-model")
    assert (folder / "pytorch_model.bin").exists() and not (folder / "training_args.bin").exists()


def test_a_download_by_root_into_the_service_cache_is_handed_to_the_service_user(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`sudo replyclock model download` left root-owned files the service (DynamicUser) could not extend."""
    import huggingface_hub

    from sentiment import tools

    state = tmp_path / "state"
    state.mkdir()
    hf_home = state / "huggingface"

    def fake_snapshot_download(model_id: str, cache_dir: str | None = None, allow_patterns: list[str] = ()) -> str:
        folder = hf_home / "hub" / "models--someone--m" / "snapshots" / "abc"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "config.json").write_text("{}")
        (folder / "model.safetensors").write_text("weights")
        return str(folder)

    chowned: list[tuple[str, int, int]] = []
    monkeypatch.setenv("STATE_DIRECTORY", str(state))
    monkeypatch.setenv("HF_HOME", str(hf_home))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_snapshot_download)
    monkeypatch.setattr(tools.os, "geteuid", lambda: 0)
    monkeypatch.setattr(tools.os, "lchown", lambda p, uid, gid: chowned.append((str(p), uid, gid)))
    owner = (state.stat().st_uid, state.stat().st_gid)
    tools.download_model("someone/m", None)
    paths = {p for p, _, _ in chowned}
    snapshot = hf_home / "hub" / "models--someone--m" / "snapshots" / "abc"
    assert {str(hf_home), str(snapshot), str(snapshot / "config.json")} <= paths
    assert {(uid, gid) for _, uid, gid in chowned} == {owner}


def test_a_download_outside_the_service_state_or_not_by_root_changes_no_owner(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import huggingface_hub

    from sentiment import tools

    def fake_snapshot_download(model_id: str, cache_dir: str | None = None, allow_patterns: list[str] = ()) -> str:
        folder = tmp_path / "hf" / "snap"
        folder.mkdir(parents=True, exist_ok=True)
        return str(folder)

    chowned: list[str] = []
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_snapshot_download)
    monkeypatch.setattr(tools.os, "lchown", lambda p, uid, gid: chowned.append(str(p)))
    monkeypatch.setattr(tools.os, "geteuid", lambda: 0)
    tools.download_model("someone/m", None)  # root, but the cache is not the service's
    (tmp_path / "state").mkdir()
    monkeypatch.setenv("HF_HOME", str(tmp_path / "state" / "hf"))
    monkeypatch.setattr(tools.os, "geteuid", lambda: 1000)
    tools.download_model("someone/m", None)  # the service's cache, but not root: files are the user's already
    assert chowned == []
