"""How fast `replyclock check-config` starts, and which heavy modules it imports (it must import none).

    .venv/bin/python bench/bench_startup.py [--runs 5] [--config config.yaml]

Prints the wall time of each run in a fresh interpreter (what a person or systemd waits for)
and the heavy modules found in sys.modules afterwards. Target: under 1 s, none of them loaded.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "transformers", "tokenizers", "onnxruntime", "prometheus_client", "tweepy", "facebook", "slack_sdk")

PROBE = """
import json, sys
sys.path.insert(0, {repo!r})
import daemon
rc = daemon.main(["--config", {config!r}, "check-config"])
heavy = sorted({{m.split(".")[0] for m in sys.modules}} & set({heavy!r}))
print("@@" + json.dumps({{"rc": rc, "heavy": heavy}}), file=sys.stderr)
"""


def probe(config: Path) -> dict[str, object]:
    """Run check-config once in a fresh interpreter; its exit status, heavy imports and wall time."""
    code = PROBE.format(repo=str(REPO), config=str(config), heavy=HEAVY)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=False)
    seconds = time.perf_counter() - started
    line = next((x for x in proc.stderr.splitlines() if x.startswith("@@")), None)
    if line is None:
        raise SystemExit(f"check-config probe failed:\n{proc.stderr}")
    return {**json.loads(line[2:]), "seconds": seconds}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--config", type=Path, default=REPO / "config.yaml")
    args = parser.parse_args()
    results = [probe(args.config) for _ in range(args.runs)]
    times = [float(r["seconds"]) for r in results]  # type: ignore[arg-type]
    heavy = sorted({m for r in results for m in r["heavy"]})  # type: ignore[attr-defined]
    print(f"replyclock check-config: {len(times)} runs in a fresh interpreter each")
    print(f"  median {statistics.median(times):.3f} s, min {min(times):.3f} s, max {max(times):.3f} s (target < 1 s)")
    print(f"  heavy modules imported: {', '.join(heavy) if heavy else 'none'}")
    ok = statistics.median(times) < 1.0 and not heavy and all(r["rc"] == 0 for r in results)
    print("  OK" if ok else "  NOT OK")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
