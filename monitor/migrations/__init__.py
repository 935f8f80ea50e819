"""Schema migrations (Alembic) for SQLite and PostgreSQL, configured in code: no alembic.ini.

`upgrade` brings a database to the newest revision; `state` says where a database
stands. Alembic is imported inside the functions so that importing this package
(for `SchemaError`) stays cheap.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Connection, Engine

SCRIPT_LOCATION = Path(__file__).resolve().parent
VERSION_TABLE = "alembic_version"
# The revision whose schema the foundation created with `create_all` before migrations
# existed: such an unversioned database is stamped with it by `db upgrade`.
BASELINE = "0001"
# pg_advisory_xact_lock key: two daemons starting at once on an empty PostgreSQL
# database must not both create the schema.
MIGRATION_LOCK = 0x7265706C79_01  # "reply" + 1
EXIT_SCHEMA = 75  # EX_TEMPFAIL: under systemd the unit retries and starts once `db upgrade` has run
UPGRADE_HINT = "run `replyclock db upgrade`"
# Where a migration finds the configured `sla.response_time` (a timedelta), when the caller knows it.
RESPONSE_TIME = "sla_response_time"


class SchemaError(Exception):
    """The database schema does not match this version of replyclock; the message says what to do."""


@dataclass(frozen=True, slots=True)
class SchemaState:
    """Where a database stands: its revision (None if unversioned), the code's head, and whether it is empty."""

    current: str | None
    head: str
    empty: bool
    known: bool

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    @property
    def outdated(self) -> bool:
        return not self.up_to_date and not self.empty and (self.known or self.current is None)


def alembic_config(
    connection: Connection | None = None, url: str | None = None, response_time: timedelta | None = None
) -> Config:
    """An Alembic config for our scripts, bound to a connection (or a URL for offline SQL).

    `response_time` is the configured `sla.response_time`, for migrations that fill in what
    older rows lack (revision 0002: the deadlines of escalations stored before them).
    """
    from alembic.config import Config

    logging.getLogger("alembic").setLevel(logging.WARNING)  # its per-plugin INFO lines say nothing to operators

    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["connection"] = connection
    cfg.attributes[RESPONSE_TIME] = response_time
    return cfg


@functools.cache
def _heads(location: str) -> tuple[str, ...]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(location)
    return tuple(script.get_heads())


@functools.cache
def _known_revisions(location: str) -> frozenset[str]:
    from alembic.script import ScriptDirectory

    return frozenset(rev.revision for rev in ScriptDirectory(location).walk_revisions())


def head() -> str:
    """The newest revision this code knows."""
    heads = _heads(str(SCRIPT_LOCATION))
    if len(heads) != 1:
        raise RuntimeError(f"migrations have {len(heads)} heads ({', '.join(heads)}); they must be merged")
    return heads[0]


def state(connection: Connection, tables: set[str]) -> SchemaState:
    """Where the connected database stands, given the names of the tables the code defines."""
    from sqlalchemy import inspect, text

    present = set(inspect(connection).get_table_names())
    current: str | None = None
    if VERSION_TABLE in present:
        current = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()  # noqa: S608
    empty = current is None and not (present & tables)
    known = current is None or current in _known_revisions(str(SCRIPT_LOCATION))
    return SchemaState(current=current, head=head(), empty=empty, known=known)


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """One transaction to migrate in; on SQLite with foreign keys off while it runs, checked before it commits.

    SQLite alters a table by copying it and dropping the old one, and with foreign keys on the drop
    fails as soon as another table's rows refer to it (escalation_events, outbox -> escalations).
    The pragma does nothing inside a transaction, so it is set before the transaction begins.
    Python's sqlite3 would begin the transaction only at the first INSERT or UPDATE, leaving the
    DDL before it committed whatever happens next: it is begun explicitly.
    """
    from sqlalchemy import text

    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            conn.execute(text("PRAGMA foreign_keys=OFF"))
            conn.commit()
        try:
            with conn.begin():
                if sqlite:
                    conn.exec_driver_sql("BEGIN")
                yield conn
                if sqlite:
                    broken = conn.execute(text("PRAGMA foreign_key_check")).fetchall()
                    if broken:
                        raise SchemaError(f"the migration would leave rows whose parent is gone: {broken[:5]}")
        finally:
            if sqlite:
                conn.execute(text("PRAGMA foreign_keys=ON"))
                conn.commit()


def upgrade(
    engine: Engine, tables: set[str], revision: str = "head", *, response_time: timedelta | None = None
) -> tuple[str | None, str]:
    """Migrate the database to `revision` in one transaction; returns (before, after).

    An unversioned database that already holds our tables (made by `create_all` before
    migrations existed) is stamped with the baseline first. `response_time`: the configured
    `sla.response_time`, given to migrations that backfill deadlines (None: they use 60 minutes).
    """
    from alembic import command
    from sqlalchemy import text

    with _migrating(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        before = state(conn, tables)
        if not before.known:
            raise SchemaError(
                f"the database is at revision {before.current}, newer than this replyclock "
                f"(which knows up to {before.head}): upgrade replyclock"
            )
        cfg = alembic_config(conn, response_time=response_time)
        if before.current is None and not before.empty:
            command.stamp(cfg, BASELINE)
        command.upgrade(cfg, revision)
        after = state(conn, tables)
    return before.current, after.current or ""


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database back to `revision` (`base` drops every table)."""
    from alembic import command

    with _migrating(engine) as conn:
        command.downgrade(alembic_config(conn), revision)


def sql_script(url: str, revision: str = "head", *, response_time: timedelta | None = None) -> None:
    """Print the SQL of an upgrade instead of running it (offline mode, for a DBA to review)."""
    from alembic import command

    command.upgrade(alembic_config(url=url, response_time=response_time), revision, sql=True)


def diff(connection: Connection, metadata: Any) -> list[Any]:
    """What differs between the connected database and the models (empty when they match)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
    return list(compare_metadata(context, metadata))
