"""Fakes over mocks: a scripted source, a recording notifier, a keyword analyzer and a broken scorer."""

from __future__ import annotations

import socket
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from alerts.notify import BoardItem, DeliveryError, Notification
from monitor.models import Batch, Mention, Reply, Score, Sentiment, SlaPolicy


class FakeSource:
    """A source whose batches and failures the test scripts; cursors count items handed out."""

    def __init__(self, name: str = "fake", platform: str = "x") -> None:
        self.name = name
        self.platform = platform
        self.items: list[Mention | Reply] = []
        self.errors: list[Exception] = []
        self.fetches: list[str | None] = []

    def add(self, *items: Mention | Reply) -> None:
        self.items.extend(items)

    def fail_next(self, error: Exception) -> None:
        """Raise `error` from the next fetch (a SourceError, or anything else for a source with a bug)."""
        self.errors.append(error)

    def fetch(self, cursor: str | None) -> Batch:
        self.fetches.append(cursor)
        if self.errors:
            raise self.errors.pop(0)
        start = int(cursor or 0)
        new = self.items[start:]
        return Batch(
            mentions=tuple(i for i in new if isinstance(i, Mention)),
            replies=tuple(i for i in new if isinstance(i, Reply)),
            next_cursor=str(len(self.items)),
        )


class RecordingNotifier:
    """Records every delivery and refresh; can be told to fail."""

    def __init__(self, name: str = "recorder") -> None:
        self.name = name
        self.delivered: list[Notification] = []
        self.digests: list[Any] = []  # the digests of complaints already late when first seen
        self.boards: list[tuple[datetime, list[BoardItem]]] = []
        self.fail_with: DeliveryError | None = None
        self.fail_digest_with: DeliveryError | None = None

    def deliver(self, note: Notification) -> Mapping[str, Any] | None:
        if self.fail_with is not None:
            raise self.fail_with
        self.delivered.append(note)
        return {"n": len(self.delivered)}

    def deliver_digest(self, digest: Any) -> Mapping[str, Any] | None:
        failure = self.fail_with or self.fail_digest_with
        if failure is not None:
            raise failure
        self.digests.append(digest)
        return {"n": len(self.digests)}

    def refresh(self, board: Sequence[BoardItem], now: datetime) -> None:
        self.boards.append((now, list(board)))

    def kinds(self, escalation_id: int | None = None) -> list[str]:
        return [n.kind for n in self.delivered if escalation_id in (None, n.escalation.id)]


COMPLAINT_WORDS = ("never arrived", "nie dotarło", "nie doszła", "nem érkezett", "не пришёл", "broken", "refund")


class KeywordAnalyzer:
    """A transparent test analyzer: a complaint when a listed phrase occurs."""

    name = "keywords"

    def __init__(self) -> None:
        self.calls = 0

    def analyze(self, texts: Sequence[str], lang_hints: Sequence[str | None]) -> list[Score]:
        self.calls += 1
        out = []
        for text, hint in zip(texts, lang_hints, strict=True):
            hit = [w for w in COMPLAINT_WORDS if w in text.lower()]
            label = "negative" if hit else "positive" if "love" in text.lower() else "neutral"
            scores = {"negative": 0.1, "neutral": 0.1, "positive": 0.1}
            scores[label] = 0.8
            out.append(
                Score(
                    label=label,
                    scores=scores,
                    lang=hint or "und",
                    complaint=bool(hit),
                    severity="medium" if hit else None,
                    reasons=tuple(f"intent: {w}" for w in hit),
                    model="keywords",
                )
            )
        return out


RESPONSE_TIME = SlaPolicy().response_time  # what store tests open escalations with: the default policy's


def complaint_score(severity: str = "medium") -> Score:
    """A plain Polish 'not delivered' complaint score, for store and engine tests."""
    return Score(
        label="negative",
        scores={"negative": 0.9, "neutral": 0.05, "positive": 0.05},
        lang="pl",
        complaint=True,
        severity=severity,
        reasons=("intent: not delivered",),
        model="t",
    )


class BrokenScorer:
    """A `Scorer` whose runtime broke (it raises at inference) until the test mends it."""

    def __init__(self, name: str, message: str = "inference failed") -> None:
        self.name = name
        self.broken = True
        self.message = message
        self.calls = 0

    def predict(self, texts: Sequence[str], langs: Sequence[str]) -> list[Sentiment]:
        self.calls += 1
        if self.broken:
            raise RuntimeError(self.message)
        return [Sentiment.from_scores({"negative": 0.9, "neutral": 0.05, "positive": 0.05}) for _ in texts]


class HeldElsewhereLock:
    """A leader lock another replyclock holds: this process stays a standby."""

    def __init__(self, describe: str = "PostgreSQL advisory lock") -> None:
        self._describe = describe

    def try_acquire(self) -> bool:
        return False

    def still_held(self) -> bool:
        return False

    def release(self) -> None:
        pass

    def describe(self) -> str:
        return self._describe


class UnreachableLock(HeldElsewhereLock):
    """A lock nobody can take: a lock file the daemon may not open, or a database that is down."""

    def __init__(self, error: Exception, describe: str = "PostgreSQL advisory lock") -> None:
        super().__init__(describe)
        self._error = error

    def try_acquire(self) -> bool:
        raise self._error


class ScriptedLeadership:
    """Leadership that answers as scripted (leader, standby for a while, leader again), then keeps its last
    answer; the lock is always reachable: another daemon leads when this one does not."""

    problem = None

    def __init__(self, *answers: bool) -> None:
        self.answers = list(answers)

    def check(self) -> bool:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]

    def release(self) -> None:
        pass


def complaint_post(clock: Any, eid: str, ago: timedelta = timedelta(0)) -> Mention:
    """An English X post the KeywordAnalyzer escalates ("never arrived"), written `ago` before now."""
    return Mention(
        platform="x",
        external_id=eid,
        author=f"@c{eid}",
        text=f"order {eid} never arrived",
        created_at=clock.now() - ago,
        lang="en",
    )


def free_port() -> int:
    """A local TCP port nothing listens on (the socket that found it is closed again)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# The fields `replyclock report --format json` gives every record, a contract other tools read: each one
# stays, meaning the same (fields may be added).
REPORT_FIELDS = {
    "id",
    "platform",
    "external_id",
    "author",
    "lang",
    "text",
    "created_at",
    "alerted_at",
    "first_response_at",
    "outcome",
    "response_minutes",
    "severity",
    "url",
    "deadline",
    "clock_started_at",
    "sla_minutes",
    "breached_at",
    "overdue_minutes",
    "acknowledged_by",
    "responded_by",
    "resolved_at",
    "dismissed_at",
    "dismiss_reason",
    "dismiss_note",
    "reasons",
    "late_when_seen",
}
