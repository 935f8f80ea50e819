"""Facebook Page comments and visitor posts through facebook-sdk (Graph API).

`facebook:page` reads the Page feed of the look-back window (the Page's posts and
visitors' posts) and, for each post, its comments with `filter=stream` (replies
inside threads included), newest first, stopping at what the cursor already has.
A post whose `updated_time` and comment count in the feed have not moved since
it was last read through is not read again (but at least every `RECHECK_EVERY`).
A post with more new comments than one poll reads (after downtime, say) keeps
its paging position in the cursor, and the next polls go on from there, after
reading that post's newest comments, until the post is caught up.
A comment by the Page under a customer's comment is the team's answer; in a comment
thread it also answers each other customer it tags there.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, TypeGuard, TypeVar
from urllib.parse import parse_qsl, urlparse

import facebook
import requests

from monitor.clock import Clock
from monitor.http import ApiSession, parse_time, protect_secret, redact
from monitor.models import Batch, Mention, Platform, Reply
from monitor.sources import AuthRejected, RateLimited, SourceError, Unavailable

log = logging.getLogger(__name__)

DEFAULT_GRAPH_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v21.0"
# Graph error codes for throttling: app, user, page (#32), API-specific (#613), business use case
THROTTLE_CODES = frozenset({4, 17, 32, 613} | set(range(80001, 80015)))
# expired/invalid token (#190), session (#102), missing permission (#10, #200-#299)
AUTH_CODES = frozenset({190, 102, 10} | set(range(200, 300)))
# updated_time moves with a new comment; the count (replies included) tells the rest: a post where
# neither moved since it was last read has no new comments, and its comments are not read again
POST_FIELDS = (
    "id,message,created_time,from{id,name},permalink_url,updated_time,comments.filter(stream).limit(0).summary(true)"
)
# message_tags: whom a Page reply tags, i.e. which customers it answers in a comment thread
COMMENT_FIELDS = "id,message,created_time,from{id,name},parent{id,from{id}},permalink_url,message_tags"
PARENT_FIELDS = "parent{id,from{id}}"
THREAD_FIELDS = "id,created_time,from{id}"
THREAD_PAGES = 3  # of a Page comment's replies, looking for the customer a Page reply under it answers
PAGE_SIZE = 100
MAX_PAGES = 20  # per post, per fetch
# The feed is bounded by the look-back window (`since`), not by a poll's share of the work: a post left
# unvisited is a post whose comments are never read. The cap only guards against a server paging forever.
FEED_MAX_PAGES = 200
# a stored `after` cursor Graph refuses (its comment was deleted): #2642 "Invalid cursors values", or #100
STALE_CURSOR_CODES = frozenset({100, 2642})
USAGE_LIMIT = 90  # percent of an x-app-usage / x-business-use-case-usage quota at which we back off
HIGH_USAGE_PAUSE = timedelta(minutes=10)
THROTTLE_PAUSE = timedelta(minutes=15)  # when Meta gives no estimated_time_to_regain_access
RECHECK_EVERY = timedelta(minutes=30)  # read a post's comments at least this often, even when the feed says no change
_PARENTS_KEPT = 20_000  # Page comments' parents, and Page replies' answers, remembered
_V = TypeVar("_V")


@dataclass(frozen=True, slots=True)
class GraphPage:
    """One page of a Graph connection, with the query for the next page (token removed)."""

    items: tuple[Any, ...]
    next_args: Mapping[str, str] | None


def _usage(headers: Mapping[str, str]) -> tuple[int, int]:
    """The highest quota use in percent and the longest wait in minutes the usage headers report."""
    highest, regain = 0, 0
    for name in ("x-app-usage", "x-page-usage", "x-business-use-case-usage"):
        raw = headers.get(name)
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        entries: list[Any] = [data]
        if name == "x-business-use-case-usage" and isinstance(data, dict):
            entries = [e for value in data.values() if isinstance(value, list) for e in value]
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            for key in ("call_count", "total_time", "total_cputime"):
                value = entry.get(key)
                if isinstance(value, int | float):
                    highest = max(highest, int(value))
            wait = entry.get("estimated_time_to_regain_access")
            if isinstance(wait, int | float):
                regain = max(regain, int(wait))
    return highest, regain


class GraphClient:
    """facebook-sdk's GraphAPI behind our session: a current API version, a timeout, our error tree."""

    def __init__(
        self,
        page_token: str,
        clock: Clock,
        api_version: str = DEFAULT_API_VERSION,
        graph_url: str = DEFAULT_GRAPH_URL,
        timeout: timedelta = timedelta(seconds=15),
    ) -> None:
        if not page_token:
            raise ValueError("page_token is empty")
        protect_secret(page_token)
        self._token = page_token
        self._clock = clock
        self._session = ApiSession(DEFAULT_GRAPH_URL, graph_url, timeout)
        # facebook-sdk 3.1.0 only accepts versions up to 3.1 in its constructor
        self._graph = facebook.GraphAPI(access_token=page_token, timeout=timeout.total_seconds(), session=self._session)
        self._graph.version = api_version
        self._lock = threading.Lock()
        self.rejected: str | None = None
        self.busy_until: datetime | None = None

    def node(self, node_id: str, fields: str) -> dict[str, Any]:
        """One object (e.g. a comment) with the given fields."""
        return self._request(f"{self._graph.version}/{node_id}", {"fields": fields})

    def connection(self, node_id: str, edge: str, args: Mapping[str, str], resumed: bool = False) -> GraphPage:
        """One page of `node_id/edge` (e.g. a post's comments); `resumed`: `args` hold a cursor from an earlier poll."""
        result = self._request(f"{self._graph.version}/{node_id}/{edge}", dict(args), resumed)
        data = result.get("data")
        if not isinstance(data, list):
            raise Unavailable(f"the Graph API answered {edge} of {node_id} without a data list")
        paging = result.get("paging")
        next_url = paging.get("next") if isinstance(paging, dict) else None
        next_args = None
        if isinstance(next_url, str) and next_url:
            next_args = {k: v for k, v in parse_qsl(urlparse(next_url).query) if k != "access_token"}
        return GraphPage(items=tuple(data), next_args=next_args)

    def _request(self, path: str, args: dict[str, str], resumed: bool = False) -> dict[str, Any]:
        if self.rejected:
            raise AuthRejected(self.rejected)
        try:
            result = self._graph.request(path, args)
        except facebook.GraphAPIError as exc:
            raise self._translate(exc, resumed) from exc
        except requests.Timeout as exc:
            raise Unavailable(f"the Graph API did not answer in time ({exc})") from exc
        except requests.RequestException as exc:
            raise Unavailable(f"the Graph API could not be reached ({type(exc).__name__})") from exc
        except KeyError as exc:  # facebook-sdk reads headers["content-type"] unguarded
            raise Unavailable(f"the Graph API answered HTTP {self._status()} without a content-type") from exc
        except ValueError as exc:
            raise Unavailable(f"the Graph API answered HTTP {self._status()} without valid JSON") from exc
        self._watch_usage()
        status = self._status()
        if status == 429:
            raise RateLimited("the Graph API answered HTTP 429", self._clock.now() + THROTTLE_PAUSE)
        if isinstance(status, int) and status >= 400:
            raise Unavailable(f"the Graph API answered HTTP {status}")
        if not isinstance(result, dict):
            raise Unavailable("the Graph API answered with something that is not a JSON object")
        return result

    def _status(self) -> int | str:
        response = self._session.last_response
        return response.status_code if response is not None else "?"

    def _headers(self) -> Mapping[str, str]:
        response = self._session.last_response
        return response.headers if response is not None else {}

    def _watch_usage(self) -> None:
        highest, regain = _usage(self._headers())
        if highest >= USAGE_LIMIT:
            until = self._clock.now() + max(timedelta(minutes=regain), HIGH_USAGE_PAUSE)
            if self.busy_until is None or until > self.busy_until:
                log.info("facebook: Graph API quota %d%% used; pausing until %s", highest, f"{until:%H:%M} UTC")
                self.busy_until = until

    def _translate(self, exc: facebook.GraphAPIError, resumed: bool = False) -> SourceError:
        code = exc.code if isinstance(exc.code, int) else None
        message = redact(str(exc.message) if exc.message else str(exc), (self._token,))[:300]
        if code in THROTTLE_CODES or self._status() == 429:
            _, regain = _usage(self._headers())
            retry_at = self._clock.now() + (timedelta(minutes=regain) if regain else THROTTLE_PAUSE)
            return RateLimited(f"the Graph API is throttling (#{code}: {message})", retry_at)
        error = exc.result.get("error") if isinstance(exc.result, dict) else None
        transient = isinstance(error, dict) and bool(error.get("is_transient"))  # a gateway may send a string
        if resumed and not transient and code in STALE_CURSOR_CODES:
            # the same token just read this post's newest comments: it is the old cursor Graph refuses
            return _CursorRefused(f"the Graph API refused a stored paging cursor (#{code}: {message})")
        # (#100) as an OAuthException: a user token where a Page token is needed, not a bad parameter
        if not transient and (code in AUTH_CODES or (code == 100 and exc.type == "OAuthException")):
            rejection = (
                f"the Graph API refused the Page token (#{code}: {message}); check "
                "sources.facebook.page_token (a Page access token with pages_read_engagement and "
                "pages_read_user_content); Facebook polling stays stopped until the config changes "
                "or replyclock restarts"
            )
            with self._lock:
                self.rejected = rejection
            return AuthRejected(rejection)
        if code is None:
            return Unavailable(f"the Graph API answered HTTP {self._status()}: {message}")
        failed = Unavailable if transient else _ObjectFailed  # transient: the whole API is down, not one post
        return failed(f"the Graph API failed (#{code}: {message})")


