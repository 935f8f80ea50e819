"""Train the embedded sentiment scorer and language identifier; write sentiment/weights/embedded.npz.

    python scripts/train_embedded.py              # the committed weights: gold labels + the teacher's (~15 min, 8 GB)
    python scripts/train_embedded.py --gold-only  # the gold labels alone (the previous default, ~2.5 min)

Data: ../shared/data/sentiment or $REPLYCLOCK_SENTIMENT_DATA; the teacher's labels for altered copies of
the training texts: sentiment/teacher_labels.npz (scripts/train_teacher.py). Fixed seeds, one thread,
deterministic order. Prints the dev figures that go into docs/sentiment-model-card.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch
from scipy.optimize import minimize
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.models import LABELS  # noqa: E402
from sentiment.data import data_dir, load_rows  # noqa: E402
from sentiment.embedded import WEIGHTS_PATH, prepare  # noqa: E402
from sentiment.evaluation import TARGET_LANGS, evaluate_scores, format_eval  # noqa: E402
from sentiment.features import FeatureBatch, FeatureSpec, featurize, pool  # noqa: E402
from sentiment.langid import LANGID_SPEC, MODEL_LANGS  # noqa: E402
from sentiment.text import fold_diacritics, normalize  # noqa: E402
from sentiment.tuning import (  # noqa: E402
    TEACHER_LABELS,
    augment_rows,
    file_sha256,
    label_mask,
    quantize,
    save_weights,
    to_csr,
    tune_bias,
)

SPEC = FeatureSpec(bits=20, char_min=1, char_max=5, word_bigrams=True, lang_copies=True)


def _batch_tensors(batch: FeatureBatch, idx: np.ndarray) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    starts, ends = batch.offsets[idx], batch.offsets[idx + 1]
    lens = ends - starts
    flat = np.concatenate([batch.index[s:e] for s, e in zip(starts, ends, strict=True)])
    offsets = np.concatenate([[0], np.cumsum(lens)[:-1]])
    weights = np.repeat(1.0 / np.sqrt(np.maximum(lens, 1)), lens).astype(np.float32)
    return torch.from_numpy(flat), torch.from_numpy(offsets), torch.from_numpy(weights)


def train_linear(
    batch: FeatureBatch,
    labels: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    sample_weight: np.ndarray,
    bits: int,
    epochs: int,
    lr: float,
    seed: int,
    n_classes: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Softmax regression over hashed features with a bias per group (SparseAdam); returns weights and biases."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    emb = torch.nn.EmbeddingBag(2**bits, n_classes, mode="sum", sparse=True)
    torch.nn.init.zeros_(emb.weight)
    bias = torch.nn.Parameter(torch.zeros(n_groups, n_classes))
    opt_w = torch.optim.SparseAdam(list(emb.parameters()), lr=lr)
    opt_b = torch.optim.Adam([bias], lr=lr * 10)
    y = torch.from_numpy(labels)
    g = torch.from_numpy(groups)
    w = torch.from_numpy(sample_weight.astype(np.float32))
    for _ in range(epochs):
        perm = rng.permutation(len(labels))
        for start in range(0, len(perm), 128):
            idx = np.sort(perm[start : start + 128])
            flat, offsets, psw = _batch_tensors(batch, idx)
            ti = torch.from_numpy(idx)
            logits = emb(flat, offsets, per_sample_weights=psw) + bias[g[ti]]
            loss = (torch.nn.functional.cross_entropy(logits, y[ti], reduction="none") * w[ti]).mean()
            opt_w.zero_grad()
            opt_b.zero_grad()
            loss.backward()
            opt_w.step()
            opt_b.step()
    return emb.weight.detach().numpy().copy(), bias.detach().numpy().copy()


def train_nb_lr(
    x: sp.csr_matrix, labels: np.ndarray, has_label: np.ndarray, c: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest NB-LR per class: logistic regression on features scaled by their NB log-count ratio.

    The scaling is folded back into the weights, so the runtime stays one linear map. Each class is
    learnt only from rows whose source uses that label (neutral from the 3-class sources).
    """
    weights = np.zeros((x.shape[1], len(LABELS)), np.float32)
    bias = np.zeros(len(LABELS), np.float32)
    for k in range(len(LABELS)):
        rows = has_label[:, k]
        xs, target = x[rows], labels[rows] == k
        ratio = nb_ratio(xs, target.astype(np.float64), np.ones(len(target)))
        model = LogisticRegression(C=c, solver="liblinear", class_weight="balanced", max_iter=200, random_state=seed)
        model.fit(xs @ sp.diags(ratio), target)
        weights[:, k] = model.coef_.ravel() * ratio
        bias[k] = model.intercept_[0]
    return weights, bias


