"""Load time and texts per second of the offline analyzers (langid + scorer + complaint rules).

python bench/bench_sentiment_embedded.py                                   # embedded, one core
python bench/bench_sentiment_embedded.py --model embedded-e5 --limit 1000  # the e5 stack, one core
python bench/bench_sentiment_embedded.py --model embedded-e5 --threads 2 --limit 1000
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    """Print load time and throughput on the dev texts (or a built-in sample when the data is absent)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="embedded", choices=["embedded", "embedded-e5"])
    parser.add_argument("--threads", type=int, default=1, help="CPU threads (the embedded target is for one)")
    parser.add_argument("--limit", type=int, default=0, help="score only the first N texts")
    args = parser.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    t0 = time.perf_counter()
    from sentiment.factory import build_analyzer
    from sentiment.settings import SentimentSettings

    analyzer = build_analyzer(SentimentSettings(model=args.model, threads=args.threads))
    print(f"{args.model}: import + load: {time.perf_counter() - t0:.3f}s (target < 1s)")
    from sentiment.data import data_dir, load_rows

    dev = data_dir() / "dev.jsonl"
    if dev.exists():
        texts = [r["text"] for r in load_rows(dev)]
    else:
        texts = ["where is my order #4411? 3 weeks!", "Dziękuję, wszystko super!", "Где мой заказ?"] * 3000
    if args.limit:
        texts = texts[: args.limit]
    analyzer.analyze(texts[:100], [None] * 100)
    t0 = time.perf_counter()
    for start in range(0, len(texts), 512):
        chunk = texts[start : start + 512]
        analyzer.analyze(chunk, [None] * len(chunk))
    rate = len(texts) / (time.perf_counter() - t0)
    target = " (target >= 5000)" if args.model == "embedded" and args.threads == 1 else ""
    print(f"{len(texts)} texts: {rate:.0f} texts/s on {args.threads} thread(s){target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
