"""The SLA clock: a pure function of an escalation's stored timestamps, the policy and `now`.

Nothing sleeps until a deadline; every tick recomputes from the clock, so a
restart loses nothing. The clock's start and its deadline were stored when the
escalation opened, under the policy then in force: a later change of the
response time applies to new escalations only. The deadline is the first moment
that counts as late: an answer strictly before it is in time, and an unanswered
escalation is breached from it on. The policy still decides, now, when to remind
(counted back from the stored deadline) and what shows as at risk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from monitor.models import Escalation, Outcome, SlaPolicy


class SlaState(StrEnum):
    """What the clock shows."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    ANSWERED = "answered"
    ANSWERED_LATE = "answered_late"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class SlaStatus:
    """The clock of one escalation at one moment."""

    state: SlaState
    deadline: datetime
    time_left: timedelta
    elapsed: timedelta
    running: bool
    breached: bool
    response_time: timedelta | None
    reminder_due: timedelta | None
    next_event_at: datetime | None
    outcome: Outcome

    @property
    def overdue(self) -> timedelta:
        """How far past the deadline (zero while in time)."""
        return max(-self.time_left, timedelta(0))


def status(escalation: Escalation, policy: SlaPolicy, now: datetime) -> SlaStatus:
    """The clock of `escalation` at `now`: its stored deadline, and `policy`'s reminders and risk threshold."""
    due = escalation.deadline
    stopped_at = escalation.closed_at
    running = stopped_at is None or stopped_at > now
    until = now if running else stopped_at
    assert until is not None
    breached = until >= due
    time_left = due - until
    elapsed = until - escalation.clock_started_at

    if running:
        if breached:
            state = SlaState.BREACHED
        elif time_left <= policy.risk_threshold(escalation.time_allowed):
            state = SlaState.AT_RISK
        else:
            state = SlaState.ON_TRACK
    elif escalation.first_response_at is not None and escalation.first_response_at == stopped_at:
        state = SlaState.ANSWERED_LATE if breached else SlaState.ANSWERED
    else:
        state = SlaState.CLOSED

    reminder_due = _reminder_due(escalation, policy, due, now) if running and not breached else None
    next_event_at = _next_event(escalation, policy, due, now) if running and not breached else None
    return SlaStatus(
        state=state,
        deadline=due,
        time_left=time_left,
        elapsed=elapsed,
        running=running,
        breached=breached,
        response_time=escalation.response_time,
        reminder_due=reminder_due,
        next_event_at=next_event_at,
        outcome=_outcome(escalation, breached, running),
    )


def withdraws_breach(escalation: Escalation, answered_at: datetime) -> bool:
    """Whether an answer written at `answered_at`, found only now, shows the breach already recorded was none.

    A breach is recorded while the clock runs past the deadline, so an answer written before the
    deadline is earlier than anything that stopped the clock: it becomes the first response, and
    the escalation was answered in time. One dismissed as not a complaint never counted: nothing to withdraw.
    """
    return (
        escalation.breached_at is not None
        and escalation.breach_withdrawn_at is None
        and escalation.dismissed_at is None
        and answered_at < escalation.deadline
        and (escalation.closed_at is None or answered_at < escalation.closed_at)
    )


def _reminder_due(escalation: Escalation, policy: SlaPolicy, due: datetime, now: datetime) -> timedelta | None:
    # Only the most urgent passed point counts: after downtime one reminder, not a burst.
    # A point already passed when the escalation opened is skipped: the alert shows the time left.
    passed = [r for r in policy.reminders if due - r <= now and due - r >= escalation.opened_at]
    if not passed:
        return None
    most_urgent = min(passed)
    if any(sent <= most_urgent for sent in escalation.reminded):
        return None
    return most_urgent


def _next_event(escalation: Escalation, policy: SlaPolicy, due: datetime, now: datetime) -> datetime:
    upcoming = [due - r for r in policy.reminders if due - r > now and due - r >= escalation.opened_at]
    return min([*upcoming, due])


def _outcome(escalation: Escalation, breached: bool, running: bool) -> Outcome:
    # "Not a complaint" overrides everything: such an escalation never counted against the SLA.
    if escalation.dismissed_at is not None:
        return Outcome.DISMISSED
    if breached:
        return Outcome.BREACHED
    if running:
        return Outcome.OPEN
    if escalation.resolved_at is not None:
        return Outcome.RESOLVED
    return Outcome.RESPONDED
