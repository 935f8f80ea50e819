"""X (Twitter) API v2 through tweepy: mentions, search queries and the shop's own answers.

One `Source` per independently rate-limited stream: `x:mentions`, `x:search:<query>`
and `x:replies` (the shop's own timeline, where its answers are found). Each keeps a
`since_id` cursor; after downtime it pages back through everything it missed.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import tweepy

from monitor.clock import Clock
from monitor.http import ApiSession, parse_time, protect_secret
from monitor.models import Batch, Mention, Platform, Reply
from monitor.sources import AuthRejected, RateLimited, Source, SourceError, Unavailable

log = logging.getLogger(__name__)

DEFAULT_API_BASE_URL = "https://api.twitter.com"
TWEET_FIELDS = [
    "author_id",
    "created_at",
    "conversation_id",
    "referenced_tweets",
    "in_reply_to_user_id",
    "lang",
    "note_tweet",  # the whole text of a post longer than 280 characters; `text` has only its start
]
EXPANSIONS = ["author_id", "referenced_tweets.id"]
USER_FIELDS = ["username"]
PAGE_SIZE = 100  # the most X returns per request on every timeline and search endpoint
MAX_PAGES_PER_FETCH = 100
RATE_WINDOW = timedelta(minutes=15)  # X's rate-limit window, used when a 429 carries no reset header
_MIN_DEFER = timedelta(seconds=5)  # a reset "in the past" (clock skew) must not turn into a busy loop
_MAX_WALK = 10
_PARENTS_KEPT = 20_000


def post_text(tweet: Mapping[str, Any]) -> str:
    """The post's whole text as its author wrote it.

    A post longer than 280 characters comes cut in `text` and whole in `note_tweet.text`; X escapes
    &, < and > as HTML entities (&amp; &lt; &gt;).
    """
    note = tweet.get("note_tweet")
    text = note["text"] if isinstance(note, Mapping) and isinstance(note.get("text"), str) else tweet["text"]
    # &amp; last, so a literal "&lt;" the customer typed (sent as "&amp;lt;") stays "&lt;"
    return str(text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def tweet_url(tweet_id: str, username: str | None) -> str:
    """The public link to a post (X redirects the `i/web` form when the handle is unknown)."""
    if username:
        return f"https://x.com/{username}/status/{tweet_id}"
    return f"https://x.com/i/web/status/{tweet_id}"


@dataclass(frozen=True, slots=True)
class XPage:
    """One page of an X timeline or search, as plain data."""

    tweets: tuple[Mapping[str, Any], ...]
    usernames: Mapping[str, str]
    included: Mapping[str, Mapping[str, Any]]
    next_token: str | None
    newest_id: str | None
    rate_remaining: int | None = None
    rate_reset: datetime | None = None


class _StaleCursor(Unavailable):
    """X refused a since_id or pagination token (too old or invalid); start that sweep afresh."""


def _api_message(exc: tweepy.HTTPException) -> str:
    messages = [str(m) for m in exc.api_messages if m]
    text = "; ".join(messages) if messages else str(exc)
    return text[:300]


def _epoch(value: object) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(str(value)), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _as_int(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


class XClient:
    """tweepy.Client behind our session: every call has a timeout and raises only `SourceError`s."""

    def __init__(
        self,
        bearer_token: str,
        clock: Clock,
        api_base_url: str = DEFAULT_API_BASE_URL,
        timeout: timedelta = timedelta(seconds=15),
    ) -> None:
        if not bearer_token:
            raise ValueError("bearer_token is empty")
        protect_secret(bearer_token)
        self._clock = clock
        self._client = tweepy.Client(bearer_token=bearer_token, return_type=requests.Response, wait_on_rate_limit=False)
        self._session = ApiSession(DEFAULT_API_BASE_URL, api_base_url, timeout)
        self._client.session = self._session
        self._lock = threading.Lock()
        self.rejected: str | None = None

    @property
    def requests_made(self) -> int:
        """How many HTTP requests this client has sent."""
        return self._session.requests_made

    def mentions(self, user_id: str, since_id: str | None, token: str | None, max_results: int) -> XPage:
        """One page of posts mentioning `user_id`, newest first."""
        params = self._params(since_id, max_results)
        if token:
            params["pagination_token"] = token
        return self._page(lambda: self._client.get_users_mentions(user_id, **params))

    def search(self, query: str, since_id: str | None, token: str | None, max_results: int) -> XPage:
        """One page of recent posts matching `query`, newest first."""
        params = self._params(since_id, max_results)
        if token:
            params["next_token"] = token
        return self._page(lambda: self._client.search_recent_tweets(query, **params))

    def user_tweets(self, user_id: str, since_id: str | None, token: str | None, max_results: int) -> XPage:
        """One page of the account's own posts (retweets left out), newest first."""
        params = self._params(since_id, max_results)
        params["exclude"] = ["retweets"]
        if token:
            params["pagination_token"] = token
        return self._page(lambda: self._client.get_users_tweets(user_id, **params))

    def user_id_for(self, username: str) -> str:
        """Resolve a handle (with or without @) to the account's numeric id."""
        handle = username.lstrip("@")
        body = self._json(lambda: self._client.get_user(username=handle))
        data = body.get("data")
        if not isinstance(data, dict) or not data.get("id"):
            raise Unavailable(f"X has no account @{handle} (check sources.x.username)")
        return str(data["id"])

    @staticmethod
    def _params(since_id: str | None, max_results: int) -> dict[str, Any]:
        params: dict[str, Any] = {
            "max_results": max_results,
            "tweet_fields": TWEET_FIELDS,
            "expansions": EXPANSIONS,
            "user_fields": USER_FIELDS,
        }
        if since_id:
            params["since_id"] = since_id
        return params

    def _page(self, call: Callable[[], requests.Response]) -> XPage:
        body = self._json(call)
        response = self._session.last_response
        data = body.get("data") or []
        meta: dict[str, Any] = body["meta"] if isinstance(body.get("meta"), dict) else {}
        includes: dict[str, Any] = body["includes"] if isinstance(body.get("includes"), dict) else {}
        if not isinstance(data, list):
            raise Unavailable("X answered with a malformed page (data is not a list)")
        users, tweets = includes.get("users"), includes.get("tweets")  # a malformed part is left out, not fatal
        usernames = {
            str(user["id"]): str(user["username"])
            for user in (users if isinstance(users, list) else [])
            if isinstance(user, dict) and user.get("id") and user.get("username")
        }
        included = {
            str(tweet["id"]): tweet
            for tweet in (tweets if isinstance(tweets, list) else [])
            if isinstance(tweet, dict) and tweet.get("id")
        }
        headers = response.headers if response is not None else {}
        return XPage(
            tweets=tuple(data),
            usernames=usernames,
            included=included,
            next_token=str(meta["next_token"]) if meta.get("next_token") else None,
            newest_id=str(meta["newest_id"]) if meta.get("newest_id") else None,
            rate_remaining=_as_int(headers.get("x-rate-limit-remaining")),
            rate_reset=_epoch(headers.get("x-rate-limit-reset")),
        )

    def _json(self, call: Callable[[], requests.Response]) -> dict[str, Any]:
        if self.rejected:
            raise AuthRejected(self.rejected)
        try:
            response = call()
        except tweepy.TooManyRequests as exc:
            now = self._clock.now()
            reset = _epoch(exc.reset_time) if exc.reset_time is not None else None
            retry_at = max(reset or now + RATE_WINDOW, now + _MIN_DEFER)
            raise RateLimited(f"X rate limit reached; retrying after {retry_at:%H:%M:%S} UTC", retry_at) from exc
        except tweepy.Unauthorized as exc:
            with self._lock:
                self.rejected = (
                    "X rejected the bearer token (HTTP 401): check sources.x.bearer_token; "
                    "X polling stays stopped until the config changes or replyclock restarts"
                )
            raise AuthRejected(self.rejected) from exc
        except tweepy.Forbidden as exc:
            raise AuthRejected(
                f"X refused access (HTTP 403: {_api_message(exc)}); the app's access tier may not include this endpoint"
            ) from exc
        except tweepy.TwitterServerError as exc:
            raise Unavailable(f"X failed (HTTP {exc.response.status_code})") from exc
        except tweepy.BadRequest as exc:
            message = _api_message(exc)
            if any(word in message for word in ("since_id", "pagination_token", "next_token")):
                raise _StaleCursor(f"X refused the cursor: {message}") from exc
            raise Unavailable(f"X refused the request (HTTP 400: {message})") from exc
        except tweepy.HTTPException as exc:
            raise Unavailable(f"X answered HTTP {exc.response.status_code}: {_api_message(exc)}") from exc
        except requests.Timeout as exc:
            raise Unavailable(f"X did not answer in time ({exc})") from exc
        except requests.RequestException as exc:
            raise Unavailable(f"X could not be reached ({type(exc).__name__})") from exc
        try:
            body = response.json()
        except ValueError as exc:
            raise Unavailable(f"X answered HTTP {response.status_code} without valid JSON") from exc
        if not isinstance(body, dict):
            raise Unavailable("X answered with JSON that is not an object")
        return body


