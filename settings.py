"""Configuration: read once, at the edge, into typed frozen settings.

Durations are written `60m`, `45s`, `1h30m`, `14d`. Secrets are never written
into the file: `${NAME}` reads an environment variable and `file:/path` reads a
file (e.g. `file:${CREDENTIALS_DIRECTORY}/slack_bot_token` under systemd).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from datetime import timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from monitor.replay import SAMPLE_FEED
from sentiment.settings import CLASSIFIER_WEIGHTS_KEY, SentimentSettings

if TYPE_CHECKING:
    from sentiment.complaint_model import ComplaintClassifier

EXIT_CONFIG = 78  # EX_CONFIG: systemd's RestartPreventExitStatus keeps a bad config from restart-looping
CONFIG_ENV = "REPLYCLOCK_CONFIG"
DEFAULT_CONFIG = Path("config.yaml")

MAX_DURATION = timedelta(days=36500)
_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_DB_URL = re.compile(r"^(?:sqlite(?:\+pysqlite)?://(?:/.*)?|postgresql(?:\+psycopg)?://.*)$", re.S)
# SQLAlchemy's reading of a PostgreSQL URL's user, password, host and port
_PG_HOST_PORT = re.compile(r"^postgresql(?:\+psycopg)?://(?:[^:/]*(?::[^@]*)?@)?(\[[^/?]+\]|[^/:?]*)(?::([^/?]*))?")
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class ConfigError(Exception):
    """A setting is wrong; the message names the key and what is wrong with it."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}" if key else problem)
        self.key = key
        self.problem = problem


