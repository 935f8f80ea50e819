"""The replay source: a JSON-lines file of sample mentions, played against the clock (demos, tests).

One item a line: `platform` (`x` or `facebook`), `id`, `author`, `text`,
`created_at` (ISO-8601 with a zone, or an offset from the start of the run
such as `-70m`, `+5m`, `-1h10m`), optional `lang`, `url`, `in_reply_to` (id of
an earlier item) and `from_brand`. Items dated in the future appear when the
clock reaches them. A brand item that replies to another item is the team's
answer. Bad lines are logged with their line number and skipped.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from monitor.clock import Clock
from monitor.models import Batch, Mention, Platform, Reply
from monitor.sources import Unavailable

log = logging.getLogger(__name__)

SAMPLE_FEED = Path(__file__).resolve().parent / "samples" / "shop_feed.jsonl"  # absolute: the default feed

_OFFSET = re.compile(r"^([+-])((?:\d+[dhms])+)$")
_OFFSET_PART = re.compile(r"(\d+)([dhms])")
_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
# a typo like -999999d would put the item before year 1 and fail every fetch; a millennium either
# way of any anchor this century stays inside the years a datetime can hold
_MAX_OFFSET = timedelta(days=365_000)


class ReplayFormatError(ValueError):
    """A line of the replay file is not a valid item."""


@dataclass(frozen=True, slots=True)
class ReplayItem:
    """One parsed line: either a fixed time or an offset from the run's start."""

    line: int
    platform: str
    id: str
    author: str
    text: str
    at: datetime | None
    offset: timedelta | None
    lang: str | None
    url: str | None
    in_reply_to: str | None
    from_brand: bool

    def created_at(self, anchor: datetime) -> datetime:
        """The item's time on a run that started at `anchor`."""
        if self.at is not None:
            return self.at
        assert self.offset is not None
        return anchor + self.offset


def parse_offset(value: str) -> timedelta:
    """Parse `-70m`, `+5m`, `-1h10m` into a signed timedelta."""
    match = _OFFSET.match(value.strip())
    if match is None:
        raise ReplayFormatError(f"created_at {value!r} is neither ISO-8601 with a zone nor an offset like -70m")
    seconds = sum(int(n) * _UNITS[u] for n, u in _OFFSET_PART.findall(match.group(2)))
    if seconds > _MAX_OFFSET.total_seconds():
        raise ReplayFormatError(f"created_at {value!r} is more than {_MAX_OFFSET.days} days away")
    return timedelta(seconds=seconds if match.group(1) == "+" else -seconds)


