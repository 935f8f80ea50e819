"""Where the labelled sentiment data lives and how to read it."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class ShopMessage:
    """A shop message as the social team judges it: a complaint to answer, or not."""

    round: str
    complaint: bool
    lang: str
    text: str


SHOP_MESSAGES = Path(__file__).with_name("shop_messages.tsv")


def load_shop_messages(path: Path = SHOP_MESSAGES) -> list[ShopMessage]:
    """Rows of a shop-message file (round, complaint 1/0, lang, text; `#` lines are comments)."""
    messages: list[ShopMessage] = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 4 or fields[1] not in ("0", "1"):
            raise ValueError(f"{path}:{number}: expected round, complaint (0/1), lang and text separated by tabs")
        messages.append(ShopMessage(fields[0], fields[1] == "1", fields[2], fields[3]))
    return messages
