"""The Facebook Page adapter driving the real facebook-sdk against the fake Graph API on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import traceback
from datetime import UTC, datetime, timedelta

import pytest

from monitor.clock import FakeClock
from monitor.facebook import FacebookPageSource, GraphClient, build_facebook_sources
from monitor.models import Platform
from monitor.sources import AuthRejected, RateLimited, SourceError, Unavailable
from tests.fakeservers import (
    PAGE_ID,
    PAGE_TOKEN,
    RECORDED_POST,
    Answer,
    FakeGraphServer,
    expired_token,
    graph_error,
    html_error,
    malformed_json,
    no_content_type,
    recorded_oauth_error,
    slow,
    throttled,
)

CUSTOMER = {"id": "700001", "name": "Anna Kowalska"}
VISITOR = {"id": "700002", "name": "Kovács Péter"}


def _source(
    server: FakeGraphServer,
    clock: FakeClock,
    lookback: timedelta = timedelta(days=14),
    page_size: int = 100,
    timeout: timedelta = timedelta(seconds=5),
    graph_url: str | None = None,
) -> FacebookPageSource:
    client = GraphClient(PAGE_TOKEN, clock, graph_url=graph_url or server.url, timeout=timeout)
    return FacebookPageSource(client, PAGE_ID, clock, lookback=lookback, page_size=page_size)


def test_recorded_thread_gives_customer_comments_and_the_pages_answers(
    graph_server: FakeGraphServer, fb_clock: FakeClock
) -> None:
    ids = graph_server.load_recorded()
    [source] = build_facebook_sources(PAGE_ID, PAGE_TOKEN, fb_clock, graph_url=graph_server.url)
    batch = source.fetch(None)

    assert source.name == "facebook:page" and source.platform == Platform.FACEBOOK
    assert len(batch.mentions) == 11 and len(batch.replies) == 4
    assert {m.external_id for m in batch.mentions} | {r.external_id for r in batch.replies} == set(ids)
    assert all(m.author_id != PAGE_ID and not m.text.startswith("Hi, ") for m in batch.mentions)
    answers = {r.in_reply_to: r for r in batch.replies}
    asked = next(m for m in batch.mentions if m.text.startswith("Can someone from Instagram"))
    assert answers[asked.external_id].text.startswith("Hi, please access the Instagram Help Center")
    assert answers[asked.external_id].created_at == datetime(2021, 8, 11, 23, 22, 14, tzinfo=UTC)
    in_thread = next(m for m in batch.mentions if m.text.startswith("Facebook for Developers they"))
    assert in_thread.in_reply_to == asked.external_id and in_thread.conversation_id == RECORDED_POST
    assert in_thread.text.endswith("😞")
    assert asked.url and "comment_id=10158407903973553" in asked.url
    assert asked.created_at.tzinfo is not None

    comments = graph_server.requests_to("/comments")[0]
    assert comments.path == f"/v21.0/{RECORDED_POST}/comments"
    assert comments.query["filter"] == "stream" and comments.query["order"] == "reverse_chronological"
    assert "from" in comments.query["fields"] and "parent" in comments.query["fields"]
    assert graph_server.versions_seen == {"v21.0"}


def test_refetching_with_the_cursor_brings_nothing_new_and_stops_at_known_comments(
    graph_server: FakeGraphServer, fb_clock: FakeClock
) -> None:
    graph_server.load_recorded()
    source = _source(graph_server, fb_clock, page_size=5)
    first = source.fetch(None)
    assert len(graph_server.requests_to("/comments")) == 3  # 15 comments, 5 a page

    again = source.fetch(first.next_cursor)
    assert again.mentions == () and again.replies == ()
    assert len(graph_server.requests_to("/comments")) == 3  # the feed says the post has nothing new

    late = graph_server.add_comment(RECORDED_POST, "Zamówienie nie dotarło!", fb_clock.now(), CUSTOMER)
    answer = graph_server.add_comment(
        RECORDED_POST, "Przepraszamy, sprawdzamy.", fb_clock.now() + timedelta(minutes=3), parent_id=late
    )
    third = source.fetch(again.next_cursor)
    assert [m.external_id for m in third.mentions] == [late]
    assert [(r.external_id, r.in_reply_to) for r in third.replies] == [(answer, late)]
    assert len(graph_server.requests_to("/comments")) == 4  # newest page only: it reaches known comments
    assert source.fetch(third.next_cursor).mentions == ()


def test_a_page_reply_in_a_thread_the_page_started_answers_the_customer_it_tags(
    graph_server: FakeGraphServer, fb_clock: FakeClock
) -> None:
    """'Link in the first comment': customers answer under the Page's comment, and so does the Page."""
    now = fb_clock.now()
    post = graph_server.add_post("Autumn collection!", now - timedelta(days=1))
    head = graph_server.add_comment(post, "Shop here: https://shop.example", now - timedelta(hours=3))
    anna = graph_server.add_comment(post, "my order never came", now - timedelta(hours=2), CUSTOMER, parent_id=head)
    peter = graph_server.add_comment(post, "link is broken", now - timedelta(hours=1), VISITOR, parent_id=head)
    # Graph files a reply to a reply under the thread's top comment: the parent is the Page's comment
    to_anna = graph_server.add_comment(
        post, "Anna, we are checking", now - timedelta(minutes=30), parent_id=head, tags=[CUSTOMER]
    )
    untagged = graph_server.add_comment(post, "fixed now, sorry!", now - timedelta(minutes=20), parent_id=head)
    batch = _source(graph_server, fb_clock).fetch(None)
    assert {m.external_id for m in batch.mentions} == {anna, peter}
    assert {r.external_id: r.in_reply_to for r in batch.replies} == {to_anna: anna, untagged: peter}


