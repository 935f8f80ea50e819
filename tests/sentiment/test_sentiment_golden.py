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
    # As customers write on X and Facebook: no diacritics, typos, emoji, slang; and the calm posts
    # that share their words (can't wait for a parcel, 'nothing damaged', Sue from the store, social media).
    # Polish, colloquial
    ("zamowienie nie doszlo a minelo juz 10 dni 😡", "pl", True, None, "not delivered"),
    ("kurier zgubil paczke i nikt nic nie wie", "pl", True, None, "not delivered"),
    ("pieniądze nie wróciły mimo że odesłałam towar 2 tyg temu", "pl", True, "medium", "refund"),
    ("status: doręczona, a paczki nie ma ani w skrzynce ani u sąsiadów", "pl", True, None, "not delivered"),
    ("pobraliście kase 2x z karty, co jest?!", "pl", True, "medium", "charged twice"),
    ("zglaszam was do uokik, mam dosc", "pl", True, "high", "legal"),
    (
        "wystawie wam opinie na google i trustpilot, niech ludzie wiedza jak traktujecie klientow",
        "pl",
        True,
        "high",
        "legal",
    ),
    ("pisze 3 raz na priv i zero odzewu", "pl", True, None, "no answer"),
    ("przyszedl zly rozmiar, zamawialam M a jest XL", "pl", True, "medium", "damaged"),
    ("reklamacja odrzucona bez podania przyczyny", "pl", True, "medium", "refund"),
    ("buty sie rozkleily po tygodniu noszenia", "pl", True, "medium", "damaged"),
    ("infolinia nie odbiera od 2 dni", "pl", True, None, "no answer"),
    ("dostałam nie ten kolor co zamawiałam", "pl", True, "medium", "damaged"),
    ("zwrot kasy do dzis nie przyszedl, a to juz miesiac", "pl", True, "medium", "refund"),
    ("czekam na zamowienie od tygodnia i nic", "pl", True, None, "not delivered"),
    ("zamowilam 2 tygodnie temu i dalej nic, co sie dzieje??", "pl", True, None, "not delivered"),
    ("inpost zgubił moją przesyłkę, a wy nic z tym nie robicie", "pl", True, None, "not delivered"),
    ("oddajcie kase, reklamacja wisi od miesiaca", "pl", True, None, "refund"),
    ("kurtka po 1 praniu cała się rozpadła", "pl", True, "medium", "damaged"),
    ("dzwonie 5 raz, nikt nie odbiera 🤬", "pl", True, None, "no answer"),
    ("idę z tym do rzecznika konsumentów", "pl", True, "high", "legal"),
    ("ściągnęliście mi dwukrotnie za to samo zamówienie", "pl", True, "medium", "charged twice"),
    ("nie mogę się doczekać paczki! 😍", "pl", False, None, ""),
    ("czy rozmiar 38 jest jeszcze dostepny?", "pl", False, None, ""),
    ("w jakich godzinach działa sklep stacjonarny w sobotę?", "pl", False, None, ""),
    ("paczka doszla w 1 dzien, szok 😂 polecam", "pl", False, None, ""),
    ("ile trwa wysyłka do Niemiec?", "pl", False, None, ""),
    ("mama dostała paczkę wczoraj, wszystko ok, dziękuję!", "pl", False, None, ""),
    ("kurier był mega miły, paczka dotarła cała 👍", "pl", False, None, ""),
    ("czy macie jeszcze tę kurtkę w czarnym?", "pl", False, None, ""),
    ("haha kot od razu zajął pudełko 😂", "pl", False, None, ""),
    ("nic nie zniszczone, nie pogniecione, idealnie zapakowane 👌", "pl", False, None, ""),
    ("czekam na paczkę jak dziecko na gwiazdkę 😍", "pl", False, None, ""),
    ("z niecierpliwością czekam na zamówienie 😊", "pl", False, None, ""),
    ("super sprawa, paczka byla na drugi dzien 😍", "pl", False, None, ""),
    ("czy da się zmienić adres dostawy?", "pl", False, None, ""),
    ("czekam na nową kolekcję! kiedy premiera?", "pl", False, None, ""),
    # Hungarian, colloquial
    ("a futár nem hozta ki a csomagot, pedig itthon voltam", "hu", True, None, "not delivered"),
    ("mar 2 hete varok a rendelesre", "hu", True, None, "not delivered"),
    ("elveszett a csomagom a GLS-nél, senki nem tud semmit", "hu", True, None, "not delivered"),
    ("még mindig nem jött vissza a pénzem", "hu", True, "medium", "refund"),
    ("kétszer terhelték a kártyámat ugyanazért a rendelésért", "hu", True, "medium", "charged twice"),
    ("feljelentelek titeket a fogyasztovedelemnel", "hu", True, "high", "legal"),
    ("napok óta írok emailt, semmi válasz", "hu", True, None, "no answer"),
    ("törötten érkezett a váza", "hu", True, "medium", "damaged"),
    ("nem azt a méretet kaptam, amit rendeltem", "hu", True, "medium", "damaged"),
    ("visszaküldtem a terméket 3 hete, azóta se pénz se válasz", "hu", True, "medium", "refund"),
    ("rossz színt küldtetek, pirosat rendeltem", "hu", True, "medium", "damaged"),
    ("a kiszállítva státusz ellenére nincs itt semmi", "hu", True, None, "not delivered"),
    ("a futar azt irta, hogy kiszallitotta, de nem kaptam meg semmit", "hu", True, None, "not delivered"),
    ("harmadik hete várok a visszatérítésre", "hu", True, None, "refund"),
    ("elszakadt a táska füle az első héten", "hu", True, "medium", "damaged"),
    ("senki nem veszi fel a telefont", "hu", True, None, "no answer"),
    ("ez átverés, kétszer fizettem", "hu", True, "medium", "charged twice"),
    ("Mikor érkezik a csomagom? Tegnap rendeltem", "hu", False, None, ""),
    ("Van M-es méret ebből a pulóverből?", "hu", False, None, ""),
    ("Szuper gyors volt a futár, köszönöm! 😊", "hu", False, None, ""),
    ("Nyitva vagytok vasárnap?", "hu", False, None, ""),
    ("Alig várom, hogy megjöjjön a csomag! 😍", "hu", False, None, ""),
    ("Ma megjött a rendelésem, minden tökéletes", "hu", False, None, ""),
    ("Mennyi a szállítási díj Debrecenbe?", "hu", False, None, ""),
    ("Imádom, már harmadszor rendelek tőletek ❤️", "hu", False, None, ""),
    ("Lehet utánvéttel fizetni?", "hu", False, None, ""),
    ("nem hittem volna, hogy ilyen gyorsan megjön 😀", "hu", False, None, ""),
    ("semmi sem sérült, nagyon gondos volt a csomagolás 👍", "hu", False, None, ""),
    ("Hol van a csomagautomata a Westendben?", "hu", False, None, ""),
    ("nagyon szép a ruha, köszönöm!", "hu", False, None, ""),
    ("Meddig lehet visszaküldeni a terméket?", "hu", False, None, ""),
    ("Holnap már megjön? Nagyon várom!", "hu", False, None, ""),
    # Russian, colloquial
    ("посылка потерялась, трек не обновляется уже неделю", "ru", True, None, "not delivered"),
    ("курьер не привез заказ, весь день прождала", "ru", True, None, "not delivered"),
    ("деньги так и не вернули, прошел месяц", "ru", True, "medium", "refund"),
    ("списали два раза за один заказ, верните деньги!", "ru", True, "medium", "charged twice"),
    ("пишу в поддержку третий день, тишина", "ru", True, None, "no answer"),
    ("буду жаловаться в роспотребнадзор", "ru", True, "high", "legal"),
    ("оставлю отзыв на отзовике, пусть все знают какой у вас сервис", "ru", True, "high", "legal"),
    ("пришел не тот размер, заказывала S", "ru", True, "medium", "damaged"),
    ("статус доставлено, а посылки нет", "ru", True, None, "not delivered"),
    ("вещь порвалась после первой стирки", "ru", True, "medium", "damaged"),
    ("уже 2 недели жду свой заказ", "ru", True, None, "not delivered"),
    ("посылку так и не получила, трек молчит", "ru", True, None, "not delivered"),
    ("где мой заказ?? уже месяц прошел", "ru", True, None, "not delivered"),
    ("курьер потерял посылку, а вы молчите", "ru", True, None, "not delivered"),
    ("деньги за возврат до сих пор не пришли", "ru", True, "medium", "refund"),
    ("кроссовки развалились через неделю", "ru", True, "medium", "damaged"),
    ("подам в суд, если не вернёте деньги", "ru", True, "high", "legal"),
    ("Спасибо, посылка пришла целая, всё отлично 👍", "ru", False, None, ""),
    ("Подскажите, сколько идет доставка в Новосибирск?", "ru", False, None, ""),
    ("Есть ли размер M?", "ru", False, None, ""),
    ("До скольки вы работаете в субботу?", "ru", False, None, ""),
    ("Не могу дождаться посылку! 😍", "ru", False, None, ""),
    ("Заказала уже третий раз, всё как всегда супер", "ru", False, None, ""),
    ("можно ли вернуть товар, если не подошел размер?", "ru", False, None, ""),
    ("ха-ха, кот сразу залез в коробку 😂", "ru", False, None, ""),
    ("Курьер приехал вовремя, очень вежливый", "ru", False, None, ""),
    ("Когда будет распродажа?", "ru", False, None, ""),
    ("Жду посылку с нетерпением! 😊", "ru", False, None, ""),
    ("жду не дождусь свой заказ 🥰", "ru", False, None, ""),
    ("Спасибо, ничего не сломано, упаковка супер", "ru", False, None, ""),
    ("Ура, посылка пришла, всё целое и красивое!", "ru", False, None, ""),
    ("А есть доставка в Беларусь?", "ru", False, None, ""),
    ("Жду не дождусь новую коллекцию 😍", "ru", False, None, ""),
    # English, colloquial
    ("refund still not in my account after 3 weeks", "en", True, "medium", "refund"),
    ("package says delivered but nothing here", "en", True, None, "not delivered"),
    ("you charged my card twice", "en", True, "medium", "charged twice"),
    ("I'll report you to the consumer office", "en", True, "high", "legal"),
    ("gonna leave a 1 star review on trustpilot if this isn't sorted", "en", True, "high", "legal"),
    ("ordered 2 weeks ago, still nothing, tracking hasn't updated", "en", True, None, "not delivered"),
    ("courier lost my parcel and you won't do anything", "en", True, None, "not delivered"),
    ("been on hold for an hour, no one picks up", "en", True, None, "no answer"),
    ("the zipper broke on day one", "en", True, "medium", "damaged"),
    ("sent me a size 10 instead of 8", "en", True, "medium", "damaged"),
    ("dm'd you 3 times, nothing. is anyone there??", "en", True, None, "no answer"),
    ("still waiting on my refund 🙄", "en", True, "medium", "refund"),
    ("3 weeks and still no parcel", "en", True, None, "not delivered"),
    ("tracking says delivered but there's no package at my door", "en", True, None, "not delivered"),
    ("ups lost my package and you're not even replying", "en", True, None, "not delivered"),
    ("it's been 2 weeks and no refund", "en", True, "medium", "refund"),
    ("the strap snapped after 2 days", "en", True, "medium", "damaged"),
    ("you took my money twice!!", "en", True, "medium", "charged twice"),
    ("if I don't hear back today I'm filing a chargeback", "en", True, "high", "legal"),
    ("can't wait for my parcel to arrive!! 😍", "en", False, None, ""),
    ("Do you have this in a size 12?", "en", False, None, ""),
    ("What are your opening hours on Sunday?", "en", False, None, ""),
    ("my order arrived today and it's perfect, thank you!", "en", False, None, ""),
    ("arrived 3 days later than I hoped and now I love it", "en", False, None, ""),
    ("a few days later and nothing, not even tracking", "en", True, None, "not delivered"),
    ("how long does shipping to Ireland usually take?", "en", False, None, ""),
    ("Got my package yesterday, no damage at all, well packed 👌", "en", False, None, ""),
    ("lol my dog thinks the box is his now 😂", "en", False, None, ""),
    ("is there a discount code for first orders?", "en", False, None, ""),
    ("Can I return an item if it doesn't fit?", "en", False, None, ""),
    ("No complaints here, delivery was super quick", "en", False, None, ""),
    ("never thought I'd get my order this fast 👏", "en", False, None, ""),
    ("my sister said hers came in 2 days, can't wait for mine!", "en", False, None, ""),
    ("Where is my order shipped from, EU or UK?", "en", False, None, ""),
    ("never received such a lovely handwritten note, thank you!", "en", False, None, ""),
    ("arrived safe, nothing damaged, well packed 👌", "en", False, None, ""),
    ("Sue from your Leeds store was so helpful today!", "en", False, None, ""),
    ("saw your ad on social media, do you ship to Ireland?", "en", False, None, ""),
    ("are these trainers ok for the tennis court?", "en", False, None, ""),
    ("do you offer no contact delivery?", "en", False, None, ""),
    ("No worries, I'll return it next week 🙂", "en", False, None, ""),
    ("ordered nervously but not a scam, parcel came in 3 days 👍", "en", False, None, ""),
    ("can you tell me when the new collection drops?", "en", False, None, ""),
    ("Sue and the team were amazing, thanks!", "en", False, None, ""),
    ("no rush on my order, I'm away till Monday", "en", False, None, ""),
    ("got it yesterday, not damaged at all, love it", "en", False, None, ""),
    ("just saw you on social media and ordered, so excited!", "en", False, None, ""),
    # Angry at the service with no other intent (were missed before poor_service), and calm questions
    # that scorers read as negative (escalated on the score alone before questions_need_intent)
    ("Czemu wasza obsługa jest tak beznadziejna???", "pl", True, None, "unhappy with the shop"),
    ("Jak można tak traktować klientów?! Nigdy więcej", "pl", True, None, "unhappy with the shop"),
    ("serio, ktoś tam w ogóle pracuje? skandal", "pl", True, None, "no answer"),
    ("czy mogę zwrócić buty jeśli nie pasują?", "pl", False, None, ""),
    ("czy moge zwrocic buty jesli nie pasuja?", "pl", False, None, ""),
    ("Zgubiłam paragon, czy mogę jeszcze zwrócić?", "pl", False, None, ""),
    ("Miért ilyen borzalmas az ügyfélszolgálatotok???", "hu", True, None, "unhappy with the shop"),
    ("Ez így elfogadható?! Soha többet", "hu", True, None, "unhappy with the shop"),
    ("Visszaküldhetem a cipőt, ha nem jó a méret?", "hu", False, None, ""),
    ("Elvesztettem a blokkot, visszavihetem még?", "hu", False, None, ""),
    ("Почему у вас такой ужасный сервис???", "ru", True, None, "unhappy with the shop"),
    ("Это вообще нормально?! Больше никогда", "ru", True, None, "unhappy with the shop"),
    ("Можно ли вернуть товар, если не подошёл размер?", "ru", False, None, ""),
    # Sarcasm: the praise is ironic, the complaint is in the facts
    ("Köszi szépen, már a harmadik hete várok a csomagra. Szuper szolgáltatás 👏", "hu", True, None, "not delivered"),
    ("Gratulálok, megint rossz méretet küldtetek. Zseniális.", "hu", True, "medium", "damaged"),
    ("Класс, третья неделя и всё ещё ничего. Молодцы!", "ru", True, None, "not delivered"),
    ("Спасибо огромное, жду заказ уже месяц. Просто супер сервис 👏", "ru", True, None, "not delivered"),
    ("Gratulacje, znowu wysłaliście zły rozmiar. Genialne.", "pl", True, "medium", "damaged"),
    ("wow, amazing service, only took 3 weeks to not deliver my order 🙄", "en", True, None, "not delivered"),
    ("Why is your customer service so terrible???", "en", True, None, "unhappy with the shop"),
    ("How is this acceptable?! Worst shop ever", "en", True, None, "unhappy with the shop"),
    ("I lost my receipt, can I still return it?", "en", False, None, ""),
    ("can i return them if they dont fit", "en", False, None, ""),
    # What a shop's mentions also hold: a site or code that fails at checkout, a parcel left with someone
    # else, the wrong item, a cancelled order whose money is kept, a courier or a phone line that fails the
    # customer; and regret that an item is sold out, which is no complaint (scorers read it as negative).
    ("your website keeps crashing when I try to pay", "en", True, None, "can't order or pay"),
    ("the discount code doesn't work at checkout", "en", True, None, "can't order or pay"),
    ("my package was delivered to the wrong address", "en", True, None, "not delivered"),
    ("I ordered a M and got an XL", "en", True, "medium", "damaged"),
    ("you cancelled my order but kept my money", "en", True, "medium", "refund"),
    ("I've been trying to reach you for 2 days, can't get through", "en", True, None, "no answer"),
    ("so sad my size is sold out 😢", "en", False, None, ""),
    ("I ordered the blue one and got so many compliments", "en", False, None, ""),
    ("strona się wiesza przy płatności, nie da się zapłacić", "pl", True, None, "can't order or pay"),
    ("paczka została dostarczona pod zły adres", "pl", True, None, "not delivered"),
    ("anulowaliście moje zamówienie a pieniądze zabraliście", "pl", True, "medium", "refund"),
    ("kurier rzucił paczkę przez płot", "pl", True, None, "unhappy with the shop"),
    ("Szkoda, że mój rozmiar jest wyprzedany 😢", "pl", False, None, ""),
    ("nem működik a kuponkód", "hu", True, None, "can't order or pay"),
    ("rossz címre kézbesítették a csomagot", "hu", True, None, "not delivered"),
    ("törölték a rendelésemet, de a pénzt levonták", "hu", True, "medium", "refund"),
    ("Az ügyfélszolgálat nem elérhető, már harmadik napja próbálom", "hu", True, None, "no answer"),
    ("Kár, hogy elfogyott a méretem 😢", "hu", False, None, ""),
    ("сайт не даёт оплатить заказ, вылетает ошибка", "ru", True, None, "can't order or pay"),
    ("промокод не работает", "ru", True, "low", "can't order or pay"),
    ("посылку доставили не по адресу", "ru", True, None, "not delivered"),
    ("Моё терпение закончилось, сколько можно ждать ответа", "ru", True, None, "no answer"),
    ("Жаль, что мой размер закончился 😢", "ru", False, None, ""),
    # Everyday complaints with no stock phrase of the first rules: a courier who never came, "delivered"
    # with nothing there, express shipping paid for and slow, a used or other item, silence after a claim
    ("Kurier nie przyjechał, cały dzień czekałam w domu", "pl", True, None, "not delivered"),
    ("Paczkomat pusty, a status dostarczono", "pl", True, None, "not delivered"),
    ("Przyszły buty w innym kolorze niż zamawiałam", "pl", True, "medium", "damaged"),
    ("Dostałem używany produkt, z plamami", "pl", True, "medium", "damaged"),
    ("Reklamację złożyłam miesiąc temu i nikt się nie odezwał", "pl", True, None, "no answer"),
    ("Zamówiłam sukienkę 2 tygodnie temu i dalej cisza", "pl", True, None, "no answer"),
    ("Czy to normalne, że czekam 3 tygodnie na zwrot pieniędzy?", "pl", True, "medium", "refund"),
    ("Zapłaciłam za ekspresową wysyłkę i przyszła następnego dnia!", "pl", False, None, ""),
    ("Sprzedam używane buty, stan idealny", "pl", False, None, ""),
    ("Más színű cipőt kaptam, mint amit rendeltem", "hu", True, "medium", "damaged"),
    ("Használt terméket küldtetek, foltos", "hu", True, "medium", "damaged"),
    ("Kifizettem az expressz szállítást, és egy hete jön a csomag", "hu", True, None, "not delivered"),
    ("Kifizettem az expressz szállítást, és másnap megjött, szuper!", "hu", False, None, ""),
    ("Курьер не приехал, весь день ждала дома", "ru", True, None, "not delivered"),
    ("Прислали туфли другого цвета", "ru", True, "medium", "damaged"),
    ("Прислали б/у товар, с пятнами", "ru", True, "medium", "damaged"),
    ("Претензию отправила месяц назад, ответа нет", "ru", True, None, "no answer"),
    ("Статус доставлено, а в постамате пусто", "ru", True, None, "not delivered"),
    ("Оплатила экспресс-доставку, а посылка идёт неделю", "ru", True, None, "not delivered"),
    ("Статус доставлено, а я даже не заметила, как курьер приходил :)", "ru", False, None, ""),
    ("tracking says delivered but my mailbox is empty", "en", True, None, "not delivered"),
    ("The courier never showed up, waited all day at home", "en", True, None, "not delivered"),
    ("I paid for express shipping and it's been a week", "en", True, None, "not delivered"),
    ("you sent me a used item with stains on it", "en", True, "medium", "damaged"),
    ("Got the shoes in a different colour than I ordered", "en", True, "medium", "damaged"),
    ("the item looks nothing like the pictures, total waste of money", "en", True, "medium", "damaged"),
    ("I filed a complaint a month ago and heard nothing back", "en", True, None, "no answer"),
    ("I paid for express shipping and it took one day, amazing!", "en", False, None, ""),
    ("I've heard nothing but praise for your shoes", "en", False, None, ""),
    # Left at the door and stolen; "stole our idea" and money stolen are not a lost parcel
    ("A futár az ajtó előtt hagyta, és ellopták a csomagot", "hu", True, None, "not delivered"),
    ("Курьер оставил у двери, и посылку украли", "ru", True, None, "not delivered"),
    ("Вы украли мои деньги", "ru", True, None, "fraud"),
    ("Driver left it on the porch and someone stole my package", "en", True, None, "not delivered"),
    # German, colloquial
    ("Paket ist seit 2 Wochen nicht angekommen", "de", True, None, "not delivered"),
    ("Ich warte immer noch auf meine Rückerstattung", "de", True, "medium", "refund"),
    ("Habt ihr am Samstag geöffnet?", "de", False, None, ""),
    ("Ich habe eure Anzeige auf Instagram gesehen, gibt es das auch in Blau?", "de", False, None, ""),
    # Czech, colloquial
    ("balík mi pořád nedorazil, je to už týden", "cs", True, None, "not delivered"),
    ("Zboží přišlo rozbité", "cs", True, "medium", "damaged"),
    ("Děkuji, vše dorazilo v pořádku", "cs", False, None, ""),
    # Slovak, colloquial
    ("objednavka mi stale neprisla", "sk", True, None, "not delivered"),
    ("Kedy budete mať znova na sklade?", "sk", False, None, ""),
    # Ukrainian, colloquial
    ("посилка загубилась, ніхто не відповідає", "uk", True, None, "no answer"),
    ("кур'єр не привіз замовлення", "uk", True, None, "not delivered"),
    ("Дякую, все прийшло вчасно!", "uk", False, None, ""),
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
