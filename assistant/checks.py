"""The checks stage: small named stages that keep or drop scored candidates, each with one interface.

A stage takes the question's retrieval and the candidates (most likely first) and returns those it
keeps. When a stage leaves none, the assistant abstains and the stage's name is the recorded reason
(``Answer.abstain_reason``, evaluation rows). Stages are listed in ``AnswerSettings.stages``, so the
evaluation tool can switch one off (``--compare answer.stages=…``) to measure what it buys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from assistant.calibration import Calibration
from assistant.features import question_features, same_language
from assistant.retrieve import Candidate, Retrieval


@dataclass(frozen=True)
class Scored:
    """A candidate with its features and its calibrated probability of holding the answer."""

    candidate: Candidate
    features: dict[str, float]
    probability: float


class Stage(Protocol):
    """A check: ``name`` is the abstention reason when ``apply`` keeps nothing."""

    name: str

    def apply(self, retrieval: Retrieval, scored: Sequence[Scored]) -> list[Scored]: ...


@dataclass(frozen=True)
class AnswerTypeFilter:
    """Keep the candidates of each document where one of them holds the kind of answer asked for: a number for
    "combien"/"how many", a date for "quand"/"when", a name for "qui"/"who" (question types are language data);
    none when none does. Questions of no known type pass. Per document, because a speed in one article ("50 km/h")
    says nothing of another: "How fast is the MV Skerry?" asked of a store holding both quoted the ferry story's
    sentence, which gives no speed, as a sure answer.

    It does not drop the sentences that lack the kind from the ranking: the calibrated probability already
    weighs it (``type_present``, ``type_absent``), and the test of a kind reads surface forms that miss
    answers ("un enseignant de 38 ans, qui a découvert la toile", "By the 1970s"). On the fit part, dropping
    them moved the first citation off the gold sentence 56 times and onto it 15 times.
    """

    name: str = "answer_type"

    def apply(self, retrieval: Retrieval, scored: Sequence[Scored]) -> list[Scored]:
        holding = {s.candidate.document.doc_id for s in scored if not s.features["type_absent"]}
        return [s for s in scored if s.candidate.document.doc_id in holding]


@dataclass(frozen=True)
class EchoFilter:
    """Keep sentences that say something beyond the question: one made only of the question's own words
    ("Kim a rencontré Choïgou" for "Qui Kim a-t-il rencontré ?" does, "Kim a rencontré." does not)."""

    name: str = "echo"

    def apply(self, retrieval: Retrieval, scored: Sequence[Scored]) -> list[Scored]:
        return [s for s in scored if s.features["novelty"] > 0]


def answerability(calibration: Calibration, retrieval: Retrieval, scored: Sequence[Scored]) -> float:
    """The calibrated probability that the document answers the question, judged from its best candidate."""
    if not scored:
        return 0.0
    values = question_features(retrieval, scored)
    return calibration.answerability(values, same_language=same_language(retrieval, scored[0].candidate))


@dataclass(frozen=True)
class ScoreCutoff:
    """Keep the candidates only when the calibrated answerability reaches the threshold fitted on public data
    for the question's language (``threshold`` overrides it for every language: measuring only)."""

    calibration: Calibration
    threshold: float | None = None
    name: str = "low_score"

    def cutoff(self, retrieval: Retrieval, best: Candidate) -> float:
        if self.threshold is not None:
            return self.threshold
        return self.calibration.threshold_for(best.document.language if same_language(retrieval, best) else None)

    def apply(self, retrieval: Retrieval, scored: Sequence[Scored]) -> list[Scored]:
        if not scored:
            return []
        cutoff = self.cutoff(retrieval, scored[0].candidate)
        return list(scored) if answerability(self.calibration, retrieval, scored) >= cutoff else []


STAGE_NAMES = ("answer_type", "echo", "low_score")


def build_stages(names: Sequence[str], calibration: Calibration, threshold: float | None = None) -> list[Stage]:
    """The stages named in settings, in their fixed order (filters first, then the score cutoff)."""
    known: dict[str, Stage] = {
        "answer_type": AnswerTypeFilter(), "echo": EchoFilter(), "low_score": ScoreCutoff(calibration, threshold),
    }
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown stage(s) {', '.join(unknown)}; known: {', '.join(STAGE_NAMES)}")
    return [known[n] for n in STAGE_NAMES if n in names]


def run_stages(
    stages: Sequence[Stage], retrieval: Retrieval, scored: Sequence[Scored]
) -> tuple[list[Scored], str | None]:
    """The candidates every stage keeps, and the name of the stage that left none (None when some remain)."""
    kept = list(scored)
    if not kept:
        return [], "no_passages"
    for stage in stages:
        kept = stage.apply(retrieval, kept)
        if not kept:
            return [], stage.name
    return kept, None