def test_a_page_reply_tagging_two_customers_answers_each_of_them(
    graph_server: FakeGraphServer, fb_clock: FakeClock
) -> None:
    """One Page reply to two customers: each tagged customer's newest comment in that thread is answered,
    in a thread the Page started and in a customer's own thread; a customer it does not tag keeps their clock."""
    now = fb_clock.now()
    third = {"id": "700003", "name": "Jan Nowak"}
    post = graph_server.add_post("Autumn collection!", now - timedelta(days=1))
    head = graph_server.add_comment(post, "Shop here: https://shop.example", now - timedelta(hours=3))
    anna = graph_server.add_comment(post, "my order never came", now - timedelta(hours=2), CUSTOMER, parent_id=head)
    peter = graph_server.add_comment(post, "link is broken", now - timedelta(hours=1), VISITOR, parent_id=head)
    jan = graph_server.add_comment(post, "mine too", now - timedelta(minutes=50), third, parent_id=head)
    both = graph_server.add_comment(
        post, "Anna, Péter: we are checking", now - timedelta(minutes=30), parent_id=head, tags=[CUSTOMER, VISITOR]
    )
    # a customer's own thread: another customer joins it, and the Page answers them both
    asked = graph_server.add_comment(post, "where is my parcel?", now - timedelta(hours=2), CUSTOMER)
    joined = graph_server.add_comment(post, "same here!!", now - timedelta(hours=1), VISITOR, parent_id=asked)
    to_both = graph_server.add_comment(
        post, "Anna, Péter: both left today", now - timedelta(minutes=20), parent_id=asked, tags=[CUSTOMER, VISITOR]
    )
    source = _source(graph_server, fb_clock)
    batch = source.fetch(None)
    by_target = {r.in_reply_to: r for r in batch.replies}
    assert set(by_target) == {anna, peter, asked, joined} and jan not in by_target  # it does not tag Jan
    assert len({r.external_id for r in batch.replies}) == 4
    # one answer per customer, each that Page comment's time, text and link; the one it answered before
    # (the newest tagged comment; the comment it replies under) keeps its id
    assert by_target[peter].external_id == both and by_target[asked].external_id == to_both
    for first, other in ((peter, anna), (asked, joined)):
        a, b = by_target[first], by_target[other]
        assert (b.created_at, b.text, b.url, b.author) == (a.created_at, a.text, a.url, a.author)

    # read again (a late comment): the same answers under the same ids, the threads not read again
    def threads_read() -> int:
        return len(graph_server.requests_to(f"/{head}/comments")) + len(graph_server.requests_to(f"/{asked}/comments"))

    threads = threads_read()
    graph_server.add_comment(post, "late", now - timedelta(hours=5), CUSTOMER)
    fb_clock.advance(timedelta(minutes=2))
    again = source.fetch(batch.next_cursor)
    assert {(r.external_id, r.in_reply_to) for r in again.replies} == {
        (r.external_id, r.in_reply_to) for r in batch.replies
    }
    assert threads_read() == threads == 2


