"""Facebook after downtime: a post with more new comments than one poll reads is caught up over the next polls."""

from __future__ import annotations

import json
import logging
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.clock import FakeClock
from monitor.facebook import FacebookPageSource, GraphClient
from monitor.models import Batch
from monitor.store import Store
from tests.fakeservers import PAGE_ID, PAGE_TOKEN, Answer, FakeGraphServer, graph_error, html_error, invalid_cursor

CUSTOMER = {"id": "700001", "name": "Anna Kowalska"}
S = timedelta(seconds=1)


def _source(server: FakeGraphServer, clock: FakeClock, page_size: int = 100, max_pages: int = 20) -> FacebookPageSource:
    client = GraphClient(PAGE_TOKEN, clock, graph_url=server.url)
    return FacebookPageSource(client, PAGE_ID, clock, page_size=page_size, max_pages=max_pages)


def _comments(server: FakeGraphServer, post: str, count: int, clock: FakeClock, start: int = 0) -> list[str]:
    """`count` customer comments, one a second, the newest a minute before now."""
    base = clock.now() - timedelta(minutes=1) - count * S
    return [
        server.add_comment(post, f"complaint {start + n}", base + n * S, {"id": str(800000 + start + n), "name": "C"})
        for n in range(count)
    ]


def _poll_until_quiet(
    source: FacebookPageSource, cursor: str | None, server: FakeGraphServer, post: str, polls: int = 10
) -> tuple[list[Batch], str | None, list[int]]:
    """Fetch until a poll brings nothing; the batches, the last cursor and the comment requests of each poll."""
    batches, requests = [], []
    for _ in range(polls):
        before = len(server.requests_to(f"{post}/comments"))
        batch = source.fetch(cursor)
        requests.append(len(server.requests_to(f"{post}/comments")) - before)
        cursor = batch.next_cursor
        if not batch.mentions and not batch.replies:
            break
        batches.append(batch)
    return batches, cursor, requests


def test_a_backlog_beyond_the_page_cap_is_read_over_the_next_polls(
    graph_server: FakeGraphServer, fb_clock: FakeClock
) -> None:
    post = graph_server.add_post("Black Friday", fb_clock.now() - timedelta(days=1))
    early = _comments(graph_server, post, 3, fb_clock)
    source = _source(graph_server, fb_clock)  # 100 a page, 20 pages a poll: 2,000 comments
    first = source.fetch(None)
    assert sorted(m.external_id for m in first.mentions) == sorted(early)

    fb_clock.advance(timedelta(hours=6))  # the daemon was down; a busy post kept going
    backlog = _comments(graph_server, post, 2_450, fb_clock, start=3)
    batches, _, requests = _poll_until_quiet(source, first.next_cursor, graph_server, post)

    delivered = Counter(m.external_id for b in batches for m in b.mentions)
    assert set(delivered) == set(backlog)  # nothing lost
    assert max(delivered.values()) == 1  # nothing delivered twice
    assert len(batches) == 2 and max(requests) <= 20  # bounded work per poll


def test_new_comments_during_a_catch_up_are_read_on_the_next_poll(
    graph_server: FakeGraphServer, fb_clock: FakeClock
) -> None:
    post = graph_server.add_post("Black Friday", fb_clock.now() - timedelta(days=1))
    source = _source(graph_server, fb_clock, page_size=5, max_pages=3)  # 15 comments a poll
    cursor = source.fetch(None).next_cursor
    fb_clock.advance(timedelta(hours=1))
    backlog = _comments(graph_server, post, 40, fb_clock)

    first = source.fetch(cursor)
    assert len(first.mentions) == 15
    fb_clock.advance(timedelta(minutes=2))
    late = graph_server.add_comment(post, "still no answer!", fb_clock.now(), CUSTOMER)
    second = source.fetch(first.next_cursor)
    assert late in {m.external_id for m in second.mentions}  # the newest first, the backlog after

    batches, _, requests = _poll_until_quiet(source, second.next_cursor, graph_server, post)
    delivered = Counter(m.external_id for b in (first, second, *batches) for m in b.mentions)
    assert set(delivered) == {*backlog, late} and max(delivered.values()) == 1
    assert max(requests) <= 3


def test_the_paging_position_survives_a_restart(
    graph_server: FakeGraphServer, fb_clock: FakeClock, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'replyclock.db'}"
    post = graph_server.add_post("Black Friday", fb_clock.now() - timedelta(days=1))
    store = Store(url)
    source = _source(graph_server, fb_clock, page_size=5, max_pages=2)
    store.save_batch(source.name, source.fetch(None), fb_clock.now())
    fb_clock.advance(timedelta(hours=1))
    backlog = _comments(graph_server, post, 30, fb_clock)

    batch = source.fetch(store.cursor(source.name))
    store.save_batch(source.name, batch, fb_clock.now())
    delivered = Counter(m.external_id for m in batch.mentions)
    store.close()  # replyclock restarts: a new process, the same database

    store = Store(url)
    source = _source(graph_server, fb_clock, page_size=5, max_pages=2)
    for _ in range(6):
        fb_clock.advance(timedelta(minutes=2))
        batch = source.fetch(store.cursor(source.name))
        store.save_batch(source.name, batch, fb_clock.now())
        delivered.update(m.external_id for m in batch.mentions)
    assert set(delivered) == set(backlog) and max(delivered.values()) == 1
    assert store.mention_count() == 30
    store.close()


