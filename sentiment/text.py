"""Text normalisation shared by language identification, the embedded scorer and complaint rules."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_URL = re.compile(r"https?://\S*|www\.\S+", re.IGNORECASE)
_USER = re.compile(r"@\w+")
_DIGITS = re.compile(r"\d+")
# Three or more of one character mean the same as two ("sooooo" ~ "soo"); keeps n-grams comparable.
_REPEAT = re.compile(r"(\D)\1{2,}")
_SPACE = re.compile(r"\s+")
_RT = re.compile(r"^rt\s+@\w+:?\s*", re.IGNORECASE)


def _build_fold_table() -> dict[int, str]:
    """Map accented Latin letters to their base letter, plus a few letters NFD leaves alone."""
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0]
        if base != char and base.isascii():
            table[code] = base
    table.update(
        {
            ord("ł"): "l",
            ord("Ł"): "L",
            ord("ø"): "o",
            ord("Ø"): "O",
            ord("ß"): "ss",
            ord("đ"): "d",
            ord("Đ"): "D",
            ord("ё"): "е",
            ord("Ё"): "Е",
        }
    )
    return table


_FOLD = _build_fold_table()

# Format characters a reader never sees (zero-width spaces, soft hyphens, direction marks) must not
# split words or phrases. The zero-width joiner (U+200D) stays: it holds emoji sequences together.
_INVISIBLE: dict[int, str | None] = dict.fromkeys(
    [
        0x00AD,
        0x061C,
        0x180E,
        *(c for c in range(0x200B, 0x2010) if c != 0x200D),
        *range(0x202A, 0x202F),
        *range(0x2060, 0x2070),
        0xFEFF,
    ]
)

_INVISIBLE_RE = re.compile("[" + "".join(map(chr, _INVISIBLE)) + "]")


def canonical(text: str) -> str:
    """The text as a reader sees it: NFC ("e" + a combining accent is "é") without invisible characters.

    Applied at run time before language id, scoring and complaint rules. The training scripts do not
    apply it, so retraining still reproduces the committed weights.
    """
    if text.isascii():  # most posts: nothing to do, and this runs on every text before scoring
        return text
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return _INVISIBLE_RE.sub("", text) if _INVISIBLE_RE.search(text) else text


def fold_diacritics(text: str) -> str:
    """Remove diacritics from Latin letters ("nie doszła" -> "nie doszla"); Cyrillic stays."""
    return text.translate(_FOLD)


# The language identifier, the embedded scorer and the complaint classifier each need a batch's texts
# normalised: the second and third find them here (the size bounds memory, not correctness).
@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """Lower-case, drop retweet prefixes, URLs, @handles and digit runs, squeeze repeats and spaces."""
    text = _RT.sub("", text)
    text = _URL.sub(" ", text)
    text = _USER.sub(" @ ", text)
    text = text.lower()
    text = _DIGITS.sub("0", text)
    text = _REPEAT.sub(r"\1\1", text)
    return _SPACE.sub(" ", text).strip()
