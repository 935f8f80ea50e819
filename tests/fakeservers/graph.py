"""A fake Graph API (Page feed, post comments) serving the recorded comments, extended.

The recorded thread in ../shared/fixtures/facebook is the "Facebook for Developers"
Page answering customers; the recording lacks `id`, `from` and `parent`, so this
server derives them from the permalinks (`comment_id` / `reply_comment_id`) and
treats the "Hi, ..." answers as the Page's own comments.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.fakeservers.base import Answer, FakeServer, Recorded, recorded

PAGE_ID = "19292868552"
PAGE_NAME = "Facebook for Developers"
PAGE_TOKEN = "fake-page-token-EAAB0123456789"
RECORDED_POST = f"{PAGE_ID}_10158407654328553"
RECORDED_POST_TIME = datetime(2021, 8, 10, 17, 0, tzinfo=UTC)


def graph_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def graph_error(
    code: int,
    message: str,
    status: int = 400,
    kind: str = "OAuthException",
    headers: dict[str, str] | None = None,
) -> Answer:
    body = {"error": {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEfGhIjK"}}
    return Answer(status, body, headers=headers or {})


def throttled(code: int = 4, regain_minutes: int = 0) -> Answer:
    """A throttling error, with the usage headers Meta sends alongside."""
    messages = {
        4: "(#4) Application request limit reached",
        17: "(#17) User request limit reached",
        32: "(#32) Page request limit reached",
        613: "(#613) Calls to this api have exceeded the rate limit.",
    }
    headers = {"x-app-usage": json.dumps({"call_count": 100, "total_time": 40, "total_cputime": 30})}
    if regain_minutes:
        headers["x-business-use-case-usage"] = json.dumps(
            {
                PAGE_ID: [
                    {
                        "type": "pages",
                        "call_count": 100,
                        "total_cputime": 20,
                        "total_time": 20,
                        "estimated_time_to_regain_access": regain_minutes,
                    }
                ]
            }
        )
    return graph_error(code, messages.get(code, f"(#{code}) throttled"), status=400, headers=headers)


def expired_token() -> Answer:
    return graph_error(
        190,
        "Error validating access token: Session has expired on Tuesday, 03-Nov-26 "
        "09:00:00 PST. The current time is Tuesday, 03-Nov-26 10:00:00 PST.",
        status=400,
    )


def invalid_cursor() -> Answer:
    """Graph's answer to an `after` cursor whose item is gone (the code seen from the Marketing API)."""
    return graph_error(2642, "(#2642) Invalid cursors values")


def recorded_oauth_error() -> Answer:
    """The recorded `(#100) Pages Public Content Access requires ...` error (a user token)."""
    return Answer(400, recorded("facebook", "error_oauth.json"))


