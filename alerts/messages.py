"""Pure Block Kit builders for the Slack alert, its thread replies and the managers' breach post.

Nothing here talks to Slack or reads the clock: every function takes the
escalation, its `SlaStatus` and `now`, and returns plain dicts that tests
snapshot. The suggested first reply comes from an editable YAML file of
templates per language and intent (`alerts/templates/replies.yaml`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from alerts.dismiss import DISMISS_REASONS, parse_reason
from alerts.notify import Digest
from alerts.sla import SlaState, SlaStatus
from alerts.text import human_duration, overdue_text, shorten
from monitor.models import Escalation, Outcome

ACTION_PREFIX = "replyclock:"
UNDETERMINED = "und"
ACKNOWLEDGE = f"{ACTION_PREFIX}acknowledge"
RESPOND = f"{ACTION_PREFIX}respond"
RESOLVE = f"{ACTION_PREFIX}resolve"
DISMISS = f"{ACTION_PREFIX}dismiss"

# An answer at the deadline itself is late: the deadline is the first late moment (alerts/sla.py).
AT_THE_DEADLINE = " — at the deadline itself (an answer is due before it)"

BUNDLED_TEMPLATES = Path(__file__).with_name("templates") / "replies.yaml"
STEPS = ("apologise", "restate", "next_step", "apologise_again")
HISTORY_DAYS = 30

_PLATFORM_NAMES = {"x": "X", "facebook": "Facebook"}
_STATE_LINE = {
    SlaState.ON_TRACK: (":large_green_circle:", "On track"),
    SlaState.AT_RISK: (":large_orange_circle:", "At risk"),
    SlaState.BREACHED: (":red_circle:", "Breached"),
}
_SEVERITY_MARK = {"high": ":rotating_light:", "medium": ":warning:", "low": ":speech_balloon:"}
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{6,}$")


# --- templates ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReplyTemplates:
    """Suggested first replies: per language, per intent, the four steps."""

    replies: Mapping[str, Mapping[str, Mapping[str, str]]]
    intents: Mapping[str, tuple[str, ...]]
    fallback_lang: str = "en"


class TemplateError(ValueError):
    """The reply templates file is unreadable or incomplete."""


def load_reply_templates(path: Path | None = None) -> ReplyTemplates:
    """Read and check a reply templates file (default: the bundled one)."""
    file = path or BUNDLED_TEMPLATES
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TemplateError(f"cannot read reply templates {file}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("replies"), dict):
        raise TemplateError(f"{file}: expected a mapping with `replies:`")
    replies: dict[str, dict[str, dict[str, str]]] = {}
    for lang, intents in data["replies"].items():
        if not isinstance(intents, dict) or "default" not in intents:
            raise TemplateError(f"{file}: replies.{lang} needs a `default` reply")
        replies[str(lang)] = {}
        for intent, steps in intents.items():
            missing = [s for s in STEPS if not isinstance(steps, dict) or not steps.get(s)]
            if missing:
                raise TemplateError(f"{file}: replies.{lang}.{intent} lacks {', '.join(missing)}")
            replies[str(lang)][str(intent)] = {s: str(steps[s]) for s in STEPS}
    fallback = str(data.get("fallback_lang", "en"))
    if fallback not in replies:
        raise TemplateError(f"{file}: fallback_lang {fallback!r} has no replies")
    intents_raw = data.get("intents") or {}
    intents = {str(k): tuple(str(p).lower() for p in (v or ())) for k, v in intents_raw.items()}
    return ReplyTemplates(replies=replies, intents=intents, fallback_lang=fallback)


def detect_intent(templates: ReplyTemplates, escalation: Escalation) -> str:
    """The first intent whose phrases occur in the post or the scorer's reasons; `default` otherwise."""
    haystack = " ".join([escalation.text, *escalation.reasons]).lower()
    for intent, phrases in templates.intents.items():
        if any(p and p in haystack for p in phrases):
            return intent
    return "default"


