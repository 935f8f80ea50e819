"""What reading a post again for a late comment costs in Graph requests, counted on the fake Graph API."""

from __future__ import annotations

from datetime import timedelta

from monitor.clock import FakeClock
from monitor.facebook import FacebookPageSource, GraphClient
from tests.fakeservers import PAGE_ID, PAGE_TOKEN, FakeGraphServer

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
