"""Config: the shipped file runs as it is, every setting is documented, bad configs name the key."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

import settings as config

REPO = Path(__file__).resolve().parents[2]


def test_shipped_config_loads_and_runs_without_credentials() -> None:
    s = config.load_settings(REPO / "config.yaml")
    assert s.storage.url == "sqlite:///./var/replyclock.db"
    assert s.sla.response_time == timedelta(minutes=60)
    assert s.sla.reminders == (timedelta(minutes=30), timedelta(minutes=10))
    assert s.sources.replay.enabled and s.sources.replay.path.exists()
    assert s.source_file == REPO / "config.yaml"


def test_the_config_file_is_recorded_and_a_relative_feed_path_is_relative_to_it(tmp_path) -> None:
    relative = tmp_path / "relative.yaml"
    relative.write_text("sources:\n  replay:\n    path: feeds/f.jsonl\n")
    s = config.load_settings(relative)
    assert s.source_file == relative and s.sources.replay.path == tmp_path.resolve() / "feeds/f.jsonl"
    absolute = tmp_path / "absolute.yaml"
    absolute.write_text(f"sources:\n  replay:\n    path: {tmp_path / 'f.jsonl'}\n")
    s = config.load_settings(absolute)
    assert s.source_file == absolute and s.sources.replay.path == tmp_path / "f.jsonl"
    assert s.notify.console is True
    assert not s.sources.x.enabled and not s.sources.facebook.enabled and not s.slack.enabled


def _keys(model: type[config.BaseModel], prefix: str = "") -> list[str]:
    keys = []
    for name, info in model.model_fields.items():
        if name == "source_file":
            continue
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, config.BaseModel):
            keys.extend(_keys(ann, f"{prefix}{name}."))
        else:
            keys.append(f"{prefix}{name}")
    return keys


def _yaml_keys(data: dict, prefix: str = "") -> set[str]:
    out = set()
    for k, v in data.items():
        out.add(f"{prefix}{k}")
        if isinstance(v, dict):
            out |= _yaml_keys(v, f"{prefix}{k}.")
    return out


def test_every_setting_is_in_config_yaml_with_a_comment() -> None:
    text = (REPO / "config.yaml").read_text(encoding="utf-8")
    present = _yaml_keys(yaml.safe_load(text))
    missing = [k for k in _keys(config.Settings) if k not in present]
    assert not missing, f"settings missing from config.yaml: {missing}"
    # each section opens with a comment (settings explain themselves)
    for section in ("storage", "sla", "sources", "sentiment", "notify", "slack", "metrics", "health", "logging"):
        block = text.split(f"\n{section}:\n", 1)[1].split("\n", 2)
        assert block[0].strip().startswith("#") or block[1].strip().startswith("#"), section


@pytest.mark.parametrize(
    ("data", "key", "problem"),
    [
        ({"sla": {"response_time": "sixty"}}, "sla.response_time", "malformed duration"),
        ({"sla": {"response_time": "0m"}}, "sla.response_time", "greater than zero"),
        # YAML has no tuples: pydantic's "Input should be a valid tuple" told a deployer nothing
        ({"sla": {"reminders": "30m"}}, "sla.reminders", "must be a list, not '30m': write it in brackets, e.g. [30m]"),
        ({"sources": {"x": {"queries": "#sklepdemo"}}}, "sources.x.queries", "e.g. ['#sklepdemo']"),
        # an unquoted id is a YAML number: "Input should be a valid string" did not say to quote it
        (
            {"sources": {"facebook": {"page_id": 100000000000000}}},
            "sources.facebook.page_id",
            'must be text, not the number 100000000000000: write it in quotes, e.g. "100000000000000"',
        ),
        ({"sources": {"x": {"user_id": 12345}}}, "sources.x.user_id", "write it in quotes"),
        ({"sla": {"response_time": "20m", "reminders": ["30m"]}}, "sla.reminders", "not inside the response time"),
        ({"sla": {"respons_time": "60m"}}, "sla.respons_time", "unknown key"),
        ({"bogus": 1}, "bogus", "unknown key"),
        ({"notify": {"console": "maybe"}}, "notify.console", "boolean"),
        ({"sources": {"replay": {"poll_every": 5}}}, "sources.replay.poll_every", "duration"),
        ({"sources": {"x": {"enabled": True, "user_id": "1"}}}, "sources.x.bearer_token", "required"),
        (
            {"sources": {"x": {"enabled": True, "bearer_token": "AAAAsecret", "user_id": "1"}}},
            "sources.x.bearer_token",
            "never written into the config",
        ),
        (
            {"sources": {"x": {"enabled": True, "bearer_token": "${RC_TEST_UNSET}", "user_id": "1"}}},
            "sources.x.bearer_token",
            "RC_TEST_UNSET is not set",
        ),
        (
            {"slack": {"enabled": True, "bot_token": "file:/nonexistent/token", "alerts_channel": "C1"}},
            "slack.bot_token",
            "cannot read secret file",
        ),
        ({"storage": {"url": "mysql://x"}}, "storage.url", "sqlite"),
        # these passed check-config, then failed every start with a traceback (exit 1: systemd restarts it)
        ({"storage": {"url": "sqlite://var/replyclock.db"}}, "storage.url", "sqlite:///"),
        ({"storage": {"url": "sqlite:var/replyclock.db"}}, "storage.url", "sqlite:///"),
        ({"storage": {"url": "postgresql+psycopg2://rc@db/rc"}}, "storage.url", "postgresql+psycopg://"),
        # an unencoded @ in the password made the rest of it the host name, shown in every connection error
        ({"storage": {"url": "postgresql+psycopg://rc:pa@ss@db/rc"}}, "storage.url", "%40"),
        ({"storage": {"url": "postgresql+psycopg://rc:pw@db:five/rc"}}, "storage.url", "port"),
        ({"metrics": {"listen": "9464"}}, "metrics.listen", "host:port"),
        ({"sources": {"facebook": {"api_version": "21"}}}, "sources.facebook.api_version", "v21.0"),
        # too long to compute a deadline or a date with: a config error, not a traceback or a failing tick
        ({"sla": {"response_time": "1000000000d"}}, "sla.response_time", "too long"),
        ({"sla": {"response_time": "3000000d"}}, "sla.response_time", "too long"),
        ({"health": {"silent_after": "99999999999h"}}, "health.silent_after", "too long"),
        # every key of a section commented out leaves `slack:` null; it said "instance of SlackSettings"
        ({"slack": None}, "slack", "is empty"),
        ({"sources": {"x": [1, 2]}}, "sources.x", "must be a section of keys, not list"),
        ({"sla": {"timezone": "Europe/Warsow"}}, "sla.timezone", "IANA"),
        # only secrets and storage.url expand ${NAME}: elsewhere it was used as written (a channel "${...}")
        (
            {"slack": {"alerts_channel": "${SLACK_ALERTS}"}},
            "slack.alerts_channel",
            "${SLACK_ALERTS} is read only in secrets and storage.url",
        ),
        ({"sources": {"replay": {"path": "${HOME}/feed.jsonl"}}}, "sources.replay.path", "${HOME}"),
        ({"sentiment": {"models_by_lang": {"ru": "${RU_MODEL}"}}}, "sentiment.models_by_lang", "${RU_MODEL}"),
        ({"sla": {"timezone": "+01:00"}}, "sla.timezone", "IANA"),
        # a misspelt bundled scorer was taken for a hub id and failed at start-up with a download error
        ({"sentiment": {"model": "embeded"}}, "sentiment.model", "did you mean 'embedded'?"),
        ({"sentiment": {"model": "Embedded"}}, "sentiment.model", "did you mean 'embedded'?"),
        ({"sentiment": {"model": "embedded_e5"}}, "sentiment.model", "did you mean 'embedded-e5'?"),
        ({"sentiment": {"models_by_lang": {"hu": "embeded-e5"}}}, "sentiment.models_by_lang", "'embedded-e5'"),
    ],
)
def test_bad_config_names_key_and_problem(data, key, problem, monkeypatch) -> None:
    monkeypatch.delenv("RC_TEST_UNSET", raising=False)
    with pytest.raises(config.ConfigError) as err:
        config.settings_from_mapping(data)
    assert err.value.key == key
    assert problem.lower() in err.value.problem.lower()


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///./var/replyclock.db",
        "sqlite:////var/lib/replyclock/replyclock.db",
        "sqlite://",
        "sqlite:///:memory:",
        "postgresql+psycopg://rc:pw@db:5432/rc",
        "postgresql://rc@db/rc",
        "postgresql+psycopg:///rc?host=/run/pg",
        "postgresql+psycopg://rc:p/ss:w%40rd@[::1]:5432/rc",
    ],
)
def test_database_urls_that_work_are_accepted(url) -> None:
    assert config.settings_from_mapping({"storage": {"url": url}}).storage.url == url


def test_unusable_reply_templates_are_a_config_error(tmp_path, monkeypatch) -> None:
    """They passed check-config, then every start failed with a traceback (exit 1: systemd restarts it)."""
    monkeypatch.setenv("RC_TEST_SLACK", "xoxb-1")
    incomplete = tmp_path / "replies.yaml"
    incomplete.write_text("replies:\n  pl:\n    not_delivered: {}\n")
    for path, problem in ((tmp_path / "missing.yaml", "cannot read reply templates"), (incomplete, "default")):
        slack = {"enabled": True, "bot_token": "${RC_TEST_SLACK}", "alerts_channel": "C1", "templates": str(path)}
        with pytest.raises(config.ConfigError) as err:
            config.settings_from_mapping({"slack": slack})
        assert err.value.key == "slack.templates"
        assert problem in err.value.problem


def test_a_source_polled_less_often_than_health_silent_after_is_a_config_error() -> None:
    """Polled every 4h (to save X reads) and silent after 3h: the managers were told "needs attention",
    then "recovered", on every poll; nothing said so before start-up."""
    data = {"sources": {"x": {"enabled": True, "bearer_token": "${RC_TEST_X}", "user_id": "1", "poll_every": "4h"}}}
    with pytest.MonkeyPatch.context() as env:
        env.setenv("RC_TEST_X", "token")
        with pytest.raises(config.ConfigError) as err:
            config.settings_from_mapping(data)
        assert err.value.key == "health.silent_after"
        assert err.value.problem == "3h must be longer than sources.x.poll_every (4h)"
        data["health"] = {"silent_after": "5h"}
        assert config.settings_from_mapping(data).sources.x.poll_every == timedelta(hours=4)
    # a source that is off is never polled
    assert config.settings_from_mapping({"sources": {"facebook": {"poll_every": "1d"}}})


def test_durations() -> None:
    assert config.parse_duration("1h30m") == timedelta(minutes=90)
    assert config.parse_duration("45s") == timedelta(seconds=45)
    assert config.parse_duration("14d") == timedelta(days=14)
    assert config.format_duration(timedelta(minutes=90)) == "1h30m"
    for bad in ("", "m", "1x", "30 m", "-5m", "1m1h"):
        with pytest.raises(ValueError):
            config.parse_duration(bad)


def test_report_since_too_long_is_a_usage_error(tmp_path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"storage:\n  url: sqlite:///{tmp_path / 'rc.db'}\n")
    for since in ("1000000000d", "999999d"):
        result = _cli("--config", str(cfg), "report", "--since", since)
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip() == f"replyclock: --since: duration '{since}' is too long (at most 36500d)"


def test_secrets_from_env_and_file_are_masked(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("RC_TEST_X_TOKEN", "xtoken-123456")
    token_file = tmp_path / "slack_token"
    token_file.write_text("xoxb-secret-987\n")
    monkeypatch.setenv("CREDS", str(tmp_path))
    s = config.settings_from_mapping(
        {
            "sources": {"x": {"enabled": True, "bearer_token": "${RC_TEST_X_TOKEN}", "user_id": "42"}},
            "slack": {"enabled": True, "bot_token": "file:${CREDS}/slack_token", "alerts_channel": "C1"},
            "storage": {"url": "postgresql+psycopg://rc:pg-pass-55@localhost/rc"},
        }
    )
    assert s.sources.x.bearer_token is not None
    assert s.sources.x.bearer_token.get_secret_value() == "xtoken-123456"
    assert s.slack.bot_token is not None and s.slack.bot_token.get_secret_value() == "xoxb-secret-987"
    shown = repr(config.effective_settings(s)) + repr(s)
    for secret in ("xtoken-123456", "xoxb-secret-987", "pg-pass-55"):
        assert secret not in shown
    assert set(s.secrets()) == {"xtoken-123456", "xoxb-secret-987", "pg-pass-55"}


def test_a_secret_file_that_is_not_text_names_the_file(tmp_path) -> None:
    token = tmp_path / "slack_bot_token"
    token.write_bytes(b"\xff\xfex\x00o\x00x\x00b\x00")  # saved as UTF-16 by an editor
    with pytest.raises(config.ConfigError) as err:
        config.settings_from_mapping({"slack": {"bot_token": f"file:{token}"}})
    assert err.value.key == "slack.bot_token"
    assert err.value.problem == f"secret file {token} is not UTF-8 text: write the token only"


def test_a_password_in_the_url_query_is_masked_too() -> None:
    """libpq takes `?password=` as well as `user:password@`; check-config and the logs printed that one."""
    s = config.settings_from_mapping(
        {"storage": {"url": "postgresql+psycopg://rc@db/rc?sslmode=require&password=pg-q-77"}}
    )
    assert "pg-q-77" in s.secrets()
    assert config.mask_url(s.storage.url) == "postgresql+psycopg://rc@db/rc?sslmode=require&password=***"
    assert "pg-q-77" not in repr(config.effective_settings(s))
    both = "postgresql+psycopg://rc:pg-u-78@db/rc?password=pg-q-79"
    assert "pg-u-78" not in config.mask_url(both) and "pg-q-79" not in config.mask_url(both)


def _cli(*args: str, env: dict | None = None, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "daemon.py"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
    )


def test_bad_config_exits_78_with_one_line_before_doing_anything(tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    db = tmp_path / "should-not-exist.db"
    bad.write_text(f"storage:\n  url: sqlite:///{db}\nsla:\n  response_time: 1h30\n")
    result = _cli("--config", str(bad), "run", "--once")
    assert result.returncode == 78
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert re.match(r"replyclock: config error: sla\.response_time: malformed duration '1h30'", lines[0])
    assert not db.exists()


def test_missing_config_file_and_bad_yaml_exit_78(tmp_path) -> None:
    assert _cli("--config", str(tmp_path / "nope.yaml"), "check-config").returncode == 78
    broken = tmp_path / "broken.yaml"
    broken.write_text("sla: [\n")
    result = _cli("--config", str(broken), "check-config")
    assert result.returncode == 78 and "not valid YAML" in result.stderr


def test_a_config_file_not_in_utf8_is_a_config_error(tmp_path) -> None:
    """Saved by an editor in Windows-1250 (a Polish comment): one clear line, not a traceback and exit 1."""
    cp1250 = tmp_path / "cp1250.yaml"
    cp1250.write_bytes("sla:\n  # Łódź\n  response_time: 60m\n".encode("cp1250"))
    with pytest.raises(config.ConfigError) as err:
        config.load_settings(cp1250)
    assert err.value.key == ""
    assert err.value.problem == f"{cp1250} is not UTF-8 text (line 2): save it as UTF-8"


def test_a_key_written_twice_is_a_config_error(tmp_path) -> None:
    """YAML keeps the last of two equal keys: a second `sla:` block silently undid the first one's 30m."""
    twice = tmp_path / "twice.yaml"
    twice.write_text("sla:\n  response_time: 30m\n  reminders: [10m]\nlogging:\n  level: INFO\nsla:\n  reminders: []\n")
    with pytest.raises(config.ConfigError) as err:
        config.load_settings(twice)
    assert (err.value.key, err.value.problem) == ("sla", "written twice (lines 1 and 6): keep one")
    nested = tmp_path / "nested.yaml"
    nested.write_text("sources:\n  x:\n    poll_every: 2m\n    poll_every: 5m\n")
    with pytest.raises(config.ConfigError) as err:
        config.load_settings(nested)
    assert (err.value.key, err.value.problem) == ("sources.x.poll_every", "written twice (lines 3 and 4): keep one")