def test_a_page_reply_to_its_own_reply_is_walked_up_after_a_restart(
    graph_server: FakeGraphServer, fb_clock: FakeClock
) -> None:
    now = fb_clock.now()
    post = graph_server.add_post("Autumn collection!", now - timedelta(days=1))
    asked = graph_server.add_comment(post, "where is my parcel?", now - timedelta(hours=2), CUSTOMER)
    first = graph_server.add_comment(post, "checking!", now - timedelta(hours=1), parent_id=asked)
    cursor = _source(graph_server, fb_clock).fetch(None).next_cursor
    fb_clock.advance(timedelta(minutes=2))
    # threads nested deeper than Graph's two levels name the comment replied to as the parent
    more = graph_server.add_comment(post, "it ships today", fb_clock.now(), parent_id=first)
    batch = _source(graph_server, fb_clock).fetch(cursor)  # a new process: nothing remembered
    assert [(r.external_id, r.in_reply_to) for r in batch.replies] == [(more, asked)]


def test_posts_without_new_comments_are_not_read_again(graph_server: FakeGraphServer, fb_clock: FakeClock) -> None:
    now = fb_clock.now()
    posts = [graph_server.add_post(f"post {n}", now - timedelta(days=n + 1)) for n in range(3)]
    for n, post in enumerate(posts):
        graph_server.add_comment(post, f"complaint {n}", now - timedelta(hours=1), CUSTOMER)
    source = _source(graph_server, fb_clock)
    first = source.fetch(None)
    assert len(first.mentions) == 3 and len(graph_server.requests_to("/comments")) == 3
    fields = graph_server.requests_to("/feed")[0].query["fields"]
    assert "updated_time" in fields and "comments.filter(stream).limit(0).summary(true)" in fields

    fb_clock.advance(timedelta(minutes=2))
    quiet = source.fetch(first.next_cursor)
    assert quiet.mentions == () and len(graph_server.requests_to("/comments")) == 3

    late = graph_server.add_comment(posts[1], "still waiting", fb_clock.now(), CUSTOMER)
    fb_clock.advance(timedelta(minutes=2))
    third = source.fetch(quiet.next_cursor)
    assert [m.external_id for m in third.mentions] == [late]
    assert [r.path for r in graph_server.requests_to("/comments")[3:]] == [f"/v21.0/{posts[1]}/comments"]


def test_a_reply_that_moves_only_the_comment_count_is_read(graph_server: FakeGraphServer, fb_clock: FakeClock) -> None:
    graph_server.replies_move_updated_time = False  # undocumented on Graph: do not count on it
    post = graph_server.add_post("post", fb_clock.now() - timedelta(days=1))
    asked = graph_server.add_comment(post, "where is my parcel?", fb_clock.now() - timedelta(hours=1), CUSTOMER)
    source = _source(graph_server, fb_clock)
    cursor = source.fetch(None).next_cursor
    fb_clock.advance(timedelta(minutes=2))
    again = graph_server.add_comment(post, "hello??", fb_clock.now(), CUSTOMER, parent_id=asked)
    assert [m.external_id for m in source.fetch(cursor).mentions] == [again]


def test_a_comment_dated_before_what_was_read_is_found_by_the_count(
    graph_server: FakeGraphServer, fb_clock: FakeClock
) -> None:
    now = fb_clock.now()
    post = graph_server.add_post("post", now - timedelta(days=1))
    for n in range(3):
        graph_server.add_comment(post, f"question {n}", now - timedelta(minutes=30 - n), VISITOR)
    source = _source(graph_server, fb_clock, page_size=2)
    cursor = source.fetch(None).next_cursor
    fb_clock.advance(timedelta(minutes=2))
    # held for review, then approved: its created_time is older than the newest comment already read
    late = graph_server.add_comment(post, "refund still missing", now - timedelta(minutes=40), CUSTOMER)
    batch = source.fetch(cursor)
    assert late in {m.external_id for m in batch.mentions}  # with the others read again (the store has them)
    fb_clock.advance(timedelta(minutes=2))
    assert source.fetch(batch.next_cursor).mentions == ()  # the count is read through: nothing read again