class BrandAccount:
    """The shop's own X account: its id (resolved from the handle once) and the parents of its replies."""

    def __init__(self, client: XClient, user_id: str | None = None, username: str | None = None) -> None:
        if not (user_id or username):
            raise ValueError("set the account's user_id or username")
        self._client = client
        self._user_id = user_id
        self.username = username.lstrip("@") if username else None
        self._lock = threading.Lock()
        self._parents: OrderedDict[str, str] = OrderedDict()

    def user_id(self) -> str:
        """The account id, asking X once when only the handle was configured."""
        with self._lock:
            if self._user_id is None:
                assert self.username is not None
                self._user_id = self._client.user_id_for(self.username)
                log.info("x: @%s is user id %s", self.username, self._user_id)
            return self._user_id

    def remember_reply(self, reply_id: str, parent_id: str) -> None:
        """Note that the shop's post `reply_id` answered `parent_id` (to walk self-threads up)."""
        with self._lock:
            self._parents[reply_id] = parent_id
            self._parents.move_to_end(reply_id)
            while len(self._parents) > _PARENTS_KEPT:
                self._parents.popitem(last=False)

    def parent_of(self, tweet_id: str) -> str | None:
        """The post a known reply of the shop answered, if remembered."""
        with self._lock:
            return self._parents.get(tweet_id)


