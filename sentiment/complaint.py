"""Complaint intents (not delivered, damaged, refund refused, ...) found by per-language phrase rules,
combined with the polarity scores into `complaint`, `severity` and human-readable `reasons`.

Rules are written without diacritics and matched against a diacritics-free copy of the text, so
"nie doszła" and "nie doszla" both match; the reason quotes the customer's own spelling.
"""

# ruff: noqa: E501  (the phrase tables read best one family of phrasings per line)

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from monitor.models import Severity
from sentiment.settings import ComplaintSettings
from sentiment.text import canonical, fold_diacritics

_SPACE = re.compile(r"\s+")

# What customers wait for without an order being late: a new collection, a sale, a restock ("Két hónapja
# várom az új kollekciót", "czekam na nową kolekcję"), right after the waiting verb.
_ANTICIPATED_EN = r"(?:new |next |spring |summer |autumn |fall |winter |christmas |holiday )?(?:collection|drop|restock|sale|launch|season|release)s?\b"
_ANTICIPATED_PL = r"(?:now\w* |kolejn\w* |wiosenn\w* |letni\w* |jesienn\w* |zimow\w* |swiateczn\w* )?(?:kolekcj|premier|wyprzedaz|black friday|promocj|nowosc)"
_ANTICIPATED_HU = r"(?:uj |ujabb |kovetkezo |tavaszi |nyari |oszi |teli |karacsonyi )?(?:kollekcio|szezon|akcio|kiarusitas|black friday|ujratoltes|termekek|megjelenes)"
# What a meal leaves on a tablecloth or a shirt: stains the customer asks how to remove, not a fault of the item.
_MEAL_STAINS_PL = r"(?:czerwonym |bialym )?(?:winie|kawie|herbacie|tluszczu|sosie|trawie|soku|oleju|owocach|burakach|ketchupie|czekoladzie|jedzeniu)\b"
# A sign that a gift card's empty balance was never spent, or a why: "shows 0 but I never used it".
_UNSPENT_EN = (
    r"(?:never|unused|not (?:used|spent)|(?:haven|hasn|hadn|didn|wasn)'?t|did not|have not|without (?:using|spending|buying)|"
    r"overnight|by itself|on its own|somehow|suddenly|but i\b|still had|should (?:be|have|show)|what happened|where did|how come|why)"
)
_EMPTY_BALANCE_EN = r"(?:gift ?card|voucher|wallet|account)(?: says| shows| showing| reads)?(?: a| the| my| its)? balance (?:is |shows |showing |went to |dropped to |of )?(?:0|zero|£0|\$0|€0|empty)\b"
_EMPTY_BALANCE_PL = r"(?:pokazuje saldo 0\b|saldo (?:\w+ ){0,2}(?:wynosi|spadlo do|pokazuje) 0\b)"
_UNSPENT_PL = r"(?:a nic|nic (?:nia |nie )|nie (?:kupil|uzywal|korzystal|placil|wydal)|nigdy|nagle|sam[ao]? z siebie|dlaczego|czemu|gdzie|a mial|a powinn|mimo ze|chociaz|choc\b)"

