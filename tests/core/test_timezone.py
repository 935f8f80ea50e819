"""`sla.timezone`: what "today" means in `replyclock status`, and the times the report table prints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from alerts.report import render_table, report_records
from app import App, store_summary
from monitor.clock import FakeClock
from monitor.models import Mention
from tests.fakes import FakeSource, KeywordAnalyzer, RecordingNotifier

pytestmark = pytest.mark.any_db

WARSAW = ZoneInfo("Europe/Warsaw")  # UTC+1 in November


def test_breaches_today_counts_the_shops_day_not_the_utc_day(make_settings) -> None:
    # posted 22:20 UTC, due 23:20 UTC: that is 00:20 on the 23rd in Warsaw
    clock = FakeClock(datetime(2026, 11, 22, 22, 20, tzinfo=UTC))
    source = FakeSource()
    settings = make_settings(sla={"timezone": "Europe/Warsaw"})
    app = App.build(settings, clock, sources=[source], notifiers=[RecordingNotifier()], analyzer=KeywordAnalyzer())
    try:
        source.add(
            Mention(platform="x", external_id="1", author="@c", text="my parcel never arrived", created_at=clock.now())
        )
        app.run_once()
        clock.advance(timedelta(minutes=70))  # 23:30 UTC on the 22nd, 00:30 on the 23rd in Warsaw
        app.run_once()
        [esc] = app.store.escalations()
        assert esc.breached_at is not None
        assert store_summary(app.store, app.engine.policy, clock.now(), tz=WARSAW).breaches_today == 1
        assert store_summary(app.store, app.engine.policy, clock.now(), tz=UTC).breaches_today == 1  # still the 22nd
        clock.advance(timedelta(hours=1))  # 00:30 UTC on the 23rd, 01:30 in Warsaw: the same day there
        assert store_summary(app.store, app.engine.policy, clock.now(), tz=WARSAW).breaches_today == 1
        assert store_summary(app.store, app.engine.policy, clock.now(), tz=UTC).breaches_today == 0
        assert app.observe().escalations.breaches_today == 1  # the daemon uses sla.timezone
    finally:
        app.close()


def test_the_report_table_prints_times_in_the_shops_zone_and_the_json_stays_utc(make_settings) -> None:
    clock = FakeClock(datetime(2026, 11, 22, 23, 40, tzinfo=UTC))
    source = FakeSource()
    app = App.build(
        make_settings(), clock, sources=[source], notifiers=[RecordingNotifier()], analyzer=KeywordAnalyzer()
    )
    try:
        source.add(
            Mention(platform="x", external_id="1", author="@c", text="my parcel never arrived", created_at=clock.now())
        )
        app.run_once()
        records = report_records(app.store.escalations(), app.engine.policy, clock.now())
    finally:
        app.close()
    assert records[0]["created_at"] == "2026-11-22T23:40:00Z"
    table = render_table(records, tz=WARSAW)
    assert "created (Europe/Warsaw)" in table and "2026-11-23 00:40" in table
    utc_table = render_table(records)
    assert "created (UTC)" in utc_table and "2026-11-22 23:40" in utc_table


def test_a_late_find_counts_among_the_breaches_of_the_day_it_was_found(make_settings) -> None:
    """A breach counts on the day of its `breached_at`: its deadline for a clock that ran out while watched,
    the moment replyclock first saw it for a late find (which the SLA log, the metrics and the managers'
    digest date there too). Install day's backlog from earlier days is in today's figure, told apart."""
    clock = FakeClock(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))  # 09:00 in Warsaw: replyclock's first start
    source = FakeSource()
    settings = make_settings(sla={"timezone": "Europe/Warsaw"})
    app = App.build(settings, clock, sources=[source], notifiers=[RecordingNotifier()], analyzer=KeywordAnalyzer())

    def complaint(eid: str, posted: datetime) -> Mention:
        return Mention(platform="x", external_id=eid, author="@c", text="my parcel never arrived", created_at=posted)

    try:
        source.add(
            complaint("due-days-ago", datetime(2026, 11, 20, 12, 0, tzinfo=UTC)),
            complaint("due-yesterday", datetime(2026, 11, 22, 21, 0, tzinfo=UTC)),  # due 23:00 on the 22nd, Warsaw
        )
        app.run_once()
        assert all(e.late_when_seen and e.breached_at == clock.now() for e in app.store.escalations())
        summary = app.observe().escalations
        assert (summary.breaches_today, summary.breaches_today_late) == (2, 2)
        clock.advance(timedelta(hours=15))  # 00:00 on the 24th in Warsaw: they were yesterday's
        assert app.observe().escalations.breaches_today == 0
        # one that ran out while replyclock watched counts on its deadline's day, as before
        source.add(complaint("watched", clock.now()))
        app.run_once()
        clock.advance(timedelta(minutes=61))
        app.run_once()
        summary = app.observe().escalations
        assert (summary.breaches_today, summary.breaches_today_late) == (1, 0)
    finally:
        app.close()
