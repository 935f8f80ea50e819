"""Where the labelled sentiment data lives and how to read it."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
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


# Where a text would end its row: the tab between fields, and every break `str.splitlines()` reads. All are
# whitespace to the features (sentiment.text squeezes them into one space), so a space loses nothing.
_BREAKS = re.compile("[\t\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")


def one_line(text: str) -> str:
    """`text` as one field of a shop-message row: each run of tabs and line breaks one space, ends stripped."""
    return _BREAKS.sub(" ", text).strip()


def is_column_word(value: str) -> bool:
    """Whether `value` can be a shop-message file's round or language: one word, not read as a comment."""
    return bool(value) and not value.startswith("#") and not any(c.isspace() for c in value)


def format_shop_messages(messages: Iterable[ShopMessage], comments: Sequence[str] = ()) -> str:
    """A shop-message file that `load_shop_messages` reads back: `#` comment lines, the column names, the rows."""
    lines = [f"# {line}".rstrip() for comment in comments for line in comment.splitlines()]
    lines.append("# round\tcomplaint\tlang\ttext")
    for m in messages:
        for name, value in (("round", m.round), ("lang", m.lang)):
            if not is_column_word(value):
                raise ValueError(f"{name} {value!r}: a shop-message file needs one word, not starting with #")
        lines.append(f"{m.round}\t{int(m.complaint)}\t{m.lang}\t{one_line(m.text)}")
    return "\n".join(lines) + "\n"
