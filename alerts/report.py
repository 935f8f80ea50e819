"""The SLA log: one record per escalation, as JSON for tools and as a table for managers."""

from __future__ import annotations

import json
import math
import statistics
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from alerts.dismiss import parse_reason
from alerts.sla import status
from alerts.text import shorten
from monitor.models import Escalation, Outcome, SlaPolicy


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _tenths(took: timedelta) -> float:
    """Minutes cut (not rounded) to a tenth: an answer at 59 min 58 s must not read as 60.0, the deadline."""
    return (took // timedelta(seconds=6)) / 10


def report_records(escalations: Sequence[Escalation], policy: SlaPolicy, now: datetime) -> list[dict[str, Any]]:
    """One record per escalation, with the fields of `replyclock report --format json`."""
    records = []
    for esc in escalations:
        sla = status(esc, policy, now)
        reason = parse_reason(esc.dismiss_reason)
        records.append(
            {
                "id": esc.id,
                "platform": esc.platform,
                "external_id": esc.external_id,
                "author": esc.author,
                "lang": esc.lang,
                "text": esc.text,
                "created_at": _iso(esc.created_at),
                "alerted_at": _iso(esc.alerted_at),
                "first_response_at": _iso(esc.first_response_at),
                "outcome": str(sla.outcome),
                "response_minutes": _tenths(sla.response_time) if sla.response_time is not None else None,
                # extensions beyond the contract above
                "severity": esc.severity,
                "url": esc.url,
                "deadline": _iso(sla.deadline),
                "clock_started_at": _iso(esc.clock_started_at),
                "sla_minutes": round(esc.time_allowed.total_seconds() / 60, 1),
                "breached_at": _iso(esc.breached_at),
                "overdue_minutes": round(sla.overdue.total_seconds() / 60, 1) if sla.breached else None,
                "acknowledged_by": esc.acknowledged_by,
                "responded_by": esc.responded_by,
                "resolved_at": _iso(esc.resolved_at),
                "dismissed_at": _iso(esc.dismissed_at),
                # one code whether it came from Slack or the CLI (alerts/dismiss.py), and the free text with it
                "dismiss_reason": reason.code,
                "dismiss_note": reason.note,
                "reasons": list(esc.reasons),
                # past its deadline when replyclock first saw it (first start on a source, downtime)
                "late_when_seen": esc.late_when_seen,
                # a breach was recorded and told, then withdrawn when an answer written before the deadline
                # was found (the outcome is then `responded`; `breached_at` still says when it was told)
                "breach_withdrawn_at": _iso(esc.breach_withdrawn_at),
            }
        )
    return records


def render_json(records: Sequence[dict[str, Any]]) -> str:
    """The JSON array printed by `replyclock report --format json`."""
    return json.dumps(list(records), ensure_ascii=False, indent=2)


def summary_lines(records: Sequence[dict[str, Any]]) -> list[str]:
    """A manager's summary: counts by outcome, in-time rate, median and slowest response."""
    if not records:
        return ["no escalations yet"]
    outcomes = Counter(r["outcome"] for r in records)
    counted = [r for r in records if r["outcome"] != Outcome.DISMISSED]
    answered = [r["response_minutes"] for r in counted if r["response_minutes"] is not None]
    decided = [r for r in counted if r["outcome"] != Outcome.OPEN]
    breached = outcomes.get(Outcome.BREACHED, 0)
    lines = [
        f"{len(records)} escalations: " + ", ".join(f"{outcomes.get(o, 0)} {o}" for o in Outcome if outcomes.get(o)),
    ]
    if decided:
        in_time = len(decided) - breached
        lines.append(f"within SLA: {in_time}/{len(decided)} ({100 * in_time / len(decided):.0f}%)")
    late = sum(1 for r in decided if r["outcome"] == Outcome.BREACHED and r.get("late_when_seen"))
    if late:
        # the team's own figure: these were past their deadline before replyclock could show them to anyone
        own = len(decided) - late
        rate = f"{in_time}/{own} ({100 * in_time / own:.0f}%)" if own else "none left to judge"
        lines.append(
            f"already late when first seen: {late} of the {breached} breaches (marked *); "
            f"without them, within SLA: {rate}"
        )
    withdrawn = sum(1 for r in records if r.get("breach_withdrawn_at"))
    if withdrawn:
        # the managers were told of these breaches: the log says why they no longer count
        lines.append(
            f"breach posts withdrawn: {withdrawn} (answered in time, the answer found only after the breach "
            "was told; counted within SLA, marked 'breach withdrawn')"
        )
    dismissed = Counter(r.get("dismiss_reason") or "" for r in records if r["outcome"] == Outcome.DISMISSED)
    if dismissed:
        ranked = sorted(dismissed.items(), key=lambda pair: (-pair[1], pair[0] == "", pair[0]))
        lines.append("not a complaint: " + ", ".join(f"{n} {code or 'without a reason'}" for code, n in ranked))
    if answered:
        # cut like the table's minutes: 59.9 must not read as 60, the deadline
        median, slowest = math.floor(statistics.median(answered)), math.floor(max(answered))
        lines.append(f"response time: median {median} min, slowest {slowest} min")
    return lines


def _local(iso: str | None, tz: tzinfo) -> str:
    """A record's UTC time as "YYYY-MM-DD HH:MM" in `tz`."""
    if not iso:
        return ""
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(tz).strftime("%Y-%m-%d %H:%M")


def render_table(records: Sequence[dict[str, Any]], width: int = 120, tz: tzinfo = UTC) -> str:
    """The SLA log as a fixed-width table with a summary underneath; times in `tz` (sla.timezone)."""
    created_head = f"created ({tz})"
    created_width = max(16, len(created_head))
    header = (
        f"{'#':>4}  {'platform':<8}  {created_head:<{created_width}}  {'lang':<4}  {'outcome':<9}  {'response':>9}  "
        "author / text"
    )
    lines = [header, "-" * min(width, max(len(header), 100))]
    for r in records:
        created = _local(r["created_at"], tz)
        response = f"{math.floor(r['response_minutes'])} min" if r["response_minutes"] is not None else "—"
        if r["outcome"] == Outcome.BREACHED and r["response_minutes"] is None:
            overdue = math.floor(r["overdue_minutes"])
            # a breach of a few seconds is late all the same: never "+0 late"
            response = f"+{overdue} late" if overdue else "+<1 late"
        outcome = r["outcome"] + ("*" if r["outcome"] == Outcome.BREACHED and r.get("late_when_seen") else "")
        prefix = (
            f"{r['id']:>4}  {r['platform']:<8}  {created:<{created_width}}  {r['lang']:<4}  {outcome:<9}  "
            f"{response:>9}  "
        )
        note = "[breach withdrawn] " if r.get("breach_withdrawn_at") else ""
        rest = shorten(f"{note}{r['author']}: {r['text']}", max(width - len(prefix), 20))
        lines.append(prefix + rest)
    lines.append("")
    lines.extend(summary_lines(records))
    return "\n".join(lines)
