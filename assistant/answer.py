"""``answer()`` and ``Assistant``: question -> retrieve -> score -> checks -> select -> render.

Each stage lives in its own module (``question``, ``retrieve``, ``features`` + ``calibration``, ``checks``,
``select``, ``render``); ``Assistant`` composes them. ``Assistant.stream`` returns a ``Response``: iterate it
for the answer's text as it is produced, then read ``response.answer()`` — the same object in every mode.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import count

from assistant import calibration
from assistant.checks import EchoFilter, Scored, answerability, build_stages, run_stages
from assistant.config import Settings
from assistant.errors import AssistantError, UnknownSource
from assistant.features import candidate_features, same_language
from assistant.question import Question, prepare
from assistant.render import abstention_text, render, to_citation
from assistant.retrieve import Candidate, Retrieval, owner_scope, retrieve
from assistant.select import LEAD_SENTENCES, by_position, lead, select, with_context
from assistant.types import Answer, Citation
from store import Store, StoredDocument
from store.lang import language

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Trace:
    """What the stages saw for one question: for evaluation and debugging, not part of ``Answer``.

    ``answerability`` is the calibrated probability that the document answers the question, judged from the
    best candidate the filter stages keep (or the best candidate when they keep none).
    """

    question: Question
    retrieval: Retrieval
    scored: tuple[Scored, ...]
    kept: tuple[Scored, ...]
    reason: str | None
    answerability: float


class Response:
    """An answer being produced: iterate for its text (verified pieces), then call ``answer()``.

    Like ``llm``'s ``Response``: the stream and the result are one object, so callers never check the
    types of streamed items.
    """

    def __init__(self, producer: Generator[str, None, Answer]) -> None:
        self._producer = producer
        self._pieces: list[str] = []
        self._answer: Answer | None = None
        self.trace: Trace | None = None

    def __iter__(self) -> Iterator[str]:
        yield from list(self._pieces)
        while self._answer is None:
            try:
                piece = next(self._producer)
            except StopIteration as stop:
                self._answer = stop.value
                return
            self._pieces.append(piece)
            yield piece

    def answer(self) -> Answer:
        """The final, verified ``Answer`` (consumes the rest of the stream)."""
        for _ in self:
            pass
        assert self._answer is not None
        return self._answer

    def text(self) -> str:
        """The answer's text."""
        return self.answer().text


