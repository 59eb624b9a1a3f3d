"""The question stage: validate the text, detect its language, and make follow-ups stand alone (pure)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from assistant.errors import InvalidQuestion
from store.lang import Language, detect, fold, language, strings, supported
from store.lexical import analyse, unasked, unopened, words

MAX_QUESTION_CHARS = 2000
MIN_WORDS_WITHOUT_NAMES = 2  # fewer words than this left once names are out: the language is told from all of it
_CAPITALISED = re.compile(r"\b([A-ZÀ-Þ][\w\u00c0-\u024f-]+)")


@dataclass(frozen=True)
class Question:
    """A validated question and what every answering path derives from it.

    ``query`` is what retrieval searches for: the question itself, or for a follow-up the question with what it
    leans on carried from the conversation ("How far is it from Moscow? (Putin, Kim)"; see ``referent``).
    ``owned``: the follow-up asks about something of what it carries ("How many donors did her charity have?"
    after "Who is Helen Marsh?"). Its answer may name the charity and not her, so the carried words are not words
    the answer must hold: they steer the embedded ``query`` (her job, her age are in her own sentence), while the
    lexical terms and the names the scoring looks for come from the question alone (``lexical_query``), and they
    choose among the articles (``retrieve.owner_scope``).
    """

    text: str
    language: str
    history: tuple[tuple[str, str], ...] = ()
    query: str = ""
    carried: tuple[str, ...] = ()
    notices: tuple[str, ...] = field(default_factory=tuple)
    owned: bool = False

    @property
    def lang(self) -> Language:
        return language(self.language)

    @property
    def lexical_query(self) -> str:
        """The text whose words BM25 searches and the scoring looks for (see ``owned``)."""
        return self.text if self.owned else self.query or self.text


def clean_question(question: object) -> tuple[str, bool]:
    """Validate a question; returns the text to use and whether it was truncated.

    Raises:
        InvalidQuestion: empty, not valid text (lone surrogates from invalid UTF-8), or control characters.
    """
    if question is None or not isinstance(question, str):
        if isinstance(question, bytes):
            try:
                question = question.decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidQuestion("the question is not valid UTF-8 text; retype it", code="encoding") from None
        else:
            raise InvalidQuestion("the question must be text; type a question about the article", code="empty")
    if not question.strip():
        raise InvalidQuestion("the question is empty; type a question about the article", code="empty")
    if any(0xD800 <= ord(c) <= 0xDFFF for c in question):
        raise InvalidQuestion("the question holds bytes that are not valid UTF-8; retype it", code="encoding")
    text = question.replace("\t", " ").replace("\r\n", "\n").replace("\r", "\n")
    if any(unicodedata.category(c) == "Cc" and c != "\n" for c in text):
        raise InvalidQuestion("the question contains control characters; remove them and ask again", code="control")
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    truncated = len(text) > MAX_QUESTION_CHARS
    return (text[:MAX_QUESTION_CHARS].rstrip() if truncated else text), truncated


def normalise_history(history: Sequence | None) -> tuple[tuple[str, str], ...]:
    """Earlier turns as ``(question, answer)`` pairs, from pairs or from ``{"role", "content"}`` messages."""
    pairs: list[tuple[str, str]] = []
    pending: str | None = None
    for item in history or ():
        if isinstance(item, dict):
            content = item.get("content")
            if isinstance(content, list):  # content parts
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
    return tuple(pairs)


def entities(text: str, lang: Language) -> list[str]:
    """Capitalised content words (names): not stop words, question words or pronouns ("De", "What"), nor an
    opening word that the language capitalises only because it comes first ("Contre qui…", "Name the…")."""
    found: list[str] = []
    for word in _CAPITALISED.findall(unopened(text, lang)):
        lower = word.lower()
        if lower in lang.follow_up_words or not analyse(word, lang.code) or not analyse(lower, lang.code):
            continue
        if word not in found:
            found.append(word)
    return found


def is_follow_up(question: str, lang: Language) -> bool:
    """True when the question needs the conversation to be understood (pronouns, ellipsis)."""
    lower = question.lower().replace("\u2019", "'")
    named = bool(entities(question, lang))
    # "Qu'a-t-il dit ?" leans on the conversation; "Kim a-t-il reçu... ?" names its subject, and its "il"
    # only repeats it.
    inverted = lang.inverted_pronoun.search(lower) if lang.inverted_pronoun is not None else None
    if inverted and not named:
        return True
    plain = lang.inverted_pronoun.sub(" ", lower) if lang.inverted_pronoun is not None else lower
    if any(w in lang.follow_up_words for w in words(plain)):
        return True
    content = analyse(unasked(question, lang), lang.code)
    # "Et à Nice ?" continues the talk with a name alone; "And how did the thieves get in?" is a question of its
    # own whatever its first word, and carrying the last question's words into it only blurs it.
    if lower.startswith(lang.follow_up_openings) and len(content) <= 1:
        return True
    # "De quoi parle l'article ?", "Who wrote the article?" name what they are about, the article, though they
    # have one content word or none.
    if lang.asks_for_gist(question) or lang.asks_for_byline(question):
        return False
    # Ellipsis ("Et pourquoi ?"): one content word or none, and no name to stand on.
    return len(content) <= 1 and not named


def is_possessive(question: str, lang: Language) -> bool:
    """Whether the question asks about something of someone it does not name: a possessive determiner before a
    content word ("How many donors did her charity have?", "Et son salaire ?"; not "What did he tell her?")."""
    tokens = [w.lower() for w in words(question)]
    return any(w in lang.possessives and fold(after) not in lang.stop_words for w, after in pairwise(tokens))


def without_names(question: str) -> str:
    """The question's words without its names (capitalised words after the first that are not function words
    of a supported language), to tell its language by.

    Names come from the article, often in another language than the question: "What did Thomas Rivière say?"
    is English, but its accented name made it read as French. A question that is little more than names
    ("Kozlov ?") keeps them all.
    """
    tokens = words(question)
    function_words = _function_words()
    kept = [w for i, w in enumerate(tokens) if i == 0 or not w[:1].isupper() or fold(w) in function_words]
    return " ".join(kept) if len(kept) >= MIN_WORDS_WITHOUT_NAMES else question


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    return frozenset().union(*(language(code).stop_words for code in supported()))


def standalone(question: str, history: Sequence[tuple[str, str]], lang: Language) -> tuple[str, ...]:
    """What a follow-up leans on (see ``referent``), less the words it already has."""
    if not history or not is_follow_up(question, lang):
        return ()
    return tuple(w for w in referent(history, renamed=renames(question, lang)) if w.lower() not in question.lower())


def renames(question: str, lang: Language) -> bool:
    """Whether a follow-up says nothing but a name of its own ("Et en Isère ?" after "Combien de loups y a-t-il en
    France ?", "What about Nice?"): the name takes the place of the one asked about, and what was asked carries
    over. A pronoun beside the name ("What did he tell Putin?") still points back at the conversation's subject."""
    names = entities(question, lang)
    if not names or any(w in lang.follow_up_words for w in words(question.lower())):
        return False
    return not asked_words(question, lang, names)


def asked_words(question: str, lang: Language, names: Sequence[str]) -> list[str]:
    """The question's content words less its ``names`` and the words that only ask: what it asks about them."""
    named = set(analyse(" ".join(names), lang.code))
    return list(dict.fromkeys(
        w for w in words(unasked(question, lang)) if (terms := set(analyse(w, lang.code))) and not terms <= named
    ))


def referent(history: Sequence[tuple[str, str]], *, renamed: bool = False) -> list[str]:
    """What the conversation is about after ``history``, turn by turn: a question's names; else, for a follow-up,
    what it leaned on ("Where is it used?" after "How much does it cost?" after "Who makes the vaccine?" is still
    about the vaccine); else its content words, those its answer repeats when there are some ("How many children
    took part?" answered "…followed 12,400 children…" is about the children, not "part": words the next answer
    need not hold, and whose absence would make it look unsure); a question with none of these leaves it.

    With ``renamed`` (the follow-up names a subject of its own, see ``renames``), what was asked instead: the
    content words, less names, of the latest question that has some, read the same way.
    """
    about: list[str] = []
    asked: tuple[list[str], str, str] | None = None  # content words, answer, language of the latest such question
    for question, reply in history:
        lang = language(detect(without_names(question), among=supported()))
        names = entities(question, lang)
        content = asked_words(question, lang, names)
        if content:
            asked = (content, reply, lang.code)
        leaned = [w for w in about if w.lower() not in question.lower()] if not names and is_follow_up(
            question, lang) else []
        if names or leaned:
            about = names or leaned
        elif content:
            about = _repeated(*asked)
    if renamed:
        return _repeated(*asked) if asked else []
    return about


def _repeated(content: list[str], reply: str, code: str) -> list[str]:
    """The words of ``content`` that ``reply`` repeats, or all of them when it repeats none. The answer, often
    several quotes long, is read only when its words are needed."""
    answered = set(analyse(reply, code))
    return [w for w in content if set(analyse(w, code)) <= answered] or content


def prepare(question: object, history: Sequence | None = None, *, languages: Iterable[str] = ()) -> Question:
    """The validated ``Question``: its language (among French, English and ``languages``) and its query.

    Raises:
        InvalidQuestion: see ``clean_question``.
    """
    text, truncated = clean_question(question)
    code = detect(without_names(text), among=(*supported(), *languages))
    turns = normalise_history(history)
    carried = standalone(text, turns, language(code))
    query = f"{text} ({', '.join(carried)})" if carried else text
    notices = (strings(code)["truncated"].format(limit=MAX_QUESTION_CHARS),) if truncated else ()
    # "her charity": the carried names steer the embedded query only (see Question.owned).
    owned = bool(carried) and is_possessive(text, language(code))
    return Question(text, code, turns, query, carried, notices, owned)
