"""Ingest a backlog of 10,000 mentions from the local fake X server; print mentions/s and requests made.

    python bench/bench_x_ingest.py [--mentions 10000] [--store]

The real tweepy client talks HTTP to a fake X API on 127.0.0.1 (no network).
The X source pages back from a stored since_id through the whole backlog, as it
does after downtime, until its cursor says the sweep is done. With --store each
batch is also saved into a fresh SQLite store, as the poller does.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from monitor.clock import FakeClock  # noqa: E402
from monitor.x import BrandAccount, XClient, XMentionsSource  # noqa: E402
from tests.fakeservers import BEARER_TOKEN, BRAND_ID, BRAND_USERNAME, FakeXServer  # noqa: E402

TEXTS = [
    "zamówienie nie dotarło, czekam już 3 tygodnie 😡",
    "két hete nem érkezett meg a csomagom",
    "заказ так и не пришёл, верните деньги",
    "the mug arrived broken, I want a refund",
    "love the new collection, thank you!",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=10_000)
    parser.add_argument("--store", action="store_true", help="also save every batch into a SQLite store")
    args = parser.parse_args()

    clock = FakeClock(datetime(2026, 11, 2, 12, 0, tzinfo=UTC))
    with FakeXServer(now=clock.now) as server:
        start = clock.now() - timedelta(days=2)
        first = server.add_tweet(f"@{BRAND_USERNAME} hello", "early", start - timedelta(minutes=1))
        for n in range(args.mentions):
            server.add_tweet(
                f"@{BRAND_USERNAME} #{n} {TEXTS[n % len(TEXTS)]}", f"buyer{n % 997}", start + timedelta(seconds=n)
            )
        client = XClient(BEARER_TOKEN, clock, api_base_url=server.url, timeout=timedelta(seconds=30))
        source = XMentionsSource(client, BrandAccount(client, user_id=BRAND_ID), clock)
        store = None
        if args.store:
            from monitor.store import Store

            store = Store(f"sqlite:///{tempfile.mkdtemp(prefix='rc-bench-')}/bench.db")

        cursor: str | None = json.dumps({"since_id": first})  # the last post seen before the downtime
        ingested = fetches = 0
        began = time.perf_counter()
        while True:
            batch = source.fetch(cursor)
            fetches += 1
            ingested += len(batch.mentions)
            if store is not None:
                store.save_batch(source.name, batch, clock.now())
            cursor = batch.next_cursor
            if "resume" not in json.loads(cursor or "{}"):
                break
        elapsed = time.perf_counter() - began
        stored = 0
        if store is not None:
            stored = store.mention_count()
            store.close()
        requests = client.requests_made

    print(f"backlog:          {args.mentions} mentions")
    saved = f" (stored: {stored})" if store is not None else ""
    print(f"ingested:         {ingested} mentions in {fetches} fetch(es){saved}")
    print(f"requests made:    {requests} ({args.mentions / 100:.0f} pages of 100 expected)")
    print(f"elapsed:          {elapsed:.2f} s")
    print(f"throughput:       {ingested / elapsed:,.0f} mentions/s")
    return 0 if ingested == args.mentions else 1


if __name__ == "__main__":
    sys.exit(main())
