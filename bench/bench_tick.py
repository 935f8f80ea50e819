"""Time the store work of one daemon tick on a store holding months of history; print ms per tick.

    python bench/bench_tick.py [N, default 150000] [--active 20] [--url sqlite:///...] [--ticks 50]

Builds a store of N mentions, N/3 brand replies, N/30 escalations (all but `--active` of them
closed, each with its events and sent outbox entries), then runs the queries a tick runs
(`EscalationEngine.tick`: pending answers, the active escalations; the dispatcher: due outbox
entries, the board with each alert's result) and prints the median time of each and of them all.
`pending_responses(since=...)` is the steady-state tick; `since=None` is the first tick of a run
(every stored reply), which is what every tick did before. Runs against older code too (it then
times the one form that code has). `--url` takes a PostgreSQL URL (an empty database).
"""

from __future__ import annotations

import argparse
import inspect
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from monitor.store import EscalationRow, EventRow, MentionRow, OutboxRow, ReplyRow, Store  # noqa: E402

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
CHUNK = 5000


def build(store: Store, mentions: int, active: int) -> None:
    """Months of history: one mention a minute or so, a reply to every third, an escalation for every 30th."""
    span = timedelta(days=180)
    step = span / mentions
    start = NOW - span
    escalated = range(0, mentions, 30)
    with store.engine.begin() as conn:
        rows: list[dict[str, Any]] = []
        for n in range(mentions):
            at = start + n * step
            follow_up = n % 7 == 3  # some customers write again under their own post
            rows.append(
                {
                    "id": n + 1,
                    "platform": "x" if n % 2 else "facebook",
                    "external_id": f"m{n}",
                    "source": "bench",
                    "author": f"@c{n % 5000}",
                    "author_id": str(n % 5000),
                    "text": "zamówienie nie dotarło",
                    "created_at": at,
                    "seen_at": at + timedelta(seconds=30),
                    "in_reply_to": f"m{n - 2}" if follow_up and n >= 2 else None,
                    "from_brand": False,
                    "scored": True,
                }
            )
            if len(rows) == CHUNK:
                conn.execute(MentionRow.__table__.insert(), rows)  # type: ignore[attr-defined]
                rows = []
        if rows:
            conn.execute(MentionRow.__table__.insert(), rows)  # type: ignore[attr-defined]
        replies = [
            {
                "platform": "x" if n % 2 else "facebook",
                "external_id": f"r{n}",
                "in_reply_to": f"m{n}",
                "created_at": start + n * step + timedelta(minutes=20),
                "seen_at": start + n * step + timedelta(minutes=21),
                "author": "@shop",
                "text": "we are on it",
            }
            for n in range(0, mentions, 3)
        ]
        for i in range(0, len(replies), CHUNK):
            conn.execute(ReplyRow.__table__.insert(), replies[i : i + CHUNK])  # type: ignore[attr-defined]
        escalations, events, outbox = [], [], []
        last = len(escalated) - active
        for i, n in enumerate(escalated):
            at = start + n * step
            closed = i < last
            answered = at + timedelta(minutes=20) if n % 3 == 0 else None
            escalations.append(
                {
                    "id": i + 1,
                    "mention_id": n + 1,
                    "created_at": at,
                    "opened_at": at + timedelta(seconds=31),
                    "clock_started_at": at,
                    "deadline": at + timedelta(hours=1),
                    "lang": "pl",
                    "reasons": "[]",
                    "alerted_at": at + timedelta(seconds=32),
                    "first_response_at": answered if closed else None,
                    "responded_by": "@shop" if closed and answered else None,
                    "resolved_at": at + timedelta(minutes=30) if closed and not answered else None,
                    "closed_by": "anna" if closed and not answered else None,
                    "is_active": not closed,
                }
            )
            events += [
                {"escalation_id": i + 1, "key": "opened", "kind": "opened", "at": at, "actor": "replyclock"},
                {"escalation_id": i + 1, "key": "alerted", "kind": "alerted", "at": at, "actor": "replyclock"},
            ]
            for kind in ("opened", "reminder", "responded" if closed else "breached"):
                outbox.append(
                    {
                        "notifier": "slack",
                        "key": f"{i + 1}:{kind}",
                        "escalation_id": i + 1,
                        "kind": kind,
                        "payload": "{}",
                        "created_at": at,
                        "status": "sent",
                        "attempts": 1,
                        "next_attempt_at": at,
                        "sent_at": at,
                        "result": '{"channel": "C1", "ts": "1.0"}',
                        "last_error": "",
                    }
                )
        for table, data in ((EscalationRow, escalations), (EventRow, events), (OutboxRow, outbox)):
            for i in range(0, len(data), CHUNK):
                conn.execute(table.__table__.insert(), data[i : i + CHUNK])  # type: ignore[attr-defined]


def median_ms(fn: Callable[[], object], ticks: int) -> float:
    fn()  # warm the caches, as a running daemon has them
    took = []
    for _ in range(ticks):
        started = time.perf_counter()
        fn()
        took.append(time.perf_counter() - started)
    return statistics.median(took) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mentions", nargs="?", type=int, default=150_000)
    parser.add_argument("--active", type=int, default=20, help="open escalations")
    parser.add_argument("--ticks", type=int, default=50)
    parser.add_argument("--url", help="an empty database (default: a fresh SQLite file)")
    args = parser.parse_args()

    url = args.url or f"sqlite:///{tempfile.mkdtemp(prefix='rc-bench-tick-')}/bench.db"
    store = Store(url)
    started = time.perf_counter()
    build(store, args.mentions, args.active)
    if store.dialect == "postgresql":
        with store.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    print(
        f"{store.dialect}: {store.mention_count():,} mentions, {store.reply_count():,} replies, "
        f"{len(store.escalations()):,} escalations ({args.active} open), built in {time.perf_counter() - started:.0f} s"
    )

    steady = "since" in inspect.signature(store.pending_responses).parameters
    parts: dict[str, Callable[[], object]] = {}
    if steady:
        since = NOW - timedelta(seconds=1)
        parts["pending_responses(since=last tick)"] = lambda: store.pending_responses(since=since)  # type: ignore[call-arg]
    parts["pending_responses()" + (" [first tick of a run]" if steady else "")] = store.pending_responses
    parts["active_escalations()"] = store.active_escalations
    parts["due_outbox('slack')"] = lambda: store.due_outbox("slack", NOW)
    parts["alert_results('slack')"] = lambda: store.alert_results("slack")
    times = {name: median_ms(fn, args.ticks) for name, fn in parts.items()}
    for name, ms in times.items():
        print(f"  {name:<45} {ms:8.2f} ms")
    first = next(iter(times))
    # a tick reads the active escalations twice (the engine, the board)
    tick = times[first] + 2 * times["active_escalations()"] + times["due_outbox('slack')"]
    tick += times["alert_results('slack')"]
    print(f"  {'one tick (median parts)':<45} {tick:8.2f} ms  (~{tick / 10:.1f}% of a core at one tick a second)")
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
