"""Where the labelled sentiment data lives and how to read it."""

from __future__ import annotations

import json
import os
from pathlib import Path

DATA_ENV = "REPLYCLOCK_SENTIMENT_DATA"
_REPO_ROOT = Path(__file__).resolve().parents[1]


def data_dir() -> Path:
    """`$REPLYCLOCK_SENTIMENT_DATA`, else `<repo>/../shared/data/sentiment`."""
    override = os.environ.get(DATA_ENV)
    return Path(override) if override else _REPO_ROOT.parent / "shared" / "data" / "sentiment"


def load_rows(path: Path) -> list[dict[str, str]]:
    """Rows of a labelled JSONL file (lang, source, text, label); a bad line raises with its number."""
    rows: list[dict[str, str]] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                rows.append({key: str(row[key]) for key in ("lang", "source", "text", "label")})
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: not a labelled row ({exc})") from exc
    return rows
