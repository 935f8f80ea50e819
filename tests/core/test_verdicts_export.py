"""`replyclock verdicts export`: the team's verdicts on escalated posts as a shop-message file for training."""

from __future__ import annotations

import re
import stat
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

import daemon
from alerts.engine import EscalationEngine
from alerts.verdicts import INTENT_REASON, MASKED_NAME, mask_handles, mask_person, team_verdicts, verdict_of
from monitor.clock import FakeClock, SystemClock
from monitor.models import Batch, Escalation, EventKind, Mention, Score, SlaPolicy
from monitor.store import Store
from sentiment.complaint import is_calm_praise
from sentiment.data import ShopMessage, format_shop_messages, load_shop_messages, one_line
from tests.fakes import RESPONSE_TIME

NO_REPLAY = "sources:\n  replay:\n    enabled: false\n"
M = timedelta(minutes=1)
D = timedelta(days=1)


def _config(tmp_path: Path, url: str) -> str:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"storage:\n  url: {url}\n{NO_REPLAY}notify:\n  console: false\n", encoding="utf-8")
    return str(cfg)


class _Shop:
    """A store the team works on; the clock moves only when the test says so."""

    def __init__(self, store: Store, clock: FakeClock) -> None:
        self.store = store
        self.clock = clock
        self.engine = EscalationEngine(store, SlaPolicy(), clock)
        self.count = 0

    def post(
        self, text: str, lang: str = "en", ago: timedelta = timedelta(0), reasons: tuple[str, ...] = ("negative 0.90",)
    ) -> int:
        """Escalate a post written `ago` before now (for the analyzer's `reasons`); its escalation id."""
        self.count += 1
        created = self.clock.now() - ago
        eid = str(self.count)
        mention = Mention(platform="x", external_id=eid, author=f"@c{eid}", text=text, created_at=created)
        self.store.save_batch("x:mentions", Batch((mention,), (), None), created)
        [stored] = [m for m in self.store.unscored_mentions() if m.mention.external_id == eid]
        score = Score("negative", {"negative": 0.9, "neutral": 0.05, "positive": 0.05}, lang, True, "low", reasons)
        escalation = self.store.open_escalation(stored.id, score, created, response_time=RESPONSE_TIME)
        assert escalation is not None
        return escalation.id

    def act(self, escalation: int, action: str, reason: str = "") -> None:
        assert self.engine.apply(escalation, action, "anna", reason).changed

    def answer_on_platform(self, escalation: int) -> None:
        # what the engine's tick records for a brand reply it matched
        self.store.record_event(escalation, EventKind.RESPONDED, self.clock.now(), actor="@shop", detail="on x")


def _team_at_work(store: Store, clock: FakeClock) -> list[ShopMessage]:
    """Escalations in every outcome; the rows their export must hold, in the store's order."""
    shop = _Shop(store, clock)
    answered = shop.post("Parcel lost for two weeks\tnobody answers\r\nstill  waiting ", "en")
    acknowledged_then_answered = shop.post("Paczka nie doszła", "pl")
    resolved = shop.post("A csomagom sérülten érkezett", "hu")
    breached_then_answered = shop.post("Где мой заказ?", "ru")
    praise = shop.post("Love the dress\u2028it came apart only at the hem haha", "en")
    question = shop.post("Czy mogę zwrócić buty?", "pl")
    joke = shop.post("My wallet is the real victim of your sale", "und")
    not_ours = shop.post("Zalando lost my parcel", "en")
    thanked_then_praise = shop.post("Szuper gyors szállítás!", "hu")
    spam = shop.post("Buy followers now", "en")
    duplicate = shop.post("Parcel lost, see my other post", "en")
    other = shop.post("Your courier again", "en")
    no_reason = shop.post("Hmm", "en")
    no_text = shop.post("  ", "und")
    breached = shop.post("Nobody answers me", "en")
    breached_acknowledged = shop.post("Still nothing", "en")

    clock.advance(5 * M)
    shop.answer_on_platform(answered)
    shop.act(acknowledged_then_answered, "acknowledge")
    shop.act(acknowledged_then_answered, "respond")
    shop.act(resolved, "resolve")
    shop.act(praise, "dismiss", "Praise or neutral")  # the Slack menu's label
    shop.act(question, "dismiss", "question")
    shop.act(joke, "dismiss", "joke: laughing at our sale")
    shop.act(not_ours, "dismiss", "not ours - another shop")  # code-first free text
    shop.answer_on_platform(thanked_then_praise)  # a thank-you, then the alert dismissed as praise
    shop.act(thanked_then_praise, "dismiss", "praise")
    shop.act(spam, "dismiss", "spam")
    shop.act(duplicate, "dismiss", "Duplicate of #1")
    shop.act(other, "dismiss", "the customer was only venting")
    shop.act(no_reason, "dismiss")
    shop.act(no_text, "respond")
    shop.act(breached_acknowledged, "acknowledge")  # claimed, never answered
    clock.advance(60 * M)
    shop.engine.tick()  # every clock still running breaches
    assert store.escalation(breached).breached_at is not None
    shop.act(breached_then_answered, "respond")  # late, but answered
    still_open = shop.post("Order not here yet", "en")
    shop.act(still_open, "acknowledge")
    assert store.escalation(still_open).closed_at is None

    return [
        ShopMessage("team", True, "en", "Parcel lost for two weeks nobody answers still  waiting"),
        ShopMessage("team", True, "pl", "Paczka nie doszła"),
        ShopMessage("team", True, "hu", "A csomagom sérülten érkezett"),
        ShopMessage("team", True, "ru", "Где мой заказ?"),
        ShopMessage("team", False, "en", "Love the dress it came apart only at the hem haha"),
        ShopMessage("team", False, "pl", "Czy mogę zwrócić buty?"),
        ShopMessage("team", False, "und", "My wallet is the real victim of your sale"),
        ShopMessage("team", False, "en", "Zalando lost my parcel"),
        ShopMessage("team", False, "hu", "Szuper gyors szállítás!"),
    ]


