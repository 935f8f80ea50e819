"""The `Analyzer` the daemon calls: language, polarity (any `Scorer`) and complaint intent."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import cast

from monitor.models import Score, Sentiment, clean_text
from sentiment.base import Scorer
from sentiment.complaint import compile_rules, judge
from sentiment.complaint_model import ComplaintClassifier
from sentiment.errors import ScorerFailed
from sentiment.langid import LanguageIdentifier
from sentiment.settings import ComplaintSettings
from sentiment.text import canonical

log = logging.getLogger(__name__)


class SentimentAnalyzer:
    """Detects each text's language, scores it with the scorer for that language, then judges complaints."""

    def __init__(
        self,
        langid: LanguageIdentifier,
        default: Scorer,
        by_lang: Mapping[str, Scorer] | None = None,
        complaint: ComplaintSettings | None = None,
        fallback: Scorer | None = None,
        classifier: ComplaintClassifier | None = None,
    ) -> None:
        self._langid = langid
        self._default = default
        self._by_lang = dict(by_lang or {})
        self._complaint = complaint or ComplaintSettings()
        compile_rules()
        self._fallback = fallback  # scores the texts of a scorer that raises (sentiment.fallback: embedded)
        # how much each post reads like a shop complaint, whichever scorer gives the polarity
        self._classifier = classifier if self._complaint.classifier_threshold is not None else None
        self._failing: set[str] = set()  # scorers that raised last time, so a failure is logged once
        names = [default.name] + [f"{lang}={s.name}" for lang, s in sorted(self._by_lang.items())]
        self.name = ",".join(names)

    def scorer_for(self, lang: str) -> Scorer:
        """The scorer configured for `lang` (or the default one)."""
        return self._by_lang.get(lang, self._default)

    def analyze(self, texts: Sequence[str], lang_hints: Sequence[str | None]) -> list[Score]:
        """Score `texts`; `lang_hints` are the platforms' language tags (hints, not truth)."""
        if len(texts) != len(lang_hints):
            raise ValueError("texts and lang_hints must have the same length")
        # `replyclock score` input does not pass through Mention; NFC and no invisible characters, so that
        # "doszła" typed with a combining accent or a zero-width space scores like the plain word
        texts = [canonical(clean_text(t)) for t in texts]
        langs = self._langid.identify(texts, lang_hints)
        scored: list[tuple[Scorer, Sentiment] | None] = [None] * len(texts)
        # One batch per scorer, so a transformers model sees all of its texts at once.
        groups: dict[int, tuple[Scorer, list[int]]] = {}
        for i, lang in enumerate(langs):
            scorer = self.scorer_for(lang)
            groups.setdefault(id(scorer), (scorer, []))[1].append(i)
        for scorer, indices in groups.values():
            scorer, sentiments = self._predict(scorer, [texts[i] for i in indices], [langs[i] for i in indices])
            for i, sentiment in zip(indices, sentiments, strict=True):
                scored[i] = (scorer, sentiment)
        done = cast(list[tuple[Scorer, Sentiment]], scored)  # every index is in one group
        likeness = self._likeness(texts, [float(s.scores.get("negative", 0.0)) for _, s in done])
        results: list[Score] = []
        for i, (scorer, sentiment) in enumerate(done):
            verdict = judge(texts[i], sentiment.scores, self._complaint, likeness.get(i), langs[i])
            results.append(
                Score(
                    label=sentiment.label,
                    scores=dict(sentiment.scores),
                    lang=langs[i],
                    complaint=verdict.complaint,
                    severity=verdict.severity,
                    reasons=verdict.reasons,
                    model=scorer.name,
                )
            )
        return results

    def _likeness(self, texts: Sequence[str], negatives: Sequence[float]) -> dict[int, float]:
        """The classifier's probability for the texts it can decide: negative enough for it, and not so
        negative that the score decides alone (a third of the dev tweets; it costs ~27 µs a text)."""
        if self._classifier is None:
            return {}
        low, high = self._complaint.classifier_min_negative, self._complaint.negative_threshold
        wanted = [i for i, negative in enumerate(negatives) if low <= negative < high]
        if not wanted:
            return {}
        probs = self._classifier.probabilities([texts[i] for i in wanted])
        return {i: float(p) for i, p in zip(wanted, probs, strict=True)}

    def _predict(self, scorer: Scorer, texts: list[str], langs: list[str]) -> tuple[Scorer, list[Sentiment]]:
        """The scorer's sentiments, or the fallback's when it raises; without a fallback, `ScorerFailed`."""
        try:
            sentiments = scorer.predict(texts, langs)
        except Exception as exc:
            fallback = self._fallback
            if fallback is None or fallback is scorer:
                raise ScorerFailed(scorer.name, exc) from exc
            if scorer.name not in self._failing:
                self._failing.add(scorer.name)
                log.warning(
                    "sentiment model %s failed (%s); the %s scorer scores its texts until it works again",
                    scorer.name,
                    type(exc).__name__,
                    fallback.name,
                )
            try:
                return fallback, fallback.predict(texts, langs)
            except Exception as fallback_exc:
                raise ScorerFailed(fallback.name, fallback_exc) from fallback_exc
        if scorer.name in self._failing:
            self._failing.discard(scorer.name)
            log.info("sentiment model %s works again", scorer.name)
        return scorer, sentiments
