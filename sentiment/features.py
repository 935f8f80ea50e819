"""Hashed character and word n-gram features, computed for a whole batch at once with numpy.

The hash is our own (polynomial over code points, then a multiplicative mix), so features are the
same in every process and on every machine, unlike Python's salted `hash()`.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_WORD = re.compile(r"\w+", re.UNICODE)
_PRIME = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_WORD_SALT = np.uint64(0x5BD1E9955BD1E995)
_BIGRAM_SALT = np.uint64(0x27D4EB2F165667C5)
_LANG_SALT = np.uint64(0xC2B2AE3D27D4EB4F)


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    """Which n-grams become features and into how many buckets (2**bits) they are hashed."""

    bits: int = 20
    char_min: int = 1
    char_max: int = 5
    word_bigrams: bool = True
    lang_copies: bool = True


@dataclass(frozen=True, slots=True)
class FeatureBatch:
    """Bucket indices of every feature of a batch, with `offsets[i]` where text i's features start."""

    index: np.ndarray  # int64 bucket ids
    offsets: np.ndarray  # int64, len(texts) + 1

    def counts(self) -> np.ndarray:
        """Number of features of each text."""
        return np.diff(self.offsets)


_word_cache: dict[str, int] = {}


def _word_hash(word: str) -> int:
    value = _word_cache.get(word)
    if value is None:
        value = zlib.crc32(word.encode("utf-8")) | (zlib.adler32(word.encode("utf-8")) << 32)
        if len(_word_cache) < 500_000:
            _word_cache[word] = value
    return value


def _char_ngrams(texts: Sequence[str], spec: FeatureSpec) -> tuple[np.ndarray, np.ndarray]:
    """Hashes and owning text of every character n-gram (texts padded with one space each side)."""
    padded = [f" {t} " for t in texts]
    lengths = np.fromiter((len(t) for t in padded), dtype=np.int64, count=len(padded))
    codes = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    owner = np.repeat(np.arange(len(padded), dtype=np.int64), lengths)
    hashes: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    total = codes.shape[0]
    with np.errstate(over="ignore"):
        acc = np.zeros(total, dtype=np.uint64)
        for n in range(1, spec.char_max + 1):
            span = total - n + 1
            if span <= 0:
                break
            acc = acc[:span] * _PRIME + codes[n - 1 : n - 1 + span]
            if n < spec.char_min:
                continue
            valid = owner[:span] == owner[n - 1 : n - 1 + span]
            hashes.append((acc[:span][valid] + np.uint64(n)) * _MIX)
            owners.append(owner[:span][valid])
    if not hashes:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    return np.concatenate(hashes), np.concatenate(owners)


def _word_ngrams(texts: Sequence[str], spec: FeatureSpec) -> tuple[np.ndarray, np.ndarray]:
    """Hashes and owning text of every word and (optionally) word bigram."""
    words = [_WORD.findall(t) for t in texts]
    lengths = np.fromiter((len(w) for w in words), dtype=np.int64, count=len(words))
    flat = np.fromiter((_word_hash(w) for ws in words for w in ws), dtype=np.uint64, count=int(lengths.sum()))
    owner = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    with np.errstate(over="ignore"):
        uni = (flat ^ _WORD_SALT) * _MIX
        if not spec.word_bigrams or flat.shape[0] < 2:
            return uni, owner
        valid = owner[:-1] == owner[1:]
        bi = ((flat[:-1] * _PRIME + flat[1:]) ^ _BIGRAM_SALT)[valid] * _MIX
    return np.concatenate([uni, bi]), np.concatenate([owner, owner[:-1][valid]])


def lang_salt(lang: str) -> int:
    """A stable 64-bit salt for a language code, used to give each language its own copy of a feature."""
    return zlib.crc32(lang.encode("ascii", "replace")) * 0x100000001 | 1


def featurize(texts: Sequence[str], langs: Sequence[str] | None, spec: FeatureSpec) -> FeatureBatch:
    """Hash the n-grams of already normalised `texts`; with `langs`, add a per-language copy of each."""
    ch, ch_owner = _char_ngrams(texts, spec)
    wd, wd_owner = _word_ngrams(texts, spec)
    hashes = np.concatenate([ch, wd])
    owner = np.concatenate([ch_owner, wd_owner])
    if spec.lang_copies and langs is not None:
        salts = np.array([lang_salt(lang) for lang in langs], dtype=np.uint64)
        with np.errstate(over="ignore"):
            copies = (hashes ^ salts[owner]) * _MIX
        hashes = np.concatenate([hashes, copies])
        owner = np.concatenate([owner, owner])
    shift = np.uint64(64 - spec.bits)
    index = (hashes >> shift).astype(np.int64)
    order = np.argsort(owner, kind="stable")
    counts = np.bincount(owner, minlength=len(texts))
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return FeatureBatch(index=index[order], offsets=offsets)


def pool(batch: FeatureBatch, weights: np.ndarray) -> np.ndarray:
    """Each text's feature weights summed and divided by sqrt(its feature count): the linear models' input."""
    counts = batch.counts()
    sums = np.zeros((len(counts), weights.shape[1]), np.float32)
    nonempty = counts > 0
    if batch.index.shape[0]:
        sums[nonempty] = np.add.reduceat(weights[batch.index], batch.offsets[:-1][nonempty], axis=0)
    return sums / np.sqrt(np.maximum(counts, 1))[:, None]