# (intent id, label shown to the team, patterns). Patterns are lower-case, diacritics removed. Each line in
# Latin letters starts with the language it is written in as a regex comment ("(?#pl)", "(?#any)"), which
# decides the texts it runs on (see _LATIN_FOR).
_INTENT_PATTERNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "not_delivered": (
        "not delivered / late",
        (
            # en
            # "where is my order shipped from?" asks about the shop, not a late parcel
            r"(?#en)where(?:'s| is| are)? (?:is )?(?:my|our|the) (?:order|parcel|package|delivery|refund|stuff)(?! (?:shipped|sent|dispatched|coming|made)\b)",
            r"(?#en)(?:hasn'?t|has not|haven'?t|have not|never|still not|didn'?t|did not|not yet) "
            r"(?#en)(?:been )?(?:arrived?|received|delivered|got(?:ten)?|come)(?! (?:such|so|a (?:nicer|better|faster))\b)",
            # "an order that hasn't shipped yet" asks to change it: only one still not shipped complains
            r"(?#en)(?:still (?:hasn'?t|has not|haven'?t|have not|not)|never|didn'?t|did not) (?:been )?shipped",
            r"(?#en)still (?:waiting|no (?:sign|order|parcel|package|delivery|tracking))",
            r"(?#en)(?:didn'?t|did not|failed to|to not|never) deliver (?:my|our|the|it)\b",
            r"(?#en)(?:order|parcel|package|delivery) (?:is |was )?(?:late|delayed|lost|missing|stuck)",
            r"(?#en)(?:lost|misplaced) (?:my|our|the) (?:order|parcel|package|delivery)",
            # left at the door and stolen: the customer still has nothing
            r"(?#en)(?:some ?one|somebody) stole (?:my |the |our )?(?:parcel|package|order|delivery)|(?:parcel|package|order|delivery) (?:was |got |has been )?stolen|"
            r"(?#pl)ktos (?:mi |ja |go |nam )*(?:ukradl|zwinal)|(?:ukradl\w*|zwinel\w*|zwinal\w*) (?:mi |nam )?(?:moja |nasza )?(?:paczk|przesylk|zamowien)|"
            r"(?#pl)(?:paczk|przesylk)\w* .{0,20}(?:ukradl|ukradzion|skradzion)|"
            r"(?#hu)ellopt\w* (?:a |az )?(?:csomag|kuldemeny)|(?:csomag|kuldemeny)\w* .{0,20}ellopt|"
            r"(?:украли|утащили|стащили|спёрли|сперли) (?:мою |мой |наш[уа]? )?(?:посылк|заказ|коробк)|(?:посылк|заказ|коробк)\w* (?:украли|утащили|стащили)",
            r"(?#en)(?:says|shows|showing|marked(?: as)?|status:?) delivered,? but (?:there'?s |there is |i have |i'?ve got )?(?:nothing|no(?:thing| parcel| package| order| box)|(?:it'?s |it is )?not here|never|i (?:never|didn'?t|did not|haven'?t|have not))",
            r"(?#en)tracking (?:hasn'?t|has not|isn'?t|is not|not|still not|never) (?:been )?updat",
            r"(?#en)(?:sitting|stuck|held|lying) (?:at|in) (?:the |a )?(?:sorting|depot|warehouse|customs|hub)|"
            # "stoi na magazynie" / "van raktáron" is an item in stock, not a parcel stuck there
            r"(?#pl)(?:lezy|stoi|utknel\w*|utkwil\w*|wisi) (?:(?:w|na) (?:sortowni|oddziale|terminalu|cle)|w magazynie)|"
            r"(?#hu)(?:all|van|fekszik|ragadt|akadt)\w* (?:a |az )?(?:csomag )?(?:a |az )?(?:valogatokozpont|raktar(?!on)|depo|vamon|logisztikai)\w*|"
            r"(?:лежит|застрял\w*|висит|стоит) (?:на|в) (?:сортировк|склад|терминал|таможн)",
            r"(?#en)(?:said|promised|supposed|guaranteed|advertised)\b.{0,40}(?:\d+ ?(?:h|hrs?|hours?|days?)|next[- ]day|tomorrow).{0,30}"
            r"(?#en)(?:it'?s been|been|now|already|passed|later) (?:\d+|two|three|four|five|six|seven|ten|several|over a) (?:days?|weeks?)",
            r"(?#pl)(?:mieliscie|mial[aoy]?|obiecaliscie|obiecan\w*|deklarowan\w*|gwarantowan\w*) .{0,40}(?:minel[oay]?|minal|mija|uplynel[oay]?) (?:juz )?"
            r"(?#pl)(?:\d+|dwa|trzy|cztery|piec|tydzien|kilka)",
            r"(?#hu)(?:igertetek|igertek|igert|vallaltatok|irtatok)\b.{0,40}(?:eltelt|elmult) (?:\d+|ket|harom|negy|ot|egy het)",
            r"(?:обещали|обещано|должны были|заявлен\w*) .{0,40}(?:прошло|прошла|прош[её]л|уже) (?:\d+|два|две|три|пять|неделя|несколько)",
            # an order stuck in one status for days
            r"(?#en)(?:processing|pending|in preparation|label created|awaiting dispatch)\W{0,2} (?:for|since) (?:\d+|a|an|two|three|four|five|over|several|almost) (?:days?|weeks?)|"
            r"(?#en)(?:for|since) (?:\d+|two|three|four|five|over|several) (?:days?|weeks?)\W{0,3}(?:still )?(?:on |at |in )?(?:processing|pending|in preparation)",
            r"(?#en)(?:promised|supposed to (?:arrive|come|be (?:here|delivered))|should have (?:arrived|come|been (?:here|delivered))|was due)\b.{0,40}"
            r"(?#en)(?:and (?:still )?nothing|still (?:not|no|nothing)|never (?:came|arrived|showed)|(?:it'?s|today is|now it'?s) (?:\w+day\b|the \d))",
            r"(?#en)delivered,? but (?:my |the |our )?(?:mailbox|letterbox|porch|doorstep|locker|parcel locker|box)\w* (?:is |was )?empty|"
            r"(?#en)delivered,? but (?:it'?s|it is|it was|they'?re) (?:not|nowhere)",
            r"(?#en)(?:courier|driver|delivery (?:guy|man|driver|person)|postman) (?:never|didn'?t|did not|still hasn'?t) (?:even )?"
            r"(?#en)(?:show(?:ed)? up|come|came|turn(?:ed)? up|arrive|rang|ring|knock)",
            # "paid for express shipping and it took one day!" is praise: only a slow or missing parcel after it
            r"(?#en)paid (?:extra )?for (?:express|next[- ]day|fast|priority|premium|expedited) (?:shipping|delivery|post)\b.{0,30}"
            r"(?#en)(?:been (?:a|an|over|\d+|two|three|four|five|several)\b|still|nothing|late|where)",
            # "can it be sent / proszę o wysłanie na inny adres" asks for it; "пишу не по адресу" is the wrong inbox
            r"(?#en)(?<!\bbe )(?:delivered|sent|shipped|left|dropped(?: off)?|gave|handed)(?: it| them| my (?:order|parcel|package))? (?:to|at|with) "
            r"(?#en)(?:the |a )?(?:wrong|another|different|someone else'?s|random) ?(?:address|house|door|flat|building|person|city|neighbou?r|people)?\b",
            # the raw text is matched (digits are not folded to 0); "came in 2 days, can't wait" is no complaint
            r"(?#en)\b\d+ (?:weeks?|days?|months?)\b(?: ago| later| now)?,? (?:and )?(?:still|nothing|and counting|waiting|"
            r"(?#en)no (?:sign|order|parcel|package|delivery|tracking|update|news|word|reply|answer|refund))\b",
            r"(?#en)(?:weeks?|days?|months?) (?:and|later|since|of waiting).{0,20}\b(?:no|still|nothing)\b",
            # waiting for the new collection or a sale is looking forward to it, not a late order
            r"(?#en)waiting (?:for|since) (?!(?:the |your |a )?"
            + _ANTICIPATED_EN
            + r").{0,30}(?:weeks?|days?|months?|order|parcel|package)",
            r"(?#en)(?:another|one more|\b\d+) (?:week|day|month)s? (?:without|and no|and still no) (?:my |the |any )?"
            r"(?#en)(?:order|parcel|package|delivery|refund)",
            # pl
            r"(?#pl)nie (?:doszl[aoy]?|dotarl[aoy]?|przyszl[aoy]?|przyszedl|dostal(?:em|am|ismy)?|otrzymal(?:em|am)?|"
            r"(?#pl)ma (?:mojej )?(?:paczki|przesylki|zamowienia))",
            r"(?#pl)gdzie (?:jest )?(?:moja|moje|moj) (?:paczka|przesylka|zamowienie|zwrot)",
            r"(?#pl)(?:nadal|wciaz|dalej|ciagle) (?:nie ma|czekam|brak|nic)",
            # "czekam na paczkę z niecierpliwością" / "jak dziecko na gwiazdkę" is looking forward to it
            r"(?#pl)(?<!niecierpliwoscia )czekam (?!.{0,30}(?:niecierpliw|jak dziecko|doczekac|na "
            + _ANTICIPATED_PL
            + r"))(?:juz |od )?.{0,20}(?:tygodni|tydzien|dni|miesiac|paczk|zamowien|przesylk)",
            r"(?#pl)(?:paczka|przesylka|zamowienie) (?:sie )?(?:spoznia|zaginel[ao]|zgubil[ai]|utknel[ao])",
            r"(?#pl)(?:zgubil[ai]?|zgubiliscie|zagubil[ai]?) (?:mi |nam )?(?:moja |moje |nasza )?(?:paczk|przesylk|zamowieni)",
            r"(?#pl)(?:paczki|przesylki|zamowienia) (?:nadal |wciaz |dalej |ciagle |jak )?(?:nie ma|brak)\b",
            r"(?#pl)mial[aoy]? (?:byc|dojsc|przyjsc|dotrzec) .{0,40}(?:mija|minel|minal|minely|minelo|(?:a|,) (?:jest|dzis|dzisiaj|mamy)|nadal|dalej|i nic)",
            r"(?#pl)obiecaliscie .{0,40}(?:i nic|a nic|nadal|dalej|wciaz|(?:a|,) (?:jest|dzis|dzisiaj|mamy))",
            r"(?#pl)gdzie (?:to|ona|on) (?:jest|sa)\b",
            r"(?#pl)(?:paczki|przesylki|zamowienia) brak|brak (?:mojej )?(?:paczki|przesylki)",
            r"(?#pl)(?:od|przez) (?:\d+|kilku|wielu|dwoch|trzech) (?:dni|tygodni)\W{0,3}(?:ciagle |nadal |wciaz )?status|"
            r"(?#pl)status\W{0,3}(?:w przygotowaniu|w realizacji|oczekuje\w*|przyjete|w trakcie\w*)\W{0,3} (?:juz )?(?:od|przez) (?:\d+|kilku|wielu|tygodnia)",
            r"(?#pl)kurier\w* (?:sie )?(?:nie|nawet nie|w ogole nie) (?:przyjechal|pojawil|dotarl|przyszedl|zadzwonil|zapukal)",
            r"(?#pl)(?:pust\w*|nic|nie ma)\W+(?:a|ale) (?:status|w systemie|w sledzeniu|sledzenie)\w* (?:\w+ )?(?:dostarczon|doreczon|odebran)|"
            r"(?#pl)(?:status|sledzenie|w systemie)\w* (?:\w+ )?(?:dostarczon|doreczon|odebran)\w*\W+(?:a|ale) (?:\w+ )?(?:pust|nic|nie ma|brak)",
            r"(?#pl)(?:paczka|przesylka|zamowienie) (?:idzie|jedzie) (?:juz|od) (?:\w+ )?(?:tydzien|tygodni|dni|miesiac)",
            r"(?#pl)zaplacil\w* (?:ekstra )?za (?:ekspres|kurier|szybk|expres)\w* (?:wysylk|dostaw)?\w*\W+(?:a|i|ale) (?:\w+ )?"
            r"(?#pl)(?:idzie|jedzie|nadal|dalej|wciaz|ciagle|nie ma|czekam|brak|nic|juz)",
            # delivered to someone else: the customer still has nothing
            r"(?#pl)(?<!byc )(?:dostarczon|doreczon|dostarczyl|doreczyl|zawiozl|zawiezl|wyslal|wyslan(?!ie)|zostawil|oddal)(?![ae]m\b|[iy]smy\b)\w* (?:\w+ )?(?:pod|na|do) "
            r"(?#pl)(?:zly|zlego|inny|innego|niewlasciw|obc)\w* (?:adres|paczkomat|punkt|osob|dom|miast)",
            # hu
            # "nem jött vissza (a pénzem)" is a refund, not a parcel
            r"(?#hu)(?:nem|meg mindig nem|meg nem|sose|soha nem) (?:erkezett|jott(?! vissza)|kaptam|kaptuk|szallitottak|szallitotta|hoztak|hozt(?:a|ad) (?:ki|el)\b|kezbesitett\w*)",
            r"(?#hu)hol (?:van|vannak|marad) (?:a |az )?(?:csomag(?!pont|automat)|rendeles|kuldemeny|penz)",
            r"(?#hu)(?:elveszett|elvesztettek|elvesztettetek|eltunt) (?:a |az )?(?:csomag|rendeles|kuldemeny)",
            r"(?#hu)(?:kiszallitva|kezbesitve|kezbesitett)\b.{0,40}(?:nincs|nem kaptam|nem jott|semmi)",
            r"(?#hu)(?:hetek|napok|honapok) ota .{0,30}(?:var|nem|semmi|csomag|rendeles)",
            r"(?#hu)(?:csomag|rendeles|kuldemeny)\w* (?:meg mindig )?(?:nincs|kesik|elveszett|nem jott|nem erkezett)",
            r"(?#hu)meg mindig (?:nincs|varok|semmi)",
            r"(?#hu)(?:masodik|harmadik|negyedik|otodik|\d+\.?) (?:hete|napja|honapja) .{0,30}var",
            r"(?#hu)(?:hete|napja|honapja) jon (?:a |az )?(?:csomag|rendeles|kuldemeny)",
            r"(?#hu)(?:a |az )?(?:csomag|rendeles|kuldemeny)\w* (?:meg )?sehol|sehol (?:sincs )?(?:a |az )?(?:csomag|rendeles)",
            r"(?#hu)(?:napja|hete|honapja)\W{0,3}(?:feldolgozas alatt|feldolgozas|folyamatban|fuggoben)|"
            r"(?#hu)(?:feldolgozas alatt|folyamatban|fuggoben)\W{0,3} (?:a statusz )?(?:mar )?(?:\d+|ket|harom|egy) (?:napja|hete)",
            r"(?#hu)(?:igert|igertetek|igertek|kellett volna (?:megerkeznie|jonnie|megjonnie)).{0,50}(?:es semmi|meg mindig|semmi(?! (?:gond|baj|problema))|(?:ma|most) (?:mar )?(?:hetfo|kedd|szerda|csutortok|pentek|szombat|vasarnap) van)",
            r"(?#hu)kifizettem (?:az? )?(?:expressz?|gyors|soron kivuli)\w* (?:szallitas|kezbesites|kiszallitas)?\w*\W+(?:es|de|megis) "
            r"(?#hu)(?:egy|ket|harom|\d+|meg mindig|semmi|nincs)",
            r"(?#hu)rossz (?:cimre|cimen|hazba|hazhoz|szomszedhoz|csomagautomatba|emberhez)|"
            r"(?#hu)(?:mas|egy masik|idegen) (?:cimre|hazba|hazhoz|emberhez) (?:kezbesit|vitt|hagy|kuldt|szallitott|adt)\w*|"
            r"(?#hu)(?:kezbesitett|vittek|hagytak|kuldtek|szallitottak|adtak)\w* (?:\w+ )?(?:mas|egy masik|idegen) (?:cimre|hazba|emberhez)",
            # ru / uk
            r"(?:не|так и не|до сих пор не|еще не|ещё не) (?:пришел|пришла|пришло|пришли|получил[аи]?|"
            r"доставил[аи]?|доставлен[аоы]?|привез(?:ла|ли)?\b)|(?<!ещ[её] )(?:не|так и не|до сих пор не) отправили",
            r"(?:посылк|заказ|отправлени)\w* (?:потерял|пропал|застрял)",
            r"(?:потерял(?:[аи]|ся|ась|ись)?|пропал[аи]?) (?:мою |мой |наш[уа]? )?(?:посылк|заказ)",
            r"(?:посылки|заказа) (?:так и |до сих пор |все еще |ещё |еще )?нет\b",
            r"где (?:мой|моя|мое|моё|мои) (?:заказ|посылк|товар|деньги|возврат)",
            r"до сих пор (?:нет|ничего|не)|(?:все|так и) еще (?:ничего|жду|нет (?:заказа|посылки|ответа|денег|возврата))\b",
            # "третья неделя и всё ещё ничего", "2 недели, а заказа нет"
            r"(?:\d+|втор|трет|четверт|пят)\w* (?:недел|месяц|дн)\w*.{0,25}(?:ничего|нет\b|жду)",
            r"сколько (?:можно|ещ[её]) ждать(?! ответа)",
            r"(?:\d+|несколько|две|три) (?:дн\w*|недел\w*)\W{0,3}(?:уже )?статус|"
            r"статус\W{0,3}(?:в обработке|обрабатывается|собирается|ожидает\w*|оформлен)\W{0,3} (?:уже )?(?:\d+|несколько|неделю|две|три)",
            r"(?:обещали|должн[аыо]? был[аио]? (?:прийти|быть|приехать|доставить)).{0,50}(?:и ничего|до сих пор|так и не)",
            r"курьер\w* (?:так и |до сих пор |ещ[её] |даже )?не (?:приехал|пришел|пришёл|привез|привёз|позвонил|появился)",
            r"(?:посылк|заказ|отправлени)\w* (?:ид[её]т|едет) уже (?:\w+ )?(?:недел|месяц|дн)",
            r"(?:статус|пишет|написано|трекинг)\w* .{0,10}(?:доставлен|вручен|получен)\w*\W+(?:а|но) .{0,25}(?:пусто|нет|ничего|не получал|не получила)",
            r"оплатил\w* (?:экспресс|срочн|быстр)\S*(?: доставк\w*)?\W+(?:а|но) (?:\w+ )?(?:ид[её]т|едет|до сих пор|вс[её] ещ[её]|нет|жду|так и)",
            r"(?:доставил[аи]?|привез(?:ла|ли)?|отправил[аи]?|отдал[аи]?|оставил[аи]?|вручил[аи]?|доставлен[аоы]?) .{0,20}"
            r"(?:не туда|на (?:другой|чужой|неправильный|не тот) адрес|не тому|чужому|не по (?:тому )?адресу)",
            # "жду посылку с нетерпением" / "жду не дождусь" is looking forward to it
            r"(?<!нетерпением )жд(?:у|ем|ём) (?!.{0,25}(?:нетерпени|не дожд))(?:уже )?.{0,20}(?:недел|дн|месяц|заказ|посылк)",
            r"(?:не|так і не|досі не|ще не) (?:прийшло|прийшла|прийшов|отримав|отримала|доставили|надіслали|привіз|привезли)",
            r"(?:посилк|замовлення)\w* (?:загубил|зникл)|(?:загубили|загубил[аи]?сь) (?:мою |моє )?(?:посилк|замовлення)",
            r"де (?:моє|моя|мій|мої) (?:замовлення|посилка|товар|гроші)",
            # de / cs / sk
            r"(?#de)(?:nicht|nie|noch nicht) (?:angekommen|geliefert|erhalten|bekommen|zugestellt)",
            r"(?#de)wo (?:ist|bleibt) (?:meine?|die|das) (?:bestellung|paket|lieferung|ware)",
            r"(?#sk)(?:neprislo|neprisla|nedorazil[ao]?|nedostal(?:a|i)?|neobdrzel(?:a|i)?|stale nic|porad nic)",
            r"(?#sk)kde (?:je|mam|mi je) (?:moje?|moja) (?:objednavk|balik|zasielk|zasilk|baliek)",
            # delivered to a stranger, another city's locker or the wrong pickup point
            r"(?#en)(?:got|received|sent me|delivered me) (?:some ?one|somebody) else'?s (?:order|parcel|package)|(?:delivered|sent|went|taken|shipped) to (?:the )?wrong (?:address|locker|house|flat|pickup point|pick-up point|store|city)|"
            r"(?#pl)(?:wyslal|wyslaliscie|wyslali|dostarczyl|dostarczyliscie|dostarczyli|zawiezl|zawiezliscie|zawiezli|trafil)(?![ae]m\b)\w* .{0,25}(?:(?:do|w|na) (?:innym|innego|inny|obcy|obcego|zly|zlego)\w* (?:miesci|miast|paczkomat|punkt|adres)|pod (?:zly|inny|obcy) adres)|"
            r"(?#hu)valaki mas(?:ik)? cimere (?:vitt|kuld|szallit|kezbesit)(?!\w*ni\b)\w*|rossz (?:cimre|varosba|automatba|csomagautomatab|atvevopontra) (?:vitt|kuld|szallit|kezbesit)\w*",
            r"(?:отвезли|увезли|отправили|доставили|привезли|отдали) (?:\w+ )?(?:в|на) (?:чуж|не т|неправильн|неверн)\w* (?:пункт|постамат|отделени|город|адрес)",
            # the delivery date moved again (asking to move it is no complaint: only the past or "keeps")
            r"(?#en)(?:delivery(?<!has the delivery)(?<!has my delivery)|shipping|dispatch) (?:date|day|slot)s? (?:has |have |keeps |was |got )?(?:moved|moving|changed|changing|pushed back|postponed|delayed)|(?:moved|pushed back|postponed|changed) (?:my |the )?delivery (?:date|day) (?:again|\w+ times)|"
            r"(?#pl)termin(?<!czy termin)\w* (?:dostawy|wysylki|doreczenia) (?:znowu |znow |juz \w+ raz |ciagle |sie |znowu sie )?(?:przesun(?:al|ela|iet)|zmienil|zmienion|przelozon)\w*|(?:przesun(?:el|iet)|przelozy?l|przelozon)\w* (?:mi |nam )?(?:znowu |znow |ciagle |juz \w+ raz )?(?:termin|dostaw|wysylk)|"
            r"(?#hu)(?:szallitas|kezbesites|kiszallitas)\w* (?:idopont|datum|napj)\w* (?:\w+ ){0,2}(?:tolodott|tolodik|halasztottatok|halasztottak|valtozott|modosult)|(?:megint|ujra|mar (?:\w+ )?(?:szor|alkalommal)) (?:elhalasztottatok|elhalasztottak|halasztottatok el|tolodott)|"
            r"(?<!если )(?:дат|срок|день)\w* (?:доставки|отправки) (?:\w+ ){0,2}(?:перенесли|перенесен\w*|сдвинули|сдвинут\w*|переносят|переносится|поменяли|меняется)|(?:перенесли|переносят|сдвинули|сдвигают) (?:мне )?(?:опять |снова |уже (?:\w+ )?раз )?(?:доставку|дату|срок)",
            # sent back to the shop as undeliverable, the address being right
            r"(?#en)(?:returned|went back|sent back|came back|bounced back) (?:to (?:you|sender|the sender|the shop|your warehouse) )?as undeliverable|marked (?:as )?undeliverable|"
            r"(?#pl)(?:wrocil\w*|odeslal\w*|odeslan(?<!zostanie odeslan)\w*) .{0,25}(?:jako niedoreczon|do nadawcy)|jako niedoreczon\w*|"
            r"(?#hu)kezbesithetetlen\w* (?:visszament|visszakuldt|visszajott|ment vissza|kuldtek vissza)|visszakuldtek (?:a )?feladonak|"
            r"(?:вернул\w*|отправил\w*) .{0,25}(?:как недоставленн|отправителю)|как недоставленн\w*",
            # the courier "found nobody home"
            r"(?#en)(?:said|says|claimed|claims|wrote|noted|marked) (?:that )?(?:nobody|no ?one) (?:was|is) (?:at )?home|"
            r"(?#pl)(?:napisal|twierdzi|stwierdzil|zaznaczyl|wpisal)\w*\W{1,3}.{0,15}(?:nikogo nie (?:bylo|zastal)|nie zastal)|"
            r"(?#hu)(?:azt irta|azt allitja|szerint|jelolte)\w*\W{1,3}.{0,20}(?:nem volt (?:senki )?otthon|senki nem volt otthon|nem talalt otthon)|"
            r"(?:написал|пишет|указал|отметил|утверждает)\w*\W{1,3}.{0,15}(?:никого не было|не застал|никого нет дома)",
            r"(?#hu)(?:\d+|ket|harom|negy|ot|tobb) (?:hete|honapja) varom(?! (?:az |a )?" + _ANTICIPATED_HU + ")",
            r"(?#en)(?:never|not|didn'?t|did not|haven'?t|have not|hasn'?t|has not|still haven'?t) (?:been )?(?:sent|given|emailed|received|got(?:ten)?) (?:me |us )?(?:a |the |any |my |our )?tracking (?:number|code|link|info\w*)|no tracking (?:number|code|link|info\w*) (?:yet|since|for|after)\b",
            # a wait told on its own ("It's been 10 days."); "it's been 10 days since they arrived and I love them" is none
            r"(?#en)(?:it'?s|it has) (?:already |now )?been (?:\d+|two|three|four|five|six|seven|eight|nine|ten|several|over (?:a|two|\d+)) (?:days?|weeks?)(?: now| already)?(?= *(?:$|[.!?…]))",
            # cancelled by the shop without a word: the order will never come ("I cancelled it, no hassle" is the customer's own)
            r"(?#en)(?<!\bi )(?<!\bwe )(?<!\bi've )cancel+ed\b.{0,60}(?:with no|without (?:any |a |an )?(?:single )?|no )(?:explanation|reason|word|warning|notice|notification|e-?mail|message)|"
            r"(?#pl)anulowal(?![ae]m\b|ysmy\b)\w*\b.{0,60}\bbez (?:slowa|zadnego|zadnej|jakiegokolwiek|wyjasnieni|uprzedzeni|informacji|powodu|podania|ostrzezeni|maila)|"
            r"(?#hu)(?:torolt|sztornoz)(?!em\b|uk\b)\w*\b.{0,60}\b(?:magyarazat|indoklas|ertesites|figyelmeztetes|szo|uzenet) nelkul|(?:magyarazat|indoklas|ertesites|figyelmeztetes|szo) nelkul (?:toroltetek|toroltek|torolte|sztornoztatok|sztornoztak)|"
            r"(?:отменили|отмен[её]н\w*)\b.{0,60}(?:ничего не (?:объясн|сказа|сообщ)|без (?:объяснени|предупреждени|причин|уведомлени|единого слова|слов)|не (?:объяснив|предупредив|сообщив))|без (?:объяснени|предупреждени|причин)\w* (?:отменили|отмен[её]н)",
        ),
    ),
    "damaged_wrong": (
        "damaged or wrong item",
        (
            # "nothing damaged", "not broken" praise the packing
            r"(?#en)(?<!\bnot )(?<!\bnothing )(?<!\bnever )(?<!\bwasn't )(?<!\bisn't )"
            r"(?#en)\b(?:damaged|broken|torn|ripped|smashed|crushed|cracked|defective|faulty|dented|soaked|water[- ]damaged)\b",
            r"(?#en)(?:zip(?:per)?|strap|heel|handle|seam|sole|screen|button|buckle|lid|leg|clasp|chain|wheel|it) "
            r"(?#en)(?:broke|snapped|fell apart|came apart|fell off|ripped|tore|split)\b",
            r"(?#en)(?:sent|send|received) .{0,30}\binstead of|got (?:a |an |the )?(?:size|colou?r) .{0,20}instead of",
            r"(?#en)(?:arrived|came) (?:wet|in pieces|open(?:ed)?)",
            r"(?#en)ordered (?P<n_en>\d+|two|three|four|five|six)\b.{0,20}(?:got|received|came|arrived|sent)\b (?:only )?(?!(?P=n_en)\b)(?:\d+|one|two|three|four|five)\b(?! ?(?:h|hrs?|hours?|days?|weeks?|minutes?)\b)|"
            r"(?#pl)zamowil\w* (?P<n_pl>\d+|dwie|dwa|trzy|cztery|piec)\b.{0,20}(?:przyszl\w*|dostal\w*|doszl\w*|przyszedl|bylo|byly) (?:tylko )?(?!(?P=n_pl)\b)\d+\b(?! ?(?:dni|dzien|dnia|godz|tygod))|"
            r"(?#hu)\d+ (?:darabot|db-ot|dbot|db) (?:rendeltem|rendeltunk).{0,20}(?:csak )?\d+ (?:jott|erkezett|kaptam|volt)|"
            r"заказ\w* (?:\d+|две|два|три|четыре|пять)\b.{0,20}(?:пришл\w*|получил\w*|привезли|было) (?:только )?\d+",
            r"(?#en)(?:seam|stitching|zip(?:per)?|sole|heel|strap|button|hem|lining)s? (?:came|has come|have come|is coming|come) (?:undone|apart|loose|off)|"
            r"(?#en)(?:seam|stitching)s? (?:split|ripped|tore|burst|gave way)",
            r"(?#pl)(?:szew|szwy|zamek|podeszw|obcas|pasek|guzik|podszewk)\w* (?:sie )?(?:rozeszl|rozszedl|rozprul|puscil|odkleil|odpadl|oderwal|urwal|pekl)\w*|"
            r"(?#pl)(?:rozszedl|rozeszl|rozprul|puscil|odkleil|odpadl|oderwal|urwal|pekl)\w* (?:sie |mi )*(?:szew|szwy|zamek|podeszw|obcas|pasek|guzik|podszewk)",
            r"(?#hu)(?:felfeslett|szetfeslett|kifeslett)\w*|(?:varras|cipzar|talp|sarok|gomb|pant|fule)\w* .{0,15}(?:szetjott|kijott|levalt|leesett|leszakadt|elszakadt|letort)|"
            r"(?#hu)(?:levalt|leszakadt|elszakadt|letort|leesett) (?:a |az )?(?:talp|sarok|gomb|pant|fule|cipzar)",
            r"(?:разош[её]л|разошлись|распорол|расползл|отклеил|оторвал|отвалил|сломал|лопнул)\w* (?:шов|швы|молния|подошва|каблук|пуговиц|ремеш)|"
            r"(?:шов|швы|молния|подошва|каблук|пуговиц\w*) (?:разош|распорол|отклеил|оторвал|отвалил|сломал|лопнул)\w*",
            r"(?#en)only (?:one|1|half|part) (?:\w+ )?(?:in the (?:box|parcel|package)|arrived|came|was in)|missing from (?:my |the )?(?:order|parcel|box|package)",
            r"(?#pl)(?:w paczce|w pudelku|w kartonie|w przesylce) (?:byl[aoy]?|jest|sa) (?:tylko|jedynie)|"
            r"(?#hu)(?:a )?(?:csomagban|dobozban) (?:csak|mindossze) (?:egy|\d)|(?:в коробке|в посылке|в пакете) (?:был[аои]? )?только",
            # shrank, faded, bobbled: the wash or the wear showed the fault
            # "pre-shrunk", "anti-pilling", "hasn't shrunk", "nie skurczyła się", "не полиняла" are praise
            r"(?#en)(?<!-)(?<!n't )(?<!not )(?<!never )(?<!no )\b(?:shrank|shrunk|shrinks|pilling|bobbled)\b|(?:colou?r|dye)s? (?:ran|faded|bled|came off|washed out)|faded after",
            r"(?#pl)(?<!nie )(?:skurczyl\w*|zbiegl\w* sie (?:w|po) prani\w*|sfilcowal\w*|wyblakl\w*)|(?:kolor|farba) (?:sie )?(?:pusci|spral|zmyl)\w*|zmechacil\w*|mechaci sie",
            r"(?#hu)osszement|osszezsugorod\w*|(?:ki|meg)fakult (?:a |az )?(?:szin|ruha|polo|nadrag|anyag|pulover)|(?:szin|ruha|polo|nadrag|anyag)\w* (?:ki|meg)fakult|bolyhosod\w*|(?:a )?szine? (?:kijott|kimosodott|lejott)",
            r"(?<!не )(?:сел[аои]?|сели|усел[аои]?|усели) (?:на (?:\w+ )?размер|после (?:первой )?стирки)|после (?:первой )?стирки .{0,20}(?<!\w)(?<!не )(?:сел|усел|полинял|выцвел|расползл)|(?<!не )(?:полинял\w*|выцвел\w*)",
            r"(?#en)different (?:from|than|to) (?:the |your )?(?:photos?|pictures?|images?|website|description)|doesn'?t look (?:anything )?like (?:the |your |in the )?(?:photos?|pictures?|website)",
            r"(?#pl)inn\w* niz na (?:zdjeciu|zdjeciach|stronie|fotce|obrazku)|nie (?:taki|taka|takie|wyglada) jak na (?:zdjeciu|zdjeciach|stronie)",
            r"(?#hu)mas,? mint (?:a |az )?(?:kepen|kepeken|foton|weboldalon|oldalon)|nem olyan,? mint (?:a |az )?(?:kepen|foton)|nem ugy nez ki,? mint(?!ha)",
            r"не так(?:ой|ая|ое|ие)?,? как на (?:фото|картинке|сайте|снимке)|отличается от (?:фото|картинки|описания)",
            r"(?#en)(?:fell|falling|came|coming) apart (?:after|within|in|on)\b|(?#hu)(?:szetjott|szetment|szetesett|szetszakadt)\w*",
            r"(?#any)wrong (?:item|size|colou?r|product|order|parcel|package)",
            r"(?#en)(?:different|another|other) (?:colou?r|size|model|item|product|style)s? (?:than|from|to) (?:what )?(?:i|we) (?:had )?ordered|"
            r"(?#en)not the (?:colou?r|size|model|one|item|style) (?:i|we) (?:had )?ordered",
            r"(?#en)(?:looks?|is|was) nothing like (?:the |your )?(?:pictures?|photos?|images?|description|website|advert|ad)\b|"
            r"(?#en)not as (?:described|pictured|advertised|shown)",
            r"(?#en)(?:sent|got|received|delivered) (?:me |us )?(?:a |an )?(?:used|worn|second[- ]hand|dirty|stained|returned) "
            r"(?#en)(?:item|one|product|pair|dress|shoes?|jacket|top|bag)|(?:with|has|had|covered in|full of) (?:stains|a stain|marks all over)\b",
            r"(?#pl)(?:w )?inn\w* (?:kolorze|rozmiarze|kolor|rozmiar|modelu|model) niz (?:zamawial|zamowil)\w*|nie (?:ten|taki) (?:kolor|rozmiar|model) (?:jak|co) zamawial|nie to,? co (?:zamawial|zamowil)\w*",
            # "używane ubrania" / "használt ruha" alone is a second-hand shop's advert: only one received
            r"(?#pl)(?:dostal\w*|przyszl\w*|przyszedl|wyslaliscie|przyslaliscie|otrzymal\w*) (?:\w+ )?(?:uzywan|noszon|poplamion|zaplamion|brudn)\w*|"
            # "odplamiacz na koszulki z plamami" asks for a remedy: stains on what a shop is asked to treat are no fault,
            # nor are stains a meal left ("Mam dużo obrusów z plamami po winie"); "z plamami po makijażu" is a worn item
            r"(?#pl)(?:^|(?<!\bna )(?<!\bdo )(?<!\bdla )\b\w+ )z plamami(?! po "
            + _MEAL_STAINS_PL
            + r")|poplamion\w*|zaplamion\w*",
            r"(?#hu)mint (?:amit|amilyet|ami) rendeltem|(?:mas|masik) (?:szinu|meretu|tipusu|modellt)\w* .{0,20}(?:kaptam|jott|kuldtetek|erkezett)|"
            r"(?#hu)hasznalt (?:termeket|arut|cipot|ruhat|holmit) (?:kaptam|kuldtetek|kuldtek)|(?:kaptam|kuldtetek|kuldtek) (?:egy )?hasznalt|"
            r"(?#hu)(?:hasznaltan|hasznalt allapotban) (?:kaptam|jott|erkezett)|foltosan (?:jott|erkezett)",
            r"(?:прислали|пришл\w*|пришел|пришёл|получил\w*|привезли) .{0,25}(?:другого|не того|чужого) (?:цвета|размера|товара|модели)|"
            r"(?:другого|не того) (?:цвета|размера) .{0,20}(?:прислали|пришл|пришел|пришёл)",
            r"(?:прислали|пришл\w*|получил\w*) б/у|б/у (?:товар|вещь|платье)|(?:с пятнами|в пятнах)(?! от (?:вина|кофе|чая|жира|соуса|травы|сока|еды|шоколада|ягод|свеклы|кетчупа))|(?:ношен|поношен)(?:ый|ая|ое|ые|ую)\b",
            r"(?#en)ordered (?>(?:an? |the )?(?:size |it in |in )?)(?P<what_en>[\w-]+)(?: [\w-]+)?,? (?:and |but )?(?:i )?(?:got|received|was sent|you sent(?: me)?|came in|arrived in) "
            r"(?#en)(?:an? |the |size |it in |in )?(?!(?P=what_en)\b)(?:xxs|xs|s|m|l|xl|xxl|xxxl|\d{2}(?! ?(?:(?:h|hrs?|hours?|days?|minutes?|percent|points|off)\b|%))|black|white|navy|blue|red|green|gr[ae]y|pink|beige|brown|yellow|"
            r"(?#en)purple|orange|another|a different|the wrong|something else|someone else'?s)\b",
            r"(?#pl)zamowil\w* .{0,30}(?:a|ale|i) (?:dostal\w*|przyszl\w*|przyszedl|otrzymal\w*|przyslaliscie|wyslaliscie) (?:mi )?(?:zupelnie )?(?:inn|zl(?:y|a|e|ego|ej|ym)\b|nie t(?!ylko)|czyjes)",
            r"(?#pl)(?:dostal\w*|przyszl\w*|przyszedl|wyslaliscie|przyslaliscie|otrzymal\w*) .{0,40}(?<!dni )(?<!dnia )(?<!godzin )zamiast(?! (?:tygod|dni|miesi))|(?<!dni )(?<!dnia )zamiast (?!tygod|dni|miesi).{0,30}(?:dostal|przyszl|przyszedl|wyslaliscie|przyslaliscie)",
            r"(?#hu)(?:nem azt|mast|masikat|rossz \w+t) (?:kaptam|kuldtetek|kuldtek|kaptuk)|(?<!nap )(?<!het )(?<!ora )helyett .{0,25}(?:kaptam|kuldtetek|kuldtek|jott|erkezett)|(?:kaptam|kuldtetek|kuldtek) .{0,30}(?<!nap )(?<!het )(?<!ora )helyett",
            r"(?:прислали|пришл[аои]?|пришел|получил[аи]?|отправили|привезли) .{0,25}(?<!дня )(?<!дней )(?<!часа )(?<!часов )вместо(?! (?:недел|дн|месяц|срок))|(?<!дня )(?<!дней )вместо (?!недел|дн|месяц|срок).{0,30}(?:прислали|пришл|пришел|получил|отправили|привезли)|"
            r"заказывал\w* .{0,30}(?:а|но) (?:пришл\w*|пришел|получил\w*|прислали) (?:совсем )?(?:друг|не т|чуж)",
            r"(?#en)(?:not what (?:i|we) (?:had )?ordered|(?:from|than) what (?:i|we) (?:had )?ordered|missing (?:item|part|piece)s?|doesn'?t work|does not work|stopped working)",
            r"(?#pl)(?<!\bnie )(?:uszkodzon|zniszczon|rozdart|podart|pogniecion|zgniecion|zmiazdzon|potluczon|stluczon|w kawalkach|"
            r"(?#pl)zamokl|przemokl|przemoczon|zbit[aey]?\b|peknie|pekniet|polaman|zepsut|"
            r"(?#pl)wadliw|nie dziala|nie ten (?:rozmiar|kolor|produkt|towar)|zly (?:rozmiar|kolor|produkt)|"
            r"(?#pl)inny (?:produkt|towar|rozmiar|kolor) niz|brakuje|rozklei|sie rozpadl|rozpadl\w* sie|sie rozlecial|rozlecial\w* sie|rozprul|odpadl[aoy]?\b)",
            r"(?#hu)(?<!\bnem )(?<!\bsem )(?:serult|torott|osszetort|eltort|szakadt|elazott|atazott|osszetaposott|karos|hibas|selejtes|nem mukodik|rossz (?:meret|termek|szin)|"
            r"(?#hu)nem (?:azt|ezt)(?: (?:a |az )?(?:meret|szin|termek|modell)\w*)?,? (?:kaptam|rendeltem|kuldtetek|kuldtek)|hianyzik|hianyos|elszakadt|tonkrement)",
            r"(?<!\bне )(?<!\bбез )(?<!\bнет )(?:поврежд|сломан|разбит|порван|промок(?!од)|вдребезги|мят(?:ая|ый|ое)|брак(?!осочет)|не работает|не тот (?:размер|цвет|товар)|"
            r"не то,? что (?:я |мы )?заказыва|не хватает)",
            r"(?:размер|цвет|товар|модель) (?:не тот|не та|другой|другого)",
            r"(?:порвал|сломал|развалил|отклеил|расклеил)(?:ся|ась|ось|ись)|треснул[аои]?\b|разош(?:елся|лась|лись) (?:шов|по шву)",
            r"(?:порвал|зламал|розвалил)(?:ася|ося|ися|ась|ось|ись|ся)",
            r"(?:пошкоджен|зламан|розбит|порван|не працює|не той (?:розмір|колір|товар))",
            r"(?#de)(?:beschadigt|kaputt|zerbrochen|defekt|falsche[rn]? (?:artikel|grosse|farbe)|funktioniert nicht)",
            r"(?#sk)(?:poskozen|poskoden|rozbit|roztrhan|nefunguje|zl[ay] (?:velikost|farb|produkt)|nespravn)",
            # expired goods
            r"(?#en)(?:arrived|came|sent (?:me )?|got|received|delivered)(?: (?!declined|rejected|refused|blocked|because|since|card)\w+){0,3} (?:expired|out of date|past (?:its|their|the) (?:expiry|use[- ]by|best[- ]before))|"
            r"(?#en)expired (?:cream|food|milk|vitamins|supplements|product|medicine|make-?up|perfume|snacks|coffee|tea|items?|goods|stuff)|(?:expiry|use[- ]by|best[- ]before) date (?:was |is |had |has )?(?:last|in the past|already passed|passed|long gone)|"
            r"(?#pl)przeterminowan\w*|(?:dat\w*|termin\w*) waznosci (?:sprzed|minel\w*|minal\w*|uplynel\w*|uplynal\w*|juz (?:minel|minal|uplyn))|po (?:dacie|terminie) waznosci|"
            r"(?#hu)lejart (?:szavatossag|minosegmegorzes|fogyaszthatosag|datum)\w*|(?:szavatossag|lejarati datum)\w* (?:mar )?(?:lejart|elmult)|"
            r"(?:истекш|просроченн|просрочен)\w* (?:срок\w* (?:годности|хранения)|товар|крем|продукт|молок|косметик|лекарств|витамин)|срок\w* годности (?:уже )?(?:истек|закончил|вышел|прош[её]л)|просрочку (?:прислали|привезли|продали)",
            # parts missing from a flat-pack
            r"(?:нет|не положили|отсутству\w*) (?:половины |част\w* |одного |одной |двух )?(?:шуруп|винт|болт|крепеж|фурнитур|детал|ножк)|(?:невозможно|нельзя|не могу|не получается) собрать|собрать невозможно",
            r"(?#en)stopped (?:charging|turning on|connecting|holding (?:a )?charge)|(?:won'?t|doesn'?t|does not|will not) (?:charge|turn on|switch on)\b(?! (?:a |any |extra |for |me |you |shipping|delivery|postage|vat|tax|fees?|customs|twice))|"
            r"(?#hu)nem kuldtetek (?:\w+ )?(?:csavar|alkatresz|szerelek|labat|labakat|utmutato)|nem tudom(?<!\bha nem tudom) (?:osszerakni|osszeszerelni|felszerelni)",
            # ordered one colour, another in the box
            r"(?#en)ordered (?:a |an |the )?(?P<col_en>black|white|navy|blue|red|green|gr[ae]y|pink|beige|brown|yellow|purple|orange|cream|khaki)\b.{0,30}(?:there'?s|there is|got|received|came|sent(?: me)?|in the box (?:is|was)) (?:a |an |the )?(?!(?P=col_en)\b)(?:black|white|navy|blue|red|green|gr[ae]y|pink|beige|brown|yellow|purple|orange|cream|khaki)\b|"
            r"(?#pl)(?:zamawial|zamowil)\w* (?:\w+ )?(?P<col_pl>bezow|czarn|bial|granatow|niebiesk|czerwon|zielon|szar|rozow|brazow|zolt|fioletow|kremow)\w* .{0,30}(?:w paczce|w pudelku|przyszl\w*|przyszedl|dostal\w*|przyslaliscie|wyslaliscie) (?:jest |byl\w* |mi )?(?!(?P=col_pl))(?:bezow|czarn|bial|granatow|niebiesk|czerwon|zielon|szar|rozow|brazow|zolt|fioletow|kremow)",
            r"(?#hu)(?P<col_hu>bezs|fekete|feher|kek|piros|zold|szurke|rozsaszin|barna|sarga|lila)\w* \w+ rendeltem\W{1,3}(?:de |es )?(?:\w+ )?(?!(?P=col_hu))(?:bezs|fekete|feher|kek|piros|zold|szurke|rozsaszin|barna|sarga|lila)\w* (?:van|jott|erkezett|kaptam|kuldtetek)",
            r"(?:заказыва|заказал)\w* (?:\w+ )?(?P<col_ru>бежев|черн|бел|синь|син|красн|зелен|сер|розов|коричнев|желт|фиолетов)\w* .{0,30}(?:в посылке|в коробке|пришл\w*|пришел|прислали|привезли|получил\w*) (?:\w+ )?(?!(?P=col_ru))(?:бежев|черн|бел|син|красн|зелен|сер|розов|коричнев|желт|фиолетов)",
            # a smell the item cannot be used with ("smells of real leather", "pachnie skórą", "nem büdös" are none)
            r"(?#en)(?<!\bnot )(?<!n't )\b(?:reeks?|reeking|stinks?|stinking|stank|smells?|smelling|smelt) (?:\w+ ){0,2}(?:of|like) (?:\w+ )?(?:chemicals?|glue|petrol|gasoline|paint|solvent|bleach|mou?ld|damp|mildew|smoke|cigarettes?|sweat|rot|sewage|ammonia|burnt|burning)\b|"
            r"(?#en)(?:chemical|musty|mouldy|moldy|damp|burnt|rotten|toxic) (?:smell|odou?r|stench)|"
            r"(?#pl)(?<!\bnie )(?:smierdz|cuchn)\w* (?:\w+ ){0,2}(?:chemi|plastik|klej|stechl|plesn|dym|papieros|benzyn|farb|rozpuszczalnik|wilgoc)\w*|(?:zapach|smrod|odor)\w* (?:chemii|chemikali\w*|plastiku|kleju|stechlizny|plesni|dymu|papierosow|benzyny|farby)|(?:pachn|czuc)\w* (?:\w+ )?(?:chemia|plastikiem|klejem|stechlizna|plesnia|dymem|papierosami|benzyna|farba)\b|"
            r"(?#hu)(?<!\bnem )(?:buzl|budos)\w* (?:\w+ ){0,2}(?:vegyszer|muanyag|ragaszto|penesz|doh|cigarett|fust|benzin|festek|oldoszer)\w*|(?:vegyszer|muanyag|ragaszto|penesz|dohos|cigaretta|benzin|festek)\w*szag\w*|(?:vegyszer|muanyag|ragaszto|penesz|cigarettafust|benzin|festek)\w* (?:szag|buz)\w*|"
            r"(?<!не )(?:воня|смерд)\w* (?:\w+ ){0,2}(?:химие|химии|химик|пластик|клее|клея|плесен|плесн|сырост|табак|сигарет|бензин|краск|растворител)\w*|(?:пахн\w*|запах\w*|нес[её]т) (?:\w+ )?(?:химией|химии|химическ\w*|пластиком|пластика|клеем|клея|плесенью|плесени|сыростью|табаком|сигаретами|бензином|краской)",
            # a size chart that lies
            r"(?#en)(?:size chart|sizing|size guide)\w* (?:is|are) (?:a joke|way off|completely off|wrong|useless|all over the place)|(?#pl)rozmiarowk\w* (?:to )?(?:kpina|zart|jest zla|nie trzyma)|"
            r"(?#hu)merettablazat\w* (?:egy )?(?:vicc|rossz|hibas|nem stimmel)|размерн\w* сетк\w*\W{1,3}(?:издевательство|не соответств|вранье|неправильн)",
        ),
    ),
    "refund_refused": (
        "refund or return refused",
        (
            # A bare "no" or "didn't" near "return" read "no worries, I'll return it" and "didn't fit, how do I
            # return it?" as refusals: only refusing verbs reach "return" / "exchange" across other words.
            r"(?#any)(?:refus|reject|deni|declin)\w*.{0,25}(?:refund|return|money back|exchange|reimburs)",
            r"(?#en)(?:won'?t|will not|wouldn'?t|didn'?t|did not) (?:accept|take|let me|allow|process|approve|honou?r)\w* .{0,20}(?:return|exchange)",
            r"(?#en)(?:won'?t|will not|wouldn'?t|didn'?t|did not|never|still no|still haven'?t|waiting (?:for|on) (?:my |a |the )?)"
            r"(?#en).{0,25}(?:refund|money back|reimburs)",
            r"(?#en)\bno (?:refund|money back|reimbursement)",
            r"(?#en)where(?:'s| is) (?:my|our|the) money|(?:kept|took|taken|still have|are keeping|keeping) (?:my|our) money|"
            r"(?#en)(?:cancel+ed)\b.{0,50}(?:still (?:charged|took|taking|have (?:my|our|the) money)|but (?:i was |i'?ve been |you )?(?:charged|took|kept|billed)|no refund|"
            r"(?#en)money (?:is )?(?:gone|not back|still))",
            r"(?#pl)anulowa\w* .{0,50}(?:zabral|pobral|zatrzymal|nie (?:wrocil|zwrocil|oddal))\w*|(?:zabral|zatrzymal)\w* (?:moje |nasze |mi )?pieniadze",
            r"(?#hu)(?:torolt|torolte|toroltek|toroltetek|sztornoz)\w* .{0,50}(?:levon|leemel|megterhel|nem (?:kaptam|jott|adtak|utaltak) vissza)",
            r"отмен\w* .{0,50}(?:списали|сняли|не вернули|не возвращают)",
            r"(?#en)cancel+ed (?:my |the |our )?order (?:after|though|even though|when) (?:i |we )?(?:had |already )?(?:paid|was charged|were charged)|"
            r"(?#pl)anulowa\w* .{0,40}(?:po|mimo) (?:oplac|zaplac|platnosc|wplac)\w*|(?#hu)(?:toroltek|toroltetek|torolt)\w* .{0,40}(?:pedig|miutan) (?:mar )?(?:ki)?fizettem|"
            r"отмен\w* .{0,40}(?:после оплаты|хотя (?:я )?(?:уже )?оплатил)",
            r"(?#en)(?:refund|return|money back).{0,30}(?:refused|rejected|denied|declined|ignored|never came|not (?:received|processed)|"
            r"(?#en)still (?:not|no|nothing|hasn'?t|pending)|not (?:back )?(?:in|on) my (?:account|card|bank))",
            r"(?#pl)(?:odmow|odrzuc|nie (?:chca|chcecie|przyjel|uznal|oddal|zwroc|zwrocil)|nie moge|czekam na|brak|nie ma).{0,25}"
            r"(?#pl)(?:zwrot|reklamacj|pieniad|kasy|wymian)",
            r"(?#pl)(?:oddajcie|zwroccie|oddawajcie) (?:mi |nam )?(?:moj[ae] )?(?:kase|pieniadze|hajs)|(?:reklamacj|zwrot)\w* wisi",
            r"(?#pl)czekam .{0,25}na (?:zwrot|pieniadze|kase|przelew|zwrot pieniedzy)",
            r"(?#en)(?:make|made|making|want|expect|ask(?:ing)?) (?:me|us) (?:to )?pay (?:for )?(?:the )?(?:return|returns|postage back|shipping back)",
            r"(?#pl)(?:kazecie|kaza|kazali|kazaliscie|wymagacie|zadacie) (?:mi |nam )?(?:placic|zaplacic|oplacic) za (?:odeslanie|zwrot|wysylke zwrotn|przesylke zwrotn)",
            r"(?#hu)(?:nekem|nekunk) kell (?:meg )?fizetn\w* (?:a )?(?:visszakuldes|postakoltseg)\w*|fizettetitek velem (?:a )?visszakuld",
            r"(?:требуете|заставляете|просите),? (?:чтобы )?(?:я |мы )?(?:платил\w*|оплатил\w*|заплатил\w*|оплачивал\w*) (?:за )?(?:пересылку|возврат|обратн)",
            r"(?#pl)(?:zwrot|reklamacj|pieniad|pieniedzy|kas[ay]\b).{0,30}(?:odrzucon|odmow|nie uznan|nadal nie|wciaz nie|brak|nie dostal|"
            r"(?#pl)nie (?:wrocil|wplynel|wplynal|przyszl|przyszedl|doszl|dotarl)|do dzis(?:iaj)? nie)",
            r"(?#hu)(?:elutasit|nem (?:fogadjak|fogadtak|adjak|adtak|kuldik|kaptam)|nem (?:jott|kaptam|utaltak|utaltatok|kuldtek|kuldtetek) vissza|"
            r"(?#hu)visszautasit|varok).{0,30}"
            r"(?#hu)(?:visszaterites|visszakuld|penz|csere|reklamaci|garanci)",
            r"(?#hu)(?:visszaterites|visszakuld|penzem|penz|reklamaci|garanci).{0,30}(?:elutasit|nem (?:jott|kaptam|fogad|adj)|"
            r"(?#hu)meg mindig|semmi|hol van|azota (?:se|sem|semmi)\b)",
            r"(?:отказ|не (?:вернули|возвращают|принимают|приняли|хотят)|жду|нет).{0,30}(?:возврат|деньг|обмен|претензи)",
            r"(?:возврат|деньги|претензи).{0,30}(?:отказ|не (?:вернули|пришли|приняли)|до сих пор|так и не|игнор)",
            r"(?:відмов|не (?:повернули|повертають|приймають)).{0,30}(?:повернення|гроші|обмін)",
            r"(?#de)(?:erstattung|ruckerstattung|ruckgabe|reklamation|umtausch|geld zuruck).{0,30}(?:abgelehnt|verweigert|immer noch|nicht)",
            r"(?#de)warten? (?:immer noch |noch immer |seit .{0,20})?auf (?:meine |mein |die |das )?(?:erstattung|ruckerstattung|geld|gutschrift)",
            r"(?#sk)(?:vraceni|vratenie|reklamac|penize|peniaze).{0,30}(?:zamitnut|zamietnut|odmit|odmiet|stale nic|porad nic)",
            # only part of the money came back
            r"(?#en)(?:refunded|gave (?:me )?back|returned(?<!\bi returned)(?<!\bwe returned)(?<!i've returned)(?<!\bi have returned)|paid (?:me )?back|credited) (?:me |us )?(?:only|just) (?:half|part|a part|£|\$|€|\d)|only (?:got|received|been refunded|refunded) (?:half|part|a partial|£|\$|€|\d)|"
            r"(?#pl)(?:(?:zwrocil|oddal|przelal)(?![ae]m\b)\w*|oddano|zwrocono) (?:mi |nam )?(?:tylko|jedynie|zaledwie) (?:\d|polow|czesc|pol\b)|"
            r"(?#hu)(?:csak|mindossze|csupan) (?:az ar |az osszeg )?(?:a )?(?:felet|reszet|\d[\d ]*(?:ft|forint)?\w*) (?:utalt|fizett|adt|kuldt|teritett)(?![ae]m\b|unk\b)\w* vissza|"
            r"(?<!я )(?:вернули|возвратили|перевели|вернул[аи]?) (?:мне |нам )?(?:только |лишь |всего )(?:половин|част|\d+ (?:из|руб|р\b|₽))|(?:вернули|возвратили) (?:мне |нам )?(?:часть|половину) (?:суммы|денег|стоимости)",
        ),
    ),
    "no_answer": (
        "no answer from the shop",
        (
            r"(?#en)(?:no (?:one|body)|nobody) (?:answers?|responds?|replies|picks up|gets back)",
            r"(?#en)(?:no|zero|without any?) (?:answer|response|reply|contact(?! delivery))",
            r"(?#en)(?:dm'?d|dmed|messaged|emailed|e-mailed|called|rang|tweeted|wrote to|written to|contacted) (?:you|u)\b.{0,30}"
            r"(?#en)(?:nothing|no (?:answer|reply|response)|no ?one|nobody|silence|crickets)",
            r"(?#en)is (?:any|some) ?one (?:there|even there|reading (?:this|these)|working there|alive)",
            r"(?#pl)(?:czy )?ktos (?:tam |u was )?(?:w ogole )?(?:pracuje|czyta|to czyta|odpowie|zyje)\b|"
            r"(?#hu)van (?:ott |egyaltalan )+valaki|(?:кто-нибудь|кто-то|хоть кто-то) (?:там |у вас )?(?:вообще )?(?:работает|читает|ответит|живой)",
            r"(?#en)(?:ignor(?:ing|ed|e) (?:me|my|our|us)|you (?:ignore|don'?t answer|never (?:answer|reply|respond)))",
            r"(?#en)(?:(?:haven'?t|has not|hasn'?t|didn'?t) (?:heard back|gotten a reply|got an? (?:answer|reply)))",
            r"(?#en)(?:emails?|messages?|dms?|calls?|tickets?) .{0,25}(?:unanswered|ignored|no (?:answer|reply|response))",
            r"(?#pl)(?:nikt|zero|brak) (?:nie )?(?:odpowi|odpisuj|odbier|kontakt|reakcj|odzew)",
            r"(?#pl)(?:nie (?:odpowiadacie|odpisujecie|odbieracie|odpowiada(?:ja)?\b|odpisuja|odbiera(?:ja)?\b|odpisal|odpowiedzial)|ignorujecie|olewacie)",
            r"(?#hu)(?:senki|semmi|se) (?:nem )?(?:valaszol|reagal|veszi fel|valasz)",
            r"(?#hu)(?:nem (?:valaszol|valaszolnak|valaszoltak|reagal|reagalnak|veszik fel|irtak vissza)|nincs valasz|"
            r"(?#hu)valasz nelkul|ignoral)",
            r"(?:никто не (?:отвечает|ответил|берет|перезвонил)|не отвечаете|не отвечают|игнорируете|нет ответа|без ответа|"
            r"молчите|молчат|и тишина|в ответ тишина|полная тишина|никакого ответа|ноль реакции|(?<!коже )(?<!меня )никакой реакции)",
            r"(?:пишу|писал[аи]?|звоню|звонил[аи]?|обращаюсь|обращал[аи]?сь)\b.{0,40}тишина",
            r"(?:ніхто не (?:відповідає|відповів)|не відповідаєте|ігноруєте|немає відповіді)",
            r"(?#de)(?:keine antwort|niemand antwortet|antworten nicht|ignoriert)",
            r"(?#en)heard nothing(?: back| from)|heard nothing(?= *(?:$|[.,!?]|since|for|yet|at all))|promised to (?:call|ring|get back|reply|email|contact|answer)\b.{0,30}(?:nobody|no ?one|never|didn'?t|did not|nothing)|(?:haven'?t|have not|never|didn'?t|did not) hear(?:d)? (?:anything )?back|"
            r"(?#en)no ?one (?:has |ever )?(?:got|gotten|came) back",
            r"(?#pl)nikt (?:sie )?(?:ze mna |z nami |do mnie )?(?:nie )?(?:odezwal|odpisal|oddzwonil|zadzwonil|skontaktowal)|"
            r"(?#pl)(?:temu|mail\w*|wiadomosc\w*|reklamacj\w*|zgloszeni\w*|napisal\w*).{0,40}(?:i|a) (?:dalej |nadal |wciaz |ciagle |tylko |kompletna |totalna )?cisza\b|"
            r"(?#pl)(?:dalej|nadal|wciaz|ciagle) cisza",
            r"(?<!однозначного )ответа (?:так и |до сих пор |вс[её] ещ[её] |пока )?нет",
            # the phone line itself: "zajęte" / "занято" (the line), not "zajęta" / "занята" (a busy person)
            r"(?#en)(?:line|phone|number|hotline|helpline)s? (?:is |are |was )?(?:always |constantly |permanently |still )?(?:engaged|busy)|(?:always|constantly) engaged(?= *(?:$|[.,!?]))",
            r"(?#pl)(?:ciagle|caly czas|wiecznie|stale|non stop) zajete\b|(?#hu)(?:folyton|mindig|allandoan|egyfolytaban) foglalt|"
            r"(?:постоянно|вс[её] время|вечно|всегда) занято\b",
            r"(?#en)(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th)) time (?:i'?m |i am |i have been )?(?:writing|asking|messaging|contacting|emailing|calling|dm'?ing)|"
            r"(?#en)(?:does|is|do) (?:any ?one|anybody|somebody|some ?one) (?:even |actually )?(?:read|reading|check|checking)(?! out)",
            r"(?#pl)(?:drugi|trzeci|czwarty|piaty|kolejny|\d+\.?) raz (?:juz )?(?:pisze|pytam|dzwonie|pisalam|pisalem|pisze)|czy ktos (?:to )?(?:w ogole )?(?:czyta|sprawdza)",
            r"(?#hu)(?:masodszor|harmadszor|negyedszer|otodszor|sokadszor|\d+\.? alkalommal) (?:irok|kerdezek|telefonalok|irtam)|olvassa (?:ezt )?(?:egyaltalan )?valaki",
            r"(?:пишу|спрашиваю|звоню|обращаюсь) (?:уже )?(?:второй|третий|четв[её]ртый|пятый|\d+-?й|энный) раз|"
            r"(?:второй|третий|четв[её]ртый|пятый) раз (?:пишу|спрашиваю|звоню|обращаюсь)|кто-(?:то|нибудь) (?:это )?(?:вообще )?(?:читает|читают)|кто (?:это )?вообще (?:читает|читают)",
            # the phone or chat nobody picks up
            r"(?#en)(?:can'?t|cannot|unable to|impossible to) (?:get through(?!(?: \w+){1,3} without)|reach (?:you|anyone|any ?one|your)|get hold of (?:you|anyone))|"
            r"(?#en)(?:helpline|hotline|phone line|customer service|support|live chat) (?:is )?(?:unreachable|always busy|never answers|not answering)",
            r"(?#pl)infolinia\w* (?:jest |ciagle |caly czas )?(?:niedostepn|nie odpowiada|nie odbiera|zajet)|nie (?:mozna|da sie|moge) (?:sie )?(?:do (?:was|nich|sklepu|ciebie) )?dodzwonic",
            r"(?#hu)(?:ugyfelszolgalat|telefon|vonal|chat)\w* (?:nem elerheto|nem veszi fel|folyton foglalt|mindig foglalt|nem valaszol)|"
            r"(?#hu)nem (?:lehet|tudom|tudlak|tudunk) (?:elerni|felhivni)|elerhetetlenek vagytok|elerhetetlen (?:az |a )?(?:ugyfelszolgalat|telefon|vonal)",
            r"(?:не (?:могу|можем|получается|удается) |невозможно )дозвониться|не дозвониться|"
            r"(?:горячая линия|(?:ваш |у вас )телефон|поддержка|чат)\w* (?:не отвечает|вечно занят|всегда занят|недоступ)|"
            r"(?:сколько можно|сколько (?:ещ[её]|мне)) ждать ответа|терпени\w* (?:закончил|лопнул)",
            r"(?#sk)(?:nikto|nikdo) (?:neodpoved|neodpisal|nereaguj)|(?:bez odpovede|bez odpovedi|neodpovedate|ignorujete)",
            # a bot that will not hand over to a person; a repair or claim nobody reports on
            r"(?#en)(?:sending|sends|sent|going(?<!i'm going)(?<!i am going)|goes|running|runs) (?:me )?(?:round |around )?in circles|(?:can'?t|cannot|never) (?:get|reach|talk to|speak to|get through to) (?:a |an |to a )?(?:human|real person|actual person|real human|live agent)|i (?:just )?want (?:to (?:talk|speak) to )?(?:a |an )?(?:human|real person|actual person)\b|"
            r"(?#pl)(?:bot(?!k)|chatbot|automat)\w* .{0,30}(?:w kolko|w kolo)|(?:nie da sie|nie moge) (?:sie )?(?:dodzwonic|polaczyc|porozmawiac) (?:sie )?(?:z )?(?:czlowiek|zywym|konsultant)|"
            r"(?#hu)korbe(?:-korbe)? (?:kuld|visz|jar)\w*|nem (?:lehet|tudok) (?:elerni )?(?:elo )?(?:emberrel|ugyintezovel|munkatarssal) (?:beszelni|beszelnem)|"
            r"(?:бот(?!инк|ил)|робот|автоответчик)\w* .{0,30}(?:по кругу|одно и то же)|(?:невозможно|не могу|нельзя) (?:связаться|поговорить|дозвониться) (?:с|до) (?:живым|человек|оператор)|(?:до сих пор|по-прежнему) (?:тишина|ни слуху ни духу)",
            # sent the return, heard nothing
            r"(?#en)(?:and )?not a (?:single )?word (?:since|back|from you)|(?#hu)(?:kuldtem|vittem|adtam) vissza .{0,40}(?:semmi hir|semmi valasz|azota semmi)|и никакой (?:информации|обратной связи|реакции)|ни ответа,? ни привета",
            # asked again and again, and still nothing ("asked twice about sizing and got great answers" was answered)
            r"(?#en)(?:asked|requested|emailed|e-mailed|messaged|written|wrote|called|rung|rang|chased|dm'?d)(?: you| them)? (?:\w+ )?(?:twice|three times|four times|five times|\d+ times|several times|multiple times|so many times|many times)\b.{0,60}"
            r"(?#en)\b(?:still|nothing|no (?:answer|reply|response|one|word)|never|nobody|(?:haven|hasn|didn|don|doesn)'?t)\b|"
            r"(?#pl)(?:(?:prosil|pytal|pisal|dzwonil|upominal|przypominal|zglaszal|wysylal)\w* (?:juz )?(?:\w+ )?(?:dwa|trzy|cztery|piec|kilka|wiele|pare|\d+) razy|(?:dwa|trzy|cztery|piec|kilka|wiele|pare|\d+) razy (?:juz )?(?:prosil|pytal|pisal|dzwonil|upominal|przypominal|zglaszal)\w*)\b.{0,60}"
            r"(?#pl)\b(?:nadal|dalej|wciaz|ciagle|nic|cisza|brak|zero|nie)\b|"
            r"(?#hu)(?:(?:ketszer|haromszor|negyszer|otszor|tobbszor|sokszor|\d+-?szor) (?:is )?(?:mar )?(?:kertem|kertuk|irtam|irtunk|kerdeztem|telefonaltam|hivtam|jeleztem|szoltam)|(?:kertem|irtam|kerdeztem|telefonaltam|hivtam|jeleztem) (?:mar )?(?:\w+ )?(?:ketszer|haromszor|negyszer|tobbszor|sokszor|\d+-?szor))\b.{0,60}"
            r"(?#hu)\b(?:meg mindig|semmi|nem|sehol|nincs)\b|"
            r"(?:(?:дважды|два раза|три раза|четыре раза|пять раз|несколько раз|много раз|\d+ раза?) (?:уже )?(?:просил|писал|звонил|спрашивал|обращал|напоминал)\w*|(?:просил|писал|звонил|спрашивал|обращал|напоминал)\w* (?:уже )?(?:дважды|два раза|три раза|четыре раза|пять раз|несколько раз|много раз|\d+ раза?))\b.{0,60}(?:до сих пор|ничего|(?<!\w)нет\b|(?<!\w)не\b|тишина|без ответа)",
        ),
    ),
    "charged_twice": (
        "charged twice or wrongly / fraud",
        (
            r"(?#en)(?:charged|billed|debited|paid|took (?:my )?money) (?:me |us |my (?:card|account) )?(?:twice|two times|double|2 times|2 ?x\b)",
            r"(?#en)(?:double|duplicate) (?:charge|payment|billing)",
            r"(?#en)(?:invoice|receipt|bill)\w* (?:has|had|is|was|with) (?:the )?(?:wrong|incorrect)|(?:wrong|incorrect) (?:details on )?(?:the |my )?(?:invoice|receipt)|"
            r"(?#pl)(?:faktur|paragon|rachun)\w* .{0,20}(?:zl[eay]\w* dane|bled|nieprawidlow)|(?#hu)(?:szamla|szamlat|szamlan)\w* (?:rossz|hibas) (?:adat|nev|cim|osszeg)|rossz (?:nevre|adatokkal|cimre) .{0,20}szaml|(?:hibas|rossz) (?:a )?szamla|"
            r"(?:сч[её]т|чек|накладн)\w* .{0,25}(?:неправильн|ошибк|неверн)",
            r"(?#en)(?:demanded|asked (?:me )?for|wanted) (?:extra|more|additional) (?:money|payment|cash)|(?#pl)(?:zazadal|chcial|kazal)(?!\w*by)\w* (?:\w+ )?(?:doplat|dodatkow)|"
            r"(?#hu)(?:pluszpenzt|potlolagos (?:dijat|penzt)|plusz (?:dijat|penzt)) kert|потребовал\w* (?:\w+ )?доплат",
            r"(?#en)(?:discount|code|coupon|voucher|sale price|promo)\w* (?:wasn'?t|was not|didn'?t|did not|isn'?t|not|never) (?:get )?(?:applied|apply|taken off|deducted)",
            r"(?#pl)(?:rabat|kod|znizk|promocj|kupon)\w* (?:sie )?nie (?:zostal\w* )?(?:naliczy|naliczon|uwzgledni|odliczon|zadzialal)\w*",
            r"(?#hu)nem (?:vontak le|vontatok le|szamoltak el|szamoltatok el|jott le|ervenyesult|ervenyesitettek) (?:a |az )?(?:kedvezmeny|kupon|akcio)|"
            r"(?#hu)(?:kedvezmeny|kupon|akcio)\w* nem (?:ervenyesult|jott le|lett levonva)",
            r"(?:скидк|промокод|купон)\w* не (?:применил|сработал|учли|учт[её]н|засчитал|прош[её]л)\w*",
            r"(?#en)(?:charged|billed|took) (?:me |us )?(?:for|extra)\b.{0,40}(?:supposed to be|should (?:have )?be(?:en)?|was) free|overcharged|"
            r"(?#en)charged (?:me |us )?(?:too much|more than|the wrong)",
            r"(?#pl)(?:pobral\w*|naliczyl\w*|doliczyl\w*) .{0,30}(?:choc|chociaz|mimo ze|a) .{0,20}(?:miala|mialo|mial) byc (?:darmow|bezplatn|gratis)",
            r"(?#hu)(?:felszamolt|felszamoltatok|felszamoltak|levontatok|kifizettettek) .{0,40}(?:pedig|holott) .{0,25}(?:ingyen|dijmentes)",
            r"(?:взяли|списали|сняли) .{0,30}(?:хотя|а ведь) .{0,25}(?:бесплатн)",
            r"(?#en)(?<!\bnot a )(?<!\bnot )(?<!\bno )\b(?:scam|scammers?|fraud|fraudulent|rip[- ]?off|stole my money|unauthori[sz]ed (?:charge|payment))\b",
            r"(?#pl)(?:pobrali|pobraliscie|zaplacilem|zaplacilam|obciazyli|sciagneli).{0,25}(?:dwa razy|podwojnie|dwukrotnie|2 razy|2 ?x\b|x ?2\b)",
            r"(?#pl)\b(?:oszust|oszustwo|oszusci|naciagacze|zlodzieje|wyludz|kradziez)",
            r"(?#hu)(?:ketszer|dupla|duplan|2 ?x\b).{0,25}(?:levon|terhel|fizet|vontak|vettek)",
            r"(?#hu)\b(?:csalas|csalo|csalok|atveres|atvertek|lehuzas|lopas|lopnak)",
            r"(?#any)(?:списали|сняли|оплатил[аи]?).{0,25}(?:дважды|два раза|2 раза|двойн|2 ?[xх](?!\w))|двойное списание",
            r"\b(?:мошенник|мошенничеств|обман|развод|кидал|воры|(?<!посылку )(?<!заказ )(?<!коробку )украли(?! (?:мою |мой |наш[уа]? )?(?:посылк|заказ|коробк)))",
            r"(?:списали|зняли).{0,25}(?:двічі|два рази)|\b(?:шахра|обман|крадіжк)",
            r"(?#de)(?:zweimal|doppelt) (?:abgebucht|belastet|berechnet|bezahlt)|\b(?:betrug|betruger|abzocke)",
            r"(?#sk)(?:dvakrat|dvojmo|dvojite).{0,25}(?:strhl|strhnut|zaplat|platb)|\b(?:podvod|zlodej|okradl)",
            # money or points gone from a gift card or account
            r"(?#en)(?:money|balance|credit|points|funds)\w* (?:has |have |just )?(?:vanished|disappeared|gone missing) from|(?:vanished|disappeared|went missing) from (?:my |the )?(?:gift ?card|account|balance|wallet)|"
            # a balance of 0 alone is also money spent ("balance is 0 now, can I top it up?"): a sign that it
            # was never used, or a why, makes it money gone
            r"(?#en)"
            + _EMPTY_BALANCE_EN
            + r"(?=[^.!?]{0,60}"
            + _UNSPENT_EN
            + r")|(?#en)"
            + _UNSPENT_EN
            + r"[^.!?]{0,60}"
            + _EMPTY_BALANCE_EN
            + "|"
            r"(?#en)my (?:loyalty |reward )?points (?:have |just )?(?:vanished|disappeared|were wiped|got wiped)|"
            r"(?#pl)z (?:karty|konta|salda|portfela)\w* (?:podarunkow\w* )?(?:znikn|ubyl)\w*|"
            r"(?#pl)"
            + _EMPTY_BALANCE_PL
            + r"(?=[^.!?]{0,60}"
            + _UNSPENT_PL
            + r")|(?#pl)"
            + _UNSPENT_PL
            + r"[^.!?]{0,60}"
            + _EMPTY_BALANCE_PL
            + "|"
            r"(?#pl)(?:zniknel|znikn\w*|ubylo) .{0,20}z (?:karty|konta|salda)|"
            r"(?#hu)\w*(?:kartya|szamla|egyenleg)\w*rol (?:\w+ )?(?:eltunt|hianyzik)|(?:eltunt|elveszett|lenullazodott)\w* (?:a |az )?(?:egyenleg|pontjaim|pontok)|lenullazodott\w* (?:a |az )?ajandekkartya|"
            r"(?:с|со) (?:подарочной |бонусной )?(?:карты|сч[её]та|баланса|кошелька)\w* (?:\w+ )?(?:пропал|исчез)\w*|(?:пропали|исчезли|сгорели|обнулились) (?:все )?(?:бонусы|баллы|деньги с (?:карты|сч[её]та|баланса))",
            # charged more than the basket or the site said
            r"(?#en)(?:basket|cart|checkout|website|site|listing|price tag|app) (?:said|showed|says|shows|was|had)\b.{0,30}\d.{0,30}(?<!\bbe )(?:charged|took|debited|billed|taken)|(?:charged|billed|took) (?:me )?(?:more|extra) than (?:the )?(?:price|basket|cart|checkout|listed|advertised)|"
            r"(?#pl)(?:w koszyku|na stronie|w aplikacji|przy kasie)\b.{0,30}\d.{0,30}(?:pobrali|pobraliscie|sciagneli|sciagneliscie|obciazyli|obciazyliscie|policzyli|policzyliscie)|"
            r"(?#hu)(?:kosarban|weboldalon|oldalon|appban|alkalmazasban)\b.{0,30}\d.{0,40}(?:vontatok le|vontak le|terheltetek|terheltek|szamoltatok)|"
            r"(?:в корзине|на сайте|в приложении)\b.{0,30}\d.{0,30}(?:списали|сняли|взяли|выставили)",
            # asked to pay again on the doorstep, or renewed without consent
            r"(?#en)(?:asked|wanted|demanded|tried to (?:make me pay|charge))\w* .{0,30}(?:cash|payment|to pay|money) .{0,30}(?:already paid|paid online|prepaid|paid by card|paid in advance)|"
            r"(?#pl)(?:za pobranie|pobrani\w*).{0,40}\b(?:a|ale|choc|chociaz|mimo ze|przeciez)\b .{0,15}(?:zaplacil\w*|oplacil\w*|oplacon\w*) (?:z gory|wczesniej|juz|online|karta|blikiem|przelewem)|"
            r"(?#hu)utanvet\w*.{0,40}pedig (?:mar )?(?:\w+ )?(?:fizettem|kifizettem|ki van fizetve)|"
            r"(?<!я )(?:требовал\w*|просил\w*|хотел\w*) (?:оплат\w*|деньги|наличн\w*).{0,40}(?:хотя|а ведь|но) .{0,20}(?:оплачен|оплатил)",
            r"(?#en)(?:renewed(?<!be renewed)|charged|billed|took|signed me up)\w* .{0,25}without (?:asking|my (?:consent|permission)|permission|telling)|(?:didn'?t|did not|never) (?:ask|agree) to (?:renew|be charged|a subscription)|"
            r"(?#pl)bez (?:mojej )?(?:zgody|pytania) .{0,20}(?:pobral|przedluzyl|odnowil|obciazyl)|(?:pobral|przedluzyl|odnowil|obciazyl)\w* .{0,20}bez (?:mojej )?(?:zgody|pytania)|"
            r"(?#hu)(?:beleegyezesem|engedelyem|kerdes) nelkul .{0,20}(?:megujitott|levont|terhelt)|(?:megujitottatok|levontatok|terheltetek)\w* .{0,20}(?:beleegyezesem|engedelyem|kerdes) nelkul|"
            r"без (?:моего )?(?:согласия|спроса|разрешения) .{0,20}(?:продлили|списали|сняли|оформили)|(?:продлили|списали|сняли|оформили)\w* .{0,20}без (?:моего )?(?:согласия|спроса|разрешения)",
            # a service paid for and not given: gift wrap, assembly, carrying up, taking the old one away ("paid for gift
            # wrap and it looked gorgeous" is praise: only with a sign it was not done, or refused though paid)
            r"(?#en)(?<!\bbe )(?:paid|paying|payed) (?:extra |separately |\S+ )?for (?:the |a |an )?(?:gift[- ]?wrap\w*|wrapping|gift box\w*|assembly|installation|set ?up|fitting|engraving|personali[sz]ation|carry\w*|removal|(?:taking|take) (?:the |my )?old)\b.{0,60}"
            r"(?#en)\b(?:loose|plain|plastic bag|unwrapped|not|no|never|without|just|only|nothing|(?:haven|hasn|didn|don|doesn|wasn|weren|isn)'?t)\b|"
            r"(?#en)(?:refused|wouldn'?t|would not|won'?t|didn'?t|did not)\b(?! mind| care| regret).{0,60}\b(?:even though|although|though|despite) (?:i |we )?(?:had |have |'ve )?(?:already )?(?:paid|paying|was charged|were charged)\b|"
            r"(?#pl)(?:zaplacil|oplacil|doplacil)\w* (?:ekstra |dodatkowo |osobno )?(?:za )?(?:pakowani|opakowani|zapakowani|papier prezent|grawer|montaz|sklad|wniesieni|wnoszeni|odbior stare|personalizac)\w*\b.{0,60}\b(?:a|ale|i|mimo to)\b.{0,40}"
            r"(?#pl)\b(?:luzem|foliowc\w*|foliow\w*|worku|reklamowc\w*|bez|nie|tylko|zwykl\w*)\b|"
            r"(?#pl)\bnie\b(?! (?:zaluj|narzek))(?! mam nic).{0,60}\b(?:choc|chociaz|mimo ze|a przeciez|pomimo ze) (?:\w+ )?(?:(?:zaplacil|oplacil|placil)\w* za\b|zaplacon\w*|oplacon\w*)|"
            r"(?#hu)(?:fizettem|kifizettem|megfizettem|fizettunk|kifizettuk)\b.{0,50}\b(?:megis|megsem|megse|de (?:megis|megsem|nem|csak))\b|"
            r"(?#hu)\bnem\b(?! (?:banom|bantam|panaszkod)).{0,60}\bpedig (?:mar )?(?:\w+ )?(?:kifizett\w*|fizettem|fizettunk|ki van fizetve|meg van fizetve)|"
            r"(?:заплатил|оплатил|доплатил)\w* (?:за )?(?:подарочн\w* )?(?:упаковк|сборк|подъ[её]м|гравировк|установк|монтаж|занос|вынос|персонализаци)\w*\b.{0,20}?,? (?:а|но)\b.{0,40}(?:просто|(?<!\w)не\b|нет\b|без\b|только|обычн)|"
            r"(?:отказал\w*|не (?:стали|захотел\w*|смогли|смог))\b.{0,60}\bхотя (?:\w+ ){0,2}(?:оплачен\w*|оплатил\w*|заплатил\w*)",
            # a free-delivery threshold reached and delivery charged all the same ("over £50, so delivery was free" is none)
            r"(?#en)(?:over|above|more than|spent|basket (?:was|of)|order (?:was|of)) ?[£$€]?\d[\d.,]*\b.{0,50}\b(?:still|anyway|all the same|yet)\b.{0,25}\b(?:charged|added|took|billed|charge|had to pay)\b|"
            r"(?#en)(?:still|anyway) (?:got |been |was |were )?(?:charged|added|took|billed)\b.{0,25}\b(?:delivery|shipping|postage)|"
            r"(?#pl)(?:ponad|powyzej|wiecej niz|przekroczy\w*) ?\d[\d ]*\b.{0,50}\b(?:a i tak|i tak|mimo to|a jednak)\b.{0,25}\b(?:doliczy|pobra|nalicz|policzy|obciazy|kaz\w* (?:mi )?zaplac)\w*|"
            r"(?#hu)(?:folott|felett|folotti|feletti|tobb mint)\b.{0,50}\b(?:megis|megsem|ennek ellenere)\b.{0,25}\b(?:felszamol|levon|fizettet|szamolt|kert)\w*|"
            r"(?:больше|более|свыше|выше|от|на сумму|на) ?\d[\d ]*\b.{0,50}(?:вс[её] равно|вс[её]-таки|тем не менее)\b.{0,25}(?:посчитал|взял|списал|начислил|выставил|платн|добавил)\w*|(?:вс[её] равно|вс[её]-таки) (?:\w+ )?(?:посчитали|взяли|списали|начислили|добавили) (?:\w+ )?(?:за )?доставк",
        ),
    ),
    "legal_threat": (
        "legal or public threat",
        (
            # bare "sue" / "court" / "media" were Sue from the store, the tennis court and "social media"
            r"(?#en)\b(?:lawyer|attorney|solicitor|suing|lawsuit|legal action|small claims|chargeback)\b",
            r"(?#en)(?:i'?ll|i will|gonna|going to|will|to) sue\b|\bsue (?:you|u|the shop|your)\b|(?:to|in) court\b|court (?:case|claim|order)",
            r"(?#en)(?:consumer (?:protection|rights|ombudsman|authority|office|council|agency)|trading standards|ftc|bbb|better business bureau)",
            r"(?#en)(?:report(?:ing)? you|go(?:ing)? public|tell everyone|post(?:ing)? (?:this )?everywhere|journalist|"
            r"(?#en)(?:go(?:ing)? to|contact(?:ing)?|tell(?:ing)?|call(?:ing)?) (?:the )?(?:media|press|news))",
            r"(?#en)(?:1|one|0|zero)[- ]star (?:review|rating)|(?:leave|leaving|write|writing|post|posting|give|giving) (?:you )?(?:an? )?(?:bad|negative|terrible) reviews?|warn (?:everyone|others|people)",
            # folded "sąd" is English "sad", so only "sądu" / "sądzie"; "media" alone is "social media"
            r"(?#pl)(?:prawnik|adwokat|radca prawny|sadzie|sadu|pozew|pozwe|uokik|rzecznik\w* (?:praw )?konsument|inspekcj[ai] handlow|prokurat|policj[aeiy]|do mediow|w mediach|dziennikar|zglosze (?:to|sprawe))",
            r"(?#pl)niech (?:ludzie|wszyscy|inni|kazdy) (?:wie|wiedza|zobacz)|ostrzeg(?:e|am|ne) (?:innych|wszystkich|ludzi)|"
            r"(?#pl)(?:wystawie|wystawiam|napisze|zostawie|dam|daje) (?:wam |ci )?(?:negatywn\w* opini|(?:1|jedna) gwiazdk)",
            r"(?#hu)(?:ugyved|birosag|perel|bepereli|feljelent|fogyasztovedel|bekeltet|gvh\b|rendorseg|ugyeszseg|sajto)",
            r"(?#hu)negativ (?:ertekeles|velemeny)|(?:1|egy) csillag(?:ot|os)\b|figyelmeztet(?:ek|em|ni) (?:mindenkit|masokat|az embereket)|"
            r"(?#hu)(?:mindenki|az emberek) (?:tudja|tudjon|tudjak) meg",
            r"жалоб[ауы] (?:уже )?(?:составлен|написан|подан|отправлен|напишу|подам|отправлю)|(?:напишу|подам|отправлю) жалобу",
            r"(?:юрист|адвокат|суд\b|судом|в суд|иск\b|роспотребнадзор|прокуратур|защит[аеуы] прав потребител|полици|"
            r"претензию в|жалобу в|сми\b|журналист)",
            r"пусть (?:все|люди|другие) (?:знают|узнают|видят)|"
            r"(?:оставлю|напишу|поставлю|выложу|оставим|напишем) .{0,15}(?:плохой|негативный|отрицательный) отзыв",
            r"(?:юрист|адвокат|до суду|позов|захист[уі]? прав споживач|поліці|держпродспоживслужб)",
            # "Anzeige" alone is also an advert
            r"(?#de)(?:anwalt|gericht|verklagen|klage|verbraucherzentrale|verbraucherschutz|polizei|strafanzeige|"
            r"(?#de)anzeige (?:erstatten|erstattet|machen|gegen)|zur anzeige|(?:werde|werden|wird) .{0,40}\banzeigen\b|(?:schlechte|negative) bewertung)",
            r"(?#sk)(?:pravnik|advokat|soud|sud\b|zalob|zaloba|coi\b|soi\b|ochran[ay] spotrebitel|policii|policiu)",
        ),
    ),
    "cant_order": (
        "can't order or pay",
        (
            # The shop is losing the sale: the site, app, checkout, payment or a promised code fails the
            # customer. A negation between "can't" and the verb ("nie mogę nie kupić", "не могу не
            # заказать") is a customer who cannot resist, not one who cannot pay.
            r"(?#en)(?:can'?t|cannot|can not|unable to|won'?t let me|doesn'?t let me|not able to) (?:place (?:an? |my |the )?order|"
            r"(?#en)complete (?:my |the |an? )?(?:order|purchase|payment|checkout)|check ?out|pay\b(?! (?:until|till|before|yet|now|today|this))|log ?in|sign in|finish (?:my |the )?(?:order|payment))",
            r"(?#en)(?:website|site|app|checkout|payment page|payment|basket|cart) (?:keeps? |is |was |just )?"
            r"(?#en)(?:crash|down\b|broken|not (?:working|loading)|won'?t (?:load|work)|doesn'?t (?:load|work)|froze|freez|error)",
            r"(?#en)(?:discount|promo|voucher|coupon|gift) ?(?:code|card)?s? (?:keeps? )?"
            r"(?#en)(?:failed|fails|failing|rejected|doesn'?t work|not working|isn'?t working|won'?t work|is invalid|says invalid)",
            r"(?#en)(?:won'?t|doesn'?t|does not|will not|didn'?t) accept (?:my )?(?:card|payment|paypal|visa|mastercard)|"
            r"(?#pl)nie (?:przyjmuje|akceptuje|przechodzi) (?:mojej )?(?:karty|platnosci|blik)|(?#hu)nem fogadja el .{0,20}(?:kartya|fizetes)|"
            r"не принима\w* (?:мою |мои )?(?:карт|оплат|платеж)",
            r"(?#en)(?:transfer|payment|money) (?:went through|was made|has gone|is done|cleared|left my account).{0,40}(?:unpaid|not paid|awaiting payment|pending payment)|"
            r"(?#en)(?:paid|charged).{0,30}(?:order )?(?:still )?(?:shows|says|marked) (?:as )?(?:unpaid|not paid|awaiting payment)",
            r"(?#pl)(?:przelew|platnosc|pieniadze)\w* (?:poszedl|poszla|poszly|wyszedl|zaksiegowan\w*|zeszl\w*).{0,40}(?:nieoplacon|nie oplacon|oczekuje na (?:platnosc|wplate))|"
            r"(?#pl)(?:zaplacil\w*|oplacil\w*).{0,40}(?:nieoplacon|oczekuje na platnosc)",
            r"(?#hu)(?:atutalas|fizetes|penz)\w* (?:elment|megtortent|levon\w*).{0,40}(?:fizetetlen|nincs (?:ki)?fizetve|fizetesre var)|(?:fizettem|kifizettem).{0,40}(?:fizetetlen|nincs (?:ki)?fizetve)",
            r"(?:деньги|оплат\w*|перевод\w*) (?:перевел\w*|ушл\w*|прош\w*|списал\w*).{0,40}(?:неоплачен|не оплачен|ожидает оплаты)|(?:перевел\w*|оплатил\w*).{0,40}(?:неоплачен|не оплачен|ожидает оплаты)",
            r"(?#pl)nie (?:moge|da sie|mozna|mozemy|udaje (?:mi )?sie) (?:(?!nie\b|teraz\b|jeszcze\b|dzis)\w+ )?(?:zaplacic|oplacic|zamowic|zlozyc zamowieni|sfinalizowac|zalogowac|dokonac platnosci)",
            r"(?#pl)nie dziala (?:mi )?(?:kod|strona|aplikacja|apka|platnosc|koszyk|voucher|bon)",
            r"(?#pl)(?:strona|aplikacja|apka|platnosc|platnosci|koszyk|sklep internetowy|kod rabatowy|kod promocyjny|bon|voucher)\w* "
            r"(?#pl)(?:ciagle |znow |znowu )?(?:sie )?(?:wiesza|zawiesza|nie dziala|nie laduje|wywala|crashuje|lezy|nie przechodzi|wyrzuca blad)",
            r"(?#hu)nem (?:tudok|tudunk|lehet|enged) (?:(?!nem\b)\w+ )?(?:fizetni|rendelni|belepni|bejelentkezni|leadni|vasarolni|megrendelni)",
            r"(?#hu)nem mukodik (?:a |az )?(?:kupon|kuponkod|kedvezmenykod|oldal|weboldal|webshop|fizetes|alkalmazas|app|kosar)",
            r"(?#hu)(?:oldal|weboldal|webshop|alkalmazas|app|fizetes|kosar|kuponkod|kupon|kedvezmenykod)\w* (?:megint |folyton |mindig )?"
            r"(?#hu)(?:nem mukodik|lefagy|nem tolt|osszeomlik|hibat (?:ir|dob)|hibaval|nem fogadja)",
            r"не (?:могу|можем|получается|удается|дает|дают) (?:(?!не\b)\w+ )?(?:оплатить|заказать|оформить|войти|зайти|залогиниться|купить)",
            r"(?:сайт|приложение|оплата|корзин|промокод|купон)\w* (?:опять |снова |постоянно )?"
            r"(?:не работает|висит|зависает|вылетает|лежит|не грузится|выдает ошибку|глючит)",
            r"не работает (?:ваш |у вас )?(?:промокод|сайт|приложение|оплата|корзина|купон)",
            r"не (?:можу|вдається) (?:оплатити|замовити|оформити|увійти)|(?:сайт|додаток|оплата|промокод)\w* не працює",
            r"(?#de)(?:kann|konnen) (?:nicht|nichts) (?:bezahlen|bestellen|einloggen)|(?:seite|app|shop|kasse|zahlung|gutschein|rabattcode)\w* (?:funktioniert nicht|sturzt ab|hangt)",
            r"(?#sk)(?:nemuzu|nemozem|nejde|neda sa|neda se|nemohu) (?:\w+ )?(?:zaplatit|objednat|prihlasit)",
        ),
    ),
    "poor_service": (
        "unhappy with the shop / never again",
        (
            # Aimed at the shop, not the weather: a service word next to the insult, or a vow not to buy
            # again. "never again" and its kin only at the end of a sentence or before a buying verb
            # ("soha többé nem nő vissza" is a hair-removal advert).
            r"(?#en)worst (?:shop|store|service|customer service|company|experience|online (?:shop|store)|website|seller)",
            r"(?#en)(?:terrible|awful|horrible|horrendous|appalling|disgusting|pathetic|shocking|abysmal|useless|rubbish|atrocious|dreadful|poor) "
            r"(?#en)(?:customer )?(?:service|support|shop|store|company|experience|communication)",
            r"(?#en)(?:customer service|service|support|shop|store|company)(?: is| was|'s)? (?:so |really |absolutely |just |truly )?"
            r"(?#en)(?:terrible|awful|horrible|appalling|disgusting|pathetic|shocking|abysmal|useless|rubbish|atrocious|dreadful|a joke|a disgrace)",
            r"(?#en)(?:courier|driver|delivery (?:guy|man|driver|person)|postman)\w* (?:was |is |just )?(?:so |really |very )?(?:rude|aggressive|threw|thrown|dumped|kicked|swore)",
            r"(?#pl)kurier\w* (?:byl |jest |mi |nam )?(?:bardzo |strasznie )?(?:niemil|chamsk|bezczeln|wulgarn|agresywn|rzucil|rzuca|wyrzucil|przerzucil|kopnal|nakrzyczal)",
            r"(?#hu)(?:futar|sofor)\w* (?:nagyon )?(?:bunko|udvariatlan|modortalan|goromba|agressziv|dobta|bedobta|atdobta|hajitotta|kiabalt)",
            r"курьер\w* (?:был |просто |очень )?(?:хамил|нахамил|хам\b|грубил|нагрубил|груб|бросил|швырнул|кинул|наорал)",
            r"(?#en)(?:nobody|no ?one) (?:there )?knows anything|(?#pl)nikt (?:tam |u was )?nic nie wie|(?#hu)senki (?:nem tud|sem tud) semmit|никто (?:там |у вас )?ничего не знает",
            r"(?:поддержк|сервис|обслуживани)\w*(?: \W)? (?:просто |это |какой-то |какое-то )*(?:цирк|позор|издевательство|кошмар|балаган)",
            r"(?#en)(?:agent|staff|assistant|consultant|employee|seller|cashier|support|person|guy|lady|woman|man|operator)\w* (?:on (?:the )?(?:chat|phone|line) |in (?:the )?store )?"
            r"(?#en)(?:was|were|is|has been) (?:(?!not\b|never\b)\w+ )?(?:rude|arrogant|condescending|insulting|aggressive)",
            r"(?#pl)(?:sprzedawc|konsultant|pracownik|obslug|pani|pan|kasjer)\w* .{0,25}(?:byl[ao]?|jest)? ?(?:po prostu |bardzo |strasznie )?(?:bezczeln|niemil|chamsk|opryskliw|arogan|wulgarn)",
            r"(?#hu)(?:elado|ugyintezo|munkatars|kollega|ugyfelszolgalatos)\w* .{0,25}(?<!nem )(?<!nem volt )(?:bunko|udvariatlan|modortalan|goromba|arrogans|lekezelo)",
            r"(?:продав|консультант|оператор|сотрудни|менеджер|кассир)\w* .{0,20}(?<!не )(?:хамил|нахамил|хам\b|грубил|нагрубил|груб(?!о говоря)|хамк)",
            r"(?#en)never again(?= *(?:$|[.!?]))|never (?:again )?(?:ordering|buying|shopping|order|buy|shop) (?:from|here|with|again)",
            r"(?#en)(?:won'?t|will never|never going to|not going to) (?:be )?(?:order|buy|shop)\w* (?:from you|from (?:this|your)|here|again|with you)",
            r"(?#en)(?:do not|don'?t|would not|wouldn'?t|can'?t|cannot) recommend (?:this|your|the)? ?(?:shop|store|company|site|seller)",
            r"(?#en)avoid (?:this|your|the) (?:shop|store|company|site|seller)|how is this acceptable|(?:this is|totally|completely|absolutely|simply) unacceptable",
            r"(?#en)(?<!\bnot a )(?<!\bnot )(?<!\bno )(?<!n't a )(?<!n't )(?:total |complete |such a |a )?waste of (?:my )?money|(?#pl)(?<!nie )(?<!nie jest )strata (?:czasu i )?pieniedzy|wyrzucone pieniadze|"
            r"(?#hu)kidobott penz|penzkidobas|деньги на ветер|выброшенные деньги",
            r"(?#pl)(?:beznadziejn|fataln|tragiczn|okropn|skandaliczn|zenuj|najgorsz|koszmarn|dramatyczn|zalosn|paskudn)\w* "
            r"(?#pl)(?:obslug|sklep|serwis|firm|kontakt|podejsci|traktowani)",
            r"(?#pl)(?:obslug|sklep|serwis|kontakt)\w* (?:klienta )?(?:jest |to )?(?:tak |taka |az tak |po prostu |naprawde )?"
            r"(?#pl)(?:beznadziejn|fataln|tragiczn|okropn|skandaliczn|zenuj|najgorsz|koszmarn|dramat|porazk|kpin)",
            r"(?#pl)nigdy wiecej(?! (?:nie )?(?:takich|tak|bez))|(?:juz )?nigdy (?:wiecej )?nie (?:kupi|zamowi)\w*|wiecej (?:u was |tu |tutaj )?nie (?:kupi|zamowi)\w*",
            r"(?#pl)nie polecam(?= *(?:$|[.!,;:)]|nikomu|tego sklepu|sklepu|firmy|was))|(?:omijajcie|omijac|omijam) (?:ten|ta|to|szerokim)|jak (?:mozna|mozecie) tak (?:traktowac|olewac)",
            r"(?#hu)(?:borzalmas|szornyu|katasztrofalis|pocsek|gyalazatos|botranyos|vallalhatatlan|nevetseges|siralmas|tragikus|rossz) "
            r"(?#hu)(?:az )?(?:ugyfelszolgalat|kiszolgalas|szolgaltatas|bolt|webshop|ceg|hozzaallas)",
            r"(?#hu)(?:ugyfelszolgalat|kiszolgalas|szolgaltatas|webshop)\w* (?:egy )?(?:borzalmas|szornyu|katasztrofa|pocsek|gyalazat|botrany|vallalhatatlan|nevetseges|siralmas|tragikus)",
            r"(?#hu)soha (?:tobbet|tobbe)(?= *(?:$|[.!?]|nem (?:rendel|vasarol|veszek|veszunk)))|tobbet (?:nem|soha) (?:rendel|vasarol|veszek)|nem ajanlom|elfogadhatatlan|ez igy elfogadhato",
            r"(?:ужасн|отвратительн|кошмарн|худш|мерзк|позорн|хамск|отстойн)\w* (?:сервис|обслуживан|магазин|поддержк|служб|компани|отношени)",
            r"(?:сервис|обслуживание|магазин|поддержка)\w* (?:просто |у вас |такой |такое |такая )*(?:ужасн|отвратительн|кошмар|позор|отстой)",
            r"(?:больше никогда|никогда больше)(?= *(?:$|[.!?]|не (?:куп|закаж|буду|обращ|приду)))|ноги моей|не рекомендую|обходите (?:стороной|этот)",
            r"(?:жахлив|огидн|найгірш)\w* (?:сервіс|обслуговуван|магазин|підтримк)|більше ніколи(?= *(?:$|[.!?]|не))",
            r"(?#de)nie wieder(?= *(?:$|[.!?]|bestell|kauf|hier|bei))|(?:schlechteste[rns]?|katastrophale[rns]?|miserable[rns]?|unverschamte[rns]?) "
            r"(?#de)(?:service|kundenservice|laden|shop|firma)|(?:kann|konnen) (?:ich )?(?:nicht|niemandem) empfehlen",
            r"(?#sk)uz nikdy(?= *(?:$|[.!?]|ne ?(?:objedn|nakup|kup|koup)))|nedoporucuji|neodporucam|(?:hrozn|otresn|katastrofaln)\w* (?:sluzb|obchod|zakaznick|pristup)",
            # hung up on the customer
            r"(?#en)hung up on (?:me|us)|(?:cut(?<!wifi cut)(?<!internet cut)|disconnected) me off (?:mid|in the middle|halfway)|"
            r"(?#pl)rozlaczyl(?<!internet rozlaczyl)(?<!internet mi sie rozlaczyl)(?:a|i|\b)|(?:rzucil|odlozyl)\w* sluchawke|"
            r"(?#hu)(?:letette|lecsapta|lerakta|ramcsapta) (?:nekem )?(?:a )?(?:telefont|kagylot)|"
            r"(?:бросил\w*|бросают|кинул\w*) трубку|(?:отключил\w*|вышел\w*|пропал\w*) (?:из чата|посреди разговора|на полуслове)",
            # mail after unsubscribing ("unsubscribed and the emails stopped" is none)
            r"(?#en)unsubscribed\b.{0,60}\b(?:still|keep|keeps|continue|continues)\b.{0,20}\b(?:get|getting|receiv|send|sending|spam|e-?mails?|mails?|messages?|texts?|newsletters?|coming)\w*|"
            r"(?#pl)(?:wypisal|zrezygnowal|odsubskrybowal|wypisan|wylaczyl)\w*\b.{0,60}\b(?:dalej|nadal|wciaz|ciagle|i tak|mimo to)\b.{0,25}\b(?:dostaj|przychodz|wysyla|spamuj|otrzymuj|przysyla|zasypuj)\w*|"
            r"(?#hu)leiratkoz\w*\b.{0,60}\b(?:meg mindig|tovabbra is|ugyanugy|megis|azota is)\b.{0,25}\b(?:kapok|kapom|jon|jonnek|kuldtok|kuldenek|kuldik|erkez|spam)\w*|"
            r"отписал\w*\b.{0,60}(?:вс[её] равно|до сих пор|продолжают|по-прежнему|вс[её] ещ[её])\b.{0,25}(?:приход|присыла|шл[её]т|шлют|получа|спам|сыплют|идут)\w*",
        ),
    ),
}

