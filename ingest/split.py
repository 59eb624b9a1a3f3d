"""Sentence and chunk splitting with exact character offsets (pure functions, no I/O).

Every ``Sentence`` and ``Chunk`` satisfies ``document[start:end] == text``. Sentences are the unit
of citation; chunks (consecutive sentences of one paragraph) give retrieval its context.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from store.lexical import carries_on

DEFAULT_CHUNK_CHARS = 600
MAX_SENTENCE_CHARS = 1000

# Lower-cased tokens that end with a period without ending a sentence.
ABBREVIATIONS = frozenset(
    """
    m mm mme mmes mlle dr pr me st ste av apr j.-c etc cf ex p pp vol no n° env art chap fig
    hab min max mr mrs ms jr sr prof gen gén col lt sgt cpt adj dept vs inc ltd co corp
    janv févr fév avr juil sept oct nov déc jan feb mar apr jun jul aug sep dec
    """.split()
)

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0]*\n\s*")
# A sentence may end at . ! ? … (repeated), then closing quotes or brackets, then white space.
# French typography puts a (non-breaking) space before the closing guillemet: « non. » Puis...
_BOUNDARY = re.compile(
    r"[.!?\u2026]+(?:[ \u00a0\u202f]*\u00bb|[\"'\u201d\u2019)\]])*(?=[\s\u00a0]+)"
)
_NEXT_START = re.compile(r"[\s\u00a0]+([\"'\u00ab\u201c(\[\-\u2013\u2014]?\s?[A-Z0-9\u00c0-\u00de])")
_CLOSERS = " \u00a0\u202f\"'\u00bb\u201d\u2019)]"
_WORD_BEFORE = re.compile(r"(\S+)$")
_AFP_HEADING = re.compile(r"^-\s+(?P<title>.+?)\s+-$", re.DOTALL)
_MD_HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+?)\s*#*$")
_SPACE = re.compile(r"[\s\u00a0]+")


@dataclass(frozen=True)
class Sentence:
    """A sentence of the document, with its exact offsets.

    ``context_start`` is where the text that stands for it in dense retrieval begins: its own start,
    or the previous sentence's when it carries on that one ("Les deux hommes…" needs the names before it).
    """

    start: int
    end: int
    text: str
    context_start: int


@dataclass(frozen=True)
class Chunk:
    """Consecutive sentences of one paragraph, with exact offsets and the section they sit in."""

    start: int
    end: int
    text: str
    section: str
    sentences: tuple[Sentence, ...]


@dataclass(frozen=True)
class Paragraph:
    """A block of text between blank lines; ``heading`` holds its title when it is one."""

    start: int
    end: int
    text: str
    heading: str | None


def _trimmed_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def heading_title(paragraph: str) -> str | None:
    """Return the title when ``paragraph`` is a section heading (``- Toasts à la vodka -``, ``# X``)."""
    flat = _SPACE.sub(" ", paragraph).strip()
    if "\n" in paragraph.strip() or len(flat) > 120:
        return None
    for pattern in (_AFP_HEADING, _MD_HEADING):
        match = pattern.match(flat)
        if match:
            return match.group("title").strip()
    return None


def split_paragraphs(document: str) -> Iterator[Paragraph]:
    """Yield the non-blank paragraphs of ``document`` (blocks separated by blank lines)."""
    position = 0
    for match in _PARAGRAPH_BREAK.finditer(document):
        yield from _paragraph(document, position, match.start())
        position = match.end()
    yield from _paragraph(document, position, len(document))


def _paragraph(document: str, start: int, end: int) -> Iterator[Paragraph]:
    start, end = _trimmed_span(document, start, end)
    if start < end:
        text = document[start:end]
        yield Paragraph(start, end, text, heading_title(text))


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the period at ``dot`` closes an abbreviation or an initial rather than a sentence."""
    match = _WORD_BEFORE.search(text, 0, dot)
    if not match:
        return False
    word = match.group(1).lstrip("(\"'\u00ab\u201c").lower()
    if word in ABBREVIATIONS:
        return True
    # An initial ("J. Biden") or a dotted acronym ("U.S.").
    return bool(re.fullmatch(r"(?:[^\W\d_]\.)*[^\W\d_]", word)) and len(word.replace(".", "")) <= 3


def sentence_spans(text: str, offset: int = 0) -> Iterator[tuple[int, int]]:
    """Yield ``(start, end)`` of each sentence of a paragraph, shifted by ``offset``."""
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        terminator = match.group(0)
        single_period = terminator.startswith(".") and len(terminator.rstrip(_CLOSERS)) == 1
        if single_period and _is_abbreviation(text, match.start()):
            continue
        if not _NEXT_START.match(text, end):
            continue
        yield from _bounded(text, start, end, offset)
        start = end
    yield from _bounded(text, start, len(text), offset)


def _bounded(text: str, start: int, end: int, offset: int) -> Iterator[tuple[int, int]]:
    """Trim a span and cut it at white space when it exceeds ``MAX_SENTENCE_CHARS``."""
    start, end = _trimmed_span(text, start, end)
    while end - start > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", start + 1, start + MAX_SENTENCE_CHARS)
        if cut <= start:
            cut = start + MAX_SENTENCE_CHARS
        piece_start, piece_end = _trimmed_span(text, start, cut)
        if piece_start < piece_end:
            yield piece_start + offset, piece_end + offset
        start, end = _trimmed_span(text, cut, end)
    if start < end:
        yield start + offset, end + offset


def split_sentences(document: str) -> list[Sentence]:
    """Split a whole document into sentences (headings excluded)."""
    return [s for chunk in split_chunks(document) for s in chunk.sentences]


def split_chunks(document: str, *, max_chars: int = DEFAULT_CHUNK_CHARS) -> Iterator[Chunk]:
    """Yield chunks: consecutive sentences of one paragraph, at most ``max_chars`` long when possible.

    Headings are not chunked; their title becomes the ``section`` of the chunks that follow.
    """
    section = ""
    previous_start: int | None = None
    for paragraph in split_paragraphs(document):
        if paragraph.heading is not None:
            section = paragraph.heading
            continue
        group: list[Sentence] = []
        for start, end in sentence_spans(paragraph.text, paragraph.start):
            text = document[start:end]
            # The pair must still fit the model's input, or the sentence itself would be cut off.
            leans_back = previous_start is not None and end - previous_start <= MAX_SENTENCE_CHARS and carries_on(text)
            sentence = Sentence(start, end, text, previous_start if leans_back else start)
            previous_start = start
            if group and end - group[0].start > max_chars:
                yield _chunk(document, group, section)
                group = []
            group.append(sentence)
        if group:
            yield _chunk(document, group, section)


def _chunk(document: str, sentences: list[Sentence], section: str) -> Chunk:
    start, end = sentences[0].start, sentences[-1].end
    return Chunk(start, end, document[start:end], section, tuple(sentences))
