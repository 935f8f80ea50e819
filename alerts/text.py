"""Small text helpers shared by the console, Slack messages and reports."""

from __future__ import annotations

from datetime import timedelta


def human_duration(delta: timedelta) -> str:
    """`42 min`, `1 h 05 min`, `45 s`: for people, never negative (callers say 'overdue')."""
    seconds = int(abs(delta).total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    minutes, _ = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min"


def overdue_text(delta: timedelta) -> str:
    """How far past a deadline, like `human_duration`, but never `0 s`: under a second is `under a second`.

    The deadline is the first late moment (alerts/sla.py), so an escalation can be breached by less
    than a second; "overdue by 0 s" would read as in time.
    """
    return human_duration(delta) if abs(delta) >= timedelta(seconds=1) else "under a second"


def clock_text(delta: timedelta) -> str:
    """A compact countdown: `42:07` left, or `-03:10` overdue (`1:02:07` past an hour)."""
    sign = "-" if delta < timedelta(0) else ""
    seconds = int(abs(delta).total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{secs:02d}"
    return f"{sign}{minutes:02d}:{secs:02d}"


def shorten(text: str, width: int) -> str:
    """One line of at most `width` characters, with an ellipsis when cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: max(width - 1, 0)] + "…"
