"""The select stage: which of the kept sentences to cite (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from assistant.checks import Scored
from store.lang import language
from store.lexical import quotes_on

REDUNDANT_OVERLAP = 0.6  # a runner-up sharing this much of a chosen sentence's terms repeats it
# A lead: the opening sentences a news story puts its who, what, when and where in (a headline-like first line
# and the lede, as in the bundled article); an encyclopedia article's first sentence says what its subject is.
LEAD_SENTENCES = 2


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


def leans_on_previous(item: Scored) -> bool:
    """Whether the sentence carries on the one before it ("She added…"): ingest embedded it with that one."""
    row = item.candidate.row
    return row.context_start < row.start and item.candidate.previous is not None


def gives_words(item: Scored) -> bool:
    """Whether the sentence gives the words of someone the sentence before it names ('"…," she said'), or goes on
    quoting them ('…," said Gareth Lewis. "Our engineers worked through the night."')."""
    row = item.candidate.row
    return leans_on_previous(item) and (
        language(item.candidate.document.language).reports_words(row.text) or quotes_on(row.text))


def by_position(items: Sequence[Scored]) -> dict[tuple[str, int], Scored]:
    """``items`` by where their sentence stands: (document id, position in the document)."""
    return {(s.candidate.row.doc_id, s.candidate.row.position): s for s in items}


def with_context(chosen: Sequence[Scored], scored: Sequence[Scored], *, k: int, words: bool = False) -> list[Scored]:
    """``chosen``, each sentence that leans on the one before it followed by that sentence, at most ``k`` in all.

    A quote such as "She added that the crossing would cut the walk by twenty minutes." does not say who
    "she" is; the sentence before it does, and ingest embedded the two together, so it is often why the
    quote was found at all (and, on the fit part, often where the answer is). Quotes stay best first, so the
    sentence before comes right after the one it explains; a runner-up gives way when there is no room for both.

    With ``words`` (the question asks what someone said), a sentence naming a speaker is followed by the next
    ones while they give the speaker's words through a pronoun ('"…," she said') or go on quoting: news stories
    name the speaker in one sentence and quote them in the next, which lacks the name the question asks about.
    """
    positions = by_position(scored)
    cited = set(by_position(chosen))
    result: list[Scored] = []
    for item in chosen:
        if len(result) >= k:
            break
        row = item.candidate.row
        key = (row.doc_id, row.position - 1)
        if leans_on_previous(item) and key not in cited and len(result) + 2 <= k:
            # Its own score when it was a candidate; otherwise it stands in for the sentence it introduces.
            before = positions.get(key) or replace(
                item, candidate=replace(item.candidate, row=item.candidate.previous, previous=None, dense=0.0,
                                        bm25=0.0), features={})
            result.extend((item, before))
            cited.add(key)
            continue
        result.append(item)
        # A quotation over several sentences is given whole, as far as there is room.
        key = (row.doc_id, row.position + 1)
        after = positions.get(key)
        while words and after is not None and key not in cited and len(result) < k and gives_words(after):
            result.append(after)
            cited.add(key)
            key = (row.doc_id, key[1] + 1)
            after = positions.get(key)
    return result


def lead(openings: Sequence[Sequence[Scored]], *, k: int) -> list[Scored]:
    """The lead of each document for a question about the article as a whole, at most ``k`` sentences in all.

    ``openings`` holds each document's first sentences, in order. One document gives its first
    ``LEAD_SENTENCES``; several share ``k`` (at least the first sentence of each, documents in the order given).
    """
    documents = [opening for opening in openings if opening]
    if not documents:
        return []
    each = min(LEAD_SENTENCES, max(1, k // len(documents)))
    return [item for opening in documents for item in opening[:each]][:k]
