"""Pure answer-building steps: question checks, follow-up rewriting, abstention, selection, rendering."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from assistant.config import RetrievalSettings
from assistant.errors import InvalidQuestion
from assistant.retrieve import Hit, LexicalIndex
from assistant.types import Citation
from store.lexical import analyse, guess_language, tokenize

MAX_QUESTION_CHARS = 2000
ABSTAIN_TEXT = {"fr": "L'article ne le précise pas.", "en": "The article does not say."}
FRAMING = {"fr": "", "en": "According to the article: "}
TRUNCATED_NOTICE = {
    "fr": f"La question dépassait {MAX_QUESTION_CHARS} caractères ; seul le début a été pris en compte.",
    "en": f"The question was longer than {MAX_QUESTION_CHARS} characters; only its beginning was used.",
}

# Words that make a question lean on the conversation ("Qu'a-t-il dit ?", "How far is it?").
_ANAPHORA = frozenset(
    """
    il elle ils elles lui leur leurs eux celui celle ceux celles ci là-bas y son sa ses
    ce dernier cette dernière
    he she it they him her them his its their theirs there that those this these
    """.split()
)
_QUESTION_WORDS = frozenset(
    "qui que quoi quel quelle quels quelles où quand comment combien pourquoi est-ce "
    "who what which where when how why whom whose does did do is are was were".split()
)
# Requests to drop the task rather than questions about the article; answered by abstaining.
_INJECTION = re.compile(
    r"\b(ignore[rsz]?|oublie[rsz]?|forget|disregard|pretend|fais semblant|developer mode|mode développeur|"
    r"system prompt|prompt système|jailbreak)\b|^\s*(system|assistant)\s*:|\b(dis|écris|write|say|tell)"
    r"(-moi| me)? (que|that) ",
    re.IGNORECASE,
)
_INVERTED_PRONOUN = re.compile(r"-t-(?:il|elle|ils|elles)\b|\b(?:est|a|ont|sont)-(?:il|elle|ils|elles)\b", re.I)
# Answer-type checks (classic QA answer typing): a question that asks for a quantity, an age, a
# distance, a population or a name is only answered by a sentence holding that kind of answer.
_ASKS_QUANTITY = re.compile(
    r"\b(combien|quel(?:le)? âge|quelle distance|population|co[uû]t|prix|how (?:many|much|old|long|far)|"
    r"what (?:age|distance|population)|cost)\b",
    re.IGNORECASE,
)
_NUMBER_WORD = re.compile(
    r"\d+|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze|vingt|trente|quarante|cinquante|"
    r"soixante|cent|mille|millions?|milliards?|dizaines?|centaines?|milliers?",
    re.IGNORECASE,
)
# Closed classes of units: the word that must follow the number for each kind of quantity.
_UNIT_QUESTIONS = (
    (re.compile(r"\b(quel(?:le)? âge|âgée?s?|how old|what age)\b", re.I), re.compile(r"ans?|years?", re.I)),
    (
        re.compile(r"\b(population|habitants|inhabitants)\b", re.I),
        re.compile(r"habitants|inhabitants|people|personnes|résidents|residents|millions?|milliers", re.I),
    ),
    (
        re.compile(r"\b(distance|how far|loin)\b", re.I),
        re.compile(r"km|kilom[eè]tres?|kilometers?|miles?|m[eè]tres?|meters?", re.I),
    ),
)
_COUNTED = re.compile(r"\b(?:combien d(?:e |')|how many )([^\W\d_]+)", re.IGNORECASE)
_NAME_OF = re.compile(
    r"\b(?:nom d(?:u |e la |e l'|es |e )|name of (?:the )?(?:[^\W\d_]+'s )?|qui (?:est|était) (?:le |la |l')|"
    r"who (?:is|was) the )([^\W\d_]+)",
    re.IGNORECASE,
)
NUMBER_REACH = 3  # words between a number and its unit or counted noun ("cinq drones", "8 000 kilomètres")
REDUNDANT_OVERLAP = 0.4  # a runner-up sharing this much of a chosen sentence's words repeats it
# "Quels/quelles …", "which ministers", "what gifts": the question expects several things, so runner-ups
# a little further from the best sentence may hold the others.
_ASKS_SEVERAL = re.compile(
    r"\b(?:quels|quelles|lesquels|lesquelles)\b|"
    r"\b(?:which|what)\s+(?:[a-z]+\s+)?(?!(?:is|was|has|does|this|his|its)\b)[a-z]+s\b",
    re.IGNORECASE,
)
NAME_REACH = 6  # words between a title and the name it introduces ("le ministre russe ... Alexander Kozlov")
_CAPITALISED = re.compile(r"\b([A-ZÀ-Þ][\w\u00c0-\u024f-]+)")


def clean_question(question: str) -> tuple[str, bool]:
    """Validate a question; returns the text to use and whether it was truncated.

    Raises:
        InvalidQuestion: empty, whitespace only, or containing control characters.
    """
    if question is None or not str(question).strip():
        raise InvalidQuestion("the question is empty; type a question about the article")
    text = str(question).replace("\t", " ").replace("\r\n", "\n").replace("\r", "\n")
    if any(unicodedata.category(c) == "Cc" and c != "\n" for c in text):
        raise InvalidQuestion("the question contains control characters; remove them and ask again")
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    truncated = len(text) > MAX_QUESTION_CHARS
    return (text[:MAX_QUESTION_CHARS].rstrip() if truncated else text), truncated


def normalise_history(history: Sequence | None) -> list[tuple[str, str]]:
    """Accept ``[(user, assistant), ...]`` pairs or Gradio messages (``{"role", "content"}`` dicts)."""
    pairs: list[tuple[str, str]] = []
    pending: str | None = None
    for item in history or ():
        if isinstance(item, dict):
            content = item.get("content")
            if isinstance(content, list):  # Gradio 6 content parts
                content = " ".join(str(p.get("text", "")) if isinstance(p, dict) else str(p) for p in content)
            content = str(content or "")
            if item.get("role") == "user":
                if pending is not None:
                    pairs.append((pending, ""))
                pending = content
            elif item.get("role") == "assistant" and pending is not None:
                pairs.append((pending, content))
                pending = None
        else:
            user, bot = [*list(item), "", ""][:2]
            pairs.append((str(user or ""), str(bot or "")))
    if pending is not None:
        pairs.append((pending, ""))
    return pairs


def looks_like_injection(question: str) -> bool:
    """True for attempts to override the assistant's task ("ignore your instructions...")."""
    return bool(_INJECTION.search(question))


