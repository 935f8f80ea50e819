"""Socket Mode: real block_actions envelopes are acknowledged, queued, and applied by the main loop."""

from __future__ import annotations

import copy
import json
import threading
from datetime import timedelta

import pytest
from slack_sdk.socket_mode.request import SocketModeRequest

from alerts.actions import Gatekeeper, parse_block_actions
from app import App
from monitor.models import Mention
from tests.conftest import SHARED
from tests.fakes import FakeSource, KeywordAnalyzer, ScriptedLeadership

FIXTURE = SHARED / "fixtures" / "slack" / "BlockActionPayload.json"


def envelope(user: str, action_id: str, value: str = "", option: str = "") -> dict:
    """A Socket Mode envelope around the recorded block_actions payload, with real-looking values."""
    payload = copy.deepcopy(json.loads(FIXTURE.read_text()))
    payload["user"].update(id=user, username=user.lower(), name=user.lower(), team_id="T0SKLEP")
    payload["channel"].update(id="CALERTS", name="social-alerts")
    payload["container"].update(type="message", channel_id="CALERTS", message_ts="1793610000.000001")
    action = payload["actions"][0]
    action.update(action_id=action_id, value=value, action_ts="1793610005.123456", type="button")
    action["selected_option"]["value"] = option
    return {
        "envelope_id": f"env-{user}-{action_id}",
        "type": "interactive",
        "payload": payload,
        "accepts_response_payload": False,
    }


class RecordingSocketClient:
    def __init__(self) -> None:
        self.acks: list[str] = []

    def send_socket_mode_response(self, response) -> None:
        self.acks.append(response.envelope_id)


@pytest.fixture
def rig(slack_settings, clock):
    source = FakeSource()
    app = App.build(
        slack_settings(slack={"allowed_usergroup": "S0SOCIAL"}), clock, sources=[source], analyzer=KeywordAnalyzer()
    )
    source.add(Mention(platform="x", external_id="1", author="@c", text="never arrived", created_at=clock.now()))
    app.run_once()
    yield app
    app.close()


def test_block_actions_are_acked_and_applied_in_the_main_loop(rig, fake_slack) -> None:
    app = rig
    (esc,) = app.store.escalations()
    fake_slack.slack.usergroups["S0SOCIAL"] = ["UBEATA002"]
    socket = RecordingSocketClient()
    for env in (
        envelope("UANNA0001", "replyclock:acknowledge", str(esc.id)),  # allowed by id
        envelope("UEVE00003", "replyclock:resolve", str(esc.id)),  # not allowed
    ):
        app.slack.listener(socket, SocketModeRequest.from_dict(env))
    assert socket.acks == ["env-UANNA0001-replyclock:acknowledge", "env-UEVE00003-replyclock:resolve"]
    # nothing happened on the websocket thread
    assert app.store.escalation(esc.id).acknowledged_by is None
    app.run_once()
    after = app.store.escalation(esc.id)
    assert after.acknowledged_by == "UANNA0001" and after.resolved_at is None
    assert fake_slack.slack.ephemeral[-1]["user"] == "UEVE00003"
    # a user group member may act too
    app.slack.listener(
        socket, SocketModeRequest.from_dict(envelope("UBEATA002", "replyclock:dismiss", option=f"{esc.id}:praise"))
    )
    app.run_once()
    done = app.store.escalation(esc.id)
    assert done.dismissed_at is not None and done.closed_by == "UBEATA002" and done.dismiss_reason == "praise"
    actors = [(e.kind, e.actor) for e in app.store.events(esc.id) if e.actor.startswith("U")]
    assert actors == [("acknowledged", "UANNA0001"), ("click_refused", "UEVE00003"), ("dismissed", "UBEATA002")]


def test_other_envelopes_and_bad_values_are_ignored(rig) -> None:
    app = rig
    socket = RecordingSocketClient()
    app.slack.listener(socket, SocketModeRequest.from_dict({"envelope_id": "e1", "type": "events_api", "payload": {}}))
    app.slack.listener(socket, SocketModeRequest.from_dict(envelope("UANNA0001", "replyclock:resolve", "abc")))
    app.slack.listener(socket, SocketModeRequest.from_dict(envelope("UANNA0001", "someone_else:button", "1")))
    assert socket.acks == ["e1", "env-UANNA0001-replyclock:resolve", "env-UANNA0001-someone_else:button"]
    assert app.slack.clicks.drain() == []


def test_click_on_an_unknown_escalation_is_answered_privately(rig, fake_slack) -> None:
    app = rig
    app.slack.listener(
        RecordingSocketClient(), SocketModeRequest.from_dict(envelope("UANNA0001", "replyclock:resolve", "999"))
    )
    app.run_once()
    assert "no escalation #999" in fake_slack.slack.ephemeral[-1]["text"]


