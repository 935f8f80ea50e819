"""The transformers scorer: any sequence-classification model from the hub or a local folder.

This is the one module that imports torch, transformers, huggingface_hub and onnxruntime, and only
when a transformers model is configured. The fast path exports the model once to ONNX, quantises
its weights to int8 (dynamic quantisation) and runs it with ONNX Runtime.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from monitor.models import LABELS, Sentiment
from sentiment.embedded import softmax
from sentiment.errors import ModelLoadError
from sentiment.settings import SentimentSettings

log = logging.getLogger(__name__)

_STARS = re.compile(r"^\s*([1-5])\s*(?:stars?|csillag|gwiazd\w*|звезд\w*)?\s*$")
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def offline() -> bool:
    """Whether HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE) asks us never to reach the hub."""
    return any(
        os.environ.get(v, "").strip().lower() in ("1", "true", "yes", "on")
        for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    )


def polarity_of(raw: str) -> str | None:
    """negative / neutral / positive for a label name that says what it means, else None."""
    label = raw.strip().lower()
    stars = _STARS.match(label)
    if stars:
        value = int(stars.group(1))
        return "negative" if value <= 2 else "neutral" if value == 3 else "positive"
    for polarity, stems in (
        ("negative", ("neg", "negat", "негатив", "негатив", "negatív", "negatyw", "bad")),
        ("positive", ("pos", "posit", "позитив", "pozitív", "pozytyw", "good")),
        ("neutral", ("neu", "нейтрал", "semleges", "neutraln", "none", "other")),
    ):
        if any(label.startswith(stem) or stem in label.split() for stem in stems):
            return polarity
    if label.startswith("very ") or label.startswith("slightly "):
        return polarity_of(label.split(" ", 1)[1])
    return None


def map_labels(model_id: str, id2label: Mapping[int, str], explicit: Mapping[str, str] | None) -> list[str]:
    """Polarity of each output index of a model, from its `id2label` and an optional configured map."""
    explicit = explicit or {}
    mapped: list[str] = []
    for index in range(len(id2label)):
        raw = str(id2label[index])
        target = explicit.get(raw) or explicit.get(str(index)) or polarity_of(raw)
        if target is None:
            raise ModelLoadError(
                f"model {model_id}: output label {raw!r} (index {index}) does not say whether it is "
                "negative, neutral or positive; "
                f"set sentiment.label_map[{model_id!r}] = {{{raw!r}: ...}} for every label"
            )
        mapped.append(target)
    if "negative" not in mapped or "positive" not in mapped:
        raise ModelLoadError(f"model {model_id}: labels {mapped} need at least a negative and a positive class")
    return mapped


def download(model_id: str, cache_dir: str | None = None) -> Path:
    """Fetch `model_id` from the hub into the cache; returns the local snapshot folder."""
    if offline():
        raise ModelLoadError(f"cannot download {model_id}: HF_HUB_OFFLINE is set")
    from huggingface_hub import snapshot_download

    patterns = ["*.json", "*.safetensors", "*.model", "*.txt", "sentencepiece*", "*.bpe", "merges*", "vocab*"]
    try:
        path = Path(snapshot_download(model_id, cache_dir=cache_dir, allow_patterns=patterns))
        if not any(path.glob("*.safetensors")):
            # older repos ship only PyTorch weights, which transformers still loads
            path = Path(
                snapshot_download(model_id, cache_dir=cache_dir, allow_patterns=[*patterns, "pytorch_model*.bin"])
            )
    except Exception as exc:  # huggingface_hub raises many kinds (network, auth, not found)
        raise ModelLoadError(f"cannot download {model_id}: {type(exc).__name__}: {exc}") from exc
    return path


def resolve(model_id: str) -> Path:
    """A local folder for `model_id`: the path itself, or the hub cache (downloading unless offline)."""
    local = Path(model_id).expanduser()
    if local.is_dir():
        return local
    if local.is_absolute() or model_id.startswith((".", "~")) or model_id.count("/") > 1:
        raise ModelLoadError(f"sentiment model {model_id}: no such folder")
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(model_id, local_files_only=offline()))
    except Exception as exc:  # not cached while offline, unknown repo, network down
        hint = " (HF_HUB_OFFLINE is set: run `replyclock model download ID` first)" if offline() else ""
        raise ModelLoadError(f"cannot load sentiment model {model_id}: {type(exc).__name__}: {exc}{hint}") from exc


class TransformersScorer:
    """`Scorer` running a sequence-classification model on sorted, truncated batches."""

    def __init__(self, model_id: str, tokenizer: Any, polarities: list[str], runner: Any, settings: SentimentSettings):
        self.name = model_id
        self._tokenizer = tokenizer
        self._polarities = polarities
        self._run = runner
        self._max_length = settings.max_length
        self._batch_size = settings.batch_size

    @classmethod
    def load(cls, model_id: str, settings: SentimentSettings) -> TransformersScorer:
        """Load tokenizer and model once; export and quantise to ONNX when the fast path is on."""
        folder = resolve(model_id)
        try:
            import torch
            from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer

            config = AutoConfig.from_pretrained(folder)
            polarities = map_labels(
                model_id, {int(k): v for k, v in config.id2label.items()}, settings.label_map.get(model_id)
            )
            tokenizer = AutoTokenizer.from_pretrained(folder)
            torch.set_num_threads(settings.threads)
            model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
        except ModelLoadError:
            raise
        except Exception as exc:  # corrupt files, unknown architecture, missing tokenizer
            raise ModelLoadError(f"cannot load sentiment model {model_id}: {type(exc).__name__}: {exc}") from exc
        limit = _token_limit(config, tokenizer)
        if limit < settings.max_length:
            log.info(
                "sentiment model %s takes at most %d tokens; max_length %d capped", model_id, limit, settings.max_length
            )
            settings = settings.model_copy(update={"max_length": limit})
        runner: Any = _TorchRunner(model)
        if settings.fast_path == "onnx":
            try:
                runner = _OnnxRunner.build(model, tokenizer, folder, settings)
            except Exception as exc:  # export or runtime problems must not stop the daemon: torch still works
                log.warning("ONNX fast path unavailable for %s (%s); using PyTorch", model_id, exc)
        return cls(model_id, tokenizer, polarities, runner, settings)

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Raw model outputs, in input order (batches sorted by length to pad little)."""
        out = np.zeros((len(texts), len(self._polarities)), np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self._batch_size):
            idx = order[start : start + self._batch_size]
            enc = self._tokenizer(
                [texts[i] for i in idx],
                padding=True,
                truncation=True,
                max_length=self._max_length,
                return_tensors="np",
            )
            out[idx] = self._run({k: np.asarray(enc[k], np.int64) for k in _INPUTS if k in enc})
        return out

    def predict(self, texts: Sequence[str], langs: Sequence[str]) -> list[Sentiment]:
        """Polarity of each text; the model's own labels are summed into negative / neutral / positive."""
        if not texts:
            return []
        results = []
        for row in softmax(self.logits(texts)):
            scores = dict.fromkeys(LABELS, 0.0)
            for polarity, p in zip(self._polarities, row, strict=True):
                scores[polarity] += float(p)
            results.append(Sentiment.from_scores(scores))
        return results


