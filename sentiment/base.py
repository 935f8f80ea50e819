"""The `Scorer` protocol: polarity for a batch of texts, in any of the supported languages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from monitor.models import Score, Sentiment


class Scorer(Protocol):
    """Gives each text a negative / neutral / positive label with probabilities."""

    name: str

    def predict(self, texts: Sequence[str], langs: Sequence[str]) -> list[Sentiment]:
        """Score `texts` (with their detected languages, same length) in one batch."""
        ...


class Analyzer(Protocol):
    """Language, polarity and complaint intent for a batch of texts: what the daemon calls."""

    name: str

    def analyze(self, texts: Sequence[str], lang_hints: Sequence[str | None]) -> list[Score]:
        """Score `texts`; `lang_hints` are the platforms' language tags (hints, not truth)."""
        ...