def nb_ratio(x: sp.csr_matrix, target: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Naive Bayes log-count ratio of each feature (presence, add-one smoothed) for target vs the rest.

    `target` may be soft (a probability per row) and rows weighted; for 0/1 targets and unit weights the
    counts are whole numbers, summed exactly in any order.
    """
    present = x.copy()
    present.data[:] = 1.0
    p = np.asarray(present.T @ (target * weight)).ravel() + 1.0
    q = np.asarray(present.T @ ((1.0 - target) * weight)).ravel() + 1.0
    return np.asarray(np.log((p / p.sum()) / (q / q.sum())))


def fit_logistic(
    x: sp.csr_matrix, target: np.ndarray, weight: np.ndarray, c: float, iters: int
) -> tuple[np.ndarray, float]:
    """L2 logistic regression on soft targets (L-BFGS): C * sum of weighted cross-entropies + |w|^2 / 2.

    Both sides are balanced, as liblinear's `class_weight="balanced"` does for hard labels: the target
    mass and the rest mass weigh the same in total. The bias is not penalised.
    """
    pos = weight * target * weight.sum() / (2.0 * (weight * target).sum())
    neg = weight * (1.0 - target) * weight.sum() / (2.0 * (weight * (1.0 - target)).sum())
    pos, neg = c * pos, c * neg
    xt = x.T.tocsr()

    def loss_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
        coef = theta[:-1]
        z = (x @ coef.astype(np.float32)).astype(np.float64) + theta[-1]
        loss = float((pos * np.logaddexp(0.0, -z) + neg * np.logaddexp(0.0, z)).sum() + 0.5 * coef @ coef)
        sig = 0.5 * (1.0 + np.tanh(0.5 * z))
        dz = neg * sig - pos * (1.0 - sig)
        grad = np.empty_like(theta)
        grad[:-1] = (xt @ dz.astype(np.float32)).astype(np.float64) + coef
        grad[-1] = dz.sum()
        return loss, grad

    result = minimize(loss_grad, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B", options={"maxiter": iters})
    return result.x[:-1], float(result.x[-1])


def train_nb_lr_soft(
    x: sp.csr_matrix, targets: np.ndarray, has_label: np.ndarray, weight: np.ndarray, c: float, iters: int
) -> tuple[np.ndarray, np.ndarray]:
    """`train_nb_lr` on soft targets (per-class probabilities: 0/1 for gold labels, the teacher's for the
    augmented texts), fitted with L-BFGS: what `--teacher` trains."""
    weights = np.zeros((x.shape[1], len(LABELS)), np.float32)
    bias = np.zeros(len(LABELS), np.float32)
    for k in range(len(LABELS)):
        rows = has_label[:, k]
        xs, target, w = x[rows], targets[rows, k], weight[rows]
        ratio = nb_ratio(xs, target, w)
        coef, intercept = fit_logistic((xs @ sp.diags(ratio.astype(np.float32))).tocsr(), target, w, c, iters)
        weights[:, k] = coef * ratio
        bias[k] = intercept
        print(f"class {LABELS[k]}: {rows.sum()} rows", flush=True)
    return weights, bias


def teacher_rows(
    path: Path, train: list[dict[str, str]], train_file: Path, temperature: float
) -> tuple[list[dict[str, str]], np.ndarray, np.ndarray, dict[str, Any]]:
    """The augmented texts (each with its row's language and source), the teacher's class probabilities,
    which labels each one's source uses, and what the teacher's file says of itself."""
    with np.load(path, allow_pickle=False) as data:
        info = json.loads(str(data["meta"]))
        logits = data["augmented"].astype(np.float64)
    if info["train_sha256"] != file_sha256(train_file):
        raise SystemExit(f"{path} was made from another {train_file.name}: run scripts/train_teacher.py")
    augmented = augment_rows(train, info["augment"]["per_row"], info["augment"]["seed"])
    if len(augmented) != len(logits):
        raise SystemExit(f"{path} labels {len(logits)} augmented texts, augment_rows made {len(augmented)}")
    rows = [dict(train[i], text=text) for i, text in augmented]
    allowed = label_mask(train)[[i for i, _ in augmented]]
    z = logits / temperature + np.where(allowed, 0.0, -np.inf)  # a source's missing label gets nothing
    z -= z.max(axis=1, keepdims=True)
    probs = np.exp(z)
    return rows, probs / probs.sum(axis=1, keepdims=True), allowed, info


def sparse_features(rows: list[dict[str, str]], spec: FeatureSpec, chunk: int = 20000) -> sp.csr_matrix:
    """Training features as float32 CSR, built in chunks (half a million texts at once do not fit in memory)."""
    parts = [
        to_csr(
            featurize(
                [prepare(r["text"]) for r in rows[i : i + chunk]], [r["lang"] for r in rows[i : i + chunk]], spec
            ),
            spec.bits,
        )
        for i in range(0, len(rows), chunk)
    ]
    matrix = sp.vstack(parts).tocsr() if parts else sp.csr_matrix((0, 2**spec.bits), dtype=np.float32)
    return matrix.astype(np.float32)


def build_parser() -> argparse.ArgumentParser:
    """The command line: the committed weights' recipe by default (gold labels and the teacher's)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=None, help="folder with train.jsonl and dev.jsonl")
    parser.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    parser.add_argument("--c", type=float, default=10.0, help="inverse L2 strength of the NB-LR models")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--bits", type=int, default=SPEC.bits)
    parser.add_argument("--char-max", type=int, default=SPEC.char_max)
    parser.add_argument("--no-lang-copies", action="store_true")
    parser.add_argument("--skip-langid", action="store_true", help="experiments only: no langid, no file")
    learn = parser.add_mutually_exclusive_group()
    learn.add_argument(
        "--teacher",
        type=Path,
        nargs="?",
        const=TEACHER_LABELS,
        default=TEACHER_LABELS,
        help="also learn from a teacher's labels for augmented texts (the default, from %(const)s)",
    )
    learn.add_argument(
        "--gold-only",
        dest="teacher",
        action="store_const",
        const=None,
        help="learn from the gold labels alone (liblinear): the previous default",
    )
    parser.add_argument("--temperature", type=float, default=1.0, help="with the teacher: softens its class scores")
    parser.add_argument("--iters", type=int, default=400, help="with the teacher: L-BFGS iterations per class")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Train, tune on dev, quantise, write the weights and print the dev figures."""
    args = build_parser().parse_args(argv)
    spec = FeatureSpec(
        bits=args.bits, char_min=1, char_max=args.char_max, word_bigrams=True, lang_copies=not args.no_lang_copies
    )
    torch.set_num_threads(1)  # one thread: the same floating-point sums on every run
    folder = args.data or data_dir()
    train, dev = load_rows(folder / "train.jsonl"), load_rows(folder / "dev.jsonl")
    t0 = time.time()
    langs = tuple(sorted({r["lang"] for r in train}))
    lang_index = {lang: i for i, lang in enumerate(langs)}

    def features(rows: list[dict[str, str]]) -> FeatureBatch:
        return featurize([prepare(r["text"]) for r in rows], [r["lang"] for r in rows], spec)

    teacher: dict[str, Any] | None = None
    if args.teacher is None:
        tr_x = to_csr(features(train), spec.bits)
        tr_y = np.array([LABELS.index(r["label"]) for r in train], np.int64)
        print(f"features: {time.time() - t0:.1f}s", flush=True)
        w, b = train_nb_lr(tr_x, tr_y, label_mask(train), args.c, args.seed)
    else:
        extra, soft, soft_labels, teacher = teacher_rows(args.teacher, train, folder / "train.jsonl", args.temperature)
        targets = np.vstack([np.eye(len(LABELS))[[LABELS.index(r["label"]) for r in train]], soft])
        tr_x = sparse_features(train + extra, spec)
        print(f"features: {time.time() - t0:.1f}s ({len(train)} gold rows, {len(extra)} teacher-labelled)", flush=True)
        has_label = np.vstack([label_mask(train), soft_labels])
        w, b = train_nb_lr_soft(tr_x, targets, has_label, np.ones(len(targets)), args.c, args.iters)
    dv_batch = features(dev)
    dv_g = np.array([lang_index[r["lang"]] for r in dev], np.int64)
    print(f"trained: {time.time() - t0:.1f}s", flush=True)
    q, scale = quantize(w)
    deq = q.astype(np.float32) * scale
    raw = pool(dv_batch, deq) + np.tile(b, (len(dv_g), 1))  # what the runtime computes, before the tuned offsets
    offsets = tune_bias(raw, dev, langs)
    tuned = raw + offsets[dv_g]
    report = evaluate_scores(tuned, dev)
    neg = report.negative_f1_by_lang()
    macro = {f"{g.lang}/{g.source}": round(g.macro_f1, 3) for g in report.groups if g.has_neutral}
    print(
        "dev (tuned biases): negative F1 "
        + " ".join(f"{lang} {neg[lang]:.3f}" for lang in TARGET_LANGS)
        + f" avg {np.mean([neg[lang] for lang in TARGET_LANGS]):.3f}; 3-class macro-F1 {macro}",
        flush=True,
    )
    bias = b[None, :] + offsets
    if args.skip_langid:
        return 0

    lid_w, lid_scale, lid_b = train_langid(train, args.seed)
    meta = {
        "spec": {
            "bits": spec.bits,
            "char_min": spec.char_min,
            "char_max": spec.char_max,
            "word_bigrams": spec.word_bigrams,
            "lang_copies": spec.lang_copies,
        },
        "langs": list(langs),
        "lid_langs": list(MODEL_LANGS),
        "trained": dt.date.today().isoformat(),
        "method": "one-vs-rest NB-LR (liblinear)"
        if teacher is None
        else "one-vs-rest NB-LR on soft targets (L-BFGS): gold labels and a teacher's for augmented texts",
        "c": args.c,
        **(
            {}
            if teacher is None
            else {
                "iters": args.iters,
                "temperature": args.temperature,
                "teacher": {k: teacher[k] for k in ("teacher", "augment", "dev_figures_tuned")},
            }
        ),
        "seed": args.seed,
        "train_rows": len(train),
    }
    save_weights(
        args.out,
        meta,
        weights=q,
        weights_scale=scale,
        bias=bias.astype(np.float32),
        lid_weights=lid_w,
        lid_scale=lid_scale,
        lid_bias=lid_b,
    )
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB) in {time.time() - t0:.0f}s", flush=True)

    from sentiment.embedded import EmbeddedModel, softmax

    model = EmbeddedModel(args.out)
    probs = softmax(model.logits([prepare(r["text"]) for r in dev], [r["lang"] for r in dev]))
    report = evaluate_scores(probs, dev)
    print("dev figures (gold language):")
    print(format_eval(report))
    return 0


def train_langid(train: list[dict[str, str]], seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Language identifier over MODEL_LANGS, on texts with and without diacritics."""
    rows = [r for r in train if r["lang"] in MODEL_LANGS]
    texts = [normalize(r["text"]) for r in rows]
    # Customers often type without diacritics: learn from the folded form only (what the runtime sees).
    texts = [fold_diacritics(t) for t in texts]
    batch = featurize(texts, None, LANGID_SPEC)
    labels = np.array([MODEL_LANGS.index(r["lang"]) for r in rows], np.int64)
    counts = Counter(labels.tolist())
    weight = np.array([len(labels) / (len(counts) * counts[int(y)]) for y in labels], np.float32)
    # One group, indexed per row: a plain broadcast bias trains to other floating-point weights, and
    # retraining must keep writing the committed file bit for bit.
    groups = np.zeros(len(rows), np.int64)
    w, b = train_linear(batch, labels, groups, 1, weight, LANGID_SPEC.bits, 2, 0.01, seed, len(MODEL_LANGS))
    q, scale = quantize(w)
    return q, scale, b[0].astype(np.float32)


if __name__ == "__main__":
    raise SystemExit(main())