LEFT_OUT = {
    "dismissed as spam": 1,
    "dismissed as duplicate": 1,
    "dismissed as other": 1,
    "dismissed without a reason": 1,
    "no text": 1,
    "breached without an answer": 2,
    "open": 1,
}


@pytest.mark.any_db
def test_every_outcome_exports_the_expected_rows_into_a_private_file(tmp_path, db_url, capsys) -> None:
    store = Store(db_url)
    try:
        expected = _team_at_work(store, FakeClock(SystemClock().now() - 2 * D))
        assert team_verdicts(store.escalations()).left_out == Counter(LEFT_OUT)
    finally:
        store.close()
    out = tmp_path / "exports" / "team.tsv"
    out.parent.mkdir()
    out.write_text("an older export, readable by all\n")
    out.chmod(0o644)
    assert daemon.main(["--config", _config(tmp_path, db_url), "verdicts", "export", "--out", str(out)]) == 0
    stdout, stderr = capsys.readouterr()
    assert stdout == ""
    assert load_shop_messages(out) == expected
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # replaced, not rewritten in place: the old mode is gone
    assert [p.name for p in out.parent.iterdir()] == ["team.tsv"]  # no temporary file left
    text = out.read_text("utf-8")
    assert text.startswith("# The social team's verdicts") and "\n# round\tcomplaint\tlang\ttext\n" in text
    assert db_url not in text and "sqlite" not in text and "postgresql" not in text
    assert "9 verdicts: 4 complaints (en 1, hu 1, pl 1, ru 1), 5 not complaints (en 2, hu 1, pl 1, und 1)" in stderr
    assert "left out 8: 2 breached without an answer, 1 dismissed as duplicate" in stderr
    assert f"written to {out} (round team)" in stderr


def test_stdout_is_the_default_and_reads_back(tmp_path, sqlite_url, capsys) -> None:
    store = Store(sqlite_url)
    try:
        expected = _team_at_work(store, FakeClock(SystemClock().now() - 2 * D))
    finally:
        store.close()
    cfg = _config(tmp_path, sqlite_url)
    assert daemon.main(["--config", cfg, "verdicts", "export", "--round", "shop-2026"]) == 0
    stdout, stderr = capsys.readouterr()
    copy = tmp_path / "copy.tsv"
    copy.write_text(stdout, encoding="utf-8")
    assert load_shop_messages(copy) == [ShopMessage("shop-2026", m.complaint, m.lang, m.text) for m in expected]
    assert "written to stdout (round shop-2026)" in stderr


