"""How many complaints the analyzer finds in shop messages it was never tuned on, and how many false alarms.

python bench/bench_complaints.py                          # the default analyzer, bench/complaints_heldout.tsv
python bench/bench_complaints.py --model embedded-e5      # another scorer
python bench/bench_complaints.py --no-classifier          # the intents and the negative score only
python bench/bench_complaints.py --file sentiment/shop_messages.tsv
python bench/bench_complaints.py --classifier-weights shop.npz --file team-recent.tsv   # a shop's own classifier

Prints, per language, complaints found and false alarms, and every message the analyzer got wrong. No
timing: this measures what the team would be shown.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    """Score the file's messages and print what was found, missed and raised for nothing."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, default=ROOT / "bench" / "complaints_heldout.tsv")
    parser.add_argument("--model", default="embedded", help="sentiment.model (embedded, embedded-e5, a hub id)")
    parser.add_argument("--no-classifier", action="store_true", help="complaint.classifier_threshold: null")
    parser.add_argument(
        "--classifier-weights", type=Path, help="complaint.classifier_weights (default: the bundled weights)"
    )
    args = parser.parse_args()
    from sentiment.data import load_shop_messages
    from sentiment.factory import build_analyzer
    from sentiment.settings import ComplaintSettings, SentimentSettings

    complaint = ComplaintSettings(classifier_weights=args.classifier_weights)
    if args.no_classifier:
        complaint = ComplaintSettings(classifier_threshold=None)
    analyzer = build_analyzer(SentimentSettings(model=args.model, complaint=complaint))
    messages = load_shop_messages(args.file)
    scores = analyzer.analyze([m.text for m in messages], [None] * len(messages))
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # found, complaints, false, calm
    for message, score in zip(messages, scores, strict=True):
        row = counts[message.lang]
        if message.complaint:
            row[0] += score.complaint
            row[1] += 1
        else:
            row[2] += score.complaint
            row[3] += 1
        if score.complaint != message.complaint:
            what = "missed" if message.complaint else "false alarm"
            print(f"{what:>11}: {message.text}  [{'; '.join(score.reasons)}]")
    print(f"\n{analyzer.name}, classifier {'off' if args.no_classifier else 'on'}, {args.file.name}:")
    for lang, (found, total, false, calm) in sorted(counts.items()):
        print(f"  {lang}: {found}/{total} complaints found, {false}/{calm} false alarms")
    found, total, false, calm = (sum(c[i] for c in counts.values()) for i in range(4))
    print(f"  all: {found}/{total} complaints found ({found / max(total, 1):.0%}), {false}/{calm} false alarms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
