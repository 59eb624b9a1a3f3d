"""Stored sentences and a real lexical index built from plain texts, for the pure answer-building tests."""

from __future__ import annotations

from assistant.retrieve import LexicalIndex
from store import StoredSentence
from store.lexical import analyse


def sentence(start: int, text: str, terms: str) -> StoredSentence:
    return StoredSentence(f"d:{start}", "d", "src", "", "", start, start + len(text), text, tuple(terms.split()), "c")


def indexed(*texts: str) -> tuple[LexicalIndex, list[StoredSentence]]:
    """Sentences laid out one after another in one document, analysed as at ingest."""
    sentences, start = [], 0
    for text in texts:
        sentences.append(sentence(start, text, " ".join(analyse(text))))
        start += len(text) + 2
    return LexicalIndex(sentences), sentences
