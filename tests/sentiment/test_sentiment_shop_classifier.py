"""A shop's own complaint classifier: trained with its team's verdicts (`--extra`), loaded from
`sentiment.complaint.classifier_weights`, and a file that cannot be loaded stops start-up naming the key."""

from __future__ import annotations

import importlib.util
import io
import json
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import daemon
import settings as config
from sentiment.complaint_model import WEIGHTS_PATH, ComplaintClassifier
from sentiment.data import ShopMessage, format_shop_messages
from sentiment.errors import ModelLoadError
from sentiment.factory import build_analyzer
from sentiment.settings import ComplaintSettings, SentimentSettings
from sentiment.tuning import save_weights

ROOT = Path(__file__).resolve().parents[2]
# somewhat negative to the embedded scorer, far below the threshold for the bundled classifier: no complaint
CALM = "I paid for express shipping and it has been worth it"
# a complaint by default, for the bundled classifier alone (test_sentiment_classifier.py)
DISASTER = "Total disaster, the dress came apart at the wedding"


def _train_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_complaint", ROOT / "scripts" / "train_complaint.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _constant_weights(path: Path, bias: float) -> Path:
    """A classifier file that gives every text the same probability (sigmoid of `bias`)."""
    with np.load(WEIGHTS_PATH) as bundled:
        meta = json.loads(str(bundled["meta"]))
        size = bundled["weights"].shape
    save_weights(path, meta, weights=np.zeros(size, np.int8), weights_scale=np.float32(1.0), bias=np.float32(bias))
    return path


def _tiny_data(folder: Path) -> Path:
    """Tweets as `--data` reads them: a few dozen calm ones, none a shop complaint."""
    folder.mkdir()
    topics = ["the match tonight", "my cat", "this rainy morning", "the new album", "coffee with friends"]
    for name, count in (("train.jsonl", 60), ("dev.jsonl", 10)):
        rows = [
            {"lang": "en", "source": "t", "text": f"thinking about {topics[i % 5]} again {i}", "label": "neutral"}
            for i in range(count)
        ]
        (folder / name).write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return folder


def _write_messages(path: Path, round_: str, complaints: list[str], calm: list[str], comments: list[str]) -> Path:
    labelled = [(True, t) for t in complaints] + [(False, t) for t in calm]
    messages = [ShopMessage(round_, complaint, "en", text) for complaint, text in labelled]
    path.write_text(format_shop_messages(messages, comments), encoding="utf-8")
    return path