class Assistant:
    """Answers questions about the stored documents.

    Args:
        settings: citechat settings; read from the environment when omitted.
        store: an open store; opened from ``settings`` (and seeded with the bundled article when empty)
            when omitted.
    """

    def __init__(self, settings: Settings | None = None, *, store: Store | None = None) -> None:
        self.settings = settings or Settings()
        if store is None:
            from assistant.wiring import open_seeded_store

            store = open_seeded_store(self.settings)
        self.store = store
        self.calibration = calibration.load(store.model_name or store.manifest.model)
        retrieval = self.settings.retrieval
        self.several = retrieval.several if retrieval.several is not None else self.calibration.several
        # threshold None: the calibrated threshold of the question's language
        self.stages = build_stages(retrieval.stage_names, self.calibration, retrieval.threshold)
        self._chat_model = None
        self._chat_lock = threading.Lock()

    # -- documents --------------------------------------------------------------------------------

    def documents(self) -> list[StoredDocument]:
        """The stored documents (follows other processes' ingests)."""
        return self.store.documents()

    def resolve_sources(self, sources: Sequence[str] | str | None) -> tuple[str, ...] | None:
        """Document ids for ``sources`` (sources as listed, titles or paths); None means all documents.

        Raises:
            UnknownSource: a source is not in the store.
        """
        if sources is None:
            return None
        if isinstance(sources, str):
            sources = [sources]
        ids = []
        for source in sources:
            record = self.store.find(source)
            if record is None:
                raise UnknownSource(f"no stored document {source!r}; see `citechat sources`")
            ids.append(record.doc_id)
        return tuple(dict.fromkeys(ids))

    # -- answering --------------------------------------------------------------------------------

    def answer(
        self, question: str, history: Sequence | None = None, *, k: int | None = None,
        sources: Sequence[str] | str | None = None,
    ) -> Answer:
        """Answer ``question`` from the stored documents, citing verbatim sentences.

        Args:
            question: the user's question, in French, English or a stored document's language.
            history: earlier turns, as ``(user, assistant)`` pairs or ``{"role", "content"}`` messages.
            k: most sentences to cite (default ``settings.retrieval.k``), in every mode.
            sources: answer from these documents only (as listed by ``citechat sources``); default all.

        Raises:
            InvalidQuestion: empty question, invalid text or control characters.
            UnknownSource: a source is not in the store.
            StoreError: the store cannot be reached.
        """
        return self.stream(question, history, k=k, sources=sources).answer()

    def stream(
        self, question: str, history: Sequence | None = None, *, k: int | None = None,
        sources: Sequence[str] | str | None = None,
    ) -> Response:
        """The answer as a ``Response`` (iterate for text, then ``answer()``). Raises as ``answer`` does."""
        scope = self.resolve_sources(sources)
        prepared = prepare(question, history, languages=self.store.languages())
        k = k or self.settings.retrieval.k
        response = Response(iter(()))  # replaced below; the producer fills response.trace
        if self.settings.llm.provider != "none":
            response._producer = self._generate(prepared, scope, k, response)
        else:
            response._producer = self._extract(prepared, scope, k, response)
        return response

    def score(
        self, question: Question, scope: Sequence[str] | None, *, vector: Sequence[float] | None = None
    ) -> tuple[Retrieval, list[Scored]]:
        """Retrieve and score the candidates of a prepared question, best first (``vector``: already embedded)."""
        if vector is None:
            vector = self.store.embed_query(question.query)
        # A follow-up about something of its subject is also searched as asked (see retrieve's ``also``).
        also = (self.store.embed_query(question.text)
                if question.owned and self.settings.retrieval.mode != "lexical" else None)
        # Another process's ingest or rebuild can switch the store between the reads of one question (dense
        # hits of the new generation, lexical rows of the old): measured as a wrong abstention during a rebuild.
        # Score again when the store changed under the reads; the second pass reads one state only.
        for _ in range(2):
            self.store.refresh()
            seen = (self.store.generation, self.store.manifest.revision)
            found, scored = self._score(question, scope, vector, also)
            if (self.store.generation, self.store.manifest.revision) == seen:
                break
        return found, scored

    def _score(self, question: Question, scope: Sequence[str] | None, vector: Sequence[float],
               also: Sequence[float] | None = None) -> tuple[Retrieval, list[Scored]]:
        settings = self.settings.retrieval
        scope = owner_scope(self.store, question, scope)
        found = retrieve(self.store, question, vector, scope=scope, dense_candidates=settings.dense_candidates,
                         lexical_candidates=settings.lexical_candidates, mode=settings.mode, also=also)
        scored = []
        for candidate, values in zip(found.candidates, candidate_features(found), strict=True):
            same = same_language(found, candidate)
            scored.append(Scored(candidate, values, self.calibration.probability(values, same_language=same)))
        scored.sort(key=lambda s: (-s.probability, s.candidate.document.source, s.candidate.row.start))
        return found, scored

    def _decide(self, question: Question, scope: Sequence[str] | None, response: Response) -> Trace:
        found, scored = self.score(question, scope)
        kept, reason = run_stages(self.stages, found, scored)
        # An abstention shows the score the cutoff read: the answer-type filter keeps every candidate or none.
        trace = Trace(question, found, tuple(scored), tuple(kept), reason,
                      answerability(self.calibration, found, kept or EchoFilter().apply(found, scored) or scored))
        response.trace = trace
        return trace

    def _abstain(self, question: Question, trace: Trace, scope: Sequence[str] | None, reason: str | None) -> Answer:
        best = trace.scored[0] if trace.scored else None
        # The closest passage is shown only when it is about the question: its answerability reaches the
        # calibrated "related" level, which 95 % of off-topic questions stay below.
        related = None
        if best is not None and trace.answerability >= self.calibration.related:
            related = to_citation(0, best)
        return Answer(
            abstention_text(question.language), (), False, question.query, question.language, question.text,
            related, question.notices, reason or "low_score", round(trace.answerability, 4) if best else None,
            self._sources(scope),
        )

    def _sources(self, scope: Sequence[str] | None) -> tuple[str, ...]:
        if scope is None:
            return ()
        records = {d.doc_id: d.source for d in self.store.documents()}
        return tuple(records[d] for d in scope if d in records)

    def _unsure(self, trace: Trace) -> bool:
        # The answerability is a calibrated probability: under a half, the article more likely does not answer
        # than does, yet abstaining there would withhold too many right answers (the thresholds keep false
        # abstention near 5 %). Such an answer is given, and said to be the closest passage, not a sure one.
        # So is one whose best sentence itself is unlikely to hold the answer, whatever the article-level score,
        # which reads the question's features rather than that sentence alone; the echo check may also have dropped
        # likelier ones. (Measured while the answer-type check still dropped sentences: on the fit part, such answers
        # were right 5 times in 32.)
        settings = self.settings.retrieval
        best = trace.kept[0].probability if trace.kept else 0.0
        return trace.answerability < settings.unsure_below or best < settings.unsure_sentence_below

    def _with_context(self, selected: list[Scored], trace: Trace, k: int) -> list[Scored]:
        if not self.settings.retrieval.context:
            return selected
        question = trace.question
        return with_context(selected, trace.scored, k=k, words=question.lang.asks_for_words(question.text))

    def _lead(self, question: Question, scope: Sequence[str] | None, k: int, trace: Trace) -> list[Scored]:
        """The documents' lead when the question asks about the article as a whole, their byline when it asks who
        wrote them; else nothing.

        "What is the article about?", "Who are the people mentioned?" name nothing to search for: every
        sentence is about as close as any other, and the calibrated score rightly finds none that answers. A
        news story answers them in its opening sentences. "Who wrote the article?" is answered by the byline
        and publication line under the title, which the lead skips. A follow-up that carries names from the
        conversation ("When did it happen?" after "Who attacked the convoy?") is about those, not the article.
        """
        if question.carried:
            return []
        gist = question.lang.asks_for_gist(question.text)
        if not gist and not question.lang.asks_for_byline(question.text):
            return []
        scored = by_position(trace.scored)
        openings = []
        for document in self.store.documents():
            if scope is not None and document.doc_id not in scope:
                continue
            opening: list[Scored] = []
            lang = language(document.language)
            for position in count():
                if len(opening) == LEAD_SENTENCES:
                    break
                row = self.store.lexicon.sentence_at(document.doc_id, position)
                if row is None:
                    break
                if gist and not opening and lang.is_byline(row.text):
                    continue  # who wrote the story is not what it says
                if not gist and not lang.is_byline(row.text):
                    break  # the byline lines come first, under the title; a story without them does not say
                # Its own score when it was a candidate; a lead sentence is cited whatever its score.
                opening.append(scored.get((document.doc_id, position)) or Scored(
                    Candidate(row, document, 0.0, 0.0, opening[-1].candidate.row if opening else None), {}, 0.0))
            openings.append(opening)
        return lead(openings, k=k)

    def _answered(self, text: str, citations: tuple[Citation, ...], question: Question, trace: Trace,
                  scope: Sequence[str] | None, *, from_lead: bool) -> Answer:
        """The ``Answer`` that cites ``citations``, in either mode.

        A lead is cited because of what the question asks, not because of a score: it has none to show.
        """
        return Answer(text, citations, True, question.query, question.language, question.text, None,
                      question.notices, None, None if from_lead else round(trace.answerability, 4),
                      self._sources(scope), not from_lead and self._unsure(trace))

    def _extract(self, question: Question, scope: Sequence[str] | None, k: int,
                 response: Response) -> Generator[str, None, Answer]:
        trace = self._decide(question, scope, response)
        opening = self._lead(question, scope, k, trace)
        if trace.reason is not None and not opening:
            answer = self._abstain(question, trace, scope, trace.reason)
            yield answer.text
            return answer
        selected = opening or self._with_context(select(trace.kept, k=k, several=self.several), trace, k)
        text, citations = render(selected, question.language)
        answer = self._answered(text, citations, question, trace, scope, from_lead=bool(opening))
        yield from re.findall(r".+?(?:\[\d+\]\s*|$)", text)
        return answer

    # -- generative answers (optional LLM) ----------------------------------------------------------

    @property
    def chat_model(self):
        """The configured LangChain chat model (loaded on first use)."""
        with self._chat_lock:
            if self._chat_model is None:
                from assistant.llm import make_chat_model

                self._chat_model = make_chat_model(self.settings.llm)
            return self._chat_model

    def _generate(self, question: Question, scope: Sequence[str] | None, k: int,
                  response: Response) -> Generator[str, None, Answer]:
        """Retrieve, draft with the LLM, and stream each sentence once it is verified (markers renumbered).

        Only verified text is ever yielded: a sentence is checked as soon as the next one begins, so an
        unsupported claim or a wrong [n] never reaches the reader, even for a moment.
        """
        from assistant.llm import numbered, system_prompt
        from assistant.verify import (
            complete_sentences,
            misses_name,
            name_terms,
            render_sentence,
            says_unknown,
            split_answer,
            verify_sentences,
        )

        if question.history and question.carried:
            rewritten = self._guarded(lambda: self._rewrite(question.text, question.history))
            if rewritten:
                question = replace(question, query=rewritten)
        trace = self._decide(question, scope, response)
        limit = min(k, self.settings.llm.passages)
        opening = self._lead(question, scope, limit, trace)
        if trace.reason is not None and not opening:
            answer = self._abstain(question, trace, scope, trace.reason)
            yield answer.text
            return answer
        top = opening or self._with_context(select(trace.kept, k=limit, several=self.several), trace, limit)
        passages = [s.candidate.row.text for s in top]
        similarity = self._similarity(passages)
        order: list[int] = []
        shown: list[str] = []

        def names_missing(claim: str, number: int) -> bool:
            candidate = top[number - 1].candidate
            code = candidate.document.language
            context = set(candidate.row.terms) | set(candidate.previous.terms if candidate.previous else ())
            known = self.store.lexicon.present_in(name_terms(claim, code), [candidate.document.doc_id])
            return misses_name(claim, context, known, code)

        def verified(sentences: list[str]) -> Iterator[str]:
            for sentence in verify_sentences(sentences, passages, similarity, question.text, names_missing,
                                             self.calibration.support):
                piece = render_sentence(sentence, order)
                if piece:
                    yield (" " if shown else "") + piece
                    shown.append(piece)

        draft = pending = ""
        inputs = {"system": system_prompt(question.language), "passages": numbered(passages),
                  "question": question.text}
        for delta in self._draft(inputs):
            draft += delta
            finished, pending = complete_sentences(pending + delta)
            yield from verified(finished)
        yield from verified(split_answer(pending))
        body = " ".join(shown)
        if says_unknown(draft) or not body:
            return self._abstain(question, trace, scope, "model_unsure")
        cited = [top[n - 1] for n in order]
        citations = tuple(to_citation(i, s) for i, s in enumerate(cited, start=1))
        return self._answered(body, citations, question, trace, scope, from_lead=bool(opening))

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

    def _rewrite(self, question: str, turns: Sequence[tuple[str, str]]) -> str | None:
        from assistant.llm import rewrite_chain

        conversation = "\n".join(f"Q: {q}\nA: {a[:300]}" for q, a in turns[-3:])
        rewritten = rewrite_chain(self.chat_model).invoke({"conversation": conversation, "question": question})
        rewritten = rewritten.strip().strip('"')
        if "\n" in rewritten or not rewritten.endswith("?") or len(rewritten) > 300:
            return None  # not a question: keep the extractive rewrite
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


_default: Assistant | None = None
_default_lock = threading.Lock()


def default_assistant() -> Assistant:
    """The process-wide assistant built from the environment (model loaded once)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Assistant()
        return _default


def answer(
    question: str, history: Sequence | None = None, *, k: int | None = None,
    sources: Sequence[str] | str | None = None,
) -> Answer:
    """Answer ``question`` with the default settings and store (see ``Assistant.answer``)."""
    return default_assistant().answer(question, history, k=k, sources=sources)
