"""A fake X API v2 (the endpoints replyclock reads) serving the recorded mentions, extended.

The recordings in ../shared/fixtures/x asked only for default fields; this server
adds `author_id`, `created_at` (from the snowflake id), `conversation_id`,
`referenced_tweets`, `in_reply_to_user_id` and `lang`, and returns only the
fields a request asks for, as X does.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakeservers.base import Answer, FakeServer, Recorded, recorded

TWITTER_EPOCH_MS = 1288834974657
DEFAULT_FIELDS = ("id", "text", "edit_history_tweet_ids")
BRAND_ID = "783214"  # @Twitter, the account the recorded mentions mention
BRAND_USERNAME = "Twitter"
BEARER_TOKEN = "fake-x-bearer-AAAA0123456789"


def snowflake_time(tweet_id: str | int) -> datetime:
    """The creation time encoded in an X id."""
    return datetime.fromtimestamp(((int(tweet_id) >> 22) + TWITTER_EPOCH_MS) / 1000, UTC)


def snowflake_id(at: datetime, sequence: int = 0) -> str:
    """An X id for a post created at `at`."""
    ms = int(at.timestamp() * 1000) - TWITTER_EPOCH_MS
    return str((ms << 22) | (sequence & 0x3FFFFF))


def unauthorized() -> Answer:
    return Answer(401, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"})


def forbidden(
    detail: str = "When authenticating requests to the Twitter API v2 endpoints, you must use "
    "keys and tokens from a Twitter developer App that is attached to a Project.",
) -> Answer:
    return Answer(
        403,
        {
            "title": "Client Forbidden",
            "type": "https://api.twitter.com/2/problems/client-forbidden",
            "reason": "client-not-enrolled",
            "detail": detail,
            "status": 403,
        },
    )


def rate_limited(reset_at: datetime | None) -> Answer:
    headers = {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "0"}
    if reset_at is not None:
        headers["x-rate-limit-reset"] = str(int(reset_at.timestamp()))
    return Answer(
        429,
        {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429},
        headers=headers,
    )


def server_error(status: int = 503) -> Answer:
    return Answer(
        status,
        {
            "title": "Service Unavailable",
            "detail": "Service Unavailable",
            "type": "about:blank",
            "status": status,
        },
    )


LONG_POST = 280  # longer posts (X Premium) come cut in `text`, whole in the `note_tweet` field


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class FakeXServer(FakeServer):
    """Mentions, recent search, user timelines and user lookup, with since_id and pagination."""

    def __init__(
        self,
        bearer_token: str = BEARER_TOKEN,
        brand_id: str = BRAND_ID,
        brand_username: str = BRAND_USERNAME,
        now: Callable[[], datetime] | None = None,
        repeat_last_on_next_page: bool = False,
    ) -> None:
        self.bearer_token = bearer_token
        self.brand_id = brand_id
        self.brand_username = brand_username
        self.repeat_last_on_next_page = repeat_last_on_next_page
        self.tweets: dict[str, dict[str, Any]] = {}
        self._newest_first: list[dict[str, Any]] | None = None
        self.users: dict[str, str] = {brand_id: brand_username}
        self._ids = itertools.count(1)
        self._data_lock = threading.Lock()
        super().__init__(now)

    # -- content -------------------------------------------------------------

    def add_user(self, username: str, user_id: str | None = None) -> str:
        """Register an account; returns its id."""
        with self._data_lock:
            for uid, name in self.users.items():
                if name == username:
                    return uid
            uid = user_id or str(10_000_000 + len(self.users))
            self.users[uid] = username
            return uid

    def add_tweet(
        self,
        text: str,
        author: str,
        created_at: datetime | None = None,
        tweet_id: str | None = None,
        replied_to: str | None = None,
        retweet_of: str | None = None,
        quoted: str | None = None,
        lang: str | None = "en",
        extra: dict[str, Any] | None = None,
    ) -> str:
        """Add a post by `author` (a username); returns its id."""
        author_id = self.add_user(author) if author != self.brand_username else self.brand_id
        when = created_at or self.now()
        with self._data_lock:
            tid = tweet_id or snowflake_id(when, next(self._ids))
            refs = []
            conversation = tid
            reply_user = None
            if replied_to:
                refs.append({"type": "replied_to", "id": replied_to})
                parent = self.tweets.get(replied_to)
                if parent is not None:
                    conversation = parent.get("conversation_id", replied_to)
                    reply_user = parent.get("author_id")
            if retweet_of:
                refs.append({"type": "retweeted", "id": retweet_of})
            if quoted:
                refs.append({"type": "quoted", "id": quoted})
            tweet: dict[str, Any] = {
                "id": tid,
                # as X serves it: &, < and > as HTML entities, a long post cut in `text` and whole in `note_tweet`
                "text": _escaped(text[:LONG_POST]),
                "edit_history_tweet_ids": [tid],
                "author_id": author_id,
                "created_at": when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "conversation_id": conversation,
                "lang": lang,
            }
            if len(text) > LONG_POST:
                tweet["note_tweet"] = {"text": _escaped(text)}
            if refs:
                tweet["referenced_tweets"] = refs
            if reply_user:
                tweet["in_reply_to_user_id"] = reply_user
            tweet.update(extra or {})
            self.tweets[tid] = tweet
            self._newest_first = None
            return tid

    def put_raw(self, tweet: dict[str, Any]) -> None:
        """Store a post exactly as given (missing or broken fields included)."""
        with self._data_lock:
            self.tweets[str(tweet["id"])] = tweet
            self._newest_first = None

    def load_recorded(self) -> list[str]:
        """The ten recorded mentions of @Twitter and its two recorded posts; returns the mention ids."""
        ids = []
        body = recorded("x", "get_users_mentions.json")[0]["response"]["body"]
        for n, item in enumerate(body["data"]):
            handle = f"customer{n}"
            ids.append(self.add_tweet(item["text"], handle, snowflake_time(item["id"]), tweet_id=item["id"]))
        timeline = recorded("x", "get_users_tweets.json")[0]["response"]["body"]
        for item in timeline["data"]:
            self.add_tweet(item["text"], self.brand_username, snowflake_time(item["id"]), tweet_id=item["id"])
        return ids

    # -- HTTP ---------------------------------------------------------------

    def handle(self, request: Recorded) -> Answer:
        if request.headers.get("authorization") != f"Bearer {self.bearer_token}":
            return unauthorized()
        path = request.path
        if match := re.fullmatch(r"/2/users/(\d+)/mentions", path):
            handle = self.users.get(match.group(1))
            if handle is None:
                return self._not_found(match.group(1))
            return self._timeline(request, lambda t: f"@{handle.lower()}" in str(t.get("text", "")).lower(), (5, 100))
        if path == "/2/tweets/search/recent":
            query = request.query.get("query", "")
            words = [w.strip('"').lower() for w in query.split() if not w.startswith("-")]
            return self._timeline(
                request,
                lambda t: all(w in str(t.get("text", "")).lower() for w in words),
                (10, 100),
                token_param="next_token",
            )
        if match := re.fullmatch(r"/2/users/(\d+)/tweets", path):
            uid = match.group(1)
            no_retweets = "retweets" in request.query.get("exclude", "")

            def own(t: dict[str, Any]) -> bool:
                retweet = any(r.get("type") == "retweeted" for r in t.get("referenced_tweets") or [])
                return t.get("author_id") == uid and not (no_retweets and retweet)

            return self._timeline(request, own, (5, 100))
        if match := re.fullmatch(r"/2/users/by/username/(\w+)", path):
            for uid, name in self.users.items():
                if name.lower() == match.group(1).lower():
                    return self._ok({"data": {"id": uid, "name": name, "username": name}})
            return self._not_found(match.group(1))
        return Answer(404, {"title": "Not Found Error", "detail": f"no route {path}", "status": 404})

    def _ok(self, body: dict[str, Any]) -> Answer:
        reset = int((self.now() + timedelta(minutes=15)).timestamp())
        return Answer(
            200,
            body,
            headers={
                "x-rate-limit-limit": "450",
                "x-rate-limit-remaining": "449",
                "x-rate-limit-reset": str(reset),
            },
        )

    def _not_found(self, what: str) -> Answer:
        return self._ok(
            {
                "errors": [
                    {
                        "value": what,
                        "detail": f"Could not find {what}.",
                        "title": "Not Found Error",
                        "type": "https://api.twitter.com/2/problems/resource-not-found",
                    }
                ]
            }
        )

    def _bad_request(self, message: str) -> Answer:
        return Answer(
            400,
            {
                "errors": [{"parameters": {}, "message": message}],
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": "https://api.twitter.com/2/problems/invalid-request",
            },
        )

    def _timeline(
        self,
        request: Recorded,
        keep: Callable[[dict[str, Any]], bool],
        size_range: tuple[int, int],
        token_param: str = "pagination_token",
    ) -> Answer:
        q = request.query
        try:
            size = int(q.get("max_results", "10"))
        except ValueError:
            return self._bad_request("max_results must be a number")
        if not size_range[0] <= size <= size_range[1]:
            return self._bad_request(
                f"The `max_results` query parameter value [{size}] is not between {size_range[0]} and {size_range[1]}"
            )
        since = int(q["since_id"]) if q.get("since_id") else None
        until = int(q["until_id"]) if q.get("until_id") else None
        token = q.get(token_param)
        below: int | None = None
        if token:
            if not re.fullmatch(r"t\d+", token):
                return self._bad_request(f"The `{token_param}` query parameter value [{token}] is not valid")
            below = int(token[1:])
        with self._data_lock:
            if self._newest_first is None:
                self._newest_first = sorted(
                    (t for t in self.tweets.values() if _int_id(t) is not None), key=_int_id, reverse=True
                )
            ordered = self._newest_first
        matches = [t for t in ordered if keep(t)]

        def in_range(t: dict[str, Any]) -> bool:
            tid = _int_id(t)
            assert tid is not None
            if since is not None and tid <= since:
                return False
            if until is not None and tid >= until:
                return False
            if below is not None:
                return tid <= below if self.repeat_last_on_next_page else tid < below
            return True

        window = [t for t in matches if in_range(t)]
        page = window[:size]
        if not page:
            return self._ok({"meta": {"result_count": 0}})
        fields = set(DEFAULT_FIELDS) | set(filter(None, q.get("tweet.fields", "").split(",")))
        expansions = set(filter(None, q.get("expansions", "").split(",")))
        body: dict[str, Any] = {"data": [_only(t, fields) for t in page]}
        includes: dict[str, Any] = {}
        if "author_id" in expansions:
            authors = dict.fromkeys(str(t.get("author_id")) for t in page if t.get("author_id"))
            includes["users"] = [
                {"id": a, "name": self.users.get(a, a), "username": self.users.get(a, a)}
                for a in authors
                if a in self.users
            ]
        if "referenced_tweets.id" in expansions:
            ref_ids = dict.fromkeys(r["id"] for t in page for r in t.get("referenced_tweets") or [])
            with self._data_lock:
                refs = [_only(self.tweets[r], fields) for r in ref_ids if r in self.tweets]
            if refs:
                includes["tweets"] = refs
        if includes:
            body["includes"] = includes
        meta: dict[str, Any] = {
            "result_count": len(page),
            "newest_id": page[0]["id"],
            "oldest_id": page[-1]["id"],
        }
        if len(window) > size:
            meta["next_token"] = f"t{page[-1]['id']}"
        body["meta"] = meta
        return self._ok(body)


def _int_id(tweet: dict[str, Any]) -> int | None:
    try:
        return int(tweet["id"])
    except (KeyError, TypeError, ValueError):
        return None


def _only(tweet: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    return {k: v for k, v in tweet.items() if k in fields and v is not None}
