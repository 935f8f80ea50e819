"""Open 500 escalations at once against the fake Slack and print Slack calls per minute and countdown staleness.

Runs the real daemon loop (App.run_once once a simulated second, like `run_forever`) with the real
slack_sdk WebClient against the local fake Slack Web API, on an injected clock, for an hour and a
half of simulated time: posting, countdown updates, reminders at 30 and 10 minutes left, breaches
and the managers' posts.

    python bench/bench_slack.py [--alerts 500] [--minutes 75]     # about 10 minutes of wall time

Figures on the 2-core dev box (500 alerts, 75 minutes): chat.update at most 47 in any sliding
minute; all 500 alerts posted within 8 min 17 s (one post a second per channel); worst countdown
staleness 11 min 6 s, within the ~12 min update interval of 500 open alerts; 500 managers' posts,
one per breach. With --alerts 200: staleness 4 min 26 s against a ~5 min interval.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
for _var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_var, None)

import settings as config  # noqa: E402
from alerts.notify import BoardItem  # noqa: E402
from alerts.sla import status  # noqa: E402
from app import App  # noqa: E402
from monitor.clock import FakeClock  # noqa: E402
from monitor.models import Mention  # noqa: E402
from tests.fakes import FakeSource, KeywordAnalyzer  # noqa: E402
from tests.slack.fake_slack import FakeSlack, FakeSlackServer  # noqa: E402

TIER3_PER_MINUTE = 50


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=500)
    parser.add_argument("--minutes", type=int, default=75)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # 500 breach lines would drown the figures

    os.environ["SLACK_BOT_TOKEN"] = "xoxb-test"
    clock = FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as tmp, FakeSlackServer(FakeSlack(clock=clock)) as server:
        settings = config.settings_from_mapping(
            {
                "storage": {"url": f"sqlite:///{Path(tmp) / 'bench.db'}"},
                "notify": {"console": False},
                "slack": {
                    "enabled": True,
                    "bot_token": "${SLACK_BOT_TOKEN}",
                    "alerts_channel": "CALERTS",
                    "managers_channel": "CMANAGERS",
                    "mention_on_reminder": "S0SOCIAL",
                    "base_url": server.base_url,
                },
            }
        )
        source = FakeSource()
        app = App.build(settings, clock, sources=[source], analyzer=KeywordAnalyzer())
        assert app.slack is not None
        notifier = app.slack.notifier
        source.add(
            *(
                Mention(
                    platform="x",
                    external_id=str(i),
                    author=f"@customer{i}",
                    text=f"order {i} never arrived",
                    created_at=clock.now(),
                    lang="en",
                )
                for i in range(args.alerts)
            )
        )
        start = clock.now()
        worst_stale = worst_stale_at = timedelta(0)
        worst_reminder = timedelta(0)
        posted_all_at: datetime | None = None
        reminder_moments = [start + app.engine.policy.response_time - r for r in app.engine.policy.reminders]
        seen_replies = 0
        wall = time.perf_counter()
        for _ in range(args.minutes * 60):
            app.run_once()
            now = clock.now()
            if posted_all_at is None and len(server.slack.top_level("CALERTS")) >= args.alerts:
                posted_all_at = now
            if posted_all_at is not None:
                board = [BoardItem(e, status(e, app.engine.policy, now), {}) for e in app.store.active_escalations()]
                stale = notifier.staleness(board, now)
                if stale > worst_stale:
                    worst_stale, worst_stale_at = stale, now - start
            replies = [m for m in server.slack.messages.get("CALERTS", []) if m.get("thread_ts")]
            if len(replies) > seen_replies:
                # every escalation opened at `start`, so they share the reminder moments
                due = max((m for m in reminder_moments if m <= now), default=start)
                worst_reminder = max(worst_reminder, now - due)
            seen_replies = len(replies)
            clock.advance(timedelta(seconds=1))
        wall = time.perf_counter() - wall
        app.close()

        calls = server.slack.calls
        by_method: dict[str, Counter[int]] = {}
        for call in calls:
            assert call.at is not None
            by_method.setdefault(call.method, Counter())[int((call.at - start).total_seconds() // 60)] += 1
        # the worst sliding 60-second window of chat.update, the Tier 3 method the countdown uses
        update_times = sorted(c.at for c in calls if c.method == "chat.update" and c.at is not None)
        worst_window, j = 0, 0
        for i, at in enumerate(update_times):
            while update_times[j] <= at - timedelta(seconds=60):
                j += 1
            worst_window = max(worst_window, i - j + 1)

        print(f"{args.alerts} escalations opened at once; {args.minutes} simulated minutes in {wall:.0f} s wall time")
        print(f"{'method':<24}{'total':>8}{'max/min':>9}{'mean/min':>10}")
        for method, per_minute in sorted(by_method.items()):
            total = sum(per_minute.values())
            print(f"{method:<24}{total:>8}{max(per_minute.values()):>9}{total / args.minutes:>10.1f}")
        posted_in = (posted_all_at - start) if posted_all_at else None
        print(f"chat.update worst sliding minute: {worst_window} (Tier 3 limit about {TIER3_PER_MINUTE})")
        print(f"all alerts posted after: {posted_in} (chat.postMessage is paced to about 1 a second per channel)")
        at_minute = worst_stale_at.total_seconds() / 60
        print(f"worst countdown staleness once posted: {worst_stale} (at minute {at_minute:.0f})")
        print(f"latest thread post after its reminder moment: {worst_reminder}")
        print(
            f"alerts in channel: {len(server.slack.top_level('CALERTS'))}; managers' posts: "
            f"{len(server.slack.top_level('CMANAGERS'))}"
        )
        ok = worst_window <= TIER3_PER_MINUTE and len(server.slack.top_level("CALERTS")) == args.alerts
        print("OK: within Slack's limits" if ok else "OVER Slack's limits")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
