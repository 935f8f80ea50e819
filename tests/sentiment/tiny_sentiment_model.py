"""A tiny trained sequence-classification model, built locally (no download) for the transformers tests."""

from __future__ import annotations

from pathlib import Path

TRAIN = [
    ("i love it , great shop , thank you", "positive"),
    ("great quality , love the dress", "positive"),
    ("thank you , fast delivery , great", "positive"),
    ("super , dziekuje , polecam", "positive"),
    ("terrible , my parcel is broken", "negative"),
    ("worst shop , refund refused , terrible", "negative"),
    ("broken item and no refund , awful", "negative"),
    ("dramat , paczka zniszczona , okropne", "negative"),
    ("what time do you open on monday", "neutral"),
    ("do you ship to hungary", "neutral"),
    ("is the blue dress in stock", "neutral"),
    ("czy wysylacie na wegry", "neutral"),
]
# Deliberately not "index 0 = negative": the scorer must read id2label.
ID2LABEL = {0: "positive", 1: "negative", 2: "neutral"}


def build_tiny_model(folder: Path) -> Path:
    """Train a 2-layer XLM-R-shaped classifier and a word-level tokenizer on a dozen sentences."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast, XLMRobertaConfig, XLMRobertaForSequenceClassification

    torch.manual_seed(0)
    raw = Tokenizer(models.WordLevel(unk_token="<unk>"))
    raw.pre_tokenizer = pre_tokenizers.Whitespace()
    raw.train_from_iterator(
        [t for t, _ in TRAIN], trainers.WordLevelTrainer(special_tokens=["<s>", "<pad>", "</s>", "<unk>"])
    )
    raw.post_processor = processors.TemplateProcessing(single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)])
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=raw,
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        unk_token="<unk>",
        model_input_names=["input_ids", "attention_mask"],
    )
    config = XLMRobertaConfig(
        vocab_size=raw.get_vocab_size(),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=80,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        num_labels=len(ID2LABEL),
        id2label=ID2LABEL,
        label2id={v: k for k, v in ID2LABEL.items()},
    )
    model = XLMRobertaForSequenceClassification(config)
    label_ids = {v: k for k, v in ID2LABEL.items()}
    enc = tokenizer([t for t, _ in TRAIN], padding=True, return_tensors="pt")
    target = torch.tensor([label_ids[lab] for _, lab in TRAIN])
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(80):
        loss = model(**enc, labels=target).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
