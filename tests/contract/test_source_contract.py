"""The contract every `Source` keeps, run against each source kind (see harnesses.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.models import Batch, Mention, Platform, Reply
from monitor.sources import AuthRejected, RateLimited, Source, SourceError, Unavailable
from tests.contract.harnesses import FAILURES, HARNESSES, Harness


@pytest.fixture(params=sorted(HARNESSES))
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    built = HARNESSES[request.param](tmp_path)
    yield built
    built.close()


class Poll:
    """Fetches every source of a harness with its own cursor, as the poller does after storing."""

    def __init__(self, sources: list[Source]) -> None:
        self.sources = sources
        self.cursors: dict[str, str | None] = {s.name: None for s in sources}

    def once(self, advance: bool = True) -> tuple[list[Mention], list[Reply]]:
        mentions: list[Mention] = []
        replies: list[Reply] = []
        for source in self.sources:
            batch = source.fetch(self.cursors[source.name])
            assert isinstance(batch, Batch)
            assert batch.next_cursor is None or isinstance(batch.next_cursor, str)
            mentions += batch.mentions
            replies += batch.replies
            if advance:
                self.cursors[source.name] = batch.next_cursor
        return mentions, replies


def ids(items: list[Mention] | list[Reply]) -> list[str]:
    return sorted(i.external_id for i in items)


def test_sources_have_unique_names_and_a_platform(harness: Harness) -> None:
    sources = harness.sources()
    assert sources and len({s.name for s in sources}) == len(sources)
    assert all(isinstance(s.platform, str) and s.platform for s in sources)


def test_first_poll_returns_what_is_there(harness: Harness) -> None:
    first, second = harness.add_mention("my parcel never arrived"), harness.add_mention("still waiting")
    mentions, replies = Poll(harness.sources()).once()
    assert ids(mentions) == sorted([first, second]) and replies == []
    for mention in mentions:
        assert mention.platform in {p.value for p in Platform}
        assert mention.created_at.tzinfo is not None and mention.created_at <= harness.clock.now()
        assert mention.url and mention.text and not mention.from_brand


def test_refetching_with_the_returned_cursor_yields_no_duplicates(harness: Harness) -> None:
    harness.add_mention("order 1 never arrived")
    poll = Poll(harness.sources())
    poll.once()
    assert poll.once() == ([], [])


def test_fetch_does_not_advance_the_cursor_by_itself(harness: Harness) -> None:
    harness.add_mention("order 2 never arrived")
    poll = Poll(harness.sources())
    first = poll.once(advance=False)
    again = poll.once(advance=False)
    assert ids(first[0]) == ids(again[0]) and len(first[0]) == 1


def test_new_items_arrive_exactly_once(harness: Harness) -> None:
    harness.add_mention("first")
    poll = Poll(harness.sources())
    poll.once()
    late = harness.add_mention("the refund never came")
    mentions, _ = poll.once()
    assert ids(mentions) == [late]
    assert poll.once() == ([], [])


def test_answers_are_matched_to_the_mention(harness: Harness) -> None:
    complaint = harness.add_mention("the mug arrived broken")
    poll = Poll(harness.sources())
    poll.once()
    answer = harness.add_answer(complaint)
    own = harness.add_brand_post("New collection out now")
    mentions, replies = poll.once()
    assert [(r.external_id, r.in_reply_to) for r in replies] == [(answer, complaint)]
    assert replies[0].created_at.tzinfo is not None
    assert all(m.from_brand for m in mentions if m.external_id == own)  # never a customer's mention
    assert answer not in ids(mentions)
    assert poll.once() == ([], [])


@pytest.mark.parametrize("kind", FAILURES)
def test_errors_map_to_the_error_tree(harness: Harness, kind: str) -> None:
    harness.add_mention("order 3 never arrived")
    source = harness.sources()[0]
    if not harness.fail_next(kind):
        pytest.skip(f"{type(harness).__name__} cannot fail with {kind}")
    expected = {"rate_limited": RateLimited, "auth": AuthRejected, "unavailable": Unavailable}[kind]
    with pytest.raises(SourceError) as caught:
        source.fetch(None)
    assert type(caught.value) is expected
    if harness.network:
        assert caught.value.__cause__ is not None  # raise ... from the library's exception
    if isinstance(caught.value, RateLimited):
        retry_at = caught.value.retry_at
        assert retry_at.tzinfo is not None and retry_at > harness.clock.now()
        harness.clock.advance(retry_at - harness.clock.now() + timedelta(seconds=1))
        mentions, _ = Poll([source]).once()
        assert len(mentions) == 1  # polls again once the wait is over
