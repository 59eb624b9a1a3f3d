"""Ingest end to end: idempotent, replaces changed documents, leaves the store intact on failure."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from assistant.cli import main
from ingest import ingest_documents, load_bundled, load_file


def test_reingesting_unchanged_document_writes_nothing(fresh_store):
    first = ingest_documents(fresh_store, [load_bundled()], show_progress=False)
    assert (first.added, first.unchanged, first.removed) == (24, 0, 0)
    second = ingest_documents(fresh_store, [load_bundled()], show_progress=False)
    assert (second.added, second.unchanged, second.removed) == (0, 24, 0)
    assert fresh_store.revision() == (25, 1)


def test_changed_document_replaces_all_old_chunks(fresh_store, tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("Première phrase.\n\nDeuxième paragraphe. Avec deux phrases.", encoding="utf-8")
    ingest_documents(fresh_store, [load_file(path)], show_progress=False)
    path.write_text("Tout a changé.\n\nVraiment tout.", encoding="utf-8")
    report = ingest_documents(fresh_store, [load_file(path)], show_progress=False)
    assert (report.added, report.removed) == (2, 2)
    texts = sorted(s.text for s in fresh_store.all_sentences())
    assert texts == ["Tout a changé.", "Vraiment tout."]
    doc = fresh_store.documents()[0]
    stored = fresh_store.document_text(doc.doc_id)
    assert all(stored[s.start : s.end] == s.text for s in fresh_store.all_sentences())


def test_remove_source(fresh_store):
    ingest_documents(fresh_store, [load_bundled()], show_progress=False)
    assert fresh_store.remove("kim-russie-afp.txt") == 24
    assert fresh_store.documents() == [] and fresh_store.revision() == (0, 0)


def test_failed_write_leaves_previous_state(fresh_store, tmp_path, monkeypatch):
    ingest_documents(fresh_store, [load_bundled()], show_progress=False)
    before = fresh_store.revision()
    path = tmp_path / "new.txt"
    path.write_text("Une phrase. " * 200, encoding="utf-8")
    calls = {"n": 0}
    original = fresh_store._add_batch

    def fail_on_second_batch(*args, **kwargs):  # the store dies half-way through the write
        calls["n"] += 1
        if calls["n"] == 2:
            raise ConnectionError("connection reset")
        return original(*args, **kwargs)

    monkeypatch.setattr(fresh_store, "_add_batch", fail_on_second_batch)
    from store import StoreUnavailable

    with pytest.raises(StoreUnavailable, match="failed"):
        ingest_documents(fresh_store, [load_file(path)], show_progress=False)
    assert fresh_store.revision() == before
    assert [d.source for d in fresh_store.documents()] == ["kim-russie-afp.txt"]


@pytest.fixture
def cli_env(tmp_path, model_cache):
    return {"CITECHAT_STORE__PATH": str(tmp_path / "cli-store"), "CITECHAT_EMBEDDING__CACHE_DIR": str(model_cache)}


def test_cli_ingest_sources_and_remove(cli_env, tmp_path):
    runner = CliRunner()
    first = runner.invoke(main, ["ingest"], env=cli_env)
    assert first.exit_code == 0, first.output
    assert "24 chunks added" in first.output
    again = runner.invoke(main, ["ingest"], env=cli_env)
    assert "0 chunks added, 24 unchanged" in again.output
    listed = runner.invoke(main, ["sources"], env=cli_env)
    assert "kim-russie-afp.txt\t24 chunks" in listed.output
    removed = runner.invoke(main, ["remove", "kim-russie-afp.txt"], env=cli_env)
    assert removed.exit_code == 0 and "24 chunks" in removed.output


def test_cli_ingest_upgrades_a_store_written_by_an_older_citechat(cli_env, tmp_path):
    from store import StoreSettings
    from store.client import make_client

    runner = CliRunner()
    assert runner.invoke(main, ["ingest"], env=cli_env).exit_code == 0
    chunks = make_client(StoreSettings(path=tmp_path / "cli-store")).get_collection("citechat")
    chunks.modify(metadata={**chunks.metadata, "citechat_schema": 1})  # as citechat wrote it before schema 2

    refused = runner.invoke(main, ["ask", "Qui est Kozlov ?"], env=cli_env)
    assert refused.exit_code == 1 and "schema 1, not 2" in refused.output and "--rebuild" in refused.output
    upgraded = runner.invoke(main, ["ingest"], env=cli_env)
    assert upgraded.exit_code == 0, upgraded.output
    assert "older citechat: re-embedding" in upgraded.output and "24 chunks added" in upgraded.output
    answered = runner.invoke(main, ["ask", "Qui est Kozlov ?"], env=cli_env)
    assert answered.exit_code == 0 and "Ressources naturelles" in answered.output
    listed = runner.invoke(main, ["sources"], env=cli_env)
    assert "kim-russie-afp.txt\t24 chunks" in listed.output  # nothing lost


def _bad_inputs(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (tmp_path / "table.xlsx").write_bytes(b"PK")
    (tmp_path / "nodocs").mkdir()
    (tmp_path / "nodocs" / "x.bin").write_bytes(b"1")
    return {
        "missing": (tmp_path / "missing.txt", "does not exist"),
        "empty": (tmp_path / "empty.txt", "no text"),
        "binary": (tmp_path / "binary.txt", "binary"),
        "extension": (tmp_path / "table.xlsx", "unsupported file type"),
        "no documents": (tmp_path / "nodocs", "no supported files"),
    }


def test_cli_bad_inputs_fail_cleanly_and_keep_the_store(cli_env, tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["ingest"], env=cli_env).exit_code == 0
    for name, (path, message) in _bad_inputs(tmp_path).items():
        result = runner.invoke(main, ["ingest", str(path)], env=cli_env)
        assert result.exit_code != 0, name
        assert message in result.output, (name, result.output)
        assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    listed = runner.invoke(main, ["sources"], env=cli_env)
    assert listed.output.count("\n") == 1 and "24 chunks" in listed.output


def test_cli_bad_file_among_good_writes_nothing(cli_env, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Une bonne phrase.", encoding="utf-8")
    result = CliRunner().invoke(main, ["ingest", str(good), str(tmp_path / "missing.txt")], env=cli_env)
    assert result.exit_code != 0
    assert "no documents" in CliRunner().invoke(main, ["sources"], env=cli_env).output


def test_cli_rebuild_reembeds_stored_documents(cli_env, tmp_path):
    note = tmp_path / "note.md"
    note.write_text("# Note\n\nKim aime la vodka.", encoding="utf-8")
    runner = CliRunner()
    runner.invoke(main, ["ingest"], env=cli_env)
    runner.invoke(main, ["ingest", str(note)], env=cli_env)
    result = runner.invoke(main, ["ingest", "--rebuild"], env=cli_env)
    assert result.exit_code == 0, result.output
    assert "2 document(s): 25 chunks added" in result.output


@pytest.mark.slow
def test_large_non_utf8_file_loads_and_splits_in_bounded_memory(tmp_path):
    import tracemalloc

    from ingest.split import split_chunks

    paragraph = ("Le dirigeant nord-coréen a reçu des drones à Vladivostok. " * 8 + "\n\n").encode("cp1252")
    path = tmp_path / "big.txt"
    with path.open("wb") as handle:
        for _ in range(50 * 1024 * 1024 // len(paragraph) + 1):
            handle.write(paragraph)
    assert path.stat().st_size >= 50 * 1024 * 1024
    tracemalloc.start()
    document = load_file(path)
    chunks = sum(1 for _ in split_chunks(document.text))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "nord-coréen" in document.text[:200]
    assert chunks > 100_000
    assert peak < 12 * path.stat().st_size