def is_follow_up(question: str) -> bool:
    """True when the question needs the conversation to be understood (pronouns, ellipsis)."""
    words = [w for w in re.findall(r"[\w'-]+", question.lower().replace("\u2019", "'"))]
    if any(w in _ANAPHORA or w.split("'")[-1] in _ANAPHORA for w in words):
        return True
    # "Qu'a-t-il dit ?" leans on the conversation; "Kim a-t-il reçu... ?" names its subject.
    if _INVERTED_PRONOUN.search(question) and not entities(question):
        return True
    if question.lower().startswith(("et ", "and ", "what about", "et pour", "et la", "et le")):
        return True
    return len(analyse(question)) <= 1


def entities(text: str) -> list[str]:
    """Capitalised content words: not question words, pronouns or capitalised function words ("De")."""
    found = []
    for word in _CAPITALISED.findall(text):
        if word.lower() in _QUESTION_WORDS or word.lower() in _ANAPHORA or not analyse(word):
            continue
        if word not in found:
            found.append(word)
    return found


def standalone_query(question: str, history: Sequence[tuple[str, str]]) -> str:
    """Rewrite a follow-up into a self-contained retrieval query by carrying the last turn's subject."""
    if not history or not is_follow_up(question):
        return question
    for previous_question, _ in reversed(history):
        carried = entities(previous_question)
        if not carried:
            carried = [w for w in tokenize(previous_question) if analyse(w)]
        if carried:
            carried = [w for w in carried if w.lower() not in question.lower()]
            return " ".join([*carried, question]) if carried else question
    return question


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.replace("\u2019", "'"))


def _term_of(word: str, index: LexicalIndex | None) -> str | None:
    terms = analyse(word)
    if not terms:
        return None
    return index.expand(terms)[0] if index is not None else terms[0]


def _number_followed_by(words: Sequence[str], accepts) -> bool:
    """Whether a number is followed, within ``NUMBER_REACH`` words, by a word at which ``accepts(i)`` is true."""
    for i, word in enumerate(words):
        following = range(i + 1, min(len(words), i + 1 + NUMBER_REACH))
        if _NUMBER_WORD.fullmatch(word) and any(accepts(j) for j in following):
            return True
    return False


def lacks_answer_type(question: str, passage: str, index: LexicalIndex | None = None) -> bool:
    """True when the question asks for a kind of answer (quantity, age, name...) the passage cannot give.

    A counted noun or a title the article never uses means the article cannot give the answer when
    question and passage share a language ("combien de chars" on an article without tanks); across
    languages ("how many days" on a French article) it falls back to the weaker check on numbers.
    """
    words = _words(passage)
    terms = [_term_of(w, index) for w in words]
    same_language = guess_language(question) == guess_language(passage)
    return _lacks_quantity(question, words, terms, index, same_language) or _lacks_name(
        question, words, terms, index, same_language
    )


def _checkable(word: str, index: LexicalIndex | None, same_language: bool) -> str | None:
    found = _term_of(word, index) if index is not None else None
    return found if found and (same_language or index.knows(found)) else None


def _lacks_quantity(
    question: str, words: list[str], terms: list[str | None], index: LexicalIndex | None, same_language: bool
) -> bool:
    if not _ASKS_QUANTITY.search(question):
        return False
    if not any(_NUMBER_WORD.fullmatch(w) for w in words):
        return True
    for asks, unit in _UNIT_QUESTIONS:
        if asks.search(question) and not _number_followed_by(words, lambda j, unit=unit: unit.fullmatch(words[j])):
            return True
    counted = _COUNTED.search(question)
    noun = _checkable(counted.group(1), index, same_language) if counted else None
    return noun is not None and not _number_followed_by(words, lambda j: terms[j] == noun)


