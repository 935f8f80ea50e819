"""Settings of the `sentiment:` section (the sentiment helper extends this)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class SentimentSettings(BaseModel):
    """Which scorer to use and how complaints are decided."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str = "embedded"
