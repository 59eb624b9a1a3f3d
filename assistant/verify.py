"""Verification of generated answers: every [n] shown must be supported by its verbatim passage (pure)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from store.lang import detect, every, language, supported
from store.lexical import analyse as analyse_in
from store.lexical import words
from store.lexicon import closest_by_prefix

MIN_TERM_SUPPORT = 0.5
# The cosine a claim in another language than its passage needs is per embedding model (the calibration
# file's "support"): in the same language cosine is no evidence (a fabricated French claim sharing words
# scored high), so words decide.
_NUMBER = re.compile(r"\d[\d\s.,\u00a0\u202f]*\d|\d")
_MARKERS = re.compile(r"\s*\[(\d+)\]")
_PARTIAL_MARKER = re.compile(r"\[\d*\]?")
_WORD = re.compile(r"[^\W_]")
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+(?:\s*\[\d+\])*|$)")
# How a generated answer says it does not know, and the conjunctions that start a clause: language data.
_UNKNOWN = re.compile("|".join(every("SAYS_UNKNOWN")), re.IGNORECASE)


def lang_of(text: str) -> str:
    return detect(text, among=supported())


def analyse(text: str) -> list[str]:
    """Terms of a claim or passage in its own language."""
    return analyse_in(text, lang_of(text))


# Words that add no information to a restated question ("Kim inspected several aircraft").
_VAGUE = frozenset(
    t for code, vague in zip(supported(), every("VAGUE_WORDS"), strict=True) for t in analyse_in(" ".join(vague), code)
)
# A run of capitalised words: one name ("Kim Jong Un", "Sergueï Choïgou").
_NAME = re.compile(r"[A-ZÀ-Þ][^\W\d_]*(?:[\s-]+[A-ZÀ-Þ][^\W\d_]*)*")
_CONJUNCTIONS = "|".join(c for group in every("CLAUSE_CONJUNCTIONS") for c in group)
_CLAUSE = re.compile(rf"\s*[,;:\u2013\u2014]\s*|\s+(?=(?:{_CONJUNCTIONS})\b)", re.IGNORECASE)


@dataclass(frozen=True)
class VerifiedSentence:
    """One sentence of a generated answer and the passages (1-based, prompt numbering) that support it."""

    text: str
    supported_by: tuple[int, ...]
    dropped_markers: tuple[int, ...]


def name_terms(text: str, code: str) -> list[str]:
    """Index terms of the capitalised words (names) of a claim, in the document's language ``code``."""
    return [t for w in words(text) if w[:1].isupper() for t in analyse_in(w, code)]


def misses_name(claim: str, context: set[str] | frozenset[str], known: set[str], code: str) -> bool:
    """Whether the claim names someone or something the document knows (``known``) but its cited sentence and
    the one before it (``context``) do not mention: "Kozlov a reçu cinq drones" citing the gifts sentence."""
    return any(t in known and t not in context for t in name_terms(claim, code))


def split_answer(text: str) -> list[str]:
    """Sentences of a generated answer, each keeping its trailing markers."""
    return [s.strip() for s in _SENTENCE.findall(text.strip()) if s.strip() and _MARKERS.sub("", s).strip()]


def says_unknown(text: str) -> bool:
    """True when the model says the passages do not contain the answer."""
    return bool(_UNKNOWN.search(text))


def term_support(sentence: str, passage: str) -> float:
    """Share of the sentence's content terms found in the passage (after FR/EN normalisation)."""
    terms = set(analyse(_MARKERS.sub("", sentence)))
    if not terms:
        return 0.0
    return len(terms & set(analyse(passage))) / len(terms)


def _numbers(text: str) -> set[str]:
    found = {re.sub(r"\D", "", n) for n in _NUMBER.findall(text)}
    values = language(lang_of(text)).number_values
    found.update(str(values[w]) for w in re.findall(r"[^\W\d_]+", text.lower()) if w in values)
    return found


def numbers_agree(sentence: str, passage: str) -> bool:
    """Every digit-written number in the claim appears in the passage ("8,000" ~ "8 000", "5" ~ "cinq")."""
    claimed = {re.sub(r"\D", "", n) for n in _NUMBER.findall(sentence)}
    return claimed <= _numbers(passage)


def echoes_question(sentence: str, question: str) -> bool:
    """True when the sentence only restates the question: no term beyond the question's and vague words.

    Small models answer "What did they discuss about grain?" with "They discussed grain [1]"; such a
    sentence cites a passage without claiming anything it could support. A name the question already
    uses counts as asked in full: "Kim Jong Un" does not answer "Quel ministre a rencontré Kim ?".
    """
    asked = set(analyse(question))
    sentence = _MARKERS.sub("", sentence)
    if not analyse(sentence):
        return False
    for name in _NAME.findall(sentence):
        name_terms = set(analyse(name))
        if name_terms & asked:
            asked |= name_terms
            sentence = sentence.replace(name, " ")  # "Un" in "Kim Jong Un" is no number
    candidates = sorted(asked)
    # Inflections the French stemmer leaves apart ("discussed"/"discuss") meet by their shared start.
    terms = {closest_by_prefix(t, candidates) for t in analyse(sentence)}
    new_numbers = _numbers(sentence) - _numbers(question)
    return not (terms - asked - _VAGUE) and not new_numbers


