"""The select stage: which of the kept sentences to cite (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.checks import Scored

REDUNDANT_OVERLAP = 0.6  # a runner-up sharing this much of a chosen sentence's terms repeats it


def overlap(a: Sequence[str], b: Sequence[str]) -> float:
    """Jaccard overlap of two sentences' terms (1.0: the same words)."""
    first, second = set(a), set(b)
    union = first | second
    return len(first & second) / len(union) if union else 1.0


def select(kept: Sequence[Scored], *, k: int, several: float) -> list[Scored]:
    """The best sentence, plus runner-ups nearly as likely to answer (within ``several`` of its probability,
    as a ratio) that do not repeat a chosen one; at most ``k``, best first."""
    if not kept:
        return []
    best = kept[0]
    chosen = [best]
    for item in kept[1:]:
        if len(chosen) >= k or item.probability < best.probability * several:
            break
        if any(item.candidate.row.text == c.candidate.row.text
               or overlap(item.candidate.row.terms, c.candidate.row.terms) >= REDUNDANT_OVERLAP for c in chosen):
            continue
        chosen.append(item)
    return chosen
