"""Loading files into normalised text plus metadata (the only file I/O of ingest)."""

from __future__ import annotations

import json
import logging
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ingest.config import IngestSettings
from ingest.errors import EmptyDocument, FileTooLarge, SourceNotFound, UnreadableFile, UnsupportedFile
from ingest.split import split_paragraphs, title_line
from store.lang import detect

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".pdf"})
BUNDLED_NAME = "kim-russie-afp.txt"
_BLOCK_TAGS = (
    "p div section article header footer aside li ul ol table tr blockquote pre figure figcaption br hr main nav dd dt"
)
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BINARY_HINT = "looks like a binary file, not text; give a .txt, .md, .html or .pdf"


@dataclass(frozen=True)
class LoadedDocument:
    """A document's normalised text and what we know about it; ``notices`` are warnings for the user."""

    source: str
    title: str
    language: str
    text: str
    origin: str = ""
    notices: tuple[str, ...] = field(default_factory=tuple)


def normalise_text(text: str) -> str:
    """Unify newlines and compose characters (NFC); the result is the text offsets refer to."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return unicodedata.normalize("NFC", text)


def decode_bytes(raw: bytes, *, name: str = "file") -> tuple[str, tuple[str, ...]]:
    """Decode text bytes; returns the text and notices about how it was decoded.

    UTF-8 (with or without BOM) and UTF-16/32 with a BOM are decoded as such. Anything else is decoded line
    by line: lines that are valid UTF-8 stay UTF-8, the others take the single-byte encoding that
    charset-normalizer finds for them (cp1252 for most Western news files), so a file mixing both is never
    turned into mojibake, and the user is told.

    Raises:
        UnsupportedFile: the bytes are binary rather than text.
    """
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
                       (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(codec), ()
            except UnicodeDecodeError as exc:
                raise UnsupportedFile(f"{name} starts like {codec} text but is not valid {codec}") from exc
    if b"\x00" in raw[:8192]:
        raise UnsupportedFile(f"{name} {_BINARY_HINT}")
    try:
        text = raw.decode("utf-8")
        notices: tuple[str, ...] = ()
    except UnicodeDecodeError:
        text, notices = _decode_lines(raw, name)
    if _looks_binary(text):
        raise UnsupportedFile(f"{name} {_BINARY_HINT}")
    return text, notices


def _decode_lines(raw: bytes, name: str) -> tuple[str, tuple[str, ...]]:
    lines = raw.split(b"\n")
    foreign = [i for i, line in enumerate(lines) if not _is_utf8(line)]
    codec = _single_byte_codec(b"\n".join(lines[i] for i in foreign))
    foreign_set = set(foreign)
    text = "\n".join(line.decode(codec if i in foreign_set else "utf-8", errors="replace")
                     for i, line in enumerate(lines))
    utf8_lines = sum(1 for i, line in enumerate(lines) if i not in foreign_set and any(b > 0x7F for b in line))
    if utf8_lines:
        notice = (f"{name} mixes encodings: {len(foreign)} line(s) decoded as {codec}, the rest as UTF-8; "
                  "check the accents, or save the file as UTF-8")
    else:
        notice = f"{name} is not UTF-8: decoded as {codec}"
    return text, (notice,)


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _single_byte_codec(sample: bytes) -> str:
    """The encoding of the non-UTF-8 lines: cp1252 when it decodes them, else charset-normalizer's guess."""
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    return best.encoding if best is not None else "latin-1"


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    controls = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f")
    return bool(sample) and controls / len(sample) > 0.05