def _month_bounds(now: datetime) -> tuple[datetime, datetime]:
    start = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    return start, end


class ReadBudget:
    """Spreads the posts read by all X streams so a monthly cap lasts until the month ends.

    After a fetch that read n posts, the next poll of any X stream waits
    n * (time left in the month) / (posts left under the cap), so the remaining
    posts are read at an even pace. The per-stream counts travel in the cursors,
    so a restart does not forget what was already read this month.
    """

    def __init__(self, cap: int, clock: Clock, log_every: timedelta = timedelta(hours=1)) -> None:
        if cap <= 0:
            raise ValueError("monthly_read_cap must be positive")
        self.cap = cap
        self._clock = clock
        self._log_every = log_every
        self._lock = threading.Lock()
        self._month = ""
        self._used: dict[str, int] = {}
        self._next_allowed: datetime | None = None
        self._last_log: datetime | None = None
        self._exhausted_logged = False

    def _roll(self, now: datetime) -> None:
        month = f"{now:%Y-%m}"
        if month != self._month:
            self._month = month
            self._used = {}
            self._next_allowed = None
            self._exhausted_logged = False

    @property
    def used(self) -> int:
        """Posts read this month by every stream together."""
        with self._lock:
            self._roll(self._clock.now())
            return sum(self._used.values())

    def restore(self, stream: str, month: str, count: int) -> None:
        """Take a stream's count for `month` from its stored cursor (after a restart)."""
        with self._lock:
            self._roll(self._clock.now())
            if month == self._month and count > self._used.get(stream, 0):
                self._used[stream] = count

    def record(self, stream: str, month: str, total: int, read_now: int) -> None:
        """Note that `stream` has read `total` posts this month, `read_now` of them just now."""
        now = self._clock.now()
        with self._lock:
            self._roll(now)
            if month != self._month:
                return
            self._used[stream] = max(total, self._used.get(stream, 0))
            used = sum(self._used.values())
            _, month_end = _month_bounds(now)
            left = self.cap - used
            if left <= 0:
                self._next_allowed = month_end
                if not self._exhausted_logged:
                    log.warning(
                        "x: monthly read cap of %d posts reached (%d read); X polling waits until %s",
                        self.cap,
                        used,
                        f"{month_end:%Y-%m-%d %H:%M} UTC",
                    )
                    self._exhausted_logged = True
            elif read_now > 0:
                start = max(self._next_allowed or now, now)
                self._next_allowed = start + (month_end - now) * (read_now / left)
            self._log_projection(now, used)

    def _log_projection(self, now: datetime, used: int) -> None:
        if self._last_log is not None and now - self._last_log < self._log_every:
            return
        self._last_log = now
        month_start, month_end = _month_bounds(now)
        elapsed = (now - month_start) / (month_end - month_start)
        projected = round(used / elapsed) if elapsed > 0 else used
        log.info(
            "x: %d posts read this month of a cap of %d; at this pace %d by the month's end%s",
            used,
            self.cap,
            projected,
            ", polls are being spaced out" if projected > self.cap else "",
        )

    def next_allowed(self, now: datetime) -> datetime | None:
        """When any X stream may poll again under the cap, or None if it may poll now."""
        with self._lock:
            self._roll(now)
            if self._next_allowed is not None and self._next_allowed > now:
                return self._next_allowed
            return None


