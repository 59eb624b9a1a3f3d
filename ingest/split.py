"""Sentence splitting with exact character offsets (pure functions, no I/O, linear in the text's length).

Every ``Sentence`` satisfies ``document[start:end] == text``. Sentences are the unit of retrieval and
citation. A document's title line and its section headings are never sentences: the title becomes the
document's title, a heading the ``section`` of the sentences below it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import chain

from store.lang import Language, language
from store.lexical import (
    carries_on,
    ends_on_quotation,
    holds_quotation,
    is_quotation,
    opens_on_quotation,
    quote_depth,
)

# The splitter's version, recorded with every stored document: `citechat ingest` cuts again the stored documents
# another version split (their sentences and embedding contexts would otherwise stay the old ones until a
# rebuild). Change it whenever the sentences of a text change; tests/ingest/test_split.py fingerprints them.
SPLITTER = "2026-11-29"
MAX_SENTENCE_CHARS = 1000
MAX_TITLE_CHARS = 150
# How far back from a period the abbreviation check looks: longer than any abbreviation, short enough
# that a text without blank lines is still split in linear time.
ABBREVIATION_REACH = 24

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0]*\n\s*")
# A sentence may end at . ! ? … (repeated), then closing quotes or brackets, then white space.
# French typography puts a (non-breaking) space before the closing guillemet: « non. » Puis...
_BOUNDARY = re.compile(r"[.!?\u2026]+(?:[ \u00a0\u202f]*\u00bb|[\"'\u201d\u2019)\]])*(?=[\s\u00a0]+)|"
                       r"[\u3002\uff01\uff1f]+[\u300d\u300f\u201d\uff09]*")
# Chinese and Japanese end a sentence with a full-width stop, then go on without a space or a capital letter.
_WIDE_STOPS = "\u3002\uff01\uff1f"
_NEXT_START = re.compile(r"[\s\u00a0]+([\"'\u00ab\u201c(\[\-\u2013\u2014]?\s?[A-Z0-9\u00c0-\u00de])")
_CLOSERS = " \u00a0\u202f\"'\u00bb\u201d\u2019)]"
_WORD_BEFORE = re.compile(r"(\S+)$")
_INITIAL = re.compile(r"(?:[^\W\d_]\.)*[^\W\d_]")
_AFP_HEADING = re.compile(r"^-\s+(?P<title>.+?)\s+-$", re.DOTALL)
_MD_HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+?)\s*#*$")
_SPACE = re.compile(r"[\s\u00a0]+")
_LINE_START = re.compile(r"[ \t\u00a0]*[\"'\u00ab\u201c(\[]?\s?[A-Z0-9\u00c0-\u00de]")
_SENTENCE_END = re.compile(r"[.!?\u2026:;,\u3002\uff01\uff1f\uff0c]\s*[\"'\u00bb\u201d)\u300d\u300f\uff09]*$")


@dataclass(frozen=True)
class Sentence:
    """A sentence of the document, with its exact offsets and the section it sits in.

    ``context_start`` is where the text that stands for it in dense retrieval begins: its own start,
    or the previous sentence's when it carries on that one ("Les deux hommes…" needs the names before it).
    """

    start: int
    end: int
    text: str
    context_start: int
    section: str = ""


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


def title_line(paragraph: str) -> str | None:
    """The document's title when its first paragraph is one: a single short line that is not a sentence."""
    heading = heading_title(paragraph)
    if heading is not None:
        return heading
    flat = paragraph.strip()
    return flat if _title_like(flat) else None


def _title_like(flat: str) -> bool:
    """Whether stripped text is a single short line that does not end like a sentence (a headline, a byline)."""
    return bool(flat) and "\n" not in flat and len(flat) <= MAX_TITLE_CHARS and not _SENTENCE_END.search(flat)


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


def leading_lines(document: str, paragraph: Paragraph) -> list[Paragraph]:
    """The first paragraph cut at its leading title and byline lines, when its lines are not set apart by blank
    lines (text pasted from a web page: a headline, a byline and the first sentence on three lines in a row).

    A leading line is cut off when it is short, does not end like a sentence, and the next line starts like a
    sentence (a capital, a digit, a quote): a headline or a byline. Hard-wrapped prose goes on in lower case and
    keeps its lines together.
    """
    pieces = []
    start = paragraph.start
    while True:
        newline = document.find("\n", start, paragraph.end)
        if newline < 0:
            break
        line = document[start:newline].rstrip()  # ``start`` is already past any white space
        if not _title_like(line) or not _LINE_START.match(document, newline + 1, paragraph.end):
            break
        pieces.append(Paragraph(start, start + len(line), line, heading_title(line)))
        start, _ = _trimmed_span(document, newline + 1, paragraph.end)
    if not pieces:
        return [paragraph]
    rest = document[start:paragraph.end]
    return [*pieces, Paragraph(start, paragraph.end, rest, heading_title(rest))]


def _is_abbreviation(text: str, dot: int, abbreviations: frozenset[str]) -> bool:
    """True when the period at ``dot`` closes an abbreviation or an initial rather than a sentence."""
    match = _WORD_BEFORE.search(text, max(0, dot - ABBREVIATION_REACH), dot)
    if not match:
        return False
    word = match.group(1).lstrip("(\"'\u00ab\u201c").lower()
    if word in abbreviations:
        return True
    # An initial ("J. Biden") or a dotted acronym ("U.S.").
    return bool(_INITIAL.fullmatch(word)) and len(word.replace(".", "")) <= 3