def test_since_leaves_out_escalations_of_older_posts(tmp_path, sqlite_url, capsys) -> None:
    clock = FakeClock(SystemClock().now())
    store = Store(sqlite_url)
    try:
        shop = _Shop(store, clock)
        old = shop.post("Parcel lost in the summer", ago=100 * D)
        recent = shop.post("Parcel lost last week", ago=7 * D)
        shop.act(old, "respond")
        shop.act(recent, "respond")
        assert [v.text for v in team_verdicts(store.escalations(since=clock.now() - 90 * D)).verdicts] == [
            "Parcel lost last week"
        ]
    finally:
        store.close()
    cfg = _config(tmp_path, sqlite_url)
    assert daemon.main(["--config", cfg, "verdicts", "export", "--since", "90d"]) == 0
    stdout, stderr = capsys.readouterr()
    assert "Parcel lost last week" in stdout and "summer" not in stdout
    assert "posts since " in stdout and "1 verdicts: 1 complaints (en 1)" in stderr
    assert daemon.main(["--config", cfg, "verdicts", "export"]) == 0
    assert "summer" in capsys.readouterr().out


def test_until_leaves_out_escalations_of_posts_from_then_on(tmp_path, sqlite_url, capsys) -> None:
    clock = FakeClock(SystemClock().now())
    store = Store(sqlite_url)
    try:
        shop = _Shop(store, clock)
        for text, ago in [("Parcel lost in the summer", 100 * D), ("Parcel lost last month", 40 * D)]:
            shop.act(shop.post(text, ago=ago), "respond")
        shop.act(shop.post("Parcel lost last week", ago=7 * D), "respond")
    finally:
        store.close()
    cfg = _config(tmp_path, sqlite_url)

    def export(*flags: str) -> list[str]:
        assert daemon.main(["--config", cfg, "verdicts", "export", *flags]) == 0
        out = tmp_path / "out.tsv"
        out.write_text(capsys.readouterr().out, encoding="utf-8")
        return [m.text for m in load_shop_messages(out)]

    # the older verdicts to train on, the recent ones to measure the new weights on
    assert export("--until", "30d") == ["Parcel lost in the summer", "Parcel lost last month"]
    assert export("--since", "30d") == ["Parcel lost last week"]
    assert export("--since", "60d", "--until", "30d") == ["Parcel lost last month"]


def test_until_and_since_take_a_date_in_the_shops_zone_and_until_is_exclusive(tmp_path, sqlite_url, capsys) -> None:
    from datetime import UTC, datetime

    noon = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    store = Store(sqlite_url)
    try:
        shop = _Shop(store, FakeClock(noon))
        shop.act(shop.post("A second before noon", ago=timedelta(seconds=1)), "respond")
        shop.act(shop.post("At noon UTC"), "respond")
        shop.clock.advance(D)
        shop.act(shop.post("The day after"), "respond")
    finally:
        store.close()
    cfg = tmp_path / "warsaw.yaml"
    cfg.write_text(Path(_config(tmp_path, sqlite_url)).read_text() + "sla:\n  timezone: Europe/Warsaw\n")

    def export(*flags: str) -> str:
        assert daemon.main(["--config", str(cfg), "verdicts", "export", *flags]) == 0
        return capsys.readouterr().out

    for until in ("2025-03-01T12:00:00+00:00", "2025-03-01T12:00Z", "2025-03-01 13:00"):  # 13:00 in Warsaw is noon UTC
        out = export("--until", until)
        assert "A second before noon" in out and "At noon UTC" not in out, until
        assert "posts before 2025-03-01 12:00 UTC" in out, until
    out = export("--since", "2025-03-01T13:00", "--until", "2025-03-02")  # midnight in Warsaw: 23:00 UTC
    assert "At noon UTC" in out and "A second before" not in out and "The day after" not in out
    assert "posts from 2025-03-01 12:00 UTC to 2025-03-01 23:00 UTC" in out


