"""Text normalisation shared by language identification, the embedded scorer and complaint rules."""

from __future__ import annotations

import re
import unicodedata

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


def fold_diacritics(text: str) -> str:
    """Remove diacritics from Latin letters ("nie doszła" -> "nie doszla"); Cyrillic stays."""
    return text.translate(_FOLD)


def normalize(text: str) -> str:
    """Lower-case, drop retweet prefixes, URLs, @handles and digit runs, squeeze repeats and spaces."""
    text = _RT.sub("", text)
    text = _URL.sub(" ", text)
    text = _USER.sub(" @ ", text)
    text = text.lower()
    text = _DIGITS.sub("0", text)
    text = _REPEAT.sub(r"\1\1", text)
    return _SPACE.sub(" ", text).strip()