def test_check_config_prints_effective_settings_masked(tmp_path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        "sources:\n  replay:\n    enabled: false\n  x:\n    enabled: true\n    bearer_token: ${RC_SECRET}\n"
        "    username: sklep_demo\n"
    )
    env = {"RC_SECRET": "very-secret-token", "PATH": "/usr/bin:/bin"}
    result = _cli("check-config", env={**env, "REPLYCLOCK_CONFIG": str(cfg)})
    assert result.returncode == 0, result.stderr
    assert "very-secret-token" not in result.stdout + result.stderr
    shown = yaml.safe_load(result.stdout)
    assert shown["sources"]["x"]["bearer_token"] == "**********"
    assert shown["sla"]["response_time"] == "1h"


def test_sla_timezone_is_a_zone() -> None:
    from zoneinfo import ZoneInfo

    assert config.settings_from_mapping({"sla": {"timezone": "Europe/Warsaw"}}).sla.zone == ZoneInfo("Europe/Warsaw")
    assert config.settings_from_mapping({}).sla.zone == ZoneInfo("UTC")


@pytest.mark.parametrize(
    "model",
    ["embedded", "embedded-e5", "cardiffnlp/twitter-xlm-roberta-base-sentiment-multilingual", "bert-base-cased"],
)
def test_bundled_scorers_and_hub_ids_are_accepted(model: str) -> None:
    assert config.settings_from_mapping({"sentiment": {"model": model}}).sentiment.model == model