def test_a_comment_written_between_the_feed_and_the_comments_is_not_taken_for_one_below(
    graph_server: FakeGraphServer, fb_clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    post = graph_server.add_post("post", fb_clock.now() - timedelta(days=1))
    graph_server.add_comment(post, "first", fb_clock.now() - timedelta(minutes=10), CUSTOMER)
    source = _source(graph_server, fb_clock)
    cursor = source.fetch(None).next_cursor
    fb_clock.advance(timedelta(minutes=2))
    graph_server.add_comment(post, "second", fb_clock.now() - timedelta(minutes=1), CUSTOMER)
    handle, written = graph_server.handle, []

    def comment_in_between(request):  # type: ignore[no-untyped-def]
        if "/comments" in request.path and not written:  # after the feed was read, before its comments
            written.append(graph_server.add_comment(post, "third", fb_clock.now(), VISITOR))
        return handle(request)

    monkeypatch.setattr(graph_server, "handle", comment_in_between)
    before = len(graph_server.requests_to("/comments"))
    second = source.fetch(cursor)
    assert len(second.mentions) == 2
    monkeypatch.setattr(graph_server, "handle", handle)
    fb_clock.advance(timedelta(minutes=2))
    third = source.fetch(second.next_cursor)
    assert third.mentions == ()
    assert len(graph_server.requests_to("/comments")) - before == 2  # one read each poll: no read-again


def test_unchanged_posts_are_read_again_every_recheck_interval(
    graph_server: FakeGraphServer, fb_clock: FakeClock
) -> None:
    now = fb_clock.now()
    for n in range(2):
        post = graph_server.add_post(f"post {n}", now - timedelta(days=n + 1))
        graph_server.add_comment(post, f"complaint {n}", now - timedelta(hours=1), CUSTOMER)
    source = _source(graph_server, fb_clock)
    cursor = source.fetch(None).next_cursor
    for _ in range(14):  # every 2 minutes for 28 minutes: the feed is enough
        fb_clock.advance(timedelta(minutes=2))
        cursor = source.fetch(cursor).next_cursor
    assert len(graph_server.requests_to("/comments")) == 2
    fb_clock.advance(timedelta(minutes=2))  # 30 minutes since the posts were read
    source.fetch(cursor)
    assert len(graph_server.requests_to("/comments")) == 4


def test_without_updated_time_and_counts_every_post_is_read_every_poll(fb_clock: FakeClock) -> None:
    with FakeGraphServer(now=fb_clock.now, post_summaries=False) as server:
        for n in range(2):
            post = server.add_post(f"post {n}", fb_clock.now() - timedelta(days=n + 1))
            server.add_comment(post, f"complaint {n}", fb_clock.now() - timedelta(hours=1), CUSTOMER)
        source = _source(server, fb_clock)
        source.fetch(source.fetch(None).next_cursor)
        assert len(server.requests_to("/comments")) == 4


def test_visitor_posts_are_mentions_and_the_pages_posts_are_not(
    graph_server: FakeGraphServer, fb_clock: FakeClock
) -> None:
    now = fb_clock.now()
    own = graph_server.add_post("Nowa kolekcja już w sklepie!", now - timedelta(days=1))
    visitor = graph_server.add_post("A csomagom még mindig nem érkezett meg.", now - timedelta(hours=3), VISITOR)
    top_level_answer = graph_server.add_comment(visitor, "Elnézést, utánanézünk!", now - timedelta(hours=2))
    graph_server.add_comment(own, "Link do kolekcji w komentarzu", now - timedelta(hours=20))  # the Page's own
    source = _source(graph_server, fb_clock)

    batch = source.fetch(None)
    assert [(m.external_id, m.author, m.lang) for m in batch.mentions] == [(visitor, "Kovács Péter", None)]
    assert [(r.external_id, r.in_reply_to) for r in batch.replies] == [(top_level_answer, visitor)]
    assert source.fetch(batch.next_cursor).mentions == ()


def test_posts_older_than_the_lookback_are_not_read(graph_server: FakeGraphServer, fb_clock: FakeClock) -> None:
    now = fb_clock.now()
    old = graph_server.add_post("Summer sale", now - timedelta(days=20))
    graph_server.add_comment(old, "still waiting for my refund", now - timedelta(hours=1), CUSTOMER)
    recent = graph_server.add_post("Autumn sale", now - timedelta(days=2))
    comment = graph_server.add_comment(recent, "where is my parcel", now - timedelta(hours=1), CUSTOMER)
    source = _source(graph_server, fb_clock, lookback=timedelta(days=14))

    batch = source.fetch(None)
    assert [m.external_id for m in batch.mentions] == [comment]
    assert {r.path for r in graph_server.requests_to("/comments")} == {f"/v21.0/{recent}/comments"}
    assert int(graph_server.requests_to("/feed")[0].query["since"]) == int((now - timedelta(days=14)).timestamp())
    assert set(json.loads(batch.next_cursor or "")["posts"]) == {recent}


def test_the_same_comment_on_two_pages_is_delivered_once(fb_clock: FakeClock) -> None:
    with FakeGraphServer(now=fb_clock.now, repeat_last_on_next_page=True) as server:
        post = server.add_post("Black Friday", fb_clock.now() - timedelta(days=1))
        ids = [
            server.add_comment(post, f"comment {n}", fb_clock.now() - timedelta(minutes=n), CUSTOMER) for n in range(23)
        ]
        batch = _source(server, fb_clock, page_size=5).fetch(None)
    assert sorted(m.external_id for m in batch.mentions) == sorted(ids)


def test_paging_args_come_from_next_without_the_token(graph_server: FakeGraphServer, fb_clock: FakeClock) -> None:
    post = graph_server.add_post("Black Friday", fb_clock.now() - timedelta(days=1))
    for n in range(12):
        graph_server.add_comment(post, f"comment {n}", fb_clock.now() - timedelta(minutes=n), CUSTOMER)
    _source(graph_server, fb_clock, page_size=5).fetch(None)
    second = graph_server.requests_to("/comments")[1]
    assert second.query["after"] and second.query["access_token"] == PAGE_TOKEN
    assert second.raw_path.count("access_token") == 1


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001])
def test_throttling_codes_defer_the_source(graph_server: FakeGraphServer, fb_clock: FakeClock, code: int) -> None:
    graph_server.load_recorded()
    source = _source(graph_server, fb_clock)
    graph_server.fail_next(throttled(code))
    with pytest.raises(RateLimited) as caught:
        source.fetch(None)
    assert caught.value.retry_at == fb_clock.now() + timedelta(minutes=15)
    calls = len(graph_server.requests)
    with pytest.raises(RateLimited):
        source.fetch(None)
    assert len(graph_server.requests) == calls
    fb_clock.advance(timedelta(minutes=16))
    assert len(source.fetch(None).mentions) == 11