class _ObjectFailed(Unavailable):
    """The Graph API refused one request with a lasting error code (a post whose comments it cannot serve)."""


class _CursorRefused(_ObjectFailed):
    """The Graph API refused an `after` cursor kept from an earlier poll (cursors die with their comment)."""


@dataclass(slots=True)
class _Mark:
    """The newest created_time seen on a thread of items, and the ids seen at exactly that time."""

    at: datetime | None = None
    ids: set[str] = field(default_factory=set)

    def is_known(self, item_id: str, at: datetime) -> bool:
        return self.at is not None and (at < self.at or (at == self.at and item_id in self.ids))

    def is_older(self, at: datetime) -> bool:
        return self.at is not None and at < self.at

    def advance(self, item_id: str, at: datetime) -> None:
        if self.at is None or at > self.at:
            self.at, self.ids = at, {item_id}
        elif at == self.at:
            self.ids.add(item_id)

    def dump(self) -> dict[str, Any]:
        return {"t": self.at.isoformat() if self.at else None, "ids": sorted(self.ids)}

    @classmethod
    def load(cls, data: object) -> _Mark:
        if not isinstance(data, dict):
            return cls()
        at = parse_time(data.get("t"))
        ids = data.get("ids") or []
        return cls(at=at, ids={str(i) for i in ids} if isinstance(ids, list) else set())


