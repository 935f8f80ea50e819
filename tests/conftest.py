"""Shared fixtures: a fake clock, a real SQLite store in a temp folder, settings builders."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

import settings as config
from monitor.clock import FakeClock
from monitor.store import Store

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("REPLYCLOCK_SHARED", REPO.parent / "shared"))

# Tests talk to 127.0.0.1 only; slack-sdk's urllib honours proxies but ignores NO_PROXY.
for _var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_var, None)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'replyclock.db'}"


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store(db_url)
    yield s
    s.close()


@pytest.fixture
def make_settings(db_url: str):
    def build(**sections: object) -> config.Settings:
        data: dict[str, object] = {"storage": {"url": db_url}, "notify": {"console": False}}
        data.update(sections)
        return config.settings_from_mapping(data)

    return build
