"""Language data, one module per language, and the few functions that read it.

Each language module (``fr``, ``en``) holds word lists and patterns only: stop words, number words,
date words, question types, pronouns, abbreviations and the answer strings. Documents in other languages
get a generic analysis (a Snowball stemmer when one exists, no stop words: IDF discounts frequent words)
and the English strings.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import ModuleType

from store.lang import en, fr

DEFAULT = "en"
IDENTITY = "identity"  # the question-type entry of "who is <a name>?" questions
_MODULES: dict[str, ModuleType] = {"fr": fr, "en": en}
# Snowball algorithms by ISO 639-1 code, for documents in languages without a module of their own.
_SNOWBALL = {
    "ar": "arabic", "ca": "catalan", "da": "danish", "de": "german", "el": "greek", "es": "spanish",
    "eu": "basque", "fi": "finnish", "ga": "irish", "hi": "hindi", "hu": "hungarian", "hy": "armenian",
    "id": "indonesian", "it": "italian", "lt": "lithuanian", "ne": "nepali", "nl": "dutch", "no": "norwegian",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "sv": "swedish", "ta": "tamil",
    "tr": "turkish", "yi": "yiddish",
}


# The words of a folded text, as word lists compare them (``Language.opposed``).
_LETTERS = re.compile(r"[^\W\d_]+")


def fold(text: str) -> str:
    """Lowercase and strip diacritics (``Réçu`` -> ``recu``): how word lists are written and compared."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# A news dateline, in any language: where (and when) the story was filed and by which agency, before a dash
# ("GRENOBLE, 24 juin 2025 (AFP) - ", "Moscou (AFP) - ", "QUIMPERLÉ (Finistère) — "). No sentence of the 194 public
# (Wikipedia) articles opens on one, so the calibration never saw one.
_DATELINE = re.compile(r"^(?:[^()\n—–]|\([^()\n]{1,30}\)){1,80}?\([A-Z][\w .&/-]{0,20}\)\s*[-—–]\s+")


def dateline(sentence: str) -> str:
    """The dateline that opens ``sentence``, or "" (see ``_DATELINE``)."""
    match = _DATELINE.match(sentence)
    return match.group(0) if match else ""