@dataclass(slots=True)
class _Cursor:
    since_id: str | None = None
    token: str | None = None
    newest_id: str | None = None
    month: str = ""
    reads: int = 0
    fresh: bool = True  # never polled: read only the newest page, not the whole history

    @classmethod
    def parse(cls, text: str | None, stream: str) -> _Cursor:
        if text is None:
            return cls()
        try:
            data = json.loads(text)
            resume = data.get("resume") or {}
            reads = data.get("reads") or {}
            return cls(
                since_id=str(data["since_id"]) if data.get("since_id") else None,
                token=str(resume["token"]) if resume.get("token") else None,
                newest_id=str(resume["newest_id"]) if resume.get("newest_id") else None,
                month=str(reads.get("month", "")),
                reads=int(reads.get("count", 0)),
                fresh=False,
            )
        except (ValueError, TypeError, AttributeError, KeyError):
            log.warning("%s: ignoring an unreadable stored cursor; starting from the newest posts", stream)
            return cls()

    def dump(self) -> str:
        data: dict[str, Any] = {"since_id": self.since_id}
        if self.token:
            data["resume"] = {"token": self.token, "newest_id": self.newest_id}
        if self.month:
            data["reads"] = {"month": self.month, "count": self.reads}
        return json.dumps(data, separators=(",", ":"), sort_keys=True)


@dataclass(slots=True)
class _Sweep:
    tweets: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    usernames: dict[str, str] = field(default_factory=dict)
    included: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    read: int = 0

    def add(self, page: XPage) -> None:
        for tweet in page.tweets:
            tweet_id = tweet.get("id") if isinstance(tweet, Mapping) else None
            if tweet_id is None:
                log.warning("x: skipping a post without an id")
                continue
            self.tweets.setdefault(str(tweet_id), tweet)
        self.usernames.update(page.usernames)
        self.included.update(page.included)
        self.read += len(page.tweets) + len(page.included)


def _replied_to(tweet: Mapping[str, Any]) -> str | None:
    for ref in _refs(tweet):
        if ref.get("type") == "replied_to" and ref.get("id"):
            return str(ref["id"])
    return None


def _quoted(tweet: Mapping[str, Any]) -> str | None:
    for ref in _refs(tweet):
        if ref.get("type") == "quoted" and ref.get("id"):
            return str(ref["id"])
    return None