def test_the_team_s_verdicts_train_a_shop_s_own_weights(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shop = _write_messages(
        tmp_path / "shop.tsv",
        "A",
        ["my parcel never arrived", "refund still missing after a month", "the zip broke on day one"],
        ["thank you for the quick delivery", "love the new collection", "do you ship to Ireland?"],
        [],
    )
    team = _write_messages(  # as `replyclock verdicts export` writes it
        tmp_path / "team.tsv",
        "team",
        ["parcel lost at the sorting centre again", "charged twice for one order", "courier never came"],
        ["the sorting centre tour video is great", "ordered twice, love it", "the courier was lovely"],
        ["exported for the test"],
    )
    out = tmp_path / "shop" / "complaint.npz"
    bundled_before = WEIGHTS_PATH.stat().st_mtime_ns
    argv = ["--data", str(_tiny_data(tmp_path / "data")), "--shop", str(shop), "--tweets", "40"]
    assert _train_script().main([*argv, "--extra", str(team), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"{team}: 6 messages (3 complaints)" in printed
    assert "round A:" in printed and "round team:" in printed  # the team's round, by a model trained without it
    with np.load(out) as data:
        meta = json.loads(str(data["meta"]))
    assert meta["extra_messages"] == {"team": 6} and meta["shop_messages"] == 12 and meta["tweets"] == 40
    assert WEIGHTS_PATH.stat().st_mtime_ns == bundled_before
    probs = ComplaintClassifier(out).probabilities(["courier never came, parcel lost", "love it, thank you"])
    assert probs[0] > 0.5 > probs[1]


def test_extra_files_need_an_out_path_and_must_hold_shop_messages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    train = _train_script()
    team = tmp_path / "team.tsv"
    team.write_text("team\t1\ten\tparcel lost\n", encoding="utf-8")
    bundled_before = WEIGHTS_PATH.stat().st_mtime_ns
    with pytest.raises(SystemExit) as exit_:
        train.main(["--extra", str(team)])  # would replace the bundled weights
    assert exit_.value.code == 2 and "--extra needs --out" in capsys.readouterr().err
    broken = tmp_path / "broken.tsv"
    broken.write_text("team\tyes\ten\tparcel lost\n", encoding="utf-8")
    empty = tmp_path / "empty.tsv"
    empty.write_text(format_shop_messages([]), encoding="utf-8")
    data = str(_tiny_data(tmp_path / "data"))
    for bad, message in ((broken, f"{broken}:1: expected round"), (empty, "holds no messages")):
        with pytest.raises(SystemExit) as exit_:
            train.main(["--data", data, "--extra", str(bad), "--out", str(tmp_path / "w.npz")])
        assert exit_.value.code == 2 and message in capsys.readouterr().err
    assert WEIGHTS_PATH.stat().st_mtime_ns == bundled_before and not (tmp_path / "w.npz").exists()


def test_the_analyzer_uses_the_configured_weights(tmp_path: Path) -> None:
    def verdict(weights: Path | None, text: str) -> tuple[bool, tuple[str, ...]]:
        complaint = ComplaintSettings(classifier_weights=weights)
        [score] = build_analyzer(SentimentSettings(complaint=complaint)).analyze([text], [None])
        return score.complaint, score.reasons

    sure = _constant_weights(tmp_path / "sure.npz", 8.0)
    never = _constant_weights(tmp_path / "never.npz", -8.0)
    assert verdict(None, CALM) == (False, ())
    complaint, reasons = verdict(sure, CALM)
    assert complaint is True and reasons[0] == "reads like a complaint 1.00" and reasons[1].startswith("negative 0.")
    assert verdict(None, DISASTER)[0] is True
    assert verdict(never, DISASTER) == (False, ())
    # switched off, the file is not even read
    off = ComplaintSettings(classifier_weights=tmp_path / "missing.npz", classifier_threshold=None)
    build_analyzer(SentimentSettings(complaint=off))


def test_a_relative_path_is_relative_to_the_config_file(tmp_path: Path) -> None:
    data = {"sentiment": {"complaint": {"classifier_weights": "models/complaint.npz"}}}
    settings = config.settings_from_mapping(data, source_file=tmp_path / "etc" / "config.yaml")
    assert settings.sentiment.complaint.classifier_weights == tmp_path / "etc" / "models" / "complaint.npz"
    assert config.settings_from_mapping({}).sentiment.complaint.classifier_weights is None
    absolute = {"sentiment": {"complaint": {"classifier_weights": str(tmp_path / "w.npz")}}}
    settings = config.settings_from_mapping(absolute, source_file=tmp_path / "etc" / "config.yaml")
    assert settings.sentiment.complaint.classifier_weights == tmp_path / "w.npz"


def _config(tmp_path: Path, weights: str) -> str:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(
        f"storage:\n  url: sqlite:///{tmp_path / 'rc.db'}\n"
        "sources:\n  replay:\n    enabled: false\n"
        f"sentiment:\n  complaint:\n    classifier_weights: {weights}\n",
        encoding="utf-8",
    )
    return str(cfg)


def test_check_config_and_score_load_the_configured_weights(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _constant_weights(tmp_path / "shop.npz", 8.0)
    cfg = _config(tmp_path, "shop.npz")
    assert daemon.main(["--config", cfg, "check-config"]) == 0
    assert f"classifier_weights: {tmp_path / 'shop.npz'}" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO(CALM + "\n"))
    assert daemon.main(["--config", cfg, "score"]) == 0
    assert json.loads(capsys.readouterr().out)["reasons"][0] == "reads like a complaint 1.00"


@pytest.mark.parametrize("command", ["check-config", "run", "score"])
@pytest.mark.parametrize("kind", ["missing", "not a classifier"])
def test_a_file_that_cannot_be_loaded_stops_start_up_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, command: str, kind: str
) -> None:
    if kind == "not a classifier":
        (tmp_path / "shop.npz").write_text("not an npz")
    monkeypatch.setattr("sys.stdin", io.StringIO(CALM + "\n"))
    args = ["run", "--once"] if command == "run" else [command]
    assert daemon.main(["--config", _config(tmp_path, "shop.npz"), *args]) == config.EXIT_CONFIG
    out, err = capsys.readouterr()
    assert out == ""
    assert "sentiment.complaint.classifier_weights: cannot load the complaint classifier from" in err
    assert str(tmp_path / "shop.npz") in err
    assert not (tmp_path / "rc.db").exists()  # stopped before anything was opened


def test_the_factory_names_the_key_of_weights_it_cannot_load(tmp_path: Path) -> None:
    complaint = ComplaintSettings(classifier_weights=tmp_path / "missing.npz")
    with pytest.raises(ModelLoadError, match="complaint classifier") as caught:
        build_analyzer(SentimentSettings(complaint=complaint))
    assert caught.value.key == "sentiment.complaint.classifier_weights"
    assert ModelLoadError("a model").key == "sentiment.model"
