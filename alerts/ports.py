"""What the alerts package needs from the store, as protocols: `alerts` imports no store code.

`monitor.store.Store` satisfies all of them; tests may pass anything else that does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from monitor.models import Escalation, NewEvent, OutboxIntent, Reply, Score


class PendingResponseLike(Protocol):
    @property
    def escalation_id(self) -> int: ...
    @property
    def reply(self) -> Reply: ...
    @property
    def breached_at(self) -> datetime | None: ...


class OutboxLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def key(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def escalation_id(self) -> int | None: ...  # None: about several escalations, listed in the payload
    @property
    def payload(self) -> Mapping[str, Any]: ...
    @property
    def status(self) -> str: ...
    @property
    def attempts(self) -> int: ...
    @property
    def result(self) -> Mapping[str, Any]: ...
    @property
    def created_at(self) -> datetime: ...


class EscalationLog(Protocol):
    """Reading escalations and appending to their event logs."""

    def escalation(self, escalation_id: int) -> Escalation: ...
    def active_escalations(self) -> list[Escalation]: ...
    def record_event(
        self,
        escalation_id: int,
        kind: str,
        at: datetime,
        *,
        actor: str = "replyclock",
        detail: str = "",
        key: str | None = None,
        outbox: Sequence[OutboxIntent] = (),
        only_if_changed: bool = False,
    ) -> bool: ...


class EscalationStore(EscalationLog, Protocol):
    """What the engine needs: opening escalations and matching answers (notifications go with events)."""

    def open_escalation(
        self,
        mention_id: int,
        score: Score,
        opened_at: datetime,
        notifiers: Sequence[str] = (),
        *,
        response_time: timedelta,
    ) -> Escalation | None: ...
    def record_events(self, events: Sequence[NewEvent], *, outbox: Sequence[OutboxIntent] = ()) -> list[int]: ...
    def first_reads(self) -> Mapping[str, datetime]: ...
    def pending_responses(self, since: datetime | None = None) -> Sequence[PendingResponseLike]: ...
    def mark_settled(self, escalation_id: int) -> None: ...


class OutboxStore(EscalationLog, Protocol):
    """What the dispatcher needs: the due outbox entries and a place to record how delivery went."""

    def due_outbox(self, notifier: str, now: datetime, limit: int = 100) -> Sequence[OutboxLike]: ...
    def outbox_entry(self, notifier: str, key: str) -> OutboxLike | None: ...
    def alert_results(self, notifier: str) -> Mapping[int, Mapping[str, Any]]: ...
    def outbox_update(
        self,
        entry_id: int,
        *,
        status: str,
        at: datetime,
        result: Mapping[str, Any] | None = None,
        error: str = "",
        retry_at: datetime | None = None,
        count_attempt: bool = True,
        alerted_via: str | None = None,
    ) -> None: ...