def test_business_use_case_header_gives_the_wait(graph_server: FakeGraphServer, fb_clock: FakeClock) -> None:
    graph_server.fail_next(throttled(80001, regain_minutes=42))
    with pytest.raises(RateLimited) as caught:
        _source(graph_server, fb_clock).fetch(None)
    assert caught.value.retry_at == fb_clock.now() + timedelta(minutes=42)


def test_high_quota_use_pauses_after_the_batch(graph_server: FakeGraphServer, fb_clock: FakeClock) -> None:
    graph_server.load_recorded()
    graph_server.advance_usage(call_count=96, regain_minutes=25)
    source = _source(graph_server, fb_clock)
    assert len(source.fetch(None).mentions) == 11  # the batch is kept
    assert source.earliest_next_poll(fb_clock.now()) == fb_clock.now() + timedelta(minutes=25)
    with pytest.raises(RateLimited):
        source.fetch(None)
    graph_server.advance_usage(call_count=10)
    fb_clock.advance(timedelta(minutes=26))
    assert source.earliest_next_poll(fb_clock.now()) is None
    assert source.fetch(None).mentions


@pytest.mark.parametrize("answer", [expired_token(), recorded_oauth_error(), graph_error(200, "(#200) Permissions")])
def test_a_refused_token_stops_the_source_with_one_clear_message(
    graph_server: FakeGraphServer, fb_clock: FakeClock, answer: Answer
) -> None:
    source = _source(graph_server, fb_clock)
    graph_server.fail_next(answer)
    with pytest.raises(AuthRejected) as caught:
        source.fetch(None)
    assert "sources.facebook.page_token" in str(caught.value) and PAGE_TOKEN not in str(caught.value)
    calls = len(graph_server.requests)
    with pytest.raises(AuthRejected):
        source.fetch(None)
    assert len(graph_server.requests) == calls