# A calm question asking for information or permission ("can I return them if they don't fit?", "czy mogę
# zwrócić…?"): scorers trained on tweets read such questions as negative, so without a complaint intent
# it is not escalated on its score alone. The opener must start the text (after an optional greeting or
# @handle) or follow a comma ("I lost my receipt, can I still return it?"); a question after a full stop
# ("Really disappointed. Is this how you treat customers?") is not one. "!" or an angry emoji makes it no
# longer calm.
_GREETING = (
    r"(?:(?:@\w+|hi|hello|hey|good (?:morning|afternoon|evening)|dzien dobry|witam|czesc|hej|szia|sziasztok|"
    r"jo napot(?:ot)?|udv|здравствуйте|добрый (?:день|вечер)|привет|добрий день|hallo|guten tag|dobry den)\W*)*"
)
_INQUIRY_OPENERS = (
    # en
    r"(?:can|could|may) (?:i|we|you)\b|is it possible|how (?:long|much|many|do i|can i|do you|does)\b|"
    r"when (?:will|is|does|do|are|can)\b|do you (?:have|ship|sell|deliver|offer|do|accept|know|take)\b|"
    r"(?:does|will) (?:it|this|these|the|your)\b|is (?:there|the|it)\b(?! (?:\w+ )?how\b)|is this (?:available|in stock|still)\b|"
    r"are (?:there|you open|these|the)\b|"
    r"what(?:'s| is| are) (?:the|your)\b|where can i\b|which\b|"
    # pl
    r"czy (?:(?:ten|ta|to|te|ten \w+|ta \w+|to \w+|te \w+) )?(?:moge|mozna|da sie|macie|wysylacie|jest|bedzie|beda|sa|istnieje|dostane|mogl\w*|mozecie|przyjmujecie|"
    r"oferujecie|sprzedajecie|wysylka)\b|kiedy (?:bedzie|beda|wroci|wroca|pojawi)|jak dlugo\b|"
    r"ile (?:kosztuje|kosztuja|trwa|czasu|dni)\b|gdzie (?:moge|mozna)\b|"
    # hu
    r"lehet(?:seges)?(?:-?e)?\b|mikor (?:lesz|lesznek|jon|nyit|kapom|erkezik)\b|mennyi (?:ideig|ido|az|a)\b|meddig\b|"
    r"van (?:meg|-?e)\b|\w+(?:hetem|hatom|hetek|hatok|hetnek|hatnek)(?:-?e)?\b|tudok\b|tudnek\b|"
    r"(?:szallit|kuld)(?:otok|tok|tok-e|tok e)\b|hol (?:tudom|lehet)\b|"
    # ru / uk
    r"(?:а )?можно(?: ли)?\b|могу ли\b|когда (?:будет|будут|появится|появятся|откроется)|"
    r"сколько (?:стоит|стоят|идет|длится|времени|дней)|есть ли\b|подскажите|скажите|будет ли\b|"
    r"как (?:долго|можно|вернуть|оформить|поменять)\b|где можно\b|чи (?:можна|можу|є|буде)\b|коли (?:буде|будуть)|скільки\b|"
    # de / cs / sk
    r"(?:kann|konnte) ich\b|konnen sie\b|gibt es\b|wann (?:wird|kommt|ist|gibt)\b|wie lange\b|ist es moglich|"
    r"(?:habt|liefert) ihr\b|haben sie\b|muzu\b|mozem\b|je mozne|da (?:se|sa)\b|k(?:dy|edy) bude|jak dlouho|ako dlho|"
    r"mate\b|(?:dodavate|posielate|zasielate)\b"
)
_GREETED = re.compile(r"^" + _GREETING)
_INQUIRY = re.compile(r"(?:^|, *)(?:" + _INQUIRY_OPENERS + r")")
_ANGRY_EMOJI = "\U0001f620\U0001f621\U0001f92c\U0001f44e\U0001f4a9"
_NOT_CALM = re.compile(f"[!{_ANGRY_EMOJI}]")
# Praise may end in one "!": only "!!", "?!" or an angry emoji make it more
_ANGRY = re.compile(f"[{_ANGRY_EMOJI}]|!{{2,}}|\\?!")


