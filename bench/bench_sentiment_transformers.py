"""Messages per second: plain transformers `pipeline()` versus replyclock's fast path (ONNX Runtime, int8).

Builds an xlm-roberta-base-shaped classifier with random weights locally (speed does not depend on
weights; nothing is downloaded), 64-token texts, 2 threads. Takes a few minutes and ~3 GB of disk.

    python bench/bench_sentiment_transformers.py [--texts 256] [--layers 12]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build_model(folder: Path, layers: int) -> None:
    """Random xlm-roberta-base-shaped model and a word-level tokenizer, saved to `folder`."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast, XLMRobertaConfig, XLMRobertaForSequenceClassification

    torch.manual_seed(0)
    words = [f"w{i}" for i in range(5000)]
    raw = Tokenizer(models.WordLevel(unk_token="<unk>"))
    raw.pre_tokenizer = pre_tokenizers.Whitespace()
    trainer = trainers.WordLevelTrainer(special_tokens=["<s>", "<pad>", "</s>", "<unk>"])
    raw.train_from_iterator([" ".join(words[i : i + 50]) for i in range(0, 5000, 50)], trainer)
    raw.post_processor = processors.TemplateProcessing(single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)])
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=raw,
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        unk_token="<unk>",
        model_input_names=["input_ids", "attention_mask"],
    )
    config = XLMRobertaConfig(  # xlm-roberta-base shape
        vocab_size=250002,
        hidden_size=768,
        num_hidden_layers=layers,
        num_attention_heads=12,
        intermediate_size=3072,
        max_position_embeddings=514,
        type_vocab_size=1,
        pad_token_id=1,
        num_labels=3,
        id2label={0: "negative", 1: "neutral", 2: "positive"},
        label2id={"negative": 0, "neutral": 1, "positive": 2},
    )
    model = XLMRobertaForSequenceClassification(config).eval()
    print(f"model: {sum(p.numel() for p in model.parameters()) / 1e6:.0f}M parameters", flush=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def main() -> int:
    """Run both paths on the same texts and print messages per second and the speed-up."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", type=int, default=256)
    parser.add_argument("--layers", type=int, default=12)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    import random

    import torch
    from transformers import pipeline

    from sentiment.settings import SentimentSettings
    from sentiment.transformers_scorer import TransformersScorer

    torch.set_num_threads(args.threads)
    rng = random.Random(0)
    # 70 words -> truncated to 64 tokens by both paths.
    texts = [" ".join(f"w{rng.randrange(5000)}" for _ in range(70)) for _ in range(args.texts)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "xlmr-base-random"
        t0 = time.perf_counter()
        build_model(folder, args.layers)
        print(f"built in {time.perf_counter() - t0:.0f}s", flush=True)

        pipe = pipeline("text-classification", model=str(folder), tokenizer=str(folder), device=-1)
        pipe(texts[:4], truncation=True, max_length=64)  # warm-up
        t0 = time.perf_counter()
        plain = pipe(texts, truncation=True, max_length=64)
        plain_rate = len(texts) / (time.perf_counter() - t0)
        print(f"plain pipeline():            {plain_rate:8.1f} msg/s", flush=True)

        torch_settings = SentimentSettings(
            model=str(folder), fast_path="none", threads=args.threads, max_length=64, batch_size=32
        )
        batched = TransformersScorer.load(str(folder), torch_settings)
        batched.predict(texts[:4], ["en"] * 4)
        t0 = time.perf_counter()
        batched.predict(texts, ["en"] * len(texts))
        batched_rate = len(texts) / (time.perf_counter() - t0)
        print(f"PyTorch fp32, sorted batches of 32 (fast_path none): {batched_rate:8.1f} msg/s", flush=True)
        del batched

        settings = SentimentSettings(
            model=str(folder),
            fast_path="onnx",
            threads=args.threads,
            max_length=64,
            batch_size=32,
            onnx_cache_dir=str(Path(tmp) / "onnx"),
        )
        t0 = time.perf_counter()
        fast = TransformersScorer.load(str(folder), settings)
        print(f"fast path export+quantise:   {time.perf_counter() - t0:.0f}s (once per model)", flush=True)
        fast.predict(texts[:4], ["en"] * 4)  # warm-up
        t0 = time.perf_counter()
        fast_labels = [s.label for s in fast.predict(texts, ["en"] * len(texts))]
        fast_rate = len(texts) / (time.perf_counter() - t0)
        print(f"fast path (ONNX int8, sorted batches): {fast_rate:8.1f} msg/s", flush=True)
        print(f"speed-up over plain pipeline(): {fast_rate / plain_rate:.2f}x (target >= 3x)")
        print(f"speed-up over PyTorch sorted batches: {fast_rate / batched_rate:.2f}x")
        same = sum(1 for p, f in zip(plain, fast_labels, strict=True) if p["label"] == f)
        print(
            f"label agreement on random weights: {same}/{len(texts)} "
            "(near-ties on random weights; identical labels on a trained model are checked by the tests)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