def suggest_reply(templates: ReplyTemplates, escalation: Escalation) -> tuple[str, str]:
    """The suggested first reply in the customer's language: (language used, text)."""
    lang = (escalation.lang or "").split("-", 1)[0].lower()
    if lang not in templates.replies:
        lang = templates.fallback_lang
    by_intent = templates.replies[lang]
    steps = by_intent.get(detect_intent(templates, escalation)) or by_intent["default"]
    values = {"quote": shorten(escalation.text, 140), "author": escalation.author}
    text = " ".join(_fill(steps[s], values) for s in STEPS)
    return lang, text


def language_label(lang: str | None) -> str:
    """The customer's language as the team reads it: the code, or that it was not identified."""
    # "und" is what the language identifier answers for a language it does not support (ISO 639-2)
    return lang if lang and lang != UNDETERMINED else "language not identified"


def _reply_heading(escalation: Escalation, used: str) -> str:
    asked = (escalation.lang or "").split("-", 1)[0].lower()
    if used == asked:
        return used
    if asked in ("", UNDETERMINED):
        return f"{used}, language not identified"
    return f"{used}, no {asked} template"


def _fill(template: str, values: Mapping[str, str]) -> str:
    # str.format would choke on stray braces in a team-edited file; replace the two names only
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


# --- small formatting helpers -----------------------------------------------------------------


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def who(actor: str | None) -> str:
    """A Slack user id as a mention (Slack shows the display name), anything else as written."""
    if not actor:
        return "the team"
    if _SLACK_USER.match(actor):
        return f"<@{actor}>"
    return escape(actor)


def mention_target(target: str | None) -> str:
    """`slack.mention_on_reminder` as mrkdwn: a user group id, a user id, `here`/`channel`, or as written."""
    if not target:
        return ""
    if target.startswith("<"):
        return target
    if target.startswith("S") and target[1:].isalnum() and target.isupper():
        return f"<!subteam^{target}>"
    if _SLACK_USER.match(target):
        return f"<@{target}>"
    if target.lstrip("@!") in ("here", "channel", "everyone"):
        return f"<!{target.lstrip('@!')}>"
    return escape(target)


def slack_date(when: datetime, fmt: str = "{time}") -> str:
    """A date Slack shows in each reader's own time zone, with a UTC fallback."""
    fallback = when.strftime("%H:%M UTC") if fmt == "{time}" else when.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(when.timestamp())}^{fmt}|{fallback}>"


def platform_name(platform: str) -> str:
    """X, Facebook, …"""
    return _PLATFORM_NAMES.get(platform, platform.capitalize())


def _quote(text: str, limit: int = 1500) -> str:
    body = escape(text if len(text) <= limit else text[: limit - 1] + "…")
    return "\n".join(f"> {line}" if line.strip() else ">" for line in body.splitlines() or [""])


def _plain(text: str, limit: int = 150) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:limit], "emoji": True}


def _md(text: str, limit: int = 3000) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text if len(text) <= limit else text[: limit - 1] + "…"}


# --- the alert ------------------------------------------------------------------------------


def clock_line(escalation: Escalation, sla: SlaStatus) -> str:
    """The clock as one mrkdwn line: state, time left or overdue, deadline; or the final state."""
    if sla.running:
        emoji, word = _STATE_LINE.get(sla.state, (":red_circle:", "Breached"))
        if sla.breached:
            line = (
                f"{emoji} *{word}* — overdue by *{overdue_text(sla.overdue)}* "
                f"(the answer was due {slack_date(sla.deadline)})"
            )
        else:
            line = f"{emoji} *{word}* — *{time_left_text(sla)}* left · answer by {slack_date(sla.deadline)}"
        if escalation.acknowledged_by:
            line += f"\n:raising_hand: {who(escalation.acknowledged_by)} is on it"
        return line
    return final_line(escalation, sla)