def _fold(text: str) -> str:
    # the lower-cased, diacritics-free text with one space for any run of whitespace, as the rules read it
    return _SPACE.sub(" ", fold_diacritics(canonical(text).lower())).strip()


def is_calm_question(text: str) -> bool:
    """A calm request for information or permission: a question opener, a "?", no "!" or angry emoji."""
    folded = _fold(text)
    # "Hi! Can I…?" is still calm: the greeting's own "!" does not count
    greeting = _GREETED.match(folded)
    asked = folded[greeting.end() :] if greeting else folded
    if "?" not in asked or _NOT_CALM.search(asked):
        return False
    return _INQUIRY.search(asked) is not None


# Regret that an item is sold out ("so sad my size is sold out 😢", "Szkoda, że mój rozmiar jest wyprzedany"):
# scorers read it as strongly negative, yet nothing went wrong with an order, so without a complaint intent
# it does not open a clock on its score alone. "!" or an angry emoji, or a cancelled order, makes it more
# than regret.
# "Unavailable" alone is also a helpline nobody answers ("infolinia niedostępna", "az ügyfélszolgálat nem
# elérhető"), and "закончилось" is also patience running out: those need an item or a size next to them.
_SOLD_OUT = re.compile(
    r"(?<!\w)(?:sold out|out of stock|not in stock|no longer in stock|none left|"
    r"(?:no longer|not) available (?:in (?:my |your |this |that |any )?(?:size|colou?r|xx?s|s|m|l|xx?l)\b|any ?more)|"
    r"wyprzedan\w*|brak (?:w magazynie|na stanie|(?:mojego )?rozmiaru)|nie ma (?:juz )?(?:mojego )?rozmiaru|"
    r"elfogyott|nincs (?:raktaron|keszleten)|"
    r"распродан\w*|раскупили|нет в наличии|нет (?:моего )?размера|"
    r"(?:размер|товар|модел|цвет)\w*(?: \w+)? закончил\w*|закончил\w* (?:мой |мои |нужный )?(?:размер|товар)|розпродан\w*|немає в наявності|"
    r"ausverkauft|nicht (?:mehr )?(?:vorratig|lieferbar)|vyprodan\w*|vypredan\w*|neni skladem|nie je (?:na )?sklade)"
)
# A yes/no question whether an item looks like its listing ("Is the colour different from the photo?",
# "Czy kolor jest inny niż na zdjęciu?") is asked before buying, so the photo comparison it contains is
# no complaint. "Why is it different from the photo?", "Is it normal that…", a statement ("It looks
# nothing like the photos. Can I return it?") or a "!" still are.
_LISTING_QUESTION = re.compile(
    r"(?:^|[.!?] *)(?:(?:hi|hello|hey|dzien dobry|czesc|witam|szia|sziasztok|jo napot|hallo|здравствуйте|привет|добрый день)\W+)?"
    r"(?:is|are|does|do|will|would|czy|vajon|(?:под)?скажите|[\w-]+ ли)\b(?![^.!?]*(?:normal|\bok\b|okay|acceptable|serio|нормально))[^.!?]*"
    r"(?:photo|picture|image|website|description|zdjeci|stronie|fotce|obrazku|kepen|kepeken|foton|oldalon|фото|картинк|сайте|снимке|описани)"
    r"[^.!?]*\?"
)