def _text_field(data: dict[str, Any], name: str, *, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None:
        if required:
            raise ReplayFormatError(f"missing field {name!r}")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ReplayFormatError(f"field {name!r} must be a string")
    return str(value)


def parse_item(line_no: int, raw: str) -> ReplayItem:
    """Parse one line of the replay format; raises ReplayFormatError saying what is wrong."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ReplayFormatError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    except (ValueError, RecursionError) as exc:  # a number over 4300 digits, nesting deeper than the stack
        raise ReplayFormatError(f"JSON that cannot be read ({str(exc)[:80]})") from None
    if not isinstance(data, dict):
        raise ReplayFormatError("expected a JSON object")
    platform = _text_field(data, "platform")
    if platform not in (Platform.X, Platform.FACEBOOK):
        raise ReplayFormatError(f"platform must be 'x' or 'facebook', got {platform!r}")
    item_id = _text_field(data, "id") or ""
    if not item_id.strip():
        raise ReplayFormatError("field 'id' is empty")
    created = _text_field(data, "created_at") or ""
    at: datetime | None = None
    offset: timedelta | None = None
    if created.strip()[:1] in "+-":
        offset = parse_offset(created)
    else:
        try:
            at = datetime.fromisoformat(created.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ReplayFormatError(f"created_at {created!r} is not ISO-8601") from None
        if at.tzinfo is None:
            raise ReplayFormatError(f"created_at {created!r} has no time zone")
        try:
            at.astimezone(UTC)  # the store keeps UTC: year 1 at +01:00 has no UTC time
        except OverflowError:
            raise ReplayFormatError(f"created_at {created!r} is out of range") from None
    from_brand = data.get("from_brand", False)
    if not isinstance(from_brand, bool):
        raise ReplayFormatError("field 'from_brand' must be true or false")
    return ReplayItem(
        line=line_no,
        platform=platform,
        id=item_id.strip(),
        author=_text_field(data, "author") or "",
        text=_text_field(data, "text") or "",
        at=at,
        offset=offset,
        lang=_text_field(data, "lang", required=False),
        url=_text_field(data, "url", required=False),
        in_reply_to=_text_field(data, "in_reply_to", required=False),
        from_brand=from_brand,
    )


def load_items(path: Path) -> list[ReplayItem]:
    """Read a replay file, logging and skipping bad lines (with their line numbers)."""
    items: list[ReplayItem] = []
    seen: set[tuple[str, str]] = set()
    with path.open("rb") as fh:
        for line_no, data in enumerate(fh, start=1):
            try:  # line by line, so one line saved in another encoding loses only itself
                raw = data.decode("utf-8-sig" if line_no == 1 else "utf-8")
            except UnicodeDecodeError:
                log.warning("%s:%d: skipped: not UTF-8 (save the file as UTF-8)", path, line_no)
                continue
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            try:
                item = parse_item(line_no, raw)
            except ReplayFormatError as exc:
                log.warning("%s:%d: skipped: %s", path, line_no, exc)
                continue
            if (item.platform, item.id) in seen:
                log.warning("%s:%d: skipped: duplicate id %s", path, line_no, item.id)
                continue
            seen.add((item.platform, item.id))
            items.append(item)
    return items


def _default_url(item: ReplayItem) -> str:
    if item.platform == Platform.X:
        return f"https://x.com/{item.author.lstrip('@') or 'i'}/status/{item.id}"
    return f"https://www.facebook.com/{item.id}"


class ReplaySource:
    """Plays a replay file against the clock; the cursor keeps the run's anchor across restarts."""

    platform = "replay"

    def __init__(self, path: Path, clock: Clock, name: str = "replay") -> None:
        self.path = Path(path)
        self.clock = clock
        self.name = name
        self._items: list[ReplayItem] | None = None
        self._mtime: float | None = None

    def items(self) -> list[ReplayItem]:
        """The file's valid items (re-read when the file changes)."""
        try:
            mtime = self.path.stat().st_mtime
        except OSError as exc:
            raise Unavailable(f"replay file {self.path}: {exc.strerror}") from exc
        if self._items is None or mtime != self._mtime:
            try:
                self._items = load_items(self.path)
            except OSError as exc:  # a folder, or a file the service's user may not read
                raise Unavailable(f"replay file {self.path}: {exc.strerror}") from exc
            self._mtime = mtime
        return self._items

    def fetch(self, cursor: str | None) -> Batch:
        """Items dated after the cursor's mark and not after now."""
        now = self.clock.now()
        anchor, upto = self._read_cursor(cursor, now)
        mentions: list[Mention] = []
        replies: list[Reply] = []
        for item in self.items():
            created = item.created_at(anchor)
            if created > now or (upto is not None and created <= upto):
                continue
            if item.from_brand and item.in_reply_to:
                replies.append(
                    Reply(
                        platform=item.platform,
                        external_id=item.id,
                        in_reply_to=item.in_reply_to,
                        created_at=created,
                        author=item.author,
                        text=item.text,
                        url=item.url or _default_url(item),
                    )
                )
                continue
            mentions.append(
                Mention(
                    platform=item.platform,
                    external_id=item.id,
                    author=item.author,
                    text=item.text,
                    created_at=created,
                    author_id=item.author,
                    lang=item.lang,
                    url=item.url or _default_url(item),
                    in_reply_to=item.in_reply_to,
                    from_brand=item.from_brand,
                )
            )
        next_cursor = json.dumps({"anchor": anchor.isoformat(), "upto": now.isoformat()})
        return Batch(tuple(mentions), tuple(replies), next_cursor)

    def remaining(self, cursor: str | None) -> int:
        """How many items are still dated after the cursor's mark."""
        now = self.clock.now()
        anchor, upto = self._read_cursor(cursor, now)
        if upto is None:
            return len(self.items())
        return sum(1 for item in self.items() if item.created_at(anchor) > upto)

    @staticmethod
    def _read_cursor(cursor: str | None, now: datetime) -> tuple[datetime, datetime | None]:
        if not cursor:
            return now, None
        try:
            data = json.loads(cursor)
            return datetime.fromisoformat(data["anchor"]), datetime.fromisoformat(data["upto"])
        except (ValueError, KeyError, TypeError):
            log.warning("replay cursor %r unreadable; starting the feed again", cursor)
            return now, None
