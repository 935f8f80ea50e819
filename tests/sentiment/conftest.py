"""Fixtures of the sentiment tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from tiny_sentiment_model import build_tiny_model


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A trained tiny model folder, shared by the tests of one session."""
    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model")