@dataclass(frozen=True)
class Language:
    """Everything citechat knows about one language; built from its module (or generic)."""

    code: str
    stemmer: str | None
    stop_words: frozenset[str]
    number_words: frozenset[str]
    number_values: Mapping[str, int]
    date_words: frozenset[str]
    question_types: tuple[tuple[str, re.Pattern[str]], ...]
    carry_on: re.Pattern[str] | None
    follow_up_words: frozenset[str]
    follow_up_openings: tuple[str, ...]
    inverted_pronoun: re.Pattern[str] | None
    abbreviations: frozenset[str]
    strings: Mapping[str, str]
    stem_plural: re.Pattern[str] | None = None
    negation: re.Pattern[str] | None = None
    units: Mapping[str, frozenset[str]] = field(default_factory=dict)
    counted: re.Pattern[str] | None = None
    none_words: frozenset[str] = frozenset()
    asking_words: frozenset[str] = frozenset()
    openers: frozenset[str] = frozenset()
    spoken_by: re.Pattern[str] | None = None
    reports: re.Pattern[str] | None = None
    asks_words: re.Pattern[str] | None = None
    asks_gist: re.Pattern[str] | None = None
    asks_byline: re.Pattern[str] | None = None
    age_beside_name: re.Pattern[str] | None = None
    byline: re.Pattern[str] | None = None
    clock: re.Pattern[str] | None = None
    possessives: frozenset[str] = frozenset()
    opposites: Mapping[str, frozenset[str]] = field(default_factory=dict)
    polar: re.Pattern[str] | None = None

    @property
    def known(self) -> bool:
        """Whether citechat has a language module for it (not only a stemmer)."""
        return self.code in _MODULES

    def like_num(self, word: str) -> bool:
        """Whether a folded word is a number (digits or a number word of this language)."""
        return word.replace(",", "").replace(".", "").isdigit() or word in self.number_words

    def negated(self, text: str) -> bool:
        """Whether the text carries a negation in this language."""
        return bool(self.negation and self.negation.search(text.replace("\u2019", "'")))

    def asks_yes_or_no(self, question: str) -> bool:
        """Whether the question asks for a yes or a no ("Did prices rise?", « Le prix a-t-il baissé ? »)."""
        return bool(self.polar and self.polar.search(question.replace("\u2019", "'")))

    def opposed(self, question: str, sentence: str) -> bool:
        """Whether the question asks about a word whose opposite the sentence holds instead ("the least used"
        against "the most commonly used"). A question naming both ("simple or complex?") asks between them."""
        if not self.opposites:
            return False
        asked, held = set(_LETTERS.findall(fold(question))), set(_LETTERS.findall(fold(sentence)))
        return any(word not in held and not (opposite & asked) and opposite & held
                   for word in asked if (opposite := self.opposites.get(word)))

    def counted_noun(self, question: str) -> str | None:
        """The noun a "how many" question counts ("drones" in "combien de drones"), if any."""
        match = self.counted.search(question.replace("\u2019", "'")) if self.counted else None
        return match.group(1) if match else None

    def asks_for_words(self, question: str) -> bool:
        """Whether the question asks what someone said ("What did Brabin say?", "Qu'a déclaré la maire ?")."""
        return bool(self.asks_words and self.asks_words.search(question))

    def asks_for_gist(self, question: str) -> bool:
        """Whether the question asks about the article as a whole ("What is the article about?", "Résume le texte")."""
        return bool(self.asks_gist and self.asks_gist.search(question))

    def asks_for_byline(self, question: str) -> bool:
        """Whether the question asks who wrote the article or when it was published ("Who wrote this story?",
        "Qui est l'auteur de l'article ?"), which its byline and publication line answer."""
        return bool(self.asks_byline and self.asks_byline.search(question))

    def is_byline(self, sentence: str) -> bool:
        """Whether the sentence is a byline or a publication line ("By Helen Okafor, Science Correspondent",
        "Publié le 12 mars 2026"), which says who wrote the story and when, not what it says."""
        return bool(self.byline and self.byline.match(sentence))

    def reports_words(self, sentence: str) -> bool:
        """Whether the sentence gives the words of someone the sentence before it names ('"…," she said')."""
        return bool(self.reports and self.reports.search(sentence))

    def question_type(self, question: str) -> str | None:
        """The kind of answer a question asks for (a kind of quantity, a number, a date, a starting point, a person, a
        place), or None.

        An identity question ("Who is Kozlov?") is answered by a description, which has no kind to check.
        """
        kind = next((kind for kind, pattern in self.question_types if pattern.search(question)), None)
        return None if kind == IDENTITY else kind


def _pairs(text: str) -> dict[str, frozenset[str]]:
    """Each word of "a b | c d" entries (also one per line) with its opposites, both ways, folded."""
    opposites: dict[str, set[str]] = {}
    for entry in re.split(r"[|\n]", text):
        if not entry.strip():
            continue
        first, second = (fold(w) for w in entry.split())
        opposites.setdefault(first, set()).add(second)
        opposites.setdefault(second, set()).add(first)
    return {word: frozenset(others) for word, others in opposites.items()}