def test_praise_the_team_only_thanked_teaches_nothing_but_complaints_stay(tmp_path, sqlite_url, capsys) -> None:
    clock = FakeClock(SystemClock().now() - D)
    store = Store(sqlite_url)
    intent = ("intent: damaged or wrong item (came apart)", "negative 0.71")
    try:
        shop = _Shop(store, clock)
        posts = {
            # escalated on the score alone, answered with a thank-you, never dismissed
            "thanked": shop.post("Well packed, nothing got creased, thank you!"),
            "thanked, classifier": shop.post(
                "Perfectly wrapped, highly recommend", reasons=("reads like a complaint 0.74", "negative 0.41")
            ),
            "resolved praise": shop.post("Amazing, it came in two days"),
            # complaints stay: an intent, sarcasm, a contrast, or nothing that reads as praise
            "intent": shop.post("Love it, thank you, it came apart only at the hem haha", reasons=intent),
            "sarcasm": shop.post("Amazing, third week waiting, as always"),
            "contrast": shop.post("Thank you for the dress, but it is the wrong size"),
            "no praise": shop.post("Nobody answers me"),
        }
        clock.advance(5 * M)
        for name, escalation in posts.items():
            if name.startswith("resolved"):
                shop.act(escalation, "resolve")
            else:
                shop.answer_on_platform(escalation)
        stored = store.escalations()
    finally:
        store.close()
    kept = [
        "Love it, thank you, it came apart only at the hem haha",
        "Amazing, third week waiting, as always",
        "Thank you for the dress, but it is the wrong size",
        "Nobody answers me",
    ]
    found = team_verdicts(stored, reads_as_praise=is_calm_praise)
    assert [(v.text, v.complaint) for v in found.verdicts] == [(text, True) for text in kept]
    assert found.left_out == Counter({"answered praise without an intent": 2, "resolved praise without an intent": 1})
    assert len(team_verdicts(stored).verdicts) == 7  # told nothing of praise, it reads them as before

    assert daemon.main(["--config", _config(tmp_path, sqlite_url), "verdicts", "export"]) == 0
    out, err = capsys.readouterr()
    assert [line.split("\t")[3] for line in out.splitlines() if line.startswith("team\t")] == kept
    assert "left out 3: 2 answered praise without an intent, 1 resolved praise without an intent" in err


def test_an_intent_is_told_by_the_reason_the_analyzer_gives_it() -> None:
    from sentiment.complaint import judge
    from sentiment.settings import ComplaintSettings

    verdict = judge("Parcel never arrived, where is it?!", {"negative": 0.9}, ComplaintSettings(), lang="en")
    assert verdict.complaint and verdict.reasons[0].startswith(INTENT_REASON), verdict.reasons
    alone = judge("This is bad", {"negative": 0.95}, ComplaintSettings(), lang="en")
    assert alone.complaint and not any(r.startswith(INTENT_REASON) for r in alone.reasons), alone.reasons


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--until", ""], 2, "replyclock: --until: "),
        (["--until", "3x"], 2, "replyclock: --until: "),
        (["--until", "2025-13-01"], 2, "replyclock: --until: "),
        (["--until", "0001-01-01T00:00+01:00"], 2, "replyclock: --until: "),  # before year 1 in UTC
        (["--since", "7d", "--until", "30d"], 2, "replyclock: --until: "),
        (["--since", "2025-03-01", "--until", "2025-03-01"], 2, "replyclock: --until: "),
        (["--since", "2025-03-01T10:00", "--until", "x"], 2, "replyclock: --until: "),
        (["--since", "", "--until", "2025-03-01"], 2, "replyclock: --since: "),
        (["--since", "2025-03-01", "--until", "2025-03-01T00:00:00.5+01:00"], 2, "replyclock: --until: "),
        (["--since", ""], 2, "replyclock: --since: "),
        (["--since", "3x"], 2, "replyclock: --since: "),
        (["--out", "{tmp}/no/such/folder/team.tsv"], 1, "replyclock: --out: cannot write"),
    ],
)
def test_bad_arguments_are_one_line_errors(tmp_path, sqlite_url, capsys, args, code, message) -> None:
    Store(sqlite_url).close()
    argv = ["--config", _config(tmp_path, sqlite_url), "verdicts", "export"]
    assert daemon.main(argv + [a.replace("{tmp}", str(tmp_path)) for a in args]) == code
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(message), err


@pytest.mark.parametrize("name", ["", "#team", "two words", "tab\there"])
def test_a_round_that_would_not_read_back_is_a_usage_error(tmp_path, sqlite_url, capsys, name) -> None:
    with pytest.raises(SystemExit) as exit_:
        daemon.main(["--config", _config(tmp_path, sqlite_url), "verdicts", "export", "--round", name])
    assert exit_.value.code == 2
    assert "a round is one word" in capsys.readouterr().err


def test_a_missing_sqlite_file_is_not_created(tmp_path, capsys) -> None:
    db = tmp_path / "typo.db"
    assert daemon.main(["--config", _config(tmp_path, f"sqlite:///{db}"), "verdicts", "export"]) == 1
    assert "no database at" in capsys.readouterr().err and not db.exists()
    # a bad command line is told first, as with --since
    assert daemon.main(["--config", _config(tmp_path, f"sqlite:///{db}"), "verdicts", "export", "--until", "x"]) == 2
    assert capsys.readouterr().err.startswith("replyclock: --until: ") and not db.exists()


