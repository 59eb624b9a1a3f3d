"""French-aware lexical analysis: the analyser that defines the lexical (BM25) index.

It lives in ``store`` because the terms are computed at ingest and stored with each sentence, and
queries must be analysed exactly the same way.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
_ELISION = re.compile(r"\b(?:qu|lorsqu|puisqu|jusqu|quoiqu|[cdjlmnst])'", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

# Stop words of both languages, accent-folded. Kept short on purpose: content words that look like
# function words ("pays", "deux") still carry meaning in a news article.
STOP_WORDS = frozenset(
    """
    a ai aie aient aies ait as au aux avait avaient avais avant avec avoir c ce ceci cela celle
    celles celui ces cet cette ceux chez comme comment d dans de des du donc dont elle elles en
    entre es est et etaient etait etant ete etre eu eux fait faire il ils j je l la le les leur
    leurs lui m ma mais me meme mes moi mon n ne ni nos notre nous on ont ou par pas peu plus pour
    pourquoi qu quand que quel quelle quelles quels qui quoi s sa sans se ses si son sont sur t ta
    te tes toi ton tous tout toute toutes tu un une vos votre vous y a-t-il t-il t-elle
    about after all also am an and any are as at be been before being but by can could did do
    does during for from had has have having he her hers him his how i if in into is it its me
    my no nor not of off on or our out over she so some such than that the their them then there
    these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours
    dit dire selon article texte
    """.split()
)

# Spelling keys so that transliterations of one name meet: Choïgou / Choïgu / Shoigu, Sergueï /
# Sergei. Applied identically to documents and queries, so rare collisions are harmless.
_SPELLING = (("sh", "ch"), ("ou", "u"), ("y", "i"), ("w", "v"), ("gue", "ge"))


@lru_cache(maxsize=4096)
def _stem(word: str) -> str:
    return _french_stemmer().stemWord(word)


@lru_cache(maxsize=1)
def _french_stemmer():
    return snowballstemmer.stemmer("french")


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold_accents(text: str) -> str:
    """Lowercase and strip diacritics (``Réçu`` -> ``recu``)."""
    return _strip_accents(text.lower())


def spelling_key(stem: str) -> str:
    """Collapse transliteration variants and doubled letters of a stem."""
    for old, new in _SPELLING:
        stem = stem.replace(old, new)
    return re.sub(r"([a-z])\1+", r"\1", stem)


def tokenize(text: str) -> list[str]:
    """Split into lowercase words (accents kept) with French elisions removed."""
    text = _ELISION.sub(" ", text.translate(_APOSTROPHES))
    return _WORD.findall(text.lower())


def term(word: str) -> str:
    """Index term of one lowercase word: stemmed, accent-folded, plural-folded, spelling-keyed."""
    stem = _strip_accents(_stem(word))
    # Snowball keeps the plural of short words ("reçus", "armes"); fold it so singular meets plural.
    if len(stem) > 3 and stem[-1] in "sx" and not stem[-2].isdigit():
        stem = stem[:-1]
    return spelling_key(stem)


def analyse(text: str) -> list[str]:
    """Return the index terms of ``text``: elisions and stop words removed, stemmed, folded."""
    return [
        term(word)
        for word in tokenize(text)
        if _strip_accents(word) not in STOP_WORDS and not (len(word) == 1 and word.isalpha())
    ]


_FRENCH_MARKERS = frozenset(
    "le la les des du de un une et est sont dans pour que qui quel quelle quels quelles pas sur "
    "avec au aux il elle ils ont a-t-il ce cette ces où combien pourquoi comment".split()
)
_ENGLISH_MARKERS = frozenset(
    "the a an and is are was were of in on for to what which who whom how why when where did "
    "does do with from by it he she they this that has have".split()
)


def language_evidence(text: str) -> tuple[int, int]:
    """Counts of French and English function words (plus one for French accents)."""
    words = [w.lower() for w in re.findall(r"[^\W\d_]+(?:-t-[^\W\d_]+)?", text.translate(_APOSTROPHES))]
    french = sum(w in _FRENCH_MARKERS for w in words)
    english = sum(w in _ENGLISH_MARKERS for w in words)
    if re.search(r"[àâçéèêëîïôûùœ]", text.lower()):
        french += 1
    return french, english


def guess_language(text: str) -> str:
    """``"fr"`` or ``"en"`` from function words; French when undecided (the corpus language)."""
    french, english = language_evidence(text)
    return "en" if english > french else "fr"


# A sentence opening on a pronoun or on "les deux hommes" carries on the event of the sentence before
# it, which says who "il" or "les deux hommes" are.
_CARRIES_ON = re.compile(
    r"(?:Il|Elle|Ils|Elles|Ce|Cette|Ces|Les deux|Tous deux|Toutes deux|He|She|They|The two|Both)\b"
)


def carries_on(sentence: str) -> bool:
    """Whether the sentence leans on the one before it ("Les deux hommes ont été vus…", "Il a ajouté…")."""
    return bool(_CARRIES_ON.match(sentence))
