"""Accuracy, negative-class F1 and macro-F1 per language and source, and the acceptance targets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from monitor.models import LABELS

TARGET_LANGS = ("pl", "hu", "ru", "en")
TARGET_NEGATIVE_AVG = 0.75
TARGET_NEGATIVE_MIN = 0.65
TARGET_MACRO3 = 0.65


@dataclass(frozen=True, slots=True)
class EvalRow:
    """One gold label and the scorer's probabilities for it."""

    lang: str
    source: str
    gold: str
    scores: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class GroupFigures:
    """Figures for one language and source."""

    lang: str
    source: str
    n: int
    labels: tuple[str, ...]
    accuracy: float
    negative_f1: float
    macro_f1: float

    @property
    def has_neutral(self) -> bool:
        """Whether this source labels neutral texts (so 3-class macro-F1 applies)."""
        return "neutral" in self.labels


@dataclass(frozen=True, slots=True)
class EvalReport:
    """Figures per language and source, per-language averages and whether the targets are met."""

    groups: tuple[GroupFigures, ...]

    def negative_f1_by_lang(self) -> dict[str, float]:
        """Negative F1 per language, averaged over that language's sources."""
        out: dict[str, list[float]] = {}
        for g in self.groups:
            out.setdefault(g.lang, []).append(g.negative_f1)
        return {lang: sum(v) / len(v) for lang, v in out.items()}

    def target_failures(self) -> list[str]:
        """Which acceptance targets are missed (empty when all are met or no target language is present)."""
        by_lang = self.negative_f1_by_lang()
        present = [lang for lang in TARGET_LANGS if lang in by_lang]
        if not present:
            return []
        failures = []
        avg = sum(by_lang[lang] for lang in present) / len(present)
        if avg < TARGET_NEGATIVE_AVG:
            failures.append(f"average negative F1 {avg:.3f} < {TARGET_NEGATIVE_AVG}")
        failures += [
            f"{lang} negative F1 {by_lang[lang]:.3f} < {TARGET_NEGATIVE_MIN}"
            for lang in present
            if by_lang[lang] < TARGET_NEGATIVE_MIN
        ]
        failures += [
            f"{g.lang}/{g.source} macro-F1 {g.macro_f1:.3f} < {TARGET_MACRO3}"
            for g in self.groups
            if g.lang in TARGET_LANGS and g.has_neutral and g.macro_f1 < TARGET_MACRO3
        ]
        return failures


def _f1(gold: list[str], pred: list[str], label: str) -> float:
    tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p == label)
    fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != label and p == label)
    fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p != label)
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0


def evaluate_predictions(rows: Iterable[EvalRow]) -> EvalReport:
    """Group by (language, source) and compute the figures.

    A source whose gold labels never include neutral (e.g. mozetic2016, where annotators' neutral
    tweets were dropped) is scored on the more likely of the labels it does use.
    """
    grouped: dict[tuple[str, str], list[EvalRow]] = {}
    for row in rows:
        grouped.setdefault((row.lang, row.source), []).append(row)
    figures = []
    for (lang, source), items in sorted(grouped.items()):
        labels = tuple(lab for lab in LABELS if any(r.gold == lab for r in items))
        gold = [r.gold for r in items]
        pred = [max(labels, key=lambda lab, r=r: float(r.scores.get(lab, 0.0))) for r in items]  # type: ignore[misc]
        accuracy = sum(1 for g, p in zip(gold, pred, strict=True) if g == p) / len(items)
        f1s = [_f1(gold, pred, lab) for lab in labels]
        figures.append(
            GroupFigures(
                lang=lang,
                source=source,
                n=len(items),
                labels=labels,
                accuracy=accuracy,
                negative_f1=_f1(gold, pred, "negative"),
                macro_f1=sum(f1s) / len(f1s),
            )
        )
    return EvalReport(groups=tuple(figures))


def evaluate_scores(scores: Iterable[Sequence[float]], rows: Sequence[Mapping[str, str]]) -> EvalReport:
    """`evaluate_predictions` for labelled rows and their class scores (logits or probabilities, in LABELS order)."""
    return evaluate_predictions(
        EvalRow(r["lang"], r["source"], r["label"], dict(zip(LABELS, map(float, s), strict=True)))
        for r, s in zip(rows, scores, strict=True)
    )


def format_eval(report: EvalReport) -> str:
    """The table `replyclock eval` prints."""
    lines = [f"{'lang':<5} {'source':<14} {'n':>6} {'labels':>7} {'acc':>6} {'negF1':>6} {'macroF1':>8}"]
    for g in report.groups:
        lines.append(
            f"{g.lang:<5} {g.source:<14} {g.n:>6} {len(g.labels):>7} {g.accuracy:>6.3f} "
            f"{g.negative_f1:>6.3f} "
            f"{g.macro_f1:>8.3f}"
        )
    by_lang = report.negative_f1_by_lang()
    lines.append("")
    lines.append(
        "negative F1 per language (mean over sources): "
        + ", ".join(f"{lang} {value:.3f}" for lang, value in sorted(by_lang.items()))
    )
    present = [lang for lang in TARGET_LANGS if lang in by_lang]
    if present:
        avg = sum(by_lang[lang] for lang in present) / len(present)
        lines.append(f"average over {'/'.join(present)}: {avg:.3f}")
        failures = report.target_failures()
        lines.append(
            f"targets met (neg F1 avg >= {TARGET_NEGATIVE_AVG}, each >= {TARGET_NEGATIVE_MIN}, "
            f"3-class macro-F1 >= {TARGET_MACRO3})"
            if not failures
            else "targets NOT met: " + "; ".join(failures)
        )
    lines.append("(sources without neutral labels are scored on the more likely of negative/positive)")
    return "\n".join(lines)
