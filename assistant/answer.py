"""``answer()`` and ``Assistant``: a question in, a cited extractive answer (or an abstention) out."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator, Sequence

from assistant.citations import (
    TRUNCATED_NOTICE,
    abstention_text,
    clean_question,
    is_grounded,
    normalise_history,
    render_extractive,
    select_evidence,
    standalone_query,
    to_citation,
)
from assistant.config import Settings
from assistant.retrieve import HybridRetriever, LexicalIndex
from assistant.types import Answer
from store import Store
from store.lexical import guess_language

logger = logging.getLogger(__name__)

INDEX_RECHECK_SECONDS = 2.0


class Assistant:
    """Answers questions about the stored documents.

    Args:
        settings: citechat settings; read from the environment when omitted.
        store: an open store; opened from ``settings`` (and seeded with the bundled article when
            empty) when omitted.
    """

    def __init__(self, settings: Settings | None = None, *, store: Store | None = None) -> None:
        self.settings = settings or Settings()
        if store is None:
            from assistant.wiring import open_seeded_store

            store = open_seeded_store(self.settings)
        self.store = store
        self._lock = threading.Lock()
        self._revision: tuple[int, int] | None = None
        self._checked_at = 0.0
        self._retriever: HybridRetriever | None = None
        self.refresh()

    @property
    def retriever(self) -> HybridRetriever:
        """The LangChain retriever (hybrid dense + BM25) over the current store."""
        self._maybe_refresh()
        assert self._retriever is not None
        return self._retriever

    def refresh(self) -> None:
        """Rebuild the in-memory lexical index from the store (after documents change)."""
        with self._lock:
            self._revision = self.store.revision()
            self._checked_at = time.monotonic()
            index = LexicalIndex(self.store.all_sentences())
            self._retriever = HybridRetriever(store=self.store, index=index, settings=self.settings.retrieval)

    def _maybe_refresh(self) -> None:
        if time.monotonic() - self._checked_at < INDEX_RECHECK_SECONDS:
            return
        self._checked_at = time.monotonic()
        if self.store.revision() != self._revision:
            logger.info("store changed; rebuilding the lexical index")
            self.refresh()

    def answer(self, question: str, history: Sequence | None = None, *, k: int | None = None) -> Answer:
        """Answer ``question`` from the stored documents, citing verbatim sentences.

        Args:
            question: the user's question, French or English.
            history: earlier turns, as ``(user, assistant)`` pairs or Gradio messages dicts.
            k: most sentences to cite (default ``settings.retrieval.k``).

        Raises:
            InvalidQuestion: empty question or control characters.
            StoreError: the store cannot be reached.
        """
        text, truncated = clean_question(question)
        language = guess_language(text)
        query = standalone_query(text, normalise_history(history))
        notices = (TRUNCATED_NOTICE[language],) if truncated else ()
        settings = self.settings.retrieval
        if k is not None:
            settings = settings.model_copy(update={"k": k})
        hits = self.retriever.search(query)
        if not is_grounded(hits, settings, language=language, question=text):
            related = to_citation(0, hits[0]) if hits else None
            return Answer(abstention_text(language), (), False, query, language, text, related, notices)
        body, citations = render_extractive(select_evidence(hits, settings), language)
        return Answer(body, citations, True, query, language, text, None, notices)


    def stream(self, question: str, history: Sequence | None = None, *, k: int | None = None) -> Iterator[str | Answer]:
        """Yield the answer text in pieces (one sentence at a time), then the final ``Answer``.

        Raises:
            InvalidQuestion, StoreError: as ``answer``.
        """
        result = self.answer(question, history, k=k)
        yield from re.findall(r".+?(?:\[\d+\]\s*|$)", result.text)
        yield result


_default: Assistant | None = None
_default_lock = threading.Lock()


def default_assistant() -> Assistant:
    """The process-wide assistant built from the environment (model loaded once)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Assistant()
        return _default


def answer(question: str, history: Sequence | None = None, *, k: int | None = None) -> Answer:
    """Answer ``question`` with the default settings and store (see ``Assistant.answer``)."""
    return default_assistant().answer(question, history, k=k)