def test_a_wrong_token_is_rejected(graph_server: FakeGraphServer, fb_clock: FakeClock) -> None:
    client = GraphClient("not-the-token", fb_clock, graph_url=graph_server.url)
    with pytest.raises(AuthRejected, match="#190"):
        FacebookPageSource(client, PAGE_ID, fb_clock).fetch(None)


@pytest.mark.parametrize(
    "answer",
    [
        html_error(502),
        no_content_type(),
        malformed_json(),
        Answer(500, {"error": {"message": "An unknown error occurred", "type": "OAuthException", "code": 1}}),
        Answer(500, {"data": []}),
        Answer(200, {"no_data": True}),
        graph_error(2, "Service temporarily unavailable", status=500, kind="FacebookApiException"),
        Answer(502, {"error": "Bad Gateway"}),  # a gateway in front of the API, OAuth style
    ],
    ids=["html-502", "no-content-type", "malformed-json", "code-1", "500-json", "no-data", "code-2", "error-string"],
)
def test_broken_answers_are_unavailable_not_crashes(
    graph_server: FakeGraphServer, fb_clock: FakeClock, answer: Answer
) -> None:
    graph_server.load_recorded()
    source = _source(graph_server, fb_clock)
    graph_server.fail_next(answer)
    with pytest.raises(Unavailable):
        source.fetch(None)
    assert len(source.fetch(None).mentions) == 11


def test_every_request_has_a_timeout(graph_server: FakeGraphServer, fb_clock: FakeClock) -> None:
    graph_server.fail_next(slow(2.0))
    with pytest.raises(Unavailable, match="in time"):
        _source(graph_server, fb_clock, timeout=timedelta(milliseconds=200)).fetch(None)


def test_a_failure_on_one_post_keeps_the_others(graph_server: FakeGraphServer, fb_clock: FakeClock) -> None:
    now = fb_clock.now()
    first = graph_server.add_post("post one", now - timedelta(days=1))
    second = graph_server.add_post("post two", now - timedelta(days=2))
    a = graph_server.add_comment(first, "no refund yet", now - timedelta(hours=1), CUSTOMER)
    b = graph_server.add_comment(second, "broken on arrival", now - timedelta(hours=2), CUSTOMER)
    source = _source(graph_server, fb_clock)
    graph_server.fail_next(html_error(500), path_contains=f"{second}/comments")

    partial = source.fetch(None)
    assert [m.external_id for m in partial.mentions] == [a]
    rest = source.fetch(partial.next_cursor)
    assert [m.external_id for m in rest.mentions] == [b]


def test_a_post_whose_comments_always_fail_does_not_hide_the_other_posts(
    graph_server: FakeGraphServer, fb_clock: FakeClock
) -> None:
    now = fb_clock.now()
    newest = graph_server.add_post("post one", now - timedelta(days=1))
    older = graph_server.add_post("post two", now - timedelta(days=2))
    graph_server.add_comment(newest, "thousands of comments", now - timedelta(hours=3), CUSTOMER)
    complaint = graph_server.add_comment(older, "broken on arrival", now - timedelta(hours=2), CUSTOMER)
    # Graph's answer for an object too big to read, the same on every try
    too_much = graph_error(
        1, "Please reduce the amount of data you're asking for, then retry your request", 500, "OAuthException"
    )
    graph_server.fail_next(too_much, path_contains=f"{newest}/comments", times=1000)
    source = _source(graph_server, fb_clock)

    seen: list[str] = []
    cursor = None
    for _ in range(3):
        try:
            batch = source.fetch(cursor)
        except Unavailable:
            continue
        seen += [m.external_id for m in batch.mentions]
        cursor = batch.next_cursor
    assert seen == [complaint]


