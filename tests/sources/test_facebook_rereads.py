"""What reading a post again for a late comment costs in Graph requests, counted on the fake Graph API."""

from __future__ import annotations

from datetime import timedelta

import pytest

from monitor.clock import FakeClock
from monitor.facebook import RECHECK_EVERY, FacebookPageSource, GraphClient
from tests.fakeservers import PAGE_ID, PAGE_TOKEN, Answer, FakeGraphServer, graph_error

CUSTOMER = {"id": "700001", "name": "Anna Kowalska"}
VISITOR = {"id": "700002", "name": "Kovács Péter"}
POLL = timedelta(minutes=2)


def _source(server: FakeGraphServer, clock: FakeClock, page_size: int = 100) -> FacebookPageSource:
    client = GraphClient(PAGE_TOKEN, clock, graph_url=server.url, timeout=timedelta(seconds=5))
    return FacebookPageSource(client, PAGE_ID, clock, page_size=page_size)


def _busy_post(server: FakeGraphServer, clock: FakeClock, comments: int = 6) -> str:
    now = clock.now()
    post = server.add_post("Autumn collection!", now - timedelta(days=1))
    for n in range(comments):
        server.add_comment(post, f"question {n}", now - timedelta(hours=2, minutes=-n), VISITOR)
    return post


def _reads(server: FakeGraphServer, node: str) -> int:
    return len(server.requests_to(f"/{node}/comments"))


def test_a_count_one_above_what_the_edge_returns_costs_no_reread_on_the_following_polls(
    graph_server: FakeGraphServer, fb_clock: FakeClock
) -> None:
    post = _busy_post(graph_server, fb_clock)
    graph_server.add_hidden_comment(post, fb_clock.now() - timedelta(hours=1))
    source = _source(graph_server, fb_clock)
    cursor = source.fetch(None).next_cursor
    assert _reads(graph_server, post) == 1
    for n in range(20):  # a customer writes between every poll; the hidden comment stays in the count
        fb_clock.advance(POLL)
        written = graph_server.add_comment(post, f"still waiting {n}", fb_clock.now(), CUSTOMER)
        before = _reads(graph_server, post)
        batch = source.fetch(cursor)
        cursor = batch.next_cursor
        assert [m.external_id for m in batch.mentions] == [written]
        assert _reads(graph_server, post) - before == 1  # its newest page, nothing read again


def test_comments_the_edge_never_returns_read_a_post_again_at_most_once_per_recheck_interval(
    graph_server: FakeGraphServer, fb_clock: FakeClock
) -> None:
    """Hidden comments grow the count on every poll of a busy post: each would read the whole post again."""
    post = _busy_post(graph_server, fb_clock)
    source = _source(graph_server, fb_clock)
    cursor = source.fetch(None).next_cursor
    rereads = 0
    polls = int(RECHECK_EVERY / POLL) * 2
    for n in range(polls):
        fb_clock.advance(POLL)
        graph_server.add_hidden_comment(post, fb_clock.now() - timedelta(seconds=30))
        written = graph_server.add_comment(post, f"hello? {n}", fb_clock.now(), CUSTOMER)
        before = _reads(graph_server, post)
        batch = source.fetch(cursor)
        cursor = batch.next_cursor
        assert written in {m.external_id for m in batch.mentions}
        rereads += _reads(graph_server, post) - before > 1
    assert rereads <= 2  # one at the first unexplained growth, one a recheck interval later (30 before)


def test_a_late_comment_is_found_within_a_recheck_interval_of_a_reread_that_found_nothing(
    graph_server: FakeGraphServer, fb_clock: FakeClock
) -> None:
    post = _busy_post(graph_server, fb_clock)
    source = _source(graph_server, fb_clock)
    cursor = source.fetch(None).next_cursor
    fb_clock.advance(POLL)
    graph_server.add_hidden_comment(post, fb_clock.now())
    cursor = source.fetch(cursor).next_cursor  # read again: nothing readable below
    fb_clock.advance(POLL)
    late = graph_server.add_comment(post, "refund still missing", fb_clock.now() - timedelta(hours=3), CUSTOMER)
    found: set[str] = set()
    for _ in range(int(RECHECK_EVERY / POLL)):
        batch = source.fetch(cursor)
        cursor = batch.next_cursor
        found |= {m.external_id for m in batch.mentions}
        fb_clock.advance(POLL)
    assert late in found


def test_late_comments_in_consecutive_polls_are_each_found_at_once(
    graph_server: FakeGraphServer, fb_clock: FakeClock
) -> None:
    """A read-again that finds the late comment does not hold the next one off."""
    post = _busy_post(graph_server, fb_clock)
    source = _source(graph_server, fb_clock)
    cursor = source.fetch(None).next_cursor
    for n in range(3):
        fb_clock.advance(POLL)
        late = graph_server.add_comment(post, f"approved late {n}", fb_clock.now() - timedelta(hours=3), CUSTOMER)
        batch = source.fetch(cursor)
        cursor = batch.next_cursor
        assert late in {m.external_id for m in batch.mentions}


