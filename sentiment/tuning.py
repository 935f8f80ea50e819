"""What the training scripts share: label masks, bias tuning on dev, sparse features, int8 weights, saving,
and the augmented copies of the training texts that the teacher labels for distillation."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import Any

import numpy as np

from monitor.models import LABELS
from sentiment.features import FeatureBatch


def tune_bias(logits: np.ndarray, rows: list[dict[str, str]], langs: tuple[str, ...]) -> np.ndarray:
    """Per-language offsets for negative and neutral that maximise that language's dev objective."""
    offsets = np.zeros((len(langs), 3), np.float32)
    grid = np.round(np.arange(-1.5, 1.51, 0.1), 2)
    pairs = np.array([(a, b, 0.0) for a in grid for b in grid], np.float32)
    for li, lang in enumerate(langs):
        ii = np.array([i for i, r in enumerate(rows) if r["lang"] == lang])
        if ii.size == 0:
            continue
        scores = objective_grid(logits[ii][None, :, :] + pairs[:, None, :], [rows[i] for i in ii])
        # First best in grid order: ties resolve the same way on every run.
        offsets[li] = pairs[int(np.argmax(scores))]
    return offsets


def objective_grid(logits: np.ndarray, rows: list[dict[str, str]]) -> np.ndarray:
    """Mean negative F1 over sources + half the mean 3-class macro-F1, for each of a stack of logits."""
    gold = np.array([LABELS.index(r["label"]) for r in rows])
    sources = sorted({r["source"] for r in rows})
    neg_f1, macro3 = [], []
    for source in sources:
        sel = np.array([r["source"] == source for r in rows])
        present = sorted(set(gold[sel].tolist()))
        allowed = np.full(3, -1e9, np.float32)
        allowed[present] = 0.0
        pred = np.argmax(logits[:, sel, :] + allowed, axis=2)
        g = gold[sel][None, :]
        f1 = {}
        for c in present:
            tp = ((pred == c) & (g == c)).sum(axis=1)
            fp = ((pred == c) & (g != c)).sum(axis=1)
            fn = ((pred != c) & (g == c)).sum(axis=1)
            f1[c] = 2 * tp / np.maximum(2 * tp + fp + fn, 1)
        neg_f1.append(f1[0])
        if len(present) == 3:
            macro3.append(np.mean([f1[c] for c in present], axis=0))
    total = np.mean(neg_f1, axis=0)
    if macro3:
        total = total + 0.5 * np.mean(macro3, axis=0)
    return np.asarray(total)


def objective(logits: np.ndarray, rows: list[dict[str, str]]) -> float:
    """`objective_grid` for one set of logits."""
    return float(objective_grid(logits[None, :, :], rows)[0])


def label_mask(rows: list[dict[str, str]]) -> np.ndarray:
    """(rows, 3) bool: which labels each row's source uses. Sources without neutral labels say
    nothing about neutral, so the neutral model never learns from them."""
    source_labels: dict[str, set[str]] = {}
    for r in rows:
        source_labels.setdefault(r["source"], set()).add(r["label"])
    return np.array([[lab in source_labels[r["source"]] for lab in LABELS] for r in rows], bool)


def save_weights(path: Path, meta: dict[str, Any], **arrays: np.ndarray) -> None:
    """A compressed .npz with `meta` as JSON beside the arrays (what the scorers load)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # numpy types **kwds as if it could fill allow_pickle (a bool)
    np.savez_compressed(path, meta=np.array(json.dumps(meta)), **arrays)  # type: ignore[arg-type]


def to_csr(batch: FeatureBatch, bits: int) -> Any:
    """The batch as a sparse matrix with the runtime's values (each occurrence 1/sqrt(feature count))."""
    import scipy.sparse as sp  # training only: the runtime never imports scipy

    counts = batch.counts()
    rows = np.repeat(np.arange(len(counts)), counts)
    data = np.repeat(1.0 / np.sqrt(np.maximum(counts, 1)), counts).astype(np.float64)
    matrix = sp.csr_matrix((data, (rows, batch.index)), shape=(len(counts), 2**bits))
    matrix.sum_duplicates()
    return matrix


def quantize(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 per column."""
    scale = np.abs(weights).max(axis=0) / 127.0
    scale[scale == 0] = 1.0
    return np.round(weights / scale).astype(np.int8), scale.astype(np.float32)


# Where scripts/train_teacher.py writes its labels for the augmented texts, and train_embedded.py reads them.
TEACHER_LABELS = Path(__file__).resolve().with_name("teacher_labels.npz")


def augment_rows(rows: list[dict[str, str]], per_row: int, seed: int) -> list[tuple[int, str]]:
    """Up to `per_row` altered copies of each training text (index of its row, text), for the teacher to label.

    Each copy drops words (p 0.15, in half of them), swaps words for random words of the same language
    (p 0.12, in 30%) and keeps a random span of at least 40% of the words (in 25%); copies equal to the
    text or to an earlier copy are skipped. Only `random.Random(seed)` decides, so the teacher's script
    and train_embedded.py make the same list from the same rows on any Python 3 (checked: 3.11 and 3.12).
    """
    rng = random.Random(seed)
    pools: dict[str, list[str]] = {}
    for row in rows:
        pools.setdefault(row["lang"], []).extend(row["text"].split())
    out: list[tuple[int, str]] = []
    for i, row in enumerate(rows):
        words = row["text"].split()
        if len(words) < 2:
            continue
        seen = {row["text"]}
        for _ in range(per_row * 2):
            w = list(words)
            if rng.random() < 0.3:
                pool = pools[row["lang"]]
                w = [rng.choice(pool) if rng.random() < 0.12 else x for x in w]
            if rng.random() < 0.5:
                w = [x for x in w if rng.random() >= 0.15] or [rng.choice(w)]
            if rng.random() < 0.25 and len(w) > 3:
                n = rng.randint(max(2, int(len(w) * 0.4)), len(w))
                start = rng.randint(0, len(w) - n)
                w = w[start : start + n]
            text = " ".join(w)
            if text not in seen:
                seen.add(text)
                out.append((i, text))
            if len(seen) > per_row:
                break
    return out


def file_sha256(path: Path) -> str:
    """sha256 of a file: ties the teacher's labels to the training data they were made from."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
