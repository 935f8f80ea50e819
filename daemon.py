"""replyclock's command line: parse the arguments, read the config once, run one command (see app.py for the daemon)."""

from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

import settings as config
from alerts.engine import ActionRefused, EscalationEngine, unchanged_reason
from alerts.report import render_json, render_table, report_records
from app import App, build_notifiers, escalation_summary, sla_policy, store_summary
from monitor.clock import ScaledClock, SystemClock
from monitor.health import EscalationSummary, Snapshot, state_dir
from monitor.logs import is_journal, masker, setup_logging, with_priority
from monitor.migrations import EXIT_SCHEMA, UPGRADE_HINT, SchemaError
from monitor.replay import ReplaySource
from monitor.systemd import SystemdNotifier
from sentiment.errors import ModelLoadError

if TYPE_CHECKING:
    from monitor.models import Escalation

log = logging.getLogger("replyclock")

DEMO_DB = Path("var/demo.db")
# EX_UNAVAILABLE: not 78, so systemd's Restart=on-failure retries a database that is briefly down
EXIT_UNAVAILABLE = 69
EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE  # 141, what a shell reports for a reader that left (`| head`)


class DatabaseUnreachable(Exception):
    """A command could not reach its database; `url` names it (unmasked: mask it to print it)."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(reason)
        self.url = url
        self.reason = reason


@contextmanager
def _reaching(url: str) -> Iterator[None]:
    """Turn a failure to reach the database at `url` into `DatabaseUnreachable`; other errors pass."""
    try:
        yield
    except Exception as exc:
        from monitor.store import unreachable_reason

        reason = unreachable_reason(exc)
        if reason is None:
            raise
        raise DatabaseUnreachable(url, reason) from exc


def _on_store(
    command: Callable[[argparse.Namespace, config.Settings], int],
) -> Callable[[argparse.Namespace, config.Settings], int]:
    """A command on storage.url: a database it cannot reach ends it in one line, not a traceback."""

    @functools.wraps(command)
    def wrapped(args: argparse.Namespace, settings: config.Settings) -> int:
        with _reaching(settings.storage.url):
            return command(args, settings)

    return wrapped


def _say_error(text: str) -> None:
    """Print why a command stops on stderr; under systemd as an error entry, so `journalctl -p err` shows it."""
    print(with_priority(text, logging.ERROR) if is_journal(sys.stderr) else text, file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="replyclock", description="Keeps every customer complaint on social media under a response clock."
    )
    _global_options(parser, default=None)
    # the global options after the command too (`replyclock run --log-format json`, as one appends them to
    # ExecStart=): there they would otherwise be a usage error
    after = argparse.ArgumentParser(add_help=False)
    _global_options(after, default=argparse.SUPPRESS)
    sub = _Commands(parser.add_subparsers(dest="command", metavar="COMMAND"), after)

    run = sub.add_parser("run", help="run the daemon")
    run.add_argument("--once", action="store_true", help="run every job once and exit")

    demo = sub.add_parser("demo", help="play the bundled sample feed on an accelerated clock, then print the SLA log")
    demo.add_argument(
        "--speed", type=_up_to(100_000), default=60.0, help="clock speed-up (default 60: an hour in a minute)"
    )
    demo.add_argument("--feed", type=Path, help="a replay JSON-lines file (default: the bundled sample)")
    demo.add_argument("--db", type=Path, default=DEMO_DB, help=f"demo database, recreated (default {DEMO_DB})")
    demo.add_argument(
        "--max-minutes", type=_up_to(1_000_000), default=120.0, help="stop after this much demo-clock time"
    )

    sub.add_parser("check-config", help="validate the config and print the effective settings, secrets masked")

    status = sub.add_parser("status", help="what the running daemon is doing: clocks, sources, notifiers")
    status.add_argument("--json", action="store_true", help="print the daemon's last snapshot as JSON")

    db = sub.add_parser("db", help="manage the store's schema and data")
    db_sub = _Commands(db.add_subparsers(dest="db_command", metavar="ACTION", required=True), after)
    upgrade = db_sub.add_parser("upgrade", help="apply the schema migrations the store lacks")
    upgrade.add_argument("--sql", action="store_true", help="print the SQL instead of running it")
    db_sub.add_parser("status", help="print the store's schema revision and the code's")
    copy = db_sub.add_parser("copy", help="copy every row of the store into another database (e.g. to PostgreSQL)")
    copy.add_argument("--to", required=True, metavar="URL", help="target URL, e.g. postgresql+psycopg://...")
    copy.add_argument("--force", action="store_true", help="replace the target's rows if it has any")

    sub.add_parser("score", help="score texts from stdin (JSON lines with text/lang, or plain lines)")

    ev = sub.add_parser("eval", help="evaluate the configured scorer on a labelled JSON-lines file")
    ev.add_argument("file", type=Path)

    report = sub.add_parser("report", help="print the SLA log")
    report.add_argument("--format", choices=["table", "json"], default="table")
    report.add_argument(
        "--since", help="only escalations of posts newer than this: a duration ago (7d, 24h) or a date (2026-11-01)"
    )

    act = sub.add_parser("act", help="acknowledge, respond, resolve or dismiss an escalation by hand")
    act.add_argument("escalation", type=_escalation_id)
    act.add_argument("action", choices=["acknowledge", "respond", "resolve", "dismiss"])
    # under sudo $USER is root: $SUDO_USER is the person who acted
    by = os.environ.get("SUDO_USER") or os.environ.get("USER") or "cli"
    act.add_argument("--by", default=by, help="who did it (default: $SUDO_USER, else $USER)")
    act.add_argument(
        "--reason",
        default="",
        help="why (recorded in the event log); for dismiss a code as Slack's menu offers it (praise, question, "
        "joke, spam, not_ours, duplicate), optionally with a note ('spam: a bot', 'Duplicate of #12'), or free text "
        "(kept as other)",
    )

    verdicts = sub.add_parser("verdicts", help="the team's verdicts on escalated posts, as training data")
    verdicts_sub = _Commands(verdicts.add_subparsers(dest="verdicts_command", metavar="ACTION", required=True), after)
    export = verdicts_sub.add_parser(
        "export",
        help="write them as a shop-message file (1 answered or resolved, 0 dismissed as praise, question, joke or "
        "not_ours) for scripts/train_complaint.py --extra",
    )
    export.add_argument(
        "--since",
        help="only escalations of posts from this moment on: a duration ago (e.g. 90d) or a date or date and time "
        "(2026-11-01, 2026-11-01T09:30; sla.timezone unless it gives an offset)",
    )
    export.add_argument(
        "--until",
        help="only escalations of posts before this moment (exclusive), written as for --since (e.g. 30d, 2026-12-01)",
    )
    export.add_argument("--out", type=Path, help="write to this file, mode 0600 (default: stdout)")
    export.add_argument("--round", type=_round_name, default="team", help="the file's round column (default: team)")

    model = sub.add_parser("model", help="manage transformers models")
    model_sub = _Commands(model.add_subparsers(dest="model_command", metavar="ACTION", required=True), after)
    download = model_sub.add_parser("download", help="fetch a model into the local cache for offline servers")
    download.add_argument("model_id")
    download.add_argument("--cache-dir", help="cache folder (default: the Hugging Face cache)")
    return parser


def _global_options(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument("--config", default=default, help="config file (default: $REPLYCLOCK_CONFIG or ./config.yaml)")
    parser.add_argument(
        "--log-level", default=default, choices=["DEBUG", "INFO", "WARNING", "ERROR"], help="overrides logging.level"
    )
    parser.add_argument("--log-format", default=default, choices=["text", "json"], help="overrides logging.format")


class _Commands:
    """Subcommands that also take the global options (given there, they win over the ones before)."""

    def __init__(self, subparsers: Any, common: argparse.ArgumentParser) -> None:
        self.subparsers = subparsers
        self.common = common

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        return self.subparsers.add_parser(name, parents=[self.common], **kwargs)


def _up_to(limit: float) -> Callable[[str], float]:
    """An argparse type: a number above 0 and at most `limit` (a clock cannot run at nan, 0 or 1e300)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not 0 < value <= limit:  # also false for nan
            raise argparse.ArgumentTypeError(f"must be above 0 and at most {limit:g}, not {text}")
        return value

    return parse


