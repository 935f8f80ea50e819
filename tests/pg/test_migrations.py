"""Migrations: they build exactly the models' schema, and the daemon refuses a schema older than its code."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

import daemon
from alerts.report import report_records
from monitor import migrations
from monitor.models import Mention, SlaPolicy
from monitor.store import METADATA, TABLES, Store, create_db_engine

pytestmark = pytest.mark.any_db


def _config(tmp_path: Path, url: str) -> str:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"storage:\n  url: {url}\nsources:\n  replay:\n    enabled: false\nnotify:\n  console: false\n")
    return str(cfg)


def _mention(clock, eid: str = "1") -> Mention:
    return Mention(platform="x", external_id=eid, author="@a", text="nie dotarło", created_at=clock.now())


def test_a_fresh_database_is_migrated_to_exactly_the_models(db_url: str) -> None:
    store = Store(db_url)
    try:
        assert store.schema_state().up_to_date
        with store.engine.connect() as conn:
            assert migrations.diff(conn, METADATA) == []
            assert set(inspect(conn).get_table_names()) >= TABLES
    finally:
        store.close()


def test_downgrade_to_nothing_and_up_again(db_url: str) -> None:
    store = Store(db_url)
    try:
        migrations.downgrade(store.engine, "base")
        with store.engine.connect() as conn:
            assert not TABLES & set(inspect(conn).get_table_names())
        assert store.upgrade_schema() == (None, migrations.head())
        with store.engine.connect() as conn:
            assert migrations.diff(conn, METADATA) == []
    finally:
        store.close()


def test_an_unversioned_database_is_refused_then_upgraded_keeping_its_rows(db_url: str, tmp_path, clock, capsys):
    # what the first releases made with create_all, before migrations existed: revision 0001's tables
    engine = create_db_engine(db_url)
    migrations.upgrade(engine, set(TABLES), revision="0001")
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE {migrations.VERSION_TABLE}"))
    engine.dispose()
    with pytest.raises(migrations.SchemaError, match=r"unversioned schema.*run `replyclock db upgrade`"):
        Store(db_url)
    cfg = _config(tmp_path, db_url)
    assert daemon.main(["--config", cfg, "run", "--once"]) == migrations.EXIT_SCHEMA
    assert "run `replyclock db upgrade`" in capsys.readouterr().err
    # what that release stored, written as it wrote it: today's Store reads columns its schema lacks
    engine = create_db_engine(db_url)
    mention = _mention(clock)
    with engine.begin() as conn:
        conn.execute(
            METADATA.tables["mentions"].insert(),
            {
                "platform": mention.platform,
                "external_id": mention.external_id,
                "source": "s",
                "author": mention.author,
                "text": mention.text,
                "created_at": mention.created_at,
                "seen_at": clock.now(),
            },
        )
        conn.execute(METADATA.tables["cursors"].insert(), {"source": "s", "value": "c", "updated_at": clock.now()})
    engine.dispose()

    assert daemon.main(["--config", cfg, "db", "upgrade"]) == 0
    assert f"to revision {migrations.head()}" in capsys.readouterr().out
    store = Store(db_url)
    try:
        assert store.mention_count() == 1 and store.cursor("s") == "c"
        assert daemon.main(["--config", cfg, "db", "status"]) == 0
        assert "up to date" in capsys.readouterr().out
    finally:
        store.close()


@pytest.fixture
def newer_code(tmp_path, monkeypatch):
    """The migrations as a later release would ship them: one more revision on top."""
    scripts = tmp_path / "migrations"
    shutil.copytree(migrations.SCRIPT_LOCATION, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "0099_outbox_kind_index.py").write_text(
        f'''"""A later release's migration (test only)."""
from alembic import op

revision = "0099"
down_revision = "{migrations.head()}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_outbox_kind", "outbox", ["kind"])


def downgrade():
    op.drop_index("ix_outbox_kind", table_name="outbox")
