"""Language identification for short social-media texts: script, distinctive letters and words, and
a small hashed character n-gram model shipped with the embedded weights.

The platform's `lang` tag is only a hint: it tips the balance when the text itself is ambiguous.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from sentiment.features import FeatureSpec, featurize, pool
from sentiment.settings import SUPPORTED as SUPPORTED  # what this identifier answers, kept with the config
from sentiment.settings import UNDETERMINED as UNDETERMINED
from sentiment.text import canonical, fold_diacritics, normalize

# Languages the n-gram model was trained on (the others are decided by the rules below).
MODEL_LANGS = ("pl", "hu", "ru", "en", "de", "sk")
LANGID_SPEC = FeatureSpec(bits=16, char_min=1, char_max=4, word_bigrams=False, lang_copies=False)

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f]")
_WORD = re.compile(r"\w+")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_UK_LETTERS = set("іїєґ")
_RU_LETTERS = set("ыэъ")
# Only words the other language does not use (shared ones like "не", "на", "до" would mislead).
_UK_WORDS = _words(
    "що це та як але мене мені ви ще вже дуже замовлення досі немає коли чому який яка від був була "
    "було тому тут теж також є її їх бо ні чи мій моє моя вас вам з і й нічого отримав отримала "
    "прийшло прийшла прийшов посилка гроші повернення дякую будь ласка чудовий гарний добрий де "
    "рекомендую сьогодні тиждень тижні місяць відповідь"
)
_RU_WORDS = _words(
    "что это как меня мне вы еще уже очень заказ нет когда почему который которая от был была было "
    "потому тоже также есть ее их так где мой моё моя ничего получил получила пришел пришла пришло "
    "посылка деньги возврат спасибо пожалуйста отличный хороший рекомендую сегодня неделю недели "
    "месяц ответ и с"
)
_CS_LETTERS = set("řěů")
_SK_LETTERS = set("äôľĺŕ")
_PL_LETTERS = set("ąęłśźżćń")
_HU_LETTERS = set("őű")
# Czech vs Slovak: only words that differ between the two (both spellings, with and without diacritics).
_CS_WORDS = _words(
    "jsem jsi jsme jste jsou neni není jeste ještě proc proč take také kdyz když porad pořád zatim zatím "
    "ktery který kdy dekuji děkuji dekuju děkuju doporucuji doporučuji nebo tady proto muzu můžu chci "
    "chtel chtěl opravdu hodne hodně přišlo přišla nedoslo nedošlo penize peníze zbozi zboží "
    "budu"
)
_SK_WORDS = _words(
    "som si sme ste su sú nie este ešte preco prečo tiez tiež ked keď zatial zatiaľ ktory ktorý kedy "
    "dakujem ďakujem odporucam odporúčam alebo tu preto mozem môžem chcem chcel naozaj vela veľa "
    "neprislo neprišlo peniaze tovar budem moja ako aj sa"
)
# Words that only say "Slavic, Latin script" are left out of the Czech/Slovak vote above on purpose.


class LanguageIdentifier:
    """Guess the language of each text among `SUPPORTED`, or "und" when there is nothing to go on."""

    def __init__(self, weights: np.ndarray, bias: np.ndarray, hint_weight: float = 1.5) -> None:
        if weights.shape != (2**LANGID_SPEC.bits, len(MODEL_LANGS)):
            raise ValueError(f"language model weights have shape {weights.shape}")
        self._weights = weights.astype(np.float32)
        self._bias = bias.astype(np.float32)
        self._hint_weight = hint_weight

    def identify(self, texts: Sequence[str], hints: Sequence[str | None] | None = None) -> list[str]:
        """Detected language of each text (ISO 639-1, or "und")."""
        hints = list(hints) if hints is not None else [None] * len(texts)
        clean = [normalize(canonical(t)) for t in texts]
        logits = self._model_logits([fold_diacritics(t) for t in clean])
        return [self._decide(text, row, _hint(hint)) for text, row, hint in zip(clean, logits, hints, strict=True)]

    def _model_logits(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(MODEL_LANGS)), np.float32)
        pooled = pool(featurize(texts, None, LANGID_SPEC), self._weights)
        return np.asarray(pooled + self._bias, dtype=np.float32)

    def _decide(self, text: str, logits: np.ndarray, hint: str | None) -> str:
        letters = _LATIN.findall(text)
        cyrillic = _CYRILLIC.findall(text)
        if not letters and not cyrillic:
            return hint or UNDETERMINED
        words = set(_WORD.findall(text))
        if len(cyrillic) >= len(letters):
            return _cyrillic_language(text, words, hint)
        scores = {lang: float(logits[i]) for i, lang in enumerate(MODEL_LANGS) if lang not in ("ru",)}
        chars = set(text)
        # Letters only one of the languages uses are strong evidence, words a little less.
        for lang, marks in (("pl", _PL_LETTERS), ("sk", _SK_LETTERS), ("hu", _HU_LETTERS)):
            if chars & marks:
                scores[lang] += 3.0
        cs_votes = len(words & _CS_WORDS) - len(words & _SK_WORDS)
        cs_votes += 3 * (len(chars & _CS_LETTERS) - len(chars & _SK_LETTERS))
        scores["cs"] = scores["sk"] + (1.0 if cs_votes > 0 else -1.0) * min(abs(cs_votes), 3) * 1.5
        if cs_votes == 0:
            scores["cs"] = scores["sk"] - 0.5
        if hint in scores:
            weight = self._hint_weight * (2.0 if len(words) <= 3 else 1.0)
            scores[hint] += weight
        return max(scores, key=lambda lang: scores[lang])


def _cyrillic_language(text: str, words: set[str], hint: str | None) -> str:
    chars = set(text)
    uk = 2 * len(chars & _UK_LETTERS) + len(words & _UK_WORDS)
    ru = 2 * len(chars & _RU_LETTERS) + len(words & _RU_WORDS)
    if hint == "uk":
        uk += 1
    elif hint == "ru":
        ru += 1
    return "uk" if uk > ru else "ru"


def _hint(hint: str | None) -> str | None:
    if not hint:
        return None
    code = hint.strip().lower().replace("_", "-").split("-")[0]
    return code if code in SUPPORTED else None