def test_a_local_folder_named_like_a_typo_is_accepted(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "embeded").mkdir()
    assert config.settings_from_mapping({"sentiment": {"model": "embeded"}}).sentiment.model == "embeded"


@contextlib.contextmanager
def _as_nobody() -> Iterator[None]:
    """Root reads any file: drop the effective uid for a moment so that an unreadable file is unreadable."""
    if os.geteuid() != 0:
        yield
        return
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)


@pytest.mark.parametrize("problem", ["missing", "folder", "unreadable"])
def test_a_replay_feed_that_cannot_be_read_is_a_config_error_naming_the_key(tmp_path, problem) -> None:
    # pytest's own folders are closed to other users: under root the unreadable feed lies in an open one
    folder = Path(tempfile.mkdtemp(prefix="replyclock-feed-")) if problem == "unreadable" else tmp_path
    feed = folder / "feed.jsonl"
    if problem == "folder":
        feed.mkdir()
    elif problem == "unreadable":
        folder.chmod(0o755)
        feed.write_text('{"platform": "x"}\n', encoding="utf-8")
        feed.chmod(0)
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"sources:\n  replay:\n    path: {feed}\n", encoding="utf-8")
    settings = config.load_settings(cfg)
    dropped = _as_nobody() if problem == "unreadable" else contextlib.nullcontext()
    try:
        with dropped, pytest.raises(config.ConfigError) as err:
            config.check_sources(settings)
    finally:
        if folder != tmp_path:
            shutil.rmtree(folder)
    assert err.value.key == "sources.replay.path"
    assert str(feed) in err.value.problem
    expected = {"missing": "no such file", "folder": "a folder", "unreadable": "cannot be read"}[problem]
    assert expected in err.value.problem, err.value.problem


