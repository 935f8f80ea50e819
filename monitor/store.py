"""The store: the one writer of mentions, cursors, scores, escalations, events and the outbox.

This is the only module that imports sqlmodel. Every write is idempotent by key
(platform + external id; escalation id + stage), so any stage can be re-run
after a crash and does the same thing once.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, Index, bindparam, event, func, literal, text, tuple_, union_all
from sqlalchemy import select as sa_select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import aliased
from sqlalchemy.types import DateTime, TypeDecorator
from sqlmodel import Field, Session, SQLModel, UniqueConstraint, col, create_engine, select

from monitor import migrations
from monitor.files import give_to_folder_owner
from monitor.models import Batch, Escalation, Event, EventKind, Mention, NewEvent, OutboxIntent, Platform, Reply, Score

log = logging.getLogger(__name__)

# A post dated this much after we first saw it means a clock is off (the platform's ahead, or ours
# behind): worth one warning per mention. Its SLA clock starts when we saw it, whatever the skew.
SKEW_WORTH_A_WARNING = timedelta(minutes=5)

_Item = TypeVar("_Item", Mention, Reply)
_T = TypeVar("_T")


class UTCDateTime(TypeDecorator[datetime]):
    """Stores timezone-aware datetimes as UTC and hands them back aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"refusing to store a naive datetime: {value!r}")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _ts(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


class MentionRow(SQLModel, table=True):
    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("platform", "external_id", name="uq_mentions_platform_external_id"),
        # the posts replying to one: a thread's follow-ups and a customer's chain, found from the escalation (0004)
        Index("ix_mentions_platform_in_reply_to", "platform", "in_reply_to"),
        # an author's earlier escalations, shown with each alert: by id, or by name where there is no id (0005)
        Index("ix_mentions_platform_author_id_author", "platform", "author_id", "author"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(index=True)
    external_id: str
    source: str = ""
    author: str = ""
    author_id: str = ""
    text: str = ""
    created_at: datetime = _ts(index=True)
    seen_at: datetime = _ts(index=True)  # the posts stored since the last tick: a late one can link a thread (0005)
    lang_hint: str | None = None
    url: str | None = None
    in_reply_to: str | None = None
    conversation_id: str | None = None
    from_brand: bool = False
    scored: bool = Field(default=False, index=True)


class ReplyRow(SQLModel, table=True):
    __tablename__ = "replies"
    __table_args__ = (UniqueConstraint("platform", "external_id", name="uq_replies_platform_external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str
    external_id: str
    in_reply_to: str = Field(index=True)
    created_at: datetime = _ts()
    seen_at: datetime = _ts(index=True)  # the replies stored since the last tick (revision 0004)
    author: str = ""
    text: str = ""
    url: str | None = None


class CursorRow(SQLModel, table=True):
    __tablename__ = "cursors"

    source: str = Field(primary_key=True)
    value: str | None = None
    updated_at: datetime = _ts()
    first_read_at: datetime | None = _ts(default=None)  # when this source was first read (revision 0003)


class ScoreRow(SQLModel, table=True):
    __tablename__ = "scores"

    mention_id: int = Field(primary_key=True, foreign_key="mentions.id")
    label: str
    negative: float
    neutral: float
    positive: float
    lang: str
    complaint: bool
    severity: str | None = None
    reasons: str = "[]"
    model: str = ""
    scored_at: datetime = _ts()


class EscalationRow(SQLModel, table=True):
    __tablename__ = "escalations"

    id: int | None = Field(default=None, primary_key=True)
    mention_id: int = Field(foreign_key="mentions.id", unique=True)
    created_at: datetime = _ts()
    opened_at: datetime = _ts(index=True)  # the escalations opened since the last tick (revision 0004)
    # decided when the escalation opens, under the policy then in force (revision 0002)
    clock_started_at: datetime = _ts()
    deadline: datetime = _ts(index=True)
    severity: str | None = None
    lang: str = "und"
    reasons: str = "[]"
    alerted_at: datetime | None = _ts(default=None)
    acknowledged_at: datetime | None = _ts(default=None)
    acknowledged_by: str | None = None
    first_response_at: datetime | None = _ts(default=None)
    responded_by: str | None = None
    response_via: str | None = None
    breached_at: datetime | None = _ts(default=None)
    resolved_at: datetime | None = _ts(default=None)
    dismissed_at: datetime | None = _ts(default=None)
    closed_by: str | None = None
    dismiss_reason: str | None = None
    is_active: bool = Field(default=True, index=True)


class EventRow(SQLModel, table=True):
    __tablename__ = "escalation_events"
    __table_args__ = (UniqueConstraint("escalation_id", "key", name="uq_events_escalation_key"),)

    id: int | None = Field(default=None, primary_key=True)
    escalation_id: int = Field(foreign_key="escalations.id", index=True)
    key: str
    kind: str
    at: datetime = _ts()
    actor: str = "replyclock"
    detail: str = ""


class OutboxRow(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("notifier", "key", name="uq_outbox_notifier_key"),
        # the few pending entries, each tick: on the notifier's index alone SQLite read its whole outbox (0004)
        Index("ix_outbox_due", "status", "notifier", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    notifier: str = Field(index=True)
    key: str
    # None: a notification about several escalations, listed in its payload (revision 0003)
    escalation_id: int | None = Field(default=None, foreign_key="escalations.id", index=True)
    kind: str
    payload: str = "{}"
    created_at: datetime = _ts()
    status: str = Field(default="pending", index=True)
    attempts: int = 0
    next_attempt_at: datetime = _ts()
    sent_at: datetime | None = _ts(default=None)
    result: str = "{}"
    last_error: str = ""


@dataclass(frozen=True, slots=True)
class StoredMention:
    """A mention with its row id."""

    id: int
    mention: Mention


@dataclass(frozen=True, slots=True)
class SavedBatch:
    """What `save_batch` actually added."""

    new_mentions: int
    new_replies: int


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One notification to deliver (or already delivered) through one notifier."""

    id: int
    notifier: str
    key: str
    escalation_id: int | None  # None: about several escalations, listed in the payload
    kind: str
    payload: Mapping[str, Any]
    status: str
    attempts: int
    created_at: datetime
    result: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class PendingResponse:
    """A brand reply that answers an escalation whose clock has not stopped yet."""

    escalation_id: int
    reply: Reply
    # the escalation's breach when the pair was read: only an escalation with one can have a breach to
    # withdraw, so the engine reads the escalation itself for those alone
    breached_at: datetime | None = None


# The column each lifecycle event sets (once, the first time it happens).
_EVENT_COLUMNS: dict[str, tuple[str, str | None]] = {
    EventKind.ALERTED: ("alerted_at", None),
    EventKind.ACKNOWLEDGED: ("acknowledged_at", "acknowledged_by"),
    EventKind.RESPONDED: ("first_response_at", "responded_by"),
    EventKind.BREACHED: ("breached_at", None),
    EventKind.RESOLVED: ("resolved_at", "closed_by"),
    EventKind.DISMISSED: ("dismissed_at", "closed_by"),
}
_CLOSING = {EventKind.RESPONDED, EventKind.RESOLVED, EventKind.DISMISSED}


def _enable_sqlite_wal(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


class StoreUnreachable(Exception):
    """The database cannot be opened: its SQLite file (or the folder for it) cannot be made."""


def unreachable_reason(exc: BaseException) -> str | None:
    """Why the database could not be reached, in one line, when `exc` says so; None for any other error."""
    if isinstance(exc, StoreUnreachable):
        return str(exc)
    if isinstance(exc, OperationalError):
        # the driver's own words (server refused, unknown host, login failed, file not openable), without
        # SQLAlchemy's statement and background link; libpq spreads them over several lines
        return " ".join(str(exc.orig if exc.orig is not None else exc).split())
    return None


def create_db_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get their folder created, mode 0600, and WAL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            path = Path(database)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                if not path.exists():
                    path.touch(mode=0o600)
                    give_to_folder_owner(path)
            except OSError as exc:
                raise StoreUnreachable(f"cannot create {path}: {exc.strerror or type(exc).__name__}") from exc
        engine = create_engine(url, connect_args={"check_same_thread": False})
        _enable_sqlite_wal(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


METADATA = SQLModel.metadata
TABLES = frozenset(METADATA.tables)


class Store:
    """All persistence behind small, idempotent methods that speak in value objects."""

    def __init__(self, url: str, *, create_schema: bool = True) -> None:
        """Open the store; an empty database gets the schema, an outdated one raises `SchemaError`.

        With `create_schema=False` the schema is neither created nor checked (`db upgrade`, `db copy`).
        """
        self.url = url
        self.engine = create_db_engine(url)
        if create_schema:
            try:
                self.ensure_schema()
            except BaseException:
                self.engine.dispose()
                raise

    def ensure_schema(self) -> None:
        """Create the schema in an empty database; refuse one whose schema is older or newer than the code."""
        with self.engine.connect() as conn:
            current = migrations.state(conn, set(TABLES))
        if current.up_to_date:
            return
        if current.empty:
            _, after = migrations.upgrade(self.engine, set(TABLES))
            log.info("created the store's schema (revision %s)", after)
            return
        if not current.known:
            raise migrations.SchemaError(
                f"the database schema is at revision {current.current}, newer than this replyclock "
                f"(head {current.head}): upgrade replyclock"
            )
        at = f"revision {current.current}" if current.current else "an unversioned schema"
        raise migrations.SchemaError(
            f"the database is at {at}, older than this replyclock (head {current.head}): {migrations.UPGRADE_HINT}"
        )

    def schema_state(self) -> migrations.SchemaState:
        """Where this database stands against the code's migrations."""
        with self.engine.connect() as conn:
            return migrations.state(conn, set(TABLES))

    def upgrade_schema(self, response_time: timedelta | None = None) -> tuple[str | None, str]:
        """Apply every pending migration; returns the revisions before and after.

        `response_time` (the configured `sla.response_time`) is what older escalations, stored
        before deadlines were, get as theirs; see `migrations.upgrade`.
        """
        return migrations.upgrade(self.engine, set(TABLES), response_time=response_time)

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def journal_mode(self) -> str | None:
        """SQLite's journal mode (None on other databases)."""
        if self.dialect != "sqlite":
            return None
        with self.engine.connect() as conn:
            return str(conn.execute(text("PRAGMA journal_mode")).scalar())

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    # --- ingestion ---------------------------------------------------------------------------

    def cursor(self, source: str) -> str | None:
        """The stored cursor of a source (None before its first batch)."""
        with self._session() as s:
            row = s.get(CursorRow, source)
            return row.value if row else None

    def first_reads(self) -> dict[str, datetime]:
        """When each source was first read (its first batch stored), by source name."""
        with self._session() as s:
            rows = s.exec(select(CursorRow.source, CursorRow.first_read_at)).all()
            return {source: at for source, at in rows if at is not None}

    def _again_on_conflict(self, work: Callable[[], _T]) -> _T:
        """Run a write once more when a concurrent writer inserted the same key first (the retry sees its row)."""
        try:
            return work()
        except IntegrityError:
            log.debug("a concurrent writer stored the same key first; retrying", exc_info=True)
            return work()

    def save_batch(self, source: str, batch: Batch, seen_at: datetime) -> SavedBatch:
        """Store a batch's mentions and replies and advance the source's cursor, atomically."""
        saved, new_mentions = self._again_on_conflict(lambda: self._save_batch(source, batch, seen_at))
        # after the commit, so a retried batch warns once
        for mention in new_mentions:
            ahead = mention.created_at - seen_at
            if ahead > SKEW_WORTH_A_WARNING:
                log.warning(
                    "%s %s is dated %s after replyclock first saw it: the platform's clock is ahead of ours "
                    "(or ours is behind); its response clock starts when it was seen",
                    mention.platform,
                    mention.external_id,
                    _minutes(ahead),
                )
        return saved

    def _save_batch(self, source: str, batch: Batch, seen_at: datetime) -> tuple[SavedBatch, list[Mention]]:
        with self._session() as s:
            new_mentions = self._insert_mentions(s, source, batch.mentions, seen_at)
            new_replies = len(self._insert_replies(s, batch.replies, seen_at))
            if batch.next_cursor is not None:
                row = s.get(CursorRow, source)
                if row is None:
                    s.add(CursorRow(source=source, value=batch.next_cursor, updated_at=seen_at, first_read_at=seen_at))
                else:
                    row.value = batch.next_cursor
                    row.updated_at = seen_at
                    row.first_read_at = row.first_read_at or seen_at
                    s.add(row)
        return SavedBatch(len(new_mentions), new_replies), new_mentions

    def _insert_mentions(
        self, s: Session, source: str, mentions: Sequence[Mention], seen_at: datetime
    ) -> list[Mention]:
        return self._insert_new(
            s,
            MentionRow,
            {m.key: m for m in mentions},
            lambda m: MentionRow(
                platform=m.platform,
                external_id=m.external_id,
                source=source,
                author=m.author,
                author_id=m.author_id,
                text=m.text,
                created_at=m.created_at,
                seen_at=seen_at,
                lang_hint=m.lang,
                url=m.url,
                in_reply_to=m.in_reply_to,
                conversation_id=m.conversation_id,
                from_brand=m.from_brand,
                scored=m.from_brand,  # the brand's own posts are never scored
            ),
        )

    def _insert_replies(self, s: Session, replies: Sequence[Reply], seen_at: datetime) -> list[Reply]:
        return self._insert_new(
            s,
            ReplyRow,
            {(r.platform, r.external_id): r for r in replies},
            lambda r: ReplyRow(
                platform=r.platform,
                external_id=r.external_id,
                in_reply_to=r.in_reply_to,
                created_at=r.created_at,
                seen_at=seen_at,
                author=r.author,
                text=r.text,
                url=r.url,
            ),
        )

    def _insert_new(
        self,
        s: Session,
        model: type[MentionRow] | type[ReplyRow],
        items: Mapping[tuple[str, str], _Item],
        make_row: Callable[[_Item], SQLModel],
    ) -> list[_Item]:
        """Add the rows for the items whose (platform, external id) is not stored yet; returns those items."""
        if not items:
            return []
        known = self._known_keys(s, model, items)
        fresh = [item for key, item in items.items() if key not in known]
        s.add_all([make_row(item) for item in fresh])
        return fresh

    @staticmethod
    def _known_keys(
        s: Session, model: type[MentionRow] | type[ReplyRow], keys: Iterable[tuple[str, str]]
    ) -> set[tuple[str, str]]:
        known: set[tuple[str, str]] = set()
        by_platform: dict[str, list[str]] = {}
        for platform, external_id in keys:
            by_platform.setdefault(platform, []).append(external_id)
        for platform, ids in by_platform.items():
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                rows = s.exec(
                    select(model.external_id).where(model.platform == platform, col(model.external_id).in_(chunk))
                ).all()
                known.update((platform, external_id) for external_id in rows)
        return known

    def mention_count(self) -> int:
        """How many mentions (customers' and the brand's) are stored."""
        with self._session() as s:
            return s.exec(select(func.count()).select_from(MentionRow)).one()

    def reply_count(self) -> int:
        """How many brand replies are stored."""
        with self._session() as s:
            return s.exec(select(func.count()).select_from(ReplyRow)).one()

    # --- scoring -----------------------------------------------------------------------------

    def unscored_mentions(self, limit: int = 256, exclude: Collection[int] = ()) -> list[StoredMention]:
        """Customer mentions that have no score yet, oldest first; `exclude`: ids to pass over."""
        with self._session() as s:
            query = select(MentionRow).where(col(MentionRow.scored).is_(False))
            if exclude:
                query = query.where(col(MentionRow.id).not_in(list(exclude)))
            rows = s.exec(query.order_by(col(MentionRow.created_at), col(MentionRow.id)).limit(limit)).all()
            return [StoredMention(row.id or 0, _mention(row)) for row in rows]

    def save_score(self, mention_id: int, score: Score, at: datetime) -> None:
        """Record a mention's score (once; a second call for the same mention changes nothing)."""
        self._again_on_conflict(lambda: self._save_score(mention_id, score, at))

    def _save_score(self, mention_id: int, score: Score, at: datetime) -> None:
        with self._session() as s:
            if s.get(ScoreRow, mention_id) is None:
                s.add(
                    ScoreRow(
                        mention_id=mention_id,
                        label=score.label,
                        negative=float(score.scores.get("negative", 0.0)),
                        neutral=float(score.scores.get("neutral", 0.0)),
                        positive=float(score.scores.get("positive", 0.0)),
                        lang=score.lang,
                        complaint=score.complaint,
                        severity=score.severity,
                        reasons=json.dumps(list(score.reasons), ensure_ascii=False),
                        model=score.model,
                        scored_at=at,
                    )
                )
            row = s.get(MentionRow, mention_id)
            if row is not None and not row.scored:
                row.scored = True
                s.add(row)

    def score_of(self, mention_id: int) -> Score | None:
        """The stored score of a mention."""
        with self._session() as s:
            row = s.get(ScoreRow, mention_id)
            if row is None:
                return None
            return Score(
                label=row.label,
                scores={"negative": row.negative, "neutral": row.neutral, "positive": row.positive},
                lang=row.lang,
                complaint=row.complaint,
                severity=row.severity,
                reasons=tuple(json.loads(row.reasons)),
                model=row.model,
            )

    # --- escalations -------------------------------------------------------------------------

    def open_escalation(
        self,
        mention_id: int,
        score: Score,
        opened_at: datetime,
        notifiers: Sequence[str] = (),
        *,
        response_time: timedelta,
    ) -> Escalation | None:
        """Open the escalation of a mention with its `opened` event; None if it already exists.

        Its deadline, `response_time` after the clock starts, is stored with it: a later change
        of the policy never moves it. The alert for each of `notifiers` is queued in the same
        transaction, so a crash can never leave an escalation that nobody is told about.
        """
        try:
            with self._session() as s:
                if s.exec(select(EscalationRow.id).where(EscalationRow.mention_id == mention_id)).first():
                    return None
                mention = s.get(MentionRow, mention_id)
                if mention is None:
                    raise KeyError(f"no mention {mention_id}")
                # never later than when we first saw it: a post dated ahead of our clock gets no extra time
                started = min(mention.created_at, mention.seen_at)
                row = EscalationRow(
                    mention_id=mention_id,
                    created_at=mention.created_at,
                    opened_at=opened_at,
                    clock_started_at=started,
                    deadline=started + response_time,
                    severity=score.severity,
                    lang=score.lang,
                    reasons=json.dumps(list(score.reasons), ensure_ascii=False),
                )
                s.add(row)
                s.flush()
                delay = opened_at - mention.created_at
                seen = (
                    f"seen {_minutes(delay)} after it was posted"
                    if delay >= timedelta(0)
                    else f"seen {_minutes(-delay)} before the time it is dated: the clock starts when it was seen"
                )
                s.add(
                    EventRow(
                        escalation_id=row.id or 0,
                        key=EventKind.OPENED,
                        kind=EventKind.OPENED,
                        at=opened_at,
                        detail=seen,
                    )
                )
                for notifier in notifiers:
                    self._enqueue_in(s, OutboxIntent(notifier, f"{row.id}:opened", "opened"), row.id or 0, opened_at)
                s.flush()
                return _escalation(row, mention, frozenset())  # just opened: no reminder yet
        except IntegrityError:
            # another writer opened it between our check and insert: same outcome
            return None

    def escalation(self, escalation_id: int) -> Escalation:
        """One escalation by id."""
        with self._session() as s:
            row = s.get(EscalationRow, escalation_id)
            if row is None:
                raise KeyError(f"no escalation {escalation_id}")
            [escalation] = self._escalations(s, [row])
            return escalation

    def active_escalations(self) -> list[Escalation]:
        """Escalations whose clock still runs or that breached without an answer."""
        with self._session() as s:
            rows = s.exec(
                select(EscalationRow)
                .where(col(EscalationRow.is_active).is_(True))
                .order_by(col(EscalationRow.created_at))
            ).all()
            return self._escalations(s, rows)

    def escalations(
        self, since: datetime | None = None, until: datetime | None = None, *, breach_since: datetime | None = None
    ) -> list[Escalation]:
        """Every escalation, oldest first: of posts created in [since, until); with `breach_since`, only those
        that can have breached from then on: due from then on, or first seen then (a late find)."""
        with self._session() as s:
            query = select(EscalationRow).order_by(col(EscalationRow.created_at), col(EscalationRow.id))
            if since is not None:
                query = query.where(col(EscalationRow.created_at) >= since)
            if until is not None:
                query = query.where(col(EscalationRow.created_at) < until)
            if breach_since is not None:
                query = query.where(
                    (col(EscalationRow.deadline) >= breach_since) | (col(EscalationRow.opened_at) >= breach_since)
                )
            return self._escalations(s, s.exec(query).all())

    def author_history(
        self,
        platform: str,
        author: str,
        since: datetime,
        exclude_escalation: int | None = None,
        author_id: str = "",
    ) -> list[Escalation]:
        """This author's other escalations since `since`, newest first.

        The author is known by `author_id`, the platform's stable id, where there is one; by the display
        name only for posts without an id (the rule the answer matching follows).
        """
        if not (author_id or author):
            return []  # nobody to tell apart
        # either way through ix_mentions_platform_author_id_author: (platform, id) and (platform, '', name)
        by_name = (col(MentionRow.author_id) == "") & (col(MentionRow.author) == author)
        who = (col(MentionRow.author_id) == author_id) | by_name if author_id else col(MentionRow.author) == author
        with self._session() as s:
            query = (
                select(EscalationRow)
                .join(MentionRow, col(MentionRow.id) == col(EscalationRow.mention_id))
                .where(MentionRow.platform == platform, who, col(EscalationRow.created_at) >= since)
                .order_by(col(EscalationRow.created_at).desc())
            )
            if exclude_escalation is not None:
                query = query.where(EscalationRow.id != exclude_escalation)
            return self._escalations(s, s.exec(query).all())

    def record_event(
        self,
        escalation_id: int,
        kind: str,
        at: datetime,
        *,
        actor: str = "replyclock",
        detail: str = "",
        key: str | None = None,
        outbox: Sequence[OutboxIntent] = (),
        only_if_changed: bool = False,
    ) -> bool:
        """Append an event once per key and apply it to the escalation; False if already there.

        The first `responded`, `resolved` or `dismissed` stops the clock; later ones are
        still logged (under their own key) but change no timestamps. The first in time counts:
        an answer written before the close or the first response, but recorded after it, still
        does. The `outbox` intents are queued in the same transaction (with `only_if_changed`,
        only when the event changed the escalation), so no crash can separate an event from its
        notifications.
        """
        key = key or str(kind)
        try:
            with self._session() as s:
                changed = self._record_in(s, escalation_id, kind, at, actor, detail, key)
                if changed is None:
                    return False
                if changed or not only_if_changed:
                    for intent in outbox:
                        self._enqueue_in(s, intent, escalation_id, at)
            return True
        except IntegrityError:
            return False

    def _record_in(
        self, s: Session, escalation_id: int, kind: str, at: datetime, actor: str, detail: str, key: str
    ) -> bool | None:
        """Append the event in session `s` and apply it; whether it changed the escalation, None if already there."""
        exists = s.exec(select(EventRow.id).where(EventRow.escalation_id == escalation_id, EventRow.key == key)).first()
        if exists:
            return None
        row = s.get(EscalationRow, escalation_id)
        if row is None:
            raise KeyError(f"no escalation {escalation_id}")
        s.add(EventRow(escalation_id=escalation_id, key=key, kind=kind, at=at, actor=actor, detail=detail))
        changed = self._apply(row, kind, at, actor, detail)
        s.add(row)
        return changed

    def record_events(self, events: Sequence[NewEvent], *, outbox: Sequence[OutboxIntent] = ()) -> list[int]:
        """Append several events in one transaction, each once per key as `record_event` does.

        Returns the escalations whose event was new. `outbox`: notifications about all of them
        together (tied to no one escalation), queued in the same transaction when any event was
        new, so no crash can record the events and lose the notification that tells of them.
        """

        def work() -> list[int]:
            with self._session() as s:
                new = []
                for e in events:
                    if (
                        self._record_in(s, e.escalation_id, e.kind, e.at, e.actor, e.detail, e.key or str(e.kind))
                        is None
                    ):
                        continue  # recorded before
                    new.append(e.escalation_id)
                    for intent in e.outbox:
                        self._enqueue_in(s, intent, e.escalation_id, e.at)
                if new:
                    for intent in outbox:
                        self._enqueue_in(s, intent, None, max(e.at for e in events))
                return new

        return self._again_on_conflict(work)

    @staticmethod
    def _apply(row: EscalationRow, kind: str, at: datetime, actor: str, detail: str) -> bool:
        """Set the columns the event sets the first time it happens; True if anything changed."""
        columns = _EVENT_COLUMNS.get(kind)
        if columns is None:
            return False
        at_column, by_column = columns
        closed_at = min((t for t in (row.resolved_at, row.dismissed_at) if t is not None), default=None)
        if kind in _CLOSING and closed_at is not None and at >= closed_at:
            return False  # closed already: log only
        changed = False
        current = getattr(row, at_column)
        # A platform answer is fetched a poll after it was written, often after the team clicked
        # resolve or respond: the earlier answer is the first response.
        if current is None or (kind == EventKind.RESPONDED and at < current):
            changed = True
            setattr(row, at_column, at)
            if by_column is not None:
                setattr(row, by_column, actor)
            if kind == EventKind.RESPONDED:
                row.response_via = detail or None
            if kind == EventKind.DISMISSED:
                row.dismiss_reason = detail or None
        if kind in _CLOSING and row.is_active:
            changed = True
            row.is_active = False
        return changed

    def events(self, escalation_id: int) -> list[Event]:
        """An escalation's event log, in order."""
        with self._session() as s:
            rows = s.exec(
                select(EventRow)
                .where(EventRow.escalation_id == escalation_id)
                .order_by(col(EventRow.at), col(EventRow.id))
            ).all()
            return [Event(r.escalation_id, r.kind, r.at, r.actor, r.detail) for r in rows]

    def pending_responses(self, since: datetime | None = None) -> list[PendingResponse]:
        """Brand replies that answer escalated mentions whose clock had not stopped when they were written.

        A reply answers the mention it replies to, and also the same customer's later follow-ups
        in that thread posted before the reply (on Facebook every reply in a thread names the
        top-level comment as its parent, so an answer there is an answer to the whole thread), and
        the same customer's posts up the reply chain above the one it answers (a thread of posts on
        X, answered under its last post).

        `since` (the last tick that matched answers): only what can have changed since is looked at,
        through indexes: every reply to an escalation still active or opened since then, every
        escalation a reply stored since then answers (closed ones too: an answer fetched a poll after
        the team clicked), and every escalation a post or shop answer stored since then links to an
        answer stored before (closed ones too): above a post, up its author's chain, and below a post
        or shop answer, down the follow-ups and own threads under it. What else matched was matched by
        that tick. None: every stored reply (the first tick of a run, for what the run before it stored
        and stopped before matching).
        """
        with self._session() as s:
            if since is None:
                rows = self._answers_to(s, replies=None, escalations=None)
            else:
                changing = {
                    *s.exec(
                        select(EscalationRow.id).where(
                            col(EscalationRow.is_active).is_(True) | (col(EscalationRow.opened_at) >= since)
                        )
                    ).all(),
                    # closed ones too: an answer written before they closed still counts, as on a first tick
                    *s.exec(_ESCALATIONS_ABOVE_POSTS_SEEN, params={"since": since}).scalars().all(),
                    *s.exec(_ESCALATIONS_BELOW_LINKS_SEEN, params={"since": since}).scalars().all(),
                }
                rows = [
                    *self._answers_to(s, replies=col(ReplyRow.seen_at) >= since, escalations=None),
                    *self._answers_to(s, replies=None, escalations=[i for i in changing if i is not None]),
                ]
            unique = {(esc_id, reply.id): (esc_id, reply) for esc_id, reply in rows}
            ordered = sorted(unique.values(), key=lambda pair: (pair[1].created_at, pair[1].id or 0))
            breached = self._breached_at(s, sorted({esc_id for esc_id, _ in ordered}))
            return [PendingResponse(esc_id, _reply(reply), breached.get(esc_id)) for esc_id, reply in ordered]

    @staticmethod
    def _breached_at(s: Session, ids: Sequence[int]) -> dict[int, datetime]:
        """The breach of each escalation listed that has one (a few hundred ids a statement)."""
        found: dict[int, datetime] = {}
        for start in range(0, len(ids), 500):
            rows = s.exec(
                select(EscalationRow.id, EscalationRow.breached_at).where(
                    col(EscalationRow.id).in_(ids[start : start + 500]), col(EscalationRow.breached_at).is_not(None)
                )
            ).all()
            found.update((esc_id, at) for esc_id, at in rows if esc_id is not None and at is not None)
        return found

    @staticmethod
    def _answers_to(s: Session, *, replies: Any, escalations: Sequence[int] | None) -> list[tuple[int, ReplyRow]]:
        """(escalation id, reply) for the replies matching `replies`, or the escalations listed (None: no limit)."""
        if escalations is not None and not escalations:
            return []
        # or answered by hand later than this reply was written (the reply is fetched a poll after it);
        # a reply written after a resolve or dismiss stops nothing, and would be tried again every tick
        written = col(ReplyRow.created_at)
        where = (
            (col(EscalationRow.first_response_at).is_(None) | (col(EscalationRow.first_response_at) > written))
            & (col(EscalationRow.resolved_at).is_(None) | (col(EscalationRow.resolved_at) > written))
            & (col(EscalationRow.dismissed_at).is_(None) | (col(EscalationRow.dismissed_at) > written))
        )
        if replies is not None:
            where &= replies
        if escalations is not None:
            where &= col(EscalationRow.id).in_(list(escalations))
        escalated, thread_start = _ESCALATED, _THREAD_START
        direct = (
            select(EscalationRow.id, ReplyRow)
            .join(escalated, col(escalated.id) == col(EscalationRow.mention_id))
            .join(
                ReplyRow,
                (col(ReplyRow.platform) == col(escalated.platform))
                & (col(ReplyRow.in_reply_to) == col(escalated.external_id)),
            )
        )
        follow_ups = (
            select(EscalationRow.id, ReplyRow)
            .join(escalated, col(escalated.id) == col(EscalationRow.mention_id))
            .join(
                thread_start,
                (col(thread_start.platform) == col(escalated.platform))
                & (col(thread_start.external_id) == col(escalated.in_reply_to))
                & _same_author(
                    col(thread_start.author_id),
                    col(thread_start.author),
                    col(escalated.author_id),
                    col(escalated.author),
                ),
            )
            .join(
                ReplyRow,
                (col(ReplyRow.platform) == col(escalated.platform))
                & (col(ReplyRow.in_reply_to) == col(thread_start.external_id))
                & (col(ReplyRow.created_at) >= col(escalated.created_at)),
            )
        )
        # the chain walked from the side that is few: up from the replies, or down from the escalations
        chain = _posts_below(escalations) if escalations is not None else _posts_above(replies)
        in_chain = (
            select(EscalationRow.id, ReplyRow)
            .join(chain, chain.c.escalation_id == col(EscalationRow.id))
            .join(ReplyRow, col(ReplyRow.id) == chain.c.reply_id)
        )
        found = [
            (esc_id or 0, reply)
            for query in (direct, follow_ups, in_chain)
            for esc_id, reply in s.exec(query.where(where)).all()
        ]
        # X: a customer replies under the shop's answer, and the shop replies to its own answer (or, as the
        # X source names such a reply, to the post its answer was for) rather than to the customer's
        # reply. It answers the follow-ups under that answer posted before it, of the customers it is
        # addressed to: the handles it starts with (X puts them there), else the customer the answer was
        # for; and each one's own thread below their follow-up (replies to their reply, and so on).
        shop_answer, answer_for = _SHOP_ANSWER, _ANSWER_FOR
        columns = (
            col(EscalationRow.id),
            ReplyRow,
            col(escalated.platform),
            col(escalated.author),
            col(escalated.author_id),
            col(answer_for.author),
            col(answer_for.author_id),
            col(shop_answer.external_id),
        )
        under = (
            sa_select(*columns)
            .join(escalated, col(escalated.id) == col(EscalationRow.mention_id))
            .join(
                shop_answer,
                (col(shop_answer.platform) == col(escalated.platform))
                & (col(shop_answer.external_id) == col(escalated.in_reply_to)),
            )
        )
        post_answered = (col(answer_for.platform) == col(shop_answer.platform)) & (
            col(answer_for.external_id) == col(shop_answer.in_reply_to)
        )
        written_after = col(ReplyRow.created_at) >= col(escalated.created_at)

        def links(base: Any) -> list[Any]:
            # one query per link, each through an index (an OR of the two read every shop answer); the
            # platform is checked on the rows found: in the query it led SQLite to read every post on X
            return [
                base.join(
                    ReplyRow,
                    (col(ReplyRow.platform) == col(shop_answer.platform))
                    & (col(ReplyRow.in_reply_to) == col(shop_answer.external_id))
                    & written_after,
                ).outerjoin(answer_for, post_answered),
                base.join(answer_for, post_answered).join(
                    ReplyRow,
                    (col(ReplyRow.platform) == col(answer_for.platform))
                    & (col(ReplyRow.in_reply_to) == col(answer_for.external_id))
                    & written_after
                    & (col(ReplyRow.id) != col(shop_answer.id)),
                ),
            ]

        under_answer = links(under)
        if replies is None:
            # up the customer's own thread from each escalated post (listed) to a post under a shop answer
            deep = s.exec(
                _OWN_THREADS_UP if escalations is None else _OWN_THREADS_UP_LISTED,
                params=None if escalations is None else {"escalations": list(escalations)},
            ).all()
        else:
            # the shop's answers to the posts these replies answer, read first: in one query SQLite (which
            # keeps no statistics) reckoned reading every post on X the cheaper way to the escalations
            targets = set(s.exec(select(ReplyRow.platform, ReplyRow.in_reply_to).where(replies)).all())
            answers = [
                (answer_id, answer)
                for start in range(0, len(targets), 500)
                for answer_id, platform, post, answer in s.exec(
                    select(ReplyRow.id, ReplyRow.platform, ReplyRow.in_reply_to, ReplyRow.external_id).where(
                        col(ReplyRow.in_reply_to).in_([t for _, t in list(targets)[start : start + 500]])
                    )
                ).all()
                if (platform, post) in targets
            ]
            linked = [answer_id for answer_id, _ in answers]
            under_answer[1:] = [under_answer[1].where(col(shop_answer.id).in_(linked))] if linked else []
            # down the customers' own threads below the posts under the shop answers these replies reach:
            # the ones they reply to, and the ones of the posts they reply to
            below = sorted({t for platform, t in targets if platform == Platform.X} | {a for _, a in answers})
            deep = [
                pair
                for start in range(0, len(below), 500)
                for pair in s.exec(_OWN_THREADS_DOWN, params={"answers": below[start : start + 500]}).all()
            ]
        # the few found deeper than a shop answer's own follow-ups, matched by the same rule
        pairs = {(esc_id, answer) for esc_id, answer in deep}
        if pairs:
            under_answer += links(
                sa_select(*columns)
                .join(escalated, col(escalated.id) == col(EscalationRow.mention_id))
                .join(
                    shop_answer,
                    (col(shop_answer.platform) == Platform.X)
                    & col(shop_answer.external_id).in_(sorted({answer for _, answer in pairs})),
                )
                .where(col(EscalationRow.id).in_(sorted({esc_id for esc_id, _ in pairs})))
            )
        for n, query in enumerate(under_answer):
            for esc_id, reply, platform, author, author_id, for_author, for_author_id, answer in s.exec(
                query.where(where)
            ):
                if n >= 2 and (esc_id, answer) not in pairs:
                    continue  # a thread and a shop answer of two different pairs
                handles = _addressed_handles(reply.text)
                if platform == Platform.X and (
                    author.lstrip("@").lower() in handles
                    if handles
                    else _same_author_py(author_id, author, for_author_id or "", for_author or "")
                ):
                    found.append((esc_id or 0, reply))
        return found

    def _escalations(self, s: Session, rows: Sequence[EscalationRow]) -> list[Escalation]:
        if not rows:
            return []
        ids = [r.id for r in rows]
        mention_ids = [r.mention_id for r in rows]
        mentions = {m.id: m for m in s.exec(select(MentionRow).where(col(MentionRow.id).in_(mention_ids))).all()}
        reminded: dict[int, set[timedelta]] = {}
        withdrawn: dict[int, datetime] = {}
        for esc_id, kind, at, detail in s.exec(
            select(EventRow.escalation_id, EventRow.kind, EventRow.at, EventRow.detail).where(
                col(EventRow.escalation_id).in_(ids),
                col(EventRow.kind).in_([EventKind.REMINDED, EventKind.BREACH_WITHDRAWN]),
            )
        ).all():
            if kind == EventKind.BREACH_WITHDRAWN:
                withdrawn[esc_id] = min(at, withdrawn.get(esc_id, at))
                continue
            point = _reminder_point(detail)
            if point is not None:
                reminded.setdefault(esc_id, set()).add(point)
        return [
            _escalation(r, mentions[r.mention_id], frozenset(reminded.get(r.id or 0, ())), withdrawn.get(r.id or 0))
            for r in rows
        ]

    def mark_settled(self, escalation_id: int) -> None:
        """Take a breached, unanswered escalation off the active list (nothing more will change it)."""
        with self._session() as s:
            row = s.get(EscalationRow, escalation_id)
            if row is not None and row.is_active:
                row.is_active = False
                s.add(row)

    # --- outbox ------------------------------------------------------------------------------

    def enqueue(
        self,
        notifier: str,
        key: str,
        escalation_id: int | None,
        kind: str,
        at: datetime,
        payload: Mapping[str, Any] | None = None,
        *,
        coalesce: bool = False,
    ) -> bool:
        """Queue a notification once per (notifier, key); False if it was already queued.

        `escalation_id` None: a notification about several escalations (its payload lists them).

        With `coalesce`, an entry already delivered is queued again (a countdown refresh):
        there is still at most one pending entry per key.
        """
        intent = OutboxIntent(notifier, key, kind, dict(payload or {}))
        try:
            with self._session() as s:
                return self._enqueue_in(s, intent, escalation_id, at, coalesce=coalesce)
        except IntegrityError:
            return False

    @staticmethod
    def _enqueue_in(
        s: Session, intent: OutboxIntent, escalation_id: int | None, at: datetime, *, coalesce: bool = False
    ) -> bool:
        body = json.dumps(dict(intent.payload), ensure_ascii=False, default=str)
        at = intent.queued_at or at
        row = s.exec(
            select(OutboxRow).where(OutboxRow.notifier == intent.notifier, OutboxRow.key == intent.key)
        ).first()
        if row is not None:
            if coalesce and row.status != "pending":
                row.status = "pending"
                row.payload = body
                row.next_attempt_at = at
                row.attempts = 0
                s.add(row)
                return True
            return False
        s.add(
            OutboxRow(
                notifier=intent.notifier,
                key=intent.key,
                escalation_id=escalation_id,
                kind=intent.kind,
                payload=body,
                created_at=at,
                next_attempt_at=at,
            )
        )
        return True

    def due_outbox(self, notifier: str, now: datetime, limit: int = 100) -> list[OutboxEntry]:
        """Pending entries of a notifier whose time has come, in the order they were queued."""
        with self._session() as s:
            rows = s.exec(
                select(OutboxRow)
                .where(
                    OutboxRow.notifier == notifier,
                    OutboxRow.status == "pending",
                    col(OutboxRow.next_attempt_at) <= now,
                )
                .order_by(col(OutboxRow.id))
                .limit(limit)
            ).all()
            return [_entry(r) for r in rows]

    def outbox_entry(self, notifier: str, key: str) -> OutboxEntry | None:
        """One outbox entry by its key."""
        with self._session() as s:
            row = s.exec(select(OutboxRow).where(OutboxRow.notifier == notifier, OutboxRow.key == key)).first()
            return _entry(row) if row else None

    def alert_results(self, notifier: str) -> dict[int, dict[str, Any]]:
        """What a notifier stored when it delivered each active escalation's alert (e.g. Slack ts)."""
        with self._session() as s:
            active = s.exec(select(EscalationRow.id).where(col(EscalationRow.is_active).is_(True))).all()
            # by key, through its unique index: a join let the planner read the notifier's whole outbox, every tick
            keys = [f"{esc_id}:opened" for esc_id in active]
            rows = [
                row
                for start in range(0, len(keys), 500)
                for row in s.exec(
                    select(OutboxRow.escalation_id, OutboxRow.result).where(
                        OutboxRow.notifier == notifier,
                        col(OutboxRow.key).in_(keys[start : start + 500]),
                        OutboxRow.kind == "opened",
                    )
                ).all()
            ]
            return {esc_id: json.loads(result) for esc_id, result in rows if esc_id is not None}

    def outbox_entries(self, notifier: str | None = None) -> list[OutboxEntry]:
        """Every outbox entry (of one notifier), in the order queued."""
        with self._session() as s:
            query = select(OutboxRow).order_by(col(OutboxRow.id))
            if notifier is not None:
                query = query.where(OutboxRow.notifier == notifier)
            return [_entry(r) for r in s.exec(query).all()]

    def outbox_update(
        self,
        entry_id: int,
        *,
        status: str,
        at: datetime,
        result: Mapping[str, Any] | None = None,
        error: str = "",
        retry_at: datetime | None = None,
        count_attempt: bool = True,
        alerted_via: str | None = None,
    ) -> None:
        """Record the outcome of a delivery attempt: sent, pending again (retry) or dead.

        `alerted_via`: the entry posted its escalation's alert; the `alerted` event is recorded in the
        same transaction, so no crash leaves an alert sent and its escalation never alerted.
        """
        with self._session() as s:
            row = s.get(OutboxRow, entry_id)
            if row is None:
                return
            if alerted_via is not None and row.escalation_id is not None:
                self._record_in(
                    s, row.escalation_id, EventKind.ALERTED, at, "replyclock", f"via {alerted_via}", "alerted"
                )
            row.status = status
            if count_attempt:
                row.attempts += 1
            if result is not None:
                merged = {**json.loads(row.result), **dict(result)}
                row.result = json.dumps(merged, ensure_ascii=False, default=str)
            row.last_error = error[:500]
            if status == "sent":
                row.sent_at = at
            if retry_at is not None:
                row.next_attempt_at = retry_at
            s.add(row)


# how far up a customer's own reply chain an answer to its last post reaches
_THREAD_HOPS = 10

# The aliases the answer rules join through, made once: SQLAlchemy memoizes each alias's adapted
# columns, and fresh aliases every tick spent about a third of `pending_responses` adapting them
# again. Each role has its own (one statement never uses an alias twice); the names show in the SQL.
_ESCALATED = aliased(MentionRow, name="escalated")
_THREAD_START = aliased(MentionRow, name="thread_start")
_SHOP_ANSWER = aliased(ReplyRow, name="shop_answer")
_ANSWER_FOR = aliased(MentionRow, name="answer_for")
_ANSWERED = aliased(MentionRow, name="answered")
_ABOVE = aliased(MentionRow, name="above")
_UP = aliased(MentionRow, name="up")
_SEEN = aliased(MentionRow, name="seen")
_POST = aliased(MentionRow, name="escalated_post")
_BELOW = aliased(MentionRow, name="below")
_DOWN = aliased(MentionRow, name="down")
_FOLLOW_UP = aliased(MentionRow, name="follow_up")
_FIRST_FOLLOW_UP = aliased(MentionRow, name="first_follow_up")


def _same_author(id_a: Any, name_a: Any, id_b: Any, name_b: Any) -> Any:
    """SQL: two posts are by the same customer: the same platform id, or, where either has none, the same name.

    Display names are neither unique nor stable (a namesake, a rename); the id is, where the platform gives one.
    """
    return ((id_a != "") & (id_a == id_b)) | (((id_a == "") | (id_b == "")) & (name_a != "") & (name_a == name_b))


def _same_author_py(id_a: str, name_a: str, id_b: str, name_b: str) -> bool:
    """`_same_author` for values already read."""
    if id_a and id_b:
        return id_a == id_b
    return bool(name_a) and name_a == name_b


def _posts_above(replies: Any) -> Any:
    """(escalation_id, reply_id): escalated posts of the author up the reply chain above the post a reply answers.

    A customer who writes a thread of posts (each replying to their previous one) is answered when
    the shop replies to any post of it, usually the last: that answers the posts above it too.
    Walked up from the replies matching `replies` (None: every reply).
    """
    answered, above = _ANSWERED, _ABOVE
    start: Any = (
        sa_select(
            col(ReplyRow.id).label("key"),
            *_chain_columns(above),
            literal(1).label("hops"),
        )
        .select_from(ReplyRow)
        .join(
            answered,
            (col(answered.platform) == col(ReplyRow.platform))
            & (col(answered.external_id) == col(ReplyRow.in_reply_to)),
        )
        .join(
            above,
            (col(above.platform) == col(answered.platform))
            & (col(above.external_id) == col(answered.in_reply_to))
            & _same_author(col(answered.author_id), col(answered.author), col(above.author_id), col(above.author)),
        )
    )
    if replies is not None:
        start = start.where(replies)
    walk = _walk_up(start, "posts_above")
    return (
        sa_select(col(EscalationRow.id).label("escalation_id"), walk.c.key.label("reply_id"))
        .join(EscalationRow, col(EscalationRow.mention_id) == walk.c.mention_id)
        .subquery("answered_above")
    )


def _chain_columns(post: Any) -> list[Any]:
    """The columns of `post` that a walk up a customer's chain carries from one post to the next."""
    return [
        col(post.id).label("mention_id"),
        col(post.platform).label("platform"),
        col(post.in_reply_to).label("in_reply_to"),
        col(post.author_id).label("author_id"),
        col(post.author).label("author"),
    ]


def _walk_up(start: Any, name: str) -> Any:
    """The recursive walk from `start` (key, mention_id, platform, in_reply_to, author_id, author, hops)
    up the chain of posts by the same author, each replying to the one before it."""
    walk = start.cte(name, recursive=True)
    up = _UP
    return walk.union_all(
        sa_select(walk.c.key, *_chain_columns(up), walk.c.hops + 1)
        .select_from(walk)
        .join(
            up,
            (col(up.platform) == walk.c.platform)
            & (col(up.external_id) == walk.c.in_reply_to)
            & _same_author(walk.c.author_id, walk.c.author, col(up.author_id), col(up.author)),
        )
        .where(walk.c.hops < _THREAD_HOPS)
    )


def _walk_down(start: Any, name: str, key: str | None) -> Any:
    """The recursive walk from `start` (a first column, platform, external_id, author_id, author, hops)
    down the chain of posts by the same author, each replying to the one before it; the first column
    is `key`'s, carried down, or without one each post's own id."""
    walk = start.cte(name, recursive=True)
    down = _DOWN
    return walk.union_all(
        sa_select(
            walk.c[key] if key else col(down.id),
            col(down.platform),
            col(down.external_id),
            col(down.author_id),
            col(down.author),
            walk.c.hops + 1,
        )
        .select_from(walk)
        .join(
            down,
            (col(down.platform) == walk.c.platform)
            & (col(down.in_reply_to) == walk.c.external_id)
            & _same_author(walk.c.author_id, walk.c.author, col(down.author_id), col(down.author)),
        )
        .where(walk.c.hops < _THREAD_HOPS)
    )


def _escalations_above_posts_seen() -> Any:
    """Escalation ids: the posts stored from the `since` parameter on, and the posts up their author's chain.

    A post that arrives late (a thread's middle post, fetched by another source or a later page) links
    the escalations above it to an answer below it that was stored, and matched to nothing, before.
    """
    post = _SEEN
    start: Any = sa_select(literal(0).label("key"), *_chain_columns(post), literal(0).label("hops")).where(
        col(post.seen_at) >= bindparam("since", type_=UTCDateTime())
    )
    walk = _walk_up(start, "posts_seen_up")
    return sa_select(col(EscalationRow.id)).join(walk, col(EscalationRow.mention_id) == walk.c.mention_id)


def _escalations_below_links_seen() -> Any:
    """Escalation ids: the posts down a customer's own chain below a link stored from the `since` parameter on.

    The links a late arrival adds above an escalation stored before it: a post (the first comment of a
    Facebook thread its follow-ups hang under, the middle post of a customer's own thread), a shop answer
    on X (the follow-ups under it, and each one's own thread below), and a post a shop answer was for (the
    follow-ups under that answer). Walked down, through the index on (platform, in_reply_to), from the few
    stored since the last tick; the escalations found are matched as a first tick matches them.
    """
    # each member of the union is a statement of its own: the aliases may serve in more than one
    seen, answer, first = _SEEN, _SHOP_ANSWER, _FIRST_FOLLOW_UP
    columns: list[Any] = [
        col(first.id).label("mention_id"),
        col(first.platform).label("platform"),
        col(first.external_id).label("external_id"),
        col(first.author_id).label("author_id"),
        col(first.author).label("author"),
    ]
    since: Any = bindparam("since", type_=UTCDateTime())
    posts = sa_select(*columns).where(col(first.seen_at) >= since)
    # the answers are read first (IN a row value): joined, SQLite (no statistics) read every post under any answer
    answers_seen = sa_select(col(answer.platform), col(answer.external_id)).where(col(answer.seen_at) >= since)
    answers_to_posts_seen = (
        sa_select(col(answer.platform), col(answer.external_id))
        .select_from(seen)
        .join(
            answer,
            (col(answer.in_reply_to) == col(seen.external_id)) & (col(answer.platform) == col(seen.platform)),
        )
        .where(col(seen.seen_at) >= since)
    )
    under_answers, under_answers_to_posts = (
        sa_select(*columns).where(tuple_(col(first.platform), col(first.in_reply_to)).in_(answers))
        for answers in (answers_seen, answers_to_posts_seen)
    )
    starts = union_all(posts, under_answers, under_answers_to_posts).subquery("links_seen")
    walk = _walk_down(sa_select(*starts.c, literal(0).label("hops")), "links_seen_down", None)
    return sa_select(col(EscalationRow.id)).join(walk, col(EscalationRow.mention_id) == walk.c.mention_id)


def _posts_below(escalations: Sequence[int]) -> Any:
    """(escalation_id, reply_id): `_posts_above` walked the other way, down from the escalated posts listed.

    The same pairs for these escalations, found through the index on (platform, in_reply_to) from
    the few that can still change rather than from every reply ever stored.
    """
    post, below = _POST, _BELOW
    start: Any = (
        sa_select(
            col(EscalationRow.id).label("escalation_id"),
            col(below.platform).label("platform"),
            col(below.external_id).label("external_id"),
            col(below.author_id).label("author_id"),
            col(below.author).label("author"),
            literal(1).label("hops"),
        )
        .select_from(EscalationRow)
        .join(post, col(post.id) == col(EscalationRow.mention_id))
        .join(
            below,
            (col(below.platform) == col(post.platform))
            & (col(below.in_reply_to) == col(post.external_id))
            & _same_author(col(post.author_id), col(post.author), col(below.author_id), col(below.author)),
        )
        .where(col(EscalationRow.id).in_(list(escalations)))
    )
    walk = _walk_down(start, "posts_below", "escalation_id")
    return (
        sa_select(walk.c.escalation_id, col(ReplyRow.id).label("reply_id"))
        .join(
            ReplyRow,
            (col(ReplyRow.platform) == walk.c.platform) & (col(ReplyRow.in_reply_to) == walk.c.external_id),
        )
        .subquery("answered_below")
    )


def _own_threads_up(listed: bool) -> Any:
    """(escalation id, post id): an X post a customer's own thread replies to, above each escalated post
    (listed in the `escalations` parameter, or every one) that replies to its author's own post.

    The thread is walked up from the escalated post through its author's posts; each one's parent is
    given, so that a shop answer among them tells that the escalated post sits in that customer's
    thread under it, deeper than a first follow-up.
    """
    post = _FOLLOW_UP
    start: Any = (
        sa_select(col(EscalationRow.id).label("key"), *_chain_columns(post), literal(0).label("hops"))
        .select_from(EscalationRow)
        .join(post, col(post.id) == col(EscalationRow.mention_id))
    )
    if listed:
        start = start.where(col(EscalationRow.id).in_(bindparam("escalations", expanding=True)))
    walk = _walk_up(start, "own_thread_up")
    # the platform checked on the rows found: on the escalated posts it led SQLite to read every post on X
    return sa_select(walk.c.key, walk.c.in_reply_to).where(
        walk.c.hops >= 1, walk.c.platform == Platform.X, walk.c.in_reply_to.is_not(None)
    )


def _own_threads_down() -> Any:
    """(escalation id, post id): the escalated X posts down a customer's own thread, from their post that
    replies to one of the posts in the `answers` parameter, deeper than that first one.
    """
    first, post = _FIRST_FOLLOW_UP, _POST
    start: Any = sa_select(
        col(first.in_reply_to).label("answer"),
        col(first.platform).label("platform"),
        col(first.external_id).label("external_id"),
        col(first.author_id).label("author_id"),
        col(first.author).label("author"),
        literal(1).label("hops"),
    ).where(col(first.platform) == Platform.X, col(first.in_reply_to).in_(bindparam("answers", expanding=True)))
    walk = _walk_down(start, "own_thread_down", "answer")
    return (
        sa_select(col(EscalationRow.id), walk.c.answer)
        .select_from(walk)
        .join(post, (col(post.platform) == walk.c.platform) & (col(post.external_id) == walk.c.external_id))
        .join(EscalationRow, col(EscalationRow.mention_id) == col(post.id))
        .where(walk.c.hops > 1)
    )


# made once, as the aliases are: built each tick, they cost more than running them
_OWN_THREADS_UP = _own_threads_up(listed=False)
_OWN_THREADS_UP_LISTED = _own_threads_up(listed=True)
_OWN_THREADS_DOWN = _own_threads_down()
_ESCALATIONS_ABOVE_POSTS_SEEN = _escalations_above_posts_seen()
_ESCALATIONS_BELOW_LINKS_SEEN = _escalations_below_links_seen()


# the handles an X reply starts with: the people it is addressed to (X puts them there itself)
_LEADING_HANDLES = re.compile(r"^\s*((?:@\w+\s*)+)")


def _addressed_handles(text: str) -> frozenset[str]:
    """The handles (lower case, without @) a reply's text starts with."""
    found = _LEADING_HANDLES.match(text)
    return frozenset(h.lower() for h in re.findall(r"@(\w+)", found.group(1))) if found else frozenset()


def copy_store(source: Store, target: Store, *, force: bool = False, chunk: int = 1000) -> dict[str, int]:
    """Copy every row of `source` into `target` (brought to the head revision first), keeping ids.

    Refuses a target that already holds rows unless `force`, which replaces them, and never replaces
    them with nothing: an empty source (a mistyped URL that still reaches a database) is refused even
    with `force`. The copy is one transaction on the target; PostgreSQL sequences are moved past the
    copied ids.
    """
    if make_url(source.url).render_as_string(hide_password=False) == make_url(target.url).render_as_string(
        hide_password=False
    ):
        raise ValueError("the source and the target are the same database")
    target.upgrade_schema()
    tables = METADATA.sorted_tables  # parents before children
    counts: dict[str, int] = {}
    with source.engine.connect() as src, target.engine.begin() as dst:
        held = {t.name: dst.execute(sa_select(func.count()).select_from(t)).scalar() or 0 for t in tables}
        filled = [name for name, n in held.items() if n]
        if filled and not force:
            raise ValueError(f"the target already holds rows ({', '.join(filled)}): use --force to replace them")
        if filled and not any(src.execute(sa_select(func.count()).select_from(t)).scalar() for t in tables):
            detail = ", ".join(f"{name} {held[name]}" for name in filled)
            raise ValueError(
                f"the source holds no rows: refusing to replace the target's ({detail}) with nothing; "
                "check storage.url (the source) in the config"
            )
        for table in reversed(tables):
            dst.execute(table.delete())
        for table in tables:
            counts[table.name] = 0
            rows = src.execution_options(yield_per=chunk).execute(sa_select(table).order_by(*table.primary_key.columns))
            for part in rows.mappings().partitions(chunk):
                dst.execute(table.insert(), [dict(r) for r in part])
                counts[table.name] += len(part)
        if dst.dialect.name == "postgresql":
            for table in tables:
                if "id" in table.c and table.c.id.primary_key:
                    dst.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'),"  # noqa: S608
                            f" COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                        )
                    )
    return counts


def _entry(row: OutboxRow) -> OutboxEntry:
    return OutboxEntry(
        id=row.id or 0,
        notifier=row.notifier,
        key=row.key,
        escalation_id=row.escalation_id,
        kind=row.kind,
        payload=json.loads(row.payload),
        status=row.status,
        attempts=row.attempts,
        created_at=row.created_at,
        result=json.loads(row.result),
    )


def _mention(row: MentionRow) -> Mention:
    return Mention(
        platform=row.platform,
        external_id=row.external_id,
        author=row.author,
        text=row.text,
        created_at=row.created_at,
        author_id=row.author_id,
        lang=row.lang_hint,
        url=row.url,
        in_reply_to=row.in_reply_to,
        conversation_id=row.conversation_id,
        from_brand=row.from_brand,
    )


def _reply(row: ReplyRow) -> Reply:
    return Reply(
        platform=row.platform,
        external_id=row.external_id,
        in_reply_to=row.in_reply_to,
        created_at=row.created_at,
        author=row.author,
        text=row.text,
        url=row.url,
    )


def _escalation(
    row: EscalationRow, mention: MentionRow, reminded: frozenset[timedelta], breach_withdrawn_at: datetime | None = None
) -> Escalation:
    return Escalation(
        id=row.id or 0,
        mention_id=row.mention_id,
        platform=mention.platform,
        external_id=mention.external_id,
        author=mention.author,
        text=mention.text,
        lang=row.lang,
        created_at=row.created_at,
        opened_at=row.opened_at,
        clock_started_at=row.clock_started_at,
        deadline=row.deadline,
        severity=row.severity,
        reasons=tuple(json.loads(row.reasons)),
        url=mention.url,
        alerted_at=row.alerted_at,
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by,
        first_response_at=row.first_response_at,
        responded_by=row.responded_by,
        response_via=row.response_via,
        breached_at=row.breached_at,
        breach_withdrawn_at=breach_withdrawn_at,
        resolved_at=row.resolved_at,
        dismissed_at=row.dismissed_at,
        closed_by=row.closed_by,
        dismiss_reason=row.dismiss_reason,
        reminded=reminded,
        source=mention.source,
        author_id=mention.author_id,
    )


def _reminder_point(detail: str) -> timedelta | None:
    head = detail.split(" ", 1)[0]
    if head.endswith("s") and head[:-1].isdigit():
        return timedelta(seconds=int(head[:-1]))
    return None


def _minutes(delta: timedelta) -> str:
    minutes = delta.total_seconds() / 60
    return f"{minutes:.0f} min" if abs(minutes) >= 1 else f"{delta.total_seconds():.0f} s"
