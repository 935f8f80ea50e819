"""What the social team's handling of each escalation says about its post: a complaint, none, or nothing.

Training data for the complaint classifier (`replyclock verdicts export`, docs/sentiment.md). Read from
the stored timestamps, in this order:

- dismissed as `praise`, `question`, `joke` or `not_ours`: **not a complaint**. Dismissal wins over an
  answer: the team may thank for praise on the platform and still dismiss the alert as praise.
- dismissed as `spam` or `duplicate`, with a free-text (`other`) reason, or with none: **left out**.
  Spam and duplicates say nothing about whether such words are a complaint, and free text is no verdict.
- answered (on the platform or marked by hand, acknowledged first or not, in time or late) or resolved
  without an answer: **a complaint**, one the team took on; **left out** when it was escalated with no
  complaint intent (on its negative score or the classifier's likeness alone) and the analyzer's praise rule
  reads its text as praise: the answer was then most likely a thank-you, and the team never said either way.
- anything else is **left out**: still open (acknowledging claims an alert, it does not judge it), or
  breached with nobody answering, resolving or dismissing it.

Only posts replyclock escalated are in the store: complaints it missed never reach the team, so these
verdicts teach the classifier about its false alarms more than about what it misses.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from alerts.dismiss import parse_reason
from monitor.models import Escalation

# dismissed for one of these, the post was judged and found no complaint
NOT_A_COMPLAINT = ("praise", "question", "joke", "not_ours")
# how sentiment.complaint.judge begins the reason of each complaint intent it found (a test ties the two)
INTENT_REASON = "intent: "
# The models read every @handle as the same token (sentiment.text.normalize), so the file can name nobody;
# an e-mail address goes whole, its local part too.
_HANDLE = re.compile(r"[\w.+-]*@[\w-]+(?:\.[\w-]+)*")
MASKED_HANDLE = "@user"
# A phone, order, parcel or account number, a postcode: digits with the separators people write between them
# (+48 601-234-567, 8 (912) 345-67-89, 06-1/234-5678). The models read every digit run as "0", so a number
# written in zeros reads the same to them; one of fewer than 4 digits (3 days, size 38) identifies nobody.
_NUMBER = re.compile(r"\+?\(?\d[\d ().\-/]*\d")
_NUMBER_DIGITS = 4
_DIGIT = re.compile(r"\d")
# A name in a text (the author's, as the platform gave it). Not @user: the models learnt that handles are
# the tweets' and no complaints, and would read a named complaint as less of one (docs/sentiment.md).
MASKED_NAME = "[name]"
# The letters a name's letter may be typed as: its accented forms and the plain one ("Kovacs" is Kovács).
_PLAIN = {"ł": "l", "ø": "o", "đ": "d"}


def _plain(char: str) -> str:
    lower = char.lower()
    return _PLAIN.get(lower) or unicodedata.normalize("NFD", lower)[0]


def _build_spellings() -> dict[str, str]:
    """Each plain Latin letter and every letter that folds to it, either case ("c" -> "CcÇçĆćĈĉĊċČč")."""
    spellings: dict[str, str] = {}
    for code in range(0x41, 0x250):
        char = chr(code)
        if char.isalpha():
            spellings[_plain(char)] = spellings.get(_plain(char), "") + char
    return spellings


_SPELLINGS = _build_spellings()


def mask_handles(text: str) -> str:
    """`text` with every @handle and e-mail address written as @user: who wrote, was tagged or left an
    address teaches the models nothing."""
    return _HANDLE.sub(MASKED_HANDLE, text)


def _spelt(part: str) -> str:
    return "".join(f"[{re.escape(_SPELLINGS.get(_plain(c), '') + c)}]" for c in part)


def _name_pattern(parts: list[str]) -> re.Pattern[str]:
    # the name as given and with its last part first (Hungarian order, a signature "Kowalska Anna")
    orders = dict.fromkeys([tuple(parts), (parts[-1], *parts[:-1])])
    spelt = ["\\s+".join(_spelt(p) for p in order) for order in orders]
    return re.compile(r"(?<!\w)(?:" + "|".join(spelt) + r")(?!\w)", re.IGNORECASE)


def _mask_number(match: re.Match[str]) -> str:
    number = match.group()
    return _DIGIT.sub("0", number) if len(_DIGIT.findall(number)) >= _NUMBER_DIGITS else number


def mask_person(text: str, author: str) -> str:
    """`text` naming nobody: @handles and e-mail addresses as @user, the `author`'s name (whole in any case,
    a part of it as a name is written, capitalised) as [name], and numbers of 4 digits or more in zeros."""
    text = mask_handles(text)
    parts = [p for p in (w.strip(".,;:!?()\"'") for w in author.lstrip("@").split()) if len(p) >= 2]
    if parts:
        text = _name_pattern(parts).sub(MASKED_NAME, text)
        if len(parts) > 1:  # "Nagy" alone is also the word for big: only as a name is written
            one = re.compile(r"(?<!\w)(?:" + "|".join(_spelt(p) for p in parts) + r")(?!\w)", re.IGNORECASE)
            text = one.sub(lambda m: MASKED_NAME if m.group()[0].isupper() else m.group(), text)
    return _NUMBER.sub(_mask_number, text)


@dataclass(frozen=True, slots=True)
class TeamVerdict:
    """One escalated post and whether the team treated it as a complaint; `why` says from what."""

    escalation_id: int
    complaint: bool
    lang: str
    text: str
    why: str


@dataclass(frozen=True, slots=True)
class TeamVerdicts:
    """The verdicts read from some escalations, and how many were left out for each reason."""

    verdicts: tuple[TeamVerdict, ...] = ()
    left_out: Counter[str] = field(default_factory=Counter)


def verdict_of(escalation: Escalation, reads_as_praise: Callable[[str], bool] | None = None) -> tuple[bool | None, str]:
    """Whether the team treated the post as a complaint (None: no verdict), and why, in a few words.

    `reads_as_praise` (the analyzer's praise rule) leaves out an answered or resolved post escalated with no
    complaint intent whose text it reads as praise: answering it says nothing, the team may have thanked."""
    if escalation.dismissed_at is not None:
        code = parse_reason(escalation.dismiss_reason).code
        if code in NOT_A_COMPLAINT:
            return False, f"dismissed as {code}"
        if code is None:
            return None, "dismissed without a reason"
        return None, f"dismissed as {code}"
    if escalation.first_response_at is not None:
        taken_on = "answered"
    elif escalation.resolved_at is not None:
        taken_on = "resolved"
    elif escalation.breached_at is not None:
        return None, "breached without an answer"
    else:
        return None, "open"
    if (
        reads_as_praise is not None
        and not any(reason.startswith(INTENT_REASON) for reason in escalation.reasons)
        and reads_as_praise(escalation.text)
    ):
        return None, f"{taken_on} praise without an intent"
    return True, taken_on


def team_verdicts(
    escalations: Iterable[Escalation], reads_as_praise: Callable[[str], bool] | None = None
) -> TeamVerdicts:
    """The verdicts of `escalations`, in their order, and the counts of those left out by reason (see
    `verdict_of` for `reads_as_praise`)."""
    verdicts: list[TeamVerdict] = []
    left_out: Counter[str] = Counter()
    for escalation in escalations:
        complaint, why = verdict_of(escalation, reads_as_praise)
        if complaint is None:
            left_out[why] += 1
        elif not escalation.text.strip():
            left_out["no text"] += 1  # a photo-only comment: nothing to learn from
        else:
            masked = mask_person(escalation.text, escalation.author)
            verdicts.append(TeamVerdict(escalation.id, complaint, escalation.lang, masked, why))
    return TeamVerdicts(tuple(verdicts), left_out)


def _by_lang(verdicts: Iterable[TeamVerdict]) -> str:
    counts = Counter(v.lang for v in verdicts)
    return ", ".join(f"{lang} {n}" for lang, n in sorted(counts.items()))


def summary(found: TeamVerdicts) -> str:
    """Counts per label and language, and of those left out per reason, in one line each."""
    complaints = [v for v in found.verdicts if v.complaint]
    others = [v for v in found.verdicts if not v.complaint]
    line = f"{len(found.verdicts)} verdicts: {len(complaints)} complaints"
    line += f" ({_by_lang(complaints)})" if complaints else ""
    line += f", {len(others)} not complaints" + (f" ({_by_lang(others)})" if others else "")
    left = sum(found.left_out.values())
    reasons = ", ".join(f"{n} {why}" for why, n in sorted(found.left_out.items(), key=lambda item: (-item[1], item[0])))
    return f"{line}\nleft out {left}" + (f": {reasons}" if reasons else "")


def export_comments(now: datetime, since: datetime | None, until: datetime | None = None) -> list[str]:
    """The comment lines heading an exported file: what it holds and how its labels were read."""

    def stamp(at: datetime) -> str:
        return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")

    if since is not None and until is not None:
        posts = f"posts from {stamp(since)} to {stamp(until)}"
    elif since is not None:
        posts = f"posts since {stamp(since)}"
    elif until is not None:
        posts = f"posts before {stamp(until)}"
    else:
        posts = "every escalated post in the store"
    return [
        f"The social team's verdicts on escalated posts ({posts}), exported by `replyclock verdicts export` "
        f"on {stamp(now)}.",
        "complaint: 1 = answered (on the platform or by hand) or resolved; 0 = dismissed as praise, a question, "
        "a joke or about someone else.",
        "Left out: spam, duplicates, other or no dismiss reason, open escalations, breaches nobody answered, "
        "and answered or resolved praise escalated without a complaint intent (a thank-you is no verdict).",
        "lang = what the language identifier answered when the post was escalated. Masked: @handles and e-mail "
        "addresses (@user), the author's name ([name]), numbers of 4 digits or more (zeros).",
        "Other names, addresses and shorter numbers are not: customer texts, keep this file private.",
        "Train with: python scripts/train_complaint.py --extra THIS_FILE --out WEIGHTS (docs/sentiment.md).",
    ]
