"""pytest fixtures for the fake X and Graph servers; conftests import them by name."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from monitor.clock import FakeClock
from tests.fakeservers import FakeGraphServer, FakeXServer

# a little after the recorded posts, so they are recent for X and inside the Page look-back
X_NOW = datetime(2022, 10, 8, 0, 0, tzinfo=UTC)
FB_NOW = datetime(2021, 8, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def x_clock() -> FakeClock:
    return FakeClock(X_NOW)


@pytest.fixture
def fb_clock() -> FakeClock:
    return FakeClock(FB_NOW)


@pytest.fixture
def x_server(x_clock: FakeClock) -> Iterator[FakeXServer]:
    with FakeXServer(now=x_clock.now) as server:
        yield server


@pytest.fixture
def graph_server(fb_clock: FakeClock) -> Iterator[FakeGraphServer]:
    with FakeGraphServer(now=fb_clock.now) as server:
        yield server
