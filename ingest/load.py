"""Loading files into normalised text plus metadata (the only file I/O of ingest)."""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ingest.errors import EmptyDocument, SourceNotFound, UnreadableFile, UnsupportedFile
from store.lexical import guess_language

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".pdf"})
BUNDLED_NAME = "kim-russie-afp.txt"
_BLOCK_TAGS = (
    "p div section article header footer aside li ul ol table tr blockquote pre figure figcaption br hr main nav dd dt"
)
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")


@dataclass(frozen=True)
class LoadedDocument:
    """A document's normalised text and what we know about it."""

    source: str
    title: str
    language: str
    text: str
    origin: str = ""


def normalise_text(text: str) -> str:
    """Unify newlines and compose characters (NFC); the result is the text offsets refer to."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return unicodedata.normalize("NFC", text)


def decode_bytes(raw: bytes, *, name: str = "file") -> str:
    """Decode text bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252/latin-1 news files.

    Raises:
        UnsupportedFile: the bytes are binary rather than text.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if b"\x00" in raw[:8192]:
        raise UnsupportedFile(f"{name} looks like a binary file, not text; give a .txt, .md, .html or .pdf")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(raw).best()
        text = str(best) if best is not None else raw.decode("latin-1")
    if _looks_binary(text):
        raise UnsupportedFile(f"{name} looks like a binary file, not text; give a .txt, .md, .html or .pdf")
    return text


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    controls = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f")
    return bool(sample) and controls / len(sample) > 0.05


def html_to_text(html: str) -> tuple[str, str]:
    """Visible text of an HTML page (blocks as paragraphs, headings as ``#`` lines) and its title."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "head", "svg", "iframe", "object"]):
        if tag.name == "head":
            continue
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


def pdf_to_text(path: Path) -> str:
    """Text of a PDF, pages separated as paragraphs."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise UnreadableFile(f"{path} is an encrypted PDF; decrypt it first")
        return "\n\n".join((page.extract_text() or "").strip() for page in reader.pages)
    except (PdfReadError, ValueError, KeyError) as exc:
        raise UnreadableFile(f"{path} is not a readable PDF ({exc})") from exc


def _title_from(text: str, fallback: str) -> str:
    match = re.search(r"^#{1,6} (.+)$", text, re.MULTILINE)
    if match:
        return match.group(1).strip()
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    return first[:120] if first and len(first) <= 120 else fallback


def load_file(path: Path) -> LoadedDocument:
    """Load one file.

    Raises:
        SourceNotFound, UnsupportedFile, UnreadableFile, EmptyDocument
    """
    if not path.exists():
        raise SourceNotFound(f"{path} does not exist; check the path")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedFile(
            f"{path}: unsupported file type {suffix or '(none)'}; supported: "
            + ", ".join(sorted(SUPPORTED_SUFFIXES))
        )
    try:
        if suffix == ".pdf":
            text, title = pdf_to_text(path), ""
        else:
            text = decode_bytes(path.read_bytes(), name=str(path))
            title = ""
            if suffix in (".html", ".htm"):
                text, title = html_to_text(text)
    except PermissionError as exc:
        raise UnreadableFile(f"{path} cannot be read (permission denied); check its permissions") from exc
    except IsADirectoryError as exc:
        raise UnreadableFile(f"{path} is a directory") from exc
    except OSError as exc:
        raise UnreadableFile(f"{path} cannot be read: {exc.strerror or exc}") from exc
    text = normalise_text(text)
    if not text.strip():
        raise EmptyDocument(f"{path} has no text to index (empty or whitespace only)")
    source = str(path.resolve())
    return LoadedDocument(
        source=source,
        title=title or _title_from(text, path.stem),
        language=guess_language(text[:20_000]),
        text=text,
        origin="file",
    )


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files to ingest: the given files, and the supported files found under given directories.

    Raises:
        SourceNotFound: a path does not exist.
        EmptyDocument: a directory holds no supported file.
    """
    files: list[Path] = []
    for path in paths:
        if not path.exists():
            raise SourceNotFound(f"{path} does not exist; check the path")
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith(".")
            )
            if not found:
                raise EmptyDocument(
                    f"{path} contains no supported files ({', '.join(sorted(SUPPORTED_SUFFIXES))})"
                )
            files.extend(found)
        else:
            files.append(path)
    return list(dict.fromkeys(files))


def load_bundled() -> LoadedDocument:
    """The bundled AFP article, the default corpus."""
    corpus = resources.files("ingest") / "corpus"
    meta = json.loads((corpus / "kim-russie-afp.json").read_text(encoding="utf-8"))
    text = normalise_text((corpus / BUNDLED_NAME).read_text(encoding="utf-8"))
    return LoadedDocument(
        source=BUNDLED_NAME, title=meta["title"], language=meta["language"], text=text, origin=meta["source"]
    )