def negated(text: str) -> bool:
    """Whether the text carries a negation in its language (the language modules' negation pattern)."""
    return language(lang_of(text)).negated(text)


def polarity_agrees(sentence: str, passage: str) -> bool:
    """Each clause of the claim and the clause of the passage it restates are both negated or both affirmative.

    "The Kremlin signed an agreement" does not follow from "aucun accord n'avait été signé". A claim clause
    is matched to the passage clause sharing most terms with it; when none shares any (a translated claim
    on a passage of several clauses) the passage decides only if it has a single clause.
    """
    clauses = [(c, set(analyse(c))) for c in _CLAUSE.split(passage) if c and c.strip()]
    for claim in (c for c in _CLAUSE.split(sentence) if c and c.strip()):
        claim_terms = set(analyse(claim))
        best_shared, clause = max(((len(claim_terms & terms), c) for c, terms in clauses), default=(0, passage))
        if best_shared == 0 and len(clauses) > 1:
            continue
        if negated(claim) != negated(clause):
            return False
    return True


def verify_sentences(
    sentences: Sequence[str],
    passages: Sequence[str],
    similarity: Callable[[str, str], float],
    question: str = "",
    names_missing: Callable[[str, int], bool] | None = None,
    min_similarity: float = 0.6,
) -> list[VerifiedSentence]:
    """Check each sentence's markers against its passages; attach the best passage to uncited claims.

    ``similarity(sentence, passage)`` is a multilingual embedding cosine (English answers cite French quotes).
    Sentences that merely restate ``question``, and questions, are kept uncited, so they are never shown.
    ``names_missing(sentence, n)`` tells whether the sentence names someone or something passage ``n``
    (with the sentence before it) does not mention.
    """

    def supported(sentence: str, number: int) -> bool:
        if not 1 <= number <= len(passages):
            return False
        passage = passages[number - 1]
        if not numbers_agree(sentence, passage) or not polarity_agrees(sentence, passage):
            return False
        if names_missing is not None and names_missing(sentence, number):
            return False
        if term_support(sentence, passage) >= MIN_TERM_SUPPORT:
            return True
        cross_lingual = lang_of(sentence) != lang_of(passage)
        return cross_lingual and similarity(sentence, passage) >= min_similarity

    out = []
    for sentence in sentences:
        claimed = [int(n) for n in _MARKERS.findall(sentence)]
        bare = _MARKERS.sub("", sentence).strip()
        if bare.endswith("?") or (question and echoes_question(bare, question)):
            out.append(VerifiedSentence(bare, (), tuple(claimed)))
            continue
        kept = tuple(dict.fromkeys(n for n in claimed if supported(bare, n)))
        dropped = tuple(n for n in claimed if n not in kept)
        if not kept:
            scores = [(similarity(bare, p) + term_support(bare, p), i) for i, p in enumerate(passages, start=1)]
            best = max(scores, default=(0.0, 0))[1]
            if best and supported(bare, best):
                kept = (best,)
        out.append(VerifiedSentence(bare, kept, dropped))
    return out


def render_sentence(sentence: VerifiedSentence, order: list[int]) -> str:
    """The sentence with its markers renumbered by first use (``order`` grows); "" when nothing supports it."""
    if not sentence.supported_by:
        return ""
    for number in sentence.supported_by:
        if number not in order:
            order.append(number)
    return sentence.text + "".join(f" [{order.index(n) + 1}]" for n in sentence.supported_by)


def renumber(verified: Sequence[VerifiedSentence]) -> tuple[str, list[int]]:
    """Text with supported sentences only, markers renumbered by first use; returns the passage order."""
    order: list[int] = []
    parts = [render_sentence(sentence, order) for sentence in verified]
    return " ".join(p for p in parts if p), order


def complete_sentences(streamed: str) -> tuple[list[str], str]:
    """Split text being streamed into finished sentences and the unfinished rest.

    A sentence is finished once the next one has begun, so markers after its period ("drones. [1]") stay with it.
    """
    # A span holding only (partial) markers, as in "drones. [1", has not begun a new sentence.
    starts = [m.start() for m in _SENTENCE.finditer(streamed) if _WORD.search(_PARTIAL_MARKER.sub("", m.group(0)))]
    if len(starts) < 2:
        return [], streamed
    return split_answer(streamed[: starts[-1]]), streamed[starts[-1] :]
