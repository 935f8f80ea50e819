"""The complaint classifier: how much a post reads like a shop complaint, whichever words it uses.

The phrase rules (`sentiment.complaint`) know the phrasings they were written for, and the polarity
scorers were trained on tweets, not on shop mail: "Two weeks the parcel has sat at the sorting
centre" has no rule's phrase and scores far from the negative threshold. This is a logistic
regression over hashed character 2-5-grams and word uni/bi-grams of the folded text (one model for
every language), trained by `scripts/train_complaint.py` on the shop messages the team judged
(`sentiment/shop_messages.tsv`) against tweets that are no shop complaint. A post with no intent
escalates when its probability reaches `complaint.classifier_threshold`. numpy only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from sentiment.embedded import prepare
from sentiment.errors import ModelLoadError
from sentiment.features import FeatureSpec, featurize, pool

WEIGHTS_PATH = Path(__file__).with_name("weights") / "complaint.npz"


class ComplaintClassifier:
    """The loaded weights (int8 with a scale, and a bias) and the features they were trained on."""

    def __init__(self, path: Path = WEIGHTS_PATH) -> None:
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                self.spec = FeatureSpec(**meta["spec"])
                self.weights = (data["weights"].astype(np.float32) * np.float32(data["weights_scale"]))[:, None]
                self.bias = float(data["bias"])
        except (OSError, KeyError, ValueError, TypeError) as exc:
            raise ModelLoadError(f"cannot load the complaint classifier from {path}: {exc}") from exc
        if self.weights.shape != (2**self.spec.bits, 1) or self.spec.lang_copies:
            raise ModelLoadError(f"the complaint classifier in {path} has weights of shape {self.weights.shape[:1]}")

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """For each text, the probability that the team would answer it as a complaint."""
        if not texts:
            return np.zeros(0, np.float32)
        logits = pool(featurize([prepare(t) for t in texts], None, self.spec), self.weights)[:, 0] + self.bias
        return np.asarray(1.0 / (1.0 + np.exp(-logits)), np.float32)
