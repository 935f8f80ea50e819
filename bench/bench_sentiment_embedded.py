"""Load time and texts per second of the embedded analyzer on one core (langid + scorer + complaint rules).

python bench/bench_sentiment_embedded.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"  # one core, as the target says


def main() -> int:
    """Print load time and throughput on the dev texts (or a built-in sample when the data is absent)."""
    t0 = time.perf_counter()
    from sentiment.factory import build_analyzer
    from sentiment.settings import SentimentSettings

    analyzer = build_analyzer(SentimentSettings())
    print(f"import + load: {time.perf_counter() - t0:.3f}s (target < 1s)")
    from sentiment.data import data_dir, load_rows

    dev = data_dir() / "dev.jsonl"
    if dev.exists():
        texts = [r["text"] for r in load_rows(dev)]
    else:
        texts = ["where is my order #4411? 3 weeks!", "Dziękuję, wszystko super!", "Где мой заказ?"] * 3000
    analyzer.analyze(texts[:100], [None] * 100)
    t0 = time.perf_counter()
    for start in range(0, len(texts), 512):
        chunk = texts[start : start + 512]
        analyzer.analyze(chunk, [None] * len(chunk))
    rate = len(texts) / (time.perf_counter() - t0)
    print(f"{len(texts)} texts: {rate:.0f} texts/s on one core (target >= 5000)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