def _escalation_id(text: str) -> int:
    """An escalation id as the databases store it (a positive 64-bit integer)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an escalation id: {text!r}") from None
    if not 0 < value < 2**63:
        raise argparse.ArgumentTypeError(f"no escalation can have the id {text}")
    return value


def _round_name(text: str) -> str:
    """A round of a shop-message file: one word that no reader takes for a comment."""
    from sentiment.data import is_column_word

    if not is_column_word(text):
        raise argparse.ArgumentTypeError(f"a round is one word, not starting with #: {text!r}")
    return text


# The commands that start the sources: what they would open is checked before anything else happens.
_STARTS_SOURCES = ("run", "check-config")


def _load(args: argparse.Namespace) -> config.Settings:
    """The settings, checked as far as the command needs; `args.complaint_classifier` keeps what the check
    loaded (the shop's classifier file, read once: `run` hands it to the analyzer)."""
    settings = config.load_settings(args.config)
    masker().add(settings.secrets())
    args.complaint_classifier = None
    if args.command in _STARTS_SOURCES:
        config.check_sources(settings)
        args.complaint_classifier = config.check_classifier_weights(settings)
    return settings


# The daemon's own output is its log (the journal takes both streams); every other command prints
# its result on stdout (JSON for scripts), so its log lines go to stderr.
_LOG_TO_STDOUT = ("run", "demo")


def _setup_logs(args: argparse.Namespace, settings: config.Settings) -> None:
    stream = sys.stdout if args.command in _LOG_TO_STDOUT else sys.stderr
    setup_logging(args.log_level or settings.logging.level, args.log_format or settings.logging.format, stream)


def _install_signal_handlers(stop: threading.Event) -> None:
    def handler(signum: int, _frame: Any) -> None:
        log.info("received %s: stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


MODEL_LOAD_GRACE = timedelta(minutes=10)  # how long systemd waits for READY=1 while a transformers model loads


@_on_store
def cmd_run(args: argparse.Namespace, settings: config.Settings) -> int:
    systemd = SystemdNotifier.from_env()
    stop = threading.Event()
    if not args.once:
        _install_signal_handlers(stop)
    if settings.sentiment.model != "embedded":
        systemd.extend_timeout(MODEL_LOAD_GRACE, f"loading the scorer {settings.sentiment.model}")
    app = App.build(settings, complaint_classifier=args.complaint_classifier)
    app.systemd = systemd
    try:
        if args.once:
            if not app.is_leader():
                log.warning("another replyclock is the leader on this store: nothing done")
                return 0
            app.one_shot = True
            app.run_once()
            app.guarded("observe", app.observe)
            return 0
        # asked before /metrics is up: a standby must not read as leader, nor a lone daemon flap 0 -> 1 as it starts
        if not app.is_leader():
            app.stand_by()
        if app.metrics is not None:
            try:
                host, port = app.metrics.serve(settings.metrics.listen)
            except OSError as exc:
                # complaints still need their clocks: go on without the endpoint
                log.error("metrics: cannot listen on %s (%s); running without /metrics", settings.metrics.listen, exc)
            else:
                log.info("metrics on http://%s:%d/metrics", host, port)
        log.info(
            "replyclock running: %d source(s), store %s, scorer %s",
            len(app.poller.sources),
            config.mask_url(settings.storage.url),
            app.analyzer.name,
        )
        systemd.ready(f"started: {len(app.poller.sources)} source(s), scorer {app.analyzer.name}")
        app.run_forever(stop)
        systemd.stopping("stopping")
        log.info("stopped")
        return 0
    finally:
        # before close(): a standby takes over once the lock is released, and writes its own snapshot
        app.guarded("mark stopped", app.mark_stopped)
        app.close()


def demo_settings(settings: config.Settings, db: Path, feed: Path | None) -> config.Settings:
    """The settings of a demo run: its own database, the sample feed, console only."""
    replay = settings.sources.replay.model_copy(update={"enabled": True, "path": feed or settings.sources.replay.path})
    sources = config.SourcesSettings(replay=replay)
    return settings.model_copy(
        update={
            "storage": config.StorageSettings(url=f"sqlite:///{db}"),
            "sources": sources,
            "notify": config.NotifySettings(console=True),
            "slack": config.SlackSettings(),
            "metrics": config.MetricsSettings(),
        }
    )


def cmd_demo(args: argparse.Namespace, settings: config.Settings) -> int:
    from monitor.replay import SAMPLE_FEED

    feed = args.feed or (settings.sources.replay.path if settings.sources.replay.path.exists() else SAMPLE_FEED)
    demo = demo_settings(settings, args.db, feed)
    try:  # the check `run` makes, before the demo database is recreated
        config.check_sources(demo)
    except config.ConfigError as exc:
        if args.feed is None:
            raise
        print(f"replyclock: --feed: {exc.problem}", file=sys.stderr)
        return 2
    for suffix in ("", "-wal", "-shm"):
        Path(f"{args.db}{suffix}").unlink(missing_ok=True)
    clock = ScaledClock(args.speed)
    app = App.build(demo, clock, speed=args.speed)
    app.status_file = None  # its accelerated clock must not pose as a daemon to `replyclock status` (same var/)
    replay = next(s for s in app.poller.sources.values() if isinstance(s, ReplaySource))
    started = clock.now()
    limit = timedelta(minutes=args.max_minutes)
    print(
        f"replyclock demo: {len(replay.items())} sample mentions, response time "
        f"{config.format_duration(demo.sla.response_time)}, clock x{args.speed:g} "
        f"(an hour in {60 / args.speed:.1f} min); database {args.db}",
        flush=True,
    )

    def finished() -> bool:
        if clock.now() - started > limit:
            return True
        if replay.remaining(app.store.cursor(replay.name)) > 0:
            return False
        # done once no clock is still counting down
        return escalation_summary(app.store.active_escalations(), (), app.engine.policy, clock.now()).open == 0

    stop = threading.Event()
    _install_signal_handlers(stop)
    try:
        app.run_forever(stop, until=finished)
        app.guarded("tick", app.tick)
        records = report_records(app.store.escalations(), app.engine.policy, clock.now())
        print("\nSLA log")
        print(render_table(records, tz=demo.sla.zone))
    finally:
        app.close()
    return 0


# set by deploy/install.sh's wrapper: the installed unit, whose LoadCredential= files check-config looks for
UNIT_ENV = "REPLYCLOCK_UNIT"


def _missing_unit_credentials() -> bool:
    """Say on stderr which credential file the service's unit loads is missing; True if one is.

    systemd opens them before replyclock runs and fails the start with 243/CREDENTIALS, where replyclock
    could not say which; a file the config does not read (a source turned off) counts as much.
    """
    from monitor.systemd import missing_credentials

    unit = os.environ.get(UNIT_ENV)
    if not unit:
        return False
    try:
        missing = missing_credentials(Path(unit))
    except OSError as exc:
        print(
            f"replyclock: cannot read the unit {unit} ({exc.strerror or exc}): its credentials are not checked",
            file=sys.stderr,
        )
        return False
    for ident, path in missing:
        _say_error(
            f"replyclock: {unit}: LoadCredential={ident}: {path} does not exist: systemd will not start replyclock "
            f"(status=243/CREDENTIALS); create it, empty while the config does not read it: "
            f"sudo install -m 0600 /dev/null {path}"
        )
    return bool(missing)


def cmd_check_config(args: argparse.Namespace, settings: config.Settings) -> int:
    import yaml

    if _missing_unit_credentials():
        return config.EXIT_CONFIG
    source = settings.source_file or config.config_path(args.config)
    print(f"# {source}: OK")
    print(yaml.safe_dump(config.effective_settings(settings), sort_keys=False, allow_unicode=True), end="")
    return 0


def cmd_score(args: argparse.Namespace, settings: config.Settings) -> int:
    from sentiment.factory import build_analyzer
    from sentiment.tools import score_stream

    analyzer = build_analyzer(settings.sentiment)
    score_stream(analyzer, sys.stdin, sys.stdout)
    return 0


def cmd_eval(args: argparse.Namespace, settings: config.Settings) -> int:
    from sentiment.factory import build_analyzer
    from sentiment.tools import evaluate_file, format_eval

    if not args.file.exists():
        print(f"replyclock: {args.file}: no such file", file=sys.stderr)
        return 2
    analyzer = build_analyzer(settings.sentiment)
    print(format_eval(evaluate_file(analyzer, args.file)))
    return 0


def _missing_sqlite_file(url: str) -> Path | None:
    """The SQLite file `url` names when there is none: a mistyped path must not become a new, empty store."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return None if Path(database).exists() else Path(database)


def _no_database(url: str) -> bool:
    """Say so on stderr when the configured SQLite file does not exist; True if it does not."""
    missing = _missing_sqlite_file(url)
    if missing is not None:
        print(f"replyclock: no database at {missing}: check storage.url (or start replyclock first)", file=sys.stderr)
    return missing is not None


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _moment(text: str | None, now: datetime, zone: tzinfo) -> datetime | None:
    """What a `--since` or `--until` names: `now` less a duration (`90d`), or a date or date and time (ISO 8601,
    in the shop's `zone` unless it gives an offset); None without the flag. ValueError for a malformed or empty
    one (`--since ""`, an unset shell variable, must not mean "everything")."""
    if text is None:
        return None
    if not _DATE.match(text.strip()):
        return now - config.parse_duration(text)
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"malformed date {text!r}: write it like 2026-11-01, 2026-11-01T09:30 or 2026-11-01T09:30+01:00"
        ) from None
    try:
        return (at if at.tzinfo is not None else at.replace(tzinfo=zone)).astimezone(UTC)
    except OverflowError:
        raise ValueError(f"date {text!r} is out of range") from None


def _escalations_since(
    args: argparse.Namespace, settings: config.Settings, until: str | None = None
) -> tuple[datetime, datetime | None, datetime | None, list[Escalation]] | int:
    """Now, the `--since` and `until` cut-offs and the escalations of posts from the one up to the other; an
    exit status when there is nothing to read (2: a bad `--since` or `--until`, 1: no database yet)."""
    from monitor.store import Store

    now = SystemClock().now()
    cut_offs: list[datetime | None] = []
    for flag, text in (("--since", args.since), ("--until", until)):
        try:
            cut_offs.append(_moment(text, now, settings.sla.zone))
        except ValueError as exc:
            print(f"replyclock: {flag}: {exc}", file=sys.stderr)
            return 2
    since, until_at = cut_offs
    if since is not None and until_at is not None and until_at <= since:
        print(f"replyclock: --until: {_utc(until_at)} is not after --since ({_utc(since)})", file=sys.stderr)
        return 2
    if _no_database(settings.storage.url):
        return 1
    store = Store(settings.storage.url)
    try:
        return now, since, until_at, store.escalations(since=since, until=until_at)
    finally:
        store.close()


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@_on_store
def cmd_report(args: argparse.Namespace, settings: config.Settings) -> int:
    read = _escalations_since(args, settings)
    if isinstance(read, int):
        return read
    now, _, _, escalations = read
    records = report_records(escalations, sla_policy(settings), now)
    print(render_json(records) if args.format == "json" else render_table(records, tz=settings.sla.zone))
    return 0


def cmd_status(args: argparse.Namespace, settings: config.Settings) -> int:
    from monitor.health import (
        STALE_AFTER,
        STATUS_FILE,
        idle_between_one_shot_runs,
        pid_alive,
        read_snapshot,
        render_status,
    )

    now = SystemClock().now()
    path = state_dir(settings.storage.url) / STATUS_FILE
    snapshot = read_snapshot(path)
    summary: EscalationSummary | None = None
    url = settings.storage.url
    if ":memory:" not in url and _missing_sqlite_file(url) is None:  # never create an empty database to look at it
        from monitor.store import Store

        try:
            store = Store(url, create_schema=False)
            try:
                schema = store.schema_state()
                if schema.up_to_date:
                    summary = store_summary(store, sla_policy(settings), now, tz=settings.sla.zone)
                else:  # its escalations cannot be read with this code's columns
                    if schema.empty:
                        what = "has no schema yet"
                    elif schema.current:
                        what = f"is at revision {schema.current}"
                    else:
                        what = "has an unversioned schema"
                    print(
                        f"replyclock: the store {config.mask_url(url)} {what} (this replyclock: revision "
                        f"{schema.head}): {UPGRADE_HINT if schema.known else 'upgrade replyclock'}; "
                        "its escalations are not shown",
                        file=sys.stderr,
                    )
            finally:
                store.close()
        except Exception as exc:
            from monitor.store import unreachable_reason

            # why, as `report` says it: "OperationalError" alone sent the operator looking
            reason = masker().mask(unreachable_reason(exc) or type(exc).__name__)
            print(f"replyclock: cannot read the store {config.mask_url(url)}: {reason}", file=sys.stderr)
    # --json exits as the summary does (docs/deploy.md): a script must see a stale snapshot too
    alive = pid_alive(snapshot.pid, snapshot.pid_ns) if snapshot is not None else None
    health = settings.health
    one_shot_window = health.one_shot_stale_after or health.silent_after
    text, healthy = render_status(
        snapshot,
        summary,
        now,
        silent_after=health.silent_after,
        snapshot_path=path,
        alive=alive,
        one_shot_stale_after=one_shot_window,
    )
    if args.json:
        data = snapshot.to_json() if snapshot is not None else {}
        if snapshot is not None:
            # false once it stopped cleanly, its pid is gone, or its snapshot is stale; a standby runs too
            gone = snapshot.stopped_at is not None or alive is False  # is_gone(), with the pid asked once
            data["running"] = not gone and now - snapshot.at <= STALE_AFTER
            # a `run --once` from cron that finished cleanly, recently enough: between runs, not down
            data["idle"] = idle_between_one_shot_runs(snapshot, now, one_shot_window)
        if summary is not None:
            data["escalations"] = Snapshot(now, now, summary).to_json()["escalations"]
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(text)
    return 0 if healthy else 1


@_on_store
def cmd_act(args: argparse.Namespace, settings: config.Settings) -> int:
    from monitor.store import Store

    if _no_database(settings.storage.url):
        return 1
    store = Store(settings.storage.url)
    try:
        engine = EscalationEngine(
            store, sla_policy(settings), SystemClock(), [n.name for n in build_notifiers(settings)]
        )
        acted = engine.apply(args.escalation, args.action, args.by, args.reason)
    except ActionRefused as exc:
        print(f"replyclock: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    if not acted.changed:
        # still exit 0 (the attempt is in the event log), but nobody should think the complaint is now theirs
        why = unchanged_reason(acted.escalation, args.action)
        print(f"replyclock: nothing changed: {why} (the attempt is kept in its event log)", file=sys.stderr)
    print(json.dumps({"id": acted.escalation.id, "action": args.action, "by": args.by}))
    return 0


@_on_store
def cmd_db(args: argparse.Namespace, settings: config.Settings) -> int:
    from monitor import migrations
    from monitor.store import Store, copy_store

    url = settings.storage.url
    if args.db_command == "upgrade" and args.sql:
        migrations.sql_script(url, response_time=settings.sla.response_time)
        return 0
    if args.db_command == "status" and _missing_sqlite_file(url) is not None:
        print(
            f"store {config.mask_url(url)}: revision empty (no file yet), code head {migrations.head()}: "
            f"no schema yet: created on first start, or {migrations.UPGRADE_HINT}"
        )
        return EXIT_SCHEMA
    if args.db_command == "copy":
        try:  # the target gets the checks storage.url gets (and its password the masking)
            masker().add(config.settings_from_mapping({"storage": {"url": args.to}}).secrets())
        except config.ConfigError as exc:
            print(f"replyclock: --to: {exc.problem}", file=sys.stderr)
            return 2
        if _no_database(url):
            return 1
    store = Store(url, create_schema=args.db_command == "copy")
    try:
        if args.db_command == "status":
            state = store.schema_state()
            at = state.current or ("empty" if state.empty else "unversioned")
            if state.up_to_date:
                verdict = "up to date"
            elif state.empty:
                verdict = "no schema yet: created on first start, or " + migrations.UPGRADE_HINT
            elif state.outdated:
                verdict = migrations.UPGRADE_HINT
            else:
                verdict = "newer than this replyclock: upgrade replyclock"
            print(f"store {config.mask_url(url)}: revision {at}, code head {state.head}: {verdict}")
            return 0 if state.up_to_date else EXIT_SCHEMA
        if args.db_command == "upgrade":
            before, after = store.upgrade_schema(response_time=settings.sla.response_time)
            if before == after:
                print(f"store {config.mask_url(url)}: already at revision {after}")
            else:
                print(f"store {config.mask_url(url)}: upgraded from {before or 'nothing'} to revision {after}")
            return 0
        # the source was reached as it was opened: what cannot be reached now is the target
        with _reaching(args.to):
            target = Store(args.to, create_schema=False)
            try:
                counts = copy_store(store, target, force=args.force)
            finally:
                target.close()
        total = sum(counts.values())
        detail = ", ".join(f"{table} {n}" for table, n in counts.items())
        print(f"copied {total} rows to {config.mask_url(args.to)}: {detail}")
        return 0
    except ValueError as exc:
        print(f"replyclock: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()


@_on_store
def cmd_verdicts(args: argparse.Namespace, settings: config.Settings) -> int:
    from alerts.verdicts import export_comments, summary, team_verdicts
    from monitor.files import write_private
    from sentiment.complaint import is_calm_praise
    from sentiment.data import ShopMessage, format_shop_messages

    read = _escalations_since(args, settings, until=args.until)
    if isinstance(read, int):
        return read
    now, since, until, escalations = read
    found = team_verdicts(escalations, reads_as_praise=is_calm_praise)
    messages = [ShopMessage(args.round, v.complaint, v.lang, v.text) for v in found.verdicts]
    text = format_shop_messages(messages, export_comments(now, since, until))
    if args.out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        try:  # customer texts: mode 0600, and never half a file where a previous export was
            write_private(args.out, text)
        except OSError as exc:
            print(f"replyclock: --out: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
            return 1
    where = "stdout" if args.out is None else args.out
    print(f"replyclock: {summary(found)}\nwritten to {where} (round {args.round})", file=sys.stderr)
    return 0


def cmd_model(args: argparse.Namespace, settings: config.Settings) -> int:
    from sentiment.tools import download_model

    path = download_model(args.model_id, args.cache_dir)
    print(f"{args.model_id}: cached in {path}")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, config.Settings], int]] = {
    "run": cmd_run,
    "demo": cmd_demo,
    "check-config": cmd_check_config,
    "score": cmd_score,
    "eval": cmd_eval,
    "report": cmd_report,
    "status": cmd_status,
    "act": cmd_act,
    "db": cmd_db,
    "verdicts": cmd_verdicts,
    "model": cmd_model,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `replyclock` command."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        settings = _load(args)
    except config.ConfigError as exc:
        _say_error(f"replyclock: config error: {exc}")
        return config.EXIT_CONFIG
    # one-shot tools print their results on stdout; only problems should interrupt them
    quiet = {
        "demo": "ERROR",
        "score": "WARNING",
        "eval": "WARNING",
        "report": "WARNING",
        "act": "WARNING",
        "status": "WARNING",
        "db": "WARNING",
        "verdicts": "WARNING",
    }
    _setup_logs(args, settings)
    if args.command in quiet and not args.log_level:
        logging.getLogger().setLevel(quiet[args.command])
    if args.command in _STARTS_SOURCES:
        for warning in config.startup_warnings(settings):
            log.warning("%s", warning)
    started = time.monotonic()
    try:
        return COMMANDS[args.command](args, settings)
    except config.ConfigError as exc:  # one found only once the command knows what it opens (the demo's feed)
        _say_error(f"replyclock: config error: {exc}")
        return config.EXIT_CONFIG
    except SchemaError as exc:
        _say_error(f"replyclock: {exc}")
        return EXIT_SCHEMA
    except DatabaseUnreachable as exc:
        reason = masker().mask(exc.reason)
        _say_error(f"replyclock: cannot reach the database {config.mask_url(exc.url)}: {reason}")
        return EXIT_UNAVAILABLE
    except ModelLoadError as exc:
        # retrying cannot help: the model is missing or unusable until someone changes the config
        where = "" if args.command == "model" else f"{exc.key}: "
        _say_error(f"replyclock: {where}{exc}")
        return config.EXIT_CONFIG
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `replyclock report | head`: the reader has what it wanted. Not a traceback (and a second one as
        # Python flushes stdout on exit): end as a program stopped by SIGPIPE does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    finally:
        log.debug("%s took %.2f s", args.command, time.monotonic() - started)


if __name__ == "__main__":
    sys.exit(main())
