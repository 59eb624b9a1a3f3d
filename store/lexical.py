"""Lexical analysis: the analyser that defines the lexical (BM25) index, one per document language.

It lives in ``store`` because the terms are computed at ingest and stored with each sentence, and queries
must be analysed the same way (in the question's own language).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib.metadata import version

import snowballstemmer

from store.lang import Language, fold, language, supported

# Bump when ``_term`` changes; the language data and the stemmer's version are read by ``analyser()`` itself.
ANALYSIS_VERSION = "1"

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
# Words split at apostrophes and hyphens ("l'Université", "pare-balles"): elided articles become one-letter
# or stop words, which the analyser drops.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Spelling keys so that transliterations of one name meet: Choïgou / Choïgu / Shoigu, Sergueï / Sergei.
# Applied to capitalised words only (names), identically in documents and questions.
_SPELLING = (("sh", "ch"), ("ou", "u"), ("y", "i"), ("w", "v"), ("gue", "ge"))


def words(text: str) -> list[str]:
    """The words of ``text`` in their original case (apostrophes and hyphens split words)."""
    return _WORD.findall(text.translate(_APOSTROPHES))


@lru_cache(maxsize=32)
def _stemmer(algorithm: str):
    return snowballstemmer.stemmer(algorithm)


@lru_cache(maxsize=65536)
def _term(word: str, code: str) -> str | None:
    lang = language(code)
    lower = word.lower()
    folded = fold(lower)
    if folded in lang.stop_words or (len(folded) == 1 and folded.isalpha()):
        return None
    stem = fold(_stemmer(lang.stemmer).stemWord(lower)) if lang.stemmer else folded
    if lang.stem_plural is not None:
        stem = lang.stem_plural.sub("", stem)
    if word[:1].isupper():
        stem = spelling_key(stem)
    return stem or None


@lru_cache(maxsize=1)
def analyser() -> str:
    """Names the analysis: this code's version and everything it reads (stop words, stemmers, plural rules).

    A lexicon built by another analysis is rebuilt from the stored texts when a store opens — an upgrade that
    changes a stop list re-reads the sentences instead of re-embedding them.
    """
    parts = [ANALYSIS_VERSION, _WORD.pattern, repr(_SPELLING), version("snowballstemmer")]
    for code in supported():
        lang = language(code)
        plural = lang.stem_plural.pattern if lang.stem_plural else ""
        parts += [code, lang.stemmer or "", plural, " ".join(sorted(lang.stop_words))]
    return f"{ANALYSIS_VERSION}-{hashlib.sha256(chr(0).join(parts).encode()).hexdigest()[:12]}"


def spelling_key(stem: str) -> str:
    """Collapse transliteration variants and doubled letters of a name's stem."""
    for old, new in _SPELLING:
        stem = stem.replace(old, new)
    return re.sub(r"([^\W\d_])\1+", r"\1", stem)


def unopened(text: str, lang: Language) -> str:
    """``text`` with its opening word in lower case when it is one of the language's ``OPENERS`` ("Contre qui…",
    "Name the…", "Tell me…"): capitalised only because it comes first, it is no name, and is analysed as the
    word it is."""
    match = _WORD.search(text.translate(_APOSTROPHES))
    if match is None or fold(match.group()) not in lang.openers:
        return text
    return text[: match.start()] + text[match.start() : match.end()].lower() + text[match.end() :]


def term(word: str, code: str) -> str | None:
    """Index term of one word in language ``code``, or None for a stop word."""
    return _term(word, code)


def unasked(text: str, lang: Language) -> str:
    """The words of ``text`` less those that only ask ("how many", "how much"): the answer does not repeat them,
    so as query terms they count against every sentence. French "combien" is a stop word already."""
    return " ".join(w for w in words(text) if fold(w) not in lang.asking_words)


def analyse(text: str, code: str) -> list[str]:
    """The index terms of ``text`` in language ``code``: stop words removed, stemmed, folded, names keyed."""
    return [t for t in (_term(w, code) for w in words(text)) if t]


# Quotation marks that say which way they face (guillemets, curly double quotes); a straight double quote opens or
# closes by its parity. Typography, the same in every language.
OPENING_QUOTES = "\u00ab\u201c"
CLOSING_QUOTES = "\u00bb\u201d"
_MARKS = '"' + OPENING_QUOTES + CLOSING_QUOTES
_WHOLE_QUOTE = re.compile(rf'\s*["{OPENING_QUOTES}][^{_MARKS}]*["{CLOSING_QUOTES}]\s*')
_FIRST_MARK = re.compile(f"[{_MARKS}]")


def quote_depth(text: str) -> int:
    """How many more quotations ``text`` opens than it closes, by the marks that face a way (guillemets, curly)."""
    return sum(text.count(c) for c in OPENING_QUOTES) - sum(text.count(c) for c in CLOSING_QUOTES)


def is_quotation(sentence: str) -> bool:
    """Whether the sentence is a quotation and nothing else: no speaker of its own."""
    return bool(_WHOLE_QUOTE.fullmatch(sentence))


def holds_quotation(sentence: str) -> bool:
    """Whether the sentence has a quotation mark: it gives someone's words, whole or in part."""
    return _FIRST_MARK.search(sentence) is not None


def ends_on_quotation(sentence: str) -> bool:
    """Whether nothing but punctuation follows the sentence's last quotation mark: a quotation closing in it has
    no speaker after it."""
    last = max(sentence.rfind(c) for c in _MARKS)
    return last >= 0 and not any(c.isalnum() for c in sentence[last + 1 :])


def quotes_on(sentence: str) -> bool:
    """Whether the sentence is quoted speech with no speaker of its own: a quotation alone, the end of one opened
    before («… C'est la troisième attaque », a déclaré l'éleveur), or the start of one that runs on into the next
    sentence (« J'ai d'abord cru à une copie.)."""
    first = _FIRST_MARK.search(sentence)
    if first is None:
        return False
    if first.group() in CLOSING_QUOTES:
        return True
    return opens_on_quotation(sentence) or is_quotation(sentence) or (
        first.group() == '"' and first.start() > 0 and sentence.count('"') % 2 == 1)  # closes a straight one


def opens_on_quotation(sentence: str) -> bool:
    """Whether the sentence opens on a quotation that it does not close (it runs on into the next sentence)."""
    text = sentence.lstrip()
    if text[:1] == '"':
        return text.count('"') % 2 == 1
    return text[:1] in OPENING_QUOTES and quote_depth(text) > 0


def carries_on(sentence: str, lang: Language) -> bool:
    """Whether the sentence leans on the one before it: it opens on a pronoun ("Les deux hommes ont été vus…",
    "He added…") or its speaker is one ('"…," she said', « … », a-t-il déclaré)."""
    return bool(lang.carry_on and lang.carry_on.match(sentence)) or bool(
        lang.spoken_by and lang.spoken_by.search(sentence))