# A calm question about what would happen ("What happens if the parcel is returned as undeliverable?",
# "Co się stanie, jeśli paczka nie dotrze?", "Mi történik, ha nem érkezik meg?") asks about a case, it does
# not tell one. Only these openers: "what do I do if my parcel didn't arrive" is usually told in earnest.
# The case's own phrase decides the rest: the rules match what happened ("arrived damaged", "came back as
# undeliverable"), so most questions about a future case hold no intent to begin with.
_HYPOTHETICAL_QUESTION = re.compile(
    r"(?:^|[.!?] *)" + _GREETING + r"(?:and |but |so |a |i |es |и |а )?"
    r"(?:what (?:(?:happens|would happen|will happen),? (?:if|when|in case)|if)|in case|"
    r"co (?:sie stanie|bedzie|sie dzieje),? (?:jesli|jezeli|gdy|kiedy|gdyby|w przypadku)|co (?:jesli|jezeli|gdyby)|a gdyby|na wypadek,? gdyby|"
    r"mi (?:tortenik|lesz|van|a helyzet),? ha|abban az esetben,? ha|"
    r"что (?:будет|произойдет|случится),? (?:если|когда)|что если|а если|на случай,? если|если вдруг|"
    r"was (?:passiert|ist|geschieht),? wenn|co (?:sa stane|se stane|bude),? (?:ak|kdyz)|co (?:ak|kdyz))\b"
    # "again" says it happened before: told, not asked
    r"(?![^.!?]*\b(?:again|znowu|znow|ponownie|kolejny raz|megint|ujra|опять|снова|wieder|zase|znova)\b)[^.!?]*\?"
)
# Asking "what happens if I go to the consumer protection office?" is a threat all the same.
_NEVER_ASKED = frozenset({"legal_threat"})


