"""Loading files: encodings, HTML, PDF, and every bad input with a clear error."""

from __future__ import annotations

import os

import pytest

from ingest import EmptyDocument, SourceNotFound, UnreadableFile, UnsupportedFile, load_file
from ingest.load import decode_bytes, expand_paths, load_bundled

FRENCH = "Le dirigeant nord-coréen a reçu « cinq drones » à Vladivostok.\n\nÀ bientôt, Choïgou."


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF with ``text`` in Helvetica, offsets computed so pypdf reads it strictly."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
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


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"])
def test_text_encodings_are_decoded(tmp_path, encoding):
    path = tmp_path / "article.txt"
    path.write_bytes(FRENCH.encode(encoding))
    document = load_file(path)
    assert document.text == FRENCH
    assert document.language == "fr"


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


def test_markdown_title_and_directories(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.md").write_text("# Titre\n\nTexte.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Autre texte.", encoding="utf-8")
    (tmp_path / "ignored.bin").write_bytes(b"\x00\x01")
    files = expand_paths([tmp_path])
    assert [f.name for f in files] == ["b.txt", "a.md"]
    assert load_file(tmp_path / "sub" / "a.md").title == "Titre"


def test_bundled_article_metadata():
    document = load_bundled()
    assert document.source == "kim-russie-afp.txt"
    assert document.origin == "AFP" and document.language == "fr"
    assert document.title


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
