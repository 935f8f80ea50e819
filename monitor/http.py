"""The one HTTP session the platform adapters hand to tweepy and facebook-sdk.

Both client libraries build the vendor host into their request code and send no
timeout; this session rewrites the host (tests, proxies), always sets a timeout,
keeps the last response so an adapter can read rate-limit headers the library
drops, and strips credentials from the messages of network errors.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

_QUERY_SECRET = re.compile(r"((?:access_token|input_token|client_secret)=)[^&\s'\"]+", re.I)
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9%._~+/=-]+", re.I)

# the loggers of the libraries below us that write URLs or headers at DEBUG level
_LIBRARY_LOGGERS = ("tweepy.client", "urllib3.connectionpool", "facebook", "requests")


def parse_time(value: object) -> datetime | None:
    """A platform's ISO-8601 timestamp as an aware datetime (UTC when it names no zone); None if unreadable."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Hide credentials in `text`: query-string tokens, bearer headers and the given secrets."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    text = _QUERY_SECRET.sub(r"\1***", text)
    return _BEARER.sub(r"\1***", text)


class _RedactingFilter(logging.Filter):
    """Rewrites records of the client libraries so no credential reaches a handler."""

    def __init__(self) -> None:
        super().__init__("replyclock-redact")
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, secret: str) -> None:
        with self._lock:
            self._secrets.add(secret)

    def filter(self, record: logging.LogRecord) -> bool:
        with self._lock:
            secrets = tuple(self._secrets)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the library's bug; still never leak
            message = str(record.msg)
        record.msg = redact(message, secrets)
        record.args = None
        return True


_FILTER = _RedactingFilter()


def protect_secret(secret: str) -> None:
    """Keep `secret` out of the log lines that tweepy, urllib3 and facebook-sdk write."""
    if not secret:
        return
    _FILTER.add(secret)
    for name in _LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


class ApiSession(requests.Session):
    """A requests session that sends `default_host` requests to `base_url`, always with a timeout."""

    def __init__(self, default_host: str, base_url: str, timeout: timedelta) -> None:
        super().__init__()
        if timeout <= timedelta(0):
            raise ValueError("timeout must be positive")
        self.default_host = default_host.rstrip("/")
        self.base_url = base_url.rstrip("/")
        self.timeout_seconds = timeout.total_seconds()
        self.last_response: requests.Response | None = None
        self.requests_made = 0

    def rewrite(self, url: str) -> str:
        """The URL to call instead of `url` (only the vendor host is replaced)."""
        if url == self.default_host or url.startswith(self.default_host + "/"):
            return self.base_url + url[len(self.default_host) :]
        return url

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        """Send the request to the rewritten host, with the timeout; strip secrets from failures."""
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout_seconds
        target = self.rewrite(url.decode() if isinstance(url, bytes) else url)
        self.last_response = None
        self.requests_made += 1
        try:
            response = super().request(method, target, *args, **kwargs)
        except requests.Timeout:
            # the library's message names the URL, whose query may hold an access token
            raise requests.Timeout(f"no answer within {self.timeout_seconds:g}s") from None
        except requests.RequestException as exc:
            raise _scrubbed(exc) from None
        self.last_response = response
        return response


def _scrubbed(exc: requests.RequestException) -> requests.RequestException:
    """The same kind of error with credentials removed from its message and no request attached."""
    try:
        return type(exc)(redact(str(exc)))
    except Exception:  # an exception class with an unusual constructor
        return requests.RequestException(redact(str(exc)))