def parse_duration(value: object) -> timedelta:
    """Parse `1h30m`, `45s`, `14d` (or a timedelta) into a positive timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f"expected a duration such as 60m, 45s or 1h30m, got {value!r}")
    match = _DURATION.match(value.strip())
    if not value.strip() or match is None:
        raise ValueError(f"malformed duration {value!r}: write it like 60m, 45s, 1h30m or 14d")
    days, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    # Longer ones overflow timedelta, or a deadline or `report --since` date computed from them.
    too_long = f"duration {value!r} is too long (at most {format_duration(MAX_DURATION)})"
    try:
        result = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError:
        raise ValueError(too_long) from None
    if result > MAX_DURATION:
        raise ValueError(too_long)
    if result <= timedelta(0):
        raise ValueError(f"duration {value!r} must be greater than zero")
    return result


def format_duration(value: timedelta) -> str:
    """Write a timedelta back in the config's own notation."""
    total = int(value.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if total >= size:
            parts.append(f"{total // size}{unit}")
            total %= size
    return "".join(parts) or "0s"


def _expand_env(text: str) -> str:
    def repl(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise ValueError(f"environment variable {name} is not set")
        return os.environ[name]

    return _ENV_REF.sub(repl, text)


def resolve_secret(value: object) -> SecretStr:
    """Resolve `${NAME}` or `file:/path` into a secret; refuse a literal secret in the file."""
    if isinstance(value, SecretStr):
        return value
    if not isinstance(value, str):
        raise ValueError("expected a reference such as ${ENV_VAR} or file:/path")
    text = value.strip()
    if text.startswith("file:"):
        path = Path(_expand_env(text[len("file:") :]))
        try:
            secret = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ValueError(f"cannot read secret file {path}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise ValueError(f"secret file {path} is not UTF-8 text: write the token only") from None
        if not secret:
            raise ValueError(f"secret file {path} is empty")
        return SecretStr(secret)
    if _ENV_REF.fullmatch(text):
        secret = _expand_env(text).strip()
        if not secret:
            raise ValueError(f"environment variable {text[2:-1]} is empty")
        return SecretStr(secret)
    raise ValueError("secrets are never written into the config: use ${ENV_VAR} or file:/path")


Duration = Annotated[timedelta, BeforeValidator(parse_duration), PlainSerializer(format_duration)]
Secret = Annotated[SecretStr, BeforeValidator(resolve_secret)]


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class StorageSettings(_Section):
    """Where the store lives."""

    url: str = Field("sqlite:///./var/replyclock.db", description="SQLAlchemy URL; ${VAR} expands", repr=False)

    @field_validator("url", mode="before")
    @classmethod
    def _expand(cls, value: object) -> object:
        return _expand_env(value) if isinstance(value, str) else value

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        # SQLAlchemy would refuse the others only at start-up: sqlite://file.db (two slashes), or a
        # driver that is not installed (postgresql+psycopg2://)
        if not _DB_URL.match(value):
            raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
        parts = _PG_HOST_PORT.match(value)
        if parts is not None:  # the value is never echoed: it may hold the password
            host, port = parts.groups()
            if "@" in host:
                raise ValueError("the user name or password holds an @: write it as %40")
            if port and not port.isdigit():
                raise ValueError("the port must be a number")
        return value


class SlaSettings(_Section):
    """The response clock."""

    response_time: Duration = timedelta(minutes=60)
    reminders: tuple[Duration, ...] = (timedelta(minutes=30), timedelta(minutes=10))
    at_risk_below: Duration | None = None
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone name (e.g. Europe/Warsaw, UTC)") from None
        return value

    @property
    def zone(self) -> tzinfo:
        """`timezone` as a tzinfo: the shop's day for "breaches today" and the report table's times."""
        return ZoneInfo(self.timezone)

    @model_validator(mode="after")
    def _reminders_inside(self) -> SlaSettings:
        for point in self.reminders:
            if point >= self.response_time:
                raise ValueError(
                    f"reminders: {format_duration(point)} left is not inside the response time "
                    f"({format_duration(self.response_time)})"
                )
        return self


def _feed_path(value: object) -> object:
    """`null` (or no `path` at all) is the bundled sample feed."""
    return SAMPLE_FEED if value is None else value


class ReplaySettings(_Section):
    """A JSON-lines feed of sample mentions, for demos and tests."""

    enabled: bool = True
    # Unwritten: the installation's own sample feed, an absolute path. A relative default would resolve
    # against the config file's folder like a path the user wrote (/etc/replyclock/monitor/samples/...).
    path: Annotated[Path, BeforeValidator(_feed_path)] = SAMPLE_FEED
    poll_every: Duration = timedelta(seconds=5)


class XSettings(_Section):
    """X (Twitter) API v2 through tweepy."""

    enabled: bool = False
    bearer_token: Secret | None = None
    user_id: str | None = None
    username: str | None = None
    queries: tuple[str, ...] = ()
    poll_every: Duration = timedelta(minutes=2)
    api_base_url: str = "https://api.twitter.com"
    monthly_read_cap: int | None = Field(None, gt=0)
    timeout: Duration = timedelta(seconds=15)

    @model_validator(mode="after")
    def _complete_when_enabled(self) -> XSettings:
        if self.enabled:
            if self.bearer_token is None:
                raise ValueError("bearer_token: required when sources.x.enabled is true")
            if not (self.user_id or self.username):
                raise ValueError("user_id: set user_id or username when sources.x.enabled is true")
        return self


class FacebookSettings(_Section):
    """Facebook Page comments through facebook-sdk (Graph API)."""

    enabled: bool = False
    page_id: str | None = None
    page_token: Secret | None = None
    api_version: str = "v21.0"
    poll_every: Duration = timedelta(minutes=2)
    lookback: Duration = timedelta(days=14)
    graph_url: str = "https://graph.facebook.com"
    timeout: Duration = timedelta(seconds=15)

    @field_validator("api_version")
    @classmethod
    def _version(cls, value: str) -> str:
        if not re.fullmatch(r"v\d+\.\d+", value):
            raise ValueError(f"expected a Graph API version such as v21.0, got {value!r}")
        return value

    @model_validator(mode="after")
    def _complete_when_enabled(self) -> FacebookSettings:
        if self.enabled:
            if self.page_token is None:
                raise ValueError("page_token: required when sources.facebook.enabled is true")
            if not self.page_id:
                raise ValueError("page_id: required when sources.facebook.enabled is true")
        return self


class SourcesSettings(_Section):
    """Every source has its own `enabled` and `poll_every`."""

    replay: ReplaySettings = ReplaySettings()
    x: XSettings = XSettings()
    facebook: FacebookSettings = FacebookSettings()


class NotifySettings(_Section):
    """Notifiers other than Slack."""

    console: bool = True


class SlackSettings(_Section):
    """Slack alerts with the live countdown, and the buttons that come back through Socket Mode."""

    enabled: bool = False
    bot_token: Secret | None = None
    app_token: Secret | None = None
    alerts_channel: str | None = None
    managers_channel: str | None = None
    mention_on_reminder: str | None = None
    allowed_users: tuple[str, ...] = ()
    allowed_usergroup: str | None = None
    base_url: str = "https://slack.com/api/"
    templates: Path | None = None

    @model_validator(mode="after")
    def _complete_when_enabled(self) -> SlackSettings:
        if self.enabled:
            if self.bot_token is None:
                raise ValueError("bot_token: required when slack.enabled is true")
            if not self.alerts_channel:
                raise ValueError("alerts_channel: required when slack.enabled is true")
            if self.templates is not None:
                from alerts.messages import load_reply_templates  # only when set: check-config stays fast

                try:
                    load_reply_templates(self.templates)
                except ValueError as exc:
                    raise ValueError(f"templates: {exc}") from None
        return self


class MetricsSettings(_Section):
    """The Prometheus endpoint."""

    enabled: bool = False
    listen: str = "127.0.0.1:9464"

    @field_validator("listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"expected host:port, got {value!r}")
        return value


class HealthSettings(_Section):
    """When a silent or failing source is reported to the managers."""

    silent_after: Duration = timedelta(hours=3)
    # `run --once` from cron or a timer: `replyclock status` reads as idle (exit 0) this long after a clean run
    one_shot_stale_after: Duration | None = None  # None: silent_after


class LoggingSettings(_Section):
    """Log lines go to stdout; journald adds the timestamps."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["text", "json"] = "text"


class Settings(_Section):
    """Every setting replyclock has; see config.yaml for the commented defaults."""

    storage: StorageSettings = StorageSettings()
    sla: SlaSettings = SlaSettings()
    sources: SourcesSettings = SourcesSettings()
    sentiment: SentimentSettings = SentimentSettings()
    notify: NotifySettings = NotifySettings()
    slack: SlackSettings = SlackSettings()
    metrics: MetricsSettings = MetricsSettings()
    health: HealthSettings = HealthSettings()
    logging: LoggingSettings = LoggingSettings()
    source_file: Path | None = Field(None, exclude=True)

    def secrets(self) -> list[str]:
        """Every secret value in these settings, for masking in logs."""
        found: list[str] = []
        for value in _walk(self):
            if isinstance(value, SecretStr):
                found.append(value.get_secret_value())
        password = _url_password(self.storage.url)
        if password:
            found.append(password)
        found += [m.group(2) for m in _QUERY_PASSWORD.finditer(self.storage.url)]
        return [s for s in found if s]


def _unexpanded_reference(model: BaseModel, path: tuple[str, ...] = ()) -> tuple[str, str] | None:
    """The first setting (key, variable) holding a `${NAME}` that nothing expands there."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        key = (*path, name)
        if isinstance(value, BaseModel):
            found = _unexpanded_reference(value, key)
            if found is not None:
                return found
        elif key != ("storage", "url") and not isinstance(value, SecretStr):  # those two expand
            match = _ENV_REF.search(repr(value))
            if match is not None:
                return ".".join(key), match.group(1)
    return None


def _walk(model: BaseModel) -> Iterator[object]:
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            yield from _walk(value)
        else:
            yield value


# libpq also takes the password as a query parameter (`?password=`)
_QUERY_PASSWORD = re.compile(r"([?&]password=)([^&#]*)")


def _url_password(url: str) -> str | None:
    match = re.match(r"^[^:]+://[^:/@]*:([^@]*)@", url)
    return match.group(1) if match else None


def mask_url(url: str) -> str:
    """Hide the password of a database URL."""
    password = _url_password(url)
    url = url.replace(f":{password}@", ":***@", 1) if password else url
    return _QUERY_PASSWORD.sub(r"\1***", url)


def _first_error(exc: ValidationError) -> ConfigError:
    err = exc.errors()[0]
    key = ".".join(str(part) for part in err["loc"])
    message = err["msg"]
    if err["type"] == "extra_forbidden":
        return ConfigError(key, "unknown key")
    if err["type"] == "missing":
        return ConfigError(key, "missing")
    if err["type"] in ("model_type", "dict_type"):
        # a section written with every key commented out parses as null
        if err.get("input") is None:
            return ConfigError(key, "is empty: give it keys or remove the section")
        return ConfigError(key, f"must be a section of keys, not {type(err.get('input')).__name__}")
    value = err.get("input")
    if err["type"] == "string_type" and isinstance(value, int | float) and not isinstance(value, bool):
        # YAML reads an unquoted id (a Facebook Page's, an X user's) as a number
        return ConfigError(key, f'must be text, not the number {value!r}: write it in quotes, e.g. "{value}"')
    if err["type"] in ("tuple_type", "list_type") and isinstance(value, str):
        example = yaml.safe_dump([value], default_flow_style=True, allow_unicode=True, width=1000).strip()
        return ConfigError(key, f"must be a list, not {value!r}: write it in brackets, e.g. {example}")
    message = re.sub(r"^(Value error|Assertion failed), ", "", message)
    # a validator on a section names the field itself as "field: problem"
    inner = re.match(r"^([a-z_]+): (.*)$", message, re.S)
    if inner and err["type"] == "value_error":
        key = f"{key}.{inner.group(1)}" if key else inner.group(1)
        message = inner.group(2)
    return ConfigError(key, message)


def settings_from_mapping(data: Mapping[str, Any], source_file: Path | None = None) -> Settings:
    """Validate an already-parsed config mapping; raises ConfigError naming the key."""
    try:
        settings = Settings.model_validate(dict(data))
    except ValidationError as exc:
        raise _first_error(exc) from None
    unexpanded = _unexpanded_reference(settings)
    if unexpanded is not None:
        key, name = unexpanded
        # it would be used as written: a Slack channel or Page id "${...}" that check-config called OK
        raise ConfigError(key, f"${{{name}}} is read only in secrets and storage.url: write the value itself here")
    silent_after = settings.health.silent_after
    for name in type(settings.sources).model_fields:
        source = getattr(settings.sources, name)
        # polled less often than that, a source would be reported silent, then recovered, on every poll
        if source.enabled and source.poll_every >= silent_after:
            raise ConfigError(
                "health.silent_after",
                f"{format_duration(silent_after)} must be longer than sources.{name}.poll_every "
                f"({format_duration(source.poll_every)})",
            )
    if source_file is None:
        return settings
    # the files a config names by a relative path are relative to the config file (an absolute one is kept)
    base = source_file.resolve().parent
    replay, complaint = settings.sources.replay, settings.sentiment.complaint
    weights = complaint.classifier_weights
    return settings.model_copy(
        update={
            "source_file": source_file,
            "sources": settings.sources.model_copy(
                update={"replay": replay.model_copy(update={"path": base / replay.path})}
            ),
            "sentiment": settings.sentiment.model_copy(
                update={"complaint": complaint.model_copy(update={"classifier_weights": weights and base / weights})}
            ),
        }
    )


def check_sources(settings: Settings) -> None:
    """Check what the enabled sources will open (the replay feed); raises ConfigError naming the key.

    `check-config` and `run` both call this before doing anything: a feed that cannot be read would
    otherwise start the daemon with a source that fails at every poll.
    """
    replay = settings.sources.replay
    if not replay.enabled:
        return
    path = replay.path
    key = "sources.replay.path"
    hint = "fix the path or set sources.replay.enabled: false"
    try:
        if path.is_dir():
            raise ConfigError(key, f"{path} is a folder, not a JSON-lines file: {hint}")
        with path.open("rb"):
            pass
    except FileNotFoundError:
        raise ConfigError(key, f"{path}: no such file: {hint}") from None
    except OSError as exc:
        raise ConfigError(key, f"{path} cannot be read ({exc.strerror}): let replyclock's user read it") from None


def startup_warnings(settings: Settings) -> list[str]:
    """Valid settings that are rarely meant, for `run` and `check-config` to log as warnings."""
    warnings: list[str] = []
    replay, slack = settings.sources.replay, settings.slack
    if replay.enabled and slack.enabled:
        # a production config that forgot `sources` gets replay by default: made-up complaints in the real channel
        feed = "the bundled sample feed" if replay.path == SAMPLE_FEED else f"the replay feed {replay.path}"
        warnings.append(
            f"sources.replay.enabled is true (the default when not written) while slack.enabled is true: "
            f"the complaints of {feed} are posted to Slack channel {slack.alerts_channel} as if customers wrote "
            "them; set sources.replay.enabled: false unless this is a trial"
        )
    return warnings


def check_classifier_weights(settings: Settings) -> ComplaintClassifier | None:
    """Load the shop's own complaint classifier, where one is configured and used; ConfigError naming the key.

    `check-config` and `run` call this, as they call `check_sources`: a file that is missing or no
    classifier is found before the daemon starts, not when the analyzer is built. `run` hands the
    classifier loaded here to the analyzer (None: the bundled one, or none used), so the file is read once.
    """
    complaint = settings.sentiment.complaint
    path = complaint.classifier_weights
    if path is None or not complaint.enabled or complaint.classifier_threshold is None:
        return None  # the bundled weights, or none loaded at all
    from sentiment.complaint_model import ComplaintClassifier  # only when set: check-config stays fast
    from sentiment.errors import ModelLoadError

    try:
        return ComplaintClassifier(path)
    except ModelLoadError as exc:
        raise ConfigError(CLASSIFIER_WEIGHTS_KEY, str(exc)) from None


def config_path(explicit: str | os.PathLike[str] | None) -> Path:
    """The config file to read: `--config`, else $REPLYCLOCK_CONFIG, else ./config.yaml."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    return DEFAULT_CONFIG


def _key_written_twice(node: yaml.Node | None, path: tuple[str, ...] = ()) -> tuple[str, int, int] | None:
    """The first key that a mapping holds twice, and its two lines (YAML silently keeps the last)."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                return ".".join((*path, key)), seen[key], line
            seen[key] = line
            found = _key_written_twice(value_node, (*path, key))
            if found is not None:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found = _key_written_twice(item, (*path, str(index)))
            if found is not None:
                return found
    return None


def load_settings(path: str | os.PathLike[str] | None = None) -> Settings:
    """Read and validate the config file; raises ConfigError naming the key and the problem."""
    file = config_path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("", f"config file {file} not found") from None
    except OSError as exc:
        raise ConfigError("", f"cannot read config file {file}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise ConfigError("", f"{file} is not UTF-8 text (line {line}): save it as UTF-8") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError("", f"{file} is not valid YAML{where}") from None
    twice = _key_written_twice(yaml.compose(text, Loader=yaml.SafeLoader))
    if twice is not None:
        key, first, second = twice
        raise ConfigError(key, f"written twice (lines {first} and {second}): keep one")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError("", f"{file} must hold a mapping of sections at the top level")
    return settings_from_mapping(data, source_file=file)


def effective_settings(settings: Settings) -> dict[str, Any]:
    """The settings as plain data with secrets masked, for `replyclock check-config`."""
    data = settings.model_dump(mode="json")
    data["storage"]["url"] = mask_url(settings.storage.url)
    return data
