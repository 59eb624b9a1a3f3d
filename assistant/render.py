"""The render stage: answer text and citations from the selected sentences (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.checks import Scored
from assistant.types import Answer, Citation
from store.lang import strings


def to_citation(index: int, item: Scored) -> Citation:
    row, document = item.candidate.row, item.candidate.document
    return Citation(
        index=index, text=row.text, source=document.source, start=row.start, end=row.end,
        score=round(item.probability, 4), title=document.title, section=row.section, doc_id=document.doc_id,
    )


def framing(question_language: str, citations: Sequence[Scored]) -> str:
    """"According to the article: " when the quotes are in another language than the question."""
    if all(s.candidate.document.language == question_language for s in citations):
        return ""
    return strings(question_language)["framing"]


def render(selected: Sequence[Scored], question_language: str) -> tuple[str, tuple[Citation, ...]]:
    """Answer text (verbatim sentences, each followed by its marker) and the matching citations."""
    citations = tuple(to_citation(i, item) for i, item in enumerate(selected, start=1))
    body = " ".join(f"{c.text} [{c.index}]" for c in citations)
    return framing(question_language, selected) + body, citations


def abstention_text(language: str) -> str:
    return strings(language)["abstain"]


def unframed(text: str, code: str) -> str:
    """``text`` without the framing ``render`` put before quotes in another language (in language ``code``)."""
    framing_text = strings(code)["framing"]
    return text[len(framing_text) :] if framing_text and text.startswith(framing_text) else text


def shown_text(answer: Answer) -> str:
    """The answer text as a surface shows it under its head.

    Under "Maybe not in the article — closest passage:" the framing "According to the article: " would read as
    a contradiction; the head already says the quote is the article's, so the framing is left out there.
    """
    return unframed(answer.text, answer.language) if answer.unsure else answer.text
