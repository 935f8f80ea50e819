"""X and Facebook end to end: the real clients against fake servers, through the daemon and the store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from app import App
from monitor.clock import FakeClock
from monitor.models import Platform
from monitor.store import Store
from tests.fakes import KeywordAnalyzer, RecordingNotifier
from tests.fakeservers import FakeGraphServer, FakeXServer, rate_limited

REPO = Path(__file__).resolve().parents[2]
SHOP_ID = "1500000001"
SHOP = "sklep_demo"
PAGE_ID = "104000000000001"
X_TOKEN = "e2e-x-bearer-SECRET-1234567890"
FB_TOKEN = "e2e-fb-page-token-SECRET-1234567890"
M = timedelta(minutes=1)


class Shop:
    """The fake shop's X account and Facebook Page with a few customers, and the ids to check."""

    def __init__(self, x: FakeXServer, graph: FakeGraphServer) -> None:
        self.x, self.graph = x, graph
        now = x.now()
        self.late = x.add_tweet(f"@{SHOP} zamówienie nie dotarło, 3 tygodnie czekam!", "kasia", now - 20 * M, lang="pl")
        self.x_answer = x.add_tweet("@kasia Przepraszamy! Sprawdzamy.", SHOP, now - 5 * M, replied_to=self.late)
        self.x_answer_at = (now - 5 * M).replace(microsecond=0)
        self.broken = x.add_tweet(f"@{SHOP} the mug arrived broken, I want a refund", "tom", now - 10 * M)
        self.praise = x.add_tweet(f"@{SHOP} Love my new dress, thank you!", "ola", now - 3 * M)
        x.add_tweet(f"Nowa kolekcja już jest! @{SHOP}", SHOP, now - 60 * M)
        x.add_tweet(f"RT @kasia: @{SHOP} zamówienie nie dotarło", "echo", now - 2 * M, retweet_of=self.late)

        post = graph.add_post("Nowa kolekcja jesienna!", now - timedelta(days=2))
        customer = {"id": "900001", "name": "Anna Kiss"}
        self.fb_late = graph.add_comment(
            post, "Két hete nem érkezett meg a csomagom! (never arrived)", now - 30 * M, customer
        )
        self.fb_answer = graph.add_comment(post, "Elnézést, utánanézünk!", now - 12 * M, parent_id=self.fb_late)
        self.fb_open = graph.add_comment(
            post, "A bögre törötten (broken) érkezett.", now - 15 * M, {"id": "900002", "name": "Kovács Péter"}
        )
        graph.add_comment(post, "Dziękujemy wszystkim!", now - 40 * M)  # the Page's own comment


@pytest.fixture
def servers() -> Iterator[tuple[FakeXServer, FakeGraphServer]]:
    with FakeXServer(X_TOKEN, SHOP_ID, SHOP) as x, FakeGraphServer(FB_TOKEN, PAGE_ID, "Sklep Demo") as graph:
        yield x, graph


def _sources_config(x: FakeXServer, graph: FakeGraphServer) -> dict[str, object]:
    return {
        "replay": {"enabled": False},
        "x": {"enabled": True, "bearer_token": "${RC_X_TOKEN}", "user_id": SHOP_ID, "api_base_url": x.url},
        "facebook": {"enabled": True, "page_id": PAGE_ID, "page_token": "${RC_FB_TOKEN}", "graph_url": graph.url},
    }


def test_run_once_twice_stores_escalates_and_records_answers(tmp_path: Path, servers) -> None:
    x, graph = servers
    shop = Shop(x, graph)
    config = tmp_path / "config.yaml"
    db = tmp_path / "rc.db"
    config.write_text(
        json.dumps(
            {
                "storage": {"url": f"sqlite:///{db}"},
                "sources": _sources_config(x, graph),
                "notify": {"console": True},
            }
        )
    )
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(RC_X_TOKEN=X_TOKEN, RC_FB_TOKEN=FB_TOKEN)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(REPO / "daemon.py"), "--config", str(config), *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=180,
        )

    first = run("--log-level", "DEBUG", "run", "--once")
    assert first.returncode == 0, first.stderr
    assert X_TOKEN not in first.stdout + first.stderr and FB_TOKEN not in first.stdout + first.stderr
    second = run("run", "--once")
    assert second.returncode == 0, second.stderr
    assert "ALERT" not in second.stdout

    store = Store(f"sqlite:///{db}")
    try:
        assert store.mention_count() == 3 + 2  # no brand post, no retweet, no Page comment
        assert store.reply_count() == 2
        escalations = {e.external_id: e for e in store.escalations()}
    finally:
        store.close()
    assert set(escalations) >= {shop.late, shop.broken, shop.fb_late, shop.fb_open}
    assert shop.praise not in escalations
    assert escalations[shop.late].first_response_at == shop.x_answer_at
    assert escalations[shop.late].platform == Platform.X and escalations[shop.late].url
    assert escalations[shop.fb_late].first_response_at is not None
    assert escalations[shop.broken].first_response_at is None
    assert escalations[shop.fb_open].first_response_at is None
    assert len(x.requests_to("/mentions")) == 2 and len(graph.requests_to("/feed")) == 2
    assert len(graph.requests_to("/comments")) == 1  # the second run's feed said the post had nothing new
    # secrets never reach the database (cursors, mentions, events, outbox), WAL included
    for path in tmp_path.glob(f"{db.name}*"):
        raw = path.read_bytes()
        assert X_TOKEN.encode() not in raw and FB_TOKEN.encode() not in raw, path.name


def test_a_429_on_x_does_not_stop_facebook_and_x_resumes_after_the_reset(
    make_settings, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RC_X_TOKEN", X_TOKEN)
    monkeypatch.setenv("RC_FB_TOKEN", FB_TOKEN)
    with (
        FakeXServer(X_TOKEN, SHOP_ID, SHOP, now=clock.now) as x,
        FakeGraphServer(FB_TOKEN, PAGE_ID, "Sklep Demo", now=clock.now) as graph,
    ):
        shop = Shop(x, graph)
        settings = make_settings(sources=_sources_config(x, graph))
        notifier = RecordingNotifier()
        app = App.build(settings, clock, notifiers=[notifier], analyzer=KeywordAnalyzer())
        try:
            assert set(app.poller.sources) == {"x:mentions", "x:replies", "facebook:page"}
            reset = clock.now() + 10 * M
            x.fail_next(rate_limited(reset), path_contains="/mentions")

            app.run_once()
            health = app.poller.health
            assert health["x:mentions"].state == "deferred" and health["x:mentions"].deferred_until == reset
            assert health["facebook:page"].state == "ok" and health["x:replies"].state == "ok"
            stored = {e.external_id for e in app.store.escalations()}
            assert {shop.fb_late, shop.fb_open} <= stored and shop.broken not in stored

            clock.advance(5 * M)  # still before the reset: X waits, Facebook goes on
            newer = graph.add_comment(
                next(iter(graph.posts)), "still never arrived!!", clock.now(), {"id": "900003", "name": "Éva"}
            )
            app.run_once()
            assert len(x.requests_to("/mentions")) == 1
            assert newer in {e.external_id for e in app.store.escalations()}

            clock.advance(6 * M)  # past the reset, same process
            app.run_once()
            assert app.poller.health["x:mentions"].state == "ok"
            escalations = {e.external_id: e for e in app.store.escalations()}
            assert {shop.late, shop.broken} <= set(escalations)
            assert escalations[shop.late].first_response_at is not None  # answered on X before we saw it
        finally:
            app.close()
