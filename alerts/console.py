"""The console notifier: event lines, plus a live countdown table on a terminal.

On a terminal the table of open escalations redraws in place under the
scrolling event lines. When stdout is not a terminal (a pipe, a file,
systemd's journal) it prints plain lines only: the events, and a one-line
summary of the open clocks at most every `summary_every`.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, TextIO

from alerts.messages import language_label
from alerts.notify import BoardItem, Digest, Notification
from alerts.sla import SlaState
from alerts.text import clock_text, human_duration, overdue_text, shorten

_STATE_MARK = {
    SlaState.ON_TRACK: "ok",
    SlaState.AT_RISK: "AT RISK",
    SlaState.BREACHED: "BREACHED",
    SlaState.ANSWERED: "answered",
    SlaState.ANSWERED_LATE: "answered late",
    SlaState.CLOSED: "closed",
}
_COLOURS = {SlaState.ON_TRACK: "32", SlaState.AT_RISK: "33", SlaState.BREACHED: "31;1"}


def _interactive(stream: TextIO) -> bool:
    if os.environ.get("INVOCATION_ID") or os.environ.get("JOURNAL_STREAM"):
        return False  # under systemd: the journal wants plain lines
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class ConsoleNotifier:
    """Prints alerts, reminders, breaches and answers; draws the live board on a terminal."""

    name = "console"

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        live: bool | None = None,
        summary_every: timedelta = timedelta(minutes=5),
        max_rows: int = 15,
    ) -> None:
        self.stream = stream or sys.stdout
        self.live = _interactive(self.stream) if live is None else live
        self.summary_every = summary_every
        self.max_rows = max_rows
        self._drawn_lines = 0
        self._last_summary: datetime | None = None

    def deliver(self, note: Notification) -> Mapping[str, Any] | None:
        """Print one line for the notification."""
        self._line(self._describe(note))
        return {"printed": True}

    def deliver_digest(self, digest: Digest) -> Mapping[str, Any] | None:
        """Print one line for the complaints a tick found already past their deadline."""
        if not digest.items:
            return {"skipped": "none of its escalations is left"}
        n = len(digest.items)
        longest = digest.items[0]
        esc = longest.escalation
        self._line(
            f"LATE      {n} complaint{'s' if n != 1 else ''} already past the deadline when first seen: "
            + "; ".join(digest.why(lambda at: at.strftime("%Y-%m-%d %H:%M UTC")))
            + f"; longest #{esc.id} {esc.author} on {esc.platform}, {overdue_text(longest.overdue_when_seen)} over"
            + " — breaches in the SLA log, told here once: "
            + ", ".join(f"#{item.escalation.id}" for item in digest.items)
        )
        return {"printed": True}

    def post_health(self, text: str) -> None:
        """Print a health message meant for the managers (a source failed, went silent, recovered)."""
        self._line(f"HEALTH    {text}")

    def refresh(self, board: Sequence[BoardItem], now: datetime) -> None:
        """Redraw the table on a terminal; print a plain summary now and then otherwise."""
        running = [item for item in board if item.status.running]
        if self.live:
            self._erase()
            lines = self._table(running)
            for line in lines:
                self.stream.write(line + "\n")
            self._drawn_lines = len(lines)
            self.stream.flush()
            return
        if not running:
            return
        if self._last_summary is not None and now - self._last_summary < self.summary_every:
            return
        self._last_summary = now
        parts = [
            f"#{item.escalation.id} {self._clock(item)}" for item in sorted(running, key=lambda i: i.status.time_left)
        ]
        self._line(f"open clocks ({len(running)}): " + ", ".join(parts))

    def _describe(self, note: Notification) -> str:
        esc, sla = note.escalation, note.status
        head = f"#{esc.id} [{esc.platform}] {esc.author}"
        if note.kind == "opened":
            why = "; ".join(esc.reasons[:3])
            when = "already overdue" if sla.breached else f"{human_duration(sla.time_left)} left"
            return (
                f"ALERT     {head} ({language_label(esc.lang)}, {esc.severity or 'complaint'}): "
                f"\u201c{shorten(esc.text, 90)}\u201d — {when}" + (f" — {why}" if why else "")
            )
        if note.kind == "reminder":
            return f"REMINDER  {head}: {human_duration(sla.time_left)} left to answer"
        if note.kind == "breached" and note.payload.get("late_when_seen"):
            seen_after = human_duration(esc.opened_at - esc.clock_started_at)
            return (
                f"BREACH    {head}: already late when first seen, {seen_after} after it was posted "
                f"({overdue_text(esc.opened_at - esc.deadline)} past its deadline)"
            )
        if note.kind == "breached":
            return (
                f"BREACH    {head}: no answer within {human_duration(esc.time_allowed)} "
                f"(overdue {overdue_text(sla.overdue)})"
            )
        if note.kind == "breach_withdrawn":
            took = human_duration(sla.response_time) if sla.response_time is not None else "?"
            answered = esc.first_response_at.strftime(" at %H:%M UTC") if esc.first_response_at else ""
            return (
                f"WITHDRAWN {head}: breach withdrawn — answered in {took}{answered} by "
                f"{esc.responded_by or 'the team'}, within {human_duration(esc.time_allowed)}; "
                "the answer was found only after the breach was told"
            )
        if note.kind == "responded":
            late = " (late)" if sla.breached else ""
            took = human_duration(sla.response_time) if sla.response_time is not None else "?"
            return f"ANSWERED  {head}: answered in {took}{late} by {esc.responded_by or 'the team'}"
        actor = note.payload.get("actor") or esc.closed_by or esc.acknowledged_by or "the team"
        return f"{note.kind.upper():<9} {head}: by {actor}"

    def _table(self, running: Sequence[BoardItem]) -> list[str]:
        if not running:
            return ["── no open escalations ──"]
        width = shutil.get_terminal_size((100, 20)).columns
        rows = sorted(running, key=lambda i: i.status.time_left)[: self.max_rows]
        lines = [f"── {len(running)} open escalation(s) ─ time left ─ state ─ who ─ what ──"[:width]]
        for item in rows:
            esc, sla = item.escalation, item.status
            state = _STATE_MARK[sla.state]
            colour = _COLOURS.get(sla.state, "0")
            prefix = f"#{esc.id:<4} {self._clock(item):>8}  {state:<9} {esc.platform:<8} {esc.author[:18]:<18} "
            text = shorten(esc.text, max(width - len(prefix) - 1, 10))
            lines.append(f"\x1b[{colour}m{prefix}\x1b[0m{text}")
        if len(running) > len(rows):
            lines.append(f"… and {len(running) - len(rows)} more")
        return lines

    @staticmethod
    def _clock(item: BoardItem) -> str:
        return clock_text(item.status.time_left)

    def _erase(self) -> None:
        if self._drawn_lines:
            self.stream.write(f"\x1b[{self._drawn_lines}F\x1b[J")
            self._drawn_lines = 0

    def _line(self, text: str) -> None:
        if self.live:
            self._erase()
        self.stream.write(text + "\n")
        self.stream.flush()
