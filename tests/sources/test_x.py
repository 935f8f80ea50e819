"""The X adapter driving the real tweepy against the fake X API on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import traceback
from datetime import UTC, datetime, timedelta

import pytest

from monitor.clock import FakeClock
from monitor.models import Mention, Platform, Reply
from monitor.sources import AuthRejected, RateLimited, SourceError, Unavailable
from monitor.x import (
    BrandAccount,
    ReadBudget,
    XBrandRepliesSource,
    XClient,
    XMentionsSource,
    XSearchSource,
    XStream,
    build_x_sources,
)
from tests.fakeservers import (
    BEARER_TOKEN,
    BRAND_ID,
    BRAND_USERNAME,
    FakeXServer,
    forbidden,
    malformed_json,
    no_content_type,
    rate_limited,
    server_error,
    slow,
    snowflake_time,
    unauthorized,
)
from tests.fakeservers.x import Answer


def _sources(server: FakeXServer, clock: FakeClock, **kwargs: object) -> dict[str, XStream]:
    options: dict[str, object] = {"user_id": BRAND_ID, "api_base_url": server.url}
    options.update(kwargs)
    built = build_x_sources(BEARER_TOKEN, clock, **options)  # type: ignore[arg-type]
    return {s.name: s for s in built}  # type: ignore[misc]


def _stream(server: FakeXServer, clock: FakeClock, page_size: int = 100, max_pages: int = 100) -> XMentionsSource:
    client = XClient(BEARER_TOKEN, clock, api_base_url=server.url, timeout=timedelta(seconds=5))
    brand = BrandAccount(client, user_id=BRAND_ID)
    return XMentionsSource(client, brand, clock, page_size=page_size, max_pages=max_pages)


def _add_many(server: FakeXServer, count: int, start: datetime, prefix: str = "order") -> list[str]:
    return [
        server.add_tweet(f"@{BRAND_USERNAME} {prefix} {n} never arrived", f"buyer{n % 7}", start + timedelta(seconds=n))
        for n in range(count)
    ]


def test_recorded_mentions_arrive_with_the_fields_asked_for(x_server: FakeXServer, x_clock: FakeClock) -> None:
    ids = x_server.load_recorded()
    batch = _sources(x_server, x_clock)["x:mentions"].fetch(None)

    assert sorted(m.external_id for m in batch.mentions) == sorted(ids)
    first = next(m for m in batch.mentions if m.external_id == "1578516295611748353")
    assert first.platform == Platform.X
    assert first.text.startswith("@Twitter @TwitterSupport this is my ENTIRE feed")
    assert first.author == "customer0" and first.author_id
    assert first.created_at == snowflake_time("1578516295611748353").replace(microsecond=0)
    assert first.url == "https://x.com/customer0/status/1578516295611748353"
    assert first.lang == "en" and first.conversation_id == first.external_id
    assert not first.from_brand
    assert [m.created_at for m in batch.mentions] == sorted(m.created_at for m in batch.mentions)

    request = x_server.requests_to("/mentions")[0]
    assert set(request.query["tweet.fields"].split(",")) >= {
        "author_id",
        "created_at",
        "conversation_id",
        "referenced_tweets",
        "in_reply_to_user_id",
        "lang",
    }
    assert "author_id" in request.query["expansions"].split(",")
    assert request.headers["authorization"] == f"Bearer {BEARER_TOKEN}"
    assert request.path == f"/2/users/{BRAND_ID}/mentions"


def test_second_fetch_with_the_cursor_brings_nothing_and_sends_since_id(
    x_server: FakeXServer, x_clock: FakeClock
) -> None:
    x_server.load_recorded()
    source = _sources(x_server, x_clock)["x:mentions"]
    first = source.fetch(None)
    again = source.fetch(first.next_cursor)

    assert again.mentions == () and again.replies == ()
    assert x_server.requests_to("/mentions")[-1].query["since_id"] == "1578516295611748353"
    # the cursor is only advanced by the caller: the same cursor gives the same batch
    assert [m.external_id for m in source.fetch(None).mentions] == [m.external_id for m in first.mentions]


def test_first_poll_reads_one_page_then_pages_back_through_a_backlog(x_server: FakeXServer, x_clock: FakeClock) -> None:
    start = datetime(2022, 10, 7, 12, 0, tzinfo=UTC)
    _add_many(x_server, 120, start)
    source = _stream(x_server, x_clock)
    first = source.fetch(None)
    assert len(first.mentions) == 100 and len(x_server.requests_to("/mentions")) == 1

    # downtime: 250 more arrive; one fetch pages back through all of them
    backlog = _add_many(x_server, 250, start + timedelta(hours=1), prefix="late")
    batch = source.fetch(first.next_cursor)
    assert sorted(m.external_id for m in batch.mentions) == sorted(backlog)
    assert len(x_server.requests_to("/mentions")) == 1 + 3
    assert json.loads(batch.next_cursor or "")["since_id"] == max(backlog, key=int)
    assert source.fetch(batch.next_cursor).mentions == ()


def test_the_same_post_on_two_pages_is_delivered_once(x_clock: FakeClock) -> None:
    with FakeXServer(now=x_clock.now, repeat_last_on_next_page=True) as server:
        source = _stream(server, x_clock, page_size=10)
        cursor = source.fetch(None).next_cursor
        ids = _add_many(server, 35, datetime(2022, 10, 7, 20, 0, tzinfo=UTC))
        batch = source.fetch(cursor)
    assert len(batch.mentions) == len({m.external_id for m in batch.mentions}) == 35
    assert {m.external_id for m in batch.mentions} == set(ids)


def test_a_sweep_longer_than_max_pages_resumes_where_it_stopped(x_server: FakeXServer, x_clock: FakeClock) -> None:
    source = _stream(x_server, x_clock, page_size=10, max_pages=2)
    cursor = source.fetch(None).next_cursor
    ids = _add_many(x_server, 45, datetime(2022, 10, 7, 20, 0, tzinfo=UTC))
    seen: list[str] = []
    for _ in range(4):
        batch = source.fetch(cursor)
        seen += [m.external_id for m in batch.mentions]
        cursor = batch.next_cursor
    assert sorted(seen) == sorted(ids)  # no gap, no duplicate
    assert json.loads(cursor or "")["since_id"] == max(ids, key=int)


def test_answers_of_the_shop_are_replies_and_its_own_posts_never_mentions(
    x_server: FakeXServer, x_clock: FakeClock
) -> None:
    ids = x_server.load_recorded()
    complaint = ids[0]
    at = snowflake_time(complaint)
    answer = x_server.add_tweet(
        "@customer0 Sorry! Please DM us your ticket number.",
        BRAND_USERNAME,
        at + timedelta(minutes=7),
        replied_to=complaint,
    )
    x_server.add_tweet(f"@{BRAND_USERNAME} new drop today", BRAND_USERNAME, at + timedelta(minutes=8))
    retweet = x_server.add_tweet(
        f"RT @customer0: @{BRAND_USERNAME} this is my ENTIRE feed",
        "fan1",
        at + timedelta(minutes=9),
        retweet_of=complaint,
    )
    quote = x_server.add_tweet(
        f"@{BRAND_USERNAME} same here, still no answer", "fan2", at + timedelta(minutes=10), quoted=complaint
    )
    sources = _sources(x_server, x_clock)

    mentions = sources["x:mentions"].fetch(None)
    replies = sources["x:replies"].fetch(None)

    mention_ids = {m.external_id for m in mentions.mentions}
    assert quote in mention_ids and complaint in mention_ids
    assert retweet not in mention_ids
    assert all(m.author_id != BRAND_ID for m in mentions.mentions)
    # the shop's post mentioning itself comes through the mentions stream but is not a mention
    assert len(mention_ids) == len(ids) + 1

    assert replies.mentions == ()
    [reply] = replies.replies
    assert reply == Reply(
        platform=Platform.X,
        external_id=answer,
        in_reply_to=complaint,
        created_at=at.replace(microsecond=0) + timedelta(minutes=7),
        author=BRAND_USERNAME,
        text="@customer0 Sorry! Please DM us your ticket number.",
        url=f"https://x.com/{BRAND_USERNAME}/status/{answer}",
    )


def test_a_reply_to_the_shops_own_reply_is_walked_up_to_the_customer(x_server: FakeXServer, x_clock: FakeClock) -> None:
    start = datetime(2022, 10, 7, 20, 0, tzinfo=UTC)
    complaint = x_server.add_tweet(f"@{BRAND_USERNAME} my parcel never arrived", "anna", start)
    first = x_server.add_tweet(
        "@anna sorry, checking", BRAND_USERNAME, start + timedelta(minutes=5), replied_to=complaint
    )
    second = x_server.add_tweet(
        "@anna update: it ships today", BRAND_USERNAME, start + timedelta(minutes=9), replied_to=first
    )
    third = x_server.add_tweet(
        "@anna and here is the tracking link",
        BRAND_USERNAME,
        start + timedelta(minutes=12),
        replied_to=second,
    )
    replies = {r.external_id: r.in_reply_to for r in _sources(x_server, x_clock)["x:replies"].fetch(None).replies}
    assert replies == {first: complaint, second: complaint, third: complaint}


def test_a_quote_of_a_customers_post_by_the_shop_answers_it(x_server: FakeXServer, x_clock: FakeClock) -> None:
    start = datetime(2022, 10, 7, 20, 0, tzinfo=UTC)
    complaint = x_server.add_tweet(f"@{BRAND_USERNAME} my parcel never arrived", "anna", start)
    quote = x_server.add_tweet(
        "So sorry Anna, we are on it - DM us the order number",
        BRAND_USERNAME,
        start + timedelta(minutes=6),
        quoted=complaint,
    )
    x_server.add_tweet("New drop on Friday!", BRAND_USERNAME, start + timedelta(minutes=7))
    replies = _sources(x_server, x_clock)["x:replies"].fetch(None).replies
    assert [(r.external_id, r.in_reply_to) for r in replies] == [(quote, complaint)]
    assert replies[0].created_at == start + timedelta(minutes=6)


def test_search_queries_find_posts_without_the_handle(x_server: FakeXServer, x_clock: FakeClock) -> None:
    x_server.load_recorded()
    hit = x_server.add_tweet(
        "ordered from twitter shop, package never arrived #twittershop",
        "piotr",
        datetime(2022, 10, 7, 23, 0, tzinfo=UTC),
        lang="pl",
    )
    sources = _sources(x_server, x_clock, queries=["#twittershop", " ", "#twittershop"])
    assert list(sources) == ["x:mentions", "x:search:#twittershop", "x:replies"]
    batch = sources["x:search:#twittershop"].fetch(None)
    assert [(m.external_id, m.lang) for m in batch.mentions] == [(hit, "pl")]
    assert x_server.requests_to("/search/recent")[0].query["query"] == "#twittershop"


def test_a_429_defers_only_that_stream_until_the_reset(x_server: FakeXServer, x_clock: FakeClock) -> None:
    x_server.load_recorded()
    sources = _sources(x_server, x_clock, queries=["bring back"])
    reset = x_clock.now() + timedelta(minutes=12)
    x_server.fail_next(rate_limited(reset), path_contains="/mentions")

    with pytest.raises(RateLimited) as caught:
        sources["x:mentions"].fetch(None)
    assert caught.value.retry_at == reset
    assert isinstance(caught.value.__cause__, Exception)
    assert sources["x:mentions"].earliest_next_poll(x_clock.now()) == reset

    calls = len(x_server.requests)
    with pytest.raises(RateLimited):
        sources["x:mentions"].fetch(None)  # still waiting: no request is made
    assert len(x_server.requests) == calls
    assert sources["x:search:bring back"].fetch(None).mentions  # the other streams go on
    assert sources["x:replies"].fetch(None).next_cursor

    x_clock.advance(timedelta(minutes=12, seconds=1))
    assert sources["x:mentions"].earliest_next_poll(x_clock.now()) is None
    assert len(sources["x:mentions"].fetch(None).mentions) == 10


def test_a_429_without_a_reset_header_waits_one_rate_window(x_server: FakeXServer, x_clock: FakeClock) -> None:
    x_server.fail_next(rate_limited(None))
    with pytest.raises(RateLimited) as caught:
        _stream(x_server, x_clock).fetch(None)
    assert caught.value.retry_at == x_clock.now() + timedelta(minutes=15)


def test_a_429_in_the_middle_of_a_backlog_keeps_what_was_read(x_server: FakeXServer, x_clock: FakeClock) -> None:
    source = _stream(x_server, x_clock, page_size=10)
    cursor = source.fetch(None).next_cursor
    ids = _add_many(x_server, 30, datetime(2022, 10, 7, 20, 0, tzinfo=UTC))
    reset = x_clock.now() + timedelta(minutes=5)
    calls = {"n": 0}
    original = x_server.handle

    def second_page_limited(request):  # type: ignore[no-untyped-def]
        if "/mentions" in request.path and request.query.get("pagination_token"):
            calls["n"] += 1
            if calls["n"] == 1:
                return rate_limited(reset)
        return original(request)

    x_server.handle = second_page_limited  # type: ignore[method-assign]
    partial = source.fetch(cursor)
    assert len(partial.mentions) == 10
    assert json.loads(partial.next_cursor or "")["resume"]["token"]
    with pytest.raises(RateLimited):
        source.fetch(partial.next_cursor)
    x_clock.advance(timedelta(minutes=6))
    rest = source.fetch(partial.next_cursor)
    assert sorted(m.external_id for m in partial.mentions + rest.mentions) == sorted(ids)
    assert "resume" not in json.loads(rest.next_cursor or "")


def test_remaining_zero_defers_the_next_poll_without_a_429(x_server: FakeXServer, x_clock: FakeClock) -> None:
    x_server.load_recorded()
    reset = x_clock.now() + timedelta(minutes=9)
    original = x_server._ok

    def exhausted(body):  # type: ignore[no-untyped-def]
        answer = original(body)
        answer.headers.update({"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(reset.timestamp()))})
        return answer

    x_server._ok = exhausted  # type: ignore[method-assign]
    source = _stream(x_server, x_clock)
    assert len(source.fetch(None).mentions) == 10
    assert source.earliest_next_poll(x_clock.now()) == reset


def test_401_stops_every_x_stream_with_one_clear_message(x_server: FakeXServer, x_clock: FakeClock) -> None:
    sources = _sources(x_server, x_clock, queries=["shop"])
    x_server.fail_next(unauthorized())
    with pytest.raises(AuthRejected) as caught:
        sources["x:mentions"].fetch(None)
    message = str(caught.value)
    assert "401" in message and "sources.x.bearer_token" in message and BEARER_TOKEN not in message
    calls = len(x_server.requests)
    for source in sources.values():
        with pytest.raises(AuthRejected):
            source.fetch(None)
    assert len(x_server.requests) == calls  # stopped: nothing more is sent


def test_403_stops_only_the_stream_that_got_it(x_server: FakeXServer, x_clock: FakeClock) -> None:
    x_server.load_recorded()
    sources = _sources(x_server, x_clock, queries=["bring back"])
    x_server.fail_next(forbidden("search is not part of your access tier"), path_contains="/search")
    with pytest.raises(AuthRejected, match="403"):
        sources["x:search:bring back"].fetch(None)
    with pytest.raises(AuthRejected):
        sources["x:search:bring back"].fetch(None)
    assert sources["x:mentions"].fetch(None).mentions


@pytest.mark.parametrize(
    "answer",
    [server_error(500), server_error(503), malformed_json(), Answer(200, b"[1, 2]")],
    ids=["500", "503", "malformed-json", "json-not-an-object"],
)
def test_server_failures_are_unavailable_and_do_not_stick(
    x_server: FakeXServer, x_clock: FakeClock, answer: Answer
) -> None:
    x_server.load_recorded()
    source = _stream(x_server, x_clock)
    x_server.fail_next(answer)
    with pytest.raises(Unavailable):
        source.fetch(None)
    assert len(source.fetch(None).mentions) == 10


def test_a_json_answer_without_content_type_is_still_read(x_server: FakeXServer, x_clock: FakeClock) -> None:
    x_server.fail_next(no_content_type())
    assert _stream(x_server, x_clock).fetch(None).mentions == ()


def test_every_request_has_a_timeout(x_server: FakeXServer, x_clock: FakeClock) -> None:
    client = XClient(BEARER_TOKEN, x_clock, api_base_url=x_server.url, timeout=timedelta(milliseconds=200))
    source = XMentionsSource(client, BrandAccount(client, user_id=BRAND_ID), x_clock)
    x_server.fail_next(slow(2.0))
    with pytest.raises(Unavailable, match="in time"):
        source.fetch(None)


def test_unreachable_api_is_unavailable(x_clock: FakeClock) -> None:
    with FakeXServer() as server:
        url = server.url
    client = XClient(BEARER_TOKEN, x_clock, api_base_url=url, timeout=timedelta(seconds=2))
    with pytest.raises(Unavailable, match="could not be reached"):
        XMentionsSource(client, BrandAccount(client, user_id=BRAND_ID), x_clock).fetch(None)


def test_malformed_posts_are_logged_by_id_and_skipped(
    x_server: FakeXServer, x_clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    good = x_server.add_tweet(f"@{BRAND_USERNAME} where is my order", "ok", datetime(2022, 10, 7, 21, tzinfo=UTC))
    x_server.put_raw({"id": "1578500000000000001", "text": f"@{BRAND_USERNAME} no author or time"})
    x_server.put_raw(
        {
            "id": "1578500000000000002",
            "text": f"@{BRAND_USERNAME} bad time",
            "author_id": "5",
            "created_at": "yesterday",
        }
    )
    with caplog.at_level(logging.WARNING, logger="monitor.x"):
        batch = _stream(x_server, x_clock).fetch(None)
    assert [m.external_id for m in batch.mentions] == [good]
    assert "1578500000000000001" in caplog.text and "1578500000000000002" in caplog.text


def test_a_page_with_malformed_includes_keeps_its_posts(x_server: FakeXServer, x_clock: FakeClock) -> None:
    at = "2022-10-07T21:00:00.000Z"
    post = {"id": "1578500000000000003", "text": "@shop hello", "author_id": "5", "created_at": at}
    x_server.fail_next(Answer(200, {"data": [post], "includes": {"users": 5, "tweets": "x"}, "meta": {}}))
    batch = _stream(x_server, x_clock).fetch(None)
    assert [m.external_id for m in batch.mentions] == [post["id"]]


@pytest.mark.parametrize(
    "text",
    [
        "@Twitter " + "zamówienie nie dotarło " * 2200,
        "@Twitter 😡📦❌ where is it 🤬",
        "@Twitter ההזמנה שלי לא הגיעה عاجل",
        "@Twitter refund <50 zł> & still nothing -> a &lt; typed by hand stays &amp;",
    ],
    ids=["50kB", "emoji", "right-to-left", "html-escaped-by-x"],
)
def test_texts_arrive_unchanged(x_server: FakeXServer, x_clock: FakeClock, text: str) -> None:
    x_server.add_tweet(text, "writer", datetime(2022, 10, 7, 21, tzinfo=UTC))
    [mention] = _stream(x_server, x_clock).fetch(None).mentions
    assert mention.text == text


def test_a_long_post_arrives_whole_not_cut_at_280_characters(x_server: FakeXServer, x_clock: FakeClock) -> None:
    text = "@Twitter " + "Kupiłam u Was kurtkę na prezent, bardzo się cieszyłam. " * 6 + "A paczka nie doszła!"
    x_server.add_tweet(text, "writer", datetime(2022, 10, 7, 21, tzinfo=UTC))
    [served] = x_server.tweets.values()
    assert len(served["text"]) == 280 and "nie doszła" not in served["text"]  # what `text` alone would give
    [mention] = _stream(x_server, x_clock).fetch(None).mentions
    assert mention.text == text


def test_username_is_resolved_once_for_all_streams(x_server: FakeXServer, x_clock: FakeClock) -> None:
    x_server.load_recorded()
    sources = build_x_sources(BEARER_TOKEN, x_clock, username="@Twitter", api_base_url=x_server.url)
    for source in sources:
        source.fetch(None)
    assert len(x_server.requests_to("/users/by/username/")) == 1
    assert x_server.requests_to("/mentions")[0].path == f"/2/users/{BRAND_ID}/mentions"


def test_an_unknown_username_is_a_clear_error(x_server: FakeXServer, x_clock: FakeClock) -> None:
    [mentions, *_] = build_x_sources(BEARER_TOKEN, x_clock, username="nosuchshop", api_base_url=x_server.url)
    with pytest.raises(Unavailable, match="@nosuchshop"):
        mentions.fetch(None)


def test_a_refused_since_id_pages_back_through_what_x_still_serves(x_server: FakeXServer, x_clock: FakeClock) -> None:
    ids = _add_many(x_server, 250, datetime(2022, 10, 7, 12, 0, tzinfo=UTC))  # more than one page
    refused = Answer(
        400,
        {
            "errors": [
                {
                    "parameters": {"since_id": ["1"]},
                    "message": "Invalid 'since_id': since_id must be a tweet id created after 2022-10-01",
                }
            ],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request",
        },
    )
    x_server.fail_next(refused)
    source = _stream(x_server, x_clock)
    batch = source.fetch(json.dumps({"since_id": "1"}))
    # after long downtime every post X still serves is read, not only the newest page of 100
    assert sorted(m.external_id for m in batch.mentions) == sorted(ids)
    assert json.loads(batch.next_cursor or "")["since_id"] == max(ids, key=int)
    assert source.fetch(batch.next_cursor).mentions == ()


def test_an_unreadable_cursor_is_ignored_with_a_warning(
    x_server: FakeXServer, x_clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    x_server.load_recorded()
    with caplog.at_level(logging.WARNING, logger="monitor.x"):
        batch = _stream(x_server, x_clock).fetch("not json{")
    assert len(batch.mentions) == 10 and "unreadable" in caplog.text


def test_secrets_never_reach_logs_or_exceptions(
    x_server: FakeXServer, x_clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    x_server.load_recorded()
    sources = _sources(x_server, x_clock)
    errors: list[BaseException] = []
    with caplog.at_level(logging.DEBUG):
        sources["x:mentions"].fetch(None)
        for answer in (
            rate_limited(x_clock.now() + timedelta(minutes=1)),
            server_error(),
            malformed_json(),
            unauthorized(),
        ):
            x_server.fail_next(answer)
            x_clock.advance(timedelta(minutes=2))
            try:
                sources["x:replies"].fetch(None)
            except SourceError as exc:
                errors.append(exc)
    assert len(errors) == 4
    assert "Bearer ***" in caplog.text  # tweepy did log its headers at DEBUG: masked
    assert BEARER_TOKEN not in caplog.text
    for exc in errors:
        assert BEARER_TOKEN not in "".join(traceback.format_exception(exc))


def test_the_read_cap_spaces_polls_so_it_lasts_the_month(
    x_server: FakeXServer, x_clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    x_clock.set(datetime(2022, 10, 16, 0, 0, tzinfo=UTC))  # 16 days of October left
    x_server.load_recorded()
    sources = _sources(x_server, x_clock, monthly_read_cap=1010)
    with caplog.at_level(logging.INFO, logger="monitor.x"):
        batch = sources["x:mentions"].fetch(None)
    assert len(batch.mentions) == 10
    # 10 posts read, 1000 left for 16 days: the next X poll waits 10 * 16 days / 1000
    expected = x_clock.now() + timedelta(days=16) * (10 / 1000)
    for source in sources.values():
        assert source.earliest_next_poll(x_clock.now()) == expected
    assert "10 posts read this month of a cap of 1010" in caplog.text
    assert json.loads(batch.next_cursor or "")["reads"] == {"month": "2022-10", "count": 10}


def test_a_used_up_cap_waits_for_next_month_even_after_a_restart(x_server: FakeXServer, x_clock: FakeClock) -> None:
    x_clock.set(datetime(2022, 10, 20, 0, 0, tzinfo=UTC))
    x_server.load_recorded()
    stored = _sources(x_server, x_clock, monthly_read_cap=12)["x:mentions"].fetch(None).next_cursor
    restarted = _sources(x_server, x_clock, monthly_read_cap=12)["x:mentions"]
    restarted.fetch(stored)  # learns the 10 already read from the stored cursor
    x_server.add_tweet("@Twitter one", "a", datetime(2022, 10, 19, tzinfo=UTC))
    x_server.add_tweet("@Twitter two", "b", datetime(2022, 10, 19, 0, 1, tzinfo=UTC))
    x_server.add_tweet("@Twitter three", "c", datetime(2022, 10, 19, 0, 2, tzinfo=UTC))
    after = restarted.fetch(json.dumps({"since_id": "1", "reads": {"month": "2022-10", "count": 10}}))
    assert after.mentions
    with pytest.raises(RateLimited, match="cap") as caught:
        restarted.fetch(after.next_cursor)
    assert caught.value.retry_at == datetime(2022, 11, 1, tzinfo=UTC)
    x_clock.set(datetime(2022, 11, 1, 0, 0, 1, tzinfo=UTC))
    restarted.fetch(after.next_cursor)  # a new month, a new allowance


def test_read_budget_rolls_over_and_rejects_a_bad_cap() -> None:
    clock = FakeClock(datetime(2022, 12, 31, 12, tzinfo=UTC))
    budget = ReadBudget(100, clock)
    budget.record("x:mentions", "2022-12", 100, 100)
    assert budget.next_allowed(clock.now()) == datetime(2023, 1, 1, tzinfo=UTC)
    clock.set(datetime(2023, 1, 1, 0, 0, 1, tzinfo=UTC))
    assert budget.used == 0 and budget.next_allowed(clock.now()) is None
    with pytest.raises(ValueError):
        ReadBudget(0, clock)


def test_sources_satisfy_the_protocol_shape(x_server: FakeXServer, x_clock: FakeClock) -> None:
    x_server.load_recorded()
    sources = _sources(x_server, x_clock, queries=["a"])
    assert [type(s) for s in sources.values()] == [XMentionsSource, XSearchSource, XBrandRepliesSource]
    assert all(s.platform == Platform.X for s in sources.values())
    fetched = [m for s in sources.values() for m in s.fetch(None).mentions]
    assert fetched  # with no posts on the server the check below would pass vacuously
    assert all(isinstance(m, Mention) for m in fetched)


def test_a_next_token_that_comes_back_again_ends_the_sweep(x_server: FakeXServer, x_clock: FakeClock) -> None:
    source = _stream(x_server, x_clock)
    cursor = source.fetch(None).next_cursor
    [late] = _add_many(x_server, 1, datetime(2022, 10, 7, 20, 0, tzinfo=UTC), prefix="late")
    tweet = {**x_server.tweets[late], "edit_history_tweet_ids": [late]}
    looping = Answer(
        200,
        {
            "data": [tweet],
            "includes": {"users": [{"id": tweet["author_id"], "username": "buyer0", "name": "buyer0"}]},
            "meta": {"result_count": 1, "newest_id": late, "oldest_id": late, "next_token": "7140dibdnow9c7btw3w29n4"},
        },
    )
    x_server.fail_next(looping, path_contains="/mentions", times=1000)
    batch = source.fetch(cursor)

    assert [m.external_id for m in batch.mentions] == [late]
    assert len(x_server.requests_to("/mentions")) <= 3  # not max_pages of the same page
    # the sweep is over: the next poll asks for what is newer, not for the same page again
    assert json.loads(batch.next_cursor or "") == {"since_id": late, "reads": {"month": "2022-10", "count": 2}}


def test_a_refusal_without_any_cursor_left_to_drop_is_an_error_not_a_loop(
    x_server: FakeXServer, x_clock: FakeClock
) -> None:
    refused = Answer(400, {"errors": [{"message": "Invalid 'since_id'"}], "title": "Invalid Request"})
    x_server.fail_next(refused, times=2)
    with pytest.raises(Unavailable, match="since_id"):
        _stream(x_server, x_clock).fetch(json.dumps({"since_id": "1"}))
    assert len(x_server.requests_to("/mentions")) == 2
