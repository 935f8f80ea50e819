"""The durations in the engine's log lines."""

from __future__ import annotations

from datetime import timedelta

import pytest

from alerts.engine import _fmt


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(0), "0s"),
        (timedelta(seconds=42), "42s"),
        (timedelta(minutes=12), "12m"),
        (timedelta(minutes=12, seconds=7), "12m07s"),
        (timedelta(seconds=-42), "-42s"),
        (timedelta(seconds=-90), "-1m30s"),  # was "-2m30s": floor division of a negative
        (timedelta(minutes=-5), "-5m"),
    ],
)
def test_durations_read_as_minutes_and_seconds(delta: timedelta, text: str) -> None:
    assert _fmt(delta) == text
