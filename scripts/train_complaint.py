"""Train the complaint classifier; write sentiment/weights/complaint.npz and print how it does.

    python scripts/train_complaint.py   # tweets from ../shared/data/sentiment or $REPLYCLOCK_SENTIMENT_DATA
    python scripts/train_complaint.py --extra team.tsv --out /etc/replyclock/complaint.npz   # a shop's own

Complaints are the shop messages marked 1 in sentiment/shop_messages.tsv; not complaints are the
ones marked 0 and a fixed sample of the training tweets (none of them is a shop complaint to answer).
Logistic regression (scikit-learn, L2, classes balanced) over the runtime's hashed features, each shop
message weighing as much as `--shop-weight` tweets. It prints, for each round of shop messages, what
a model trained without that round finds in it, and the share of dev tweets it would flag; with
`--held-out`, also the held-out round (bench/complaints_heldout.tsv): look at it once, after every
choice is made, or it is held out no longer. Deterministic: fixed sample, one thread.

`--extra FILE` (repeatable) adds shop-message files to the bundled ones, such as the team's verdicts
that `replyclock verdicts export` writes; each file's rounds are reported like the bundled ones (what a
model trained without them finds in them). Those weights are a shop's own: `--out` is then required,
and `sentiment.complaint.classifier_weights` points the daemon at them (docs/sentiment.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sentiment.complaint import is_calm_question, is_sold_out_regret  # noqa: E402
from sentiment.complaint_model import WEIGHTS_PATH  # noqa: E402
from sentiment.data import ShopMessage, data_dir, load_rows, load_shop_messages  # noqa: E402
from sentiment.embedded import prepare  # noqa: E402
from sentiment.features import FeatureSpec, featurize  # noqa: E402
from sentiment.tuning import quantize, save_weights, to_csr  # noqa: E402

SPEC = FeatureSpec(bits=18, char_min=2, char_max=5, word_bigrams=True, lang_copies=False)
HELD_OUT = ROOT / "bench" / "complaints_heldout.tsv"
THRESHOLDS = (0.5, 0.6, 0.7, 0.8)


def features(texts: list[str]) -> Any:
    """The texts as the runtime sees them, as a sparse matrix."""
    return to_csr(featurize([prepare(t) for t in texts], None, SPEC), SPEC.bits)


def fit(shop: list[ShopMessage], tweets: list[str], c: float, shop_weight: float) -> tuple[np.ndarray, float]:
    """Weights (one per bucket) and bias of a model trained on `shop` and `tweets`."""
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    x = sp.vstack([features([m.text for m in shop]), features(tweets)]).tocsr()
    y = np.array([m.complaint for m in shop] + [False] * len(tweets))
    weight = np.array([shop_weight] * len(shop) + [1.0] * len(tweets))
    model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
    model.fit(x, y, sample_weight=weight)
    return model.coef_.ravel().astype(np.float32), float(model.intercept_[0])


def probabilities(weights: np.ndarray, bias: float, texts: list[str]) -> np.ndarray:
    """What the runtime answers for `texts` with these weights."""
    logits = np.asarray(features(texts) @ weights).ravel() + bias
    return np.asarray(1.0 / (1.0 + np.exp(-logits)))


def caught(messages: list[ShopMessage], probs: np.ndarray, threshold: float) -> str:
    """Complaints found and false alarms among `messages`, as the analyzer would count them."""
    hit = [
        p >= threshold and not (is_calm_question(m.text) or is_sold_out_regret(m.text))
        for m, p in zip(messages, probs, strict=True)
    ]  # the classifier alone: the analyzer also asks for a negative score (complaint.classifier_min_negative)
    found = sum(h and m.complaint for h, m in zip(hit, messages, strict=True))
    false = sum(h and not m.complaint for h, m in zip(hit, messages, strict=True))
    total = sum(m.complaint for m in messages)
    return f"{found}/{total} found, {false}/{len(messages) - total} false"


def main(argv: list[str] | None = None) -> int:
    """Train on every round, report each round left out and the held-out one, write the weights."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=None, help="folder with train.jsonl and dev.jsonl")
    parser.add_argument("--shop", type=Path, default=None, help="shop messages (default: sentiment/shop_messages.tsv)")
    parser.add_argument("--extra", type=Path, action="append", default=[], metavar="FILE", help="more shop messages")
    parser.add_argument("--out", type=Path, default=None, help=f"weights to write (default: {WEIGHTS_PATH})")
    parser.add_argument("--tweets", type=int, default=20_000, help="training tweets taken as not complaints")
    parser.add_argument("--shop-weight", type=float, default=20.0)
    parser.add_argument("--c", type=float, default=1.0, help="inverse L2 strength")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--held-out", action="store_true", help="also print the held-out round (once, at the end)")
    args = parser.parse_args(argv)
    if args.extra and args.out is None:
        parser.error(f"--extra needs --out: a shop's weights must not replace the bundled {WEIGHTS_PATH.name}")
    out = args.out or WEIGHTS_PATH
    t0 = time.time()
    folder = args.data or data_dir()
    shop = load_shop_messages(args.shop) if args.shop else load_shop_messages()
    extra: list[ShopMessage] = []
    for path in args.extra:
        try:
            found = load_shop_messages(path)
        except (OSError, ValueError) as exc:
            parser.error(f"--extra: {exc}")
        if not found:
            parser.error(f"--extra: {path} holds no messages")
        print(f"{path}: {len(found)} messages ({sum(m.complaint for m in found)} complaints)")
        extra += found
    shop += extra
    train_tweets = [r["text"] for r in load_rows(folder / "train.jsonl")]
    random.Random(args.seed).shuffle(train_tweets)
    tweets = train_tweets[: args.tweets]
    dev_tweets = [r["text"] for r in load_rows(folder / "dev.jsonl")]

    print(f"{len(shop)} shop messages ({sum(m.complaint for m in shop)} complaints), {len(tweets)} tweets")
    print("each round of shop messages, by a model trained without it (the classifier alone, no rules):")
    for name in sorted({m.round for m in shop} - {"golden"}):
        kept = [m for m in shop if m.round != name]
        left = [m for m in shop if m.round == name]
        weights, bias = fit(kept, tweets, args.c, args.shop_weight)
        probs = probabilities(weights, bias, [m.text for m in left])
        print(f"  round {name}: " + "; ".join(f"{t}: {caught(left, probs, t)}" for t in THRESHOLDS), flush=True)

    weights, bias = fit(shop, tweets, args.c, args.shop_weight)
    q, scale = quantize(weights[:, None])
    deq = q[:, 0].astype(np.float32) * scale[0]
    if args.held_out:
        held = load_shop_messages(HELD_OUT)
        probs = probabilities(deq, bias, [m.text for m in held])
        print(
            "held out (bench/complaints_heldout.tsv): "
            + "; ".join(f"{t}: {caught(held, probs, t)}" for t in THRESHOLDS)
        )
    flagged = probabilities(deq, bias, dev_tweets)
    print("dev tweets at or above: " + "; ".join(f"{t}: {np.mean(flagged >= t):.2%}" for t in THRESHOLDS))
    meta = {
        "spec": {
            "bits": SPEC.bits,
            "char_min": SPEC.char_min,
            "char_max": SPEC.char_max,
            "word_bigrams": SPEC.word_bigrams,
            "lang_copies": SPEC.lang_copies,
        },
        "trained": dt.date.today().isoformat(),
        "method": "logistic regression (scikit-learn lbfgs), classes balanced",
        "c": args.c,
        "shop_weight": args.shop_weight,
        "seed": args.seed,
        "shop_messages": len(shop),
        "tweets": len(tweets),
    }
    if extra:  # which rounds; not the files' paths
        meta["extra_messages"] = dict(sorted(Counter(m.round for m in extra).items()))
    save_weights(out, meta, weights=q[:, 0], weights_scale=scale[0], bias=np.float32(bias))
    print(f"wrote {out} ({out.stat().st_size / 1e3:.0f} KB) in {time.time() - t0:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
