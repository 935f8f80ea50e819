"""Complaints already past their deadline when replyclock first saw them ("late finds"): why, in words.

A first start on a source reads back (X's newest page, Facebook's look-back window), and a
restart after downtime catches up: either can find dozens of complaints whose time ran out
before replyclock could see them. Each is a breach in the SLA log all the same; the managers
hear of them in one digest per tick rather than in a post each (see `EscalationEngine.tick`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from enum import StrEnum

from monitor.models import Escalation

LATE_DETAIL = "already late when first seen"  # the detail of such a breach in the event log


class LateReason(StrEnum):
    """Why a complaint was already past its deadline when replyclock first saw it."""

    FIRST_READ = "first_read"  # posted before replyclock first read its source: the first read reached back
    NOT_RUNNING = "not_running"  # its deadline passed before this replyclock started leading
    SOURCE_BEHIND = "source_behind"  # while replyclock ran: the source failing, rate limited, or listing it late


def late_reason(escalation: Escalation, first_reads: Mapping[str, datetime], running_since: datetime) -> LateReason:
    """Why `escalation` was late when first seen, from its source's first read and when this run began."""
    first_read = first_reads.get(escalation.source)
    if first_read is not None and escalation.created_at < first_read:
        return LateReason.FIRST_READ
    if escalation.deadline <= running_since:
        return LateReason.NOT_RUNNING
    return LateReason.SOURCE_BEHIND


def why_late(
    found: Iterable[tuple[str, str]],
    first_reads: Mapping[str, datetime],
    running_since: datetime | None,
    when: Callable[[datetime], str],
) -> list[str]:
    """One phrase per reason (and source) among `found` (reason, source) pairs, each led by how many."""
    counts: dict[tuple[str, str], int] = {}
    for reason, source in found:
        # "replyclock was not running" is the same story whichever source brought them
        group = (reason, "" if reason == LateReason.NOT_RUNNING else source)
        counts[group] = counts.get(group, 0) + 1
    phrases = []
    for (reason, source), n in counts.items():
        name = source or "a source"
        if reason == LateReason.FIRST_READ:
            first = first_reads.get(source)
            phrases.append(f"{n} posted before replyclock first read {name}" + (f" ({when(first)})" if first else ""))
        elif reason == LateReason.NOT_RUNNING:
            again = f" (it started {when(running_since)})" if running_since else ""
            phrases.append(f"{n} whose deadline passed while replyclock was not running{again}")
        else:
            phrases.append(
                f"{n} that {name} gave replyclock only after their deadline "
                "(the source failing or rate limited, or the platform listing them late)"
            )
    return phrases
