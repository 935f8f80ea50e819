"""Fixtures for the Slack tests: a fake Slack Web API on 127.0.0.1 and a wired notifier."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from alerts.slack import SlackNotifier, make_client
from monitor.models import SlaPolicy
from tests.slack.fake_slack import FakeSlack, FakeSlackServer


@pytest.fixture
def fake_slack(clock) -> Iterator[FakeSlackServer]:
    with FakeSlackServer(FakeSlack(clock=clock)) as server:
        yield server


@pytest.fixture
def slack_settings(make_settings, fake_slack, monkeypatch):
    """Settings with Slack on against the fake server (tokens come from the environment)."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-test")

    def build(**overrides: object):
        slack = {
            "enabled": True,
            "bot_token": "${SLACK_BOT_TOKEN}",
            "app_token": "${SLACK_APP_TOKEN}",
            "alerts_channel": "CALERTS",
            "managers_channel": "CMANAGERS",
            "mention_on_reminder": "S0SOCIAL",
            "allowed_users": ["UANNA0001"],
            "base_url": fake_slack.base_url,
        }
        slack.update(overrides.pop("slack", {}))  # type: ignore[arg-type]
        return make_settings(slack=slack, **overrides)

    return build


@pytest.fixture
def notifier(fake_slack, clock) -> SlackNotifier:
    return SlackNotifier(
        make_client("xoxb-test", fake_slack.base_url, timeout=timedelta(seconds=2)),
        alerts_channel="CALERTS",
        managers_channel="CMANAGERS",
        mention_on_reminder="S0SOCIAL",
        policy=SlaPolicy(),
        clock=clock,
    )
