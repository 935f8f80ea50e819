"""PostgreSQL specifics: unique keys under concurrent writers, and `db copy` from SQLite."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlalchemy import select as sa_select

import daemon
from app import App
from monitor.models import Batch, EventKind, Mention, Reply
from monitor.store import METADATA, Store
from tests.fakes import RESPONSE_TIME, FakeSource, KeywordAnalyzer, RecordingNotifier, complaint_score


def test_the_idempotency_keys_are_unique_constraints_on_postgresql(pg_url: str) -> None:
    store = Store(pg_url)
    try:
        with store.engine.connect() as conn:
            inspector = inspect(conn)
            unique = {
                t: {tuple(c["column_names"]) for c in inspector.get_unique_constraints(t)} for t in METADATA.tables
            }
        assert ("platform", "external_id") in unique["mentions"]
        assert ("platform", "external_id") in unique["replies"]
        assert ("mention_id",) in unique["escalations"]
        assert ("escalation_id", "key") in unique["escalation_events"]
        assert ("notifier", "key") in unique["outbox"]
    finally:
        store.close()


def _race(n: int, stores: list[Store], work: Callable[[Store], Any]) -> list[Any]:
    """Run `work` in n threads at once, each with a store (and connections) of its own."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(stores[i])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    return results


def test_concurrent_writers_open_record_and_enqueue_once(pg_url: str, clock) -> None:
    n = 6
    stores = [Store(pg_url) for _ in range(n)]
    try:
        mention = Mention(platform="x", external_id="1", author="@a", text="nie dotarło", created_at=clock.now())
        saved = _race(n, stores, lambda s: s.save_batch("x", Batch((mention,), (), "c"), clock.now()).new_mentions)
        assert sum(saved) == 1 and stores[0].mention_count() == 1
        [pending] = stores[0].unscored_mentions()
        _race(n, stores, lambda s: s.save_score(pending.id, complaint_score("high"), clock.now()))
        assert stores[0].score_of(pending.id) == complaint_score("high") and stores[0].unscored_mentions() == []
        opened = _race(
            n,
            stores,
            lambda s: s.open_escalation(pending.id, complaint_score("high"), clock.now(), response_time=RESPONSE_TIME),
        )
        assert sum(e is not None for e in opened) == 1
        esc = next(e for e in opened if e is not None)
        recorded = _race(n, stores, lambda s: s.record_event(esc.id, EventKind.ACKNOWLEDGED, clock.now(), actor="U1"))
        assert recorded.count(True) == 1
        queued = _race(n, stores, lambda s: s.enqueue("slack", f"{esc.id}:opened", esc.id, "opened", clock.now()))
        assert queued.count(True) == 1
        assert [e.kind for e in stores[0].events(esc.id)] == [EventKind.OPENED, EventKind.ACKNOWLEDGED]
        assert len(stores[0].outbox_entries()) == 1
    finally:
        for s in stores:
            s.close()


def _rows(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    with store.engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(sa_select(t).order_by(*t.primary_key.columns))]
            for t in METADATA.sorted_tables
        }


def _config(tmp_path: Path, url: str) -> str:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"storage:\n  url: {url}\nsources:\n  replay:\n    enabled: false\nnotify:\n  console: false\n")
    return str(cfg)


def test_db_copy_moves_a_sqlite_history_to_postgresql(
    sqlite_url: str, pg_url: str, make_settings, clock, tmp_path, capsys
) -> None:
    source = FakeSource()
    app = App.build(
        make_settings(storage={"url": sqlite_url}),
        clock,
        sources=[source],
        notifiers=[RecordingNotifier()],
        analyzer=KeywordAnalyzer(),
    )
    try:
        for i in range(3):
            source.add(
                Mention(
                    platform="x",
                    external_id=f"m{i}",
                    author="@a",
                    text="my parcel never arrived",
                    created_at=clock.now(),
                )
            )
        source.add(
            Mention(platform="facebook", external_id="p_1", author="Anna", text="love it", created_at=clock.now())
        )
        app.run_once()
        clock.advance(timedelta(minutes=35))
        source.add(Reply(platform="x", external_id="r1", in_reply_to="m0", created_at=clock.now(), author="@shop"))
        app.run_once()
        app.engine.act(2, "dismiss", "bob", "spam")
        app.run_once()
        before = _rows(app.store)
    finally:
        app.close()
    assert all(
        before[t] for t in ("mentions", "replies", "cursors", "scores", "escalations", "escalation_events", "outbox")
    )

    cfg = _config(tmp_path, sqlite_url)
    assert daemon.main(["--config", cfg, "db", "copy", "--to", pg_url]) == 0
    out = capsys.readouterr().out
    assert f"copied {sum(map(len, before.values()))} rows" in out and "***" in out and "mentions 4" in out
    target = Store(pg_url)
    try:
        assert _rows(target) == before  # same ids, same aware datetimes, same everything
        # the sequences moved past the copied ids: new rows get fresh ones
        clock.advance(timedelta(minutes=1))
        target.save_batch(
            "x",
            Batch(
                (Mention(platform="x", external_id="new", author="@b", text="broken", created_at=clock.now()),),
                (),
                None,
            ),
            clock.now(),
        )
        [fresh] = target.unscored_mentions()
        assert fresh.id == max(r[0] for r in before["mentions"]) + 1
        esc = target.open_escalation(fresh.id, complaint_score("high"), clock.now(), response_time=RESPONSE_TIME)
        assert esc is not None and esc.id == len(before["escalations"]) + 1
    finally:
        target.close()

    assert daemon.main(["--config", cfg, "db", "copy", "--to", pg_url]) == 1
    assert "already holds rows" in capsys.readouterr().err
    assert daemon.main(["--config", cfg, "db", "copy", "--to", pg_url, "--force"]) == 0
    target = Store(pg_url)
    try:
        assert _rows(target) == before
    finally:
        target.close()


def test_db_copy_refuses_the_store_itself(sqlite_url: str, tmp_path, capsys) -> None:
    Store(sqlite_url).close()
    assert daemon.main(["--config", _config(tmp_path, sqlite_url), "db", "copy", "--to", sqlite_url]) == 1
    assert "same database" in capsys.readouterr().err