def time_left_text(sla: SlaStatus) -> str:
    """Minutes; in the last five minutes to ten seconds, as the countdown is updated more often then."""
    seconds = int(sla.time_left.total_seconds())
    if 60 <= seconds < 300:
        return f"{seconds // 60} min {seconds % 60 // 10 * 10:02d} s"
    return human_duration(sla.time_left)


def final_line(escalation: Escalation, sla: SlaStatus) -> str:
    """How the escalation ended: answered (in time or late), resolved, or not a complaint."""
    if sla.outcome == Outcome.DISMISSED:
        label = reason_label(escalation.dismiss_reason)
        reason = f" ({escape(label)})" if label else ""
        return f":no_entry_sign: *Not a complaint*{reason} — marked by {who(escalation.closed_by)}"
    if escalation.first_response_at is not None and sla.response_time is not None:
        took = human_duration(sla.response_time)
        via = f" ({escape(escalation.response_via)})" if escalation.response_via else ""
        if sla.state == SlaState.ANSWERED_LATE or sla.breached:
            head = f":warning: *Answered late*, in {took} by {who(escalation.responded_by)}{via}"
            over = sla.response_time - escalation.time_allowed
            # the deadline itself is late (alerts/sla.py): say why rather than "0 s over"
            head += f" — {human_duration(over)} over" if over >= timedelta(seconds=1) else AT_THE_DEADLINE
        else:
            head = f":white_check_mark: *Answered in {took}* by {who(escalation.responded_by)}{via}"
            if escalation.breach_withdrawn_at is not None and escalation.breached_at is not None:
                head += (
                    f"\n:leftwards_arrow_with_hook: The breach told at {slack_date(escalation.breached_at)} is "
                    f"withdrawn: this answer showed on {platform_name(escalation.platform)} only after the deadline"
                )
        if escalation.resolved_at is not None:
            head += f"\n:ballot_box_with_check: Resolved by {who(escalation.closed_by)}"
        return head
    if escalation.resolved_at is not None:
        took = human_duration(escalation.resolved_at - escalation.clock_started_at)
        if sla.breached:
            # the SLA log counts it breached: a plain "Resolved" would hide that from whoever reads the alert
            return (
                f":warning: *Resolved late*, after {took} by {who(escalation.closed_by)} — "
                f"no answer within {human_duration(escalation.time_allowed)} (breached)"
            )
        return f":ballot_box_with_check: *Resolved* by {who(escalation.closed_by)} after {took}"
    return ":ballot_box_with_check: *Closed*"


def reason_label(reason: str | None) -> str:
    """The words of a dismiss reason in any stored form (code, `code: note`, an old label or free text)."""
    return parse_reason(reason).label()


def history_line(past: Escalation, sla: SlaStatus) -> str:
    """One earlier complaint of the same author and how it ended."""
    when = slack_date(past.created_at, "{date_short}")
    text = escape(shorten(past.text, 80))
    if sla.outcome == Outcome.DISMISSED:
        end = "not a complaint"
    elif sla.response_time is not None:
        end = f"answered in {human_duration(sla.response_time)}" + (" (late)" if sla.breached else "")
        if past.responded_by:
            end += f" by {who(past.responded_by)}"
    elif sla.outcome == Outcome.RESOLVED:
        end = "resolved without a public answer"
    elif sla.breached:
        end = "*never answered* (breached)"
    else:
        end = "still open"
    return f"• {when}: “{text}” — {end}"


def alert_text(escalation: Escalation, sla: SlaStatus) -> str:
    """The notification fallback text of the alert (what phones and screen readers show)."""
    where = platform_name(escalation.platform)
    if sla.running:
        clock = f"overdue by {overdue_text(sla.overdue)}" if sla.breached else f"{human_duration(sla.time_left)} left"
    else:
        clock = _strip_mrkdwn(final_line(escalation, sla).split("\n", 1)[0])
    return f"Complaint on {where} from {escalation.author}: {clock}"


