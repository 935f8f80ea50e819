"""A threaded HTTP server on 127.0.0.1 with scripted failures, the base of the fake X and Graph APIs."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

REPO = Path(__file__).resolve().parents[2]
SHARED_FIXTURES = Path(os.environ.get("REPLYCLOCK_SHARED", REPO.parent / "shared")) / "fixtures"


def recorded(*parts: str) -> Any:
    """Load a recorded payload from ../shared/fixtures (e.g. recorded("x", "get_users_mentions.json"))."""
    return json.loads(SHARED_FIXTURES.joinpath(*parts).read_text(encoding="utf-8"))


@dataclass
class Answer:
    """What the fake server answers: status, headers and a body (bytes, or JSON-able data)."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = "application/json; charset=utf-8"
    delay: float = 0.0  # seconds to wait before answering (a client timeout shorter than this fires)

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if self.body is None:
            return b""
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


@dataclass
class Recorded:
    """A request the fake server received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    raw_path: str


@dataclass
class _Scripted:
    reply: Answer
    path_contains: str
    times: int
    skip: int = 0


class FakeServer:
    """Serves `handle()` answers on 127.0.0.1; `fail_next` scripts failures for matching paths."""

    def __init__(self, now: Callable[[], datetime] | None = None) -> None:
        self.now = now or (lambda: datetime.now(UTC))
        self.requests: list[Recorded] = []
        self._scripted: list[_Scripted] = []
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall

            def do_GET(self) -> None:
                owner._serve(self)

            def do_POST(self) -> None:
                owner._serve(self)

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                return

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.02,), name=type(self).__name__, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:54321."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FakeServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fail_next(self, reply: Answer, path_contains: str = "", times: int = 1, skip: int = 0) -> None:
        """Answer the next `times` requests whose path contains `path_contains` with `reply`, after `skip` of them."""
        with self._lock:
            self._scripted.append(_Scripted(reply, path_contains, times, skip))

    def requests_to(self, path_contains: str) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if path_contains in r.path]

    def handle(self, request: Recorded) -> Answer:
        raise NotImplementedError

    def _take_scripted(self, path: str) -> Answer | None:
        with self._lock:
            for entry in self._scripted:
                if entry.path_contains in path:
                    if entry.skip > 0:
                        entry.skip -= 1
                        return None
                    entry.times -= 1
                    if entry.times <= 0:
                        self._scripted.remove(entry)
                    return entry.reply
        return None

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        request = Recorded(
            method=handler.command,
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in handler.headers.items()},
            raw_path=handler.path,
        )
        length = int(handler.headers.get("content-length") or 0)
        if length:
            handler.rfile.read(length)
        with self._lock:
            self.requests.append(request)
        reply = self._take_scripted(request.path)
        if reply is None:
            try:
                reply = self.handle(request)
            except Exception as exc:  # a bug in the fake must show, not hang the client
                reply = Answer(500, {"fake_server_error": repr(exc)})
        if reply.delay:
            time.sleep(reply.delay)
        body = reply.encoded()
        try:
            handler.send_response(reply.status)
            if reply.content_type is not None:
                handler.send_header("content-type", reply.content_type)
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            handler.send_header("content-length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)


def malformed_json() -> Answer:
    """200 that claims JSON but is not."""
    return Answer(200, b'{"data": [{"id": "1", "text": "cut off', content_type="application/json")


def no_content_type() -> Answer:
    """200 with a JSON body but no content-type header."""
    return Answer(200, {"data": []}, content_type=None)


def html_error(status: int = 502) -> Answer:
    """What a proxy in front of the API answers when the API is down."""
    return Answer(status, b"<html><body>Bad Gateway</body></html>", content_type="text/html")


def slow(seconds: float = 2.0) -> Answer:
    """An answer that comes after `seconds` (longer than the client's timeout in tests)."""
    return Answer(200, {"data": []}, delay=seconds)
