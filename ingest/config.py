"""Settings section owned by ingest: limits on what a file may hold."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# Beyond these, embedding takes hours on a laptop CPU (EmbeddingGemma embeds about 10 sentences a second
# on 2 cores): refuse with a clear line rather than run silently for a day.
DEFAULT_MAX_FILE_MB = 50.0
DEFAULT_MAX_CHARS = 5_000_000


class IngestSettings(BaseModel):
    """Limits applied to every file given to ingest (CLI, browser upload, evaluation sets)."""

    model_config = ConfigDict(frozen=True)

    max_file_mb: float = Field(default=DEFAULT_MAX_FILE_MB, gt=0, description="Largest file accepted, in MB.")
    max_chars: int = Field(default=DEFAULT_MAX_CHARS, gt=0, description="Most characters of text per document.")
