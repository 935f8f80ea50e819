"""The embedded offline scorer: a hashed character/word n-gram linear model, numpy only.

Weights live in `sentiment/weights/embedded.npz` (int8, a few MB), written by
`scripts/train_embedded.py`. Each feature has a shared weight and a per-language weight, so one
file serves every language while Hungarian still learns its own suffixes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from monitor.models import LABELS, Sentiment
from sentiment.errors import ModelLoadError
from sentiment.features import FeatureSpec, featurize, pool
from sentiment.langid import MODEL_LANGS, LanguageIdentifier
from sentiment.text import fold_diacritics, normalize

WEIGHTS_PATH = Path(__file__).with_name("weights") / "embedded.npz"

# Languages the scorer has no training data for borrow the weights of their nearest neighbour.
_BORROW = {"uk": "ru", "cs": "sk", "und": "en"}


class EmbeddedModel:
    """The loaded weights: sentiment model, per-language biases, and the language identifier."""

    def __init__(self, path: Path = WEIGHTS_PATH) -> None:
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                self.spec = FeatureSpec(**meta["spec"])
                self.langs: tuple[str, ...] = tuple(meta["langs"])
                self.weights = data["weights"].astype(np.float32) * data["weights_scale"].astype(np.float32)
                self.bias = data["bias"].astype(np.float32)
                lid = data["lid_weights"].astype(np.float32) * data["lid_scale"].astype(np.float32)
                self.langid = LanguageIdentifier(lid, data["lid_bias"])
        except (OSError, KeyError, ValueError, TypeError) as exc:
            raise ModelLoadError(f"cannot load the embedded sentiment weights from {path}: {exc}") from exc
        self.meta = meta
        self.path = path
        if self.weights.shape != (2**self.spec.bits, len(LABELS)):
            raise ModelLoadError(f"embedded weights in {path} have shape {self.weights.shape}")
        if tuple(meta.get("lid_langs", MODEL_LANGS)) != MODEL_LANGS:
            raise ModelLoadError(f"embedded weights in {path} were trained for other languages")

    def model_lang(self, lang: str) -> str:
        """The language whose weights score texts in `lang`."""
        lang = _BORROW.get(lang, lang)
        return lang if lang in self.langs else "en"

    def logits(self, texts: Sequence[str], langs: Sequence[str]) -> np.ndarray:
        """Raw class scores (negative, neutral, positive) for already normalised, folded texts."""
        if not texts:
            return np.zeros((0, len(LABELS)), np.float32)
        model_langs = [self.model_lang(lang) for lang in langs]
        lang_ids = np.array([self.langs.index(lang) for lang in model_langs], dtype=np.int64)
        pooled = pool(featurize(texts, model_langs, self.spec), self.weights)
        return np.asarray(pooled + self.bias[lang_ids], np.float32)


def prepare(text: str) -> str:
    """The text form the embedded model sees: normalised, diacritics removed."""
    return fold_diacritics(normalize(text))


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True))


class EmbeddedScorer:
    """`Scorer` backed by the bundled weights: no download, a few thousand texts per second per core."""

    name = "embedded"

    def __init__(self, model: EmbeddedModel | None = None) -> None:
        self.model = model or EmbeddedModel()

    def predict(self, texts: Sequence[str], langs: Sequence[str]) -> list[Sentiment]:
        """Polarity of each text, scored with the weights of its language."""
        if len(texts) != len(langs):
            raise ValueError("texts and langs must have the same length")
        probs = softmax(self.model.logits([prepare(t) for t in texts], list(langs)))
        return [Sentiment.from_scores(dict(zip(LABELS, map(float, row), strict=True))) for row in probs]