def _refs(tweet: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    refs = tweet.get("referenced_tweets") or []
    return [ref for ref in refs if isinstance(ref, Mapping)] if isinstance(refs, list) else []


class XStream:
    """One X timeline read with a since_id cursor; subclasses say which endpoint."""

    platform: str = Platform.X

    def __init__(
        self,
        name: str,
        client: XClient,
        brand: BrandAccount,
        clock: Clock,
        budget: ReadBudget | None = None,
        page_size: int = PAGE_SIZE,
        max_pages: int = MAX_PAGES_PER_FETCH,
    ) -> None:
        self.name = name
        self._client = client
        self._brand = brand
        self._clock = clock
        self._budget = budget
        self._page_size = page_size
        self._max_pages = max_pages
        self._blocked_until: datetime | None = None
        self._rejected: str | None = None

    def _request(self, brand_id: str, since_id: str | None, token: str | None) -> XPage:
        raise NotImplementedError

    def earliest_next_poll(self, now: datetime) -> datetime | None:
        """Not before this time: the rate-limit reset or the monthly read cap's pace (None: no limit)."""
        candidates = [t for t in (self._blocked_until,) if t is not None and t > now]
        if self._budget is not None:
            paced = self._budget.next_allowed(now)
            if paced is not None:
                candidates.append(paced)
        return max(candidates) if candidates else None

    def fetch(self, cursor: str | None) -> Batch:
        """New posts since the cursor (one page on the first poll; every missed page after downtime)."""
        now = self._clock.now()
        if self._rejected:
            raise AuthRejected(self._rejected)
        if self._blocked_until is not None:
            if now < self._blocked_until:
                raise RateLimited(f"{self.name}: waiting for X's rate-limit reset", self._blocked_until)
            self._blocked_until = None
        state = _Cursor.parse(cursor, self.name)
        month = f"{now:%Y-%m}"
        if state.month != month:
            state.month, state.reads = month, 0
        if self._budget is not None:
            self._budget.restore(self.name, month, state.reads)
            if self._budget.used >= self._budget.cap:
                _, month_end = _month_bounds(now)
                raise RateLimited(f"{self.name}: the monthly read cap is used up", month_end)
        try:
            brand_id = self._brand.user_id()
        except AuthRejected as exc:
            self._rejected = str(exc)
            raise
        sweep, state = self._sweep(brand_id, state)
        state.reads += sweep.read
        if self._budget is not None:
            self._budget.record(self.name, month, state.reads, sweep.read)
        mentions, replies = self._convert(sweep, brand_id)
        mentions.sort(key=lambda m: m.created_at)  # oldest first, so alerts go out in the order posted
        replies.sort(key=lambda r: r.created_at)
        return Batch(mentions=tuple(mentions), replies=tuple(replies), next_cursor=state.dump())

    def _sweep(self, brand_id: str, state: _Cursor) -> tuple[_Sweep, _Cursor]:
        sweep = _Sweep()
        first_run = state.fresh
        pages = 0
        asked: set[str | None] = set()  # the page tokens sent in this sweep
        while True:
            asked.add(state.token)
            try:
                page = self._request(brand_id, state.since_id, state.token)
            except _StaleCursor:
                if pages or first_run or (state.since_id is None and state.token is None):
                    raise
                if state.token:
                    log.warning("%s: X refused the stored page token; paging again from since_id", self.name)
                    state.token = state.newest_id = None
                else:
                    # since_id is older than X serves (7 days for search): page back through all it still
                    # has, as after any downtime; only a new install reads just the newest page
                    log.warning("%s: X refused since_id; paging back through every post X still serves", self.name)
                    state = _Cursor(month=state.month, reads=state.reads, fresh=False)
                continue
            except SourceError as exc:
                self._note_failure(exc)
                if pages == 0:
                    raise
                log.info("%s: stopped paging after %d pages (%s); resuming next poll", self.name, pages, exc)
                return sweep, state
            pages += 1
            sweep.add(page)
            if page.rate_remaining == 0 and page.rate_reset is not None:
                self._blocked_until = max(page.rate_reset, self._clock.now() + _MIN_DEFER)
            if state.newest_id is None:
                state.newest_id = page.newest_id
            state.token = page.next_token
            if state.token is not None and state.token in asked:
                # X handed back a token it already answered: paging on would read the same page up to
                # max_pages times, and resuming with it next poll would never reach the newer posts
                log.warning("%s: X repeated a page token; treating the sweep as complete", self.name)
                state.token = None
            more = state.token is not None and not first_run
            if not more or pages >= self._max_pages or self._blocked_until is not None:
                break
        if state.token is None or first_run:
            state.since_id = state.newest_id or state.since_id
            state.token = state.newest_id = None
        return sweep, state

    def _note_failure(self, exc: SourceError) -> None:
        if isinstance(exc, RateLimited):
            self._blocked_until = exc.retry_at
        elif isinstance(exc, AuthRejected):
            self._rejected = str(exc)

    def _convert(self, sweep: _Sweep, brand_id: str) -> tuple[list[Mention], list[Reply]]:
        # parents first: the shop's reply to its own reply may come before it (newest first)
        for tweet in (*sweep.tweets.values(), *sweep.included.values()):
            parent = _replied_to(tweet)
            if parent and str(tweet.get("author_id", "")) == brand_id and tweet.get("id"):
                self._brand.remember_reply(str(tweet["id"]), parent)
        mentions: list[Mention] = []
        replies: list[Reply] = []
        for tweet_id, tweet in sweep.tweets.items():
            try:
                item = self._item(tweet_id, tweet, sweep, brand_id)
            except (ValueError, TypeError) as exc:
                log.warning("%s: skipping malformed post %s (%s)", self.name, tweet_id, exc)
                continue
            if isinstance(item, Mention):
                mentions.append(item)
            elif isinstance(item, Reply):
                replies.append(item)
        return mentions, replies

    def _item(self, tweet_id: str, tweet: Mapping[str, Any], sweep: _Sweep, brand_id: str) -> Mention | Reply | None:
        missing = [key for key in ("text", "author_id", "created_at") if tweet.get(key) in (None, "")]
        if missing:
            raise ValueError(f"missing {', '.join(missing)}")
        created_at = parse_time(tweet["created_at"])
        if created_at is None:
            raise ValueError(f"unreadable created_at {str(tweet['created_at'])[:40]!r}")
        if any(ref.get("type") == "retweeted" for ref in _refs(tweet)):
            return None  # a plain retweet says nothing new
        author_id = str(tweet["author_id"])
        username = sweep.usernames.get(author_id)
        parent = _replied_to(tweet)
        if author_id == brand_id:
            # quoting a customer's post in public answers it as much as replying under it does
            parent = parent or _quoted(tweet)
            if parent is None:
                return None  # the shop's own post, never scored
            return Reply(
                platform=Platform.X,
                external_id=tweet_id,
                in_reply_to=self._customer_post(parent, sweep.included, brand_id),
                created_at=created_at,
                author=username or self._brand.username or "",
                text=post_text(tweet),
                url=tweet_url(tweet_id, username or self._brand.username),
            )
        lang = tweet.get("lang")
        return Mention(
            platform=Platform.X,
            external_id=tweet_id,
            author=username or author_id,
            text=post_text(tweet),
            created_at=created_at,
            author_id=author_id,
            lang=str(lang) if lang and lang != "und" else None,
            url=tweet_url(tweet_id, username),
            in_reply_to=parent,
            conversation_id=str(tweet["conversation_id"]) if tweet.get("conversation_id") else None,
        )

    def _customer_post(self, parent: str, included: Mapping[str, Mapping[str, Any]], brand_id: str) -> str:
        """Walk up from the post the shop answered while it is one of the shop's own replies."""
        seen = {parent}
        for _ in range(_MAX_WALK):
            ref = included.get(parent)
            is_brand = ref is not None and str(ref.get("author_id", "")) == brand_id
            grand = self._brand.parent_of(parent)
            if grand is None or (ref is not None and not is_brand) or grand in seen:
                return parent
            parent = grand
            seen.add(parent)
        return parent


class XMentionsSource(XStream):
    """Posts that mention the shop's account."""

    def __init__(self, client: XClient, brand: BrandAccount, clock: Clock, **kwargs: Any) -> None:
        super().__init__("x:mentions", client, brand, clock, **kwargs)

    def _request(self, brand_id: str, since_id: str | None, token: str | None) -> XPage:
        return self._client.mentions(brand_id, since_id, token, self._page_size)


class XSearchSource(XStream):
    """Recent posts matching a configured query (the shop's name without @, a hashtag)."""

    def __init__(self, client: XClient, brand: BrandAccount, clock: Clock, query: str, **kwargs: Any) -> None:
        super().__init__(f"x:search:{query}", client, brand, clock, **kwargs)
        self.query = query

    def _request(self, brand_id: str, since_id: str | None, token: str | None) -> XPage:
        return self._client.search(self.query, since_id, token, self._page_size)


class XBrandRepliesSource(XStream):
    """The shop's own posts, where its answers to customers are found."""

    def __init__(self, client: XClient, brand: BrandAccount, clock: Clock, **kwargs: Any) -> None:
        super().__init__("x:replies", client, brand, clock, **kwargs)

    def _request(self, brand_id: str, since_id: str | None, token: str | None) -> XPage:
        return self._client.user_tweets(brand_id, since_id, token, self._page_size)


def build_x_sources(
    bearer_token: str,
    clock: Clock,
    user_id: str | None = None,
    username: str | None = None,
    queries: Iterable[str] = (),
    api_base_url: str = DEFAULT_API_BASE_URL,
    timeout: timedelta = timedelta(seconds=15),
    monthly_read_cap: int | None = None,
) -> list[Source]:
    """The X streams for one shop account: mentions, each search query, and the shop's answers."""
    client = XClient(bearer_token, clock, api_base_url=api_base_url, timeout=timeout)
    brand = BrandAccount(client, user_id=user_id, username=username)
    budget = ReadBudget(monthly_read_cap, clock) if monthly_read_cap else None
    sources: list[Source] = [XMentionsSource(client, brand, clock, budget=budget)]
    for query in dict.fromkeys(q.strip() for q in queries if q.strip()):
        sources.append(XSearchSource(client, brand, clock, query, budget=budget))
    sources.append(XBrandRepliesSource(client, brand, clock, budget=budget))
    return sources
