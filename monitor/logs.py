"""Logging for a daemon under journald: one line per event, a level prefix, no timestamps of our own.

When the stream is journald's own (`$JOURNAL_STREAM`), each line also starts with the sd-daemon
priority prefix (`<4>` for a warning), which journald strips and records as the entry's priority:
without it every line is "info" and `journalctl -p warning` shows none of our problems.

Every line (and every exception text in it) passes through a filter that masks
the configured secret values, so a token that ends up in an error message from
a client library still never reaches the journal.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterable
from typing import TextIO

MASK = "***"


class SecretMasker(logging.Filter):
    """Replaces every known secret value in a record's message and exception text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets: list[str] = []
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        """Mask these values too (very short values would mask ordinary words, so they are kept >= 4)."""
        for secret in secrets:
            if secret and len(secret) >= 4 and secret not in self.secrets:
                self.secrets.append(secret)
        self.secrets.sort(key=len, reverse=True)

    def mask(self, text: str) -> str:
        """`text` with every secret replaced by ***."""
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = self.mask(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        return True


class JournalFormatter(logging.Formatter):
    """`WARNING monitor.poller: source x:mentions rate-limited ...`; journald adds the time."""

    def __init__(self) -> None:
        super().__init__("%(levelname)s %(name)s: %(message)s")


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            data["exception"] = record.exc_text
        elif record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


class JournalPriority(logging.Formatter):
    """Prefixes every line another formatter writes with the record's sd-daemon priority (`<3>` ...)."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        return with_priority(self.inner.format(record), record.levelno)


def with_priority(text: str, level: int) -> str:
    """`text` with the sd-daemon priority of `level` before each of its lines (journald reads it per line)."""
    priority = 7
    for threshold, value in ((logging.CRITICAL, 2), (logging.ERROR, 3), (logging.WARNING, 4), (logging.INFO, 6)):
        if level >= threshold:
            priority = value
            break
    return "\n".join(f"<{priority}>{line}" for line in text.split("\n"))


def is_journal(stream: TextIO) -> bool:
    """Whether `stream` is the journald connection systemd gave us (`$JOURNAL_STREAM` is its device:inode)."""
    expected = os.environ.get("JOURNAL_STREAM", "")
    if ":" not in expected:
        return False
    try:
        st = os.fstat(stream.fileno())
    except (AttributeError, OSError, ValueError):  # io.StringIO, pytest's capture: not the journal
        return False
    return f"{st.st_dev}:{st.st_ino}" == expected


_masker = SecretMasker()


def masker() -> SecretMasker:
    """The process-wide secret masker (secrets are added once the config is read)."""
    return _masker


def setup_logging(level: str = "INFO", fmt: str = "text", stream: TextIO | None = None) -> None:
    """Send logs to stdout (or `stream`) in the chosen format, with secrets masked."""
    stream = stream or sys.stdout
    handler = logging.StreamHandler(stream)
    formatter: logging.Formatter = JsonFormatter() if fmt == "json" else JournalFormatter()
    handler.setFormatter(JournalPriority(formatter) if is_journal(stream) else formatter)
    handler.addFilter(_masker)
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_replyclock", False):
            root.removeHandler(old)
    handler._replyclock = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("urllib3", "requests_oauthlib", "oauthlib", "filelock", "httpx", "schedule", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
