"""Loading files: encodings (mixed ones too), HTML, PDF, and every bad input with one clear error."""

from __future__ import annotations

import os
import zlib

import pytest

from ingest import (
    EmptyDocument,
    FileTooLarge,
    IngestSettings,
    SourceNotFound,
    UnreadableFile,
    UnsupportedFile,
    load_file,
)
from ingest.load import decode_bytes, expand_paths, load_bundled, load_text

FRENCH = "Le dirigeant nord-coréen a reçu « cinq drones » à Vladivostok.\n\nÀ bientôt, Choïgou."


def pdf_bytes(objects: list[bytes]) -> bytes:
    """A PDF with these objects, offsets computed so pypdf reads it strictly."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def minimal_pdf(text: str, *, stream: bytes | None = None, filters: bytes = b"") -> bytes:
    """A one-page PDF showing ``text`` in Helvetica (or holding ``stream`` as its content)."""
    content = stream if stream is not None else f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    return pdf_bytes([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d %s>>\nstream\n" % (len(content), filters) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ])


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"])
def test_text_encodings_are_decoded(tmp_path, encoding):
    path = tmp_path / "article.txt"
    path.write_bytes(FRENCH.encode(encoding))
    document = load_file(path)
    assert document.text == FRENCH
    assert document.language == "fr"


def test_mixed_encodings_are_decoded_line_by_line_and_reported(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_bytes("Première ligne en UTF-8 : élève.\n\n".encode() + "Deuxième en cp1252 : été.".encode("cp1252"))
    document = load_file(path)
    assert document.text == "Première ligne en UTF-8 : élève.\n\nDeuxième en cp1252 : été."
    assert "Ã" not in document.text  # no mojibake
    assert len(document.notices) == 1 and "mixes encodings" in document.notices[0]
    text, notices = decode_bytes("Tout en cp1252 : été.".encode("cp1252"))
    assert text == "Tout en cp1252 : été." and "not UTF-8" in notices[0]


def test_text_is_nfc_with_unix_newlines(tmp_path):
    path = tmp_path / "nfd.txt"
    path.write_bytes("Cre\u0301e\u0301 a\u0300 Moscou.\r\nFin.".encode())
    assert load_file(path).text == "Créé à Moscou.\nFin."


def test_html_keeps_visible_text_only(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Visite</title><style>p{}</style><script>alert(1)</script></head>"
        "<body><h1>Kim en Russie</h1><p>Kim a reçu des <b>drones</b>.</p><p>Fin.</p></body></html>",
        encoding="utf-8",
    )
    document = load_file(path)
    assert document.title == "Visite"
    assert "alert" not in document.text and "p{}" not in document.text
    assert "# Kim en Russie" in document.text and "Kim a reçu des drones." in document.text


def test_pdf_text_is_extracted(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(minimal_pdf("Kim a recu cinq drones explosifs."))
    assert "cinq drones explosifs" in load_file(path).text


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n" + bytes(range(256)) * 20,  # fuzz: a PDF header and noise
        minimal_pdf("x")[:300],  # truncated
        minimal_pdf("", stream=zlib.compress(b"0 0 m " * 20_000_000, 9), filters=b"/Filter /FlateDecode "),
        minimal_pdf("", stream=b"\x78\x9c" + b"\xff" * 500, filters=b"/Filter /FlateDecode "),  # broken flate
    ],
    ids=["noise", "truncated", "flate-bomb", "broken-flate"],
)
def test_hostile_or_broken_pdfs_are_one_clear_error(tmp_path, content):
    path = tmp_path / "hostile.pdf"
    path.write_bytes(content)
    try:
        document = load_file(path)
    except (UnreadableFile, EmptyDocument, FileTooLarge) as exc:
        assert "\n" not in str(exc) and "hostile.pdf" in str(exc)
    else:  # a parser may recover some text from a broken file: it must still be a plain document
        assert isinstance(document.text, str)


def test_markdown_title_and_directories(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.md").write_text("# Titre\n\nTexte.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Autre texte.", encoding="utf-8")
    (tmp_path / "ignored.bin").write_bytes(b"\x00\x01")
    files, notices = expand_paths([tmp_path])
    assert [f.name for f in files] == ["b.txt", "a.md"] and notices == []
    assert load_file(tmp_path / "sub" / "a.md").title == "Titre"


def test_a_title_line_becomes_the_title(tmp_path):
    path = tmp_path / "normans.txt"
    path.write_text("Normans\n\nThe Normans gave their name to Normandy.", encoding="utf-8")
    document = load_file(path)
    assert document.title == "Normans" and document.language == "en"


def test_a_file_name_that_is_not_utf8_is_skipped_with_a_notice(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "good.txt").write_text("Un bon document.", encoding="utf-8")
    bad = os.fsdecode(b"caf\xe9.txt")  # latin-1 bytes in a name
    with open(os.path.join(os.fsencode(folder), os.fsencode(bad)), "w", encoding="utf-8") as handle:
        handle.write("Un document au nom illisible.")
    files, notices = expand_paths([folder])
    assert [f.name for f in files] == ["good.txt"]
    assert len(notices) == 1 and "caf\\xe9.txt" in notices[0] and "not valid UTF-8" in notices[0]


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "x.txt"
    os.mkfifo(fifo)
    with pytest.raises(UnsupportedFile, match="not a regular file"):
        load_file(fifo)


def test_size_limits_give_one_clear_line(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("Une phrase. " * 2000, encoding="utf-8")
    with pytest.raises(FileTooLarge, match=r"above the 0\.01 MB limit"):
        load_file(path, limits=IngestSettings(max_file_mb=0.01))
    with pytest.raises(FileTooLarge, match="characters of text"):
        load_file(path, limits=IngestSettings(max_chars=1000))


def test_bundled_article_metadata():
    document = load_bundled()
    assert document.source == "kim-russie-afp.txt"
    assert document.origin == "AFP" and document.language == "fr"
    assert document.title


def test_pasted_text():
    document = load_text("Normans\n\nThe Normans were Norse.", source="pasted: Normans")
    assert document.title == "Normans" and document.language == "en"
    with pytest.raises(EmptyDocument):
        load_text("   ", source="x")


def test_missing_path(tmp_path):
    with pytest.raises(SourceNotFound, match="does not exist"):
        load_file(tmp_path / "nope.txt")


def test_directory_without_documents(tmp_path):
    (tmp_path / "x.bin").write_bytes(b"1")
    with pytest.raises(EmptyDocument, match="no supported files"):
        expand_paths([tmp_path])


@pytest.mark.parametrize("content", [b"", b"   \n\t\n  "])
def test_empty_files(tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(EmptyDocument, match="no text"):
        load_file(path)


def test_binary_file_with_txt_name(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(UnsupportedFile, match="binary"):
        load_file(path)


def test_unsupported_extension(tmp_path):
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(UnsupportedFile, match=r"unsupported file type \.xlsx"):
        load_file(path)


def test_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "secret.txt"
    path.write_text("secret", encoding="utf-8")
    path.chmod(0)
    if os.access(path, os.R_OK):  # root reads anything: deny the read the way the OS would
        def deny(self):
            raise PermissionError(13, "Permission denied", str(self))

        monkeypatch.setattr(type(path), "read_bytes", deny)
    with pytest.raises(UnreadableFile, match="permission denied"):
        load_file(path)


def test_decode_rejects_nul_bytes():
    with pytest.raises(UnsupportedFile):
        decode_bytes(b"abc\x00def")