def _escalation(**kw: object) -> Escalation:
    from datetime import UTC, datetime

    t0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    return Escalation(1, 1, "x", "1", "@k", "text", "en", t0, t0, t0, t0 + 60 * M, **kw)  # type: ignore[arg-type]


def test_reasons_stored_in_every_form_ever_written_read_as_their_codes() -> None:
    from datetime import UTC, datetime

    at = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    for stored, verdict in [
        ("praise", (False, "dismissed as praise")),
        ("A question, not a complaint", (False, "dismissed as question")),  # the menu label Slack once stored
        ("not_ours: the other shop", (False, "dismissed as not_ours")),
        ("spam: a bot", (None, "dismissed as spam")),
        ("other: Duplicate of #12", (None, "dismissed as other")),
        ("by hand", (None, "dismissed without a reason")),
        (None, (None, "dismissed without a reason")),
    ]:
        assert verdict_of(_escalation(dismissed_at=at, dismiss_reason=stored)) == verdict, stored
    assert verdict_of(_escalation(resolved_at=at, first_response_at=at)) == (True, "answered")
    assert verdict_of(_escalation(breached_at=at, breach_withdrawn_at=at, first_response_at=at)) == (True, "answered")
    assert verdict_of(_escalation(acknowledged_at=at)) == (None, "open")


def test_any_line_break_or_tab_in_a_text_reads_back_as_one_row(tmp_path) -> None:
    nasty = "a\tb\nc\r\nd\re\vf\fg\x1ch\x1di\x1ej\x85k\u2028l\u2029m"
    assert one_line(nasty) == "a b c d e f g h i j k l m"
    path = tmp_path / "shop.tsv"
    messages = [ShopMessage("team", True, "pl", nasty), ShopMessage("team", False, "und", "#not a comment")]
    path.write_text(format_shop_messages(messages, ["two\nlines"]), encoding="utf-8")
    assert path.read_text("utf-8").startswith("# two\n# lines\n# round\t")
    assert load_shop_messages(path) == [
        ShopMessage("team", True, "pl", "a b c d e f g h i j k l m"),
        ShopMessage("team", False, "und", "#not a comment"),
    ]
    with pytest.raises(ValueError, match="lang"):
        format_shop_messages([ShopMessage("team", True, "p l", "text")])


def test_the_file_names_nobody_and_the_models_read_it_alike() -> None:
    import dataclasses

    from sentiment.embedded import prepare

    text = "@sklep_demo paczka nie doszła, @kasia_k pisała to samo, e-mail: ola@example.pl"
    answered = dataclasses.replace(_escalation(first_response_at=_escalation().opened_at), text=text)
    (verdict,) = team_verdicts([answered]).verdicts
    assert verdict.text == "@user paczka nie doszła, @user pisała to samo, e-mail: @user"
    # every handle is one token to the models, so masking handles changes no feature
    handles_only = "@sklep_demo paczka nie doszła, @kasia_k pisała to samo"
    assert prepare(mask_handles(handles_only)) == prepare(handles_only)


PHONES = {
    "pl": ["+48 601 234 567", "601-234-567", "(22) 123 45 67", "+48601234567", "0048 22 123 45 67"],
    "hu": ["+36 30 123 4567", "06 30 123 4567", "06-1-234-5678", "+36-1/234-5678", "06 (30) 123-45-67"],
    "ru": ["+7 (912) 345-67-89", "8 912 345 67 89", "8(495)1234567", "+7 912 345 6789", "8-800-555-35-35"],
    "en": ["+44 7700 900123", "07700 900123", "(555) 123-4567", "+1-555-123-4567", "555.123.4567"],
}


def test_phone_and_order_numbers_are_masked_digit_by_digit_so_the_models_read_them_alike() -> None:
    from sentiment.embedded import prepare

    for lang, phones in PHONES.items():
        for phone in phones:
            text = f"Zamówienie 4411 — proszę o telefon {phone}, czekam 3 dni"
            masked = mask_person(text, "")
            assert masked.endswith(", czekam 3 dni"), masked  # a short count identifies nobody: kept
            assert re.search("[1-9]", masked.removesuffix(", czekam 3 dni")) is None, (lang, masked)
            assert "Zamówienie 0000" in masked, masked
            # every digit run is one token ("0") to the models, so masking digits changes no feature
            assert prepare(masked) == prepare(text), (lang, phone)
    assert mask_person("+7 (912) 345-67-89!", "") == "+0 (000) 000-00-00!"
    assert mask_person("order #4411, 2 items, size 38, 10:30", "") == "order #0000, 2 items, size 38, 10:30"


