"""The Slack notifier: one alert per complaint, updated in place, paced to Slack's limits.

This is the only module that imports slack_sdk. Everything it posts comes from
the store's outbox (`deliver`); the countdown refresh (`refresh`) re-renders
alerts with `chat.update` under one budget shared with the deliveries, so the
workspace never sees more than about 50 updates a minute. Nothing here sleeps:
a 429 pauses that method until `Retry-After` and defers the outbox entry.

Exactly once: every post carries message metadata (the escalation's platform
id and the outbox key). Before posting an entry that may have been posted
already (queued by an earlier process, retried, or after a lost answer) the
notifier looks for that metadata in the channel's recent history, or in the
alert's thread, and records the message it finds instead of posting again.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from alerts.actions import Click, ClickQueue, Gatekeeper, apply_clicks, parse_block_actions
from alerts.engine import EscalationEngine, NotificationKind
from alerts.messages import (
    HISTORY_DAYS,
    ReplyTemplates,
    alert_blocks,
    alert_text,
    breach_text,
    breach_thread_text,
    breach_withdrawn_text,
    late_digest_text,
    late_thread_text,
    load_reply_templates,
    mention_target,
    reminder_text,
    suggest_reply,
    who,
    withdrawn_breach_post,
    withdrawn_breach_thread_text,
)
from alerts.notify import BoardItem, DeliveryError, Digest, Notification, NotifierStopped
from alerts.sla import SlaStatus, status
from monitor.clock import Clock
from monitor.models import Escalation, SlaPolicy

log = logging.getLogger(__name__)

ALERT_EVENT = "replyclock_alert"
POST_EVENT = "replyclock_post"
DIGEST_REF = "late-digest"  # the `ref` of a digest's metadata: it is about several escalations
AUTH_ERRORS = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"})
GONE_ERRORS = frozenset({"message_not_found", "thread_not_found", "cant_update_message"})
CHANNEL_ERRORS = frozenset({"channel_not_found", "is_archived", "not_in_channel"})
TRANSIENT_ERRORS = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout"})
# `ratelimited` comes with HTTP 429; chat.postMessage also answers `rate_limited` with HTTP 200
RATE_LIMIT_ERRORS = frozenset({"ratelimited", "rate_limited"})

UPDATES_PER_MINUTE = 45.0  # chat.update is Tier 3 (about 50 a minute per workspace); keep headroom
UPDATE_BURST = 5  # 45 a minute plus a burst of 5: never more than 50 in any minute
DELIVERY_RESERVE = 2  # tokens the countdown refresh leaves for final states and breaches
POSTS_PER_SECOND = 1.0  # chat.postMessage: about one a second per channel
POST_BURST = 3
EVERY = timedelta(seconds=60)  # countdown cadence while few alerts are open
FINAL_STRETCH = timedelta(minutes=5)  # ...and in the last minutes before the deadline
FINAL_EVERY = timedelta(seconds=20)
RECONCILE_MARGIN = timedelta(minutes=5)
HISTORY_CACHE_FOR = timedelta(minutes=5)
MAX_HISTORY_PAGES = 20
DEFAULT_RETRY_AFTER = 30  # seconds, when a rate limit comes without a usable Retry-After
MAX_RETRY_AFTER = 3600  # a proxy's odd header must not silence Slack for days (or overflow the clock)
DIGEST_LINKS = 10  # a digest links the alerts of this many (the longest overdue); the rest by id
DIGEST_WAITS = timedelta(minutes=5)  # at most this long for those alerts to be posted, so it can link them
DIGEST_RETRY = timedelta(seconds=10)


class _Paused(Exception):
    def __init__(self, method: str, until: datetime) -> None:
        super().__init__(f"{method} is rate limited by Slack until {until:%H:%M:%S}")
        self.until = until


class _Transient(Exception):
    pass


class _Refused(Exception):
    def __init__(self, method: str, error: str) -> None:
        super().__init__(f"{method}: {error}")
        self.error = error


class Pace:
    """A token bucket on the injected clock: `per_minute` sustained, `burst` at once."""

    def __init__(self, per_minute: float, burst: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.tokens = float(burst)
        self.at: datetime | None = None

    def available(self, now: datetime) -> float:
        """Tokens available at `now`."""
        if self.at is not None and now > self.at:
            self.tokens = min(self.burst, self.tokens + (now - self.at).total_seconds() * self.rate)
        if self.at is None or now > self.at:
            self.at = now
        return self.tokens

    def take(self, now: datetime) -> bool:
        """Spend one token if there is one."""
        if self.available(now) >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def next_at(self, now: datetime) -> datetime:
        """When the next token will be there."""
        missing = max(1.0 - self.available(now), 0.0)
        return now + timedelta(seconds=missing / self.rate)


@dataclass(slots=True)
class _Shown:
    at: datetime
    fingerprint: str


@dataclass(slots=True)
class _Scan:
    oldest: datetime
    seq: int
    found: dict[tuple[str, str], str]


HistoryLookup = Callable[
    [str, str, datetime, int | None, str], Sequence[Escalation]
]  # platform, name, since, not this one, id


def make_client(token: str, base_url: str, timeout: timedelta = timedelta(seconds=10)) -> WebClient:
    """A WebClient that never sleeps on its own (no retry handlers): the outbox retries instead."""
    sdk_log = logging.getLogger(f"{__name__}.sdk")
    # slack_sdk logs every failed request at ERROR; we log state changes ourselves
    sdk_log.setLevel(logging.CRITICAL)
    return WebClient(
        token=token,
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        timeout=max(int(timeout.total_seconds()), 1),
        retry_handlers=[],
        logger=sdk_log,
    )


def _retry_after(value: object) -> int:
    """Seconds to wait from a Retry-After header: 30 when absent or not a number, within 1 s to 1 h."""
    try:
        wait = int(str(value).strip())
    except ValueError:
        return DEFAULT_RETRY_AFTER
    return min(max(wait, 1), MAX_RETRY_AFTER)


def _ref(escalation: Escalation) -> str:
    return f"{escalation.platform}:{escalation.external_id}"


def _fingerprint(text: str, blocks: Sequence[Mapping[str, Any]]) -> str:
    return hashlib.sha256(json.dumps([text, blocks], sort_keys=True).encode()).hexdigest()


class SlackNotifier:
    """Posts one alert per complaint, keeps its countdown true, threads reminders, tells the managers."""

    name = "slack"

    def __init__(
        self,
        client: WebClient,
        *,
        alerts_channel: str,
        policy: SlaPolicy,
        clock: Clock,
        managers_channel: str | None = None,
        mention_on_reminder: str | None = None,
        templates: ReplyTemplates | None = None,
        history: HistoryLookup | None = None,
        updates_per_minute: float = UPDATES_PER_MINUTE,
        posts_per_second: float = POSTS_PER_SECOND,
    ) -> None:
        self.client = client
        self.alerts_channel = alerts_channel
        self.managers_channel = managers_channel
        self.mention_on_reminder = mention_on_reminder
        self.policy = policy
        self.clock = clock
        self.templates = templates or load_reply_templates()
        self.history = history
        self.started_at = clock.now()
        self.updates = Pace(updates_per_minute, UPDATE_BURST)
        # what `intervals` assumes the countdown gets (the rest goes to answers, closes and breaches);
        # `refresh` itself spends whatever is above DELIVERY_RESERVE, most stale first
        self.refresh_per_minute = updates_per_minute * 0.9
        self.posts_per_second = posts_per_second
        self.shown: dict[int, _Shown] = {}
        self._post_paces: dict[str, Pace] = {}
        self._slots: dict[str, datetime] = {}
        self._paused: dict[str, datetime] = {}
        self._dirty: set[int] = set()
        self._behind = False  # the last refresh ran out of budget with countdowns still due
        self._lost: set[int] = set()
        self._uncertain: dict[str, int] = {}
        self._seq = 0
        self._scans: dict[tuple[str, str], _Scan] = {}
        self._permalinks: dict[str, str] = {}
        self._history_cache: dict[int, tuple[datetime, list[tuple[Escalation, SlaStatus]]]] = {}
        self._logged: set[str] = set()
        self._failing: str | None = None
        self._reposted: dict[str, Any] | None = None  # the alert `deliver` posted again, if it did
        # (method, ok, error code) after every Web API call; the daemon points it at its metrics
        self.observe_call: Callable[[str, bool, str], None] | None = None

    # --- outbox deliveries ------------------------------------------------------------------

    def deliver(self, note: Notification) -> Mapping[str, Any] | None:
        """Post or update the alert for one outbox entry; raises DeliveryError to retry or defer."""
        now = self.clock.now()
        deliver: Callable[[Notification, datetime], Mapping[str, Any] | None]
        if note.kind == NotificationKind.OPENED:
            deliver = self._deliver_alert
        elif note.kind == NotificationKind.REMINDER:
            deliver = self._deliver_reminder
        elif note.kind == NotificationKind.BREACHED:
            # one found already late tells its own thread: the managers hear of it in its tick's digest
            deliver = self._deliver_late_breach if note.payload.get("late_when_seen") else self._deliver_breach
        elif note.kind == NotificationKind.BREACH_WITHDRAWN:
            deliver = self._deliver_withdrawal
        else:
            deliver = self._deliver_state
        return self._delivering(lambda: deliver(note, now))

    def deliver_digest(self, digest: Digest) -> Mapping[str, Any] | None:
        """Post one digest of complaints found already late (to the managers, else the alerts channel)."""
        now = self.clock.now()
        return self._delivering(lambda: self._deliver_digest(digest, now))

    def _delivering(self, deliver: Callable[[], Mapping[str, Any] | None]) -> Mapping[str, Any] | None:
        """Run one delivery, turning Slack's answers into DeliveryError (retry, defer or give up)."""
        self._reposted = None
        try:
            result = deliver()
        except _Paused as exc:
            raise DeliveryError(str(exc), retry_at=exc.until, deferred=True, alert=self._reposted) from None
        except _Transient as exc:
            self._note_failure(str(exc))
            raise DeliveryError(str(exc), alert=self._reposted) from None
        except _Refused as exc:
            raise DeliveryError(str(exc), permanent=True, alert=self._reposted) from None
        self._note_recovery()
        return result

    def _deliver_alert(self, note: Notification, now: datetime) -> Mapping[str, Any] | None:
        esc = note.escalation
        if note.alert_result.get("ts"):
            return None
        channel = self.alerts_channel
        if self._may_have_posted(note.key, note.attempts, note.queued_at):
            ts = self._find_posted(channel, note.key, _ref(esc), note.queued_at or esc.opened_at, now)
            if ts is not None:
                log.info("escalation #%d: alert already in Slack (ts %s); not posting it again", esc.id, ts)
                self._dirty.add(esc.id)
                return {"channel": channel, "ts": ts, "reconciled": True}
        self._take_post(channel, now)
        return self._post_alert(note.key, esc, note.status, now)

    def _post_alert(self, key: str, esc: Escalation, sla: SlaStatus, now: datetime) -> dict[str, Any]:
        text, blocks = self._render(esc, sla, now)
        resp = self._post(self.alerts_channel, key, esc, now, text=text, blocks=blocks, event=ALERT_EVENT)
        self.shown[esc.id] = _Shown(now, _fingerprint(text, blocks))
        self._lost.discard(esc.id)
        return {"channel": resp["channel"], "ts": resp["ts"], "posted_at": now.isoformat()}

    def _deliver_reminder(self, note: Notification, now: datetime) -> Mapping[str, Any]:
        esc = note.escalation
        if not note.status.running:
            # held up (rate limit, outage) until after the team answered: a ping now would only mislead
            return {"skipped": "the clock had stopped"}
        mention = who(esc.acknowledged_by) if esc.acknowledged_by else mention_target(self.mention_on_reminder)
        result = self._thread_note(note, now, "reminder_ts", reminder_text(esc, note.status, mention))
        self._dirty.add(esc.id)  # the alert itself turns "at risk": the refresh updates it first
        return result

    def _thread_note(self, note: Notification, now: datetime, field: str, text: str) -> Mapping[str, Any]:
        """Post `text` in the alert's thread once (a lost answer is looked up, not posted again); its ts as `field`."""
        esc = note.escalation
        channel, ts = self._alert_ref(note, now)
        if self._may_have_posted(note.key, note.attempts, note.queued_at):
            found = self._find_posted(channel, note.key, _ref(esc), note.queued_at or now, now, thread_ts=ts)
            if found is not None:
                return {field: found, "reconciled": True}
        self._take_post(channel, now)

        def post(ch: str, thread: str) -> dict[str, Any]:
            return {field: self._post(ch, note.key, esc, now, text=text, thread_ts=thread)["ts"]}

        return self._on_alert(note, now, channel, ts, post)

    def _deliver_breach(self, note: Notification, now: datetime) -> Mapping[str, Any]:
        esc = note.escalation
        if esc.dismissed_at is not None:
            # held up (rate limit, outage) until the team said "not a complaint": nothing to tell managers
            return {"skipped": "dismissed as not a complaint"}
        managers = self.managers_channel
        if esc.breach_withdrawn_at is not None:
            # held up until an answer in time was found: a breach post now would need its correction at once.
            # One that may have gone out already (its answer lost) is looked for, so the correction can follow it.
            if managers and self._may_have_posted(note.key, note.attempts, note.queued_at):
                found = self._find_posted(managers, note.key, _ref(esc), note.queued_at or now, now)
                if found is not None:
                    return {"managers_ts": found, "reconciled": True}
            return {"skipped": "withdrawn before it was told: an answer in time was found"}
        # an alert Slack refused for good has nothing to update, but the managers must still hear of the breach
        alert_lost = bool(managers and note.alert_result.get("undeliverable"))
        channel, ts = ("", "") if alert_lost else self._alert_ref(note, now)
        posted: str | None = None
        if managers and self._may_have_posted(note.key, note.attempts, note.queued_at):
            posted = self._find_posted(managers, note.key, _ref(esc), note.queued_at or now, now)
        if managers and posted is None:
            self._take_post(managers, now)

        def update_and_tell(ch: str, thread: str) -> dict[str, Any]:
            out: dict[str, Any] = {}
            # Under load the breached state joins the refresh queue, most stale first: updating every
            # breach at once would starve the other countdowns of the shared budget.
            if alert_lost:
                pass
            elif not self._behind and self.updates.take(now):
                self._update(esc, note.status, ch, thread, now)
            else:
                self._dirty.add(esc.id)
            if managers and posted is None:
                permalink = self._permalink(ch, thread, now) if not alert_lost else None
                text = breach_text(esc, note.status, permalink, esc.acknowledged_by)
                resp = self._post(managers, note.key, esc, now, text=text)
                out.update(managers_ts=resp["ts"], permalink=permalink or "")
            elif posted is not None:
                out.update(managers_ts=posted, reconciled=True)
            elif not managers:
                self._log_once("no-managers", "slack.managers_channel is not set: breaches are shown in the alert only")
                told = self._post(
                    ch, f"{note.key}:thread", esc, now, text=breach_thread_text(note.status), thread_ts=thread
                )
                # kept so that a withdrawal can strike it through (the outbox result is stored as JSON: no column)
                out.update(thread_note_channel=told["channel"], thread_note_ts=told["ts"])
            return out

        if alert_lost:
            return update_and_tell(channel, ts)
        return self._on_alert(note, now, channel, ts, update_and_tell)

    def _deliver_late_breach(self, note: Notification, now: datetime) -> Mapping[str, Any]:
        """A complaint already past its deadline when first seen: a note in its alert's thread, no managers' post.

        The alert was posted overdue (it is drawn from the clock) and the countdown keeps it so; the
        managers hear of it in the digest of its tick.
        """
        esc = note.escalation
        if esc.dismissed_at is not None:
            return {"skipped": "dismissed as not a complaint"}
        if note.alert_result.get("undeliverable"):
            return {"skipped": "the alert could not be posted; the digest names it"}
        return self._thread_note(note, now, "note_ts", late_thread_text(esc, note.status))

    def _deliver_withdrawal(self, note: Notification, now: datetime) -> Mapping[str, Any]:
        """Correct a breach told: where it was told (the thread of the managers' post, shown in the channel too;
        the managers' channel for a late find its digest named; else the alert's thread)."""
        esc = note.escalation
        breach = note.breach_result
        if breach.get("status") == "pending":
            # the breach decides first: told late (a correction follows it) or skipped (nothing to correct)
            raise DeliveryError(
                "the breach it corrects is not told yet", retry_at=now + timedelta(seconds=5), deferred=True
            )
        if breach.get("status") != "sent" or breach.get("skipped"):
            return {"skipped": "the breach was never told in Slack"}
        text = breach_withdrawn_text(esc, note.status, esc.breach_withdrawn_at or now)
        managers_ts = breach.get("managers_ts")
        if self.managers_channel and managers_ts:
            # the edit first: a retry after it edits again (harmless), never posts the correction twice
            permalink = str(breach.get("permalink") or "") or self._alert_permalink(note, now)
            post_text, blocks = withdrawn_breach_post(esc, note.status, permalink, esc.breach_withdrawn_at or now)
            edited = self._mark_withdrawn(esc, now, self.managers_channel, str(managers_ts), post_text, blocks)
            posted = self._managers_post(note, now, self.managers_channel, text, thread_ts=str(managers_ts))
            return {**posted, **edited}
        if esc.late_when_seen and self._digest_told(esc, breach, now):
            return self._managers_post(note, now, self.managers_channel or self.alerts_channel, text)
        edited = {}
        note_channel, note_ts = breach.get("thread_note_channel"), breach.get("thread_note_ts")
        if note_channel and note_ts:  # the breach told in the alert's thread, for want of a managers' channel
            note_text = withdrawn_breach_thread_text(esc, note.status, esc.breach_withdrawn_at or now)
            edited = self._mark_withdrawn(esc, now, str(note_channel), str(note_ts), note_text, [])
        return {**self._thread_note(note, now, "note_ts", text), **edited}

    @staticmethod
    def _digest_told(esc: Escalation, breach: Mapping[str, Any], now: datetime) -> bool:
        """Whether the digest of a late find named it to the managers (a breach queued before digests were
        named in its payload: taken as told). One the digest left out is corrected in the alert's thread only."""
        digest = breach.get("digest")
        if not isinstance(digest, Mapping):
            return True
        if digest.get("status") == "pending":
            # the digest decides first: the managers hear of this late find (then of its correction) or not at all
            raise DeliveryError(
                "the digest it corrects is not posted yet", retry_at=now + timedelta(seconds=5), deferred=True
            )
        listed = digest.get("listed")
        named = not isinstance(listed, list) or esc.id in listed  # a digest found again in history: as posted
        return digest.get("status") == "sent" and not digest.get("skipped") and named

    def _mark_withdrawn(
        self, esc: Escalation, now: datetime, channel: str, ts: str, text: str, blocks: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any]:
        """Edit the post that told the breach (the managers' post, or the note in the alert's thread) to say it
        is withdrawn, so nobody reads a breach that did not happen.

        Paced and retried like the alerts' updates (a rate limit defers, a failure raises for a retry); one
        Slack will not edit (deleted, too old to edit) is logged and left: the correction still goes out.
        """
        if not self.updates.take(now):
            raise DeliveryError("pacing chat.update", retry_at=self._slot("update", self.updates, now), deferred=True)
        try:
            self._chat_update(channel, ts, text, blocks, now)
        except _Refused as exc:
            log.warning(
                "escalation #%d: could not mark the post that told its breach withdrawn (%s); the correction is posted",
                esc.id,
                exc.error,
            )
            return {"breach_edit": exc.error}
        return {"breach_edited_at": now.isoformat()}

    def _alert_permalink(self, note: Notification, now: datetime) -> str | None:
        """The link to the alert (a breach post found again in history kept none of its own)."""
        channel, ts = note.alert_result.get("channel"), note.alert_result.get("ts")
        if not channel or not ts or note.alert_result.get("undeliverable"):
            return None
        return self._permalink(str(channel), str(ts), now)

    def _managers_post(
        self, note: Notification, now: datetime, channel: str, text: str, thread_ts: str | None = None
    ) -> Mapping[str, Any]:
        """Post `text` to `channel` once (in the thread of `thread_ts`, shown in the channel too); its ts."""
        esc = note.escalation
        if self._may_have_posted(note.key, note.attempts, note.queued_at):
            found = self._find_posted(channel, note.key, _ref(esc), note.queued_at or now, now, thread_ts=thread_ts)
            if found is not None:
                return {"channel": channel, "ts": found, "reconciled": True}
        self._take_post(channel, now)
        try:
            resp = self._post(channel, note.key, esc, now, text=text, thread_ts=thread_ts, broadcast=bool(thread_ts))
        except _Refused as exc:
            if not thread_ts or exc.error not in GONE_ERRORS:
                raise
            # the post it answers was deleted: the correction stands on its own
            resp = self._post(channel, note.key, esc, now, text=text)
        return {"channel": resp["channel"], "ts": resp["ts"]}

    def _deliver_digest(self, digest: Digest, now: datetime) -> Mapping[str, Any]:
        if not digest.items:
            return {"skipped": "none of its escalations is left"}
        channel = self.managers_channel or self.alerts_channel
        linked = digest.items[:DIGEST_LINKS]
        waiting = [i for i in linked if not i.alert_result.get("ts") and not i.alert_result.get("undeliverable")]
        if waiting and now - (digest.queued_at or now) < DIGEST_WAITS:
            # their alerts are queued before it (paced to one a second): wait a little, so it can link them
            wait = f"{len(waiting)} of the alerts it links are not in Slack yet"
            raise DeliveryError(wait, retry_at=now + DIGEST_RETRY, deferred=True)
        if self._may_have_posted(digest.key, digest.attempts, digest.queued_at):
            found = self._find_posted(channel, digest.key, DIGEST_REF, digest.queued_at or now, now)
            if found is not None:
                return {"channel": channel, "ts": found, "reconciled": True}
        self._take_post(channel, now)
        links: dict[int, str] = {}
        for item in linked:
            alert_channel, alert_ts = item.alert_result.get("channel"), item.alert_result.get("ts")
            if alert_channel and alert_ts and not item.alert_result.get("undeliverable"):
                link = self._permalink(str(alert_channel), str(alert_ts), now)
                if link:
                    links[item.escalation.id] = link
        resp = self._post(channel, digest.key, None, now, text=late_digest_text(digest, links))
        listed = [item.escalation.id for item in digest.items]  # a withdrawal corrects only what it told
        return {"channel": resp["channel"], "ts": resp["ts"], "linked": len(links), "listed": listed}

    def _deliver_state(self, note: Notification, now: datetime) -> Mapping[str, Any]:
        esc = note.escalation
        channel, ts = self._alert_ref(note, now)
        if not self.updates.take(now):
            raise DeliveryError("pacing chat.update", retry_at=self._slot("update", self.updates, now), deferred=True)

        def update(ch: str, thread: str) -> dict[str, Any]:
            self._update(esc, note.status, ch, thread, now)
            return {"updated_at": now.isoformat()}

        return self._on_alert(note, now, channel, ts, update)

    def _on_alert(
        self,
        note: Notification,
        now: datetime,
        channel: str,
        ts: str,
        action: Callable[[str, str], dict[str, Any]],
    ) -> dict[str, Any]:
        """Run `action` on the alert; if the alert is gone, post it again once and run it there."""
        try:
            return action(channel, ts)
        except _Refused as exc:
            if exc.error not in GONE_ERRORS:
                raise
            esc = note.escalation
            if note.alert_result.get("reposted"):
                self._lost.add(esc.id)
                self._log_once(f"gone:{esc.id}", "escalation #%d: the alert was deleted again; giving up on it", esc.id)
                raise DeliveryError(str(exc), permanent=True) from None
            log.warning("escalation #%d: the alert is gone from Slack (%s); posting it again", esc.id, exc.error)
            alert = {**self._post_alert(f"{esc.id}:opened", esc, note.status, now), "reposted": True}
            self._reposted = alert  # recorded even if the action below fails, so a retry never posts it again
            result = action(alert["channel"], alert["ts"])
            return {**result, "alert": alert}

    def _alert_ref(self, note: Notification, now: datetime) -> tuple[str, str]:
        channel, ts = note.alert_result.get("channel"), note.alert_result.get("ts")
        if channel and ts:
            return str(channel), str(ts)
        if note.alert_result.get("undeliverable"):
            raise DeliveryError("the alert itself could not be posted to Slack", permanent=True)
        # the alert itself is not posted yet (it is queued before this entry): try again shortly
        raise DeliveryError("the alert is not in Slack yet", retry_at=now + timedelta(seconds=5), deferred=True)

    # --- the live countdown -------------------------------------------------------------------

    def refresh(self, board: Sequence[BoardItem], now: datetime) -> None:
        """Update the countdowns that are due, most stale first, within the shared update budget."""
        live = [
            item
            for item in board
            if item.status.running
            and item.alert_result.get("ts")
            and not item.alert_result.get("undeliverable")
            and item.escalation.id not in self._lost
        ]
        ids = {item.escalation.id for item in live}
        for gone in [i for i in self.shown if i not in ids]:
            del self.shown[gone]
            self._history_cache.pop(gone, None)
        if not live or self._paused.get("chat.update", now) > now:
            return
        desired = self._desired(live)
        due: list[tuple[float, BoardItem]] = []
        for item in live:
            esc_id = item.escalation.id
            shown = self.shown.get(esc_id)
            age = (now - shown.at).total_seconds() if shown else float("inf")
            if esc_id in self._dirty or age >= desired[esc_id].total_seconds():
                due.append((age, item))
        # Most stale first, changed or not, for as long as the budget lasts: an update always shows the
        # current time, so when many are open the budget goes round them evenly (see `intervals`) instead
        # of idling until a crowd falls due at once, and hundreds changing state in the same minute
        # do not push the others' countdowns back.
        due.sort(key=lambda d: -d[0])
        self._behind = False
        for _, item in due:
            esc = item.escalation
            text, blocks = self._render(esc, item.status, now)
            fingerprint = _fingerprint(text, blocks)
            shown = self.shown.get(esc.id)
            if shown is not None and shown.fingerprint == fingerprint and esc.id not in self._dirty:
                shown.at = now  # what Slack shows is still true
                continue
            if self.updates.available(now) < 1.0 + DELIVERY_RESERVE:
                self._behind = True
                break
            self.updates.take(now)
            try:
                self._chat_update(str(item.alert_result["channel"]), str(item.alert_result["ts"]), text, blocks, now)
            except _Paused:
                break
            except _Transient as exc:
                self._note_failure(str(exc))
                break
            except _Refused as exc:
                if exc.error in GONE_ERRORS:
                    self._lost.add(esc.id)
                    log.warning(
                        "escalation #%d: the alert message is gone from Slack (%s); it is posted again "
                        "with the next reminder, breach or answer",
                        esc.id,
                        exc.error,
                    )
                else:
                    self._log_once(f"refresh:{exc.error}", "countdown update refused by Slack: %s", exc)
                    # tried again at its cadence, as a countdown that worked: not every tick, which would
                    # spend the update budget the other countdowns need
                    self.shown[esc.id] = _Shown(now, "")
                    self._dirty.discard(esc.id)
                continue
            self._note_recovery()
            self.shown[esc.id] = _Shown(now, fingerprint)
            self._dirty.discard(esc.id)

    def intervals(self, live: Sequence[BoardItem]) -> dict[int, timedelta]:
        """The cadence each open alert can expect: every minute, more often near the deadline, slower when busy."""
        desired = self._desired(live)
        demand = sum(60.0 / d.total_seconds() for d in desired.values())
        scale = max(1.0, demand / self.refresh_per_minute)
        return {esc_id: d * scale for esc_id, d in desired.items()}

    @staticmethod
    def _desired(live: Sequence[BoardItem]) -> dict[int, timedelta]:
        """The cadence each alert would get with budget to spare."""
        return {
            item.escalation.id: FINAL_EVERY if timedelta(0) < item.status.time_left <= FINAL_STRETCH else EVERY
            for item in live
            if item.status.running
        }

    def staleness(self, board: Sequence[BoardItem], now: datetime) -> timedelta:
        """The oldest countdown on show (how far behind the truth any posted alert may be)."""
        ages = [
            now - self.shown[item.escalation.id].at
            for item in board
            if item.status.running and item.escalation.id in self.shown
        ]
        return max(ages, default=timedelta(0))

    def post_health(self, text: str) -> None:
        """Tell the managers about a source gone bad (or back); raises when Slack would not take it."""
        channel = self.managers_channel or self.alerts_channel
        try:
            self._call("chat.postMessage", self.clock.now(), channel=channel, text=f":satellite_antenna: {text}")
        except (_Paused, _Transient, _Refused) as exc:
            raise RuntimeError(f"could not post the health note to Slack: {exc}") from None

    # --- interactivity ------------------------------------------------------------------------

    def post_ephemeral(self, click: Click, text: str) -> None:
        """Tell one user, privately, why their click did nothing."""
        if not click.channel_id:
            return
        self._call("chat.postEphemeral", self.clock.now(), channel=click.channel_id, user=click.user_id, text=text)

    def usergroup_members(self, usergroup: str) -> set[str]:
        """The user ids in a Slack user group."""
        resp = self._call("usergroups.users.list", self.clock.now(), usergroup=usergroup)
        return {str(u) for u in resp.get("users") or ()}

    # --- rendering ----------------------------------------------------------------------------

    def _render(self, esc: Escalation, sla: SlaStatus, now: datetime) -> tuple[str, list[dict[str, Any]]]:
        blocks = alert_blocks(
            esc,
            sla,
            history=self._author_history(esc, now),
            suggestion=suggest_reply(self.templates, esc) if sla.running else None,
        )
        return alert_text(esc, sla), blocks

    def _author_history(self, esc: Escalation, now: datetime) -> list[tuple[Escalation, SlaStatus]]:
        if self.history is None:
            return []
        cached = self._history_cache.get(esc.id)
        if cached is not None and now - cached[0] < HISTORY_CACHE_FOR:
            return cached[1]
        try:
            since = esc.created_at - timedelta(days=HISTORY_DAYS)
            past = self.history(esc.platform, esc.author, since, esc.id, esc.author_id)
        except Exception as exc:
            self._log_once("history", "could not read the author's history (%s); alerts show none", exc)
            return []
        items = [(p, status(p, self.policy, now)) for p in past if p.created_at <= esc.created_at]
        self._history_cache[esc.id] = (now, items)
        return items

    # --- Slack calls ----------------------------------------------------------------------------

    def _post(
        self,
        channel: str,
        key: str,
        esc: Escalation | None,  # None: a digest, about several escalations
        now: datetime,
        *,
        text: str,
        blocks: Sequence[Mapping[str, Any]] | None = None,
        thread_ts: str | None = None,
        event: str = POST_EVENT,
        broadcast: bool = False,
    ) -> Mapping[str, Any]:
        self._seq += 1
        about: dict[str, Any] = {"ref": DIGEST_REF, "key": key}
        if esc is not None:
            about = {"ref": _ref(esc), "key": key, "escalation": esc.id}
        kwargs: dict[str, Any] = {
            "channel": channel,
            "text": text,
            "unfurl_links": False,
            "unfurl_media": False,
            "metadata": {"event_type": event, "event_payload": about},
        }
        if blocks is not None:
            kwargs["blocks"] = list(blocks)
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
            if broadcast:
                kwargs["reply_broadcast"] = True  # a thread reply shown in the channel as well
        try:
            resp = self._call("chat.postMessage", now, **kwargs)
        except _Transient:
            # Slack may have posted it and only the answer was lost: look before posting again
            self._uncertain[key] = self._seq
            raise
        except _Refused as exc:
            if exc.error in CHANNEL_ERRORS:
                self._log_once(f"channel:{channel}:{exc.error}", "Slack channel %s unusable (%s)", channel, exc.error)
            raise
        self._uncertain.pop(key, None)
        return resp

    def _update(self, esc: Escalation, sla: SlaStatus, channel: str, ts: str, now: datetime) -> None:
        text, blocks = self._render(esc, sla, now)
        self._chat_update(channel, ts, text, blocks, now)
        self.shown[esc.id] = _Shown(now, _fingerprint(text, blocks))
        self._dirty.discard(esc.id)

    def _chat_update(
        self, channel: str, ts: str, text: str, blocks: Sequence[Mapping[str, Any]], now: datetime
    ) -> None:
        self._call("chat.update", now, channel=channel, ts=ts, text=text, blocks=list(blocks))

    def _permalink(self, channel: str, ts: str, now: datetime) -> str | None:
        if ts in self._permalinks:
            return self._permalinks[ts]
        try:
            link = str(self._call("chat.getPermalink", now, channel=channel, message_ts=ts).get("permalink") or "")
        except (_Transient, _Refused, _Paused) as exc:
            self._log_once("permalink", "could not get a permalink (%s); the managers' post names the channel", exc)
            return None
        self._permalinks[ts] = link
        return link or None

    def _may_have_posted(self, key: str, attempts: int, queued_at: datetime | None) -> bool:
        queued_before_start = queued_at is not None and queued_at < self.started_at
        return key in self._uncertain or attempts > 0 or queued_before_start

    def _find_posted(
        self,
        channel: str,
        key: str,
        ref: str,
        since: datetime,
        now: datetime,
        thread_ts: str | None = None,
    ) -> str | None:
        """The ts of a message we posted earlier for this key, from the channel's (or thread's) history."""
        oldest = since - RECONCILE_MARGIN
        cache_key = (channel, thread_ts or "")
        scan = self._scans.get(cache_key)
        stale = key in self._uncertain and (scan is None or scan.seq <= self._uncertain[key])
        if scan is None or scan.oldest > oldest or stale:
            try:
                found = self._scan(channel, oldest, now, thread_ts)
            except _Refused as exc:
                # a lookup Slack will not answer (a missing history scope) must not cost the post itself
                self._log_once(
                    f"scan:{channel}:{exc.error}", "cannot look for posts already made (%s); posting without", exc
                )
                return None
            scan = _Scan(oldest, self._seq, found)
            if len(self._scans) > 1000:
                self._scans.clear()
            self._scans[cache_key] = scan
        return scan.found.get((ref, key))

    def _scan(self, channel: str, oldest: datetime, now: datetime, thread_ts: str | None) -> dict[tuple[str, str], str]:
        found: dict[tuple[str, str], str] = {}
        cursor: str | None = None
        for _ in range(MAX_HISTORY_PAGES):
            args: dict[str, Any] = {"channel": channel, "limit": 200, "include_all_metadata": True}
            if cursor:
                args["cursor"] = cursor
            if thread_ts:
                resp = self._call("conversations.replies", now, ts=thread_ts, **args)
            else:
                resp = self._call("conversations.history", now, oldest=f"{oldest.timestamp():.6f}", **args)
            for message in resp.get("messages") or ():
                meta = message.get("metadata") or {}
                payload = meta.get("event_payload") or {}
                if meta.get("event_type") in (ALERT_EVENT, POST_EVENT) and payload.get("key"):
                    found.setdefault((str(payload.get("ref")), str(payload["key"])), str(message.get("ts")))
            cursor = ((resp.get("response_metadata") or {}).get("next_cursor")) or None
            if not cursor:
                break
        return found

    def _call(self, method: str, now: datetime, **kwargs: Any) -> Mapping[str, Any]:
        until = self._paused.get(method)
        if until is not None and until > now:
            raise _Paused(method, until)
        try:
            resp = getattr(self.client, method.replace(".", "_"))(**kwargs)
        except SlackApiError as exc:
            code = exc.response.status_code
            error = str(exc.response.get("error") or f"HTTP {code}") if isinstance(exc.response.data, dict) else ""
            self._observe(method, False, error or f"HTTP {code}")
            if code == 429 or error in RATE_LIMIT_ERRORS:
                headers = {k.lower(): v for k, v in (exc.response.headers or {}).items()}
                retry = headers.get("retry-after")
                wait = _retry_after(retry[0] if isinstance(retry, list) else retry)
                self._paused[method] = now + timedelta(seconds=wait)
                log.warning("Slack rate limit on %s: waiting %d s (the loop goes on)", method, wait)
                raise _Paused(method, self._paused[method]) from None
            if error in AUTH_ERRORS:
                raise NotifierStopped(
                    f"Slack rejected the bot token ({error}); fix slack.bot_token and restart"
                ) from None
            if code >= 500 or error in TRANSIENT_ERRORS or not error:
                raise _Transient(f"{method}: Slack answered HTTP {code} {error}".rstrip()) from None
            raise _Refused(method, error) from None
        except (OSError, http.client.HTTPException, UnicodeError, LookupError) as exc:
            # UnicodeError/LookupError: slack_sdk decoding a (proxy's) body in another or an unknown charset
            self._observe(method, False, type(exc).__name__)
            raise _Transient(f"{method}: {type(exc).__name__}: {exc}") from None
        self._observe(method, True, "")
        return resp.data if isinstance(resp.data, dict) else {}

    def _observe(self, method: str, ok: bool, error: str) -> None:
        if self.observe_call is not None:
            self.observe_call(method, ok, error)

    def _take_post(self, channel: str, now: datetime) -> None:
        pace = self._post_paces.setdefault(channel, Pace(60 * self.posts_per_second, POST_BURST))
        if not pace.take(now):
            raise DeliveryError(
                f"pacing posts to {channel}", retry_at=self._slot(f"post:{channel}", pace, now), deferred=True
            )

    def _slot(self, name: str, pace: Pace, now: datetime) -> datetime:
        # deferred entries get successive slots, so they come back one by one rather than all at once
        at = max(pace.next_at(now), self._slots.get(name, now))
        self._slots[name] = at + timedelta(seconds=1 / pace.rate)
        return at

    def _log_once(self, key: str, message: str, *args: Any) -> None:
        if key not in self._logged:
            self._logged.add(key)
            log.warning(message, *args)

    def _note_failure(self, text: str) -> None:
        if self._failing is None:
            log.warning("Slack is failing (%s); retrying with backoff", text)
        self._failing = text

    def _note_recovery(self) -> None:
        if self._failing is not None:
            log.info("Slack recovered")
            self._failing = None


