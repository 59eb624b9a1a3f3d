"""Features of each candidate sentence for the calibrated answerability score (pure functions).

Each feature is a principled signal that transfers across articles: how close the sentence is to the
question (cosine, BM25 and their lead over the other candidates), how much of the question's distinctive
vocabulary it and its document hold (IDF-weighted coverage), whether it holds the kind of answer asked for
(a number for "how many", a date for "when", a name for "who"), and whether it says anything beyond the
question. Questions in another language than the document can only be matched by meaning and names, so
they are scored on the features that do not depend on shared words (``CROSS_LINGUAL``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from assistant.retrieve import Candidate, Retrieval
from store.lang import Language, dateline, fold, language
from store.lexical import analyse, words

FEATURES = (
    "dense",
    "dense_gap",
    "dense_rank",
    "lexical",
    "lexical_gap",
    "coverage",
    "coverage_context",
    "document_coverage",
    "name_coverage",
    "type_present",
    "type_absent",
    "count_absent",
    "novelty",
    "length",
)
# Features that do not need the question and the sentence to share a language. Names are left out: they are
# spelled differently across languages (Russia / Russie) and their keys do not meet.
CROSS_LINGUAL = ("dense", "dense_gap", "dense_rank", "type_present", "type_absent", "novelty", "length")
_YEAR = re.compile(r"^(1[0-9]{3}|20[0-9]{2})$")
# Numbers, words, and the symbols that stand for units. A number is cut from letters glued to it, which are its
# unit or magnitude in news writing ("£14m", "$10bn", "3.2km", "200C"): the symbol before it and the unit after it.
_TOKEN = re.compile(r"\d+|[^\W\d_]+|[%€$£¥]")
NUMBER_REACH = 3  # words between a number and its unit ("8 000 kilomètres", "cinq ans et demi")
_PHRASE_END = re.compile(r"[,;:.!?()\[\]«»\"“”]\s|[;:!?()\[\]«»“”]")  # "30,000" and "3.5" are one number


def coverage(terms: Sequence[str], present: frozenset[str] | set[str], idf: dict[str, float]) -> float:
    """IDF-weighted share of the distinct ``terms`` found in ``present``."""
    unique = set(terms)
    total = sum(idf.get(t, 0.0) for t in unique)
    if total <= 0:
        return 0.0
    return sum(idf.get(t, 0.0) for t in unique if t in present) / total


def holds_type(kind: str, sentence: str, lang: Language, asked: set[str]) -> bool:
    """Whether the sentence holds an answer of ``kind`` that the question does not already contain.

    A kind of quantity (age, duration, distance, money, population, percentage) needs a number with one of its
    units within a few words ("six jours", "8 000 kilomètres", "$5 million"); the units are language data. An age
    may also be a bare number beside a name, where a language writes it so ("Daniel Price, 52, of Clifton"). A
    date is a date word or a year, or a time of day ("vers 3 heures", "at 10:30"): all language data. A starting
    point ("depuis quand", "since when") is a date or a duration.
    """
    if kind == "since":
        return holds_type("date", sentence, lang, asked) or holds_type("duration", sentence, lang, asked)
    if kind == "age" and lang.age_beside_name is not None and any(
        fold(m.group(1)) not in asked for m in lang.age_beside_name.finditer(sentence)
    ):
        return True
    if kind in lang.units:
        folded = [fold(t) for t in _TOKEN.findall(sentence)]
        units = lang.units[kind]
        return any(
            lang.like_num(word) and word not in asked
            and any(u in units for u in folded[max(0, i - 1) : i] + folded[i + 1 : i + 1 + NUMBER_REACH])
            # An amount of money is no other quantity: "£42 million" is no population, "£5,000 a year" no duration.
            and (kind == "money" or not _money(folded, i, lang))
            for i, word in enumerate(folded)
        )
    if kind == "number":
        return any(lang.like_num(t) and t not in asked for t in map(fold, _TOKEN.findall(sentence)))
    if kind == "person":
        # A dateline names a place and an agency, no person: "(AFP)" answered "Qui est le maire de Grenoble ?".
        sentence = sentence[len(dateline(sentence)):]
    # Positions are kept from the whole sentence: its first word is capitalised whatever it is.
    tokens = [(i, w) for i, w in enumerate(words(sentence)) if fold(w) not in asked]
    folded = [fold(w) for _, w in tokens]
    if kind == "date":
        clocks = lang.clock.finditer(sentence) if lang.clock else ()
        return any(w in lang.date_words or _YEAR.match(w) for w in folded) or any(
            not set(map(fold, _TOKEN.findall(m.group(0)))) <= asked for m in clocks)
    if kind in ("person", "place"):
        # A capitalised word that is not the sentence's first word and not in the question: a name. Not a month
        # or a weekday, which English capitalises ("on Wednesday", "14 March").
        return any(w[:1].isupper() and i > 0 and fold(w) not in lang.stop_words and fold(w) not in lang.date_words
                   for i, w in tokens)
    return False


def _money(folded: Sequence[str], i: int, lang: Language) -> bool:
    """Whether the number at ``folded[i]`` is an amount of money: a currency just before it ("£42"), or after it
    past only numbers and small words ("42 millions d'euros", "5,000 dollars")."""
    money = lang.units.get("money", frozenset())
    start = i
    while start > 0 and folded[start - 1].isdigit():  # "£5,000" is read as "£", "5", "000"
        start -= 1
    if start > 0 and folded[start - 1] in money:
        return True
    for word in folded[i + 1 : i + 1 + NUMBER_REACH]:
        if word in money:
            return True
        if not (lang.like_num(word) or word in lang.stop_words):
            return False
    return False


def counts(noun_term: str, sentence: str, lang: Language) -> bool:
    """Whether a number in the sentence counts the noun ("cinq drones explosifs" counts drones): the noun
    follows it within a few words of the same phrase ("£30,000, and several hotels" counts no hotel). A count of
    none counts too ("aucune victime", "no deaths")."""
    found = list(_TOKEN.finditer(sentence))
    terms = [analyse(m.group(), lang.code) for m in found]
    return any(
        (lang.like_num(fold(number.group())) or fold(number.group()) in lang.none_words)
        and any(noun_term in terms[j] and not _PHRASE_END.search(sentence, number.end(), found[j].start())
                for j in range(i + 1, min(len(found), i + 1 + NUMBER_REACH)))
        for i, number in enumerate(found)
    )


def candidate_features(retrieval: Retrieval) -> list[dict[str, float]]:
    """One feature dict per candidate of ``retrieval``, in the same order."""
    question = retrieval.question
    candidates = retrieval.candidates
    if not candidates:
        return []
    idf = retrieval.idf
    best_dense = max(c.dense for c in candidates)
    lexical = [math.log1p(max(c.bm25, 0.0)) for c in candidates]
    best_lexical = max(lexical)
    dense_order = sorted(range(len(candidates)), key=lambda i: -candidates[i].dense)
    dense_rank = {i: rank for rank, i in enumerate(dense_order)}
    document_coverage = coverage(retrieval.terms, retrieval.in_documents, idf)
    kind = question.lang.question_type(question.text)
    asked = {fold(w) for w in [*words(question.text), *_TOKEN.findall(question.text)]}
    question_terms = set(analyse(question.text, question.language))
    noun = question.lang.counted_noun(question.text)
    noun_terms = analyse(noun, question.language) if noun else []
    rows = []
    for i, candidate in enumerate(candidates):
        terms = set(candidate.row.terms)
        context = terms | set(candidate.previous.terms if candidate.previous else ())
        doc_lang = language(candidate.document.language)
        present = kind is not None and holds_type(kind, candidate.row.text, doc_lang, asked)
        sentence_terms = analyse(candidate.row.text, question.language) if question.language != doc_lang.code else (
            candidate.row.terms)
        novel = [t for t in sentence_terms if t not in question_terms]
        rows.append({
            "dense": candidate.dense,
            "dense_gap": best_dense - candidate.dense,
            "dense_rank": 1.0 / (1 + dense_rank[i]),
            "lexical": lexical[i],
            "lexical_gap": best_lexical - lexical[i],
            "coverage": coverage(retrieval.terms, terms, idf),
            "coverage_context": coverage(retrieval.terms, context, idf),
            "document_coverage": document_coverage,
            "name_coverage": coverage(retrieval.names, context, idf) if retrieval.names else 1.0,
            "type_present": float(kind is not None and present),
            "type_absent": float(kind is not None and not present),
            # Only in the question's language: across languages the counted noun is spelled differently.
            "count_absent": float(bool(noun_terms) and doc_lang.code == question.language
                                  and not counts(noun_terms[0], candidate.row.text, doc_lang)),
            "novelty": len(novel) / max(1, len(sentence_terms)),
            "length": math.log1p(len(candidate.row.terms)),
        })
    return rows


def same_language(retrieval: Retrieval, candidate: Candidate) -> bool:
    """Whether the question and the candidate's document share a language (all features apply)."""
    return retrieval.question.language == candidate.document.language