def asks_about_listing(text: str, evidence: str) -> bool:
    """Whether `evidence` (an intent's words) sits in a calm yes/no question about how an item compares to its listing."""
    return _in_calm_question(_LISTING_QUESTION, text, evidence)


def asks_what_if(text: str, evidence: str) -> bool:
    """Whether `evidence` (an intent's words) sits in a calm question about what would happen in a case."""
    return _in_calm_question(_HYPOTHETICAL_QUESTION, text, evidence)


def _in_calm_question(question: re.Pattern[str], text: str, evidence: str) -> bool:
    folded = _fold(text)
    if _NOT_CALM.search(folded):
        return False
    words = _fold(evidence).rstrip("…").strip()
    return any(words in m.group() for m in question.finditer(folded))


def _without_asked_questions(text: str) -> str:
    # the lower-cased, diacritics-free text with each calm question about the listing or a case cut out
    return _HYPOTHETICAL_QUESTION.sub(". ", _LISTING_QUESTION.sub(". ", _fold(text)))


_CANCELLED = re.compile(r"cancel|anulow|torol|sztorno|отмен|скасува|storniert|zrusen|zrusil")


def is_sold_out_regret(text: str) -> bool:
    """Calm regret that something is sold out: a sold-out phrase, no "!" or angry emoji, no cancelled order."""
    folded = _fold(text)
    calm = _NOT_CALM.search(folded) is None and _CANCELLED.search(folded) is None
    return calm and _SOLD_OUT.search(folded) is not None


