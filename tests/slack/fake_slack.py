"""A local fake of the Slack Web API on 127.0.0.1 for the real `slack_sdk.WebClient`.

It keeps channels with messages (and their metadata and threads), answers the
methods replyclock uses, records every call, and can be scripted to fail:
`fail("chat.update", status=429, retry_after=7)`, `fail("chat.postMessage", status=500)`,
`fail("chat.postMessage", hang=0.5)` (answers late: a client timeout), or
`fail("chat.update", error="message_not_found")`; `channel="C…"` fails only the calls on
that channel. `on_post` runs after a post is
stored and before the answer goes out (to kill the poster in between).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str
    at: datetime | None


@dataclass
class Failure:
    status: int = 200
    error: str | None = None
    retry_after: int | None = None
    hang: float = 0.0
    times: int = 1
    channel: str | None = None  # only the calls on this channel fail


@dataclass
class FakeSlack:
    """The fake workspace: channels, users, user groups, and the recorded calls."""

    channels: set[str] = field(default_factory=lambda: {"CALERTS", "CMANAGERS"})
    tokens: set[str] = field(default_factory=lambda: {"xoxb-test", "xapp-test"})
    usergroups: dict[str, list[str]] = field(default_factory=dict)
    clock: Any = None
    calls: list[Call] = field(default_factory=list)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    ephemeral: list[dict[str, Any]] = field(default_factory=list)
    on_post: Callable[[dict[str, Any]], None] | None = None
    _failures: dict[str, list[Failure]] = field(default_factory=dict)
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, method: str, **kw: Any) -> None:
        """Script the next call(s) of `method` to fail."""
        self._failures.setdefault(method, []).append(Failure(**kw))

    def methods(self, method: str | None = None) -> list[Call]:
        return [c for c in self.calls if method in (None, c.method)]

    def top_level(self, channel: str) -> list[dict[str, Any]]:
        """The channel's messages that are not thread replies."""
        return [m for m in self.messages.get(channel, []) if not m.get("thread_ts") or m["thread_ts"] == m["ts"]]

    def replies(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        return [m for m in self.messages.get(channel, []) if m.get("thread_ts") == thread_ts and m["ts"] != thread_ts]

    def find(self, channel: str, ts: str) -> dict[str, Any] | None:
        return next((m for m in self.messages.get(channel, []) if m["ts"] == ts), None)

    def delete(self, channel: str, ts: str) -> None:
        self.messages[channel] = [m for m in self.messages.get(channel, []) if m["ts"] != ts]

    # --- the API ------------------------------------------------------------------------------

    def handle(
        self, method: str, args: dict[str, Any], token: str
    ) -> tuple[int, dict[str, Any], dict[str, str], float]:
        with self._lock:
            self.calls.append(Call(method, args, token, self.clock.now() if self.clock else None))
            scripted = self._failures.get(method) or []
            failure = next((f for f in scripted if f.channel in (None, args.get("channel"))), None)
            if failure is not None:
                failure.times -= 1
                if failure.times <= 0:
                    scripted.remove(failure)
                headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
                if failure.hang:
                    # process the call normally, but answer after the client gave up
                    status, body = self._dispatch(method, args, token)
                    return status, body, headers, failure.hang
                if failure.status == 429:
                    return 429, {"ok": False, "error": "ratelimited"}, headers, 0.0
                if failure.status >= 500:
                    return failure.status, {"ok": False, "error": "internal_error"}, headers, 0.0
                return 200, {"ok": False, "error": failure.error or "unknown_error"}, headers, 0.0
            status, body = self._dispatch(method, args, token)
            return status, body, {}, 0.0

    def _dispatch(self, method: str, args: dict[str, Any], token: str) -> tuple[int, dict[str, Any]]:
        if token not in self.tokens:
            return 200, {"ok": False, "error": "invalid_auth"}
        handler = getattr(self, "api_" + method.replace(".", "_"), None)
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method"}
        return 200, handler(args)

    def _channel(self, args: dict[str, Any]) -> str | None:
        channel = str(args.get("channel") or "")
        return channel if channel in self.channels else None

    def api_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "team": "Sklep Demo", "user": "replyclock", "team_id": "T0SKLEP", "user_id": "UBOT0001"}

    def api_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        thread_ts = args.get("thread_ts")
        if thread_ts and self.find(channel, str(thread_ts)) is None:
            return {"ok": False, "error": "thread_not_found"}
        now = self.clock.now().timestamp() if self.clock is not None else time.time()
        ts = f"{int(now)}.{next(self._ts):06d}"  # unique, and in the workspace's time like Slack's
        metadata = args.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        message = {
            "type": "message",
            "ts": ts,
            "text": args.get("text", ""),
            "blocks": _maybe_json(args.get("blocks")),
            "metadata": metadata,
            "bot_id": "BREPLYCLOCK",
        }
        if thread_ts:
            message["thread_ts"] = str(thread_ts)
        self.messages.setdefault(channel, []).append(message)
        if self.on_post is not None:
            self.on_post(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def api_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        message = self.find(channel, str(args.get("ts")))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        message["text"] = args.get("text", message["text"])
        if "blocks" in args:
            message["blocks"] = _maybe_json(args["blocks"])
        message["edited"] = message.get("edited", 0) + 1
        return {"ok": True, "channel": channel, "ts": message["ts"], "text": message["text"]}

    def api_chat_getPermalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        ts = str(args.get("message_ts"))
        return {
            "ok": True,
            "channel": channel,
            "permalink": f"https://sklep.slack.com/archives/{channel}/p{ts.replace('.', '')}",
        }

    def api_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        self.ephemeral.append({"channel": args.get("channel"), "user": args.get("user"), "text": args.get("text")})
        return {"ok": True, "message_ts": "1700000000.999999"}

    def api_conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        oldest = float(args.get("oldest") or 0)
        include_meta = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        limit = int(args.get("limit") or 100)
        start = int(args.get("cursor") or 0)
        # newest first, like Slack
        found = [m for m in reversed(self.top_level(channel)) if float(m["ts"]) >= oldest]
        page = [_shown(m, include_meta) for m in found[start : start + limit]]
        more = start + limit < len(found)
        return {
            "ok": True,
            "messages": page,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def api_conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        parent = self.find(channel, str(args.get("ts")))
        if parent is None:
            return {"ok": False, "error": "thread_not_found"}
        include_meta = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        thread = [parent, *self.replies(channel, parent["ts"])]
        return {"ok": True, "messages": [_shown(m, include_meta) for m in thread], "has_more": False}

    def api_usergroups_users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        group = str(args.get("usergroup") or "")
        if group not in self.usergroups:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": list(self.usergroups[group])}

    def api_apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": "wss://127.0.0.1:1/link"}


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _shown(message: dict[str, Any], include_meta: bool) -> dict[str, Any]:
    out = {k: v for k, v in message.items() if k != "metadata"}
    if include_meta and message.get("metadata"):
        out["metadata"] = message["metadata"]
    return out


class FakeSlackServer:
    """Serves a `FakeSlack` over HTTP on 127.0.0.1; `base_url` goes into WebClient / slack.base_url."""

    def __init__(self, slack: FakeSlack | None = None) -> None:
        self.slack = slack or FakeSlack()
        fake = self.slack

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8") if length else ""
                kind = self.headers.get("Content-Type", "")
                args = json.loads(raw or "{}") if "json" in kind else {k: v[0] for k, v in parse_qs(raw).items()}
                if "?" in self.path:
                    args.update({k: v[0] for k, v in parse_qs(self.path.split("?", 1)[1]).items()})
                token = (self.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
                method = self.path.split("?", 1)[0].rsplit("/", 1)[-1]
                status, body, headers, hang = fake.handle(method, args, token)
                if hang:
                    time.sleep(hang)
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (timeout) or died

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/api/"

    def __enter__(self) -> FakeSlackServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
