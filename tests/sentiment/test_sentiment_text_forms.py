"""Texts that look the same to a reader but differ in code points: whitespace, NFD, invisible characters."""

from __future__ import annotations

import unicodedata

import pytest

from sentiment.complaint import find_intents
from sentiment.factory import _embedded_model


@pytest.mark.parametrize(
    "text",
    [
        "Paczka nie\u00a0doszła",  # no-break space, common in Polish typography and Facebook text
        "Paczka nie\ndoszła",
        "Paczka nie  doszła",
        "Paczka nie\tdoszła",
        "Paczka nie dosz\u200bła",  # zero-width space
        "Paczka nie dosz\u00adła",  # soft hyphen
        "\u200fPaczka nie\u200e doszła",  # direction marks
        unicodedata.normalize("NFD", "Még mindig nem érkezett meg"),  # combining acute accents
    ],
)
def test_intent_survives_invisible_differences(text: str) -> None:
    assert [m.intent for m in find_intents(text)] == ["not_delivered"]


def test_evidence_quotes_the_right_span_after_a_dotted_capital_i() -> None:
    # "İ".lower() is two code points, which shifted every position after it
    (match,) = find_intents("İİ paczka nie doszła, İSTANBUL")
    assert match.evidence in ("nie doszła", "nie doszla")  # the folded match when positions cannot line up


@pytest.mark.parametrize("text", ["Děkuji, přišlo to včas", "Zboží nepřišlo"])
def test_language_of_decomposed_text_is_that_of_composed_text(text: str) -> None:
    langid = _embedded_model().langid
    assert langid.identify([unicodedata.normalize("NFD", text)]) == langid.identify([text]) == ["cs"]