@dataclass(frozen=True, slots=True)
class _Behind:
    """A post's comments not read yet: from the page `after` points at, down to `floor` (read before)."""

    after: Mapping[str, str]  # the paging arguments of that page (Graph's `after` cursor), fields left out
    floor: _Mark

    def dump(self) -> dict[str, Any]:
        return {"after": dict(sorted(self.after.items())), "floor": self.floor.dump()}

    @classmethod
    def load(cls, data: object) -> _Behind | None:
        if not isinstance(data, dict) or not isinstance(data.get("after"), dict):
            return None
        return cls(after={str(k): str(v) for k, v in data["after"].items()}, floor=_Mark.load(data.get("floor")))


def _is_count(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


@dataclass(frozen=True, slots=True)
class _Activity:
    """A post's updated_time and comment count as the feed showed them."""

    updated: datetime
    comments: int

    @classmethod
    def of(cls, post: Mapping[str, Any]) -> _Activity | None:
        """What the feed says of a post, or None when it lacks either figure."""
        updated = parse_time(post.get("updated_time"))
        comments = post.get("comments")
        summary = comments.get("summary") if isinstance(comments, Mapping) else None
        count = summary.get("total_count") if isinstance(summary, Mapping) else None
        if updated is None or not _is_count(count):
            return None
        return cls(updated, count)


@dataclass(slots=True)
class _PostState:
    """What the cursor keeps of a post: its newest comment read, a catch-up's position, its last activity read.

    And what reading it again for comments below the newest one read (approved late) needs: `owed`, the
    count's growth no comment read explains yet; `held_at`, when a read-again last found the growth
    unreadable (the next waits a recheck interval); `hidden`, the count minus the comments Graph returned
    when the post was last read through to its oldest comment (Graph counts comments it never returns).
    """

    mark: _Mark = field(default_factory=_Mark)
    behind: _Behind | None = None
    activity: _Activity | None = None
    read_at: datetime | None = None
    owed: int = 0
    held_at: datetime | None = None
    hidden: int | None = None

    def unchanged(self, activity: _Activity | None, now: datetime, recheck_every: timedelta) -> bool:
        """Whether the post has nothing new to read: caught up, and the feed shows it as it was lately."""
        return (
            self.behind is None
            and activity is not None
            and activity == self.activity
            and self.read_at is not None
            and timedelta(0) <= now - self.read_at < recheck_every
            and not (self.owed and not self.held(now, recheck_every))
        )

    def held(self, now: datetime, recheck_every: timedelta) -> bool:
        """Whether a read-again that found nothing readable is recent enough to hold the next one off."""
        return self.held_at is not None and timedelta(0) <= now - self.held_at < recheck_every

    def dump(self) -> dict[str, Any]:
        data = self.mark.dump()
        if self.behind is not None:
            data["behind"] = self.behind.dump()
        if self.owed or self.held_at is not None:
            data["owed"] = {"n": self.owed, "held": self.held_at.isoformat() if self.held_at else None}
        if self.hidden is not None:
            data["hidden"] = self.hidden
        if self.activity is not None and self.read_at is not None:
            data["seen"] = {
                "updated": self.activity.updated.isoformat(),
                "comments": self.activity.comments,
                "read_at": self.read_at.isoformat(),
            }
        return data

    @classmethod
    def load(cls, data: object) -> _PostState:
        if not isinstance(data, dict):
            return cls()
        seen = data.get("seen")
        if not isinstance(seen, dict):
            seen = {}
        updated, read_at, count = parse_time(seen.get("updated")), parse_time(seen.get("read_at")), seen.get("comments")
        activity = _Activity(updated, count) if updated is not None and _is_count(count) else None
        owed = data.get("owed")
        if not isinstance(owed, dict):
            owed = {}
        hidden = data.get("hidden")
        return cls(
            mark=_Mark.load(data),
            behind=_Behind.load(data.get("behind")),
            activity=activity,
            read_at=read_at,
            owed=owed["n"] if _is_count(owed.get("n")) else 0,
            held_at=parse_time(owed.get("held")),
            hidden=hidden if isinstance(hidden, int) and not isinstance(hidden, bool) else None,
        )


@dataclass(slots=True)
class _Cursor:
    feed: _Mark = field(default_factory=_Mark)
    posts: dict[str, _PostState] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str | None) -> _Cursor:
        if text is None:
            return cls()
        try:
            data = json.loads(text)
            posts = data.get("posts") or {}
            return cls(feed=_Mark.load(data.get("feed")), posts={str(k): _PostState.load(v) for k, v in posts.items()})
        except (ValueError, TypeError, AttributeError):
            log.warning("facebook:page: ignoring an unreadable stored cursor; reading the look-back window again")
            return cls()

    def dump(self) -> str:
        data = {"feed": self.feed.dump(), "posts": {k: v.dump() for k, v in sorted(self.posts.items())}}
        return json.dumps(data, separators=(",", ":"), sort_keys=True)


