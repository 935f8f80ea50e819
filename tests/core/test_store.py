"""The store: idempotent by key, WAL on SQLite, aware datetimes, an append-only event log."""

from __future__ import annotations

import stat
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event

from monitor.models import Batch, EventKind, Mention, OutboxIntent, Reply
from monitor.store import Store
from tests.fakes import RESPONSE_TIME, complaint_score

pytestmark = pytest.mark.any_db  # SQLite, and PostgreSQL when the test server is there

M = timedelta(minutes=1)


def mention(clock, eid="1", text="zamówienie nie dotarło", **kw) -> Mention:
    return Mention(platform="x", external_id=eid, author="@kasia", text=text, created_at=clock.now() - 5 * M, **kw)


def test_sqlite_runs_in_wal_mode_with_a_private_file(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    try:
        assert store.journal_mode() == "wal"
    finally:
        store.close()
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_batches_are_idempotent_and_advance_the_cursor(store: Store, clock) -> None:
    batch = Batch((mention(clock), mention(clock, "2"), mention(clock)), (), "c1")
    assert store.save_batch("x:mentions", batch, clock.now()).new_mentions == 2
    assert store.save_batch("x:mentions", batch, clock.now()).new_mentions == 0
    assert store.cursor("x:mentions") == "c1"
    assert store.cursor("other") is None
    assert store.mention_count() == 2


def test_datetimes_come_back_aware_utc(store: Store, clock) -> None:
    store.save_batch("s", Batch((mention(clock),), (), None), clock.now())
    [pending] = store.unscored_mentions()
    assert pending.mention.created_at == clock.now() - 5 * M
    assert pending.mention.created_at.tzinfo is not None


def test_brand_posts_are_never_scored(store: Store, clock) -> None:
    store.save_batch("s", Batch((mention(clock, from_brand=True),), (), None), clock.now())
    assert store.unscored_mentions() == []


def test_escalation_is_idempotent_on_the_mention(store: Store, clock) -> None:
    store.save_batch("s", Batch((mention(clock),), (), None), clock.now())
    [pending] = store.unscored_mentions()
    store.save_score(pending.id, complaint_score(), clock.now())
    store.save_score(pending.id, complaint_score(), clock.now())
    first = store.open_escalation(pending.id, complaint_score(), clock.now(), response_time=RESPONSE_TIME)
    assert first is not None and first.created_at == clock.now() - 5 * M
    assert store.open_escalation(pending.id, complaint_score(), clock.now(), response_time=RESPONSE_TIME) is None
    assert len(store.escalations()) == 1
    assert [e.kind for e in store.events(first.id)] == [EventKind.OPENED]
    assert "seen 5 min after it was posted" in store.events(first.id)[0].detail


def test_events_are_once_per_key_and_set_the_timestamps(store: Store, clock) -> None:
    store.save_batch("s", Batch((mention(clock),), (), None), clock.now())
    [pending] = store.unscored_mentions()
    esc = store.open_escalation(pending.id, complaint_score(), clock.now(), response_time=RESPONSE_TIME)
    assert esc is not None
    t = clock.advance(10 * M)
    assert store.record_event(esc.id, EventKind.ACKNOWLEDGED, t, actor="U1")
    assert not store.record_event(esc.id, EventKind.ACKNOWLEDGED, t, actor="U1")
    assert store.record_event(esc.id, EventKind.RESPONDED, t, actor="@shop", key="responded:a")
    later = clock.advance(5 * M)
    assert store.record_event(esc.id, EventKind.RESPONDED, later, actor="@shop", key="responded:b")
    got = store.escalation(esc.id)
    assert got.acknowledged_by == "U1" and got.first_response_at == t and got.responded_by == "@shop"
    assert store.active_escalations() == []
    assert [e.kind for e in store.events(esc.id)] == ["opened", "acknowledged", "responded", "responded"]


def test_reminders_sent_are_read_back_from_the_event_log(store: Store, clock) -> None:
    store.save_batch("s", Batch((mention(clock), mention(clock, "2")), (), None), clock.now())
    first, second = (
        store.open_escalation(p.id, complaint_score(), clock.now(), response_time=RESPONSE_TIME)
        for p in store.unscored_mentions()
    )
    assert first is not None and second is not None and first.reminded == frozenset()
    store.record_event(first.id, EventKind.REMINDED, clock.now(), detail="1800s left", key="reminded:1800")
    store.record_event(first.id, EventKind.REMINDED, clock.now(), detail="600s left", key="reminded:600")
    assert store.escalation(first.id).reminded == {30 * M, 10 * M}
    assert {e.id: e.reminded for e in store.active_escalations()} == {first.id: {30 * M, 10 * M}, second.id: set()}


def test_replies_match_escalations_whatever_the_order(store: Store, clock) -> None:
    reply = Reply(platform="x", external_id="r1", in_reply_to="1", created_at=clock.now(), author="@shop")
    store.save_batch("s", Batch((), (reply,), None), clock.now())
    store.save_batch("s", Batch((), (reply,), None), clock.now())
    assert store.reply_count() == 1
    store.save_batch("s", Batch((mention(clock),), (), None), clock.now())
    assert store.pending_responses() == []  # not escalated yet
    [pending] = store.unscored_mentions()
    esc = store.open_escalation(pending.id, complaint_score(), clock.now(), response_time=RESPONSE_TIME)
    assert esc is not None
    [match] = store.pending_responses()
    assert match.escalation_id == esc.id and match.reply.external_id == "r1"


def test_a_reply_after_the_team_closed_it_by_hand_is_not_pending_forever(store: Store, clock) -> None:
    """Resolved (answered by DM) or dismissed, then answered in public: that reply stops no clock.
    It stayed pending, so every tick (each second) tried it again: thousands of them after months."""
    store.save_batch("s", Batch((mention(clock, "1"), mention(clock, "2")), (), None), clock.now())
    ids = list(_escalate_all(store, clock).values())
    store.record_event(ids[0], EventKind.RESOLVED, clock.now(), actor="anna")
    store.record_event(ids[1], EventKind.DISMISSED, clock.now(), actor="bob")
    later = clock.advance(5 * M)
    replies = tuple(
        Reply(platform="x", external_id=f"r{eid}", in_reply_to=eid, created_at=later, author="@shop") for eid in "12"
    )
    store.save_batch("s", Batch((), replies, None), later)
    assert store.pending_responses() == []


def test_an_answer_in_a_thread_also_answers_that_customers_earlier_follow_ups(store: Store, clock) -> None:
    start = clock.now() - 30 * M

    def post(eid, author, minutes, parent=None):
        return Mention(
            platform="facebook",
            external_id=eid,
            author=author,
            text="paczka nie dotarła",
            created_at=start + minutes * M,
            in_reply_to=parent,
        )

    first = post("p_1", "Ewa", 0)
    follow_up = post("p_2", "Ewa", 10, parent="p_1")  # on Facebook the parent is the thread's first comment
    stranger = post("p_3", "Jan", 12, parent="p_1")  # someone else's "me too" in the same thread
    late_follow_up = post("p_5", "Ewa", 25, parent="p_1")  # written after the shop's answer
    answer = Reply(platform="facebook", external_id="p_4", in_reply_to="p_1", created_at=start + 20 * M, author="Shop")
    store.save_batch("s", Batch((first, follow_up, stranger, late_follow_up), (answer,), None), clock.now())
    ids = _escalate_all(store, clock)
    matched = sorted(p.escalation_id for p in store.pending_responses())
    assert matched == sorted([ids["p_1"], ids["p_2"]])
    assert all(p.reply.external_id == "p_4" for p in store.pending_responses())


def test_a_page_comment_answering_two_customers_closes_each_ones_clock(store: Store, clock) -> None:
    """Facebook: one Page reply tagging two customers comes as one answer per customer (the adapter's ids)."""
    start = clock.now() - 30 * M

    def comment(eid, author, author_id, minutes):
        return Mention(
            platform="facebook",
            external_id=eid,
            author=author,
            author_id=author_id,
            text="paczka nie dotarła",
            created_at=start + minutes * M,
            in_reply_to="p_1",  # the Page's comment the thread hangs under
        )

    posts = (comment("p_2", "Anna", "11", 0), comment("p_3", "Péter", "12", 2), comment("p_4", "Jan", "13", 3))
    answers = tuple(
        Reply(platform="facebook", external_id=eid, in_reply_to=to, created_at=start + 20 * M, author="Shop")
        for eid, to in (("p_5", "p_3"), ("p_5~p_2", "p_2"))
    )
    store.save_batch("facebook:page", Batch(posts, answers, None), clock.now())
    ids = _escalate_all(store, clock)
    assert _answered(store) == {ids["p_2"]: {"p_5~p_2"}, ids["p_3"]: {"p_5"}}
    for p in store.pending_responses():
        store.record_event(p.escalation_id, EventKind.RESPONDED, p.reply.created_at, key=p.reply.external_id)
    assert [e.id for e in store.active_escalations()] == [ids["p_4"]]
    assert store.escalation(ids["p_2"]).first_response_at == store.escalation(ids["p_3"]).first_response_at


def test_an_answer_under_a_customers_last_post_answers_their_thread_above_it(store: Store, clock) -> None:
    """On X a customer writes a thread (each post replying to their previous one); the shop answers the last."""
    start = clock.now() - 30 * M

    def post(eid, author_id, minutes, parent=None):
        return Mention(
            platform="x",
            external_id=eid,
            author=f"user{author_id}",
            author_id=author_id,
            text="paczka nie dotarła",
            created_at=start + minutes * M,
            in_reply_to=parent,
            conversation_id="t1",
        )

    first = post("t1", "7", 0)
    second = post("t2", "7", 1, parent="t1")
    third = post("t3", "7", 2, parent="t2")
    stranger = post("t4", "8", 3, parent="t1")  # someone else's "me too" under the first post
    elsewhere = post("t9", "7", 4)  # the same customer's post outside this thread
    answer = Reply(platform="x", external_id="r1", in_reply_to="t3", created_at=start + 20 * M, author="@shop")
    store.save_batch("s", Batch((first, second, third, stranger, elsewhere), (answer,), None), clock.now())
    ids = _escalate_all(store, clock)
    matched = sorted(p.escalation_id for p in store.pending_responses())
    assert matched == sorted([ids["t1"], ids["t2"], ids["t3"]])
    assert all(p.reply.external_id == "r1" for p in store.pending_responses())


def test_outbox_once_per_key_and_coalesced_refreshes(store: Store, clock) -> None:
    store.save_batch("s", Batch((mention(clock),), (), None), clock.now())
    [pending] = store.unscored_mentions()
    esc = store.open_escalation(pending.id, complaint_score(), clock.now(), response_time=RESPONSE_TIME)
    assert esc is not None
    assert store.enqueue("slack", f"{esc.id}:opened", esc.id, "opened", clock.now())
    assert not store.enqueue("slack", f"{esc.id}:opened", esc.id, "opened", clock.now())
    [entry] = store.due_outbox("slack", clock.now())
    store.outbox_update(entry.id, status="sent", at=clock.now(), result={"ts": "1.2"})
    assert store.due_outbox("slack", clock.now()) == []
    assert store.outbox_entry("slack", f"{esc.id}:opened").result == {"ts": "1.2"}
    assert store.enqueue("slack", f"{esc.id}:refresh", esc.id, "refresh", clock.now(), coalesce=True)
    assert not store.enqueue("slack", f"{esc.id}:refresh", esc.id, "refresh", clock.now(), coalesce=True)
    [refresh] = store.due_outbox("slack", clock.now())
    store.outbox_update(refresh.id, status="sent", at=clock.now())
    assert store.enqueue("slack", f"{esc.id}:refresh", esc.id, "refresh", clock.now(), coalesce=True)
    assert len(store.due_outbox("slack", clock.now())) == 1


def test_two_stores_on_one_file_share_the_truth(db_url: str, clock) -> None:
    a, b = Store(db_url), Store(db_url)
    try:
        a.save_batch("s", Batch((mention(clock),), (), "1"), clock.now())
        assert b.cursor("s") == "1" and b.mention_count() == 1
    finally:
        a.close()
        b.close()


def test_notifications_are_queued_in_the_same_transaction_as_their_event(store: Store, clock) -> None:
    store.save_batch("s", Batch((mention(clock),), (), None), clock.now())
    [pending] = store.unscored_mentions()
    esc = store.open_escalation(
        pending.id, complaint_score(), clock.now(), notifiers=["slack", "console"], response_time=RESPONSE_TIME
    )
    assert esc is not None
    assert sorted((e.notifier, e.key) for e in store.outbox_entries()) == [
        ("console", f"{esc.id}:opened"),
        ("slack", f"{esc.id}:opened"),
    ]
    answered = [OutboxIntent("slack", f"{esc.id}:responded", "responded")]
    assert store.record_event(esc.id, EventKind.RESPONDED, clock.now(), key="r1", outbox=answered, only_if_changed=True)
    # a second answer is logged but changes nothing, so it tells nobody
    again = [OutboxIntent("slack", f"{esc.id}:responded-again", "responded")]
    assert store.record_event(esc.id, EventKind.RESPONDED, clock.now(), key="r2", outbox=again, only_if_changed=True)
    assert [e.key for e in store.outbox_entries("slack")] == [f"{esc.id}:opened", f"{esc.id}:responded"]


def _escalate_all(store: Store, clock) -> dict[str, int]:
    ids = {}
    for pending in store.unscored_mentions():
        esc = store.open_escalation(pending.id, complaint_score(), clock.now(), response_time=RESPONSE_TIME)
        assert esc is not None
        ids[pending.mention.external_id] = esc.id
    return ids


def test_since_the_last_tick_only_what_can_have_changed_is_matched(store: Store, clock) -> None:
    """A tick looks at the replies stored since the last one and at every reply of an open escalation;
    a closed escalation whose answer was stored before that tick was matched by it."""
    store.save_batch("s", Batch(tuple(mention(clock, eid) for eid in ("open", "old", "new")), (), None), clock.now())
    ids = _escalate_all(store, clock)
    written = clock.now()
    clock.advance(M)
    for eid in ("old", "new"):
        store.record_event(ids[eid], EventKind.RESOLVED, clock.now(), actor="anna")
    early = Reply(platform="x", external_id="r-open", in_reply_to="open", created_at=written, author="@shop")
    stale = Reply(platform="x", external_id="r-old", in_reply_to="old", created_at=written, author="@shop")
    store.save_batch("s", Batch((), (early, stale), None), clock.now())
    last_tick = clock.advance(M)
    fresh = Reply(platform="x", external_id="r-new", in_reply_to="new", created_at=written, author="@shop")
    store.save_batch("s", Batch((), (fresh,), None), clock.advance(M))

    def matched(since):
        return {(p.escalation_id, p.reply.external_id) for p in store.pending_responses(since)}

    assert matched(last_tick) == {(ids["open"], "r-open"), (ids["new"], "r-new")}
    assert matched(None) == matched(last_tick) | {(ids["old"], "r-old")}  # a run's first tick: every reply


def test_an_answer_to_a_closed_customers_thread_fetched_after_the_click_still_counts(store: Store, clock) -> None:
    """A thread on X answered under its last post, resolved by hand before the answer was fetched, with no
    other escalation open: the chain above the answer was walked only from posts newer than an open one's."""
    start = clock.now() - 30 * M
    posts = tuple(
        Mention(
            platform="x",
            external_id=eid,
            author="user7",
            author_id="7",
            text="paczka nie dotarła",
            created_at=start + n * M,
            in_reply_to=parent,
        )
        for n, (eid, parent) in enumerate((("t1", None), ("t2", "t1"), ("t3", "t2")))
    )
    store.save_batch("s", Batch(posts, (), None), clock.now())
    ids = _escalate_all(store, clock)
    answered_at = clock.advance(5 * M)
    clock.advance(M)
    for esc_id in ids.values():
        store.record_event(esc_id, EventKind.RESOLVED, clock.now(), actor="anna")
    answer = Reply(platform="x", external_id="r1", in_reply_to="t3", created_at=answered_at, author="@shop")
    last_tick = clock.now()
    store.save_batch("s", Batch((), (answer,), None), clock.advance(M))
    for since in (None, last_tick):
        assert sorted(p.escalation_id for p in store.pending_responses(since)) == sorted(ids.values())


def _x_post(eid, author, author_id, at, parent=None, conversation="c1") -> Mention:
    return Mention(
        platform="x",
        external_id=eid,
        author=author,
        author_id=author_id,
        text="paczka nie dotarła",
        created_at=at,
        in_reply_to=parent,
        conversation_id=conversation,
    )


def _answered(store: Store, since=None) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for p in store.pending_responses(since):
        found.setdefault(p.escalation_id, set()).add(p.reply.external_id)
    return found


def _first_and_steady_tick(store: Store, clock, source: str, late: Batch) -> list[dict[int, set[str]]]:
    """`late` stored a minute after the last tick: what a run's first tick, then a steady tick, match."""
    last_tick = clock.advance(M)
    store.save_batch(source, late, clock.advance(M))
    return [_answered(store, since) for since in (None, last_tick)]


@pytest.mark.parametrize(
    ("parent", "text", "answers"),
    [
        # the X adapter names the customer post at the top of the shop's self-thread, when it knows it
        ("c1", "@kasia the courier has it now", {"c2"}),
        # and the shop's own answer when it does not (its parent was fetched by another process)
        ("s1", "@kasia the courier has it now", {"c2"}),
        # no leading handles: addressed to the customer the shop's answer was for
        ("s1", "the courier has it now", {"c2"}),
        # addressed to the other customer under the same answer: theirs, not Kasia's
        ("s1", "@jan_k we are checking yours", {"c3"}),
        ("c1", "@Jan_K @kasia both parcels left today", {"c2", "c3"}),
    ],
)
def test_the_shops_reply_to_its_own_answer_answers_the_follow_ups_under_it(
    store: Store, clock, parent, text, answers
) -> None:
    """X: a customer replies under the shop's answer, the shop replies to its own answer instead of theirs."""
    start = clock.now() - 40 * M
    complaint = _x_post("c1", "kasia", "7", start)
    follow_up = _x_post("c2", "kasia", "7", start + 10 * M, parent="s1")
    other = _x_post("c3", "jan_k", "8", start + 12 * M, parent="s1")  # another customer under the same answer
    after = _x_post("c4", "kasia", "7", start + 30 * M, parent="s1")  # written after the shop's reply
    answer = Reply(platform="x", external_id="s1", in_reply_to="c1", created_at=start + 5 * M, author="sklep")
    store.save_batch("s", Batch((complaint, follow_up, other, after), (answer,), None), clock.now())
    ids = _escalate_all(store, clock)
    reply = Reply(
        platform="x", external_id="s2", in_reply_to=parent, created_at=start + 20 * M, author="sklep", text=text
    )
    for got in _first_and_steady_tick(store, clock, "s", Batch((), (reply,), None)):
        assert {eid for eid in ("c2", "c3", "c4") if "s2" in got.get(ids[eid], ())} == answers
        assert got[ids["c1"]] >= {"s1"}


@pytest.mark.parametrize(
    ("parent", "text", "answers"),
    [
        ("c1", "@kasia the courier has it now", {"c2", "c3", "c4"}),
        ("s1", "@kasia the courier has it now", {"c2", "c3", "c4"}),
        ("s1", "the courier has it now", {"c2", "c3", "c4"}),  # to the customer the answer was for
        ("s1", "@jan_k we are checking yours", {"j1", "j2"}),
        ("c1", "@Jan_K @kasia both parcels left today", {"c2", "c3", "c4", "j1", "j2"}),
    ],
)
def test_the_shops_reply_to_its_own_answer_answers_the_customers_own_thread_under_it(
    store: Store, clock, parent, text, answers
) -> None:
    """X: under the shop's answer a customer replies, then replies to their own reply (and again): a later
    shop reply addressed to them answers each of those posts written before it, and no one else's."""
    start = clock.now() - 40 * M
    posts = (
        _x_post("c1", "kasia", "7", start),
        _x_post("c2", "kasia", "7", start + 6 * M, parent="s1"),
        _x_post("c3", "kasia", "7", start + 7 * M, parent="c2"),  # her own follow-up, a level deeper
        _x_post("c4", "kasia", "7", start + 8 * M, parent="c3"),
        _x_post("c5", "kasia", "7", start + 30 * M, parent="c4"),  # written after the shop's reply
        _x_post("j1", "jan_k", "8", start + 9 * M, parent="s1"),
        _x_post("j2", "jan_k", "8", start + 10 * M, parent="j1"),
        _x_post("j3", "jan_k", "8", start + 11 * M, parent="c3"),  # Jan under Kasia's post: not his own thread
        _x_post("k1", "kasia", "7", start + 12 * M, parent="j2"),  # Kasia under Jan's: not her own thread
    )
    answer = Reply(platform="x", external_id="s1", in_reply_to="c1", created_at=start + 5 * M, author="sklep")
    store.save_batch("s", Batch(posts, (answer,), None), clock.now())
    ids = _escalate_all(store, clock)
    reply = Reply(
        platform="x", external_id="s2", in_reply_to=parent, created_at=start + 20 * M, author="sklep", text=text
    )
    for got in _first_and_steady_tick(store, clock, "s", Batch((), (reply,), None)):
        direct = {"c1"} if parent == "c1" else set()  # replying to the complaint answers it besides
        assert {eid for eid in ids if "s2" in got.get(ids[eid], ())} == answers | direct


def test_the_shops_reply_to_its_own_answer_before_the_follow_up_answers_nothing_new(store: Store, clock) -> None:
    start = clock.now() - 40 * M
    complaint = _x_post("c1", "kasia", "7", start)
    follow_up = _x_post("c2", "kasia", "7", start + 25 * M, parent="s1")
    answer = Reply(platform="x", external_id="s1", in_reply_to="c1", created_at=start + 5 * M, author="sklep")
    more = Reply(platform="x", external_id="s2", in_reply_to="s1", created_at=start + 20 * M, author="sklep")
    store.save_batch("s", Batch((complaint, follow_up), (answer, more), None), clock.now())
    ids = _escalate_all(store, clock)
    assert ids["c2"] not in _answered(store)


@pytest.mark.parametrize("platform", ["x", "facebook"])
def test_a_customers_posts_are_theirs_by_id_whatever_their_display_name(store: Store, clock, platform) -> None:
    """The thread rules compare authors by the platform's id; the display name only when a post has none."""
    start = clock.now() - 30 * M

    def post(eid, author, author_id, minutes, parent=None):
        return Mention(
            platform=platform,
            external_id=eid,
            author=author,
            author_id=author_id,
            text="paczka nie dotarła",
            created_at=start + minutes * M,
            in_reply_to=parent,
        )

    posts = (
        post("a1", "Ewa Nowak", "11", 0),
        post("a2", "Ewa N.", "11", 1, parent="a1"),  # renamed herself: the same customer
        post("b1", "Jan Kowalski", "21", 0),
        post("b2", "Jan Kowalski", "22", 1, parent="b1"),  # a namesake: someone else
        post("n1", "Anna", "", 0),
        post("n2", "Anna", "", 1, parent="n1"),  # no ids given: the same name is the same customer
        post("e1", "", "", 0),
        post("e2", "", "", 1, parent="e1"),  # neither id nor name: nobody can tell
    )
    # X: answered under the last post (the thread above it); Facebook: under the first (its follow-ups)
    answered = ("a2", "b2", "n2", "e2") if platform == "x" else ("a1", "b1", "n1", "e1")
    replies = tuple(
        Reply(platform=platform, external_id=f"r-{eid}", in_reply_to=eid, created_at=start + 20 * M, author="Shop")
        for eid in answered
    )
    store.save_batch("s", Batch(posts, replies, None), clock.now())
    ids = _escalate_all(store, clock)
    got = _answered(store)
    by_thread = {eid: sorted(got.get(ids[eid], ())) for eid in ids}
    assert by_thread == {
        "a1": ["r-a2" if platform == "x" else "r-a1"],
        "a2": ["r-a2" if platform == "x" else "r-a1"],
        "b1": [] if platform == "x" else ["r-b1"],
        "b2": ["r-b2"] if platform == "x" else [],
        "n1": ["r-n2" if platform == "x" else "r-n1"],
        "n2": ["r-n2" if platform == "x" else "r-n1"],
        "e1": [] if platform == "x" else ["r-e1"],
        "e2": ["r-e2"] if platform == "x" else [],
    }


@pytest.mark.parametrize("closed_by", ["resolved", "responded", "settled"])
def test_a_late_middle_post_links_a_closed_escalation_to_its_answer_once(store: Store, clock, closed_by) -> None:
    """An X thread t1 <- t2 <- t3 answered under t3, t2 fetched only later (another source, a late page).

    The answer was written before t1's escalation closed, so it counts for it (first in time), found the
    same way by a run's first tick and by a steady one; recorded once; nothing closed is reopened."""
    start = clock.now() - 30 * M
    first = _x_post("t1", "kasia", "7", start)
    middle = _x_post("t2", "kasia", "7", start + M, parent="t1")
    last = _x_post("t3", "kasia", "7", start + 2 * M, parent="t2")
    answer = Reply(platform="x", external_id="r1", in_reply_to="t3", created_at=start + 10 * M, author="sklep")
    store.save_batch("s", Batch((first, last), (answer,), None), clock.now())
    ids = _escalate_all(store, clock)
    assert _answered(store) == {ids["t3"]: {"r1"}}  # t1's link to the answer is missing
    for p in store.pending_responses():
        store.record_event(
            p.escalation_id, EventKind.RESPONDED, p.reply.created_at, key=f"responded:{p.reply.external_id}"
        )
    if closed_by == "resolved":
        store.record_event(ids["t1"], EventKind.RESOLVED, clock.advance(M), actor="anna")
    elif closed_by == "responded":  # answered by hand, later than the platform answer was written
        store.record_event(ids["t1"], EventKind.RESPONDED, clock.advance(M), actor="anna")
    else:  # breached and taken off the active list
        clock.advance(RESPONSE_TIME)
        store.record_event(ids["t1"], EventKind.BREACHED, clock.now())
        store.mark_settled(ids["t1"])
    assert store.active_escalations() == []
    last_tick = clock.advance(M)
    store.save_batch("x:search:sklep", Batch((middle,), (), None), clock.advance(M))
    for since in (None, last_tick):
        assert _answered(store, since).get(ids["t1"]) == {"r1"}
    [pending] = [p for p in store.pending_responses(last_tick) if p.escalation_id == ids["t1"]]
    for _ in range(2):
        store.record_event(ids["t1"], EventKind.RESPONDED, pending.reply.created_at, key="responded:r1")
    got = store.escalation(ids["t1"])
    assert got.first_response_at == start + 10 * M
    assert store.active_escalations() == []
    assert [e.kind for e in store.events(ids["t1"])].count(EventKind.RESPONDED) == (
        2 if closed_by == "responded" else 1
    )
    assert _answered(store, clock.now()).get(ids["t1"]) is None  # matched: it stops coming back


def test_author_history_is_the_authors_by_id_through_an_index(store: Store, clock) -> None:
    start = clock.now() - 3 * timedelta(days=1)
    posts = (
        _x_post("h1", "kasia", "7", start),
        _x_post("h2", "kasia_renamed", "7", start + M),  # the same account, renamed
        _x_post("h3", "kasia", "8", start + 2 * M),  # another account that took the old name
        _x_post("h4", "kasia", "", start + 3 * M),  # no id given: only the name tells
        _x_post("h5", "kasia", "7", start + 4 * M),
    )
    store.save_batch("s", Batch(posts, (), None), clock.now())
    ids = _escalate_all(store, clock)
    got = store.author_history("x", "kasia", start - M, ids["h5"], author_id="7")
    assert [e.external_id for e in got] == ["h4", "h2", "h1"]
    assert [e.author_id for e in got] == ["", "7", "7"]
    by_name = store.author_history("x", "kasia", start - M, ids["h4"])
    assert [e.external_id for e in by_name] == ["h5", "h3", "h1"]
    assert store.author_history("x", "", start - M, author_id="") == []
    if store.dialect == "sqlite":
        steps = _query_plan(store, "JOIN mentions", lambda: store.author_history("x", "kasia", start, author_id="7"))
        plan = " | ".join(steps)
        assert "ix_mentions_platform_author_id_author" in plan, plan
        assert "SCAN mentions" not in plan and "SCAN escalations" not in plan, plan


def _query_plan(store: Store, marker: str, run: Callable[[], object]) -> list[str]:
    """SQLite's plan steps for the one statement containing `marker` that `run` executes."""
    statements: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany) -> None:
        if marker in statement:
            statements.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", keep)
    try:
        run()
    finally:
        event.remove(store.engine, "before_cursor_execute", keep)
    [(statement, parameters)] = statements
    with store.engine.connect() as conn:
        return [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]