def html_to_text(html: str) -> tuple[str, str]:
    """Visible text of an HTML page (blocks as paragraphs, headings as ``#`` lines) and its title."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "svg", "iframe", "object"]):
        tag.decompose()
    title_tag = soup.find("title")
    title = title_tag.get_text(" ", strip=True) if title_tag else ""
    if soup.head:
        soup.head.decompose()
    for tag in soup.find_all(_HEADING_TAGS):
        tag.insert_before("\n\n# ")
        tag.insert_after("\n\n")
    for tag in soup.find_all(_BLOCK_TAGS.split()):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    text = soup.get_text()
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if not title:
        match = re.search(r"^# (.+)$", text, re.MULTILINE)
        title = match.group(1) if match else ""
    return text, title


def pdf_to_text(path: Path, *, max_chars: int) -> tuple[str, str]:
    """Text of a PDF (pages separated as paragraphs) and its metadata title.

    Any parser failure, including pypdf's resource limits on hostile files (a flate bomb), is reported as
    "not a readable PDF": a hostile file must never surface as a traceback.
    """
    from pypdf import PdfReader

    # pypdf logs what it repairs as warnings; the user gets one line from us instead.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    name = path.name
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise UnreadableFile(f"{name} is an encrypted PDF; decrypt it first")
        title = ""
        try:
            title = str((reader.metadata or {}).get("/Title") or "").strip()
        except Exception:  # a broken info dictionary only costs the title
            title = ""
        pages, total = [], 0
        for page in reader.pages:
            text = (page.extract_text() or "").strip()
            total += len(text)
            if total > max_chars:
                raise FileTooLarge(
                    f"{name} holds more than {max_chars:,} characters of text; split it into smaller files")
            pages.append(text)
        return "\n\n".join(pages), title
    except (UnreadableFile, FileTooLarge):
        raise
    except MemoryError as exc:
        raise UnreadableFile(f"{name} is not a readable PDF (it expands beyond memory)") from exc
    except Exception as exc:  # pypdf raises PdfReadError, LimitReachedError, ValueError, KeyError, ...
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise UnreadableFile(f"{name} is not a readable PDF ({reason})") from exc


def _title_from(text: str, fallback: str) -> str:
    match = re.search(r"^#{1,6} (.+)$", text, re.MULTILINE)
    if match:
        return match.group(1).strip()
    first = next(split_paragraphs(text), None)
    title = title_line(first.text) if first else None
    return title or fallback


def display_name(path: Path) -> str:
    """The path as text that can be printed and stored (undecodable bytes of a name shown as \\xNN)."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def _check_regular_file(path: Path, name: str, limits: IngestSettings) -> None:
    try:
        info = path.stat()
    except PermissionError as exc:
        raise UnreadableFile(f"{name} cannot be read (permission denied); check its permissions") from exc
    except OSError as exc:
        raise UnreadableFile(f"{name} cannot be read: {exc.strerror or exc}") from exc
    if stat.S_ISDIR(info.st_mode):
        raise UnreadableFile(f"{name} is a directory")
    if not stat.S_ISREG(info.st_mode):
        # Opening a FIFO or a device would block or never end.
        raise UnsupportedFile(f"{name} is not a regular file (a pipe, socket or device); give a file")
    if info.st_size > limits.max_file_mb * 1_000_000:
        raise FileTooLarge(
            f"{name} is {info.st_size / 1_000_000:.1f} MB, above the {limits.max_file_mb:g} MB limit "
            "(CITECHAT_INGEST__MAX_FILE_MB); split it into smaller files"
        )