def sentence_spans(text: str, offset: int = 0, *, lang: Language | None = None) -> Iterator[tuple[int, int]]:
    """Yield ``(start, end)`` of each sentence of a paragraph, shifted by ``offset``."""
    abbreviations = (lang or language(None)).abbreviations
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        terminator = match.group(0)
        single_period = terminator.startswith(".") and len(terminator.rstrip(_CLOSERS)) == 1
        if single_period and _is_abbreviation(text, match.start(), abbreviations):
            continue
        if terminator[0] not in _WIDE_STOPS and not _NEXT_START.match(text, end):
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


class _Quotes:
    """Whether a quotation is open after the sentences of one paragraph read so far. Counting marks is typography,
    the same in every language; a paragraph starts with no quotation open (multi-paragraph quotations reopen theirs).
    """

    def __init__(self) -> None:
        self.depth = 0  # guillemets and curly quotes opened and not closed
        self.straight = 0  # straight double quotes seen

    @property
    def open(self) -> bool:
        return self.depth > 0 or self.straight % 2 == 1

    def read(self, sentence: str) -> None:
        """Count the quotation marks of the paragraph's next sentence."""
        self.depth = max(0, self.depth + quote_depth(sentence))
        self.straight += sentence.count('"')


def quoted_on(sentences: Sequence[str], lang: Language, *, after_words: bool = False) -> set[int]:
    """The indexes of a paragraph's sentences that carry on the sentence before them because of a quotation.

    A sentence that opens inside a quotation (« Je les ai retrouvées au petit matin. C'est la troisième attaque »,
    a déclaré l'éleveur) and one that is a quotation and nothing else ("…," said Gareth Lewis. "Our engineers worked
    through the night.") carry on the sentence before them in the paragraph: that sentence holds the rest of the
    quotation or names its speaker. So does one that opens on a quotation running on into later sentences and closed
    in one whose speaker is a pronoun (« J'ai d'abord cru à une copie. Puis j'ai vu l'étiquette », a-t-il raconté)
    or that names no speaker at all («…», a déclaré l'adjointe. « Ce n'est pas facile. Mais la santé passe avant
    tout. »): the speaker is whoever the sentence before the quotation names, as for a one-sentence quote.

    With ``after_words`` (the paragraph is a quotation and nothing else, after a sentence giving someone's words),
    the same holds for its first sentence: news writing leaves a paragraph that goes on quoting the last speaker
    unattributed.
    """
    found: set[int] = set()
    quotes = _Quotes()
    opened: int | None = None  # the sentence that opened the quotation still open, when it opens on it
    for index, sentence in enumerate(sentences):
        was_open = quotes.open
        if (index or after_words) and (was_open or is_quotation(sentence)):
            found.add(index)
        quotes.read(sentence)
        if not was_open and quotes.open:
            opened = index if opens_on_quotation(sentence) else None
        elif was_open and not quotes.open:
            spoken = lang.spoken_by is not None and lang.spoken_by.search(sentence)
            if opened is not None and (spoken or ((opened or after_words) and ends_on_quotation(sentence))):
                found.add(opened)
            opened = None
    return found


@dataclass(frozen=True)
class Layout:
    """A split document: its title line (if it has one) and its sentences."""

    title: str
    sentences: tuple[Sentence, ...]
    title_end: int = 0


def split_document(document: str, code: str | None = None) -> Layout:
    """Split a document in language ``code`` into its title line and its sentences."""
    title, title_end = "", 0
    sentences: list[Sentence] = []
    for item in iter_sentences(document, code):
        if isinstance(item, Sentence):
            sentences.append(item)
        else:
            title, title_end = item
    return Layout(title, tuple(sentences), title_end)


def iter_sentences(document: str, code: str | None = None) -> Iterator[Sentence | tuple[str, int]]:
    """Yield the title line with the end of its paragraph (first, when there is one), then every sentence in order.

    The end comes from the paragraph, not from searching the title: a heading's title is whitespace-flattened
    ("-", a no-break space, "X -" gives "X"), so it need not occur in the document as written.

    Headings are not sentences; their title becomes the ``section`` of the sentences that follow.
    """
    lang = language(code)
    section = ""
    previous_start: int | None = None
    previous_text: str | None = None
    paragraphs = split_paragraphs(document)
    first = next(paragraphs, None)
    if first is not None:
        first, *more = leading_lines(document, first)
        paragraphs = chain(more, paragraphs)
    second = next(paragraphs, None)
    # A lone line is the document's text, not a title over nothing: it must be found and cited.
    alone = second is None
    for number, paragraph in enumerate(p for p in chain((first, second), paragraphs) if p is not None):
        if number == 0 and not alone:
            title = title_line(paragraph.text)
            if title is not None:
                yield title, paragraph.end
                continue
        if paragraph.heading is not None:
            section = paragraph.heading
            continue
        spans = list(sentence_spans(paragraph.text, paragraph.start, lang=lang))
        texts = [document[start:end] for start, end in spans]
        # A paragraph that is a quotation and nothing else, after a sentence giving someone's words, goes on with them.
        after_words = previous_text is not None and holds_quotation(previous_text) and is_quotation(paragraph.text)
        quoted = quoted_on(texts, lang, after_words=after_words)
        for index, ((start, end), text) in enumerate(zip(spans, texts, strict=True)):
            # The pair must still fit the model's input, or the sentence itself would be cut off.
            leans_back = (
                previous_start is not None and end - previous_start <= MAX_SENTENCE_CHARS
                and (carries_on(text, lang) or index in quoted)
            )
            yield Sentence(start, end, text, previous_start if leans_back else start, section)
            previous_start, previous_text = start, text