def test_a_disabled_replay_source_may_name_a_feed_that_does_not_exist(tmp_path) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text("sources:\n  replay:\n    enabled: false\n    path: nowhere.jsonl\n", encoding="utf-8")
    config.check_sources(config.load_settings(cfg))


@pytest.mark.parametrize("command", ["check-config", "run"])
def test_check_config_and_run_stop_on_a_missing_replay_feed_before_doing_anything(tmp_path, capsys, command) -> None:
    import daemon

    db = tmp_path / "rc.db"
    cfg = tmp_path / "config.yaml"
    cfg.write_text(
        f"storage:\n  url: sqlite:///{db}\nsources:\n  replay:\n    path: feeds/typo.jsonl\n", encoding="utf-8"
    )
    assert daemon.main(["--config", str(cfg), command, *(["--once"] if command == "run" else [])]) == 78
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("replyclock: config error: sources.replay.path: "), err
    assert str(tmp_path.resolve() / "feeds/typo.jsonl") in err and "no such file" in err
    assert not db.exists()  # stopped before the store was even opened


@pytest.mark.parametrize(
    "written",
    [
        "",  # no `sources` section at all
        "sources:\n  x:\n    enabled: false\n",
        "sources:\n  replay:\n    poll_every: 10s\n",  # `sources.replay` without a path
        "sources:\n  replay:\n    path: null\n",
    ],
)
def test_an_unwritten_replay_path_is_the_bundled_sample_wherever_the_config_lives(tmp_path, capsys, written) -> None:
    """The default was `monitor/samples/shop_feed.jsonl` relative to the config file: a config without
    `sources` in /etc/replyclock stopped check-config and run with `/etc/replyclock/monitor/samples/...: no
    such file`, a path the deployer never wrote."""
    import daemon
    from monitor.replay import SAMPLE_FEED

    cfg = tmp_path / "etc" / "config.yaml"
    cfg.parent.mkdir()
    cfg.write_text(f"storage:\n  url: sqlite:///{tmp_path / 'rc.db'}\n{written}", encoding="utf-8")
    settings = config.load_settings(cfg)
    assert settings.sources.replay.enabled
    assert settings.sources.replay.path == SAMPLE_FEED and SAMPLE_FEED.is_absolute() and SAMPLE_FEED.is_file()
    config.check_sources(settings)  # what `run` checks too
    assert daemon.main(["--config", str(cfg), "check-config"]) == 0
    shown = yaml.safe_load(capsys.readouterr().out)
    assert shown["sources"]["replay"]["path"] == str(SAMPLE_FEED)