class SlackRuntime:
    """The Slack notifier plus its interactivity: the click queue, who may act, and Socket Mode."""

    def __init__(self, notifier: SlackNotifier, gate: Gatekeeper, clicks: ClickQueue | None = None) -> None:
        self.notifier = notifier
        self.gate = gate
        self.clicks = clicks or ClickQueue()
        self.socket: Any = None

    def listener(self, client: Any, req: Any) -> None:
        """Socket Mode listener: acknowledge the envelope at once and queue the clicks for the main loop."""
        from slack_sdk.socket_mode.response import SocketModeResponse

        try:
            client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
        except Exception as exc:
            log.warning("could not acknowledge a Socket Mode envelope: %s", exc)
        if req.type != "interactive":
            return
        try:
            clicks = parse_block_actions(req.payload)
        except Exception:
            log.exception("malformed interactive payload ignored")
            return
        for click in clicks:
            self.clicks.put(click)

    def apply_clicks(self, engine: EscalationEngine) -> int:
        """Apply the queued clicks (a job of the main loop); returns how many were handled."""
        clicks = self.clicks.drain()
        ours = [click for click in clicks if not self._on_another_alert(click, engine)]
        outcomes = apply_clicks(ours, engine, self.gate, self.notifier.post_ephemeral)
        return len(outcomes) + len(clicks) - len(ours)

    def _on_another_alert(self, click: Click, engine: EscalationEngine) -> bool:
        """Whether the click came from a message that is not the alert we posted for its escalation.

        Escalation ids are only unique within one database: an alert left in the channel by an earlier
        database (or another replyclock) names an id that here is someone else's complaint.
        """
        lookup = getattr(engine.store, "outbox_entry", None)
        if not click.message_ts or lookup is None:
            return False
        try:
            entry = lookup(self.notifier.name, f"{click.escalation_id}:opened")
        except Exception as exc:
            log.warning("could not check which alert a click came from (%s); applying it", type(exc).__name__)
            return False
        posted = str((entry.result or {}).get("ts") or "") if entry is not None else ""
        if not posted or posted == click.message_ts:
            return False
        log.warning(
            "click %s on #%d by %s ignored: it came from message %s, not from the alert (%s)",
            click.action,
            click.escalation_id,
            click.user_id,
            click.message_ts,
            posted,
        )
        try:
            self.notifier.post_ephemeral(
                click, f":warning: Nothing changed: this is not the current alert of escalation #{click.escalation_id}."
            )
        except Exception as exc:
            log.warning("could not tell %s why the click did nothing: %s", click.user_id, exc)
        return True

    def start_socket_mode(self, app_token: str) -> None:
        """Connect to Slack over Socket Mode (no public URL needed); clicks arrive on its thread."""
        from slack_sdk.socket_mode import SocketModeClient

        self.socket = SocketModeClient(app_token=app_token, web_client=self.notifier.client)
        self.socket.socket_mode_request_listeners.append(self.listener)
        self.socket.connect()
        log.info("Slack Socket Mode connected: buttons are live")

    def close(self) -> None:
        """Disconnect Socket Mode."""
        if self.socket is not None:
            try:
                self.socket.close()
            finally:
                self.socket = None


def build_slack_notifier(
    *,
    token: str,
    base_url: str,
    alerts_channel: str,
    policy: SlaPolicy,
    clock: Clock,
    managers_channel: str | None = None,
    mention_on_reminder: str | None = None,
    templates: Path | None = None,
    history: HistoryLookup | None = None,
) -> SlackNotifier:
    """The Slack notifier from plain settings values."""
    return SlackNotifier(
        make_client(token, base_url),
        alerts_channel=alerts_channel,
        managers_channel=managers_channel,
        mention_on_reminder=mention_on_reminder,
        policy=policy,
        clock=clock,
        templates=load_reply_templates(templates),
        history=history,
    )