def test_parse_reads_the_recorded_payload_shape() -> None:
    payload = envelope("UANNA0001", "replyclock:respond", "12")["payload"]
    (click,) = parse_block_actions(payload)
    assert (click.escalation_id, click.action, click.user_id, click.channel_id) == (
        12,
        "respond",
        "UANNA0001",
        "CALERTS",
    )


def test_gatekeeper_caches_group_members(clock) -> None:
    calls = []

    def members(group: str) -> set[str]:
        calls.append(group)
        return {"UB"}

    gate = Gatekeeper(["UA"], "S1", members, clock)
    assert gate.allows("UA") and gate.allows("UB") and not gate.allows("UC")
    assert calls == ["S1"]
    clock.advance(timedelta(minutes=6))
    gate.allows("UB")
    assert calls == ["S1", "S1"]


def test_a_click_the_store_fails_on_is_answered_and_the_next_clicks_still_apply(rig, fake_slack, monkeypatch) -> None:
    from sqlalchemy.exc import OperationalError

    app = rig
    (esc,) = app.store.escalations()
    record_event = app.store.record_event
    failures = [OperationalError("UPDATE escalations", {}, Exception("database is locked"))]

    def flaky(*args, **kwargs):
        if failures:
            raise failures.pop()
        return record_event(*args, **kwargs)

    monkeypatch.setattr(app.store, "record_event", flaky)
    socket = RecordingSocketClient()
    app.slack.listener(
        socket, SocketModeRequest.from_dict(envelope("UANNA0001", "replyclock:acknowledge", str(esc.id)))
    )
    app.slack.listener(socket, SocketModeRequest.from_dict(envelope("UANNA0001", "replyclock:resolve", str(esc.id))))
    app.run_once()
    assert app.store.escalation(esc.id).resolved_at is not None, "the click after the failed one was lost"
    told = fake_slack.slack.ephemeral[-1]
    assert told["user"] == "UANNA0001" and "try again" in told["text"]
    assert "database is locked" not in told["text"]


def test_a_click_on_an_alert_this_database_did_not_post_changes_nothing(rig, fake_slack) -> None:
    # an old alert still in the channel from before the database was recreated: its #1 is another complaint
    app = rig
    (esc,) = app.store.escalations()
    posted = app.store.outbox_entry("slack", f"{esc.id}:opened").result["ts"]
    old = envelope("UANNA0001", "replyclock:resolve", str(esc.id))
    old["payload"]["container"]["message_ts"] = "1790000000.000042"
    app.slack.listener(RecordingSocketClient(), SocketModeRequest.from_dict(old))
    app.run_once()
    assert app.store.escalation(esc.id).resolved_at is None
    assert "Nothing changed" in fake_slack.slack.ephemeral[-1]["text"]
    # the alert this database posted still works
    here = envelope("UANNA0001", "replyclock:resolve", str(esc.id))
    here["payload"]["container"]["message_ts"] = posted
    app.slack.listener(RecordingSocketClient(), SocketModeRequest.from_dict(here))
    app.run_once()
    assert app.store.escalation(esc.id).resolved_at is not None


class _Steps(threading.Event):
    """A stop event for run_forever that never sleeps and stops after `n` loops."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n

    def is_set(self) -> bool:
        self.n -= 1
        return self.n < 0

    def wait(self, timeout: float | None = None) -> bool:
        return False


class _Socket:
    closed = False

    def close(self) -> None:
        self.closed = True


def test_a_leader_that_stands_by_stops_taking_clicks_it_would_never_apply(rig, monkeypatch) -> None:
    # Slack spreads interactive payloads over the app's open connections: a standby's would be acked and lost
    app = rig
    sockets: list[_Socket] = []

    def connect(token: str) -> None:
        sockets.append(_Socket())
        app.slack.socket = sockets[-1]

    monkeypatch.setattr(app.slack, "start_socket_mode", connect)
    app.leadership = ScriptedLeadership(True, False, False, True)
    app.run_forever(_Steps(4))
    assert len(sockets) == 2
    assert sockets[0].closed, "the standby kept its Socket Mode connection open"
    assert not sockets[1].closed and app.slack.socket is sockets[1]


def test_a_second_acknowledge_is_told_who_already_has_it(rig, fake_slack) -> None:
    # two people press Acknowledge on the same alert within a second: the second must not believe it is theirs
    app = rig
    (esc,) = app.store.escalations()
    fake_slack.slack.usergroups["S0SOCIAL"] = ["UBEATA002"]
    socket = RecordingSocketClient()
    for user in ("UANNA0001", "UBEATA002"):
        app.slack.listener(socket, SocketModeRequest.from_dict(envelope(user, "replyclock:acknowledge", str(esc.id))))
    app.run_once()
    assert app.store.escalation(esc.id).acknowledged_by == "UANNA0001"
    [told] = fake_slack.slack.ephemeral
    assert told["user"] == "UBEATA002"
    assert told["text"] == (
        f":information_source: Nothing changed: escalation #{esc.id} is already acknowledged by <@UANNA0001>."
    )