_Found = tuple[str, datetime, Mapping[str, Any]]


@dataclass(slots=True)
class _Pass:
    """One read of a post's comments, newest first, down to a mark."""

    found: list[_Found] = field(default_factory=list)
    pages: int = 0
    stopped_at: dict[str, str] | None = None  # the page not read (out of pages, or it failed); None: done
    error: SourceError | None = None


class FacebookPageSource:
    """Comments under the Page's recent posts and visitors' posts on the Page."""

    platform: str = Platform.FACEBOOK

    def __init__(
        self,
        client: GraphClient,
        page_id: str,
        clock: Clock,
        lookback: timedelta = timedelta(days=14),
        page_size: int = PAGE_SIZE,
        max_pages: int = MAX_PAGES,
        recheck_every: timedelta = RECHECK_EVERY,
        feed_max_pages: int = FEED_MAX_PAGES,
    ) -> None:
        if lookback <= timedelta(0):
            raise ValueError("lookback must be positive")
        if max_pages < 2:
            raise ValueError("max_pages must be at least 2: a post's newest comments, then its backlog")
        self.name = "facebook:page"
        self.page_id = str(page_id)
        self._client = client
        self._clock = clock
        self._lookback = lookback
        self._page_size = page_size
        self._max_pages = max_pages
        self._feed_max_pages = feed_max_pages
        self._recheck_every = recheck_every
        self._blocked_until: datetime | None = None
        self._lock = threading.Lock()
        # the parent ({id, from{id}}, None when top-level) of each Page comment seen: a cache, as Graph
        # is asked for a Page comment's parent this process has not seen (read before a restart, or
        # older than the reply to it in a catch-up read newest first)
        self._page_parents: OrderedDict[str, Mapping[str, Any] | None] = OrderedDict()
        # the customer comments each Page reply answers that reading its thread told (in a Page-started
        # thread, or tagging other customers): a post read again for a late comment hands its old replies
        # over again, and each would read its thread again
        self._thread_answers: OrderedDict[str, tuple[str, ...]] = OrderedDict()

    def earliest_next_poll(self, now: datetime) -> datetime | None:
        """Not before this time: a throttling pause or high quota use (None: no limit)."""
        candidates = [t for t in (self._blocked_until, self._client.busy_until) if t is not None and t > now]
        return max(candidates) if candidates else None

    def fetch(self, cursor: str | None) -> Batch:
        """New comments and visitor posts since the cursor, for posts inside the look-back window."""
        now = self._clock.now()
        if self._client.rejected:
            raise AuthRejected(self._client.rejected)
        wait = self.earliest_next_poll(now)
        if wait is not None:
            raise RateLimited("facebook:page: waiting for the Graph API quota to recover", wait)
        self._blocked_until = None
        state = _Cursor.parse(cursor)
        since = now - self._lookback
        try:
            posts = self._recent_posts(since)
        except RateLimited as exc:
            self._blocked_until = exc.retry_at
            raise
        mentions: dict[str, Mention] = {}
        replies: dict[str, Reply] = {}
        new_feed = _Mark(state.feed.at, set(state.feed.ids))
        for post_id, post in posts.items():
            self._post(post_id, post, state.feed, new_feed, mentions)
        new_posts: dict[str, _PostState] = {}
        failure: SourceError | None = None
        for post_id, post in posts.items():
            old = state.posts.get(post_id, _PostState())
            # one post Graph keeps refusing (#1 "reduce the amount of data", #100 on a post it cannot
            # serve) must not hide the comments of every post after it, poll after poll
            if failure is not None and not isinstance(failure, _ObjectFailed):
                new_posts[post_id] = old
                continue
            activity = _Activity.of(post)
            if old.unchanged(activity, now, self._recheck_every):
                new_posts[post_id] = old
                continue
            new, found, error = self._read_post(post_id, old, activity, now)
            self._deliver(post_id, post, found, mentions, replies)
            new_posts[post_id] = new
            if error is not None and (failure is None or not isinstance(error, _ObjectFailed)):
                failure = error
        if failure is not None:
            if isinstance(failure, RateLimited):
                self._blocked_until = failure.retry_at
            if not mentions and not replies:
                raise failure
            log.info("facebook:page: could not read every post's comments (%s); trying again next poll", failure)
        next_cursor = _Cursor(feed=new_feed, posts=new_posts).dump()
        return Batch(
            mentions=tuple(sorted(mentions.values(), key=lambda m: m.created_at)),
            replies=tuple(sorted(replies.values(), key=lambda r: r.created_at)),
            next_cursor=next_cursor,
        )

    def _read_post(
        self, post_id: str, old: _PostState, activity: _Activity | None, now: datetime
    ) -> tuple[_PostState, list[_Found], SourceError | None]:
        """A post's new comments, and the post read again when its count shows comments below those."""
        new, found, error = self._comments(post_id, old)
        caught_up = new.behind is None and error is None
        # a first read goes down to the post's oldest comment: it tells how much of the count Graph returns
        first = caught_up and old.behind is None and old.mark.at is None
        readable = len({f[0] for f in found}) if first else None
        owed = old.owed + (_unexplained(old.activity, activity, len(found)) if caught_up and old.behind is None else 0)
        again = caught_up and owed > 0 and not old.held(now, self._recheck_every)
        if again:
            below, error, readable = self._comments_below(post_id, found)
            found, caught_up = found + below, error is None
        held_at, measured = old.held_at, None
        # the feed was read before the comments: what it showed is at most what was just read, and
        # the comments written in between are counted in, or the next poll takes them for ones below
        if caught_up and activity is not None:
            since_feed = sum(1 for i, at, _ in found if at > activity.updated and not old.mark.is_known(i, at))
            activity = replace(activity, comments=activity.comments + since_feed)
            measured = activity.comments - readable if readable is not None else None
        if again and caught_up:
            # Graph counts comments it never returns (hidden, or held back by privacy): when what it
            # returns grew by less than the growth owed, the count grew with such comments, and reading
            # the post again each time it grows would cost up to 20 pages a poll. The next read-again
            # waits a recheck interval (growth owed meanwhile is kept for it); one that found a late
            # comment holds nothing off.
            unreadable = measured - old.hidden if measured is not None and old.hidden is not None else None
            held_at = None if unreadable is not None and unreadable < owed else now
            owed = 0
        elif again:
            # a read-again Graph refuses for this post waits too; a passing failure is tried next poll
            held_at = now if isinstance(error, _ObjectFailed) else None
        state = replace(
            new,
            activity=activity if caught_up else None,
            read_at=now if caught_up else None,
            owed=owed,
            held_at=held_at,
            hidden=measured if measured is not None else old.hidden,
        )
        return state, found, error

    def _pages(self, node_id: str, edge: str, args: dict[str, str], max_pages: int) -> Iterator[Any]:
        """Yield the items of a connection page by page (the caller stops when it has enough)."""
        seen_args: set[tuple[tuple[str, str], ...]] = set()
        current: Mapping[str, str] | None = args
        for _ in range(max_pages):
            if current is None:
                return
            key = tuple(sorted(current.items()))
            if key in seen_args:  # a server that hands back the same page forever
                return
            seen_args.add(key)
            page = self._client.connection(node_id, edge, current)
            yield from page.items
            current = page.next_args
        if current is not None:
            log.warning(
                "facebook:page: %s/%s has more than %d pages; the older ones are not read (shorten "
                "sources.facebook.lookback)",
                node_id,
                edge,
                max_pages,
            )

    def _recent_posts(self, since: datetime) -> dict[str, Mapping[str, Any]]:
        args = {"fields": POST_FIELDS, "since": str(int(since.timestamp())), "limit": str(self._page_size)}
        posts: dict[str, Mapping[str, Any]] = {}
        for item in self._pages(self.page_id, "feed", args, self._feed_max_pages):
            if not isinstance(item, Mapping) or not item.get("id"):
                log.warning("facebook:page: skipping a feed item without an id")
                continue
            created = parse_time(item.get("created_time"))
            if created is None:
                log.warning("facebook:page: skipping post %s without a readable created_time", item["id"])
                continue
            if created < since:
                break  # newest first: the rest is older than the look-back window
            posts.setdefault(str(item["id"]), item)
        return posts

    def _is_page(self, author: object) -> bool:
        return isinstance(author, Mapping) and str(author.get("id", "")) == self.page_id

    def _post(
        self, post_id: str, post: Mapping[str, Any], seen: _Mark, mark: _Mark, mentions: dict[str, Mention]
    ) -> None:
        """A visitor's post on the Page is a mention; the Page's own posts never are."""
        author = post.get("from")
        created = parse_time(post.get("created_time"))
        if created is None or self._is_page(author) or not isinstance(author, Mapping):
            return
        if seen.is_known(post_id, created):
            return
        mark.advance(post_id, created)
        mentions[post_id] = Mention(
            platform=Platform.FACEBOOK,
            external_id=post_id,
            author=str(author.get("name", "")),
            text=str(post.get("message") or ""),
            created_at=created,
            author_id=str(author.get("id", "")),
            url=str(post.get("permalink_url") or f"https://www.facebook.com/{post_id}"),
            conversation_id=post_id,
        )

    def _comments(
        self, post_id: str, state: _PostState, pages: int | None = None
    ) -> tuple[_PostState, list[_Found], SourceError | None]:
        """Read a post's new comments in at most `max_pages` pages: the newest first, then any older backlog."""
        pages = self._max_pages if pages is None else pages
        base = self._comment_args()
        head = self._read_down(post_id, base, state.mark, pages)
        if head.pages == 0 and head.error is not None:
            return state, [], head.error
        mark = _Mark(state.mark.at, set(state.mark.ids))
        for comment_id, created, _item in head.found:
            mark.advance(comment_id, created)
        if head.stopped_at is not None:
            # More new comments than one poll reads: go on from here next poll. A backlog left from before
            # lies below `state.mark`; it is read again with this one (the store knows those comments).
            floor = state.behind.floor if state.behind is not None else state.mark
            if state.behind is None and head.error is None:
                log.info("facebook:page: post %s has more new comments than one poll reads; catching up", post_id)
            return _PostState(mark, _Behind(self._paging(head.stopped_at), floor)), head.found, head.error
        if state.behind is None:
            return _PostState(mark), head.found, None
        if head.pages >= pages:
            return _PostState(mark, state.behind), head.found, None
        floor = state.behind.floor
        tail = self._read_down(post_id, {**base, **state.behind.after}, floor, pages - head.pages, True)
        if tail.pages == 0 and isinstance(tail.error, _CursorRefused):
            log.warning(
                "facebook:page: %s; reading post %s again from its newest comment down to what was stored",
                tail.error,
                post_id,
            )
            # the comments between the newest and the floor are read again (the store knows those it has)
            left = pages - head.pages - 1
            if left <= 0:
                return _PostState(floor), head.found, None
            again, found, error = self._comments(post_id, _PostState(floor), left)
            return again, head.found + found, error
        if tail.pages == 0 and tail.error is not None:
            return _PostState(mark, state.behind), head.found, tail.error
        found = head.found + tail.found
        if tail.stopped_at is None:
            log.info("facebook:page: post %s caught up", post_id)
            return _PostState(mark), found, None
        return _PostState(mark, _Behind(self._paging(tail.stopped_at), floor)), found, tail.error

    def _comment_args(self) -> dict[str, str]:
        """A post's comments, replies included, newest first."""
        return {
            "fields": COMMENT_FIELDS,
            "filter": "stream",
            "order": "reverse_chronological",
            "limit": str(self._page_size),
        }

    def _comments_below(self, post_id: str, found: list[_Found]) -> tuple[list[_Found], SourceError | None, int | None]:
        """The post read again from its newest comment: comments dated before what was read appeared.

        Also how many comments Graph returned, when the read reached the post's oldest one (else None).
        """
        log.info(
            "facebook:page: post %s has more comments than were read since the last poll (one approved late, "
            "or shown late by Graph); reading it again",
            post_id,
        )
        again = self._read_down(post_id, self._comment_args(), _Mark(), self._max_pages)
        seen = {comment_id for comment_id, _, _ in found}
        complete = again.error is None and again.stopped_at is None
        readable = len({comment_id for comment_id, _, _ in again.found} | seen) if complete else None
        # the store keeps each comment once: the ones it has come back harmlessly
        return [f for f in again.found if f[0] not in seen], again.error, readable

    def _read_down(
        self, post_id: str, args: Mapping[str, str], stop: _Mark, pages: int, resumed: bool = False
    ) -> _Pass:
        """Comments newest first from `args` until `stop` or the end, in at most `pages` pages."""
        result = _Pass()
        asked: set[tuple[tuple[str, str], ...]] = set()
        current: Mapping[str, str] | None = args
        while current is not None:
            key = tuple(sorted(current.items()))
            if key in asked:  # a server that hands back the same page forever: nothing more to read
                return result
            if result.pages >= pages:
                result.stopped_at = dict(current)
                return result
            asked.add(key)
            try:
                stored = resumed and result.pages == 0 and "after" in current
                page = self._client.connection(post_id, "comments", current, stored)
            except SourceError as exc:
                result.error, result.stopped_at = exc, dict(current)
                return result
            result.pages += 1
            for item in page.items:
                comment_id = item.get("id") if isinstance(item, Mapping) else None
                created = parse_time(item.get("created_time")) if isinstance(item, Mapping) else None
                if not comment_id or created is None:
                    log.warning("facebook:page: skipping malformed comment %s on post %s", comment_id or "?", post_id)
                    continue
                if stop.is_older(created):
                    return result  # newest first: everything from here on was read before
                if not stop.is_known(str(comment_id), created):
                    result.found.append((str(comment_id), created, item))
            current = page.next_args
        return result

    @staticmethod
    def _paging(args: Mapping[str, str]) -> dict[str, str]:
        """The paging part of a page's arguments (`after`), what a cursor keeps to go on from there."""
        return {k: v for k, v in args.items() if k not in ("fields", "filter", "order", "limit")}

    def _deliver(
        self,
        post_id: str,
        post: Mapping[str, Any],
        found: list[_Found],
        mentions: dict[str, Mention],
        replies: dict[str, Reply],
    ) -> None:
        """Turn a post's new comments into mentions and the Page's answers."""
        for comment_id, _created, item in found:
            if self._is_page(item.get("from")):
                self._remember(comment_id, _parent_ref(item))
        for comment_id, created, item in found:
            if comment_id in mentions or comment_id in replies:
                continue
            converted = self._comment(comment_id, created, item, post_id, post)
            if isinstance(converted, Mention):
                mentions[comment_id] = converted
            else:
                replies.update((r.external_id, r) for r in converted)

    def _remember(self, comment_id: str, parent: Mapping[str, Any] | None) -> None:
        _keep(self._page_parents, comment_id, parent, self._lock)

    def _comment(
        self,
        comment_id: str,
        created: datetime,
        item: Mapping[str, Any],
        post_id: str,
        post: Mapping[str, Any],
    ) -> Mention | tuple[Reply, ...]:
        """A customer's comment, or the Page's answers in one of its comments (none: it talks under its own post)."""
        author = item.get("from")
        parent = _parent_ref(item)
        parent_id = str(parent["id"]) if parent else None
        text = str(item.get("message") or "")
        url = str(item.get("permalink_url") or f"https://www.facebook.com/{comment_id}")
        if self._is_page(author):
            targets = self._customer_items(parent, post_id, post, (comment_id, created, _tagged(item)))
            page_name = str(author.get("name", "")) if isinstance(author, Mapping) else ""
            return tuple(
                Reply(
                    platform=Platform.FACEBOOK,
                    external_id=_answer_id(comment_id, n, target),
                    in_reply_to=target,
                    created_at=created,
                    author=page_name,
                    text=text,
                    url=url,
                )
                for n, target in enumerate(targets)
            )
        author_map = author if isinstance(author, Mapping) else {}
        return Mention(
            platform=Platform.FACEBOOK,
            external_id=comment_id,
            author=str(author_map.get("name", "")),
            text=text,
            created_at=created,
            author_id=str(author_map.get("id", "")),
            url=url,
            in_reply_to=parent_id or post_id,
            conversation_id=post_id,
        )

    def _customer_items(
        self,
        parent: Mapping[str, Any] | None,
        post_id: str,
        post: Mapping[str, Any],
        reply: tuple[str, datetime, frozenset[str]],
    ) -> tuple[str, ...]:
        """The customer comments or post a Page comment answers, the one it replies to first.

        That one is found walking up the Page's own comments; a Page reply in a comment thread also
        answers each other customer it tags there (Facebook tags whom you reply to).
        """
        seen: set[str] = set()
        head: str | None = None  # the topmost Page comment the reply sits under
        while parent is not None and str(parent["id"]) not in seen:
            parent_id = str(parent["id"])
            seen.add(parent_id)
            with self._lock:
                known = parent_id in self._page_parents
                grand = self._page_parents.get(parent_id)
            if not (known or self._is_page(parent.get("from"))):
                return self._and_tagged(parent_id, _author_id(parent), parent_id, reply)
            if not known:
                grand = self._look_up_parent(parent_id)
            head, parent = parent_id, grand
        author = post.get("from")
        if isinstance(author, Mapping) and not self._is_page(author):
            # a Page comment under a visitor's post answers that post
            return self._and_tagged(post_id, _author_id(post), head, reply)
        if head is not None:
            return self._answered_under(head, reply, fallback=True)
        return ()

    def _and_tagged(
        self, target: str, target_author: str, thread: str | None, reply: tuple[str, datetime, frozenset[str]]
    ) -> tuple[str, ...]:
        """`target`, and the newest comment in `thread` of each other customer the reply tags."""
        reply_id, written, tags = reply
        others = tags - {target_author, self.page_id}
        if thread is None or not others:
            return (target,)
        tagged = self._answered_under(thread, (reply_id, written, others), fallback=False)
        return (target, *(t for t in tagged if t != target))

    def _look_up_parent(self, comment_id: str) -> Mapping[str, Any] | None:
        """A Page comment's parent, asked of Graph (None: top-level, or Graph cannot say)."""
        try:
            parent = _parent_ref(self._client.node(comment_id, PARENT_FIELDS))
        except _ObjectFailed as exc:  # deleted, say; anything wider fails the poll, which is read again
            log.warning("facebook:page: could not look up the parent of the Page's comment %s (%s)", comment_id, exc)
            return None
        self._remember(comment_id, parent)
        return parent

    def _answered_under(
        self, head: str, reply: tuple[str, datetime, frozenset[str]], *, fallback: bool
    ) -> tuple[str, ...]:
        """The customer comments a Page reply answers in the thread under comment `head`, newest first.

        Graph files a reply to a reply under the thread's top comment, so a Page reply in a thread names
        that comment as its parent: the customers it answers are the ones it tags (Facebook tags whom you
        reply to), the newest comment before it of each; with `fallback`, when it tags nobody who wrote
        there, the newest customer comment before it.
        """
        reply_id, written, tags = reply
        with self._lock:
            if reply_id in self._thread_answers:
                return self._thread_answers[reply_id]
        args = {"fields": THREAD_FIELDS, "filter": "stream", "order": "reverse_chronological", "limit": "100"}
        tagged: dict[str, str] = {}  # the tagged customer's id: their newest comment before the reply
        newest: str | None = None
        try:
            for item in self._pages(head, "comments", args, THREAD_PAGES):
                if not isinstance(item, Mapping) or not item.get("id") or str(item["id"]) == reply_id:
                    continue
                created = parse_time(item.get("created_time"))
                author = item.get("from")
                if created is None or created > written or self._is_page(author):
                    continue
                author_id = _author_id(item)
                if author_id in tags:
                    tagged.setdefault(author_id, str(item["id"]))
                    if len(tagged) == len(tags):
                        break
                elif not tags:
                    newest = str(item["id"])
                    break
                newest = newest or str(item["id"])
        except _ObjectFailed as exc:  # not remembered: the thread is read again next time
            log.warning("facebook:page: could not read the thread under comment %s (%s)", head, exc)
            return _answers(tagged, newest if fallback else None)
        found = _answers(tagged, newest if fallback else None)
        _keep(self._thread_answers, reply_id, found, self._lock)
        return found


