"""The `Notifier` protocol and the dispatcher that drains the store's outbox into notifiers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from alerts.engine import NotificationKind
from alerts.late import why_late
from alerts.ports import OutboxLike, OutboxStore
from alerts.sla import SlaStatus, status
from monitor.clock import Clock
from monitor.models import Escalation, SlaPolicy

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # transient failures after which the dispatcher says so at ERROR (it goes on retrying)


@dataclass(frozen=True, slots=True)
class Notification:
    """One thing to tell the team about an escalation, with its clock at delivery time."""

    kind: str
    key: str
    escalation: Escalation
    status: SlaStatus
    payload: Mapping[str, Any]
    alert_result: Mapping[str, Any]
    attempts: int = 0
    queued_at: datetime | None = None
    # of a `breach_withdrawn`: what the notifier stored when it told the breach, with that entry's
    # outbox `status` (pending: not told yet); empty when this notifier was never given the breach.
    # A late find's also holds, under `digest`, the same of the digest that was to list it.
    breach_result: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LateFind:
    """A complaint that was already past its deadline when replyclock first saw it, as a digest lists it."""

    escalation: Escalation
    status: SlaStatus
    alert_result: Mapping[str, Any]  # what the notifier stored when it posted the alert
    reason: str  # a `LateReason`

    @property
    def overdue_when_seen(self) -> timedelta:
        """How far past its deadline it was when replyclock first saw it."""
        return self.escalation.opened_at - self.escalation.deadline


@dataclass(frozen=True, slots=True)
class Digest:
    """One notification about the complaints a tick found already late (instead of a managers' post each)."""

    kind: str
    key: str
    items: tuple[LateFind, ...]  # longest overdue when seen first
    payload: Mapping[str, Any]
    attempts: int = 0
    queued_at: datetime | None = None

    def why(self, when: Callable[[datetime], str]) -> list[str]:
        """Why they were late, one phrase per reason and source, each led by how many; `when` writes a time."""
        first_reads = {str(k): _parse_time(v) for k, v in (self.payload.get("first_reads") or {}).items()}
        return why_late(
            ((item.reason, item.escalation.source) for item in self.items),
            {k: v for k, v in first_reads.items() if v is not None},
            _parse_time(self.payload.get("running_since")),
            when,
        )


def _parse_time(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class BoardItem:
    """An escalation on the live board with its clock."""

    escalation: Escalation
    status: SlaStatus
    alert_result: Mapping[str, Any]


class DeliveryError(Exception):
    """A delivery failed; retried at `retry_at` (or with backoff), or dropped when `permanent`.

    `deferred` means nothing was attempted (the notifier paces itself, or waits out a
    rate limit): the entry waits until `retry_at` without counting an attempt.
    `alert` is an alert the notifier posted again before the failure: it is recorded all the same.
    """

    def __init__(
        self,
        message: str,
        *,
        retry_at: datetime | None = None,
        permanent: bool = False,
        deferred: bool = False,
        alert: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.retry_at = retry_at
        self.permanent = permanent
        self.deferred = deferred
        self.alert = alert


class NotifierStopped(Exception):
    """The notifier cannot deliver anything until reconfigured (e.g. its token was revoked)."""


class Notifier(Protocol):
    """Delivers notifications and keeps a live view of the open escalations."""

    name: str

    def deliver(self, note: Notification) -> Mapping[str, Any] | None:
        """Deliver one notification; the returned mapping is stored with the outbox entry."""
        ...

    def deliver_digest(self, digest: Digest) -> Mapping[str, Any] | None:
        """Deliver one digest of complaints found already late; raises DeliveryError like `deliver`."""
        ...

    def refresh(self, board: Sequence[BoardItem], now: datetime) -> None:
        """Bring the live countdown up to date (called every tick)."""
        ...


def backoff(attempts: int) -> timedelta:
    """Wait before retry number `attempts` (5 s, 10 s, 20 s … capped at 10 min)."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 600))


class Dispatcher:
    """Delivers due outbox entries through each notifier; one failing notifier never stops another."""

    def __init__(self, store: OutboxStore, notifiers: Sequence[Notifier], policy: SlaPolicy, clock: Clock) -> None:
        self.store = store
        self.notifiers = list(notifiers)
        self.policy = policy
        self.clock = clock
        self.stopped: dict[str, str] = {}

    def deliver_due(self) -> int:
        """Deliver what is due now; returns how many entries were sent."""
        sent = 0
        for notifier in self.notifiers:
            if notifier.name in self.stopped:
                continue
            try:
                sent += self._deliver_for(notifier)
            except NotifierStopped as exc:
                self.stopped[notifier.name] = str(exc)
                log.error("%s delivery stopped: %s (ingestion and the SLA log go on)", notifier.name, exc)
        return sent

    def _deliver_for(self, notifier: Notifier) -> int:
        sent = 0
        now = self.clock.now()
        for entry in self.store.due_outbox(notifier.name, now):
            alert: OutboxLike | None = None
            try:
                if entry.escalation_id is None:  # about several escalations: a digest
                    result = notifier.deliver_digest(self._digest(notifier.name, entry, now))
                else:
                    escalation = self.store.escalation(entry.escalation_id)
                    alert, alert_result = self._alert(notifier.name, escalation.id)
                    breach_result: dict[str, Any] = {}
                    if entry.kind == NotificationKind.BREACH_WITHDRAWN:
                        breach_result = self._breach_result(notifier.name, escalation.id)
                    note = Notification(
                        kind=entry.kind,
                        key=entry.key,
                        escalation=escalation,
                        status=status(escalation, self.policy, now),
                        payload=entry.payload,
                        alert_result=alert_result,
                        attempts=entry.attempts,
                        queued_at=entry.created_at,
                        breach_result=breach_result,
                    )
                    result = notifier.deliver(note)
            except DeliveryError as exc:
                if exc.alert is not None and alert is not None and alert.id != entry.id:
                    # the alert was posted again before this failed: the retry must update it, not post a third
                    self.store.outbox_update(alert.id, status="sent", at=now, result=exc.alert, count_attempt=False)
                if exc.deferred and not exc.permanent:
                    retry_at = exc.retry_at or now + backoff(1)
                    log.debug("%s: %s deferred until %s (%s)", notifier.name, entry.key, retry_at, exc)
                    self.store.outbox_update(
                        entry.id, status="pending", at=now, error=str(exc), retry_at=retry_at, count_attempt=False
                    )
                    continue
                attempts = entry.attempts + 1
                if exc.permanent:
                    log.error("%s: giving up on %s: %s", notifier.name, entry.key, exc)
                    self.store.outbox_update(entry.id, status="dead", at=now, error=str(exc))
                else:
                    # A transient failure is never the end: an outage longer than the backoff must not cost a
                    # complaint its alert (or leave an answered one showing its clock); past MAX_ATTEMPTS the
                    # entry is retried at the longest backoff, said once.
                    retry_at = exc.retry_at or now + backoff(attempts)
                    if attempts == MAX_ATTEMPTS:
                        log.error(
                            "%s: %s still failing after %d attempts (%s); retrying every %s",
                            notifier.name,
                            entry.key,
                            attempts,
                            exc,
                            backoff(attempts + 1),
                        )
                    elif attempts < MAX_ATTEMPTS:
                        log.warning("%s: %s failed (%s); retrying at %s", notifier.name, entry.key, exc, retry_at)
                    self.store.outbox_update(entry.id, status="pending", at=now, error=str(exc), retry_at=retry_at)
                continue
            result = dict(result or {})
            replaced = result.pop("alert", None)
            if isinstance(replaced, Mapping) and alert is not None and alert.id != entry.id:
                # the notifier re-posted the alert (e.g. the message was deleted): later updates go there
                self.store.outbox_update(alert.id, status="sent", at=now, result=replaced, count_attempt=False)
            elif isinstance(replaced, Mapping):
                result.update(replaced)
            alerted_via = notifier.name if entry.kind == "opened" else None
            self.store.outbox_update(entry.id, status="sent", at=now, result=result, alerted_via=alerted_via)
            sent += 1
        return sent

    def _alert(self, notifier: str, escalation_id: int) -> tuple[OutboxLike | None, dict[str, Any]]:
        """The outbox entry of an escalation's alert, and what the notifier stored when it delivered it."""
        alert = self.store.outbox_entry(notifier, f"{escalation_id}:opened")
        result = dict(alert.result) if alert is not None else {}
        if alert is not None and alert.status == "dead":
            result["undeliverable"] = True  # given up: never wait for it
        return alert, result

    def _breach_result(self, notifier: str, escalation_id: int) -> dict[str, Any]:
        """What telling an escalation's breach left, with its outbox status; a late find's digest under `digest`."""
        breach = self.store.outbox_entry(notifier, f"{escalation_id}:{NotificationKind.BREACHED}")
        if breach is None:
            return {}
        result: dict[str, Any] = {**breach.result, "status": breach.status}
        digest_key = breach.payload.get("digest")
        digest = self.store.outbox_entry(notifier, str(digest_key)) if digest_key else None
        if digest is not None:
            result["digest"] = {**digest.result, "status": digest.status}
        return result

    def _digest(self, notifier: str, entry: OutboxLike, now: datetime) -> Digest:
        """The digest an outbox entry stands for, with each listed escalation as it is now."""
        items = []
        for listed in entry.payload.get("escalations") or ():
            try:
                escalation = self.store.escalation(int(listed["id"]))
            except KeyError:
                continue  # gone (a store copied without it): the rest still make the digest
            if escalation.breach_withdrawn_at is not None or escalation.dismissed_at is not None:
                # answered in time after all (the answer found while the digest waited), or closed as not a
                # complaint (the SLA log counts no breach then): no late find to tell. Read at every attempt,
                # so a digest held up by an outage or a rate limit tells what is left.
                continue
            _, alert_result = self._alert(notifier, escalation.id)
            sla = status(escalation, self.policy, now)
            items.append(LateFind(escalation, sla, alert_result, str(listed.get("reason", ""))))
        items.sort(key=lambda item: (-item.overdue_when_seen, item.escalation.id))
        return Digest(
            kind=entry.kind,
            key=entry.key,
            items=tuple(items),
            payload=entry.payload,
            attempts=entry.attempts,
            queued_at=entry.created_at,
        )

    def refresh(self) -> None:
        """Give every notifier the live board, with what each one stored when it posted the alert."""
        now = self.clock.now()
        active = [(e, status(e, self.policy, now)) for e in self.store.active_escalations()]
        for notifier in self.notifiers:
            if notifier.name in self.stopped:
                continue
            results = self.store.alert_results(notifier.name)
            board = [BoardItem(e, sla, results.get(e.id, {})) for e, sla in active]
            try:
                notifier.refresh(board, now)
            except NotifierStopped as exc:
                self.stopped[notifier.name] = str(exc)
                log.error("%s delivery stopped: %s", notifier.name, exc)
