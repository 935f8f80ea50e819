"""Golden shop messages per language: what the team wants to see escalated, and what not."""

from __future__ import annotations

import pytest

from sentiment.factory import build_analyzer
from sentiment.settings import SentimentSettings

# (text, expected language, complaint?, expected severity or None, intent words that must be in reasons)
GOLDEN = [
    # Polish
    ("Moja paczka nie doszła, czekam już 3 tygodnie!", "pl", True, None, "not delivered"),
    ("paczka nie doszla, czekam juz 3 tygodnie", "pl", True, None, "not delivered"),
    ("Gdzie jest moje zamówienie #4411?", "pl", True, None, "not delivered"),
    ("Przyszła zniszczona kurtka, pudełko rozdarte", "pl", True, "medium", "damaged"),
    ("Odmówiliście zwrotu pieniędzy, to skandal", "pl", True, "medium", "refund"),
    ("Zgłaszam sprawę do UOKiK i do rzecznika praw konsumenta", "pl", True, "high", "legal"),
    ("Pobrali mi pieniądze dwa razy za jedno zamówienie", "pl", True, "medium", "charged twice"),
    ("Czy wysyłacie też na Węgry?", "pl", False, None, ""),
    ("Dziękuję, wszystko dotarło szybko, polecam!", "pl", False, None, ""),
    ("Kocham tę sukienkę, ale paczka przyszła uszkodzona", "pl", True, "medium", "damaged"),
    ("Super, kolejny tydzień i nadal nie ma paczki. Brawo!", "pl", True, None, "not delivered"),
    # Hungarian
    ("Még mindig nem érkezett meg a csomagom, három hete várok!", "hu", True, None, "not delivered"),
    ("meg mindig nem erkezett meg a csomagom", "hu", True, None, "not delivered"),
    ("Hol van a rendelésem? Senki nem válaszol", "hu", True, "medium", "no answer"),
    ("Sérült termék jött, a doboz szakadt", "hu", True, "medium", "damaged"),
    ("Elutasították a visszatérítést, ügyvédhez fordulok", "hu", True, "high", "legal"),
    ("Kétszer vonták le az összeget a kártyámról", "hu", True, "medium", "charged twice"),
    ("Köszönöm, gyors szállítás, minden rendben volt!", "hu", False, None, ""),
    ("Mikor nyit a bolt hétfőn?", "hu", False, None, ""),
    ("Imádom a ruhát, de hibás a cipzár", "hu", True, "medium", "damaged"),
    ("Fogyasztóvédelemhez fordulok, ez csalás", "hu", True, "high", "legal"),
    # Russian
    ("Где мой заказ? Жду уже три недели", "ru", True, None, "not delivered"),
    ("Заказ так и не пришел, никто не отвечает", "ru", True, "medium", "no answer"),
    ("Пришла посылка, коробка порвана и товар сломан", "ru", True, "medium", "damaged"),
    ("Отказали в возврате денег, буду писать в Роспотребнадзор", "ru", True, "high", "legal"),
    ("Списали деньги дважды за один заказ", "ru", True, "medium", "charged twice"),
    ("Спасибо, всё пришло быстро, очень довольна!", "ru", False, None, ""),
    ("Подскажите, есть ли доставка в Казань?", "ru", False, None, ""),
    ("Платье супер, но размер не тот", "ru", True, "medium", "damaged"),
    ("Вы мошенники, верните деньги", "ru", True, "medium", "charged twice"),
    ("Отличный сервис, ждала всего два дня", "ru", False, None, ""),
    # English
    ("where is my order #4411? 3 weeks!", "en", True, None, "not delivered"),
    ("My parcel still hasn't arrived and nobody answers my emails", "en", True, "medium", "no answer"),
    ("love the dress but the parcel came torn", "en", True, "medium", "damaged"),
    ("You refused my refund, I'm contacting my lawyer", "en", True, "high", "legal"),
    ("I was charged twice for one order", "en", True, "medium", "charged twice"),
    ("rainy Monday, cheering myself up with @shop's sale", "en", False, None, ""),
    ("Do you ship to Hungary?", "en", False, None, ""),
    ("Thanks so much, arrived in two days and fits perfectly!", "en", False, None, ""),
    ("oh great, another week without my package. thanks a lot", "en", True, None, "not delivered"),
    ("Wrong size sent again, this is the second time", "en", True, "medium", "damaged"),
]


@pytest.fixture(scope="module", params=["embedded", "embedded-e5"])
def scores(request: pytest.FixtureRequest) -> list:  # type: ignore[type-arg]
    """Both offline scorers: the team must get the same escalations whichever one is configured."""
    analyzer = build_analyzer(SentimentSettings(model=request.param))
    return analyzer.analyze([g[0] for g in GOLDEN], [None] * len(GOLDEN))


@pytest.mark.parametrize("i", range(len(GOLDEN)), ids=[g[0][:40] for g in GOLDEN])
def test_golden_message(i: int, scores: list) -> None:  # type: ignore[type-arg]
    text, lang, complaint, severity, reason = GOLDEN[i]
    score = scores[i]
    assert score.lang == lang, (text, score)
    assert score.complaint is complaint, (text, score)
    if severity is not None:
        assert score.severity == severity, (text, score)
    if reason:
        assert any(reason in r for r in score.reasons), (text, score.reasons)
    if not complaint:
        assert score.severity is None and score.reasons == ()
    if lang_is_praise(text):
        assert score.label == "positive", (text, score)


PRAISE = {
    g[0] for g in GOLDEN if any(w in g[0].lower() for w in ("dziękuję", "köszönöm", "спасибо", "thanks", "отличный"))
}


def lang_is_praise(text: str) -> bool:
    """Praise must read as positive (questions may not be: see the model card's known weaknesses)."""
    return text in PRAISE and not any(text == g[0] and g[2] for g in GOLDEN)


def test_each_language_has_ten_golden_messages() -> None:
    for lang in ("pl", "hu", "ru", "en"):
        assert sum(1 for g in GOLDEN if g[1] == lang) >= 10