def _close_by_hand(store: Store, escalation_id: int, how: str, at) -> None:
    """Close an escalation the way the team does in Slack: resolved, dismissed, or answered by hand."""
    kind = {"resolved": EventKind.RESOLVED, "dismissed": EventKind.DISMISSED, "responded": EventKind.RESPONDED}[how]
    store.record_event(escalation_id, kind, at, actor="anna")


def test_a_late_shop_answer_links_a_closed_follow_up_under_it_to_the_reply_stored_before(store: Store, clock) -> None:
    """X: the shop's answer s1 arrives a poll after its reply to it (s2, a later page), and the customer's
    follow-up under s1 was resolved by hand in between. A run's first tick matches s2 (written first); so
    does a steady tick, though s2 was stored before it, the follow-up is closed and s1 is no customer post."""
    start = clock.now() - 40 * M
    complaint = _x_post("c1", "kasia", "7", start)
    follow_up = _x_post("c2", "kasia", "7", start + 10 * M, parent="s1")
    reply = Reply(platform="x", external_id="s2", in_reply_to="s1", created_at=start + 20 * M, author="sklep")
    store.save_batch("s", Batch((complaint, follow_up), (reply,), None), clock.now())
    ids = _escalate_all(store, clock)
    store.record_event(ids["c2"], EventKind.RESOLVED, start + 25 * M, actor="anna")
    answer = Reply(platform="x", external_id="s1", in_reply_to="c1", created_at=start + 5 * M, author="sklep")
    first, steady = _first_and_steady_tick(store, clock, "x:replies", Batch((), (answer,), None))
    assert first.get(ids["c2"]) == {"s2"}  # a run's first tick
    assert steady.get(ids["c2"]) == {"s2"}  # a steady tick finds it too


