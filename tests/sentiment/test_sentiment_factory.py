"""The embedded analyzer builds offline, fast, and without heavy imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

import settings as config
from sentiment.errors import ModelLoadError
from sentiment.factory import build_analyzer
from sentiment.settings import SentimentSettings

ROOT = Path(__file__).resolve().parents[2]


def test_embedded_analyzer_imports_no_torch_transformers_or_onnxruntime() -> None:
    code = (
        "import sys, json\n"
        "from sentiment.factory import build_analyzer\n"
        "from sentiment.settings import SentimentSettings\n"
        "a = build_analyzer(SentimentSettings())\n"
        "a.analyze(['where is my order?'], ['en'])\n"
        "print(json.dumps([m for m in ('torch', 'transformers', 'onnxruntime') if m in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_default_settings_mean_offline_embedded() -> None:
    settings = SentimentSettings()
    assert settings.model == "embedded" and settings.fallback is None and settings.max_length == 64
    analyzer = build_analyzer(settings)
    [score] = analyzer.analyze(["Paczka nie doszła, czekam 3 tygodnie"], [None])
    assert score.lang == "pl" and score.complaint and score.model == "embedded"


def test_settings_are_frozen_and_strict() -> None:
    with pytest.raises(ValidationError):
        SentimentSettings(modle="x")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        SentimentSettings(label_map={"m": {"LABEL_0": "angry"}})
    with pytest.raises(ValidationError):
        SentimentSettings.model_validate({"complaint": {"high_intents": ["nonsense"]}})
    settings = SentimentSettings()
    with pytest.raises(ValidationError):
        settings.model = "x"  # type: ignore[misc]


def test_every_setting_is_documented() -> None:
    from sentiment.settings import ComplaintSettings

    for model in (SentimentSettings, ComplaintSettings):
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"


def test_missing_model_is_a_clear_error_or_a_logged_fallback(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    missing = str(tmp_path / "no-such-model")
    with pytest.raises(ModelLoadError, match="no-such-model"):
        build_analyzer(SentimentSettings(model=missing))
    analyzer = build_analyzer(SentimentSettings(model=missing, fallback="embedded"))
    assert analyzer.analyze(["thanks, all good"], ["en"])[0].model == "embedded"
    assert "falling back to the embedded scorer" in caplog.text


@pytest.mark.parametrize("lang", ["PL", "pl-PL", "pt"])
def test_models_by_lang_for_a_language_never_detected_is_a_config_error(lang: str) -> None:
    # Silently ignored before: the configured model never ran and nothing said why. check-config
    # catches it, so the daemon never starts with it.
    with pytest.raises(config.ConfigError) as err:
        config.settings_from_mapping({"sentiment": {"models_by_lang": {lang: "embedded"}}})
    assert err.value.key == "sentiment.models_by_lang" and "never detected" in err.value.problem
