"""Operator commands on the store in-process: `act`, `report`, `db status|copy` never mistake a typo for a store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import daemon
import settings as config
from monitor.models import Batch, Mention
from monitor.store import Store
from tests.fakes import RESPONSE_TIME, complaint_score, free_port

# the replay source (the bundled sample feed) is on by default: these commands want a store with no source
NO_REPLAY = "sources:\n  replay:\n    enabled: false\n"


def _config(tmp_path: Path, db: Path) -> Path:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"storage:\n  url: sqlite:///{db}\n{NO_REPLAY}notify:\n  console: false\n", encoding="utf-8")
    return cfg


def _store_with_one_escalation(db: Path) -> int:
    store = Store(f"sqlite:///{db}")
    try:
        now = datetime.now(UTC)
        mention = Mention(platform="x", external_id="1", author="@k", text="parcel never arrived", created_at=now)
        store.save_batch("x:mentions", Batch((mention,), (), None), now)
        [pending] = store.unscored_mentions()
        escalation = store.open_escalation(
            pending.id, complaint_score(), now - timedelta(minutes=1), response_time=RESPONSE_TIME
        )
        assert escalation is not None
        return escalation.id
    finally:
        store.close()


def test_act_on_a_closed_escalation_is_refused_not_reported_done(tmp_path, capsys) -> None:
    db = tmp_path / "rc.db"
    esc = _store_with_one_escalation(db)
    cfg = str(_config(tmp_path, db))
    assert daemon.main(["--config", cfg, "act", str(esc), "resolve", "--by", "anna"]) == 0
    assert json.loads(capsys.readouterr().out) == {"id": esc, "action": "resolve", "by": "anna"}
    for action in ("resolve", "dismiss", "respond", "acknowledge"):
        assert daemon.main(["--config", cfg, "act", str(esc), action, "--by", "bob"]) == 1, action
        out, err = capsys.readouterr()
        assert out == "" and "already resolved" in err, (action, err)
    store = Store(f"sqlite:///{db}")
    try:
        assert store.escalation(esc).closed_by == "anna"
    finally:
        store.close()


def test_report_and_act_on_a_mistyped_sqlite_path_create_nothing(tmp_path, capsys) -> None:
    missing = tmp_path / "typo" / "rc.db"
    cfg = str(_config(tmp_path, missing))
    assert daemon.main(["--config", cfg, "report"]) == 1
    assert "no database" in capsys.readouterr().err
    assert daemon.main(["--config", cfg, "act", "1", "resolve"]) == 1
    assert "no database" in capsys.readouterr().err
    assert not missing.parent.exists()


def test_db_status_on_a_missing_sqlite_file_creates_no_file(tmp_path, capsys) -> None:
    missing = tmp_path / "rc.db"
    cfg = str(_config(tmp_path, missing))
    assert daemon.main(["--config", cfg, "db", "status"]) == daemon.EXIT_SCHEMA
    assert "no schema yet" in capsys.readouterr().out
    assert not missing.exists()


def test_db_copy_from_a_mistyped_source_never_empties_the_target(tmp_path, capsys) -> None:
    target = tmp_path / "target.db"
    esc = _store_with_one_escalation(target)
    missing = tmp_path / "typo.db"
    cfg = str(_config(tmp_path, missing))
    assert daemon.main(["--config", cfg, "db", "copy", "--to", f"sqlite:///{target}", "--force"]) == 1
    assert "no database" in capsys.readouterr().err
    assert not missing.exists()
    store = Store(f"sqlite:///{target}")
    try:
        assert store.escalation(esc).id == esc  # the target's rows are still there
    finally:
        store.close()


def test_db_copy_from_an_empty_source_never_empties_the_target_even_with_force(tmp_path, capsys) -> None:
    # a source URL that reaches a database, but the wrong one (a fresh PostgreSQL database, an empty file)
    target = tmp_path / "target.db"
    esc = _store_with_one_escalation(target)
    empty = tmp_path / "empty.db"
    Store(f"sqlite:///{empty}").close()
    cfg = str(_config(tmp_path, empty))
    assert daemon.main(["--config", cfg, "db", "copy", "--to", f"sqlite:///{target}", "--force"]) == 1
    err = capsys.readouterr().err
    assert "source holds no rows" in err and "escalations 1" in err
    store = Store(f"sqlite:///{target}")
    try:
        assert store.escalation(esc).id == esc
    finally:
        store.close()


def test_db_copy_from_an_empty_source_to_an_empty_target_is_fine(tmp_path, capsys) -> None:
    empty = tmp_path / "empty.db"
    Store(f"sqlite:///{empty}").close()
    cfg = str(_config(tmp_path, empty))
    assert daemon.main(["--config", cfg, "db", "copy", "--to", f"sqlite:///{tmp_path / 'new.db'}"]) == 0
    assert "copied 0 rows" in capsys.readouterr().out


def test_demo_speed_and_length_that_no_clock_can_run_are_usage_errors(tmp_path, capsys) -> None:
    db = tmp_path / "demo.db"
    db.write_text("kept")
    for option, value in (("--speed", "0"), ("--speed", "nan"), ("--speed", "1e300"), ("--max-minutes", "inf")):
        try:
            daemon.main(
                ["--config", str(_config(tmp_path, tmp_path / "rc.db")), "demo", option, value, "--db", str(db)]
            )
        except SystemExit as exc:
            assert exc.code == 2, (option, value)
        else:
            raise AssertionError(f"{option} {value} was accepted")
        assert option in capsys.readouterr().err
    assert db.read_text() == "kept"  # refused before the demo database is recreated


def test_db_copy_to_a_url_no_store_can_have_is_a_usage_error_with_the_password_hidden(tmp_path, capsys) -> None:
    db = tmp_path / "rc.db"
    _store_with_one_escalation(db)
    cfg = str(_config(tmp_path, db))
    for to in ("foo", "mysql://u:top-secret-1@h/db", "postgresql+psycopg://u:top@secret-2@127.0.0.1:1/db"):
        assert daemon.main(["--config", cfg, "db", "copy", "--to", to]) == 2, to
        out, err = capsys.readouterr()
        assert err.startswith("replyclock: --to: ") and len(err.splitlines()) == 1, err
        assert "secret" not in out + err


@pytest.mark.parametrize(
    "command",
    [
        ["report"],
        ["act", "1", "resolve"],
        ["db", "status"],
        ["db", "upgrade"],
        ["db", "copy", "--to", "TARGET"],
        ["run"],
    ],
    ids=" ".join,
)
def test_a_database_that_cannot_be_reached_is_one_line_with_the_password_hidden(
    tmp_path, capsys, monkeypatch, command
) -> None:
    monkeypatch.setattr(daemon, "_install_signal_handlers", lambda stop: None)  # pytest keeps its own
    port = free_port()
    cfg = tmp_path / "config.yaml"
    url = f"postgresql+psycopg://rc:Pw-never-shown@127.0.0.1:{port}/replyclock"
    cfg.write_text(f"storage:\n  url: {url}\n{NO_REPLAY}notify:\n  console: false\n", encoding="utf-8")
    argv = [f"sqlite:///{tmp_path / 'target.db'}" if arg == "TARGET" else arg for arg in command]
    status = daemon.main(["--config", str(cfg), *argv])
    out, err = capsys.readouterr()
    # not 78: systemd's Restart=on-failure must retry a database that is briefly down
    assert status == daemon.EXIT_UNAVAILABLE != config.EXIT_CONFIG
    assert len(err.splitlines()) == 1, err
    assert f"rc:***@127.0.0.1:{port}/replyclock" in err and "refused" in err.lower(), err
    assert "Pw-never-shown" not in out + err


def test_status_says_why_it_cannot_read_the_store(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path))
    port = free_port()
    cfg = tmp_path / "config.yaml"
    url = f"postgresql+psycopg://rc:Pw-never-shown@127.0.0.1:{port}/replyclock"
    cfg.write_text(f"storage:\n  url: {url}\n{NO_REPLAY}notify:\n  console: false\n", encoding="utf-8")
    assert daemon.main(["--config", str(cfg), "status"]) == 1  # no snapshot either: the daemon is not running
    out, err = capsys.readouterr()
    assert f"cannot read the store postgresql+psycopg://rc:***@127.0.0.1:{port}/replyclock: " in err, err
    assert "refused" in err.lower() and "Pw-never-shown" not in out + err, err


def test_db_copy_to_a_target_that_cannot_be_reached_names_the_target(tmp_path, capsys) -> None:
    db = tmp_path / "rc.db"
    _store_with_one_escalation(db)
    port = free_port()
    to = f"postgresql+psycopg://rc:Pw-never-shown@127.0.0.1:{port}/target"
    assert daemon.main(["--config", str(_config(tmp_path, db)), "db", "copy", "--to", to]) == daemon.EXIT_UNAVAILABLE
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and f"rc:***@127.0.0.1:{port}/target" in err, err
    assert "Pw-never-shown" not in err


def test_run_on_a_sqlite_file_whose_folder_cannot_be_made_is_one_line_and_retried(tmp_path, capsys) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    db = blocker / "rc.db"
    assert daemon.main(["--config", str(_config(tmp_path, db)), "run", "--once"]) == daemon.EXIT_UNAVAILABLE
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and str(db) in err, err


@pytest.mark.parametrize(
    ("env", "by"),
    [({"SUDO_USER": "anna", "USER": "root"}, "anna"), ({"USER": "bob"}, "bob"), ({}, "cli")],
)
def test_act_without_by_records_who_ran_it_even_under_sudo(tmp_path, capsys, monkeypatch, env, by) -> None:
    for name in ("SUDO_USER", "USER"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    db = tmp_path / "rc.db"
    esc = _store_with_one_escalation(db)
    assert daemon.main(["--config", str(_config(tmp_path, db)), "act", str(esc), "acknowledge"]) == 0
    assert json.loads(capsys.readouterr().out)["by"] == by


def test_status_on_a_store_older_than_the_code_says_to_upgrade_it(tmp_path, capsys) -> None:
    from monitor import migrations
    from monitor.store import TABLES, create_db_engine

    db = tmp_path / "rc.db"
    engine = create_db_engine(f"sqlite:///{db}")
    migrations.upgrade(engine, set(TABLES), revision="0001")  # as the release before left it
    engine.dispose()
    assert daemon.main(["--config", str(_config(tmp_path, db)), "status"]) == 1
    out, err = capsys.readouterr()
    assert "is at revision 0001" in err and "run `replyclock db upgrade`" in err
    assert "OperationalError" not in err + out


def test_act_that_changes_nothing_says_so_and_who_has_it(tmp_path, capsys) -> None:
    db = tmp_path / "rc.db"
    esc = _store_with_one_escalation(db)
    cfg = str(_config(tmp_path, db))
    assert daemon.main(["--config", cfg, "act", str(esc), "acknowledge", "--by", "anna"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == {"id": esc, "action": "acknowledge", "by": "anna"} and err == ""
    # Bob must not walk away believing the complaint is his: Anna's name stays on it, and reminders go to her
    assert daemon.main(["--config", cfg, "act", str(esc), "acknowledge", "--by", "bob"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == {"id": esc, "action": "acknowledge", "by": "bob"}
    assert f"nothing changed: escalation #{esc} is already acknowledged by anna" in err
    assert daemon.main(["--config", cfg, "act", str(esc), "respond", "--by", "anna"]) == 0
    assert capsys.readouterr().err == ""
    assert daemon.main(["--config", cfg, "act", str(esc), "respond", "--by", "bob"]) == 0
    assert f"nothing changed: escalation #{esc} is already answered, by anna" in capsys.readouterr().err
    store = Store(f"sqlite:///{db}")
    try:
        after = store.escalation(esc)
        assert (after.acknowledged_by, after.responded_by) == ("anna", "anna")
    finally:
        store.close()


SERVICE_UID = 61234  # a systemd DynamicUser's id: the service's state folder belongs to it


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can hand files to another user")
def test_sudo_commands_leave_the_service_its_own_files(tmp_path, capsys, monkeypatch) -> None:
    # `sudo replyclock db upgrade` (as `db status` suggests before the first start) or `run --once` in the
    # service's state folder: a root-owned 0600 database or lock locks the service out (exit 69 forever,
    # or a standby that never leads)
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    os.chown(state, SERVICE_UID, SERVICE_UID)
    monkeypatch.setenv("STATE_DIRECTORY", str(state))
    cfg = str(_config(tmp_path, state / "replyclock.db"))
    assert daemon.main(["--config", cfg, "db", "upgrade"]) == 0
    assert daemon.main(["--config", cfg, "run", "--once"]) == 0
    capsys.readouterr()
    made = {p.name: (p.stat().st_uid, p.stat().st_gid) for p in state.iterdir()}
    assert {"replyclock.db", "replyclock.db.leader", "status.json"} <= set(made), made
    assert all(owner == (SERVICE_UID, SERVICE_UID) for owner in made.values()), made


def test_output_to_a_reader_that_left_ends_quietly(tmp_path) -> None:
    # `sudo replyclock report | head`: a traceback for BrokenPipeError (and another at exit) said nothing useful
    cfg = _config(tmp_path, tmp_path / "rc.db")
    proc = subprocess.Popen(
        [sys.executable, Path(daemon.__file__), "--config", cfg, "check-config"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # nobody reads: the first write fails with EPIPE
    err = proc.stderr.read()
    assert (proc.wait(timeout=60), err) == (141, "")  # as a program stopped by SIGPIPE


def test_global_options_work_after_the_command_too(tmp_path, capsys) -> None:
    cfg = _config(tmp_path, tmp_path / "rc.db")
    assert daemon.main(["check-config", "--config", str(cfg), "--log-level", "ERROR"]) == 0
    assert capsys.readouterr().out.startswith(f"# {cfg}: OK")
    # after the command they win over the ones before it; not given there, the ones before stay
    args = daemon._parser().parse_args(
        ["--config", "a.yaml", "--log-level", "INFO", "db", "status", "--config", "b.yaml"]
    )
    assert (args.config, args.log_level, args.log_format) == ("b.yaml", "INFO", None)


@pytest.mark.parametrize("value", ["", " ", "7x"])
def test_report_since_empty_or_malformed_is_a_usage_error_naming_the_flag(tmp_path, capsys, value) -> None:
    db = tmp_path / "rc.db"
    _store_with_one_escalation(db)
    assert daemon.main(["--config", str(_config(tmp_path, db)), "report", "--since", value]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("replyclock: --since: "), err


def test_report_since_takes_a_date_as_well_as_a_duration(tmp_path, capsys) -> None:
    db = tmp_path / "rc.db"
    esc = _store_with_one_escalation(db)
    cfg = str(_config(tmp_path, db))
    today = datetime.now(UTC).date()
    for since, ids in [("1d", [esc]), (str(today), [esc]), (str(today + timedelta(days=1)), [])]:
        assert daemon.main(["--config", cfg, "report", "--format", "json", "--since", since]) == 0
        assert [r["id"] for r in json.loads(capsys.readouterr().out)] == ids, since


def test_a_demo_feed_that_cannot_be_read_is_a_usage_error_not_a_traceback(tmp_path, capsys) -> None:
    db = tmp_path / "demo.db"
    db.write_text("kept")
    cfg = str(_config(tmp_path, tmp_path / "rc.db"))
    missing = tmp_path / "nowhere.jsonl"
    assert daemon.main(["--config", cfg, "demo", "--feed", str(missing), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("replyclock: --feed: ") and str(missing) in err and "no such file" in err, err
    assert db.read_text() == "kept"  # refused before the demo database is recreated
