"""Hybrid retrieval over sentences: dense (Chroma) and lexical (BM25), fused by a calibrated score."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.config import RetrievalSettings
from store import Store, StoredSentence
from store.lexical import analyse

logger = logging.getLogger(__name__)


# A query word unknown to the index meets an indexed term sharing a prefix this long (and covering
# most of the shorter word): English cognates (university/université, minister/ministre) and typos.
MIN_SHARED_PREFIX = 5
MIN_SHARED_SHARE = 0.75


@dataclass(frozen=True)
class Hit:
    """A scored sentence: ``score`` ranks, ``dense`` and ``coverage`` decide abstention.

    ``context`` holds the terms of the sentence and of the one before it, so that a sentence that
    says "the two men" still counts as naming the people the previous sentence named.
    """

    sentence: StoredSentence
    score: float
    dense: float
    lexical: float
    coverage: float
    context: frozenset[str] = frozenset()


class LexicalIndex:
    """BM25 over the stored sentences' precomputed terms, built once per process."""

    def __init__(self, sentences: Sequence[StoredSentence]) -> None:
        from rank_bm25 import BM25Okapi

        self.sentences = list(sentences)
        self.by_id = {s.id: i for i, s in enumerate(self.sentences)}
        self.term_sets = [frozenset(s.terms) for s in self.sentences]
        corpus = [list(s.terms) or ["\u2205"] for s in self.sentences]
        self._bm25 = BM25Okapi(corpus) if corpus else None
        idf = self._bm25.idf if self._bm25 else {}
        self._floor = 0.05
        self.idf = {t: max(v, self._floor) for t, v in idf.items()}
        # A question word found nowhere in the corpus is as informative as the rarest word we have.
        self.unseen_idf = max(self.idf.values(), default=1.0)
        self.contexts = [
            self.term_sets[i] | (self.term_sets[i - 1] if i and s.doc_id == self.sentences[i - 1].doc_id else set())
            for i, s in enumerate(self.sentences)
        ]
        self._by_prefix: dict[str, list[str]] = {}
        for known in sorted(self.idf):
            self._by_prefix.setdefault(known[:MIN_SHARED_PREFIX], []).append(known)

    def __len__(self) -> int:
        return len(self.sentences)

    def bm25(self, terms: Sequence[str]) -> list[float]:
        """BM25 score of every sentence for the query terms."""
        if not self._bm25 or not terms:
            return [0.0] * len(self.sentences)
        return [float(v) for v in self._bm25.get_scores(list(terms))]

    def weight(self, term: str) -> float:
        return self.idf.get(term, self.unseen_idf)

    def knows(self, term: str) -> bool:
        """Whether ``term`` occurs in the indexed sentences."""
        return term in self.idf

    def expand(self, terms: Sequence[str]) -> list[str]:
        """Replace each unknown query term by the indexed term it shares the longest prefix with."""
        return [
            t if t in self.idf else closest_by_prefix(t, self._by_prefix.get(t[:MIN_SHARED_PREFIX], ())) for t in terms
        ]


def shared_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def closest_by_prefix(term: str, known: Sequence[str]) -> str:
    """``term``'s nearest spelling among ``known`` (same stem start), or ``term`` itself."""
    best, best_length = term, 0
    for candidate in known:
        length = shared_prefix(term, candidate)
        enough = max(MIN_SHARED_PREFIX, MIN_SHARED_SHARE * min(len(term), len(candidate)))
        if length >= enough and length > best_length:
            best, best_length = candidate, length
    return best


def coverage(query_terms: Sequence[str], sentence_terms: frozenset[str], weight) -> float:
    """IDF-weighted share of the distinct query terms that the sentence contains."""
    unique = set(query_terms)
    total = sum(weight(t) for t in unique)
    if total <= 0:
        return 0.0
    return sum(weight(t) for t in unique if t in sentence_terms) / total


def saturate(score: float, half: float) -> float:
    """Map a BM25 score to [0, 1): ``half`` maps to 0.5, so no per-query normalisation is needed."""
    return score / (score + half) if score > 0 else 0.0


def fuse(
    index: LexicalIndex,
    query_terms: Sequence[str],
    dense: dict[str, float],
    chunk_dense: dict[str, float],
    settings: RetrievalSettings,
) -> list[Hit]:
    """Score every candidate sentence and return them best first (pure: no I/O)."""
    bm25 = index.bm25(query_terms) if settings.mode != "dense" else [0.0] * len(index)
    floor = min(dense.values(), default=0.0)
    candidates = set(dense)
    candidates.update(index.sentences[i].id for i, v in enumerate(bm25) if v > 0)
    hits = []
    for sentence_id in candidates:
        position = index.by_id.get(sentence_id)
        if position is None:  # written after the index was built; picked up at the next refresh
            continue
        sentence = index.sentences[position]
        dense_score = max(dense.get(sentence_id, floor), chunk_dense.get(sentence.chunk_id, -1.0))
        lexical = saturate(bm25[position], settings.bm25_saturation)
        cover = coverage(query_terms, index.term_sets[position], index.weight)
        if settings.mode == "lexical":
            score = lexical
        elif settings.mode == "dense":
            score = dense_score
        else:
            score = dense_score + settings.lexical_weight * lexical
        hits.append(Hit(sentence, score, dense_score, lexical, cover, index.contexts[position]))
    hits.sort(key=lambda h: (-h.score, h.sentence.source, h.sentence.start))
    return hits


class HybridRetriever(BaseRetriever):
    """LangChain retriever over the store: dense + BM25 sentences, fused."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Store
    index: LexicalIndex
    settings: RetrievalSettings

    def search(self, query: str, *, vector: list[float] | None = None) -> list[Hit]:
        """Hits for ``query`` best first; ``vector`` skips re-embedding an already embedded query."""
        if not len(self.index):
            return []
        terms = self.index.expand(analyse(query))
        dense: dict[str, float] = {}
        chunk_dense: dict[str, float] = {}
        if self.settings.mode != "lexical":
            vector = vector if vector is not None else self.store.embed_query(query)
            n = self.settings.candidates
            dense = dict(self.store.search_sentences(vector, n))
            chunk_dense = dict(self.store.search_chunks(vector, n))
        return fuse(self.index, terms, dense, chunk_dense, self.settings)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [hit_to_document(hit) for hit in self.search(query)[: self.settings.k * 2]]


def hit_to_document(hit: Hit) -> Document:
    """A LangChain ``Document`` for chains; never returned to users of ``assistant``."""
    s = hit.sentence
    return Document(
        page_content=s.text,
        id=s.id,
        metadata={
            "source": s.source, "title": s.title, "section": s.section, "start": s.start, "end": s.end,
            "score": hit.score, "dense": hit.dense, "coverage": hit.coverage,
        },
    )