def _answers(tagged: Mapping[str, str], fallback: str | None) -> tuple[str, ...]:
    """The comments a Page reply answers in a thread: those of the customers it tags, else `fallback`."""
    if tagged:
        return tuple(tagged.values())
    return (fallback,) if fallback else ()


def _answer_id(comment_id: str, n: int, target: str) -> str:
    """The id of a Page comment's `n`th answer: the comment's own for the first, one made from both for the others.

    A Page reply tagging two customers is an answer to each (a reply answers one post); the first keeps
    the comment's id, so an answer stored before it was read this way is still the same row.
    """
    return comment_id if n == 0 else f"{comment_id}~{target}"


def _author_id(item: Mapping[str, Any]) -> str:
    """The id of who wrote a comment or post ("" when Graph did not say)."""
    author = item.get("from")
    return str(author.get("id", "")) if isinstance(author, Mapping) else ""


def _unexplained(before: _Activity | None, now: _Activity | None, found: int) -> int:
    """How much the post's comment count grew beyond the new comments just read.

    New comments are read down to the newest one read before; a comment dated before that (approved
    late from moderation, or shown late by Graph) is only seen in the count. Deletions in between hide
    as many such comments as they remove (the count is all Graph tells).
    """
    if before is None or now is None:
        return 0
    return max(0, now.comments - before.comments - found)


