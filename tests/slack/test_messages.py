"""The pure Block Kit builders and the reply templates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from alerts.messages import (
    TemplateError,
    action_elements,
    alert_blocks,
    alert_text,
    load_reply_templates,
    mention_target,
    suggest_reply,
    withdrawn_breach_post,
)
from alerts.sla import status
from monitor.models import Escalation, SlaPolicy

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
M = timedelta(minutes=1)
POLICY = SlaPolicy()


def esc(**kw) -> Escalation:
    base = dict(
        id=7,
        mention_id=7,
        platform="x",
        external_id="1859",
        author="@anka",
        text="Paczka nie doszła <3 & nic",
        lang="pl",
        created_at=T0,
        opened_at=T0,
        severity="high",
        reasons=("intent: nie doszła", "negative 0.91"),
        url="https://x.com/anka/status/1859",
    )
    base.update(kw)
    started = base["created_at"]
    return Escalation(**base, clock_started_at=started, deadline=started + POLICY.response_time)


def test_open_alert_snapshot() -> None:
    e = esc()
    blocks = alert_blocks(e, status(e, POLICY, T0 + 18 * M), suggestion=("pl", "Przepraszamy."))
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "X complaint · high severity", "emoji": True},
    }
    assert blocks[1]["text"]["text"] == (
        ":rotating_light: *@anka* on X (pl) · <https://x.com/anka/status/1859|open the post>\n"
        "> Paczka nie doszła &lt;3 &amp; nic"
    )
    assert blocks[2]["elements"][0]["text"] == "Flagged because: intent: nie doszła · negative 0.91"
    assert blocks[3]["text"]["text"] == (
        ":large_green_circle: *On track* — *42 min* left · answer by <!date^1793613600^{time}|10:00 UTC>"
    )
    assert blocks[5]["elements"][0]["text"] == "No earlier complaints from @anka in 30 days."
    assert blocks[6]["text"]["text"] == "*Suggested first reply* (pl):\n```Przepraszamy.```"
    assert [e.get("action_id") for e in blocks[7]["elements"]] == [
        "replyclock:acknowledge",
        "replyclock:respond",
        "replyclock:resolve",
        "replyclock:dismiss",
    ]


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (35, ":large_orange_circle: *At risk* — *25 min* left"),
        (57.5, ":large_orange_circle: *At risk* — *2 min 30 s* left"),
        (73, ":red_circle: *Breached* — overdue by *13 min*"),
    ],
)
def test_clock_states(minutes: float, expected: str) -> None:
    e = esc()
    blocks = alert_blocks(e, status(e, POLICY, T0 + minutes * M))
    assert blocks[3]["text"]["text"].startswith(expected)


def test_final_states_drop_the_buttons_that_no_longer_apply() -> None:
    answered = esc(first_response_at=T0 + 23 * M, responded_by="UANNA0001", acknowledged_by="UANNA0001")
    sla = status(answered, POLICY, T0 + 30 * M)
    blocks = alert_blocks(answered, sla, suggestion=("pl", "x"))
    assert blocks[3]["text"]["text"] == ":white_check_mark: *Answered in 23 min* by <@UANNA0001>"
    assert [e["action_id"] for e in action_elements(answered, sla)] == ["replyclock:resolve", "replyclock:dismiss"]
    assert not any(b.get("block_id") == "reply" for b in blocks)
    assert alert_text(answered, sla) == "Complaint on X from @anka: Answered in 23 min by <@UANNA0001>"
    dismissed = esc(dismissed_at=T0 + 5 * M, closed_by="UBEA", dismiss_reason="joke")
    sla = status(dismissed, POLICY, T0 + 6 * M)
    assert action_elements(dismissed, sla) == []
    assert "*Not a complaint* (Joke or sarcasm) — marked by UBEA" in alert_blocks(dismissed, sla)[3]["text"]["text"]


def test_history_says_how_earlier_complaints_ended() -> None:
    e = esc(id=9, created_at=T0 + 3 * 24 * 60 * M, opened_at=T0 + 3 * 24 * 60 * M)
    past_ok = esc(id=3, first_response_at=T0 + 12 * M, responded_by="@sklep")
    past_bad = esc(id=4, text="still nothing", created_at=T0 + M, opened_at=T0 + M)
    now = e.created_at
    blocks = alert_blocks(
        e,
        status(e, POLICY, now),
        history=[(past_ok, status(past_ok, POLICY, now)), (past_bad, status(past_bad, POLICY, now))],
    )
    text = next(b for b in blocks if b.get("block_id") == "history")["text"]["text"]
    assert "answered in 12 min by @sklep" in text and "*never answered* (breached)" in text


@pytest.mark.parametrize(
    ("lang", "text", "start", "quote"),
    [
        ("pl", "paczka nie dotarła", "Dzień dobry @k, bardzo przepraszamy, że zamówienie", "„paczka nie dotarła”"),
        ("hu", "a csomag nem érkezett meg", "Kedves @k, nagyon sajnáljuk, hogy a rendelésed még", "„a csomag"),
        ("ru", "посылка сломана", "Здравствуйте, @k! Нам очень жаль, что заказ пришёл повреждённым", "«посылка"),
        ("de", "Ich will eine Rückerstattung", "Hallo @k, es tut uns leid, dass die Erstattung", "„Ich will"),
        ("en", "terrible service", "Hi @k, we are really sorry about this.", '"terrible service"'),
        ("cs", "balík nedorazil", "Hi @k, we are really sorry", '"balík nedorazil"'),
    ],
)
def test_suggested_reply_in_the_customers_language(lang, text, start, quote) -> None:
    lang_used, reply = suggest_reply(load_reply_templates(), esc(lang=lang, text=text, author="@k", reasons=()))
    assert reply.startswith(start) and quote in reply
    assert lang_used == (lang if lang != "cs" else "en")
    assert (
        reply.count("orry")
        + reply.count("rzeprasz")
        + reply.count("sajnál")
        + reply.count("звин")
        + reply.count("leid")
        + reply.count("ntschuld")
        + reply.count("жаль")
        + reply.count("elnézést")
        >= 2
    )


def test_a_broken_template_file_is_a_clear_error(tmp_path) -> None:
    bad = tmp_path / "r.yaml"
    bad.write_text("replies:\n  en:\n    default:\n      apologise: hi\n")
    with pytest.raises(TemplateError, match=r"replies.en.default lacks restate, next_step, apologise_again"):
        load_reply_templates(bad)


def test_mention_targets() -> None:
    assert mention_target("S0SOCIAL") == "<!subteam^S0SOCIAL>"
    assert mention_target("UANNA0001") == "<@UANNA0001>"
    assert mention_target("here") == "<!here>"
    assert mention_target(None) == ""


def test_the_customers_words_in_the_suggested_reply_cannot_ping_the_channel_or_mask_a_link() -> None:
    # a Facebook comment arrives raw: Slack's <!channel> and <url|label> syntax must stay text
    e = esc(platform="facebook", author="Jan <!here>", text="<!channel> zwrot <https://phish.example|zaloguj się>")
    blocks = alert_blocks(e, status(e, POLICY, T0 + M), suggestion=suggest_reply(load_reply_templates(), e))
    shown = str(blocks)
    assert "<!channel>" not in shown and "<!here>" not in shown and "<https://phish" not in shown
    assert "&lt;!channel&gt;" in blocks[-3]["text"]["text"]


@pytest.mark.parametrize(
    ("lang", "shown", "reply_header"),
    [
        ("und", "on X (language not identified)", "*Suggested first reply* (en, language not identified):"),
        ("cs", "on X (cs)", "*Suggested first reply* (en, no cs template):"),
        ("de", "on X (de)", "*Suggested first reply* (de):"),
    ],
)
def test_the_alert_says_when_the_language_is_unknown_and_why_the_reply_is_in_english(lang, shown, reply_header) -> None:
    e = esc(lang=lang, text="Voy a pedir un chargeback a mi banco", reasons=("intent: legal or public threat",))
    blocks = alert_blocks(e, status(e, POLICY, T0 + M), suggestion=suggest_reply(load_reply_templates(), e))
    assert shown in blocks[1]["text"]["text"]
    reply = next(b for b in blocks if b.get("block_id") == "reply")["text"]["text"]
    assert reply.startswith(reply_header)


def test_resolved_without_an_answer_after_the_deadline_still_says_it_breached() -> None:
    # the report counts it breached: the alert must not turn into a plain "Resolved" that hides it
    late = esc(resolved_at=T0 + 90 * M, closed_by="UANNA0001")
    sla = status(late, POLICY, T0 + 95 * M)
    line = alert_blocks(late, sla)[3]["text"]["text"]
    assert line == (
        ":warning: *Resolved late*, after 1 h 30 min by <@UANNA0001> — no answer within 1 h 00 min (breached)"
    )
    assert alert_text(late, sla).startswith("Complaint on X from @anka: Resolved late, after 1 h 30 min")
    in_time = esc(resolved_at=T0 + 20 * M, closed_by="UANNA0001")
    assert alert_blocks(in_time, status(in_time, POLICY, T0 + 95 * M))[3]["text"]["text"] == (
        ":ballot_box_with_check: *Resolved* by <@UANNA0001> after 20 min"
    )


def test_an_answer_at_the_deadline_itself_is_late_and_says_so_without_0_s_over() -> None:
    # the rule (alerts/sla.py): the deadline is the first late moment; an answer is due before it
    deadline = T0 + POLICY.response_time
    at_deadline = esc(first_response_at=deadline, responded_by="@sklep_demo")
    sla = status(at_deadline, POLICY, deadline + M)
    assert sla.breached and str(sla.outcome) == "breached"
    line = alert_blocks(at_deadline, sla)[3]["text"]["text"]
    assert "*Answered late*, in 1 h 00 min" in line
    assert "0 s over" not in line and "at the deadline itself" in line, line
    assert "0 s" not in alert_text(at_deadline, sla)
    just_before = esc(first_response_at=deadline - timedelta(seconds=1), responded_by="@sklep_demo")
    sla = status(just_before, POLICY, deadline + M)
    assert not sla.breached
    assert alert_blocks(just_before, sla)[3]["text"]["text"].startswith(":white_check_mark: *Answered in 59 min*")
    one_second_late = esc(first_response_at=deadline + timedelta(seconds=1), responded_by="@sklep_demo")
    line = alert_blocks(one_second_late, status(one_second_late, POLICY, deadline + M))[3]["text"]["text"]
    assert "— 1 s over" in line


def test_a_clock_that_runs_out_this_very_second_is_never_overdue_by_0_s() -> None:
    e = esc()
    deadline = T0 + POLICY.response_time
    sla = status(e, POLICY, deadline)
    assert sla.breached
    assert "0 s" not in alert_blocks(e, sla)[3]["text"]["text"]
    assert "0 s" not in alert_text(e, sla)


def test_the_breach_post_marked_withdrawn_keeps_the_customers_words_inert() -> None:
    e = esc(
        platform="facebook",
        author="Jan <!here>",
        text="<!channel> zwrot <https://phish.example|zaloguj się>",
        first_response_at=T0 + 40 * M,
        responded_by="UANNA0001",
        breached_at=T0 + 60 * M,
        breach_withdrawn_at=T0 + 70 * M,
    )
    text, blocks = withdrawn_breach_post(e, status(e, POLICY, T0 + 70 * M), None, T0 + 70 * M)
    shown = text + str(blocks)
    assert "<!channel>" not in shown and "<!here>" not in shown and "<https://phish" not in shown
    assert "answered at <!date^" in text and "by <@UANNA0001>, 40 min after the post" in text
    assert "See the alert in the alerts channel." in text  # no permalink: the alert named, not linked
    assert blocks[0]["text"]["text"].startswith(":white_check_mark: ~SLA breached~ *Breach withdrawn*: answered at")
