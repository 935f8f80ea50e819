"""Small frozen value objects that the stages exchange (never SDK objects or ORM rows)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from enum import StrEnum

LABELS = ("negative", "neutral", "positive")


class Platform(StrEnum):
    """Where a mention was posted."""

    X = "x"
    FACEBOOK = "facebook"


class Outcome(StrEnum):
    """How an escalation ended (or that it has not)."""

    OPEN = "open"
    RESPONDED = "responded"
    BREACHED = "breached"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


class EventKind(StrEnum):
    """Entries of an escalation's append-only event log."""

    OPENED = "opened"
    ALERTED = "alerted"
    REMINDED = "reminded"
    ACKNOWLEDGED = "acknowledged"
    RESPONDED = "responded"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"
    BREACHED = "breached"
    # the breach told was none: the answer, found after it, had been written before the deadline
    BREACH_WITHDRAWN = "breach_withdrawn"


class Severity(StrEnum):
    """How urgent a complaint is."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


def _require_aware(name: str, value: datetime | None) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")


# Characters no store can keep. Half of a UTF-16 surrogate pair is what JSON's "\ud83d" without
# its partner decodes to (a platform that cut a text inside an emoji): Python keeps it in a str, but
# nothing can encode it, so the database driver, the scorers and Slack would each fail on it. NUL is
# refused by PostgreSQL's text columns. Either would fail the insert of the whole batch on every
# poll, so the source could not advance.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def clean_text(value: str) -> str:
    """`value` with lone surrogates and NUL characters replaced by U+FFFD (the replacement character)."""
    return _UNSTORABLE.sub("\ufffd", value)


def _clean_strings(obj: Mention | Reply) -> None:
    for f in fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, str) and _UNSTORABLE.search(value):
            object.__setattr__(obj, f.name, clean_text(value))


@dataclass(frozen=True, slots=True)
class Mention:
    """A customer's post or comment (or the brand's own post) as a source saw it."""

    platform: str
    external_id: str
    author: str
    text: str
    created_at: datetime
    author_id: str = ""
    lang: str | None = None
    url: str | None = None
    in_reply_to: str | None = None
    conversation_id: str | None = None
    from_brand: bool = False

    def __post_init__(self) -> None:
        _require_aware("created_at", self.created_at)
        _clean_strings(self)

    @property
    def key(self) -> tuple[str, str]:
        """The identity of a mention: platform and the platform's id."""
        return (self.platform, self.external_id)


@dataclass(frozen=True, slots=True)
class Reply:
    """The team's answer on the platform to a customer's mention."""

    platform: str
    external_id: str
    in_reply_to: str
    created_at: datetime
    author: str = ""
    text: str = ""
    url: str | None = None

    def __post_init__(self) -> None:
        _require_aware("created_at", self.created_at)
        _clean_strings(self)


@dataclass(frozen=True, slots=True)
class Batch:
    """What one `Source.fetch` returns: new mentions, brand replies and the cursor to store."""

    mentions: tuple[Mention, ...] = ()
    replies: tuple[Reply, ...] = ()
    next_cursor: str | None = None


@dataclass(frozen=True, slots=True)
class Sentiment:
    """A scorer's polarity verdict: the label and a probability per label."""

    label: str
    scores: Mapping[str, float]

    @classmethod
    def from_scores(cls, scores: Mapping[str, float]) -> Sentiment:
        """Build from probabilities, taking the most likely label."""
        full = {label: float(scores.get(label, 0.0)) for label in LABELS}
        return cls(label=max(LABELS, key=lambda lab: full[lab]), scores=full)


