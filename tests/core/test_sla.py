"""The SLA clock as a table: boundaries, reminders, late answers, posts older than the deadline."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from alerts.sla import SlaState, status
from monitor.models import Escalation, Outcome, SlaPolicy

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
M = timedelta(minutes=1)
POLICY = SlaPolicy(response_time=60 * M, reminders=(30 * M, 10 * M))


def esc(**kw: object) -> Escalation:
    base = Escalation(
        id=1,
        mention_id=1,
        platform="x",
        external_id="1",
        author="@a",
        text="t",
        lang="pl",
        created_at=T0,
        opened_at=T0 + 2 * M,
        clock_started_at=T0,
        deadline=T0 + 60 * M,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("escalation", "at", "state", "left", "breached", "reminder", "outcome"),
    [
        (esc(), 2 * M, SlaState.ON_TRACK, 58 * M, False, None, Outcome.OPEN),
        (esc(), 29 * M, SlaState.ON_TRACK, 31 * M, False, None, Outcome.OPEN),
        # exactly 30 minutes left: the first reminder is due and the clock shows at risk
        (esc(), 30 * M, SlaState.AT_RISK, 30 * M, False, 30 * M, Outcome.OPEN),
        (esc(reminded=frozenset({30 * M})), 45 * M, SlaState.AT_RISK, 15 * M, False, None, Outcome.OPEN),
        (esc(reminded=frozenset({30 * M})), 50 * M, SlaState.AT_RISK, 10 * M, False, 10 * M, Outcome.OPEN),
        # after downtime both points passed: only the most urgent reminder, once
        (esc(), 55 * M, SlaState.AT_RISK, 5 * M, False, 10 * M, Outcome.OPEN),
        (esc(reminded=frozenset({10 * M})), 55 * M, SlaState.AT_RISK, 5 * M, False, None, Outcome.OPEN),
        # one second before the deadline: still in time
        (
            esc(reminded=frozenset({30 * M, 10 * M})),
            60 * M - timedelta(seconds=1),
            SlaState.AT_RISK,
            timedelta(seconds=1),
            False,
            None,
            Outcome.OPEN,
        ),
        # exactly at the deadline: breached (the deadline is the first late moment), no reminder
        (esc(), 60 * M, SlaState.BREACHED, timedelta(0), True, None, Outcome.BREACHED),
        (esc(), 75 * M, SlaState.BREACHED, -15 * M, True, None, Outcome.BREACHED),
        # answered in time: the clock stops at the answer
        (esc(first_response_at=T0 + 23 * M), 90 * M, SlaState.ANSWERED, 37 * M, False, None, Outcome.RESPONDED),
        # an answer exactly at the deadline is late
        (
            esc(first_response_at=T0 + 60 * M),
            61 * M,
            SlaState.ANSWERED_LATE,
            timedelta(0),
            True,
            None,
            Outcome.BREACHED,
        ),
        # answered after the breach: late, the response time is still recorded
        (esc(first_response_at=T0 + 78 * M), 80 * M, SlaState.ANSWERED_LATE, -18 * M, True, None, Outcome.BREACHED),
        # a post already older than the response time when first seen: breached at once, no reminders
        (esc(opened_at=T0 + 70 * M), 70 * M, SlaState.BREACHED, -10 * M, True, None, Outcome.BREACHED),
        # seen with 20 minutes left: the 30-minute point passed before we saw it and is skipped
        (esc(opened_at=T0 + 40 * M), 41 * M, SlaState.AT_RISK, 19 * M, False, None, Outcome.OPEN),
        (esc(opened_at=T0 + 40 * M), 50 * M, SlaState.AT_RISK, 10 * M, False, 10 * M, Outcome.OPEN),
        # resolved or dismissed before the deadline: the clock stops, no breach
        (esc(resolved_at=T0 + 40 * M), 90 * M, SlaState.CLOSED, 20 * M, False, None, Outcome.RESOLVED),
        (esc(dismissed_at=T0 + 5 * M), 90 * M, SlaState.CLOSED, 55 * M, False, None, Outcome.DISMISSED),
        # dismissed after a breach: "not a complaint" overrides the breach
        (esc(dismissed_at=T0 + 70 * M), 90 * M, SlaState.CLOSED, -10 * M, True, None, Outcome.DISMISSED),
        # answered in time, then resolved: resolved
        (
            esc(first_response_at=T0 + 10 * M, resolved_at=T0 + 30 * M),
            90 * M,
            SlaState.ANSWERED,
            50 * M,
            False,
            None,
            Outcome.RESOLVED,
        ),
        # an answer recorded with a time in the future (clock skew) does not stop the clock yet
        (esc(first_response_at=T0 + 40 * M), 30 * M, SlaState.AT_RISK, 30 * M, False, 30 * M, Outcome.OPEN),
    ],
)
def test_clock_table(escalation, at, state, left, breached, reminder, outcome) -> None:
    sla = status(escalation, POLICY, T0 + at)
    assert sla.state == state
    assert sla.time_left == left
    assert sla.breached is breached
    assert sla.reminder_due == reminder
    assert sla.outcome == outcome
    assert sla.deadline == T0 + 60 * M


def test_response_time_and_overdue() -> None:
    sla = status(esc(first_response_at=T0 + 78 * M), POLICY, T0 + 100 * M)
    assert sla.response_time == 78 * M
    assert sla.overdue == 18 * M
    assert not sla.running


def test_next_event_is_the_next_reminder_then_the_deadline() -> None:
    assert status(esc(), POLICY, T0 + 5 * M).next_event_at == T0 + 30 * M
    assert status(esc(), POLICY, T0 + 31 * M).next_event_at == T0 + 50 * M
    assert status(esc(), POLICY, T0 + 51 * M).next_event_at == T0 + 60 * M
    assert status(esc(), POLICY, T0 + 61 * M).next_event_at is None


def test_clock_is_pure() -> None:
    e = esc()
    assert status(e, POLICY, T0 + 40 * M) == status(e, POLICY, T0 + 40 * M)


def test_policy_rejects_reminders_outside_the_response_time() -> None:
    with pytest.raises(ValueError, match="reminder"):
        SlaPolicy(response_time=10 * M, reminders=(30 * M,))