def _strip_mrkdwn(line: str) -> str:
    return re.sub(r":[a-z_]+: ", "", line).replace("*", "")


def alert_blocks(
    escalation: Escalation,
    sla: SlaStatus,
    *,
    history: Sequence[tuple[Escalation, SlaStatus]] = (),
    suggestion: tuple[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The alert message: header, the customer's words, why, the clock, history, a reply, buttons."""
    where = platform_name(escalation.platform)
    severity = escalation.severity or "complaint"
    mark = _SEVERITY_MARK.get(severity, ":rotating_light:") if sla.running else ":speech_balloon:"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": _plain(f"{where} complaint · {severity} severity")},
    ]
    link = f" · <{escalation.url}|open the post>" if escalation.url else ""
    blocks.append(
        {
            "type": "section",
            "block_id": "post",
            "text": _md(
                f"{mark} *{escape(escalation.author)}* on {where} ({language_label(escalation.lang)}){link}\n"
                f"{_quote(escalation.text)}"
            ),
        }
    )
    if escalation.reasons:
        why = " · ".join(escape(r) for r in escalation.reasons[:5])
        blocks.append({"type": "context", "elements": [_md(f"Flagged because: {why}")]})
    blocks.append({"type": "section", "block_id": "clock", "text": _md(clock_line(escalation, sla))})
    blocks.append({"type": "divider"})
    if history:
        lines = [history_line(past, past_sla) for past, past_sla in history[:5]]
        more = f"\n…and {len(history) - 5} more" if len(history) > 5 else ""
        head = f"*Earlier from {escape(escalation.author)} (last {HISTORY_DAYS} days)* — don't make them repeat it:"
        blocks.append({"type": "section", "block_id": "history", "text": _md(head + "\n" + "\n".join(lines) + more)})
    else:
        blocks.append(
            {
                "type": "context",
                "block_id": "history",
                "elements": [_md(f"No earlier complaints from {escape(escalation.author)} in {HISTORY_DAYS} days.")],
            }
        )
    if suggestion is not None and sla.running:
        lang, text = suggestion
        blocks.append(
            {
                "type": "section",
                "block_id": "reply",
                # it quotes the customer: escaped like every other customer text, or it could ping or mask a link
                "text": _md(f"*Suggested first reply* ({_reply_heading(escalation, lang)}):\n```{escape(text)}```"),
            }
        )
    actions = action_elements(escalation, sla)
    if actions:
        blocks.append({"type": "actions", "block_id": f"actions:{escalation.id}", "elements": actions})
    blocks.append({"type": "context", "elements": [_md(f"replyclock · escalation #{escalation.id}")]})
    return blocks


def action_elements(escalation: Escalation, sla: SlaStatus) -> list[dict[str, Any]]:
    """The buttons that still apply: none once resolved or dismissed, Resolve only once answered."""
    if escalation.resolved_at is not None or escalation.dismissed_at is not None:
        return []
    value = str(escalation.id)
    elements: list[dict[str, Any]] = []
    answered = escalation.first_response_at is not None
    if not answered and escalation.acknowledged_by is None:
        elements.append(
            {
                "type": "button",
                "action_id": ACKNOWLEDGE,
                "text": _plain("Acknowledge"),
                "style": "primary",
                "value": value,
            }
        )
    if not answered:
        elements.append({"type": "button", "action_id": RESPOND, "text": _plain("Responded"), "value": value})
    elements.append({"type": "button", "action_id": RESOLVE, "text": _plain("Resolve"), "value": value})
    elements.append(
        {
            "type": "static_select",
            "action_id": DISMISS,
            "placeholder": _plain("Not a complaint…"),
            "options": [{"text": _plain(label), "value": f"{value}:{code}"} for code, label in DISMISS_REASONS],
        }
    )
    return elements


# --- posts in the thread and to the managers ----------------------------------------------------


def reminder_text(escalation: Escalation, sla: SlaStatus, mention: str) -> str:
    """The reminder posted in the alert's thread."""
    who_line = f"{mention} " if mention else ""
    return (
        f"{who_line}:alarm_clock: *{human_duration(sla.time_left)} left* to answer "
        f"{escape(escalation.author)} on {platform_name(escalation.platform)} "
        f"(due {slack_date(sla.deadline)})."
    )


def breach_text(escalation: Escalation, sla: SlaStatus, permalink: str | None, owner: str | None) -> str:
    """The managers' post about a breach, linking to the alert."""
    link = _alert_link(permalink)
    owner_line = f" {who(owner)} acknowledged it." if owner else " Nobody has acknowledged it."
    return (
        f":red_circle: *SLA breached*: a complaint from {escape(escalation.author)} on "
        f"{platform_name(escalation.platform)} has had no answer for {human_duration(escalation.time_allowed)} "
        f"(“{escape(shorten(escalation.text, 120))}”). See {link}.{owner_line}"
    )


def _alert_link(permalink: str | None) -> str:
    return f"<{permalink}|the alert>" if permalink else "the alert in the alerts channel"


def _answer_facts(escalation: Escalation, sla: SlaStatus, found_at: datetime) -> tuple[datetime, str, str, str]:
    """What a withdrawn breach's texts say of the answer: when, how long after the post, by whom (" by …" or
    nothing) and on which platform."""
    answered_at = escalation.first_response_at or found_at
    took = human_duration(sla.response_time) if sla.response_time is not None else "?"
    by = f" by {who(escalation.responded_by)}" if escalation.responded_by else ""
    return answered_at, took, by, platform_name(escalation.platform)


def withdrawn_breach_post(
    escalation: Escalation, sla: SlaStatus, permalink: str | None, found_at: datetime
) -> tuple[str, list[dict[str, Any]]]:
    """The managers' breach post as edited once the breach is withdrawn: (fallback text, blocks)."""
    answered_at, took, by, where = _answer_facts(escalation, sla, found_at)
    # struck through, not dropped: whoever read the breach here recognises the post they saw
    head = ":white_check_mark: ~SLA breached~ *Breach withdrawn*"
    answered = (
        f"answered at {slack_date(answered_at)}{by}, {took} after the post — "
        f"within the {human_duration(escalation.time_allowed)} SLA"
    )
    quote = escape(shorten(escalation.text, 120))
    late = f"{where} showed the answer only at {slack_date(found_at)}, after this breach was posted"
    text = (
        f"{head}: the complaint from {escape(escalation.author)} on {where} (“{quote}”) was {answered}. "
        f"{late}. See {_alert_link(permalink)}."
    )
    told = f" at {slack_date(escalation.breached_at)}" if escalation.breached_at is not None else ""
    blocks: list[dict[str, Any]] = [
        {"type": "section", "block_id": "withdrawn", "text": _md(f"{head}: {answered}.")},
        {
            "type": "section",
            "block_id": "post",
            "text": _md(f"*{escape(escalation.author)}* on {where}: “{quote}” · See {_alert_link(permalink)}."),
        },
        {
            "type": "context",
            "elements": [
                _md(
                    f"This post told an SLA breach{told}; {late}. The SLA log counts it answered in time "
                    f"· replyclock · escalation #{escalation.id}"
                )
            ],
        },
    ]
    return text, blocks


def breach_withdrawn_text(escalation: Escalation, sla: SlaStatus, found_at: datetime) -> str:
    """The correction of a breach told: the customer had been answered in time, and the answer was found late."""
    answered_at, took, by, where = _answer_facts(escalation, sla, found_at)
    return (
        f":white_check_mark: *Breach withdrawn*: the complaint from {escape(escalation.author)} on {where} "
        f"(“{escape(shorten(escalation.text, 80))}”) had been answered at {slack_date(answered_at)}{by}, "
        f"{took} after the post — within the {human_duration(escalation.time_allowed)} allowed. {where} showed "
        f"the answer only at {slack_date(found_at)}, after the breach was told. The SLA log counts it answered "
        f"in time (escalation #{escalation.id})."
    )


def breach_thread_text(sla: SlaStatus) -> str:
    """The note in the alert's own thread when it breaches and there is no managers' channel to tell."""
    return (
        f":red_circle: The response time is over (due {slack_date(sla.deadline)}). No managers' channel is set "
        "(`slack.managers_channel`), so this thread is the only place the breach is told."
    )


def withdrawn_breach_thread_text(escalation: Escalation, sla: SlaStatus, found_at: datetime) -> str:
    """The breach note in the alert's own thread (no managers' channel) as edited once the breach is withdrawn."""
    answered_at, took, by, where = _answer_facts(escalation, sla, found_at)
    # struck through, not dropped: whoever read the breach here recognises the note they saw
    return (
        f":white_check_mark: ~The response time is over~ *Breach withdrawn*: answered at "
        f"{slack_date(answered_at)}{by}, {took} after the post — within the "
        f"{human_duration(escalation.time_allowed)} SLA. {where} showed the answer only at {slack_date(found_at)}, "
        "after this note was posted. The SLA log counts it answered in time."
    )


def late_thread_text(escalation: Escalation, sla: SlaStatus) -> str:
    """The note in the alert's thread of a complaint already past its deadline when replyclock first saw it."""
    seen_after = human_duration(escalation.opened_at - escalation.clock_started_at)
    return (
        f":hourglass: This complaint was already past its deadline when replyclock first saw it, {seen_after} "
        f"after it was posted (it was due {slack_date(sla.deadline, '{date_short_pretty} {time}')}). It counts as "
        "breached in the SLA log; the managers get one summary of such finds rather than a post for each. "
        "It still needs an answer."
    )


LATE_IDS_LISTED = 100  # a digest names at most this many escalations (the longest overdue first)


def late_digest_text(digest: Digest, links: Mapping[int, str]) -> str:
    """The managers' one post about the complaints a tick found already late, linking the alerts in `links`."""
    n = len(digest.items)
    plural = n != 1
    head = (
        f":hourglass: *{n} complaint{'s were' if plural else ' was'} already past "
        f"{'their' if plural else 'its'} deadline when replyclock first saw {'them' if plural else 'it'}*"
    )
    why = "; ".join(digest.why(lambda at: slack_date(at, "{date_short_pretty} {time}")))
    longest = digest.items[0]
    esc = longest.escalation
    listed = []
    for item in digest.items[:LATE_IDS_LISTED]:
        ident = f"#{item.escalation.id}"
        link = links.get(item.escalation.id)
        if link:
            listed.append(f"<{link}|{ident}> {escape(item.escalation.author)} ({overdue_text(item.overdue_when_seen)})")
        else:
            listed.append(ident)
    more = f" …and {n - LATE_IDS_LISTED} more" if n > LATE_IDS_LISTED else ""
    return "\n".join(
        [
            f"{head} — {why}.",
            f"Longest overdue: {escape(esc.author)} on {platform_name(esc.platform)}, "
            f"{overdue_text(longest.overdue_when_seen)} past its deadline when first seen.",
            f"{'They count' if plural else 'It counts'} as breaches in the SLA log (`replyclock report` marks them "
            "late when seen), not one post each here; each alert shows it overdue, with a note in its thread, "
            "so the team can still answer.",
            "Escalations: " + ", ".join(listed) + more,
        ]
    )


def refusal_text(action: str) -> str:
    """The ephemeral answer to a click by someone who may not act on alerts."""
    return (
        f":no_entry: Sorry, you are not allowed to {action} replyclock alerts. "
        "Ask an admin to add you to `slack.allowed_users` or the allowed user group."
    )
