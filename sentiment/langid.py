"""Language identification for short social-media texts: script, distinctive letters and words, and
a small hashed character n-gram model shipped with the embedded weights.

A text evidently in a language we do not support (Turkish, Portuguese, Spanish, French, Italian,
Romanian, Serbian, Bulgarian, Macedonian, Belarusian, Kazakh, ...) is "und" rather than the nearest
supported one. The platform's `lang` tag is only a hint: it tips the balance when the text itself is
ambiguous, and a tag of another language counts when the text has some evidence of it too.
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

# Languages we do not support, recognised by letters and words that none of the supported languages
# uses (checked against word frequencies of pl, hu, en, de, cs, sk, ru, uk and against the training
# tweets): a text whose evidence points to one of them more than to any supported language is "und".
# Words shared with a supported language (Spanish "no", Romanian "este", French "je", Bulgarian "ще")
# and those common in names and titles ("la", "de", "los", "del", "il") are left out on purpose.
_OTHER_LETTERS = {
    "tr": set("ığş\u0307"),  # U+0307: the dot that "İ" keeps when lower-cased
    "pt": set("ãçêâ"),  # not õ: Hungarians without ő on the keyboard type õ
    "es": set("ñ¿¡"),
    "fr": set("œçèêëîïùÿâ"),  # not à ("à la", "voilà" are borrowed), not û (Hungarian for ű, as õ)
    "it": set("òìùè"),
    "ro": set("ășțşţîâ"),
    # Nordic, Icelandic, Baltic, South Slavic and Vietnamese letters
    "xx": set("åæøðþđėųūīāēģķļņơư") | {chr(c) for c in range(0x1EA0, 0x1EFA)},
    "bg": set("ѝ"),
    "sr": set("ђјљњћџ"),
    "mk": set("ѓќѕѐјљњџ"),
    "be": set("ў"),
    "kk": set("әғқңөұүһ"),
}
_OTHER_WORDS = {
    "tr": _words(
        "bir için icin çok cok daha gibi olarak kadar olan var ama sonra iyi yok değil degil mı neden nasıl "
        "nasil hala hâlâ lütfen lutfen teşekkürler tesekkurler teşekkür tesekkur sipariş siparis siparişim "
        "siparisim kargo ürün urun ürünü iade merhaba kötü istiyorum bekliyorum hiç zaman hafta haftadır "
        "geldi gelmedi kimse cevap ödeme güzel guzel harika tavsiye ederim rezalet benim bana beni şey siz "
        "biz bu şimdi simdi şikayet sikayet ücret iki üç kez"
    ),
    "pt": _words(
        "não nao você voce vocês voces obrigado obrigada muito muita meu minha pedido encomenda ainda chegou "
        "chegaram também tambem até então entao porque mais nada isso esse essa está estão estou são uma pelo "
        "pela olá quero recebi dinheiro produto compra entrega prazo semanas dias cadê ninguém ninguem "
        "responde nunca fui foi tem vai aqui bom boa tudo troca vezes cartão cartao atendimento reembolso "
        "devolução devolucao três duas recomendo péssimo pessimo"
    ),
    "es": _words(
        "pero gracias muy está están estoy todavía todavia llegado llegó llego cuándo cuando dinero devolución "
        "devolucion quiero hola nadie nunca qué que porque una por hace dos semanas paquete compra tienda "
        "envío envio envíos envios enviaron también tambien sí muchas muchos mucho bien bueno buena hay tengo "
        "tiene nada ahora aquí aqui dónde donde pedido tres recomiendo recomendo pésimo pesimo "
        "servicio talla equivocada equivocado"
    ),
    "fr": _words(
        "pas est très merci bonjour toujours vous nous votre vos commande colis livraison reçu recu remboursement "
        "rembourser avec pour dans une mais pourquoi quand où ça été déjà rien personne encore aussi alors "
        "donc leur trop beaucoup mauvais mauvaise semaines jours suis avez avoir fait faire quoi qui que sont "
        "deux trois fois recommande recommandé reçue produit"
    ),
    "it": _words(
        "non è che sono ordine pacco grazie ancora arrivato arrivata perché perche quando anche nessuno vorrei "
        "voglio soldi rimborso spedizione settimane giorni della delle dei degli nel nella sul alla questo "
        "questa quello abbiamo avete più piu già sempre niente molto tutto tre volte volta spedito spedite "
        "negozio consiglio prodotto"
    ),
    "ro": _words(
        "și să în cu din pentru mea comanda coletul banii vreau mulțumesc mulţumesc multumesc bună buna ziua "
        "când cand încă nimeni răspunde raspunde sunt fost vă rog acum doar foarte bine toate nici până după "
        "primit ajuns livrare produsul două doua trei ori"
    ),
    "bg": _words(
        "съм това какво защо са като към няма има който която които някой никой моля кога къде още вече днес "
        "сега нищо нещо беше сте сме пратка пратката поръчка поръчката здравейте се си ако парите тази този тя "
        "аз ние вие ги бе искам получих грешен грешна имате искате"
    ),
    "sr": _words(
        "је није још хвала молим али када зашто шта су смо сте од са као који која како бити била нисам новац "
        "поруџбина поруџбину пута већ ћу ће ћете се нико одговара одговор испорука испоруку брза брзо "
        "добио добила погрешну погрешна погрешан желим продавница"
    ),
    "mk": _words("многу благодарам нарачка нарачката зошто никој сум каде уште веќе денес сега ништо нешто се сте сме"),
    "be": _words(
        "гэта дзякуй вельмі калі яшчэ чаму адказвае грошы таксама толькі сёння ўжо ёсць быў прыйшла прыйшоў "
        "замова замову мяне трэба таму дзе нешта нічога"
    ),
    "kk": _words(
        "неге ешкім жауап бермейді рахмет жоқ әлі тапсырыс өте жылдам болды және бұл мен сіз сізге қашан қайда "
        "ақша керек емес туралы үшін келген келді жеткізу тауар сәлеметсіз"
    ),
}
_OTHER_LANGS = frozenset(_OTHER_WORDS)
_ALL_OTHER_LETTERS = frozenset().union(*_OTHER_LETTERS.values())
_ALL_OTHER_WORDS = frozenset().union(*_OTHER_WORDS.values())
# Evidence for the supported languages, against which the evidence above is weighed: letters no
# language above uses, and frequent words of each (never one of the words above).
_HOME_LETTERS = set("ąęłśźżőűřěůľĺŕßäďťňčšžý") | set("їєґ")
_HOME_WORDS = _words(
    # en
    "the and is you your my it this that to of for with was have has not please thanks thank order still "
    "why when where what how can did never delivery parcel refund at be we if or all but out up from by "
    "about they she his our them just got will would been were had there their who which some one "
    # de
    "ich nicht und ist die der den dem mein meine meinen bitte danke noch keine kein wann warum wo wie habe "
    "hat sind auch aber schon mit für fur von zu auf bestellung geld alles ein eine einen sie wir er war nur "
    "man im zum beim bei nach über uber schön "
    # pl
    "nie jest się sie mój moja moje czy już juz jak co gdzie kiedy dlaczego dziękuję dziekuje dzięki dzieki "
    "paczka paczki zamówienie zamowienie bardzo ale że ze jeszcze w z "
    # hu
    "nem az egy hogy még meg van volt és köszönöm koszonom csomag csomagom mikor miért miert hol már ez csak "
    "nagyon mert vagy lesz kell nincs semmi "
    # cs, sk
    "jsem není neni proč proc děkuji dekuji som nie prečo preco ďakujem dakujem ešte veľmi velmi už uz aj tak "
    "len sme aby "
    # ru, uk
    "что это нет есть меня очень уже ещё еще когда почему который пожалуйста спасибо деньги заказ "
    "посылка получил пришел пришёл пришла пришло здравствуйте привет сегодня можно нужно будет ничего "
    "вообще тоже только если чтобы всё що це та але мені вже дуже замовлення досі немає коли "
    "чому дякую посилка гроші"
)
# Cyrillic letters of these languages never appear in Russian or Ukrainian, so one is enough; a Latin
# accent comes with names too (São Paulo, España) and with Hungarian typed with the wrong accent
# ("vasàrnap"), so Latin letters count once per language and less than these.
_CYRILLIC_OTHERS = frozenset({"bg", "sr", "mk", "be", "kk"})
# Russian letters that Bulgarian, Serbian and Macedonian do not have (Belarusian and Kazakh do)
_RU_ONLY = set("ыэё")
_WITHOUT_RU_LETTERS = frozenset({"bg", "sr", "mk"})
# The n-gram model's best score below this: it recognises none of its languages (1% of dev texts
# score below 0.4; most of the texts in other languages below 1)
_UNRECOGNISED = 1.0
# French elision before a vowel: c'est, j'ai, n'est, qu'il (English has n't, 's, I'm, o'clock)
_ELISION = re.compile(r"(?<!\w)(?:c|j|n|qu|d|s|m|t)['’][aeiouyhéèêàâîô]")
# Turkish present tense: bekliyorum, çalışmıyor, geliyor
_TR_PRESENT = re.compile(r"\w[iıuü]yor(?:um|sun|uz|sunuz|lar|du|dum)?\b")
# Bulgarian nouns in -ия with the article: кутията, информацията (no Russian word ends so)
_BG_ARTICLE = re.compile(r"\wията\b")
# Bulgarian writes ъ as a vowel between consonants ("съм", "поръчка"); Russian only before е, ё, ю, я
# (and in laughter typed on the keyboard: "ахахъахъ")
_BG_HARD_SIGN = re.compile(r"[бвгджзйклмнпрстфхцчшщ]ъ[бвгджзйклмнпрстфхцчшщ]")


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
            return hint if hint in SUPPORTED else UNDETERMINED
        words = set(_WORD.findall(text))
        # the n-gram model recognising none of its languages is one more piece of evidence (not for
        # Cyrillic: it knows only ru there)
        unrecognised = len(cyrillic) < len(letters) and float(logits.max()) < _UNRECOGNISED
        if _elsewhere(text, words, hint, unrecognised):
            return UNDETERMINED
        if hint not in SUPPORTED:
            hint = None
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


def _elsewhere(text: str, words: set[str], hint: str | None, unrecognised: bool) -> bool:
    """Whether the letters and words of `text` point to a language we do not support more than to ours."""
    chars = set(text)
    letters = chars & _ALL_OTHER_LETTERS
    found = words & _ALL_OTHER_WORDS
    forms = _word_forms(text)
    if not letters and not found and not forms:  # most texts: nothing else to weigh
        return False
    home = len(chars & _HOME_LETTERS) + len(words & _HOME_WORDS)
    ru_letters = 2 * len(chars & _RU_ONLY)
    best = 0
    for lang, marks in _OTHER_LETTERS.items():
        count = (2 if lang in _CYRILLIC_OTHERS else 1) if letters & marks else 0
        count += len(found & _OTHER_WORDS.get(lang, frozenset())) + forms.get(lang, 0)
        if count and unrecognised and not home:
            count += 1
        if count and lang == hint:
            count += 1  # the platform agrees with the text
        if lang in _WITHOUT_RU_LETTERS:
            count -= ru_letters
        best = max(best, count)
    return best >= 2 and best > home


def _word_forms(text: str) -> dict[str, int]:
    """Evidence from word forms only one language makes (the substring tests keep most texts off the regexes)."""
    forms: dict[str, int] = {}
    if ("'" in text or "’" in text) and _ELISION.search(text):
        forms["fr"] = 1
    if "yor" in text and _TR_PRESENT.search(text):
        forms["tr"] = 1
    if "ъ" in text and _BG_HARD_SIGN.search(text):
        forms["bg"] = 2
    if "ията" in text and _BG_ARTICLE.search(text):
        forms["bg"] = forms.get("bg", 0) + 1
    return forms


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
    return code if code in SUPPORTED or code in _OTHER_LANGS else None