@lru_cache(maxsize=64)
def language(code: str | None) -> Language:
    """The ``Language`` for an ISO 639-1 code; unknown codes get a generic one."""
    code = (code or DEFAULT).lower()
    module = _MODULES.get(code)
    if module is None:
        return Language(
            code=code, stemmer=_SNOWBALL.get(code), stop_words=frozenset(), number_words=frozenset(), number_values={},
            date_words=frozenset(), question_types=(), carry_on=None, follow_up_words=frozenset(),
            follow_up_openings=(), inverted_pronoun=None, abbreviations=frozenset(), strings=en.STRINGS,
        )
    return Language(
        code=code,
        stemmer=module.STEMMER,
        stop_words=frozenset(fold(w) for w in module.STOP_WORDS),
        number_words=frozenset(fold(w) for w in [*module.NUMBER_VALUES, *module.APPROXIMATE_NUMBERS]),
        number_values={fold(w): v for w, v in module.NUMBER_VALUES.items()},
        date_words=frozenset(fold(w) for w in module.DATE_WORDS),
        question_types=module.QUESTION_TYPE_PATTERNS,
        carry_on=re.compile(module.CARRY_ON),
        follow_up_words=frozenset(module.FOLLOW_UP_WORDS),
        follow_up_openings=tuple(module.FOLLOW_UP_OPENINGS),
        inverted_pronoun=re.compile(module.INVERTED_PRONOUN, re.IGNORECASE) if module.INVERTED_PRONOUN else None,
        abbreviations=frozenset(module.ABBREVIATIONS),
        strings=module.STRINGS,
        stem_plural=re.compile(module.STEM_PLURAL) if module.STEM_PLURAL else None,
        negation=re.compile(module.NEGATION, re.IGNORECASE),
        units={kind: frozenset(fold(w) for w in words.split()) for kind, words in module.UNITS.items()},
        counted=re.compile(module.COUNTED, re.IGNORECASE),
        none_words=frozenset(fold(w) for w in module.NONE_WORDS),
        asking_words=frozenset(fold(w) for w in module.ASKING_WORDS),
        openers=frozenset(fold(w) for w in module.OPENERS),
        spoken_by=re.compile(module.SPOKEN_BY),
        reports=re.compile(module.REPORTS),
        asks_words=re.compile(module.ASKS_WORDS, re.IGNORECASE),
        asks_gist=re.compile(module.ASKS_GIST, re.IGNORECASE),
        asks_byline=re.compile(module.ASKS_BYLINE, re.IGNORECASE),
        age_beside_name=re.compile(module.AGE_BESIDE_NAME) if module.AGE_BESIDE_NAME else None,
        byline=re.compile(module.BYLINE),
        clock=re.compile(module.CLOCK, re.IGNORECASE),
        possessives=frozenset(module.POSSESSIVES),
        opposites=_pairs(module.OPPOSITES),
        polar=re.compile(module.POLAR, re.IGNORECASE),
    )


def every(name: str) -> list:
    """One piece of data from every language module, for checks that read text in any supported language."""
    return [getattr(module, name) for module in _MODULES.values()]


def supported() -> tuple[str, ...]:
    """Codes of the languages with a module of their own (questions are detected among these)."""
    return tuple(_MODULES)


def strings(code: str | None) -> Mapping[str, str]:
    """The answer strings of a language (English for languages without a module)."""
    return language(code).strings


_identifier_lock = threading.Lock()


@lru_cache(maxsize=1)
def _load_identifier():
    import py3langid.langid as langid

    return langid.LanguageIdentifier.from_modelpath(langid.MODEL_DIR / langid.MODEL_FILE, norm_probs=True)


def _identifier():
    # The lock makes a question that arrives during warm_up() wait for that load instead of loading a second copy.
    with _identifier_lock:
        return _load_identifier()


def warm_up() -> threading.Thread:
    """Load the language identifier in the background (0.6 s and ~75 MB, measured: bench/scale.py).

    A serving process calls this at start so that the load overlaps the embedding model's instead of delaying
    the first question.
    """
    # Imports stay in the calling thread: numpy imported from two threads at once can fail half-initialised.
    import py3langid.langid  # noqa: F401

    thread = threading.Thread(target=_identifier, name="citechat-langid", daemon=True)
    thread.start()
    return thread


def detect(text: str, *, among: Iterable[str] | None = None) -> str:
    """The language of ``text`` (ISO 639-1), by py3langid's naive Bayes model.

    ``among`` restricts the choice (questions are short: they are told apart among the languages citechat
    supports plus those of the stored documents). Measured on SQuAD/PIAF and the project's sets: whole
    paragraphs 1.000 over all 97 languages; questions 0.999-1.000 among French and English.
    """
    sample = text[:20_000]
    if not sample.strip():
        return DEFAULT
    identifier = _identifier()
    if among is None:
        return identifier.classify(sample)[0]
    allowed = sorted(set(among)) or [DEFAULT]
    if len(allowed) == 1:
        return allowed[0]
    ranked = identifier.rank(sample)
    return next((code for code, _ in ranked if code in allowed), allowed[0])
