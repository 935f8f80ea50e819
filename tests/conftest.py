"""Shared fixtures: a fake clock, a real store in a temp folder (or a fresh PostgreSQL database), settings builders.

Tests marked `any_db` run twice: on SQLite and on PostgreSQL. The PostgreSQL run needs
REPLYCLOCK_TEST_POSTGRES_URL (`eval "$(scripts/pg-test-server.sh)"` starts a throwaway
server) and is skipped without it; each test gets a database of its own, dropped after.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

import settings as config
from monitor.clock import FakeClock
from monitor.store import Store

PG_ENV = "REPLYCLOCK_TEST_POSTGRES_URL"
REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("REPLYCLOCK_SHARED", REPO.parent / "shared"))

# Tests talk to 127.0.0.1 only; slack-sdk's urllib honours proxies but ignores NO_PROXY.
for _var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_var, None)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"any_db: runs on SQLite and on PostgreSQL (when {PG_ENV} is set)")


def pytest_report_header(config: pytest.Config) -> str:
    if os.environ.get(PG_ENV):
        return "databases: SQLite and PostgreSQL"
    return f'databases: SQLite only ({PG_ENV} not set; eval "$(scripts/pg-test-server.sh)" adds PostgreSQL)'


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_url" in metafunc.fixturenames and metafunc.definition.get_closest_marker("any_db"):
        kinds = ["sqlite", "postgres"] if os.environ.get(PG_ENV) else ["sqlite"]
        metafunc.parametrize("db_url", kinds, indirect=True)


class PostgresDatabases:
    """Creates a fresh database per test on the test server and drops it afterwards."""

    _counter = itertools.count(1)

    def __init__(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        self.base = make_url(url)
        self.admin = self._connect(self.base.database or "postgres")

    @staticmethod
    def _plain(url) -> str:  # type: ignore[no-untyped-def]
        return url.set(drivername="postgresql").render_as_string(hide_password=False)

    def _connect(self, database: str):  # type: ignore[no-untyped-def]
        import psycopg

        return psycopg.connect(self._plain(self.base.set(database=database)), autocommit=True)

    def create(self) -> str:
        name = f"rc_test_{os.getpid()}_{next(self._counter)}"
        self.admin.execute(f'CREATE DATABASE "{name}"')
        return self.base.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        self.admin.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def close(self) -> None:
        self.admin.close()


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f'{PG_ENV} is not set: eval "$(scripts/pg-test-server.sh)" to run the PostgreSQL tests')
    databases = PostgresDatabases(url)
    yield databases
    databases.close()


@pytest.fixture
def pg_url(postgres_databases: PostgresDatabases) -> Iterator[str]:
    """A fresh, empty PostgreSQL database of this test's own."""
    url = postgres_databases.create()
    yield url
    postgres_databases.drop(url)


@pytest.fixture(autouse=True)
def _state_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """status.json of an App on PostgreSQL goes to $STATE_DIRECTORY (else ./var): one per test, never the
    working folder, where a snapshot dated near the real time read as a live daemon to other tests."""
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Undo what an in-process `daemon.main()` did to logging (root handlers, quieted loggers)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {
        name: logger.level
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    yield
    for handler in list(root.handlers):
        if handler not in handlers and getattr(handler, "_replyclock", False):
            root.removeHandler(handler)
    for handler in handlers:
        if handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(level)
    for name, value in levels.items():
        logging.getLogger(name).setLevel(value)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'replyclock.db'}"


@pytest.fixture
def db_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    """The store's URL: SQLite, or a fresh PostgreSQL database when the test is marked `any_db`."""
    if getattr(request, "param", "sqlite") == "postgres":
        return str(request.getfixturevalue("pg_url"))
    return sqlite_url


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
