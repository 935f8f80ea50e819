"""The poller: a source that raises something unexpected is failing at once, with a traceback in the log,
while the other sources go on and the broken one is tried again on the next poll."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from app import App
from monitor.health import render_status, status_line
from monitor.models import Mention
from monitor.poller import Poller
from tests.fakes import FakeSource, KeywordAnalyzer, RecordingNotifier

M = timedelta(minutes=1)
SECRET = "EAAB-page-token-SECRET-42"


def post(clock, eid: str, text: str = "my parcel never arrived") -> Mention:
    return Mention(platform="x", external_id=eid, author=f"@c{eid}", text=text, created_at=clock.now() - M)


def test_an_unexpected_exception_is_a_failing_source_at_once_and_the_others_go_on(store, clock, caplog) -> None:
    broken, fine = FakeSource("broken"), FakeSource("fine")
    broken.fail_next(KeyError(f"access_token={SECRET}"))
    fine.add(post(clock, "1"))
    poller = Poller(store, clock, [broken, fine])

    with caplog.at_level(logging.INFO, logger="monitor.poller"):
        first, second = poller.poll_all()

    health = poller.health["broken"]
    assert (health.state, health.errors, health.consecutive_failures, health.polls) == ("failing", 1, 1, 0)
    assert "KeyError" in health.last_error and SECRET not in health.last_error
    assert first.polled and first.error == health.last_error
    assert second.new_mentions == 1 and poller.health["fine"].state == "ok" and store.mention_count() == 1
    [logged] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert logged.levelno == logging.ERROR and "broken" in logged.getMessage() and logged.exc_info is not None

    broken.add(post(clock, "2"))
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="monitor.poller"):
        retried = poller.poll("broken")  # tried again on the next poll
    assert retried.new_mentions == 1 and poller.health["broken"].state == "ok"
    assert poller.health["broken"].last_error == "" and "recovered" in caplog.text


def test_the_same_unexpected_exception_is_logged_once_and_counted_every_time(store, clock, caplog) -> None:
    broken = FakeSource("broken")
    poller = Poller(store, clock, [broken])
    for _ in range(3):
        broken.fail_next(TypeError("'NoneType' object is not subscriptable"))
    broken.fail_next(ValueError("bad"))
    with caplog.at_level(logging.INFO, logger="monitor.poller"):
        for _ in range(4):
            poller.poll("broken")
    health = poller.health["broken"]
    assert (health.errors, health.consecutive_failures) == (4, 4) and "ValueError" in health.last_error
    tracebacks = [r for r in caplog.records if r.exc_info is not None]
    assert [r.exc_info[0] for r in tracebacks] == [TypeError, ValueError]  # state changes, not every failure


@pytest.fixture
def rig(make_settings, clock):
    broken, fine = FakeSource("fb:broken", platform="facebook"), FakeSource("x:fine")
    app = App.build(
        make_settings(metrics={"enabled": True, "listen": "127.0.0.1:9464"}),
        clock,
        sources=[broken, fine],
        notifiers=[RecordingNotifier()],
        analyzer=KeywordAnalyzer(),
    )
    yield app, broken, fine
    app.close()


def test_status_and_metrics_show_the_error_at_once(rig, clock, tmp_path) -> None:
    app, broken, fine = rig
    broken.fail_next(AttributeError("'dict' object has no attribute 'created_at'"))
    fine.add(post(clock, "1"))
    app.run_once()
    snapshot = app.observe()

    assert "fb:broken failing (1x)" in status_line(snapshot) and "x:fine ok" in status_line(snapshot)
    text, _ = render_status(snapshot, None, clock.now(), silent_after=timedelta(hours=3), snapshot_path=tmp_path)
    [line] = [x for x in text.splitlines() if "fb:broken" in x]
    assert "AttributeError" in line and "1 errors" in line
    assert app.metrics is not None
    metrics = app.metrics.render().decode()
    assert 'replyclock_source_errors_total{platform="facebook",source="fb:broken"} 1.0' in metrics
    assert 'replyclock_source_state{platform="facebook",source="fb:broken",state="failing"} 1.0' in metrics
    assert app.store.mention_count() == 1