def test_a_late_post_an_answer_was_for_links_a_closed_follow_up_under_the_answer(store: Store, clock) -> None:
    """X: the complaint c1 the shop answered (s1) comes a poll after the rest; until then s2, the shop's reply
    to its own answer with no handle, is addressed to nobody known. The follow-up c2 under s1, closed by hand
    in between, is answered by s2 once c1 is there, by a steady tick as by a first one."""
    start = clock.now() - 40 * M
    follow_up = _x_post("c2", "kasia", "7", start + 10 * M, parent="s1")
    answer = Reply(platform="x", external_id="s1", in_reply_to="c1", created_at=start + 5 * M, author="sklep")
    reply = Reply(platform="x", external_id="s2", in_reply_to="s1", created_at=start + 20 * M, author="sklep")
    store.save_batch("s", Batch((follow_up,), (answer, reply), None), clock.now())
    ids = _escalate_all(store, clock)
    assert _answered(store) == {}  # whose answer s1 was is not known yet
    store.record_event(ids["c2"], EventKind.DISMISSED, start + 25 * M, actor="anna")
    for got in _first_and_steady_tick(store, clock, "s", Batch((_x_post("c1", "kasia", "7", start),), (), None)):
        assert got.get(ids["c2"]) == {"s2"}


@pytest.mark.parametrize("how", ["resolved", "dismissed", "responded"])
def test_a_late_first_comment_links_a_closed_follow_up_to_the_answer_under_it(store: Store, clock, how) -> None:
    """Facebook: a catch-up reads a thread newest first across polls, so the customer's first comment p_1
    comes a poll after her follow-up p_2 and the Page's answer under p_1. p_2, closed by hand in between,
    is answered (the follow-up rule needs p_1) by a steady tick as by a first one; an answer written
    after the close is not."""
    start = clock.now() - 40 * M

    def comment(eid, minutes, parent=None):
        return Mention(
            platform="facebook",
            external_id=eid,
            author="Ewa",
            author_id="11",
            text="paczka nie dotarła",
            created_at=start + minutes * M,
            in_reply_to=parent,
        )

    answer = Reply(platform="facebook", external_id="p_3", in_reply_to="p_1", created_at=start + 20 * M, author="Shop")
    late = Reply(platform="facebook", external_id="p_4", in_reply_to="p_1", created_at=start + 30 * M, author="Shop")
    store.save_batch("facebook:page", Batch((comment("p_2", 10, parent="p_1"),), (answer, late), None), clock.now())
    ids = _escalate_all(store, clock)
    assert _answered(store) == {}  # no first comment: no thread to follow up in
    _close_by_hand(store, ids["p_2"], how, start + 25 * M)
    for got in _first_and_steady_tick(store, clock, "facebook:page", Batch((comment("p_1", 0),), (), None)):
        assert got.get(ids["p_2"]) == {"p_3"}


