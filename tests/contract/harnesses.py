"""One harness per source kind, so the same contract tests run against every `Source`.

A harness builds the sources of one kind and can put a customer's post, the
shop's answer to it, or the shop's own post where those sources will find them,
and arm the next request to fail. To add a source kind, write a harness with the
same methods and add it to `HARNESSES`.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from monitor.clock import FakeClock
from monitor.facebook import build_facebook_sources
from monitor.models import Mention, Reply
from monitor.replay import ReplaySource
from monitor.sources import AuthRejected, RateLimited, Source, Unavailable
from monitor.x import build_x_sources
from tests.fakes import FakeSource
from tests.fakeservers import (
    BEARER_TOKEN,
    BRAND_ID,
    BRAND_USERNAME,
    PAGE_ID,
    PAGE_TOKEN,
    FakeGraphServer,
    FakeXServer,
    expired_token,
    html_error,
    rate_limited,
    server_error,
    throttled,
    unauthorized,
)

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
FAILURES = ("rate_limited", "auth", "unavailable")


class Harness(Protocol):
    clock: FakeClock
    network: bool  # talks HTTP through a client library: its errors chain the library's exception

    def sources(self) -> list[Source]: ...
    def add_mention(self, text: str) -> str: ...
    def add_answer(self, to: str) -> str: ...
    def add_brand_post(self, text: str) -> str: ...
    def fail_next(self, kind: str) -> bool: ...  # False when the source kind cannot fail that way
    def close(self) -> None: ...


class XHarness:
    network = True

    def __init__(self, tmp_path: Path) -> None:
        self.clock = FakeClock(START)
        self.server = FakeXServer(now=self.clock.now)
        self._sources = build_x_sources(BEARER_TOKEN, self.clock, user_id=BRAND_ID, api_base_url=self.server.url)
        self._authors = itertools.count(1)

    def sources(self) -> list[Source]:
        return self._sources

    def add_mention(self, text: str) -> str:
        self.clock.advance(timedelta(minutes=1))
        return self.server.add_tweet(f"@{BRAND_USERNAME} {text}", f"buyer{next(self._authors)}", self.clock.now())

    def add_answer(self, to: str) -> str:
        self.clock.advance(timedelta(minutes=1))
        return self.server.add_tweet("Sorry! We are on it.", BRAND_USERNAME, self.clock.now(), replied_to=to)

    def add_brand_post(self, text: str) -> str:
        self.clock.advance(timedelta(minutes=1))
        return self.server.add_tweet(f"{text} @{BRAND_USERNAME}", BRAND_USERNAME, self.clock.now())

    def fail_next(self, kind: str) -> bool:
        answers = {
            "rate_limited": rate_limited(self.clock.now() + timedelta(minutes=5)),
            "auth": unauthorized(),
            "unavailable": server_error(503),
        }
        self.server.fail_next(answers[kind])
        return True

    def close(self) -> None:
        self.server.close()


class FacebookHarness:
    network = True

    def __init__(self, tmp_path: Path) -> None:
        self.clock = FakeClock(START)
        self.server = FakeGraphServer(now=self.clock.now)
        self._sources: list[Source] = list(
            build_facebook_sources(PAGE_ID, PAGE_TOKEN, self.clock, graph_url=self.server.url)
        )
        self.post = self.server.add_post("Autumn collection", START - timedelta(days=1))
        self._authors = itertools.count(1)

    def sources(self) -> list[Source]:
        return self._sources

    def add_mention(self, text: str) -> str:
        self.clock.advance(timedelta(minutes=1))
        n = next(self._authors)
        return self.server.add_comment(self.post, text, self.clock.now(), {"id": str(n), "name": f"Buyer {n}"})

    def add_answer(self, to: str) -> str:
        self.clock.advance(timedelta(minutes=1))
        return self.server.add_comment(self.post, "Sorry! We are on it.", self.clock.now(), parent_id=to)

    def add_brand_post(self, text: str) -> str:
        self.clock.advance(timedelta(minutes=1))
        return self.server.add_post(text, self.clock.now())

    def fail_next(self, kind: str) -> bool:
        answers = {"rate_limited": throttled(32), "auth": expired_token(), "unavailable": html_error(502)}
        self.server.fail_next(answers[kind])
        return True

    def close(self) -> None:
        self.server.close()


class ReplayHarness:
    network = False

    def __init__(self, tmp_path: Path) -> None:
        self.clock = FakeClock(START)
        self.path = tmp_path / "feed.jsonl"
        self.path.write_text("", encoding="utf-8")
        self._sources: list[Source] = [ReplaySource(self.path, self.clock)]
        self._ids = itertools.count(1)
        self._stamp = itertools.count(1)

    def sources(self) -> list[Source]:
        return self._sources

    def _append(self, **item: object) -> str:
        self.clock.advance(timedelta(minutes=1))
        item_id = f"r{next(self._ids)}"
        line = {"platform": "x", "id": item_id, "created_at": self.clock.now().isoformat(), **item}
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        tick = 1_700_000_000 + next(self._stamp)  # the source re-reads the file when its mtime changes
        os.utime(self.path, (tick, tick))
        return item_id

    def add_mention(self, text: str) -> str:
        return self._append(author="@buyer", text=text)

    def add_answer(self, to: str) -> str:
        return self._append(author="@shop", text="Sorry! We are on it.", from_brand=True, in_reply_to=to)

    def add_brand_post(self, text: str) -> str:
        return self._append(author="@shop", text=text, from_brand=True)

    def fail_next(self, kind: str) -> bool:
        if kind != "unavailable":
            return False
        self.path.rename(self.path.with_suffix(".hidden"))  # an unreadable feed
        return True

    def close(self) -> None:
        return None


class FakeSourceHarness:
    network = False

    def __init__(self, tmp_path: Path) -> None:
        self.clock = FakeClock(START)
        self.source = FakeSource()
        self._ids = itertools.count(1)

    def sources(self) -> list[Source]:
        return [self.source]

    def add_mention(self, text: str) -> str:
        self.clock.advance(timedelta(minutes=1))
        item_id = f"f{next(self._ids)}"
        self.source.add(Mention("x", item_id, "@buyer", text, self.clock.now(), url=f"https://x.com/i/{item_id}"))
        return item_id

    def add_answer(self, to: str) -> str:
        self.clock.advance(timedelta(minutes=1))
        item_id = f"f{next(self._ids)}"
        self.source.add(Reply("x", item_id, to, self.clock.now(), "@shop", "Sorry!"))
        return item_id

    def add_brand_post(self, text: str) -> str:
        self.clock.advance(timedelta(minutes=1))
        item_id = f"f{next(self._ids)}"
        self.source.add(Mention("x", item_id, "@shop", text, self.clock.now(), url="u", from_brand=True))
        return item_id

    def fail_next(self, kind: str) -> bool:
        errors = {
            "rate_limited": RateLimited("slow down", self.clock.now() + timedelta(minutes=5)),
            "auth": AuthRejected("bad token"),
            "unavailable": Unavailable("down"),
        }
        self.source.fail_next(errors[kind])
        return True

    def close(self) -> None:
        return None


HARNESSES: dict[str, Callable[[Path], Harness]] = {
    "x": XHarness,
    "facebook": FacebookHarness,
    "replay": ReplayHarness,
    "fake": FakeSourceHarness,
}