def _keep(cache: OrderedDict[str, _V], key: str, value: _V, lock: threading.Lock) -> None:
    """Remember `value` under `key`, forgetting the oldest entries beyond what the caches keep."""
    with lock:
        cache[key] = value
        while len(cache) > _PARENTS_KEPT:
            cache.popitem(last=False)


def _parent_ref(item: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """A comment's parent as Graph gave it ({id, from{id}}), None when it is top-level or unreadable."""
    parent = item.get("parent")
    return parent if isinstance(parent, Mapping) and parent.get("id") else None


def _tagged(item: Mapping[str, Any]) -> frozenset[str]:
    """The ids of the people a comment tags."""
    tags = item.get("message_tags")
    if not isinstance(tags, list):
        return frozenset()
    return frozenset(str(t["id"]) for t in tags if isinstance(t, Mapping) and t.get("id"))


def build_facebook_sources(
    page_id: str,
    page_token: str,
    clock: Clock,
    api_version: str = DEFAULT_API_VERSION,
    lookback: timedelta = timedelta(days=14),
    graph_url: str = DEFAULT_GRAPH_URL,
    timeout: timedelta = timedelta(seconds=15),
) -> list[FacebookPageSource]:
    """The Facebook stream for one Page (a list, like `build_x_sources`)."""
    client = GraphClient(page_token, clock, api_version=api_version, graph_url=graph_url, timeout=timeout)
    return [FacebookPageSource(client, page_id, clock, lookback=lookback)]
