"""The escalation engine: opens escalations, ticks the SLA clock and feeds the outbox.

It talks to the store through the small `EscalationStore` protocol below, so
`alerts` depends on `monitor.models` only; `monitor.store.Store` fits it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

from alerts.dismiss import normalise_reason
from alerts.late import LATE_DETAIL, late_reason
from alerts.ports import EscalationStore
from alerts.sla import SlaStatus, status, withdraws_breach
from monitor.clock import Clock
from monitor.models import Escalation, EventKind, NewEvent, OutboxIntent, Score, SlaPolicy

log = logging.getLogger(__name__)

# A breached escalation nobody answered stays on the board this long, in case a late answer comes.
WATCH_AFTER_BREACH = timedelta(days=7)
# Answers are looked for among the replies stored since the last tick that matched them, less this
# much: a reply is stamped with the clock of the poll that stored it, which a clock stepped back (NTP)
# would date before that tick. Minutes of replies to read again cost nothing; a reply missed costs a
# closed escalation the correction of its response time.
ANSWERS_OVERLAP = timedelta(minutes=10)


class NotificationKind:
    """What a notification tells the team."""

    OPENED = "opened"
    REMINDER = "reminder"
    BREACHED = "breached"
    ACKNOWLEDGED = "acknowledged"
    RESPONDED = "responded"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"
    LATE_DIGEST = "late_digest"  # the complaints one tick found already past their deadline, together
    BREACH_WITHDRAWN = "breach_withdrawn"  # the breach told was none: an in-time answer was found after it


@dataclass
class TickReport:
    """What one tick changed."""

    responded: list[int] = field(default_factory=list)
    reminded: list[int] = field(default_factory=list)
    breached: list[int] = field(default_factory=list)
    late: list[int] = field(default_factory=list)  # of `breached`: already past their deadline when first seen
    withdrawn: list[int] = field(default_factory=list)  # breaches told earlier, withdrawn: answered in time after all
    next_event_at: datetime | None = None


class ActionRefused(Exception):
    """An action cannot be applied (unknown escalation, already closed, bad action name)."""


@dataclass(frozen=True, slots=True)
class Acted:
    """What a team action did: the escalation after it, and whether it changed anything."""

    escalation: Escalation
    changed: bool


def unchanged_reason(escalation: Escalation, action: str, name: Callable[[str], str] = str) -> str:
    """Why `action` changed nothing on `escalation`, in words (`name` writes a person, e.g. a Slack mention)."""
    if action == "acknowledge" and escalation.acknowledged_by:
        return f"escalation #{escalation.id} is already acknowledged by {name(escalation.acknowledged_by)}"
    if action == "respond" and escalation.first_response_at is not None:
        by = f", by {name(escalation.responded_by)}" if escalation.responded_by else ""
        return f"escalation #{escalation.id} is already answered{by}"
    return f"escalation #{escalation.id} is already {action}d"


ACTIONS = {
    "acknowledge": EventKind.ACKNOWLEDGED,
    "respond": EventKind.RESPONDED,
    "resolve": EventKind.RESOLVED,
    "dismiss": EventKind.DISMISSED,
}


class EscalationEngine:
    """Opens escalations for complaints and turns the clock's verdicts into events and notifications."""

    def __init__(
        self,
        store: EscalationStore,
        policy: SlaPolicy,
        clock: Clock,
        notifiers: Sequence[str] = (),
    ) -> None:
        self.store = store
        self.policy = policy
        self.clock = clock
        self.notifiers = tuple(notifiers)
        # when this replyclock began ticking (the daemon moves it when it takes over as leader): a deadline
        # before it passed while no replyclock was running
        self.running_since = clock.now()
        # (running_since, when) of the last tick that matched answers: the next looks only at what came
        # since. The first tick of a run (a start, a takeover) looks at every stored reply: the run before
        # may have stored some and stopped before its tick, and its ticks were not ours.
        self._answers_matched: tuple[datetime, datetime] | None = None

    def escalate(self, mention_id: int, score: Score, *, from_brand: bool = False) -> Escalation | None:
        """Open an escalation if `score` is a complaint; None when not a complaint or already open."""
        if from_brand or not score.complaint:
            return None
        now = self.clock.now()
        escalation = self.store.open_escalation(
            mention_id, score, now, notifiers=self.notifiers, response_time=self.policy.response_time
        )
        if escalation is None:
            return None
        sla = status(escalation, self.policy, now)
        log.info(
            "escalation #%d opened: %s %s by %s, %s",
            escalation.id,
            escalation.platform,
            escalation.external_id,
            escalation.author,
            f"{_fmt(sla.time_left)} left" if not sla.breached else f"already {_fmt(sla.overdue)} overdue",
        )
        # An overdue one breaches at the next tick, not here: the team's answer may already be stored
        # (fetched in the same batch after downtime), and the tick matches answers before breaching.
        return escalation

    def tick(self) -> TickReport:
        """Match the team's answers, then send due reminders and breaches; returns what changed."""
        now = self.clock.now()
        report = TickReport()
        matched = self._answers_matched
        since = matched[1] - ANSWERS_OVERLAP if matched is not None and matched[0] == self.running_since else None
        for pending in self.store.pending_responses(since):
            reply = pending.reply
            # An answer the platform dates after this moment (its clock ahead of ours) was written by
            # now: stamped later, it would leave the clock running while the escalation is closed, and
            # its alert counting down for good. As for a post dated ahead (README, Clock skew).
            answered_at = min(reply.created_at, now)
            responded = NewEvent(
                pending.escalation_id,
                EventKind.RESPONDED,
                answered_at,
                actor=reply.author or "brand",
                detail=f"on {reply.platform}",
                key=f"responded:{reply.platform}:{reply.external_id}",
                outbox=tuple(self._intents(pending.escalation_id, NotificationKind.RESPONDED, now)),
            )
            # only a breach recorded can be withdrawn: the escalation is read for those alone
            before = self.store.escalation(pending.escalation_id) if pending.breached_at is not None else None
            if before is not None and withdraws_breach(before, answered_at):
                recorded = self._withdraw_breach(before, responded, now)
                if recorded:
                    report.withdrawn.append(before.id)
            else:
                recorded = self.store.record_event(**_event_args(responded), only_if_changed=True)
            if recorded:
                escalation = self.store.escalation(pending.escalation_id)
                if escalation.first_response_at == answered_at:
                    report.responded.append(escalation.id)
                    log.info(
                        "escalation #%d answered on %s after %s",
                        escalation.id,
                        reply.platform,
                        _fmt(answered_at - escalation.clock_started_at),
                    )
        # only once every answer found is recorded: a tick that fails here looks again from the same point
        self._answers_matched = (self.running_since, now)
        next_events: list[datetime] = []
        late: list[Escalation] = []
        for escalation in self.store.active_escalations():
            sla = status(escalation, self.policy, now)
            if sla.breached and escalation.breached_at is None and sla.running:
                if escalation.late_when_seen:
                    late.append(escalation)
                else:
                    self._breach(escalation, sla, now)
                report.breached.append(escalation.id)
            elif sla.reminder_due is not None:
                self._remind(escalation, sla, sla.reminder_due, now)
                report.reminded.append(escalation.id)
            if sla.breached and sla.running and now - sla.deadline > WATCH_AFTER_BREACH:
                self.store.mark_settled(escalation.id)
            if sla.next_event_at is not None:
                next_events.append(sla.next_event_at)
        if late:
            report.late = self._breach_late(late, now)
        report.next_event_at = min(next_events) if next_events else None
        return report

    def act(self, escalation_id: int, action: str, actor: str, detail: str = "") -> Escalation:
        """Apply a team action (acknowledge / respond / resolve / dismiss) from Slack or the CLI."""
        return self.apply(escalation_id, action, actor, detail).escalation

    def apply(self, escalation_id: int, action: str, actor: str, detail: str = "") -> Acted:
        """`act`, also saying whether it changed anything (a second acknowledge or answer is only logged)."""
        kind = ACTIONS.get(action)
        if kind is None:
            raise ActionRefused(f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}")
        now = self.clock.now()
        try:
            before = self.store.escalation(escalation_id)
        except KeyError:
            raise ActionRefused(f"no escalation #{escalation_id}") from None
        closed = [(at, how) for at, how in ((before.resolved_at, "resolved"), (before.dismissed_at, "dismissed")) if at]
        if closed:
            by = f" by {before.closed_by}" if before.closed_by else ""
            raise ActionRefused(f"escalation #{escalation_id} is already {min(closed)[1]}{by}")
        if kind == EventKind.DISMISSED:  # Slack's code and the CLI's words: one form, so that reports group them
            detail = normalise_reason(detail)
        key = f"{kind}:{actor}:{now.isoformat()}"
        self.store.record_event(
            escalation_id,
            kind,
            now,
            actor=actor,
            detail=detail or "by hand",
            key=key,
            outbox=self._intents(escalation_id, str(kind), now, {"actor": actor, "detail": detail}),
            only_if_changed=True,
        )
        after = self.store.escalation(escalation_id)
        if after != before:
            log.info("escalation #%d %s by %s", escalation_id, kind, actor)
        return Acted(after, after != before)

    def _breach(self, escalation: Escalation, sla: SlaStatus, now: datetime) -> None:
        """An escalation whose deadline passed while its clock ran (one found already late: `_breach_late`)."""
        outbox = self._intents(escalation.id, NotificationKind.BREACHED, now)
        if self.store.record_event(escalation.id, EventKind.BREACHED, sla.deadline, outbox=outbox):
            log.warning(
                "escalation #%d BREACHED: no answer %s after the post (%s by %s)",
                escalation.id,
                _fmt(escalation.time_allowed),
                escalation.platform,
                escalation.author,
            )

    def _withdraw_breach(self, escalation: Escalation, responded: NewEvent, now: datetime) -> bool:
        """Record an in-time answer found after the breach was recorded, and the breach's withdrawal, together.

        The breach stays in the log (the managers were told of it); the withdrawal, dated when the
        answer was found, queues the correction. One transaction: no crash keeps the answer and
        loses the correction, as the answer stops the clock and is never matched again.
        """
        took = max(responded.at - escalation.clock_started_at, timedelta(0))
        detail = (
            f"answered {_fmt(took)} after the post ({responded.at:%Y-%m-%d %H:%M} UTC), within the "
            f"{_fmt(escalation.time_allowed)} SLA; the answer was found {_fmt(now - escalation.deadline)} after "
            "the deadline, once the breach was recorded"
        )
        withdrawn = NewEvent(
            escalation.id,
            EventKind.BREACH_WITHDRAWN,
            now,
            detail=detail,
            outbox=tuple(
                self._intents(
                    escalation.id,
                    NotificationKind.BREACH_WITHDRAWN,
                    now,
                    {"answered_at": responded.at.isoformat(), "breached_at": _iso(escalation.breached_at)},
                )
            ),
        )
        if not self.store.record_events([responded, withdrawn]):
            return False
        log.warning(
            "escalation #%d breach WITHDRAWN: %s (%s by %s); the managers are told",
            escalation.id,
            detail,
            escalation.platform,
            escalation.author,
        )
        return True

    def _breach_late(self, late: Sequence[Escalation], now: datetime) -> list[int]:
        """Record the breach of each complaint found already late, and queue one digest of them all.

        Each still tells the team (its alert shows it overdue, with a note why); the managers get the
        digest instead of a post each, which on a first start or after downtime would be a flood.
        Breaches and digest are written in one transaction: no crash records the one without the other.
        """
        first_reads = self.store.first_reads()
        late = sorted(late, key=lambda e: (e.deadline - e.opened_at, e.id))  # longest overdue first
        reasons = {e.id: late_reason(e, first_reads, self.running_since) for e in late}
        # an escalation breaches once, so the first of them names this digest alone
        key = f"late:{min(e.id for e in late)}"
        # each breach names its digest: a withdrawal tells the managers only what the digest told them
        told = {"late_when_seen": True, "digest": key}
        events = [
            NewEvent(
                e.id,
                EventKind.BREACHED,
                e.opened_at,  # it was past its deadline already: breached from the moment it was seen
                detail=LATE_DETAIL,
                outbox=tuple(self._intents(e.id, NotificationKind.BREACHED, now, told)),
            )
            for e in late
        ]
        payload = {
            "escalations": [{"id": e.id, "reason": str(reasons[e.id]), "source": e.source} for e in late],
            "running_since": self.running_since.isoformat(),
            "first_reads": {e.source: first_reads[e.source].isoformat() for e in late if e.source in first_reads},
        }
        digest = [OutboxIntent(n, key, NotificationKind.LATE_DIGEST, payload, queued_at=now) for n in self.notifiers]
        recorded = self.store.record_events(events, outbox=digest)
        for e in late:
            if e.id in recorded:
                log.info(
                    "escalation #%d breached: already %s past its deadline when first seen (%s by %s, %s)",
                    e.id,
                    _fmt(e.opened_at - e.deadline),
                    e.platform,
                    e.author,
                    reasons[e.id],
                )
        if recorded:
            log.warning(
                "%d complaint(s) were already past their deadline when first seen (%s): recorded as breaches, "
                "the managers get one digest",
                len(recorded),
                ", ".join(sorted({str(reasons[i]) for i in recorded})),
            )
        return recorded

    def _remind(self, escalation: Escalation, sla: SlaStatus, point: timedelta, now: datetime) -> None:
        seconds = int(point.total_seconds())
        if self.store.record_event(
            escalation.id,
            EventKind.REMINDED,
            now,
            detail=f"{seconds}s left",
            key=f"reminded:{seconds}",
            outbox=self._intents(
                escalation.id, NotificationKind.REMINDER, now, {"point_seconds": seconds}, suffix=str(seconds)
            ),
        ):
            log.info("escalation #%d reminder: %s left", escalation.id, _fmt(sla.time_left))

    def _intents(
        self,
        escalation_id: int,
        kind: str,
        now: datetime,
        payload: Mapping[str, Any] | None = None,
        suffix: str = "",
    ) -> list[OutboxIntent]:
        """One outbox entry per notifier, keyed so that the same notification is queued once."""
        key = f"{escalation_id}:{kind}" + (f":{suffix}" if suffix else "")
        if kind == NotificationKind.ACKNOWLEDGED:
            key += f":{now.isoformat()}"  # every claim is worth telling
        return [OutboxIntent(n, key, kind, dict(payload or {}), queued_at=now) for n in self.notifiers]


def _event_args(event: NewEvent) -> dict[str, Any]:
    """`event`'s fields as `record_event`'s arguments, which bear the same names."""
    return {f.name: getattr(event, f.name) for f in fields(event)}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _fmt(delta: timedelta) -> str:
    sign = "-" if delta < timedelta(0) else ""
    minutes, seconds = divmod(int(abs(delta).total_seconds()), 60)
    if not minutes:
        return f"{sign}{seconds}s"
    return f"{sign}{minutes}m{seconds:02d}s" if seconds else f"{sign}{minutes}m"
