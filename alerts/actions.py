"""Button clicks in Slack turned into team actions, applied by the main loop.

The Socket Mode thread only parses a `block_actions` payload into `Click`s and
queues them; `apply_clicks` runs as a job of the main loop, checks who clicked
and calls `EscalationEngine.act` with the Slack user id as the actor. Nothing
here imports slack_sdk: refusals go out through a callable the caller passes.
"""

from __future__ import annotations

import contextlib
import logging
import queue
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from alerts.engine import ActionRefused, EscalationEngine, unchanged_reason
from alerts.messages import ACKNOWLEDGE, DISMISS, RESOLVE, RESPOND, refusal_text, who
from monitor.clock import Clock

log = logging.getLogger(__name__)

ACTION_IDS = {ACKNOWLEDGE: "acknowledge", RESPOND: "respond", RESOLVE: "resolve", DISMISS: "dismiss"}
REFUSED_EVENT = "click_refused"
GROUP_CACHE_FOR = timedelta(minutes=5)
FAILED_TEXT = ":warning: Nothing changed: replyclock could not record this click just now. Please try again."


@dataclass(frozen=True, slots=True)
class Click:
    """One button click (or menu choice) on an alert."""

    escalation_id: int
    action: str
    user_id: str
    user_name: str = ""
    detail: str = ""
    channel_id: str = ""
    message_ts: str = ""
    action_ts: str = ""


def parse_block_actions(payload: Mapping[str, Any]) -> list[Click]:
    """The replyclock clicks in a `block_actions` payload; anything else is ignored (and logged)."""
    if payload.get("type") != "block_actions":
        return []
    user = payload.get("user") or {}
    user_id = str(user.get("id") or "")
    if not user_id:
        log.warning("block_actions payload without a user id ignored")
        return []
    container = payload.get("container") or {}
    channel = str((payload.get("channel") or {}).get("id") or container.get("channel_id") or "")
    message_ts = str(container.get("message_ts") or (payload.get("message") or {}).get("ts") or "")
    clicks = []
    for element in payload.get("actions") or ():
        action = ACTION_IDS.get(str(element.get("action_id") or ""))
        if action is None:
            continue
        raw = (element.get("selected_option") or {}).get("value") if action == "dismiss" else element.get("value")
        ident, _, extra = str(raw or "").partition(":")
        if not ident.isdigit():
            log.warning("click on %s with a malformed value %r ignored", action, raw)
            continue
        clicks.append(
            Click(
                escalation_id=int(ident),
                action=action,
                user_id=user_id,
                user_name=str(user.get("username") or user.get("name") or ""),
                detail=extra if action == "dismiss" else "",  # the reason's code: the engine stores it as one
                channel_id=channel,
                message_ts=message_ts,
                action_ts=str(element.get("action_ts") or ""),
            )
        )
    return clicks


class ClickQueue:
    """A thread-safe hand-over from the Socket Mode thread to the main loop."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Click] = queue.SimpleQueue()

    def put(self, click: Click) -> None:
        """Queue a click (any thread)."""
        self._queue.put(click)

    def drain(self) -> list[Click]:
        """Take every queued click (the main loop)."""
        out = []
        while True:
            try:
                out.append(self._queue.get_nowait())
            except queue.Empty:
                return out


class Gatekeeper:
    """Who may act: `slack.allowed_users`, or members of `slack.allowed_usergroup` (cached a few minutes)."""

    def __init__(
        self,
        allowed_users: Iterable[str],
        usergroup: str | None,
        members: Callable[[str], set[str]] | None,
        clock: Clock,
    ) -> None:
        self.allowed_users = frozenset(allowed_users)
        self.usergroup = usergroup
        self.members = members
        self.clock = clock
        self._group: frozenset[str] = frozenset()
        self._group_at: datetime | None = None

    def allows(self, user_id: str) -> bool:
        """Whether this Slack user may act on alerts."""
        if user_id in self.allowed_users:
            return True
        if not self.usergroup or self.members is None:
            return False
        now = self.clock.now()
        if self._group_at is None or now - self._group_at > GROUP_CACHE_FOR:
            try:
                self._group = frozenset(self.members(self.usergroup))
                self._group_at = now
            except Exception as exc:
                # keep the last known members; refuse only people we never saw in the group
                log.warning("could not read the members of user group %s: %s", self.usergroup, exc)
        return user_id in self._group


Refuse = Callable[[Click, str], None]


def apply_clicks(
    clicks: Iterable[Click],
    engine: EscalationEngine,
    gate: Gatekeeper,
    refuse: Refuse,
) -> list[tuple[Click, str]]:
    """Apply queued clicks in order; returns (click, outcome): done, unchanged, refused, rejected or failed."""
    outcomes: list[tuple[Click, str]] = []
    for click in clicks:
        try:
            outcomes.append((click, _apply_click(click, engine, gate, refuse)))
        except Exception as exc:
            # the queue is drained already: one click the store fails on must not take the others with it
            log.error(
                "click %s on #%d by %s failed: %s: %s",
                click.action,
                click.escalation_id,
                click.user_id,
                type(exc).__name__,
                exc,
            )
            _safe_refuse(refuse, click, FAILED_TEXT)
            outcomes.append((click, "failed"))
    return outcomes


def _apply_click(click: Click, engine: EscalationEngine, gate: Gatekeeper, refuse: Refuse) -> str:
    if not gate.allows(click.user_id):
        log.warning("click %s on #%d by %s refused: not allowed", click.action, click.escalation_id, click.user_id)
        # a click on an alert of another database has nothing to log it against
        with contextlib.suppress(KeyError):
            engine.store.record_event(
                click.escalation_id,
                REFUSED_EVENT,
                engine.clock.now(),
                actor=click.user_id,
                detail=f"{click.action} refused: not in slack.allowed_users or the allowed user group",
                key=f"{REFUSED_EVENT}:{click.user_id}:{click.action}:{click.action_ts or engine.clock.now()}",
            )
        _safe_refuse(refuse, click, refusal_text(click.action))
        return "refused"
    try:
        acted = engine.apply(click.escalation_id, click.action, click.user_id, click.detail)
    except ActionRefused as exc:
        log.warning("click %s on #%d by %s rejected: %s", click.action, click.escalation_id, click.user_id, exc)
        _safe_refuse(refuse, click, f":warning: Nothing changed: {exc}")
        return "rejected"
    if not acted.changed:
        # e.g. two people pressed Acknowledge at once: the second must not believe the complaint is theirs
        why = unchanged_reason(acted.escalation, click.action, who)
        _safe_refuse(refuse, click, f":information_source: Nothing changed: {why}.")
        return "unchanged"
    return "done"


def _safe_refuse(refuse: Refuse, click: Click, why: str) -> None:
    try:
        refuse(click, why)
    except Exception as exc:
        log.warning("could not tell %s why the click did nothing: %s", click.user_id, exc)