def _token_limit(config: Any, tokenizer: Any) -> int:
    """Most tokens a text may have for this model; longer inputs index past its position embeddings."""
    limits: list[int] = []
    if isinstance(getattr(tokenizer, "model_max_length", None), int):
        limits.append(tokenizer.model_max_length)
    positions = getattr(config, "max_position_embeddings", None)
    if isinstance(positions, int):
        # RoBERTa-style models number positions from pad_token_id + 1; one token fewer for the others is harmless
        limits.append(positions - (getattr(config, "pad_token_id", None) or 0) - 1)
    return max(1, min(limits, default=2**31))


class _TorchRunner:
    def __init__(self, model: Any) -> None:
        self._model = model

    def __call__(self, inputs: dict[str, np.ndarray]) -> np.ndarray:
        import torch

        with torch.inference_mode():
            out = self._model(**{k: torch.from_numpy(v) for k, v in inputs.items()})
        return np.asarray(out.logits.float().numpy())


class _OnnxRunner:
    def __init__(self, session: Any, names: list[str]) -> None:
        self._session = session
        self._names = names

    def __call__(self, inputs: dict[str, np.ndarray]) -> np.ndarray:
        feed = {k: inputs[k] for k in self._names}
        return np.asarray(self._session.run(["logits"], feed)[0], np.float32)

    @classmethod
    def build(cls, model: Any, tokenizer: Any, folder: Path, settings: SentimentSettings) -> _OnnxRunner:
        import onnxruntime as ort

        names = [n for n in _INPUTS if n in tokenizer.model_input_names]
        path = export_quantized(model, names, folder, settings)
        options = ort.SessionOptions()
        options.intra_op_num_threads = settings.threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        return cls(session, names)


def hf_home() -> Path:
    """The Hugging Face cache folder: $HF_HOME, else ~/.cache/huggingface (as huggingface_hub reads it)."""
    return Path(os.environ.get("HF_HOME") or "~/.cache/huggingface").expanduser()


def _cache_root(settings: SentimentSettings) -> Path:
    if settings.onnx_cache_dir:
        return Path(settings.onnx_cache_dir).expanduser()
    return hf_home() / "replyclock-onnx"


def _fingerprint(folder: Path) -> str:
    digest = hashlib.sha256(str(folder.resolve()).encode())
    for item in sorted(folder.iterdir()):
        if item.is_file():
            stat = item.stat()
            digest.update(f"{item.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:20]


def export_quantized(model: Any, names: list[str], folder: Path, settings: SentimentSettings) -> Path:
    """Export `model` to ONNX and quantise it (int8 weights), once per model folder; returns the file."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target_dir = _cache_root(settings) / _fingerprint(folder)
    quantized = target_dir / "model.int8.onnx"
    if quantized.exists():
        return quantized
    target_dir.mkdir(parents=True, exist_ok=True)
    plain = target_dir / "model.onnx"

    class Logits(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, *args: torch.Tensor) -> torch.Tensor:
            return self.inner(**dict(zip(names, args, strict=True))).logits

    # token_type_ids 0: a model with a single token type has no embedding for type 1
    example = tuple((torch.zeros if n == "token_type_ids" else torch.ones)((2, 8), dtype=torch.long) for n in names)
    axes = {n: {0: "batch", 1: "tokens"} for n in names} | {"logits": {0: "batch"}}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Logits(model),
            example,
            str(plain),
            input_names=names,
            output_names=["logits"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    tmp = target_dir / "model.int8.onnx.tmp"
    quantize_dynamic(str(plain), str(tmp), weight_type=QuantType.QInt8)
    tmp.replace(quantized)  # atomic: a half-written file is never picked up by the next start
    plain.unlink(missing_ok=True)
    return quantized