class FakeGraphServer(FakeServer):
    """`/{version}/{page}/feed` and `/{version}/{post}/comments` with cursor paging and `filter=stream`.

    As on Graph, an `after` cursor points at an item (not an offset): comments added at the top do not
    move it, and deleting its item makes it invalid (`invalid_cursor()` answers it). The feed carries each
    post's `updated_time` (its creation or its newest comment; with `replies_move_updated_time=False`, its
    newest top-level comment) and, when asked for `comments.filter(stream).limit(0).summary(true)`, the
    comment count (`post_summaries=False` drops both). A comment added with `add_hidden_comment` is in
    that count and moves `updated_time`, but no request returns it (hidden, or held back by privacy).
    """

    def __init__(
        self,
        page_token: str = PAGE_TOKEN,
        page_id: str = PAGE_ID,
        page_name: str = PAGE_NAME,
        now: Callable[[], datetime] | None = None,
        repeat_last_on_next_page: bool = False,
        usage_headers: dict[str, str] | None = None,
        post_summaries: bool = True,
    ) -> None:
        self.page_token = page_token
        self.page_id = page_id
        self.page_name = page_name
        self.repeat_last_on_next_page = repeat_last_on_next_page
        self.usage_headers = usage_headers or {}
        self.post_summaries = post_summaries
        self.replies_move_updated_time = True
        self.stale_cursor_answer = invalid_cursor()
        self.posts: dict[str, dict[str, Any]] = {}
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self._hidden: set[str] = set()
        self._seq = itertools.count(1)
        self._data_lock = threading.Lock()
        self.versions_seen: set[str] = set()
        super().__init__(now)

    @property
    def page(self) -> dict[str, str]:
        return {"id": self.page_id, "name": self.page_name}

    # -- content -------------------------------------------------------------

    def add_post(
        self,
        message: str,
        created_at: datetime,
        author: dict[str, str] | None = None,
        post_id: str | None = None,
    ) -> str:
        """A post on the Page, by the Page unless `author` ({"id", "name"}) is a visitor."""
        with self._data_lock:
            pid = post_id or f"{self.page_id}_{9000000000 + next(self._seq)}"
            self.posts[pid] = {
                "id": pid,
                "message": message,
                "created_time": graph_time(created_at),
                "updated_time": graph_time(created_at),
                "from": author or self.page,
                "permalink_url": _post_link(pid),
            }
            self.comments.setdefault(pid, [])
            return pid

    def add_comment(
        self,
        post_id: str,
        message: str,
        created_at: datetime,
        author: dict[str, str] | None = None,
        parent_id: str | None = None,
        comment_id: str | None = None,
        tags: list[dict[str, str]] | None = None,
    ) -> str:
        """A comment under `post_id` (by the Page when `author` is None), maybe under `parent_id`, tagging `tags`."""
        short = post_id.split("_")[-1]
        with self._data_lock:
            cid = comment_id or f"{short}_{8000000000 + next(self._seq)}"
            comment: dict[str, Any] = {
                "id": cid,
                "message": message,
                "created_time": graph_time(created_at),
                "from": author or self.page,
                "permalink_url": f"{_post_link(post_id)}/?comment_id={cid.split('_')[-1]}",
            }
            if tags:
                comment["message_tags"] = [{**tag, "type": "user", "offset": 0, "length": 1} for tag in tags]
            if parent_id:
                comment["permalink_url"] = (
                    f"{_post_link(post_id)}/?comment_id={parent_id.split('_')[-1]}"
                    f"&reply_comment_id={cid.split('_')[-1]}"
                )
                parent = next((c for c in self.comments.get(post_id, []) if c["id"] == parent_id), None)
                comment["parent"] = {"id": parent_id, "from": (parent or {}).get("from", {"id": "0"})}
            self._append(post_id, comment)
            return cid

    def add_hidden_comment(self, post_id: str, created_at: datetime) -> None:
        """A comment Graph counts in the post's summary but never returns (hidden, or held back by privacy)."""
        with self._data_lock:
            self._append(post_id, {"id": f"hidden_{next(self._seq)}", "created_time": graph_time(created_at)})
            self._hidden.add(self.comments[post_id][-1]["id"])

    def put_raw_comment(self, post_id: str, comment: dict[str, Any]) -> None:
        """Store a comment exactly as given (broken fields included)."""
        with self._data_lock:
            self._append(post_id, comment)

    def delete_comment(self, post_id: str, comment_id: str) -> None:
        """Remove a comment (cursors that point at it become invalid)."""
        with self._data_lock:
            self.comments[post_id] = [c for c in self.comments[post_id] if c.get("id") != comment_id]

    def _append(self, post_id: str, comment: dict[str, Any]) -> None:
        """Add a comment; a new comment moves its post's updated_time, as on Graph."""
        self.comments.setdefault(post_id, []).append(comment)
        post = self.posts.get(post_id)
        created = comment.get("created_time")
        moves = self.replies_move_updated_time or "parent" not in comment
        if post is not None and moves and isinstance(created, str) and created > post["updated_time"]:
            post["updated_time"] = created

    def load_recorded(self) -> list[str]:
        """The recorded 15-comment thread under one post of the Page; returns the comment ids."""
        self.add_post(
            "The new Page experience is rolling out. Questions? Ask below.",
            RECORDED_POST_TIME,
            post_id=RECORDED_POST,
        )
        short = RECORDED_POST.split("_")[1]
        items = recorded("facebook", "comments_comments_p1.json")["data"]
        items += recorded("facebook", "comments_comments_p2.json")["data"]
        ids = []
        for n, item in enumerate(items):
            link = parse_qs(urlsplit(item["permalink_url"]).query)
            top = link["comment_id"][0]
            own = link.get("reply_comment_id", [top])[0]
            by_page = item["message"].startswith("Hi, ")
            author = None if by_page else {"id": str(500000 + n), "name": f"Customer {n}"}
            created = datetime.strptime(item["created_time"], "%Y-%m-%dT%H:%M:%S%z")
            parent = f"{short}_{top}" if own != top else None
            cid = self.add_comment(RECORDED_POST, item["message"], created, author, parent, f"{short}_{own}")
            self.comments[RECORDED_POST][-1]["permalink_url"] = item["permalink_url"]
            ids.append(cid)
        return ids

    # -- HTTP ---------------------------------------------------------------

    def handle(self, request: Recorded) -> Answer:
        match = re.fullmatch(r"/(v\d+\.\d+)/([\w.]+)(?:/(\w+))?", request.path)
        if match is None:
            return graph_error(2500, "Unknown path components", kind="OAuthException")
        version, node, edge = match.groups()
        self.versions_seen.add(version)
        if request.query.get("access_token") != self.page_token:
            return graph_error(190, "Invalid OAuth access token - Cannot parse access token")
        if edge is None:
            if node == self.page_id:
                return self._ok(dict(self.page))
            with self._data_lock:
                post = self.posts.get(node)
                comment = self._comment(node)
            if comment is not None:
                return self._ok(_fields(comment, request.query.get("fields", "")))
            return self._ok(dict(post)) if post else self._unknown(node)
        if edge == "feed" and node == self.page_id:
            with self._data_lock:
                posts = sorted(self.posts.values(), key=lambda p: p["created_time"], reverse=True)
                posts = [self._with_summary(p, request.query.get("fields", "")) for p in posts]
            since = request.query.get("since")
            if since:
                floor = datetime.fromtimestamp(int(since), UTC)
                posts = [p for p in posts if datetime.strptime(p["created_time"], "%Y-%m-%dT%H:%M:%S%z") >= floor]
            return self._paged(request, version, node, edge, posts)
        if edge == "comments":
            with self._data_lock:
                if node in self.comments:
                    comments = [c for c in self.comments[node] if c.get("id") not in self._hidden]
                elif self._comment(node) is not None:  # a comment's replies
                    comments = [c for c in self._all_comments() if (c.get("parent") or {}).get("id") == node]
                else:
                    return self._unknown(node)
            if request.query.get("filter", "toplevel") != "stream":
                comments = [c for c in comments if "parent" not in c]
            comments.sort(
                key=lambda c: str(c.get("created_time", "")),
                reverse=request.query.get("order") == "reverse_chronological",
            )
            return self._paged(request, version, node, edge, comments)
        return self._unknown(f"{node}/{edge}")

    def _all_comments(self) -> list[dict[str, Any]]:
        return [c for comments in self.comments.values() for c in comments if c.get("id") not in self._hidden]

    def _comment(self, comment_id: str) -> dict[str, Any] | None:
        return next((c for c in self._all_comments() if c.get("id") == comment_id), None)

    def _with_summary(self, post: dict[str, Any], fields: str) -> dict[str, Any]:
        """The post as the feed shows it: updated_time and the comment count only when summaries are on."""
        shown = dict(post)
        if not self.post_summaries:
            del shown["updated_time"]
            return shown
        if "comments." in fields and "summary(true)" in fields:
            comments = self.comments.get(post["id"], [])
            stream = "filter(stream)" in fields
            count = len(comments) if stream else sum("parent" not in c for c in comments)
            order = "chronological" if stream else "ranked"
            shown["comments"] = {"data": [], "summary": {"order": order, "total_count": count, "can_comment": True}}
        return shown

    def _ok(self, body: dict[str, Any]) -> Answer:
        return Answer(200, body, headers=dict(self.usage_headers))

    def _unknown(self, node: str) -> Answer:
        return graph_error(
            100,
            f"Unsupported get request. Object with ID '{node}' does not exist, cannot be "
            "loaded due to missing permissions, or does not support this operation.",
            kind="GraphMethodException",
        )

    def _paged(self, request: Recorded, version: str, node: str, edge: str, items: list[dict[str, Any]]) -> Answer:
        limit = int(request.query.get("limit", "25"))
        after = request.query.get("after")
        start = 0
        if after:
            pointed = base64.b64decode(after).decode()
            at = next((n for n, item in enumerate(items) if _cursor_key(item, n) == pointed), None)
            if at is None:
                return self.stale_cursor_answer
            start = at + 1
        page = items[start : start + limit]
        fields = request.query.get("fields", "")
        data = [_fields(item, fields) for item in page]
        body: dict[str, Any] = {"data": data}
        if page:
            end = start + len(page)
            next_start = end - 1 if self.repeat_last_on_next_page and len(page) > 1 else end
            cursors = {
                "before": base64.b64encode(_cursor_key(items[start], start).encode()).decode(),
                "after": base64.b64encode(_cursor_key(items[next_start - 1], next_start - 1).encode()).decode(),
            }
            body["paging"] = {"cursors": cursors}
            if end < len(items):
                args = {k: v for k, v in request.query.items() if k != "after"}
                args["after"] = cursors["after"]
                body["paging"]["next"] = f"{self.url}/{version}/{node}/{edge}?{urlencode(args)}"
        return self._ok(body)

    def advance_usage(self, call_count: int, regain_minutes: int = 0) -> None:
        """Send usage headers with every answer from now on (quota nearly used up, say)."""
        self.usage_headers = {
            "x-app-usage": json.dumps({"call_count": call_count, "total_time": 5, "total_cputime": 5})
        }
        if regain_minutes:
            self.usage_headers["x-business-use-case-usage"] = json.dumps(
                {
                    self.page_id: [
                        {
                            "type": "pages",
                            "call_count": call_count,
                            "total_cputime": 5,
                            "total_time": 5,
                            "estimated_time_to_regain_access": regain_minutes,
                        }
                    ]
                }
            )


def _cursor_key(item: dict[str, Any], index: int) -> str:
    """What a cursor points at: the item's id (an index for the rare item without one)."""
    return f"id:{item['id']}" if item.get("id") else f"#{index}"


def _post_link(post_id: str) -> str:
    return f"https://www.facebook.com/{post_id.replace('_', '/posts/')}"


def _fields(item: dict[str, Any], fields: str) -> dict[str, Any]:
    """Drop what the request did not ask for (`from`, `parent` need asking for, as on the real API)."""
    if not fields:
        return {k: v for k, v in item.items() if k in ("id", "message", "created_time")}
    wanted = set(re.findall(r"(?:^|,)(\w+)", fields))
    return {k: v for k, v in item.items() if k in wanted or k == "id"}