@pytest.mark.parametrize("how", ["resolved", "dismissed", "responded"])
def test_a_late_middle_follow_up_links_a_closed_deeper_one_to_the_shops_reply(store: Store, clock, how) -> None:
    """X: under the shop's answer s1 Kasia writes c2, replies to it (c3) and again (c4); c3 comes a poll
    late. c4, closed by hand in between, is in her own thread under s1 only through c3: the shop's reply to
    its answer (s2) answers it once c3 is there, by a steady tick as by a first one; s3, written after the
    close, does not. Jan's post under c3 is not in Kasia's thread."""
    start = clock.now() - 40 * M
    posts = (
        _x_post("c1", "kasia", "7", start),
        _x_post("c2", "kasia", "7", start + 6 * M, parent="s1"),
        _x_post("c4", "kasia", "7", start + 8 * M, parent="c3"),
        _x_post("j1", "jan_k", "8", start + 9 * M, parent="c3"),
    )
    replies = (
        Reply(platform="x", external_id="s1", in_reply_to="c1", created_at=start + 5 * M, author="sklep"),
        Reply(platform="x", external_id="s2", in_reply_to="s1", created_at=start + 20 * M, author="sklep"),
        Reply(platform="x", external_id="s3", in_reply_to="s1", created_at=start + 30 * M, author="sklep"),
    )
    store.save_batch("s", Batch(posts, replies, None), clock.now())
    ids = _escalate_all(store, clock)
    assert ids["c4"] not in _answered(store)  # not in a thread under s1 yet
    _close_by_hand(store, ids["c4"], how, start + 25 * M)
    _close_by_hand(store, ids["j1"], how, start + 25 * M)
    middle = _x_post("c3", "kasia", "7", start + 7 * M, parent="c2")
    for got in _first_and_steady_tick(store, clock, "s", Batch((middle,), (), None)):
        assert got.get(ids["c4"]) == {"s2"}
        assert ids["j1"] not in got


def test_a_steady_tick_walks_down_from_what_was_stored_since_through_indexes(store: Store, clock) -> None:
    """The walk down from the posts and answers stored since the last tick reads no table whole (SQLite
    keeps no statistics: joined the obvious way, it read every post under any shop answer)."""
    if store.dialect != "sqlite":
        pytest.skip("SQLite's query plan")
    plan = _query_plan(store, "links_seen_down", lambda: store.pending_responses(clock.now()))
    scans = [step for step in plan if step.startswith("SCAN") and step != "SCAN links_seen_down"]
    assert scans == [], plan
