"""Ingest end to end through the command line: idempotent, replaces changed documents, one-line errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from assistant.cli import main
from ingest import ingest_documents, load_bundled


@pytest.fixture
def env(fresh_settings):
    from tests.conftest import cli_env

    return cli_env(fresh_settings)


def run(env, *args: str):
    return CliRunner().invoke(main, list(args), env=env)


def test_cli_ingest_sources_and_remove(env):
    first = run(env, "ingest")
    assert first.exit_code == 0, first.output
    assert "25 sentences added" in first.output
    again = run(env, "ingest")
    assert "0 sentences added, 25 unchanged" in again.output
    listed = run(env, "sources")
    assert "kim-russie-afp.txt\t25 sentences\tfr\tKim Jong Un quitte la Russie" in listed.output
    removed = run(env, "remove", "kim-russie-afp.txt")
    assert removed.exit_code == 0 and "25 sentences" in removed.output
    assert "no documents" in run(env, "sources").output
    unknown = run(env, "remove", "nope.txt")
    assert unknown.exit_code == 1 and "no stored document 'nope.txt'" in unknown.output


def test_cli_ingest_reports_mixed_encodings_and_skipped_names(env, tmp_path):
    import os

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "mixed.txt").write_bytes("Ligne UTF-8 : élève.\n\n".encode() + "Ligne cp1252 : été.".encode("cp1252"))
    with open(os.path.join(os.fsencode(folder), b"caf\xe9.txt"), "w", encoding="utf-8") as handle:
        handle.write("Nom illisible.")
    result = run(env, "ingest", str(folder))
    assert result.exit_code == 0, result.output
    assert "mixes encodings" in result.output and "not valid UTF-8" in result.output
    assert "1 document(s)" in result.output


def _bad_inputs(tmp_path):
    import os

    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (tmp_path / "table.xlsx").write_bytes(b"PK")
    (tmp_path / "nodocs").mkdir()
    (tmp_path / "nodocs" / "x.bin").write_bytes(b"1")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 20)
    os.mkfifo(tmp_path / "pipe.txt")
    return {
        "missing": (tmp_path / "missing.txt", "does not exist"),
        "empty": (tmp_path / "empty.txt", "no text"),
        "binary": (tmp_path / "binary.txt", "binary"),
        "extension": (tmp_path / "table.xlsx", "unsupported file type"),
        "no documents": (tmp_path / "nodocs", "no supported files"),
        "broken pdf": (tmp_path / "broken.pdf", "not a readable PDF"),
        "fifo": (tmp_path / "pipe.txt", "not a regular file"),
    }


def test_cli_bad_inputs_fail_in_one_line_and_keep_the_store(env, tmp_path):
    assert run(env, "ingest").exit_code == 0
    for name, (path, message) in _bad_inputs(tmp_path).items():
        result = run(env, "ingest", str(path))
        assert result.exit_code != 0, name
        assert message in result.output, (name, result.output)
        assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1, name
    listed = run(env, "sources")
    assert listed.output.count("\n") == 1 and "25 sentences" in listed.output


def test_cli_bad_file_among_good_writes_nothing(env, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Une bonne phrase.", encoding="utf-8")
    result = run(env, "ingest", str(good), str(tmp_path / "missing.txt"))
    assert result.exit_code != 0
    assert "no documents" in run(env, "sources").output


def test_cli_rebuild_reembeds_stored_documents(env, tmp_path):
    note = tmp_path / "note.md"
    note.write_text("# Note\n\nKim aime la vodka.", encoding="utf-8")
    run(env, "ingest")
    run(env, "ingest", str(note))
    result = run(env, "ingest", "--rebuild")
    assert result.exit_code == 0, result.output
    assert "2 document(s): 26 sentences added" in result.output


def test_cli_ingest_upgrades_a_store_embedded_with_another_model(env, fresh_settings, embeddings):
    from store import open_store

    class OtherModel:  # a store embedded earlier with another model (as after a change of default)
        name = "multilingual-e5-small@old"
        dimension = 768

        def embed_documents(self, texts):
            return embeddings.embed_documents(texts)

    store = open_store(fresh_settings.store, fresh_settings.embedding, embeddings=OtherModel())
    ingest_documents(store, [load_bundled()], show_progress=False)
    refused = run(env, "ask", "Qui est Kozlov ?")
    assert refused.exit_code == 1 and "run `citechat ingest`" in refused.output
    upgraded = run(env, "ingest")
    assert upgraded.exit_code == 0, upgraded.output
    assert "re-embedding 1 stored document(s) with embeddinggemma-300m" in upgraded.output
    assert "25 sentences added" in upgraded.output
    answered = run(env, "ask", "Qui est Kozlov ?")
    assert answered.exit_code == 0 and "Kozlov" in answered.output


def test_a_document_an_older_splitter_cut_otherwise_is_written_again(env, fresh_store, tmp_path):
    from ingest import load_file
    from ingest.split import Sentence
    from store import DocumentMeta

    lone, pasted = tmp_path / "headline.txt", tmp_path / "pasted.txt"
    lone.write_text("Leeds approves a cycle network\n\n", encoding="utf-8")
    pasted.write_text("Bedford votes on housing\nThe council voted 30 to 12 for 400 homes.", encoding="utf-8")
    # The previous release took a lone line for a title over nothing (no sentence), and a headline on the line
    # above the first sentence for part of it: the same number of sentences as now, cut otherwise.
    older = {lone: [], pasted: [Sentence(0, len(pasted.read_text(encoding="utf-8")),
                                         pasted.read_text(encoding="utf-8"), 0)]}
    for path, sentences in older.items():
        document = load_file(path)
        fresh_store.write_document(DocumentMeta(source=document.source, title=document.title, language="en",
                                                origin=document.origin), document.text, sentences)
    again = run(env, "ingest", str(lone), str(pasted))
    assert again.exit_code == 0 and "2 sentences added, 0 unchanged" in again.output, again.output
    answered = run(env, "ask", "--source", str(lone), "What did Leeds approve?")
    assert answered.exit_code == 0 and "cycle network" in answered.output, answered.output
    voted = run(env, "ask", "--json", "--source", str(pasted), "How many homes did the council vote for?")
    assert json.loads(voted.output)["citations"][0]["text"] == "The council voted 30 to 12 for 400 homes."
    assert "0 sentences added, 2 unchanged" in run(env, "ingest", str(lone), str(pasted)).output
    # One sentence is "1 sentence", as a reader would write it.
    assert f"{lone}\t1 sentence\ten\t" in run(env, "sources").output


def test_a_stored_document_an_older_splitter_cut_is_cut_again_by_the_next_ingest(env, fresh_store, tmp_path):
    from ingest import load_file
    from ingest.split import SPLITTER, Sentence, split_document
    from store import DocumentMeta

    path = tmp_path / "uploaded.txt"
    path.write_text("Bedford votes on housing\n\nThe council voted 30 to 12 for 400 homes. Work starts in May.",
                    encoding="utf-8")
    document = load_file(path)
    start = document.text.index("The council")
    # An upload stored by an older release (no splitter version), its two sentences cut as one; its file is gone.
    fresh_store.write_document(DocumentMeta(source=document.source, title=document.title, language="en"),
                               document.text, [Sentence(start, len(document.text), document.text[start:], start)])
    path.unlink()
    first = run(env, "ingest")  # the bundled article: the command `make chat` runs
    assert first.exit_code == 0, first.output
    assert "re-split by this release: 1 document(s): 2 sentences added, 0 unchanged, 1 removed" in first.output
    fresh_store.refresh(force=True)
    record = fresh_store.find(document.source)
    assert record.splitter == SPLITTER and record.sentence_count == 2
    cut = [(s.start, s.end) for s in split_document(document.text, "en").sentences]
    assert [(r.start, r.end) for r in fresh_store.lexicon.document_sentences(record.doc_id)] == cut
    asked = run(env, "ask", "--json", "--source", document.source, "When does the work start?")
    assert json.loads(asked.output)["citations"][0]["text"] == "Work starts in May.", asked.output
    again = run(env, "ingest")
    assert again.exit_code == 0 and "re-split" not in again.output, again.output


def test_cli_questions_with_bad_text_get_one_line(env):
    run(env, "ingest")
    for question, message in (("   ", "empty"), ("Qui\x07 ?", "control characters"), ("Qui est \udcff ?", "UTF-8")):
        result = run(env, "ask", question)
        assert result.exit_code == 1 and message in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1
