"""``answer()`` and ``Assistant``: a question in, a cited extractive answer (or an abstention) out."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from assistant.citations import (
    FRAMING,
    TRUNCATED_NOTICE,
    abstention_text,
    clean_question,
    is_follow_up,
    is_grounded,
    lacks_answer_type,
    misses_named_entity,
    normalise_history,
    passages_for_model,
    render_extractive,
    select_evidence,
    standalone_query,
    to_citation,
)
from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.retrieve import Hit, HybridRetriever, LexicalIndex
from assistant.types import Answer
from store import Store
from store.lexical import guess_language, language_evidence

logger = logging.getLogger(__name__)

INDEX_RECHECK_SECONDS = 2.0


@dataclass(frozen=True)
class _Turn:
    """A validated question with what every answering path derives from it."""

    text: str
    language: str
    history: list[tuple[str, str]]
    query: str
    notices: tuple[str, ...]

    def abstain(self, hits: Sequence[Hit]) -> Answer:
        related = to_citation(0, hits[0]) if hits else None
        return Answer(abstention_text(self.language), (), False, self.query, self.language, self.text, related,
                      self.notices)


def _prepare(question: str, history: Sequence | None) -> _Turn:
    text, truncated = clean_question(question)
    language = guess_language(text)
    turns = normalise_history(history)
    notices = (TRUNCATED_NOTICE[language],) if truncated else ()
    return _Turn(text, language, turns, standalone_query(text, turns), notices)


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
        self._chat_model = None
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
        if self.settings.llm.provider != "none":
            final = None
            for piece in self.stream(question, history, k=k):
                final = piece
            assert isinstance(final, Answer)
            return final
        turn = _prepare(question, history)
        settings = self.settings.retrieval
        if k is not None:
            settings = settings.model_copy(update={"k": k})
        hits = self.retriever.search(turn.query)
        if not is_grounded(hits, settings, language=turn.language, question=turn.text, index=self.retriever.index):
            return turn.abstain(hits)
        body, citations = render_extractive(select_evidence(hits, settings, turn.text), turn.language)
        return Answer(body, citations, True, turn.query, turn.language, turn.text, None, turn.notices)

    @property
    def chat_model(self):
        """The configured LangChain chat model (loaded on first use)."""
        if self._chat_model is None:
            from assistant.llm import make_chat_model

            self._chat_model = make_chat_model(self.settings.llm)
        return self._chat_model

    def _generate(self, question: str, history: Sequence | None) -> Iterator[str | Answer]:
        """Retrieve, draft with the LLM, and stream each sentence once it is verified (markers renumbered).

        Only verified text is ever yielded: a sentence is checked as soon as the next one begins, so an
        unsupported claim or a wrong [n] never reaches the reader, even for a moment.
        """
        from assistant.llm import numbered
        from assistant.verify import complete_sentences, render_sentence, says_unknown, split_answer, verify_sentences

        turn = _prepare(question, history)
        text, language = turn.text, turn.language
        if turn.history and is_follow_up(text):
            rewritten = self._guarded(lambda: self._rewrite(text, turn.history))
            if rewritten:
                turn = replace(turn, query=rewritten)
        hits = self.retriever.search(turn.query)
        if not is_grounded(hits, self.settings.retrieval, language=language, question=text, index=self.retriever.index):
            abstention = turn.abstain(hits)
            yield abstention.text
            yield abstention
            return
        top = passages_for_model(hits, margin=self.settings.llm.passage_margin, limit=self.settings.llm.passages)
        passages = [h.sentence.text for h in top]
        similarity = self._similarity(passages)
        index = self.retriever.index
        order: list[int] = []
        shown: list[str] = []

        def verified(sentences: list[str]) -> Iterator[str]:
            checked = verify_sentences(
                sentences, passages, similarity, text, lambda claim, n: misses_named_entity(claim, top[n - 1], index)
            )
            for sentence in checked:
                piece = render_sentence(sentence, order)
                if piece:
                    yield (" " if shown else "") + piece
                    shown.append(piece)

        draft = pending = ""
        inputs = {"system": _system(language), "passages": numbered(passages), "question": text}
        for delta in self._draft(inputs):
            draft += delta
            finished, pending = complete_sentences(pending + delta)
            yield from verified(finished)
        yield from verified(split_answer(pending))
        body = " ".join(shown)
        # Quoting passages that cannot hold the kind of answer asked for (no distance for "how far")
        # does not answer, however faithful the quotes: the extractive answer abstains there too.
        untyped = all(lacks_answer_type(text, top[n - 1].sentence.text, index) for n in order)
        if says_unknown(draft) or not body or untyped:
            yield turn.abstain(top)
            return
        citations = tuple(to_citation(i, top[n - 1]) for i, n in enumerate(order, start=1))
        if language == "en" and language_evidence(body) == (0, 0):
            body = FRAMING["en"] + body  # a terse fragment ("8 000 km [1]") gets an English frame
        yield Answer(body, citations, True, turn.query, language, text, None, turn.notices)

    def _draft(self, inputs: dict) -> Iterator[str]:
        """The model's streamed draft; any backend failure becomes one clear ``LLMUnavailable``."""
        from assistant.llm import answer_chain

        stream = self._guarded(lambda: iter(answer_chain(self.chat_model).stream(inputs)))
        while True:
            delta = self._guarded(lambda: next(stream, None))
            if delta is None:
                return
            yield delta

    def _guarded(self, call):
        """Run ``call``, turning network or llama.cpp errors into ``LLMUnavailable`` (our own errors pass)."""
        from assistant.llm import describe_failure

        try:
            return call()
        except AssistantError:
            raise
        except Exception as exc:
            raise describe_failure(self.settings.llm, exc) from exc

    def _rewrite(self, question: str, turns: list[tuple[str, str]]) -> str | None:
        from assistant.llm import rewrite_chain

        conversation = "\n".join(f"Q: {q}\nA: {a[:300]}" for q, a in turns[-3:])
        rewritten = rewrite_chain(self.chat_model).invoke({"conversation": conversation, "question": question})
        rewritten = rewritten.strip().strip('"')
        if "\n" in rewritten or not rewritten.endswith("?") or len(rewritten) > 300:
            return None  # not a question: fall back to the extractive rewrite
        if rewritten.casefold() == question.casefold():
            return None  # unchanged: the extractive rewrite at least carries the previous subject
        return rewritten

    def _similarity(self, passages: Sequence[str]):
        import numpy as np

        embeddings = self.store.embeddings
        vectors = dict(zip(passages, np.array(embeddings.embed_documents(list(passages))), strict=True))
        cache: dict[str, np.ndarray] = {}

        def similarity(sentence: str, passage: str) -> float:
            if sentence not in cache:
                cache[sentence] = np.array(embeddings.embed_documents([sentence])[0])
            return float(vectors[passage] @ cache[sentence])

        return similarity

    def stream(self, question: str, history: Sequence | None = None, *, k: int | None = None) -> Iterator[str | Answer]:
        """Yield the answer text in pieces (one sentence at a time), then the final ``Answer``.

        Raises:
            InvalidQuestion, StoreError: as ``answer``.
        """
        if self.settings.llm.provider != "none":
            yield from self._generate(question, history)
            return
        result = self.answer(question, history, k=k)
        yield from re.findall(r".+?(?:\[\d+\]\s*|$)", result.text)
        yield result


def _system(language: str) -> str:
    from assistant.llm import SYSTEM

    return SYSTEM.get(language, SYSTEM["en"])


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
