"""Functions behind the `replyclock score`, `eval` and `model download` commands."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from monitor.models import LABELS
from sentiment.base import Analyzer
from sentiment.data import load_rows
from sentiment.e5 import E5_MODEL
from sentiment.errors import ModelLoadError
from sentiment.evaluation import EvalReport, EvalRow, evaluate_predictions, format_eval
from sentiment.factory import EMBEDDED

__all__ = ["EvalReport", "download_model", "evaluate_file", "format_eval", "score_stream"]

_BATCH = 256
BUNDLED = (EMBEDDED, E5_MODEL)


def _parse_line(line: str, number: int, err: TextIO) -> tuple[str, str | None] | None:
    stripped = line.strip()
    if not stripped:
        return None
    if stripped[0] in "{[":
        try:
            obj = json.loads(stripped)
        except json.JSONDecodeError as exc:
            if stripped[0] == "[":  # "[PILNE] paczka nie doszła" is a text; a record is always an object
                return stripped, None
            print(f"line {number}: malformed JSON skipped ({exc.msg} at column {exc.colno})", file=err)
            return None
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            print(f'line {number}: JSON without a "text" string skipped', file=err)
            return None
        lang = obj.get("lang")
        return obj["text"], lang if isinstance(lang, str) else None
    return stripped, None


def score_stream(analyzer: Analyzer, lines: Iterable[str], out: TextIO, err: TextIO | None = None) -> int:
    """Score each input line (JSON with `text` and optional `lang`, or plain text); print one JSON line each.

    Returns how many texts were scored; malformed lines are reported on `err` (stderr) and skipped.
    """
    err = err if err is not None else sys.stderr
    pending: list[tuple[str, str | None]] = []
    scored = 0

    def flush() -> None:
        nonlocal scored
        if not pending:
            return
        for score in analyzer.analyze([t for t, _ in pending], [h for _, h in pending]):
            out.write(json.dumps(score.as_json(), ensure_ascii=False) + "\n")
        scored += len(pending)
        pending.clear()
        out.flush()

    for number, line in enumerate(lines, 1):
        item = _parse_line(line, number, err)
        if item is not None:
            pending.append(item)
        if len(pending) >= _BATCH:
            flush()
    flush()
    return scored


def evaluate_file(analyzer: Analyzer, path: str | Path) -> EvalReport:
    """Run `analyzer` over a labelled JSONL file; figures per gold language and source.

    The file's `lang` is passed as the hint; the figures are grouped by the gold language.
    """
    rows = load_rows(Path(path))
    scored = []
    for start in range(0, len(rows), 1024):
        chunk = rows[start : start + 1024]
        scored += analyzer.analyze([r["text"] for r in chunk], [r["lang"] for r in chunk])
    return evaluate_predictions(
        EvalRow(r["lang"], r["source"], r["label"], {lab: float(s.scores.get(lab, 0.0)) for lab in LABELS})
        for r, s in zip(rows, scored, strict=True)
    )


def download_model(model_id: str, cache_dir: str | None = None) -> Path:
    """Fetch a hub model into the local cache (for servers that run with HF_HUB_OFFLINE=1 afterwards)."""
    if model_id in BUNDLED:
        raise ModelLoadError(
            f"{model_id} is bundled (weights in the repository or its pip packages): nothing to download"
        )
    from sentiment.transformers_scorer import download, hf_home

    path = download(model_id, cache_dir)
    _hand_to_service(Path(cache_dir) if cache_dir else hf_home())
    return path


def _hand_to_service(cache: Path) -> None:
    """Give a cache that root filled inside the service's state folder to the folder's owner.

    `sudo replyclock model download` runs as root; the service (systemd DynamicUser) owns its state
    folder and must be able to extend the cache there (its ONNX exports), not only read it.
    """
    state = os.environ.get("STATE_DIRECTORY", "").split(":", 1)[0]
    if not state or os.geteuid() != 0 or not cache.exists():
        return
    state_path = Path(state).resolve()
    if not cache.resolve().is_relative_to(state_path):
        return
    owner = state_path.stat()
    for root, dirs, files in os.walk(cache):
        for name in [root, *(os.path.join(root, n) for n in dirs + files)]:
            os.lchown(name, owner.st_uid, owner.st_gid)
