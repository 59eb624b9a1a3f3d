"""The public result types of every surface: ``Answer`` and ``Citation``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Citation:
    """A verbatim passage of a stored document: ``document_text[start:end] == text``."""

    index: int
    text: str
    source: str
    start: int
    end: int
    score: float
    title: str = ""
    section: str = ""
    doc_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (JSON-ready)."""
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    """An answer whose every ``[n]`` marker refers to ``citations[n - 1]``.

    ``grounded`` is False when the assistant abstains; ``abstain_reason`` then names the stage that withheld
    the answer (``low_score``, ``answer_type``, ``echo``, ``no_passages``, ``model_unsure``...). ``score`` is
    the calibrated probability that the best passage answers the question (None when there is nothing to score,
    and for a question about the article as a whole, answered with its lead). ``related`` holds a closely
    related passage when the assistant abstains (never a citation). ``unsure`` is True when the assistant
    answers but its score is below ``retrieval.unsure_below`` (a half by default: the article is then more likely
    not to answer than to answer), or its best sentence's own probability of holding the answer is below
    ``retrieval.unsure_sentence_below``: the citations are the closest passages, and every surface says so.
    """

    text: str
    citations: tuple[Citation, ...]
    grounded: bool
    retrieval_query: str
    language: str
    question: str = ""
    related: Citation | None = None
    notices: tuple[str, ...] = field(default_factory=tuple)
    abstain_reason: str | None = None
    score: float | None = None
    sources: tuple[str, ...] = field(default_factory=tuple)
    unsure: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (JSON-ready)."""
        data = asdict(self)
        data["citations"] = [c.to_dict() for c in self.citations]
        data["related"] = self.related.to_dict() if self.related else None
        data["notices"] = list(self.notices)
        data["sources"] = list(self.sources)
        return data
