"""Kill the daemon while it is posting, restart it: exactly one Slack message per complaint."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest

import settings as config
from app import App
from monitor.clock import FakeClock, SystemClock
from tests.conftest import REPO
from tests.fakes import KeywordAnalyzer

pytestmark = pytest.mark.slow

FEED = [
    {"platform": "x", "id": str(i), "author": f"@c{i}", "text": f"order {i} never arrived", "created_at": "-10s"}
    for i in range(1, 5)
]

RUNNER = textwrap.dedent(
    """
    import sys, threading
    import settings as config
    from app import App
    from tests.fakes import KeywordAnalyzer
    app = App.build(config.load_settings(sys.argv[1]), analyzer=KeywordAnalyzer())
    app.run_forever(threading.Event())
    """
)


def test_kill_in_the_middle_of_posting_then_restart(fake_slack, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    slack = fake_slack.slack
    slack.clock = SystemClock()
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(json.dumps(item) for item in FEED) + "\n")
    cfg = tmp_path / "config.yaml"
    cfg.write_text(
        json.dumps(
            {
                "storage": {"url": f"sqlite:///{tmp_path / 'r.db'}"},
                "notify": {"console": False},
                "sources": {"replay": {"path": str(feed), "poll_every": "1s"}},
                "slack": {
                    "enabled": True,
                    "bot_token": "${SLACK_BOT_TOKEN}",
                    "alerts_channel": "CALERTS",
                    "base_url": fake_slack.base_url,
                },
            }
        )
    )
    env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-test", "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", RUNNER, str(cfg)], cwd=REPO, env=env)

    def kill_on_second_post(message: dict) -> None:
        if len(slack.top_level("CALERTS")) == 2:
            os.kill(proc.pid, signal.SIGKILL)  # Slack has the post; the daemon never hears back

    slack.on_post = kill_on_second_post
    try:
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert len(slack.top_level("CALERTS")) == 2
    slack.on_post = None

    settings = config.load_settings(cfg)
    clock = FakeClock(SystemClock().now() + timedelta(seconds=1))
    app = App.build(settings, clock, analyzer=KeywordAnalyzer())
    try:
        for _ in range(10):
            app.run_once()
            clock.advance(timedelta(seconds=1))
    finally:
        app.close()
    refs = [m["metadata"]["event_payload"]["ref"] for m in slack.top_level("CALERTS")]
    assert sorted(refs) == ["x:1", "x:2", "x:3", "x:4"], "every complaint once: none lost, none twice"
    assert len(slack.methods("conversations.history")) == 1, "one look at the history after the restart"