'''
    )
    monkeypatch.setattr(migrations, "SCRIPT_LOCATION", scripts)
    return "0099"


def test_an_older_revision_stops_the_daemon_until_db_upgrade(db_url: str, tmp_path, newer_code, capsys) -> None:
    assert migrations.head() == newer_code
    store = Store(db_url, create_schema=False)
    migrations.upgrade(store.engine, set(TABLES), revision="0001")  # as the release before left it
    store.close()

    cfg = _config(tmp_path, db_url)
    assert daemon.main(["--config", cfg, "db", "status"]) == migrations.EXIT_SCHEMA
    assert "run `replyclock db upgrade`" in capsys.readouterr().out
    assert daemon.main(["--config", cfg, "run"]) == migrations.EXIT_SCHEMA
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0, "one line"
    assert "revision 0001, older than this replyclock (head 0099): run `replyclock db upgrade`" in err

    assert daemon.main(["--config", cfg, "db", "upgrade"]) == 0
    assert "upgraded from 0001 to revision 0099" in capsys.readouterr().out
    store = Store(db_url)
    try:
        with store.engine.connect() as conn:
            assert "ix_outbox_kind" in {ix["name"] for ix in inspect(conn).get_indexes("outbox")}
    finally:
        store.close()
    assert daemon.main(["--config", cfg, "db", "upgrade"]) == 0
    assert "already at revision 0099" in capsys.readouterr().out


def test_a_database_newer_than_the_code_is_refused(db_url: str, tmp_path, capsys) -> None:
    store = Store(db_url)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00d'"))
    store.close()
    with pytest.raises(migrations.SchemaError, match="newer than this replyclock"):
        Store(db_url)
    assert daemon.main(["--config", _config(tmp_path, db_url), "db", "upgrade"]) == migrations.EXIT_SCHEMA
    assert "upgrade replyclock" in capsys.readouterr().err


def test_upgrade_sql_is_printed_for_review(db_url: str, tmp_path, capsys) -> None:
    assert daemon.main(["--config", _config(tmp_path, db_url), "db", "upgrade", "--sql"]) == 0
    out = capsys.readouterr().out
    assert "CREATE TABLE outbox" in out and "alembic_version" in out


T0 = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
M = timedelta(minutes=1)
# the second one a microsecond before a full minute: the backfill must not round it (SQLite's datetime() does)
CREATED = (T0, T0 + timedelta(minutes=7, seconds=59, microseconds=999_999))


def _store_at_0001_with_history(db_url: str) -> None:
    """A store as the release before left it: revision 0001, two escalations (one answered in 44 min) and their logs."""
    engine = create_db_engine(db_url)
    migrations.upgrade(engine, set(TABLES), revision="0001")
    tables = METADATA.tables
    with engine.begin() as conn:
        for n, created in enumerate(CREATED, start=1):
            conn.execute(
                tables["mentions"].insert(),
                {
                    "id": n,
                    "platform": "x",
                    "external_id": str(n),
                    "author": "@a",
                    "text": "nie dotarło",
                    "created_at": created,
                    "seen_at": created + M,
                    "scored": True,
                },
            )
            conn.execute(
                tables["escalations"].insert(),
                {
                    "id": n,
                    "mention_id": n,
                    "created_at": created,
                    "opened_at": created + M,
                    "lang": "pl",
                    "first_response_at": created + 44 * M if n == 1 else None,
                    "is_active": n != 1,
                },
            )
            conn.execute(
                tables["escalation_events"].insert(),
                {"escalation_id": n, "key": "opened", "kind": "opened", "at": created + M},
            )
            conn.execute(
                tables["outbox"].insert(),
                {
                    "notifier": "slack",
                    "key": f"{n}:opened",
                    "escalation_id": n,
                    "kind": "opened",
                    "created_at": created + M,
                    "next_attempt_at": created + M,
                },
            )
    engine.dispose()


def test_upgrade_backfills_deadlines_with_the_response_time_configured_when_it_runs(
    db_url: str, tmp_path, capsys
) -> None:
    _store_at_0001_with_history(db_url)
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"storage:\n  url: {db_url}\nsla:\n  response_time: 45m\n  reminders: [10m]\n", encoding="utf-8")
    assert daemon.main(["--config", str(cfg), "db", "upgrade"]) == 0
    assert f"upgraded from 0001 to revision {migrations.head()}" in capsys.readouterr().out
    store = Store(db_url)
    try:
        escalations = store.escalations()
        assert [(e.clock_started_at, e.deadline) for e in escalations] == [(c, c + 45 * M) for c in CREATED]
        assert [len(store.events(e.id)) for e in escalations] == [1, 1]
        assert len(store.outbox_entries("slack")) == 2
        with store.engine.connect() as conn:
            assert migrations.diff(conn, METADATA) == []
            if store.dialect == "sqlite":
                assert conn.execute(text("PRAGMA foreign_key_check")).fetchall() == []
                assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        # a later policy change re-judges none of them
        records = report_records(escalations, SlaPolicy(response_time=30 * M, reminders=()), T0 + 90 * M)
    finally:
        store.close()
    assert [r["outcome"] for r in records] == ["responded", "breached"]
    assert [r["sla_minutes"] for r in records] == [45, 45]


def test_upgrade_without_a_configured_response_time_backfills_the_default_60_minutes(db_url: str) -> None:
    _store_at_0001_with_history(db_url)
    store = Store(db_url, create_schema=False)
    try:
        store.upgrade_schema()
    finally:
        store.close()
    store = Store(db_url)
    try:
        assert [e.deadline for e in store.escalations()] == [c + 60 * M for c in CREATED]
        migrations.downgrade(store.engine, "0001")  # and back, keeping every row and the links to them
        with store.engine.connect() as conn:
            assert "deadline" not in {c["name"] for c in inspect(conn).get_columns("escalations")}
            assert conn.execute(text("SELECT COUNT(*) FROM escalations")).scalar() == 2
            assert conn.execute(text("SELECT COUNT(*) FROM escalation_events")).scalar() == 2
    finally:
        store.close()


def test_a_failed_upgrade_leaves_the_schema_as_it_was(db_url: str) -> None:
    engine = create_db_engine(db_url)
    try:
        migrations.upgrade(engine, set(TABLES), revision="0001")
        # SQLite's driver would have committed the columns added before the failing step
        with pytest.raises(ValueError, match="whole seconds"):
            migrations.upgrade(engine, set(TABLES), response_time=timedelta(seconds=90.5))
        with engine.connect() as conn:
            assert migrations.state(conn, set(TABLES)).current == "0001"
            assert "deadline" not in {c["name"] for c in inspect(conn).get_columns("escalations")}
        assert migrations.upgrade(engine, set(TABLES)) == ("0001", migrations.head())
    finally:
        engine.dispose()


def test_upgrade_sql_backfills_with_the_configured_response_time(db_url: str, tmp_path, capsys) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"storage:\n  url: {db_url}\nsla:\n  response_time: 45m\n  reminders: [10m]\n", encoding="utf-8")
    assert daemon.main(["--config", str(cfg), "db", "upgrade", "--sql"]) == 0
    out = capsys.readouterr().out
    assert "UPDATE escalations SET" in out and "2700 seconds" in out


def test_upgrade_to_0003_lets_the_outbox_hold_a_digest_and_dates_each_cursors_first_read(db_url: str) -> None:
    _store_at_0001_with_history(db_url)
    engine = create_db_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE mentions SET source = 'x:mentions'"))
            cursors = METADATA.tables["cursors"]
            conn.execute(cursors.insert(), {"source": "x:mentions", "value": "c", "updated_at": T0 + 90 * M})
            conn.execute(cursors.insert(), {"source": "x:search:quiet", "value": "q", "updated_at": T0 + 80 * M})
        assert migrations.upgrade(engine, set(TABLES)) == ("0001", migrations.head())
        with engine.connect() as conn:
            outbox = {c["name"]: c for c in inspect(conn).get_columns("outbox")}
            assert outbox["escalation_id"]["nullable"] is True
            assert migrations.diff(conn, METADATA) == []
            if engine.dialect.name == "sqlite":
                assert conn.execute(text("PRAGMA foreign_key_check")).fetchall() == []
    finally:
        engine.dispose()
    store = Store(db_url)
    try:
        assert len(store.outbox_entries("slack")) == 2, "every entry kept"
        # the first read: when its first mention was seen, or its cursor's last move when it has none
        assert store.first_reads() == {"x:mentions": T0 + M, "x:search:quiet": T0 + 80 * M}
        assert store.enqueue("slack", "late:1", None, "late_digest", T0 + 120 * M, {"escalations": []})
        migrations.downgrade(store.engine, "0002")  # and back: the digests go, everything else stays
        with store.engine.connect() as conn:
            outbox = {c["name"]: c for c in inspect(conn).get_columns("outbox")}
            assert outbox["escalation_id"]["nullable"] is False
            assert "first_read_at" not in {c["name"] for c in inspect(conn).get_columns("cursors")}
            assert conn.execute(text("SELECT COUNT(*) FROM outbox")).scalar() == 2
            assert conn.execute(text("SELECT COUNT(*) FROM cursors")).scalar() == 2
    finally:
        store.close()
