"""The `Source` protocol and the small error tree every adapter translates vendor errors into."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from monitor.models import Batch


class SourceError(Exception):
    """A source could not deliver a batch; the poller logs it once and tries again later."""


class RateLimited(SourceError):
    """The platform asked us to wait; poll this source again at `retry_at`, not before."""

    def __init__(self, message: str, retry_at: datetime) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class AuthRejected(SourceError):
    """Credentials were refused; the source stays stopped until the config changes."""


class Unavailable(SourceError):
    """The platform failed or could not be reached (5xx, timeout, malformed answer)."""


class Source(Protocol):
    """Anything that can be polled for mentions and the brand's replies."""

    name: str
    platform: str

    def fetch(self, cursor: str | None) -> Batch:
        """Return what is new since `cursor` (None on the first poll) and the next cursor."""
        ...


# Optional, honoured by the poller when a source has it:
#
#     def earliest_next_poll(self, now: datetime) -> datetime | None
#
# The time before which the poller must not call `fetch` again (a rate-limit
# reset the source learnt from a successful answer, or the pace that keeps a
# monthly read cap lasting until the month ends), or None for no limit beyond
# the source's `poll_every`. It is cheap and makes no request.