# Praise (kindness, patience, a joke's laugh too) the scorers read as strongly negative because it is told with negations ("Paczka była dobrze
# zapakowana, nic się nie pogniotło": 0.91), or a double negative of desire ("nie mogę nie kupić tej
# sukienki": 0.97). Without a complaint intent it does not open a clock on its score alone. Only
# unambiguous praise counts ("super", "great", "отлично" are sarcasm's favourites and are left out), and
# not negated ("nie polecam"); a contrast ("…, but the zip broke"), sarcasm ("thanks for nothing", "as
# always", 🙄, 👏), disappointment ("not happy"), "?!", "!!" or an angry emoji makes it more than praise.
_PRAISE = re.compile(
    r"(?<!\bnie )(?<!\bnot )(?<!\bnem )(?<!\bне )(?<!\bni )(?<!\bnicht )(?<!\bnie som )(?<!\bnejsem )"
    r"(?<![\w#])(?:lov(?:e|ed|ing) (?:it|them|the|this|my|how)|perfect(?:ly)?\b|amazing|thank(?:s|s so much| you)\b|highly recommend|"
    r"(?:well|nicely|beautifully) (?:packed|wrapped)|"
    r"polecam|dziekuj\w*|dzieki\b|idealn\w*|swietn\w*|rewelac\w*|(?:dobrze|starannie|pieknie|super) zapakowan\w*|cudown\w*|zachwycon\w*|"
    r"(?:bardzo )?zadowolon\w*|koszonom|koszi|tokeletes\w*|imadom|ajanlom|remek|(?:nagyon )?elegedett|jol (?:be )?(?:volt )?(?:be)?csomagol\w*|"
    r"спасибо|благодар\w*|идеальн\w*|рекомендую|обожаю|(?:очень )?доволн\w*|дякую|"
    r"danke|perfekt|empfehle|dakujem|dekuji|odporucam|doporucuji|"
    # kindness ("kurier był mega miły"), patience ("no rush on my order") and a joke's laugh ("portfel płacze 😅")
    r"(?:so|very|really|super) (?:nice|kind|friendly|helpful)|(?:bardzo|mega|naprawde|niezwykle|super) mil[aeiy]\b|przemil\w*|"
    r"(?:nagyon|szuper|rendkivul) (?:kedves|segitokesz)|(?:очень|такой|такая|супер) (?:вежлив|приятн|мил)\w*|"
    r"no (?:rush|hurry)|take your time|nie ma pospiechu|bez pospiechu|nie spieszy mi sie|nem surgos|raerek|"
    r"не (?:спешу|срочно|торопитесь)|keine eile)"
    r"|\U0001f44c|\U0001f60d|\u2764|\U0001f970|\U0001f60a|\u263a|\U0001f64f|\U0001f44d|\U0001f605|\U0001f602|\U0001f923"
)
_DESIRE = re.compile(
    r"(?<!\w)(?:(?:can'?t|cannot|couldn'?t) (?:help but|not) (?:buy|order|get)|couldn'?t resist|"
    r"nie (?:moge|moglam|moglem|da sie) nie (?:kupic|zamowic|wziac)|nem (?:lehet|tudok|tudtam) nem (?:vasarolni|venni|rendelni|megvenni)|"
    r"не (?:могу|могла|смогла) не (?:купить|заказать|взять)|не (?:удержал|устоял)\w*)"
)
_SARCASM = re.compile(
    r"(?<!\w)(?:thanks? (?:a lot|for nothing)|as (?:always|usual)|yeah right|well done|good job|bravo|brawo|gratul\w*|"
    r"dziek\w* za nic|jak (?:zwykle|zawsze)|koszonom a semmit|mint mindig|szokas szerint|"
    r"спасибо за (?:ничего|то)|как (?:всегда|обычно)|браво|wie immer|ako vzdy|jako vzdy|"
    # or disappointment told beside the thanks ("Not happy, thank you very much")
    r"not (?:happy|impressed|satisfied)|unhappy|disappoint\w*|rozczarowan\w*|niezadowolon\w*|zawiedzion\w*|"
    r"csalodott\w*|elegedetlen\w*|разочарован\w*|недовол\w*|enttauscht|sklaman\w*|zklaman\w*)|"
    r"\U0001f644|\U0001f612|\U0001f643|\U0001f921|\U0001f44f|\U0001f62b|\U0001f624"
)
_CONTRAST = re.compile(
    r"(?<!\w)(?:but|however|though|ale|jednak|tylko ze|de|viszont|azonban|csak hat|но|однако|только вот|aber|jedoch)\b"
)


