"""The store: generations and a manifest, crash-safe writes, readers that follow writers, server mode."""

from __future__ import annotations

import subprocess

import pytest

from ingest import ingest_documents, load_bundled, load_file, rebuild_store
from store import StoreOutdated, StoreSettings, StoreUnavailable, open_store
from store.lexical import analyse
from store.vectorstore import SCHEMA_VERSION, Store
from tests.conftest import CITECHAT, cli_env


def every_citation_is_verbatim(store: Store) -> bool:
    for record in store.documents():
        text = store.document_text(record.doc_id)
        rows = store.lexicon.document_sentences(record.doc_id)
        if len(rows) != record.sentence_count or any(text[r.start : r.end] != r.text for r in rows):
            return False
    return True


def chroma_rows(store: Store) -> dict[str, set[str]]:
    """doc_id -> write ids of every sentence row Chroma holds (orphans included)."""
    sentences, _, _ = store._collections()
    got = store._run(lambda _c: sentences.get(include=["metadatas"]))
    out: dict[str, set[str]] = {}
    for m in got["metadatas"]:
        out.setdefault(m["doc_id"], set()).add(m["write_id"])
    return out


def test_manifest_records_generation_model_and_cosine_space(seeded_store):
    manifest = seeded_store.manifest
    assert manifest.model.startswith("embeddinggemma-300m@") and manifest.dimension == 768
    assert manifest.schema == SCHEMA_VERSION and manifest.revision >= 1
    sentences, _, _ = seeded_store._collections()
    assert sentences.configuration["hnsw"]["space"] == "cosine"
    assert every_citation_is_verbatim(seeded_store)


def test_the_title_line_is_metadata_and_never_a_sentence(fresh_store, tmp_path):
    path = tmp_path / "normans.txt"
    path.write_text("Normans\n\nThe Normans were Norse. They settled in Normandy.", encoding="utf-8")
    ingest_documents(fresh_store, [load_file(path)], show_progress=False)
    record = fresh_store.documents()[0]
    assert record.title == "Normans" and record.language == "en"
    assert [r.text for r in fresh_store.lexicon.document_sentences(record.doc_id)] == [
        "The Normans were Norse.", "They settled in Normandy."]