def test_a_transient_graph_error_stops_the_round_of_posts(graph_server: FakeGraphServer, fb_clock: FakeClock) -> None:
    now = fb_clock.now()
    newest = graph_server.add_post("post one", now - timedelta(days=1))
    older = graph_server.add_post("post two", now - timedelta(days=2))
    outage = graph_error(2, "Service temporarily unavailable", status=500, kind="FacebookApiException")
    outage.body["error"]["is_transient"] = True
    graph_server.fail_next(outage, path_contains="/comments", times=10)
    with pytest.raises(Unavailable, match="temporarily unavailable"):
        _source(graph_server, fb_clock).fetch(None)
    assert graph_server.requests_to(f"{newest}/comments") and not graph_server.requests_to(f"{older}/comments")


def test_malformed_comments_are_logged_and_skipped(
    graph_server: FakeGraphServer, fb_clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    post = graph_server.add_post("post", fb_clock.now() - timedelta(days=1))
    good = graph_server.add_comment(post, "package never arrived", fb_clock.now() - timedelta(hours=1), CUSTOMER)
    graph_server.put_raw_comment(post, {"id": "1_broken", "message": "no time", "from": CUSTOMER})
    graph_server.put_raw_comment(
        post, {"id": "1_sticker", "created_time": "2021-08-15T10:00:00+0000", "from": CUSTOMER}
    )
    with caplog.at_level(logging.WARNING, logger="monitor.facebook"):
        batch = _source(graph_server, fb_clock).fetch(None)
    assert {m.external_id: m.text for m in batch.mentions} == {good: "package never arrived", "1_sticker": ""}
    assert "1_broken" in caplog.text


@pytest.mark.parametrize(
    "text",
    [
        "Przesyłka nie dotarła. " * 2300,
        "😡😡📦❌ gdzie jest moja paczka 🤬",
        "החבילה שלי לא הגיעה، أين طلبي؟",
    ],
    ids=["50kB", "emoji", "right-to-left"],
)
def test_texts_arrive_unchanged(graph_server: FakeGraphServer, fb_clock: FakeClock, text: str) -> None:
    post = graph_server.add_post("post", fb_clock.now() - timedelta(days=1))
    graph_server.add_comment(post, text, fb_clock.now() - timedelta(hours=1), CUSTOMER)
    [mention] = _source(graph_server, fb_clock).fetch(None).mentions
    assert mention.text == text


def test_the_token_never_reaches_logs_or_exceptions(
    graph_server: FakeGraphServer, fb_clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    graph_server.load_recorded()
    with FakeGraphServer() as gone:
        dead_url = gone.url
    errors: list[BaseException] = []
    with caplog.at_level(logging.DEBUG):
        source = _source(graph_server, fb_clock, page_size=4)
        source.fetch(None)  # pages through `next` URLs that carry access_token
        for answer in (html_error(), malformed_json(), throttled(4), expired_token()):
            graph_server.fail_next(answer)
            fb_clock.advance(timedelta(hours=1))
            try:
                source.fetch(None)
            except SourceError as exc:
                errors.append(exc)
        try:
            _source(graph_server, fb_clock, graph_url=dead_url).fetch(None)
        except SourceError as exc:
            errors.append(exc)
    assert len(errors) == 5
    assert "access_token=***" in caplog.text  # urllib3 did log the URLs at DEBUG: masked
    assert PAGE_TOKEN not in caplog.text
    for exc in errors:
        assert PAGE_TOKEN not in "".join(traceback.format_exception(exc))


def test_the_api_version_is_configurable(graph_server: FakeGraphServer, fb_clock: FakeClock) -> None:
    graph_server.load_recorded()
    [source] = build_facebook_sources(PAGE_ID, PAGE_TOKEN, fb_clock, api_version="v23.0", graph_url=graph_server.url)
    source.fetch(None)
    assert graph_server.versions_seen == {"v23.0"}


def test_an_unreadable_cursor_reads_the_window_again(graph_server: FakeGraphServer, fb_clock: FakeClock) -> None:
    graph_server.load_recorded()
    assert len(_source(graph_server, fb_clock).fetch("{broken").mentions) == 11