NAMED = [
    # (author as the platform gave it, text, masked)
    ("Anna Kowalska", "Hi, Anna Kowalska here, order 4411 lost", f"Hi, {MASKED_NAME} here, order 0000 lost"),
    ("Anna Kowalska", "kowalska anna, zamówienie nie doszło", f"{MASKED_NAME}, zamówienie nie doszło"),
    (
        "Anna Kowalska",
        "Pisze Anna. Kowalska A., tel. 601 234 567",
        f"Pisze {MASKED_NAME}. {MASKED_NAME} A., tel. 000 000 000",
    ),
    ("Kovács Zoltán", "Kovacs Zoltan vagyok, a csomag sérült", f"{MASKED_NAME} vagyok, a csomag sérült"),
    # a surname that is also a word is masked only as a name is written: capitalised
    ("Nagy Éva", "nagy csalódás, Nagy Éva", f"nagy csalódás, {MASKED_NAME}"),
    ("Анна Иванова", "Меня зовут Анна Иванова, заказ не пришёл", f"Меня зовут {MASKED_NAME}, заказ не пришёл"),
    ("Łukasz Wiśniewski", "Lukasz Wisniewski, paczka zgubiona", f"{MASKED_NAME}, paczka zgubiona"),
    # an X username, with or without its @
    ("kasia_k", "kasia_k again: still no refund", f"{MASKED_NAME} again: still no refund"),
    ("@kasia_k", "it's @kasia_k, and kasia_k wants her money", f"it's @user, and {MASKED_NAME} wants her money"),
    ("J. R.", "J. R. here", "J. R. here"),  # initials alone identify nobody and would mask every J
    ("", "Anna Kowalska here", "Anna Kowalska here"),
]


@pytest.mark.parametrize(("author", "text", "masked"), NAMED)
def test_the_authors_name_in_the_text_is_masked(author, text, masked) -> None:
    assert mask_person(text, author) == masked


def test_an_exported_row_names_nobody(tmp_path) -> None:
    import dataclasses

    answered = dataclasses.replace(
        _escalation(first_response_at=_escalation().opened_at),
        author="Anna Kowalska",
        text="Anna Kowalska, order 4411, tel. +48 601 234 567, ola@example.pl, @sklep_demo where is it",
    )
    (verdict,) = team_verdicts([answered]).verdicts
    assert verdict.text == f"{MASKED_NAME}, order 0000, tel. +00 000 000 000, @user, @user where is it"


def test_a_masked_name_moves_the_classifier_as_little_as_any_other_name() -> None:
    """A name's n-grams carry no learnt weight; what replaces it must not carry any either. The models read
    @user as the tweets' handles, which are no complaints: the mask of a name is a word of its own."""
    import numpy as np

    from sentiment.complaint_model import ComplaintClassifier
    from sentiment.data import SHOP_MESSAGES
    from sentiment.embedded import prepare

    names = {"pl": "Anna Kowalska", "hu": "Kovács Zoltán", "ru": "Анна Иванова", "en": "John Smith"}
    forms = ["{n}: {t}", "{t} {n}", "Hi, {n} here. {t}", "{t} — {n}"]
    rows = [m for m in load_shop_messages(SHOP_MESSAGES) if m.lang in names]
    named = [forms[i % len(forms)].format(n=names[m.lang], t=m.text) for i, m in enumerate(rows)]
    masked = [mask_person(text, names[m.lang]) for text, m in zip(named, rows, strict=True)]
    # the name turned into the mask, and nothing else changed
    assert [prepare(t) for t in masked] == [
        prepare(text.replace(names[m.lang], MASKED_NAME)) for text, m in zip(named, rows, strict=True)
    ]
    classifier = ComplaintClassifier()
    before, after = classifier.probabilities(named), classifier.probabilities(masked)
    as_handle = classifier.probabilities([t.replace(MASKED_NAME, "@user") for t in masked])
    assert abs(float(np.mean(after - before))) < 0.03  # no lean either way (@user: -0.11)
    assert float(np.mean(np.abs(after - before))) < 0.05
    assert float(np.mean((after >= 0.7) == (before >= 0.7))) > 0.95
    assert float(np.mean(as_handle - before)) < -0.05  # what masking a name as a handle would have taught
