"""Talking to systemd: the sd_notify protocol over `$NOTIFY_SOCKET`, in plain stdlib.

Under `Type=notify` the daemon says `READY=1` once it can work, `STATUS=...` with
what it is doing, `WATCHDOG=1` from its main loop and `STOPPING=1` on shutdown.
Outside systemd (no `$NOTIFY_SOCKET`) every call is a cheap no-op, so the daemon
never needs to know how it was started.

`unit_credentials` reads the unit's `LoadCredential=` files, for `check-config` to name one
that is missing before systemd fails the start on it (243/CREDENTIALS).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

log = logging.getLogger(__name__)


def _address(path: str) -> str | bytes:
    # "@name" is a Linux abstract socket: the address starts with a NUL byte.
    if path.startswith("@"):
        return b"\0" + path[1:].encode()
    return path


class SystemdNotifier:
    """Sends sd_notify messages; a no-op when not started by systemd with `Type=notify`."""

    def __init__(self, socket_path: str | None, watchdog: timedelta | None = None) -> None:
        self.socket_path = socket_path or None
        self.watchdog = watchdog
        self._failed = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SystemdNotifier:
        """The notifier systemd asked for through `$NOTIFY_SOCKET` and `$WATCHDOG_USEC`."""
        env = os.environ if environ is None else environ
        watchdog: timedelta | None = None
        usec = env.get("WATCHDOG_USEC", "")
        pid = env.get("WATCHDOG_PID", "")
        # WATCHDOG_PID names the process the watchdog is meant for; a child must not ping for us.
        if usec.isdigit() and int(usec) > 0 and (not pid or pid == str(os.getpid())):
            watchdog = timedelta(microseconds=int(usec))
        return cls(env.get("NOTIFY_SOCKET"), watchdog)

    @property
    def enabled(self) -> bool:
        """Whether a service manager listens."""
        return self.socket_path is not None

    @property
    def watchdog_every(self) -> timedelta | None:
        """How often to send `WATCHDOG=1`: half the watchdog timeout, as systemd recommends."""
        return self.watchdog / 2 if self.watchdog else None

    def notify(self, *assignments: str) -> bool:
        """Send `KEY=value` lines in one datagram; False when nobody listens or the send failed."""
        if self.socket_path is None or not assignments:
            return False
        message = "\n".join(assignments).encode("utf-8", "replace")
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.connect(_address(self.socket_path))
                sock.sendall(message)
        except OSError as exc:
            if not self._failed:  # one line, not one per watchdog ping
                log.warning("cannot notify systemd at %s: %s", self.socket_path, exc)
            self._failed = True
            return False
        self._failed = False
        return True

    def ready(self, status: str = "") -> bool:
        """Tell systemd the service is up (and what it is doing)."""
        return self.notify("READY=1", *([_status(status)] if status else []))

    def status(self, text: str) -> bool:
        """Set the one-line status shown by `systemctl status`."""
        return self.notify(_status(text))

    def ping(self) -> bool:
        """Keep the watchdog from restarting us."""
        return self.notify("WATCHDOG=1")

    def extend_timeout(self, by: timedelta, status: str = "") -> bool:
        """Ask for more time to start (or stop), e.g. while a large model loads."""
        usec = max(int(by.total_seconds() * 1_000_000), 1)
        return self.notify(f"EXTEND_TIMEOUT_USEC={usec}", *([_status(status)] if status else []))

    def stopping(self, status: str = "") -> bool:
        """Tell systemd the service is shutting down."""
        return self.notify("STOPPING=1", *([_status(status)] if status else []))


def _status(text: str) -> str:
    # The protocol is line-based: a newline inside STATUS would start a new assignment.
    return "STATUS=" + " ".join(text.split())


_CREDENTIAL_KEYS = ("LoadCredential", "LoadCredentialEncrypted")


def unit_credentials(unit_text: str) -> list[tuple[str, Path]]:
    """The credentials a unit's [Service] section loads from an absolute path: (ID, PATH) in order.

    systemd refuses to start the service (status=243/CREDENTIALS) while one of these files is
    missing; a credential without a path (inherited, or looked up in /etc/credstore/) is skipped
    when missing, so it is not listed. An empty assignment resets the list, as for every list setting.
    """
    found: list[tuple[str, Path]] = []
    section = ""
    for raw in unit_text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, sep, value = line.partition("=")
        if section != "Service" or not sep or key.strip() not in _CREDENTIAL_KEYS:
            continue
        value = value.strip()
        if not value:
            found.clear()
            continue
        ident, _, path = value.partition(":")
        if path.startswith("/"):
            found.append((ident, Path(path)))
    return found


def missing_credentials(unit: Path) -> list[tuple[str, Path]]:
    """The credential files `unit` (and its drop-ins in `unit.d/*.conf`) loads that do not exist.

    Raises OSError when the unit itself cannot be read.
    """
    text = unit.read_text(encoding="utf-8")
    for drop_in in sorted(unit.with_name(f"{unit.name}.d").glob("*.conf")):
        text += "\n" + drop_in.read_text(encoding="utf-8")
    return [(ident, path) for ident, path in unit_credentials(text) if not path.exists()]