@pytest.mark.parametrize(
    "refusal",
    [invalid_cursor(), graph_error(100, "(#100) Invalid parameter", kind="OAuthException")],
    ids=["2642", "100"],
)
def test_a_stored_position_graph_refuses_reads_the_post_again_from_the_newest(
    graph_server: FakeGraphServer, fb_clock: FakeClock, refusal: Answer
) -> None:
    post = graph_server.add_post("Black Friday", fb_clock.now() - timedelta(days=1))
    source = _source(graph_server, fb_clock, page_size=5, max_pages=3)
    cursor = source.fetch(None).next_cursor
    fb_clock.advance(timedelta(hours=1))
    backlog = _comments(graph_server, post, 40, fb_clock)
    first = source.fetch(cursor)
    assert len(first.mentions) == 15
    # the oldest comment read, where the stored cursor points, is deleted: Graph refuses the cursor
    graph_server.stale_cursor_answer = refusal
    graph_server.delete_comment(post, backlog[-15])

    batches, cursor, _ = _poll_until_quiet(source, first.next_cursor, graph_server, post)
    delivered = {m.external_id for b in (first, *batches) for m in b.mentions}
    assert delivered == set(backlog)  # nothing lost (some read twice; the store keeps one)
    assert source.fetch(cursor).mentions == ()
    assert source._client.rejected is None  # a refused cursor is not a refused token


def test_a_failure_in_the_middle_of_a_catch_up_keeps_what_was_read(
    graph_server: FakeGraphServer, fb_clock: FakeClock
) -> None:
    post = graph_server.add_post("Black Friday", fb_clock.now() - timedelta(days=1))
    source = _source(graph_server, fb_clock, page_size=5, max_pages=4)
    cursor = source.fetch(None).next_cursor
    fb_clock.advance(timedelta(hours=1))
    backlog = _comments(graph_server, post, 40, fb_clock)
    graph_server.fail_next(html_error(502), path_contains="/comments", skip=2)  # the third page fails

    partial = source.fetch(cursor)
    assert len(partial.mentions) == 10  # the two pages read are kept
    batches, _, _ = _poll_until_quiet(source, partial.next_cursor, graph_server, post)
    delivered = Counter(m.external_id for b in (partial, *batches) for m in b.mentions)
    assert set(delivered) == set(backlog) and max(delivered.values()) == 1


def test_the_cursor_keeps_the_position_only_while_a_post_is_behind(
    graph_server: FakeGraphServer, fb_clock: FakeClock
) -> None:
    post = graph_server.add_post("Black Friday", fb_clock.now() - timedelta(days=1))
    source = _source(graph_server, fb_clock, page_size=5, max_pages=2)
    cursor = source.fetch(None).next_cursor
    _comments(graph_server, post, 12, fb_clock)
    behind = source.fetch(cursor)
    assert "after" in json.dumps(json.loads(behind.next_cursor or "")["posts"][post])
    caught_up = source.fetch(behind.next_cursor)
    assert "after" not in json.dumps(json.loads(caught_up.next_cursor or "")["posts"][post])


def test_a_second_burst_while_catching_up_loses_nothing(graph_server: FakeGraphServer, fb_clock: FakeClock) -> None:
    post = graph_server.add_post("Black Friday", fb_clock.now() - timedelta(days=1))
    source = _source(graph_server, fb_clock, page_size=5, max_pages=3)
    cursor = source.fetch(None).next_cursor
    fb_clock.advance(timedelta(hours=1))
    first_burst = _comments(graph_server, post, 30, fb_clock)
    first = source.fetch(cursor)
    fb_clock.advance(timedelta(hours=1))
    second_burst = _comments(graph_server, post, 30, fb_clock, start=30)  # more than a poll reads, again

    batches, _, requests = _poll_until_quiet(source, first.next_cursor, graph_server, post)
    delivered = {m.external_id for b in (first, *batches) for m in b.mentions}
    assert delivered == {*first_burst, *second_burst} and max(requests) <= 3


def test_every_post_of_the_look_back_window_is_visited_however_many_pages_the_feed_has(
    graph_server: FakeGraphServer, fb_clock: FakeClock
) -> None:
    now = fb_clock.now()
    posts = [graph_server.add_post(f"post {n}", now - timedelta(hours=n + 1)) for n in range(30)]
    source = _source(graph_server, fb_clock, page_size=5, max_pages=2)  # the feed is 6 pages of 5
    cursor = source.fetch(None).next_cursor
    fb_clock.advance(timedelta(minutes=2))
    oldest = graph_server.add_comment(posts[-1], "my order never came", fb_clock.now(), CUSTOMER)
    assert [m.external_id for m in source.fetch(cursor).mentions] == [oldest]


def test_a_feed_beyond_its_page_cap_is_named_in_a_warning(
    graph_server: FakeGraphServer, fb_clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    for n in range(12):
        graph_server.add_post(f"post {n}", fb_clock.now() - timedelta(hours=n + 1))
    client = GraphClient(PAGE_TOKEN, fb_clock, graph_url=graph_server.url)
    source = FacebookPageSource(client, PAGE_ID, fb_clock, page_size=5, feed_max_pages=2)
    with caplog.at_level(logging.WARNING, logger="monitor.facebook"):
        source.fetch(None)
    assert len(graph_server.requests_to("/feed")) == 2 and "lookback" in caplog.text
