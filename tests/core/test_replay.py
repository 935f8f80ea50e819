"""The replay format: offsets, answers, the brand's own posts, bad lines logged with their number."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from monitor.poller import Poller
from monitor.replay import SAMPLE_FEED, ReplayFormatError, ReplaySource, load_items, parse_item, parse_offset

M = timedelta(minutes=1)


def write(tmp_path, lines):
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines) + "\n")
    return path


def test_offsets() -> None:
    assert parse_offset("-70m") == -70 * M
    assert parse_offset("+5m") == 5 * M
    assert parse_offset("-1h10m") == -70 * M
    assert parse_offset("+45s") == timedelta(seconds=45)
    with pytest.raises(ReplayFormatError):
        parse_offset("-70")


def test_bad_lines_are_logged_with_line_number_and_skipped(tmp_path, caplog) -> None:
    path = write(
        tmp_path,
        [
            {"platform": "x", "id": "1", "author": "@a", "text": "ok", "created_at": "-5m"},
            "{not json",
            {"platform": "myspace", "id": "2", "author": "@b", "text": "x", "created_at": "-5m"},
            {"platform": "x", "id": "3", "author": "@c", "text": "no time"},
            {"platform": "x", "id": "4", "author": "@d", "text": "naive", "created_at": "2026-11-02T09:00:00"},
            {"platform": "x", "id": "1", "author": "@a", "text": "dup", "created_at": "-5m"},
            {"platform": "x", "id": "5", "author": "@e", "text": "fine", "created_at": "2026-11-02T09:00:00+01:00"},
            "[1, 2]",
            {"platform": "x", "id": "6", "author": "@f", "text": "x", "created_at": "-5m", "from_brand": "yes"},
            {"platform": "x", "id": "", "author": "@g", "text": "x", "created_at": "-5m"},
        ],
    )
    with caplog.at_level(logging.WARNING, logger="monitor.replay"):
        items = load_items(path)
    assert [i.id for i in items] == ["1", "5"]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for line_no, why in [
        (2, "not valid JSON"),
        (3, "platform must be"),
        (4, "missing field 'created_at'"),
        (5, "no time zone"),
        (6, "duplicate id 1"),
        (8, "expected a JSON object"),
        (9, "from_brand"),
        (10, "'id' is empty"),
    ]:
        assert f"feed.jsonl:{line_no}: skipped" in logged and why in logged, (line_no, why)


def test_items_appear_when_the_clock_reaches_them(tmp_path, clock) -> None:
    path = write(
        tmp_path,
        [
            {"platform": "x", "id": "1", "author": "@a", "text": "old", "created_at": "-70m", "lang": "pl"},
            {"platform": "x", "id": "2", "author": "@shop", "text": "sale!", "created_at": "-60m", "from_brand": True},
            {
                "platform": "x",
                "id": "3",
                "author": "@shop",
                "text": "sorry",
                "created_at": "+5m",
                "from_brand": True,
                "in_reply_to": "1",
            },
            {"platform": "facebook", "id": "p_4", "author": "Ann", "text": "later", "created_at": "+10m"},
        ],
    )
    source = ReplaySource(path, clock)
    start = clock.now()
    first = source.fetch(None)
    assert [m.external_id for m in first.mentions] == ["1", "2"]
    assert first.mentions[0].created_at == start - 70 * M
    assert first.mentions[0].url == "https://x.com/a/status/1"
    assert first.mentions[1].from_brand
    assert first.replies == ()
    assert source.remaining(first.next_cursor) == 2

    clock.advance(5 * M)
    second = source.fetch(first.next_cursor)
    assert second.mentions == ()
    assert [(r.external_id, r.in_reply_to, r.created_at) for r in second.replies] == [("3", "1", start + 5 * M)]

    clock.advance(5 * M)
    third = source.fetch(second.next_cursor)
    assert [m.external_id for m in third.mentions] == ["p_4"]
    assert source.remaining(third.next_cursor) == 0
    # nothing twice, and a restart with the stored cursor keeps the run's timeline
    clock.advance(M)
    assert source.fetch(third.next_cursor).mentions == ()
    restarted = ReplaySource(path, clock).fetch(first.next_cursor)
    assert {m.external_id for m in restarted.mentions} == {"p_4"}
    assert restarted.mentions[0].created_at == start + 10 * M


def test_an_unreadable_cursor_starts_the_feed_again(tmp_path, clock, caplog) -> None:
    path = write(tmp_path, [{"platform": "x", "id": "1", "author": "@a", "text": "old", "created_at": "-70m"}])
    source = ReplaySource(path, clock)
    with caplog.at_level(logging.WARNING, logger="monitor.replay"):
        batch = source.fetch("not json")
    assert [m.external_id for m in batch.mentions] == ["1"]
    assert batch.mentions[0].created_at == clock.now() - 70 * M
    assert "unreadable; starting the feed again" in caplog.text
    assert source.remaining("not json") == 1


def test_sample_feed_is_rich_and_valid() -> None:
    raw = [json.loads(line) for line in SAMPLE_FEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    items = [parse_item(n, json.dumps(r)) for n, r in enumerate(raw, 1)]
    assert len(items) >= 60
    langs = {r.get("lang") for r in raw}
    assert {"pl", "hu", "ru", "en"} <= langs
    assert {i.platform for i in items} == {"x", "facebook"}
    ids = {i.id for i in items}
    answers = [i for i in items if i.from_brand and i.in_reply_to]
    assert len(answers) >= 8 and all(a.in_reply_to in ids for a in answers)
    assert any(i.offset is not None and i.offset < -60 * M for i in items if not i.from_brand)


def test_a_date_no_datetime_can_hold_skips_only_its_line(tmp_path, clock, store, caplog) -> None:
    path = write(
        tmp_path,
        [
            {"platform": "x", "id": "1", "author": "@a", "text": "ok", "created_at": "-5m"},
            {"platform": "x", "id": "2", "author": "@b", "text": "typo", "created_at": "-9999999999d"},
            {"platform": "x", "id": "3", "author": "@c", "text": "typo", "created_at": "-999999d"},
            {"platform": "x", "id": "4", "author": "@d", "text": "typo", "created_at": "0001-01-01T00:10:00+01:00"},
            {"platform": "x", "id": "5", "author": "@e", "text": "ok too", "created_at": "-4m"},
        ],
    )
    source = ReplaySource(path, clock)
    with caplog.at_level(logging.WARNING, logger="monitor.replay"):
        batch = source.fetch(None)
        store.save_batch(source.name, batch, clock.now())
    assert [m.external_id for m in batch.mentions] == ["1", "5"]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for line_no in (2, 3, 4):
        assert f"feed.jsonl:{line_no}: skipped" in logged, line_no


def test_a_line_that_is_not_utf8_skips_only_that_line(tmp_path, clock, caplog) -> None:
    path = tmp_path / "feed.jsonl"
    good = {"platform": "x", "id": "1", "author": "@a", "text": "zamówienie", "created_at": "-5m"}
    later = {**good, "id": "3"}
    path.write_bytes(
        b"\xef\xbb\xbf"  # the byte-order mark Windows editors put at the start of a UTF-8 file
        + json.dumps(good, ensure_ascii=False).encode()
        + b"\n"
        + json.dumps({**good, "id": "2"}, ensure_ascii=False).encode("cp1250")  # saved as Windows-1250
        + b"\n"
        + json.dumps(later, ensure_ascii=False).encode()
        + b"\n"
    )
    with caplog.at_level(logging.WARNING, logger="monitor.replay"):
        batch = ReplaySource(path, clock).fetch(None)
    assert [m.external_id for m in batch.mentions] == ["1", "3"]
    assert "feed.jsonl:2: skipped" in caplog.text and "UTF-8" in caplog.text


def test_valid_json_that_python_refuses_skips_only_its_line(tmp_path, clock, caplog) -> None:
    good = {"platform": "x", "id": "1", "author": "@a", "text": "ok", "created_at": "-5m"}
    path = write(tmp_path, ['{"platform": "x", "id": ' + "7" * 5000 + ', "text": "t", "created_at": "-5m"}', good])
    with caplog.at_level(logging.WARNING, logger="monitor.replay"):
        batch = ReplaySource(path, clock).fetch(None)
    assert [m.external_id for m in batch.mentions] == ["1"]
    assert "feed.jsonl:1: skipped" in caplog.text


def test_a_path_that_cannot_be_read_is_unavailable(tmp_path, clock, store) -> None:
    poller = Poller(store, clock, [ReplaySource(tmp_path, clock)])  # a folder given as the feed, say
    result = poller.poll("replay")
    assert result.polled and "replay file" in result.error
    assert poller.health["replay"].state == "failing"