@dataclass(frozen=True, slots=True)
class Score:
    """Sentiment plus complaint intent for one text, with the reasons that decided it."""

    label: str
    scores: Mapping[str, float]
    lang: str
    complaint: bool
    severity: str | None = None
    reasons: tuple[str, ...] = ()
    model: str = ""

    def as_json(self) -> dict[str, object]:
        """The JSON shape printed by `replyclock score`."""
        return {
            "label": self.label,
            "scores": {k: round(float(self.scores.get(k, 0.0)), 4) for k in LABELS},
            "lang": self.lang,
            "complaint": self.complaint,
            "severity": self.severity,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    """How long the team has to answer and when to remind (time left before the deadline)."""

    response_time: timedelta = timedelta(minutes=60)
    reminders: tuple[timedelta, ...] = (timedelta(minutes=30), timedelta(minutes=10))
    at_risk_below: timedelta | None = None

    def __post_init__(self) -> None:
        if self.response_time <= timedelta(0):
            raise ValueError("response_time must be positive")
        for point in self.reminders:
            if not timedelta(0) < point < self.response_time:
                raise ValueError(f"reminder {point} must lie between 0 and the response time")

    def risk_threshold(self, time_allowed: timedelta) -> timedelta:
        """Time left below which an open escalation that was given `time_allowed` is shown as at risk."""
        if self.at_risk_below is not None:
            return self.at_risk_below
        return max(self.reminders) if self.reminders else time_allowed / 2


@dataclass(frozen=True, slots=True)
class Escalation:
    """A complaint under the response clock, with the timestamps the clock is computed from.

    `clock_started_at` and `deadline` are decided once, when the escalation opens, under the
    policy then in force: a later policy change never moves them.
    """

    id: int
    mention_id: int
    platform: str
    external_id: str
    author: str
    text: str
    lang: str
    created_at: datetime
    opened_at: datetime
    clock_started_at: datetime
    deadline: datetime
    severity: str | None = None
    reasons: tuple[str, ...] = ()
    url: str | None = None
    alerted_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    first_response_at: datetime | None = None
    responded_by: str | None = None
    response_via: str | None = None
    breached_at: datetime | None = None
    # when an answer written before the deadline was found after the breach was recorded (and told)
    breach_withdrawn_at: datetime | None = None
    resolved_at: datetime | None = None
    dismissed_at: datetime | None = None
    closed_by: str | None = None
    dismiss_reason: str | None = None
    reminded: frozenset[timedelta] = field(default_factory=frozenset)
    source: str = ""  # the source that brought the post (e.g. `x:mentions`)
    author_id: str = ""  # the platform's stable id of the author ("" when it gave none)

    def __post_init__(self) -> None:
        for name in (
            "created_at",
            "opened_at",
            "clock_started_at",
            "deadline",
            "alerted_at",
            "first_response_at",
            "breached_at",
            "breach_withdrawn_at",
        ):
            _require_aware(name, getattr(self, name))

    @property
    def time_allowed(self) -> timedelta:
        """The response time the policy gave this escalation when it opened."""
        return self.deadline - self.clock_started_at

    @property
    def late_when_seen(self) -> bool:
        """Whether its deadline had already passed when replyclock first saw the post (and opened it)."""
        return self.opened_at >= self.deadline

    @property
    def response_time(self) -> timedelta | None:
        """How long the team took to answer, from the clock's start (None while unanswered).

        Never negative: an answer the platform dates before the post (its clocks disagree) was at once.
        """
        if self.first_response_at is None:
            return None
        return max(self.first_response_at - self.clock_started_at, timedelta(0))

    @property
    def closed_at(self) -> datetime | None:
        """When the escalation stopped needing attention (answered, resolved or dismissed)."""
        candidates = [t for t in (self.first_response_at, self.resolved_at, self.dismissed_at) if t]
        return min(candidates) if candidates else None


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of an escalation's event log."""

    escalation_id: int
    kind: str
    at: datetime
    actor: str = "replyclock"
    detail: str = ""


@dataclass(frozen=True, slots=True)
class OutboxIntent:
    """A notification to queue for one notifier in the same transaction as the event that causes it."""

    notifier: str
    key: str
    kind: str
    payload: Mapping[str, object] = field(default_factory=dict)
    queued_at: datetime | None = None  # default: the time of the event that queues it


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to append to an escalation's log once per key, with the notifications it queues."""

    escalation_id: int
    kind: str
    at: datetime
    actor: str = "replyclock"
    detail: str = ""
    key: str | None = None  # default: the kind (happens once)
    outbox: tuple[OutboxIntent, ...] = ()