def test_reingesting_unchanged_writes_nothing_and_a_change_replaces_every_row(fresh_store, tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("Première phrase.\n\nDeuxième paragraphe. Avec deux phrases.", encoding="utf-8")
    first = ingest_documents(fresh_store, [load_file(path)], show_progress=False)
    assert (first.added, first.unchanged) == (3, 0)
    again = ingest_documents(fresh_store, [load_file(path)], show_progress=False)
    assert (again.added, again.unchanged, again.removed) == (0, 3, 0)
    revision = fresh_store.revision
    path.write_text("Tout a changé.\n\nVraiment tout.", encoding="utf-8")
    report = ingest_documents(fresh_store, [load_file(path)], show_progress=False)
    assert (report.added, report.removed) == (2, 3)
    assert fresh_store.revision > revision
    record = fresh_store.documents()[0]
    sentences = [r.text for r in fresh_store.lexicon.document_sentences(record.doc_id)]
    assert sentences == ["Tout a changé.", "Vraiment tout."]
    assert chroma_rows(fresh_store) == {record.doc_id: {record.write_id}}  # no stale rows left
    assert every_citation_is_verbatim(fresh_store)


def test_a_new_analysis_re_reads_the_stored_texts_without_re_embedding(fresh_settings, fresh_store, tmp_path):
    import sqlite3

    path = tmp_path / "bridge.txt"
    path.write_text("Bridges\n\nThe old bridge was built in 1890. It fell in 1990.", encoding="utf-8")
    ingest_documents(fresh_store, [load_file(path)], show_progress=False)
    doc_id, revision = fresh_store.documents()[0].doc_id, fresh_store.revision
    ids = chroma_rows(fresh_store)
    # As a lexicon written by an older analysis would be: another analyser name, other terms.
    with sqlite3.connect(fresh_store.lexicon.path) as db:
        db.execute("UPDATE meta SET value = '0-old' WHERE key = 'analyser'")
        db.execute("UPDATE sentences SET terms = 'stale'")
    fresh_store.lexicon.close()
    store = open_store(fresh_settings.store, fresh_settings.embedding, embeddings=fresh_store.embeddings)
    rows = store.lexicon.document_sentences(doc_id)
    assert [r.terms for r in rows] == [tuple(analyse(r.text, "en")) for r in rows] and "built" in rows[0].terms
    assert store.lexicon.search(analyse("When was the bridge built?", "en"), limit=1)[0][0] == rows[0].sid
    assert store.revision == revision and chroma_rows(store) == ids  # nothing re-embedded or rewritten


def test_remove_deletes_every_row(fresh_store):
    ingest_documents(fresh_store, [load_bundled()], show_progress=False)
    assert fresh_store.remove("kim-russie-afp.txt") == 25
    assert fresh_store.documents() == [] and chroma_rows(fresh_store) == {}
    assert fresh_store.lexicon.count() == 0
    assert fresh_store.remove("kim-russie-afp.txt") == 0


def test_a_failed_write_leaves_the_previous_version(fresh_store, tmp_path, monkeypatch):
    ingest_documents(fresh_store, [load_bundled()], show_progress=False)
    before = (fresh_store.revision, fresh_store.documents())
    path = tmp_path / "new.txt"
    path.write_text("Une phrase. " * 200, encoding="utf-8")
    calls = {"n": 0}
    original = fresh_store.embeddings.embed_documents

    def fail_on_second_batch(texts, **kwargs):  # the store dies half-way through the write
        calls["n"] += 1
        if calls["n"] == 2:
            raise ConnectionError("connection reset")
        return original(texts, **kwargs)

    monkeypatch.setattr(fresh_store.embeddings, "embed_documents", fail_on_second_batch)
    with pytest.raises(StoreUnavailable, match="failed"):
        ingest_documents(fresh_store, [load_file(path)], show_progress=False)
    assert (fresh_store.revision, fresh_store.documents()) == before
    assert set(chroma_rows(fresh_store)) == {before[1][0].doc_id}  # the half-written rows are gone


def test_opening_with_another_model_asks_to_reingest(fresh_store, embeddings):
    ingest_documents(fresh_store, [load_bundled()], show_progress=False)

    class Other:
        name = "some-other-model"
        dimension = 768

    with pytest.raises(StoreOutdated, match=r"embedded with 'embeddinggemma-300m.*run `citechat ingest`"):
        Store(fresh_store.handle, fresh_store.settings, Other())


def test_rebuild_switches_generation_and_keeps_every_document_without_its_file(fresh_store, tmp_path):
    path = tmp_path / "gone.txt"
    path.write_text("Ce fichier va disparaître. Son texte reste dans la base.", encoding="utf-8")
    ingest_documents(fresh_store, [load_bundled(), load_file(path)], show_progress=False)
    path.unlink()
    generation = fresh_store.generation
    report = rebuild_store(fresh_store, fresh_store.embeddings)
    assert report.added == 25 + 2
    assert fresh_store.generation != generation
    assert sorted(d.source for d in fresh_store.documents()) == sorted(["kim-russie-afp.txt", str(path.resolve())])
    names = fresh_store._collection_names()
    assert not any(f"-g{generation}-" in n for n in names)  # the old generation is dropped
    assert every_citation_is_verbatim(fresh_store)


def test_a_reader_follows_another_process_ingest(fresh_settings, fresh_store, tmp_path):
    ingest_documents(fresh_store, [load_bundled()], show_progress=False)
    path = tmp_path / "fusee.txt"
    path.write_text("La fusée Soyouz a décollé de Baïkonour avec trois astronautes à bord.", encoding="utf-8")
    done = subprocess.run([str(CITECHAT), "ingest", str(path)], env=cli_env(fresh_settings), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert fresh_store.refresh(force=True)  # the other process's write is seen...
    assert len(fresh_store.documents()) == 2
    hits = fresh_store.search(fresh_store.embed_query("Quelle fusée a décollé ?"), 3)
    rows = fresh_store.lexicon.sentences([sid for sid, _ in hits])
    assert any("Soyouz" in rows[sid].text for sid, _ in hits if sid in rows)  # ...and answerable


def test_an_older_citechat_store_is_upgraded_without_losing_a_document(fresh_settings, embeddings):
    from store.client import make_client

    # The layout citechat wrote before generations: three collections, texts in "-documents" pages.
    client = make_client(fresh_settings.store)
    documents = client.get_or_create_collection("citechat-documents", embedding_function=None)
    bundled = load_bundled()
    documents.add(ids=["x:p0"], documents=[bundled.text], embeddings=[[1.0]], metadatas=[{
        "doc_id": "x", "source": bundled.source, "title": bundled.title, "language": "fr", "origin": "AFP",
        "content_hash": "h", "chunk_count": 24, "sentence_count": 25, "chars": len(bundled.text), "pages": 1,
        "page": 0}])
    client.get_or_create_collection("citechat", embedding_function=None)
    client.get_or_create_collection("citechat-sentences", embedding_function=None)
    store = open_store(fresh_settings.store, fresh_settings.embedding, embeddings=embeddings, check_model=False)
    assert store.legacy
    with pytest.raises(StoreOutdated, match="older citechat"):
        store.check_model()
    rebuild_store(store, embeddings)
    assert not store.legacy and [d.source for d in store.documents()] == ["kim-russie-afp.txt"]
    assert "citechat-documents" not in store._collection_names()
    assert every_citation_is_verbatim(store)


def test_unreachable_server_names_the_url(embedding_settings, embeddings):
    settings = StoreSettings(host="127.0.0.1", port=9)
    with pytest.raises(StoreUnavailable, match=r"http://127\.0\.0\.1:9"):
        open_store(settings, embedding_settings, embeddings=embeddings)


@pytest.mark.server
def test_server_mode_runs_the_same_code(chroma_server, settings_for, embeddings, tmp_path):
    from assistant import Assistant

    settings = settings_for(tmp_path / "unused", host="127.0.0.1", port=chroma_server, collection="servertest")
    store = open_store(settings.store, settings.embedding, embeddings=embeddings)
    report = ingest_documents(store, [load_bundled()], show_progress=False)
    assert report.added == 25
    assert ingest_documents(store, [load_bundled()], show_progress=False).added == 0
    answer = Assistant(settings, store=store).answer("Quels cadeaux Kim a-t-il reçus ?")
    assert answer.grounded and "drones explosifs" in answer.text
    assert not (tmp_path / "unused").exists()
    assert every_citation_is_verbatim(store)


def test_collection_name_must_have_three_characters():
    with pytest.raises(ValueError):
        StoreSettings(collection="ab")


def test_the_vector_index_warms_in_the_background_without_touching_a_fresh_store(
    seeded_store, session_settings, tmp_path, caplog
):
    from store.client import handle_for
    from store.vectorstore import warm_vector_index

    caplog.set_level("DEBUG", logger="store.vectorstore")
    thread = warm_vector_index(seeded_store.handle, session_settings.store)
    thread.join(timeout=60)
    assert not thread.is_alive() and "warming the vector index failed" not in caplog.text  # it queried the index

    fresh = StoreSettings(path=tmp_path / "fresh", cache_dir=tmp_path / "cache")
    handle = handle_for(fresh)
    warm_vector_index(handle, fresh).join(timeout=60)
    assert handle.run(lambda client: client.list_collections()) == []  # nothing created, nothing to warm
    assert warm_vector_index(handle, StoreSettings(host="127.0.0.1", port=1, cache_dir=tmp_path)) is None