def _lacks_name(
    question: str, words: list[str], terms: list[str | None], index: LexicalIndex | None, same_language: bool
) -> bool:
    named = _NAME_OF.search(question.replace("\u2019", "'"))
    title = _checkable(named.group(1), index, same_language) if named else None
    if title is None:
        return False
    asked = {_term_of(w, index) for w in _words(question)}
    positions = [i for i, t in enumerate(terms) if t == title]
    if not positions:
        return not index.knows(title)  # a title the article never uses; a known one may be named elsewhere
    for i in positions:
        nearby = range(max(0, i - NAME_REACH), min(len(words), i + 1 + NAME_REACH))
        if any(words[j][:1].isupper() and terms[j] not in asked for j in nearby):
            return False
    return True


def misses_named_entity(question: str, hit: Hit, index: LexicalIndex | None = None) -> bool:
    """True when the question names someone or something the article knows but the passage (or the
    sentence before it) does not mention: "the China trade deal" answered by a sentence about Russia."""
    if not hit.context or index is None:
        return False
    for name in entities(question):
        name_term = _term_of(name, index)
        if name_term and index.knows(name_term) and name_term not in hit.context:
            return True
    return False


def is_grounded(
    hits: Sequence[Hit],
    settings: RetrievalSettings,
    *,
    language: str,
    question: str,
    index: LexicalIndex | None = None,
) -> bool:
    """Whether the best evidence is good enough to answer (thresholds in ``RetrievalSettings``).

    ``index`` (the lexical index) enables the checks that need the article's vocabulary.
    """
    if not hits or looks_like_injection(question):
        return False
    best = hits[0]
    if lacks_answer_type(question, best.sentence.text, index) or misses_named_entity(question, best, index):
        return False
    if settings.mode == "lexical":
        return best.coverage >= settings.min_coverage
    if best.dense >= (settings.min_dense_en if language == "en" else settings.min_dense_fr):
        return True
    # A sentence far ahead of every other one holds the question's distinctive words even when an
    # English question covers few of them ("Which song was played when the train left?").
    lead = best.score - hits[1].score if len(hits) > 1 else 0.0
    return best.dense >= settings.min_dense_with_terms and (
        best.coverage >= settings.min_coverage or lead >= settings.min_lead
    )


def asks_several(question: str) -> bool:
    """Whether the question expects several things ("Quels cadeaux…", "Which ministers…")."""
    return bool(_ASKS_SEVERAL.search(question))


def select_evidence(hits: Sequence[Hit], settings: RetrievalSettings, question: str = "") -> list[Hit]:
    """The smallest set of sentences that answers: the best one, plus close runners-up that add words.

    Runner-ups must score within ``second_sentence_margin`` of the best, or ``several_margin`` when
    ``question`` asks for several things. Returned in document order, without duplicates, at most ``settings.k``.
    """
    if not hits:
        return []
    margin = settings.several_margin if asks_several(question) else settings.second_sentence_margin
    best = hits[0]
    chosen = [best]
    covered = set(best.sentence.terms)
    seen_texts = {best.sentence.text}
    for hit in hits[1:]:
        if len(chosen) >= settings.k or hit.score < best.score - margin:
            break
        if hit.sentence.text in seen_texts:
            continue
        new_terms = set(hit.sentence.terms) - covered
        if hit.coverage > 0 and not new_terms:
            continue
        if any(overlap(hit.sentence.terms, c.sentence.terms) >= REDUNDANT_OVERLAP for c in chosen):
            continue
        chosen.append(hit)
        covered |= new_terms
        seen_texts.add(hit.sentence.text)
    return sorted(chosen, key=lambda h: (h.sentence.source, h.sentence.start))


def passages_for_model(hits: Sequence[Hit], *, margin: float, limit: int) -> list[Hit]:
    """The passages a language model answers from: at most ``limit`` hits within ``margin`` of the best, best first."""
    return [h for h in hits[:limit] if h.score >= hits[0].score - margin]


def overlap(a: Sequence[str], b: Sequence[str]) -> float:
    """Jaccard overlap of two sentences' terms (1.0: the same words)."""
    first, second = set(a), set(b)
    union = first | second
    return len(first & second) / len(union) if union else 1.0


def to_citation(index: int, hit: Hit) -> Citation:
    s = hit.sentence
    return Citation(
        index=index, text=s.text, source=s.source, start=s.start, end=s.end, score=round(hit.score, 4),
        title=s.title, section=s.section,
    )


def render_extractive(evidence: Sequence[Hit], language: str) -> tuple[str, tuple[Citation, ...]]:
    """Answer text (verbatim sentences, each followed by its marker) and the matching citations."""
    citations = tuple(to_citation(i, hit) for i, hit in enumerate(evidence, start=1))
    body = " ".join(f"{c.text} [{c.index}]" for c in citations)
    return FRAMING.get(language, "") + body, citations


def abstention_text(language: str) -> str:
    return ABSTAIN_TEXT.get(language, ABSTAIN_TEXT["en"])