def is_calm_praise(text: str) -> bool:
    """Praise or a double negative of desire with no contrast, sarcasm, "!"-anger or angry emoji."""
    folded = _fold(text)
    if _ANGRY.search(folded) or _SARCASM.search(folded) or _CONTRAST.search(folded):
        return False
    return _PRAISE.search(folded) is not None or _DESIRE.search(folded) is not None


INTENTS: dict[str, str] = {key: label for key, (label, _) in _INTENT_PATTERNS.items()}
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN = re.compile("[a-z]")


def _compile(patterns: list[str]) -> re.Pattern[str] | None:
    # Every phrase starts at a word start: the look-behind lets the engine skip other positions quickly.
    return re.compile(r"(?<!\w)(?:" + "|".join(f"(?:{p})" for p in patterns) + ")") if patterns else None


# Each intent's phrases in two passes, Latin and Cyrillic, and a text is searched only with the
# alphabets it has: most posts have one, and each pass costs about as much as the phrases it holds.
def _has_latin(pattern: str) -> bool:
    # letters of the phrase itself, not of the regex syntax (\w, \b, (?:, (?<!, (?P<name>, (?#pl))
    return _LATIN.search(re.sub(r"\\.|\(\?(?:<?[=!]|:|>|P<\w+>|P=\w+\)|#\w+\))", "", pattern)) is not None


_TAG = re.compile(r"\(\?#(\w+)\)")
# The Latin phrases a text runs, by its detected language: its own, its neighbours' (a Polish post the
# identifier took for Slovak), English ones (posts in every language borrow "scam", "refund") and those
# tagged "any". The identifier answers one of settings.SUPPORTED or "und"; "und" (or none given) runs
# every phrase; Russian and Ukrainian posts run the English and "any" ones in their Latin letters. The
# Latin phrases are about 90% of the rules' cost, and a text needs about half of them.
_LATIN_FOR: dict[str, frozenset[str]] = {
    "en": frozenset({"en"}),
    "pl": frozenset({"pl", "sk", "en"}),
    "cs": frozenset({"sk", "pl", "en"}),
    "sk": frozenset({"sk", "pl", "en"}),
    "hu": frozenset({"hu", "en"}),
    "de": frozenset({"de", "en"}),
    "ru": frozenset({"en"}),
    "uk": frozenset({"en"}),
}


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of `pattern`: split at each "|" outside groups and character classes."""
    parts: list[str] = []
    depth, start, i, in_class = 0, 0, 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def _tagged(patterns: list[str]) -> list[tuple[str, frozenset[str]]]:
    """Each top-level alternative of `patterns` with its languages: the tags inside it, else the last one
    before it on its line (a line's tag covers the alternatives that follow), else "any"."""
    out: list[tuple[str, frozenset[str]]] = []
    for pattern in patterns:
        last = "any"
        for alternative in _alternatives(pattern):
            tags = _TAG.findall(alternative)
            out.append((alternative, frozenset(tags or [last])))
            last = tags[-1] if tags else last
    return out


@functools.cache
def _passes(wanted: frozenset[str] | None) -> dict[str, tuple[re.Pattern[str] | None, re.Pattern[str] | None]]:
    """Each intent's Latin and Cyrillic pass, the Latin one with the phrases of the languages `wanted` and
    the "any" ones (None: every phrase). Compiled on first use, as each set costs tens of milliseconds."""
    passes = {}
    for key, (_, patterns) in _INTENT_PATTERNS.items():
        # a line that mixes both alphabets ("waste of money|деньги на ветер") is in the Cyrillic pass whole,
        # and its alternatives in Latin letters in the Latin pass
        latin = [(alt, tags) for alt, tags in _tagged(list(patterns)) if _has_latin(alt) or not _CYRILLIC.search(alt)]
        chosen = [alt for alt, tags in latin if wanted is None or "any" in tags or tags & wanted]
        passes[key] = (_compile(chosen), _compile([p for p in patterns if _CYRILLIC.search(p)]))
    return passes


def compile_rules() -> None:
    """Compile the phrase passes of every language now (about 0.15 s, once a process), so that no post waits."""
    for wanted in {*_LATIN_FOR.values(), None}:
        _passes(wanted)


@dataclass(frozen=True, slots=True)
class IntentMatch:
    """One complaint intent found in a text, with the words that showed it."""

    intent: str
    evidence: str

    @property
    def label(self) -> str:
        """The intent as the team reads it."""
        return INTENTS[self.intent]


@dataclass(frozen=True, slots=True)
class ComplaintVerdict:
    """Whether a text is a complaint, how urgent, and why."""

    complaint: bool
    severity: str | None
    reasons: tuple[str, ...]


_BROAD = frozenset({"not_delivered", "damaged_wrong"})


def find_intents(text: str, lang: str | None = None) -> list[IntentMatch]:
    """Complaint intents in `text` (matched on a lower-cased copy without diacritics); with the text's
    detected `lang`, only the Latin phrases of that language and its neighbours, English and "any" run."""
    text = canonical(text)
    lowered = text.lower()
    # Any run of whitespace (newline, no-break space, two spaces) reads as the one space the patterns use.
    folded = _SPACE.sub(" ", fold_diacritics(lowered))
    # Same length means positions line up ("İ".lower() is two characters), so we can quote the original spelling.
    aligned = len(folded) == len(lowered) == len(text)
    latin, cyrillic = _LATIN.search(folded) is not None, _CYRILLIC.search(folded) is not None
    spans: dict[str, tuple[int, int]] = {}
    for intent, (latin_rx, cyrillic_rx) in _passes(_LATIN_FOR.get(lang or "")).items():
        matches = [
            m
            for rx, present in ((latin_rx, latin), (cyrillic_rx, cyrillic))
            if present and rx is not None and (m := rx.search(folded)) is not None
        ]
        if matches:
            spans[intent] = min(matches, key=lambda m: m.start()).span()
    found: list[IntentMatch] = []
    for intent, (start, end) in spans.items():
        # The broad phrasings of a late parcel ("N weeks and still…") or a faulty item ("doesn't work") give
        # way to a more precise intent when one match lies inside the other: "promo code doesn't work" is a
        # code that fails at checkout, "3 weeks and no refund" is a refund, not a late parcel.
        if intent in _BROAD and any(
            other not in _BROAD and ((s <= start and end <= e) or (start <= s and e <= end))
            for other, (s, e) in spans.items()
        ):
            continue
        evidence = (text[start:end] if aligned else folded[start:end]).strip()
        found.append(IntentMatch(intent=intent, evidence=_shorten(evidence)))
    return found


def _shorten(evidence: str, limit: int = 40) -> str:
    return evidence if len(evidence) <= limit else evidence[: limit - 1].rstrip() + "…"


def judge(
    text: str,
    scores: Mapping[str, float],
    settings: ComplaintSettings,
    likeness: float | None = None,
    lang: str | None = None,
) -> ComplaintVerdict:
    """Combine the intents found in `text` (detected language `lang`, None: unknown), polarity `scores`
    and the complaint classifier's `likeness` (its probability, None when it does not run) into a
    complaint verdict."""
    if not settings.enabled:
        return ComplaintVerdict(False, None, ())
    intents = [m for m in find_intents(text, lang) if m.intent not in settings.disabled_intents]
    # a photo comparison inside a calm question about the listing, or a case inside a calm question about
    # what would happen, is asked about, not told
    asked = [
        m
        for m in intents
        if settings.questions_need_intent
        and (
            (m.intent == "damaged_wrong" and asks_about_listing(text, m.evidence))
            or (m.intent not in _NEVER_ASKED and asks_what_if(text, m.evidence))
        )
    ]
    if asked:
        # only the first match of an intent is found: the same intent told outside the question ("…like the
        # photo? Mine arrived torn") is searched for again (quoted without diacritics)
        told = {m.intent: m for m in find_intents(_without_asked_questions(text), lang)}
        intents = [told[m.intent] if m in asked else m for m in intents if m not in asked or m.intent in told]
    negative = float(scores.get("negative", 0.0))
    reasons = [f"intent: {m.label} ({m.evidence})" for m in intents]
    complaint = bool(intents)
    reads_like = (
        not intents
        and likeness is not None
        and settings.classifier_threshold is not None
        and likeness >= settings.classifier_threshold
        and negative >= settings.classifier_min_negative
    )
    if not intents and (negative >= settings.negative_threshold or reads_like):
        complaint = not (
            (settings.questions_need_intent and (bool(asked) or is_calm_question(text)))
            or (settings.sold_out_needs_intent and is_sold_out_regret(text))
            or (settings.praise_needs_intent and is_calm_praise(text))
        )
    if complaint:
        if reads_like:
            reasons.append(f"reads like a complaint {likeness:.2f}")
        reasons.append(f"negative {negative:.2f}")
    if not complaint:
        return ComplaintVerdict(False, None, ())
    names = {m.intent for m in intents}
    if names & set(settings.high_intents):
        severity = Severity.HIGH
    elif names & set(settings.medium_intents) or len(names) >= 2 or (intents and negative >= settings.medium_negative):
        severity = Severity.MEDIUM
    else:
        severity = Severity.LOW
    return ComplaintVerdict(True, str(severity), tuple(reasons))
