"""judge(): how intents and a fixed polarity turn into complaint, severity and reasons (no scorer involved)."""

from __future__ import annotations

import pytest

from sentiment.complaint import INTENTS, find_intents, is_calm_question, judge
from sentiment.settings import INTENT_IDS, ComplaintSettings

NEGATIVE = {"negative": 0.95, "neutral": 0.03, "positive": 0.02}
CALM = {"negative": 0.10, "neutral": 0.30, "positive": 0.60}


def test_every_intent_id_the_config_accepts_has_rules() -> None:
    assert set(INTENTS) == set(INTENT_IDS)


@pytest.mark.parametrize(
    "text",
    [
        "czy mogę zwrócić buty jeśli nie pasują?",
        "czy moge zwrocic buty jesli nie pasuja?",
        "Zgubiłam paragon, czy mogę jeszcze zwrócić?",
        "Dzień dobry, czy wysyłacie do Niemiec?",
        "@shop can I return the shoes if they don't fit?",
        "Visszaküldhetem a cipőt, ha nem jó a méret?",
        "Szia! Mikor lesz újra M-es méret?",
        "Можно ли вернуть товар, если не подошёл размер?",
        "Здравствуйте, подскажите, сколько идёт возврат?",
        "Kann ich die Schuhe umtauschen?",
    ],
)
def test_a_calm_question_with_no_intent_is_not_escalated_on_its_score_alone(text: str) -> None:
    assert is_calm_question(text)
    assert find_intents(text) == []
    assert judge(text, NEGATIVE, ComplaintSettings()).complaint is False


@pytest.mark.parametrize(
    "text",
    [
        "can I return them if they don't fit",  # no question mark: not plainly a question
        "Can I get my money back?! It's a joke",  # "!" is not calm
        "can I speak to someone who knows anything? 😡",
        "Why is this taking so long?",  # no information-seeking opener
        "Is anyone working there?",
        "Really disappointed. Is this how you treat customers?",
    ],
)
def test_angry_or_unopened_questions_still_escalate_on_a_high_negative_score(text: str) -> None:
    assert not is_calm_question(text)
    verdict = judge(text, NEGATIVE, ComplaintSettings())
    assert verdict.complaint is True
    assert "negative 0.95" in verdict.reasons


def test_a_calm_question_with_an_intent_still_escalates() -> None:
    text = "Czy mogę wiedzieć, gdzie jest moja paczka? Nie doszła od 3 tygodni?"
    assert is_calm_question(text)
    verdict = judge(text, CALM, ComplaintSettings())
    assert verdict.complaint is True
    assert any("not delivered" in r for r in verdict.reasons)


def test_questions_need_intent_off_restores_escalation_on_the_score_alone() -> None:
    settings = ComplaintSettings(questions_need_intent=False)
    verdict = judge("can I return the shoes if they don't fit?", NEGATIVE, settings)
    assert verdict.complaint is True
    assert verdict.severity == "low"
    assert verdict.reasons == ("negative 0.95",)


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        ("Why is your customer service so terrible???", "customer service so terrible"),
        ("worst shop ever, never again.", "worst shop"),
        ("Czemu wasza obsługa jest tak beznadziejna???", "obsługa jest tak beznadziejn"),
        ("nie polecam!", "nie polecam"),
        ("Miért ilyen borzalmas az ügyfélszolgálatotok???", "borzalmas az ügyfélszolgálat"),
        ("Ez így elfogadható?! Soha többet", "Ez így elfogadható"),
        ("Почему у вас такой ужасный сервис???", "ужасный сервис"),
        ("больше никогда не закажу", "больше никогда"),
        ("Nie wieder bestelle ich hier", "Nie wieder"),
    ],
)
def test_poor_service_is_an_intent_with_the_customers_words(text: str, evidence: str) -> None:
    found = {m.intent: m.evidence for m in find_intents(text)}
    assert found.get("poor_service") == evidence
    verdict = judge(text, CALM, ComplaintSettings())
    assert verdict.complaint is True
    assert verdict.severity == "low"  # no medium intent, not negative enough for medium


@pytest.mark.parametrize(
    "text",
    [
        "soha többé nem nő vissza, 58.500 ft",  # a hair-removal advert
        "@user nie wieder, werd dich nicht mehr im stich lassen ❤",
        "lepšia cena už nikdy nebude",
        "nie polecam tego koloru do pracy, lepszy czarny",
        "never again will I doubt online shopping, this arrived in a day!",
        "Van valaki, aki tudja, mikor nyit a bolt?",
    ],
)
def test_never_again_and_kin_outside_a_vow_are_not_poor_service(text: str) -> None:
    assert "poor_service" not in {m.intent for m in find_intents(text)}
    assert "no_answer" not in {m.intent for m in find_intents(text)}


def test_poor_service_can_be_disabled_or_raised_like_any_intent() -> None:
    text = "worst customer service ever"
    assert judge(text, CALM, ComplaintSettings(disabled_intents=("poor_service",))).complaint is False
    assert judge(text, CALM, ComplaintSettings(medium_intents=("poor_service",))).severity == "medium"
