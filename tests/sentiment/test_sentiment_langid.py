"""Language identification on short shop messages, with and without diacritics; hints only tip the balance."""

from __future__ import annotations

import pytest

from sentiment.factory import _embedded_model
from sentiment.text import fold_diacritics

SHORT = {
    "pl": ["Gdzie jest moja paczka?", "Paczka nie doszła", "Dziękuję bardzo", "Czy macie to w rozmiarze M?"],
    "hu": ["Hol van a csomagom?", "Nem érkezett meg", "Köszönöm szépen", "Mikor nyit a bolt?"],
    "ru": ["Где мой заказ?", "Не пришла посылка", "Спасибо большое", "Когда откроется магазин?"],
    "uk": ["Де моє замовлення?", "Не прийшла посилка", "Дякую дуже", "Коли відкриється магазин?"],
    "en": ["Where is my order?", "Parcel not delivered", "Thanks a lot", "When do you open?"],
    "de": ["Wo ist meine Bestellung?", "Paket nicht angekommen", "Danke schön", "Wann öffnet der Laden?"],
    "cs": ["Balík nedorazil, jsem naštvaný", "Děkuji moc", "Kdy otevíráte obchod?", "Skvělý obchod, doporučuji"],
    "sk": [
        "Balík neprišiel, som nahnevaný",
        "Ďakujem veľmi pekne",
        "Kedy otvárate obchod?",
        "Skvelý obchod, odporúčam",
    ],
}


@pytest.mark.parametrize("lang", sorted(SHORT))
def test_short_texts_with_and_without_diacritics(lang: str) -> None:
    langid = _embedded_model().langid
    texts = SHORT[lang]
    assert langid.identify(texts) == [lang] * len(texts)
    assert langid.identify([fold_diacritics(t) for t in texts]) == [lang] * len(texts)


def test_hint_tips_ambiguous_text_but_not_clear_text() -> None:
    langid = _embedded_model().langid
    assert langid.identify(["ok"], ["hu"]) == ["hu"]
    assert langid.identify(["ok"], ["pl-PL"]) == ["pl"]
    # A wrong platform tag does not override clear evidence.
    assert langid.identify(["Még mindig nem érkezett meg a csomagom"], ["en"]) == ["hu"]
    assert langid.identify(["Где мой заказ? Жду уже месяц"], ["pl"]) == ["ru"]


def test_nothing_to_go_on_is_und_or_the_hint() -> None:
    langid = _embedded_model().langid
    assert langid.identify(["👍👍 !!!", "12345"]) == ["und", "und"]
    assert langid.identify(["😡😡"], ["ru"]) == ["ru"]
    assert langid.identify(["😡😡"], ["xx"]) == ["und"]