# Features of a question's best candidate and of the question itself, for the answerability score.
QUESTION_FEATURES = (
    "best_probability",
    "probability_gap",
    "best_dense",
    "dense_spread",
    "best_coverage",
    "best_coverage_context",
    "document_coverage",
    "missing_rare",
    "missing_document",
    "name_coverage",
    "type_absent",
    "count_absent",
    "negation_mismatch",
    "opposite",
    "novelty",
    "terms",
)
QUESTION_CROSS_LINGUAL = ("best_probability", "probability_gap", "best_dense", "dense_spread", "type_absent",
                          "novelty", "terms")


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def question_features(retrieval: Retrieval, ranked: Sequence) -> dict[str, float]:
    """Features of the best of ``ranked`` (``Scored`` items, most likely first) and of the question.

    ``missing_rare`` is the rarest question term the best sentence (with the one before it) lacks, relative to
    the question's rarest term: a question about something the sentence does not mention ("the 1905 edition")
    is often not answered by it. ``missing_document`` is the same over the whole document. ``opposite``: the
    question asks about a word whose opposite the best sentence holds instead ("the least used" against "the most
    commonly used"), how many of SQuAD 2.0's unanswerable questions were written. Neither it nor
    ``negation_mismatch`` counts for a yes/no question.
    """
    question = retrieval.question
    best = ranked[0]
    features = best.features
    idf = retrieval.idf
    candidate = best.candidate
    context = set(candidate.row.terms) | set(candidate.previous.terms if candidate.previous else ())
    weights = [idf.get(t, 0.0) for t in retrieval.terms]
    top = max(weights, default=0.0) or 1.0
    missing = max((idf.get(t, 0.0) for t in retrieval.terms if t not in context), default=0.0)
    absent = max((idf.get(t, 0.0) for t in retrieval.terms if t not in retrieval.in_documents), default=0.0)
    dense = sorted((s.candidate.dense for s in ranked), reverse=True)[:5]
    doc_lang = language(candidate.document.language)
    polar = question.lang.asks_yes_or_no(question.text)
    return {
        "best_probability": _logit(best.probability),
        "probability_gap": _logit(best.probability) - _logit(ranked[1].probability) if len(ranked) > 1 else 5.0,
        "best_dense": candidate.dense,
        "dense_spread": candidate.dense - sum(dense) / len(dense),
        "best_coverage": features["coverage"],
        "best_coverage_context": features["coverage_context"],
        "document_coverage": features["document_coverage"],
        "missing_rare": missing / top,
        "missing_document": absent / top,
        "name_coverage": features["name_coverage"],
        "type_absent": features["type_absent"],
        "count_absent": features["count_absent"],
        # A yes/no question is answered by the sentence saying the opposite ("Did prices rise?": they fell; "Did
        # Westline give a date?": it gave none).
        "negation_mismatch": float(not polar and question.lang.negated(question.text)
                                   != doc_lang.negated(candidate.row.text)),
        "opposite": float(same_language(retrieval, candidate) and not polar
                          and question.lang.opposed(question.text, candidate.row.text)),
        "novelty": features["novelty"],
        "terms": math.log1p(len(retrieval.terms)),
    }
