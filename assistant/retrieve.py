"""The retrieve stage: dense (Chroma) and lexical (FTS5 BM25) candidates for a question, with what scoring needs.

Candidates are the union of the nearest sentences by cosine and the best by BM25 within the chosen
documents; their cosines, BM25 scores and neighbouring sentences are read for those candidates only, so a
query's cost does not grow with the size of the store.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.question import Question
from store import Store, StoredDocument
from store.lexical import analyse, unasked, unopened, words
from store.lexicon import SentenceRow

logger = logging.getLogger(__name__)

DEFAULT_DENSE_CANDIDATES = 20
DEFAULT_LEXICAL_CANDIDATES = 20


@dataclass(frozen=True)
class Candidate:
    """A sentence that may answer, with its raw retrieval signals."""

    row: SentenceRow
    document: StoredDocument
    dense: float
    bm25: float
    previous: SentenceRow | None = None

    @property
    def sid(self) -> str:
        return self.row.sid


@dataclass(frozen=True)
class Retrieval:
    """Everything the scoring stages read about one question's candidates (no I/O beyond this point)."""

    question: Question
    terms: tuple[str, ...]
    names: tuple[str, ...]
    candidates: tuple[Candidate, ...]
    idf: dict[str, float]
    in_documents: frozenset[str]
    scope: tuple[str, ...]


def idf(document_frequency: int, total: int) -> float:
    """BM25's inverse document frequency (never negative); a term found nowhere counts as the rarest."""
    return math.log(1 + (total - document_frequency + 0.5) / (document_frequency + 0.5))


def query_terms(question: Question, store: Store) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The query's index terms (question language; unknown words meet indexed cognates) and its names' terms."""
    lexicon = store.lexicon
    query = unopened(question.lexical_query, question.lang)
    terms = tuple(dict.fromkeys(lexicon.expand(t) for t in analyse(unasked(query, question.lang), question.language)))
    names = tuple(dict.fromkeys(
        t for w in words(query) if w[:1].isupper() for t in analyse(w, question.language)
    ))
    return terms, tuple(lexicon.expand(t) for t in names)


def owner_scope(store: Store, question: Question, scope: Sequence[str] | None) -> Sequence[str] | None:
    """The documents a follow-up about something of what it carries can be about ("her charity" after "Who is
    Helen Marsh?"): those of ``scope`` that hold every carried word, when some do; else ``scope``.

    Such a follow-up's BM25 search and scoring leave the carried words out (``Question.owned``): the charity's
    sentence need not name her, and a store of many articles may hold another charity's; her name picks hers.
    """
    if not question.owned or not question.carried or (scope is not None and len(scope) < 2):
        return scope
    lexicon = store.lexicon
    terms = [lexicon.expand(t) for t in analyse(" ".join(question.carried), question.language)]
    return tuple(sorted(lexicon.holding(terms, scope))) or scope


def retrieve(
    store: Store,
    question: Question,
    vector: Sequence[float],
    *,
    scope: Sequence[str] | None = None,
    dense_candidates: int = DEFAULT_DENSE_CANDIDATES,
    lexical_candidates: int = DEFAULT_LEXICAL_CANDIDATES,
    mode: str = "hybrid",
    also: Sequence[float] | None = None,
) -> Retrieval:
    """Candidates for ``question`` (embedded as ``vector``) within the documents ``scope`` (all when None).

    ``also``: a second embedding of the question (a follow-up about something of its subject, as asked, beside
    ``vector`` with the carried names); each candidate has the closer of its two cosines ("her job" is in her own
    sentence, near the names; "her charity's donors" in the charity's, near the question as asked).
    """
    lexicon = store.lexicon
    terms, names = query_terms(question, store)
    vectors = [] if mode == "lexical" else [vector] if also is None else [vector, also]
    nearest = [dict(store.search(v, dense_candidates, doc_ids=scope)) for v in vectors]
    lexical = dict(lexicon.search(terms, limit=lexical_candidates, doc_ids=scope)) if mode != "dense" else {}
    ids = list(dict.fromkeys([*(sid for found in nearest for sid in found), *lexical]))
    rows = lexicon.sentences(ids)
    for v, found in zip(vectors, nearest, strict=True):
        missing_dense = [sid for sid in ids if sid not in found and sid in rows]
        if missing_dense:
            found.update(store.cosines(v, missing_dense))
    dense = {sid: max(found.get(sid, 0.0) for found in nearest) for sid in ids} if nearest else {}
    frequency, total = lexicon.document_frequency([*terms, *names])
    if mode != "dense":
        # Computed from the rows just read, not asked of FTS5: its bm25() would walk every row of each word.
        missing_lexical = [rows[sid] for sid in ids if sid not in lexical and sid in rows]
        lexical.update(lexicon.scores(terms, missing_lexical, hits=frequency))
    weights = {t: idf(frequency.get(t, 0), max(total, 1)) for t in (*terms, *names)}
    candidates = []
    for sid in ids:
        row = rows.get(sid)
        document = store.document(row.doc_id) if row else None
        if row is None or document is None:
            continue  # a row of a version being replaced: the lexicon only holds current rows
        previous = lexicon.sentence_at(row.doc_id, row.position - 1) if row.position else None
        candidates.append(Candidate(row, document, dense.get(sid, 0.0), lexical.get(sid, 0.0), previous))
    # Across the whole store the frequencies just read already say which words occur; a scope asks the index.
    in_documents = ({t for t, n in frequency.items() if n} if scope is None
                    else lexicon.present_in([*terms, *names], list(scope)))
    return Retrieval(question, terms, names, tuple(candidates), weights, frozenset(in_documents),
                     tuple(scope) if scope is not None else ())