@pytest.mark.parametrize(
    ("answer", "polls"),
    [
        (Answer(500, {"error": {"message": "An unexpected error has occurred.", "code": 2, "is_transient": True}}), 1),
        (graph_error(1, "(#1) Please reduce the amount of data you're asking for"), int(RECHECK_EVERY / POLL)),
    ],
    ids=["passing", "lasting"],
)
def test_a_reread_that_fails_is_tried_again(
    graph_server: FakeGraphServer, fb_clock: FakeClock, answer: Answer, polls: int
) -> None:
    """A passing failure is tried again on the next poll; one Graph keeps giving within a recheck interval."""
    post = _busy_post(graph_server, fb_clock)
    source = _source(graph_server, fb_clock)
    cursor = source.fetch(None).next_cursor
    fb_clock.advance(POLL)
    late = graph_server.add_comment(post, "refund still missing", fb_clock.now() - timedelta(hours=3), CUSTOMER)
    fresh = graph_server.add_comment(post, "anyone?", fb_clock.now(), CUSTOMER)
    graph_server.fail_next(answer, "/comments", skip=1)  # the newest page is read; the read-again fails
    batch = source.fetch(cursor)
    assert [m.external_id for m in batch.mentions] == [fresh]
    cursor, found, reads = batch.next_cursor, set(), _reads(graph_server, post)
    for _ in range(polls):
        fb_clock.advance(POLL)
        batch = source.fetch(cursor)
        cursor = batch.next_cursor
        found |= {m.external_id for m in batch.mentions}
    assert late in found
    assert _reads(graph_server, post) - reads <= polls + 1  # one read-again, not one a poll


def test_a_reread_does_not_ask_graph_again_about_page_replies_it_resolved(
    graph_server: FakeGraphServer, fb_clock: FakeClock
) -> None:
    """'Link in the first comment' threads: each Page reply there is matched by reading its thread, once."""
    now = fb_clock.now()
    post = graph_server.add_post("Autumn collection!", now - timedelta(days=1))
    heads, answers = [], {}
    for n in range(3):
        head = graph_server.add_comment(post, f"Shop {n}: https://shop.example", now - timedelta(hours=5 - n))
        asked = graph_server.add_comment(
            post, f"order {n} never came", now - timedelta(hours=4 - n), CUSTOMER, parent_id=head
        )
        reply = graph_server.add_comment(
            post, "we are checking", now - timedelta(hours=3 - n), parent_id=head, tags=[CUSTOMER]
        )
        heads.append(head)
        answers[reply] = asked
    source = _source(graph_server, fb_clock)
    first = source.fetch(None)
    assert {r.external_id: r.in_reply_to for r in first.replies} == answers
    assert sum(_reads(graph_server, head) for head in heads) == 3  # one thread page per Page reply

    fb_clock.advance(POLL)
    late = graph_server.add_comment(
        post, "refund still missing", now - timedelta(days=1) + timedelta(minutes=5), CUSTOMER
    )
    before = len(graph_server.requests)
    batch = source.fetch(first.next_cursor)
    assert late in {m.external_id for m in batch.mentions}
    assert {r.external_id: r.in_reply_to for r in batch.replies if r.external_id in answers} == answers
    assert sum(_reads(graph_server, head) for head in heads) == 3  # 6 before: each thread read again
    assert len(graph_server.requests) - before == 3  # the feed, the newest page, the post read again


def test_the_hold_off_survives_a_restart(graph_server: FakeGraphServer, fb_clock: FakeClock) -> None:
    post = _busy_post(graph_server, fb_clock)
    cursor = _source(graph_server, fb_clock).fetch(None).next_cursor
    for n in range(3):  # a new process each poll: what holds read-agains off is in the cursor
        fb_clock.advance(POLL)
        graph_server.add_hidden_comment(post, fb_clock.now() - timedelta(seconds=30))
        graph_server.add_comment(post, f"hello? {n}", fb_clock.now(), CUSTOMER)
        before = _reads(graph_server, post)
        cursor = _source(graph_server, fb_clock).fetch(cursor).next_cursor
        assert _reads(graph_server, post) - before == (2 if n == 0 else 1)


def test_a_reread_does_not_count_old_replies_as_written_after_the_feed(
    graph_server: FakeGraphServer, fb_clock: FakeClock
) -> None:
    """Where replies do not move updated_time, the replies a read-again finds again are newer than it."""
    graph_server.replies_move_updated_time = False
    now = fb_clock.now()
    post = graph_server.add_post("post", now - timedelta(days=1))
    asked = graph_server.add_comment(post, "where is my parcel?", now - timedelta(hours=5), CUSTOMER)
    source = _source(graph_server, fb_clock)
    cursor = source.fetch(None).next_cursor
    fb_clock.advance(POLL)
    for n in range(3):
        graph_server.add_comment(post, f"hello? {n}", fb_clock.now(), CUSTOMER, parent_id=asked)
    cursor = source.fetch(cursor).next_cursor
    lates: list[str] = []
    for hours in (4, 3, 2):  # approved late, one a poll, each dated after the newest top-level comment
        fb_clock.advance(POLL)
        lates.append(graph_server.add_comment(post, f"late {hours}", now - timedelta(hours=hours), VISITOR))
        batch = source.fetch(cursor)
        cursor = batch.next_cursor
        # the first comes a poll late: the replies just read (newer than updated_time) were taken for
        # comments written after the feed request, and the count they inflated hid it for one poll
        assert set({4: [], 3: lates, 2: lates[-1:]}[hours]) <= {m.external_id for m in batch.mentions}