SLACK_ON = "slack:\n  enabled: true\n  bot_token: ${RC_TEST_SLACK_TOKEN}\n  alerts_channel: C0TEAM\n"


@pytest.mark.parametrize("replay", ["", "sources:\n  replay:\n    enabled: false\n"], ids=["replay-on", "replay-off"])
def test_check_config_and_run_warn_when_the_replay_feed_would_be_posted_to_slack(
    tmp_path, capsys, monkeypatch, replay
) -> None:
    """A production config that forgot `sources` plays the bundled sample complaints into the team's real
    Slack channel: valid, so not an error, but said at start-up and by check-config, naming the key."""
    import daemon

    monkeypatch.setenv("RC_TEST_SLACK_TOKEN", "xoxb-test-token")
    blocker = tmp_path / "not-a-folder"  # `run` stops at the store (exit 69): what it logged before is the point
    blocker.write_text("")
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"storage:\n  url: sqlite:///{blocker / 'rc.db'}\n{replay}{SLACK_ON}", encoding="utf-8")

    assert daemon.main(["--config", str(cfg), "check-config"]) == 0
    out, err = capsys.readouterr()
    assert yaml.safe_load(out)["slack"]["enabled"] is True  # stdout stays the effective settings only
    assert daemon.main(["--config", str(cfg), "run", "--once"]) == daemon.EXIT_UNAVAILABLE
    run_out, run_err = capsys.readouterr()
    for logged in (err, run_out):  # check-config logs on stderr, the daemon on stdout (the journal)
        warnings = [line for line in logged.splitlines() if "sources.replay.enabled" in line]
        if replay:
            assert warnings == [], warnings
            continue
        assert len(warnings) == 1, logged
        assert warnings[0].startswith("WARNING "), warnings
        assert "slack.enabled" in warnings[0] and "bundled sample feed" in warnings[0] and "C0TEAM" in warnings[0]
        assert "sources.replay.enabled: false" in warnings[0]  # what to do about it
    assert "xoxb-test-token" not in out + err + run_out + run_err