def load_file(path: Path, *, limits: IngestSettings | None = None, source: str | None = None) -> LoadedDocument:
    """Load one file.

    Args:
        path: the file.
        limits: size limits (defaults when omitted).
        source: the name to store it under (default: its absolute path).

    Raises:
        SourceNotFound, UnsupportedFile, UnreadableFile, FileTooLarge, EmptyDocument
    """
    limits = limits or IngestSettings()
    name = display_name(path)
    if not path.exists() and not path.is_symlink():
        raise SourceNotFound(f"{name} does not exist; check the path")
    if not path.exists():
        raise SourceNotFound(f"{name} is a broken link; check where it points")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedFile(
            f"{name}: unsupported file type {suffix or '(none)'}; supported: " + ", ".join(sorted(SUPPORTED_SUFFIXES))
        )
    if source is None:
        try:
            source = str(path.resolve()).encode("utf-8").decode("utf-8")
        except UnicodeEncodeError as exc:
            raise UnsupportedFile(f"{name}: the file name is not valid UTF-8; rename the file") from exc
    _check_regular_file(path, name, limits)
    notices: tuple[str, ...] = ()
    try:
        if suffix == ".pdf":
            text, title = pdf_to_text(path, max_chars=limits.max_chars)
        else:
            text, notices = decode_bytes(path.read_bytes(), name=name)
            title = ""
            if suffix in (".html", ".htm"):
                text, title = html_to_text(text)
    except PermissionError as exc:
        raise UnreadableFile(f"{name} cannot be read (permission denied); check its permissions") from exc
    except OSError as exc:
        raise UnreadableFile(f"{name} cannot be read: {exc.strerror or exc}") from exc
    text = normalise_text(text)
    if not text.strip():
        raise EmptyDocument(f"{name} has no text to index (empty or whitespace only)")
    if len(text) > limits.max_chars:
        raise FileTooLarge(
            f"{name} holds {len(text):,} characters of text, above the {limits.max_chars:,} limit "
            "(CITECHAT_INGEST__MAX_CHARS); split it into smaller files"
        )
    return LoadedDocument(
        source=source,
        title=title or _title_from(text, path.stem),
        language=detect(text),
        text=text,
        origin="file",
        notices=notices,
    )


def expand_paths(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """Files to ingest and notices: the given files, and the supported files found under given directories.

    A file under a directory whose name is not valid UTF-8 is skipped with a notice (it could not be
    stored or shown); a file given by name is never skipped silently.

    Raises:
        SourceNotFound: a path does not exist.
        EmptyDocument: a directory holds no supported file.
    """
    files: list[Path] = []
    notices: list[str] = []
    for path in paths:
        if not path.exists():
            raise SourceNotFound(f"{display_name(path)} does not exist; check the path")
        if path.is_dir():
            found = []
            for candidate in sorted(path.rglob("*")):
                if candidate.name.startswith(".") or candidate.suffix.lower() not in SUPPORTED_SUFFIXES:
                    continue
                if not _valid_name(candidate):
                    notices.append(f"skipped {display_name(candidate)}: its name is not valid UTF-8; rename it")
                    continue
                if candidate.is_file():
                    found.append(candidate)
            if not found:
                raise EmptyDocument(
                    f"{display_name(path)} contains no supported files ({', '.join(sorted(SUPPORTED_SUFFIXES))})"
                )
            files.extend(found)
        else:
            files.append(path)
    return list(dict.fromkeys(files)), notices


def _valid_name(path: Path) -> bool:
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def load_bundled() -> LoadedDocument:
    """The bundled AFP article, the default corpus."""
    corpus = resources.files("ingest") / "corpus"
    meta = json.loads((corpus / "kim-russie-afp.json").read_text(encoding="utf-8"))
    text = normalise_text((corpus / BUNDLED_NAME).read_text(encoding="utf-8"))
    return LoadedDocument(
        source=BUNDLED_NAME, title=meta["title"], language=meta["language"], text=text, origin=meta["source"]
    )


def load_text(text: str, *, source: str, title: str = "", origin: str = "pasted",
              limits: IngestSettings | None = None) -> LoadedDocument:
    """A document from text typed or pasted by the user (the browser's paste box).

    Raises:
        EmptyDocument, FileTooLarge
    """
    limits = limits or IngestSettings()
    text = normalise_text(text)
    if not text.strip():
        raise EmptyDocument("the pasted text is empty; paste the article's text")
    if len(text) > limits.max_chars:
        raise FileTooLarge(f"the pasted text holds {len(text):,} characters, above the {limits.max_chars:,} limit")
    if _looks_binary(text):
        raise UnsupportedFile("the pasted text holds control characters; paste plain text")
    return LoadedDocument(source=source, title=title or _title_from(text, source), language=detect(text), text=text,
                          origin=origin)
