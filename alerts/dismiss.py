"""Why an escalation was dismissed as "not a complaint": one stable code, and optional free text.

Slack's menu offers the codes of `DISMISS_REASONS`; `replyclock act ID dismiss --reason TEXT` takes
a code (`spam`), a code and a note (`spam: a bot reposting the ad`), a menu label, text whose first
word is a code (`Duplicate of #12` is kept as `duplicate: of #12`, `spam, bot account` as
`spam: bot account`), or other free text (kept as `other: TEXT`). Either way the store keeps one
form, `code` or `code: note`, so that the report groups them. Reasons stored before this form (the
menu's label from Slack, the CLI's text as written) read back as codes too: no migration rewrites
them, and a stored row reads as it always did (the first-word rule applies to what is given, not
to what was stored: `other: Duplicate of #12` stays `other`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# "Not a complaint" asks why: the reason is recorded and feeds the scorer's quality figures.
DISMISS_REASONS: tuple[tuple[str, str], ...] = (
    ("praise", "Praise or neutral"),
    ("question", "A question, not a complaint"),
    ("joke", "Joke or sarcasm"),
    ("spam", "Spam or a bot"),
    ("not_ours", "About someone else"),
    ("duplicate", "Duplicate of another alert"),
)
OTHER = "other"  # free text that names none of the reasons above
LABELS = {**dict(DISMISS_REASONS), OTHER: "Other"}
# what the engine recorded as the detail of an action given without one: not a reason
_NO_REASON = {"", "by hand"}


@dataclass(frozen=True, slots=True)
class DismissReason:
    """A dismiss reason: its code (None when nobody gave one) and the free text with it."""

    code: str | None
    note: str | None = None

    def stored(self) -> str:
        """The one form the store keeps: `code` or `code: note` (empty when no reason was given)."""
        if self.code is None:
            return ""
        return f"{self.code}: {self.note}" if self.note else self.code

    def label(self) -> str:
        """The reason in words, e.g. `Joke or sarcasm` or `Other: the customer was joking`."""
        if self.code is None:
            return ""
        words = LABELS.get(self.code, self.code)
        return f"{words}: {self.note}" if self.note else words


def _code_of(words: str) -> str | None:
    """The code that `words` names (a code or a menu label, in any case), or None."""
    folded = words.strip().casefold()
    for code, label in LABELS.items():
        if folded in (code, label.casefold(), code.replace("_", " ")):
            return code
    return None


def parse_reason(text: str | None) -> DismissReason:
    """Read a reason in any form it was ever given or stored: code, `code: note`, menu label, free text."""
    text = (text or "").strip()
    if text.casefold() in _NO_REASON:
        return DismissReason(None)
    code = _code_of(text)
    if code is not None:
        return DismissReason(code)
    head, sep, note = text.partition(":")
    code = _code_of(head) if sep else None
    if code is not None:
        return DismissReason(code, note.strip() or None)
    return DismissReason(OTHER, text)


# A reason whose first word is a code (or that starts with a menu label) names that reason: "Duplicate of
# #12", "spam, bot account", "not ours - another shop". Only at the start: "not spam, just a question" is
# free text. Not `other`, whose word in free text ("other shop's parcel") belongs to the note.
_NAMES = sorted(
    {name for code, label in DISMISS_REASONS for name in (code, code.replace("_", " "), label)}, key=len, reverse=True
)
_LEADING_CODE = re.compile(
    r"(?P<name>{})(?:\s*[:,\-\u2013\u2014]|\s|$)(?P<note>.*)".format("|".join(map(re.escape, _NAMES))),
    re.IGNORECASE | re.DOTALL,
)


def parse_given_reason(text: str | None) -> DismissReason:
    """Read a reason as someone gives it now: any form `parse_reason` reads, or text that starts with a code."""
    reason = parse_reason(text)
    words = (text or "").strip()
    if reason != DismissReason(OTHER, words):  # a code, `code: note`, a label: not free text
        return reason
    match = _LEADING_CODE.fullmatch(words)
    if match is None:
        return reason
    note = match["note"].lstrip(" \t\n:,-\u2013\u2014").strip()
    return DismissReason(_code_of(match["name"]), note or None)


def normalise_reason(text: str | None) -> str:
    """The stored form of a reason given as a code, `code: note`, menu label, code-first text or free text."""
    return parse_given_reason(text).stored()
