"""citechat settings: one frozen object, read from ``CITECHAT_*`` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from ingest.config import IngestSettings
from store.config import EmbeddingSettings, StoreSettings

DEFAULT_K = 3
DEFAULT_STAGES = "answer_type,echo,low_score"


class RetrievalSettings(BaseModel):
    """Retrieval, checks and selection. Thresholds come from the calibration fitted on public data
    (``assistant/calibration``); the overrides here are for measuring, not tuning."""

    model_config = ConfigDict(frozen=True)

    k: int = Field(default=DEFAULT_K, ge=1, le=10, description="Most sentences an answer may cite.")
    dense_candidates: int = Field(default=20, ge=1, le=200, description="Nearest sentences fetched by cosine.")
    lexical_candidates: int = Field(default=20, ge=0, le=200, description="Best sentences fetched by BM25.")
    mode: str = Field(default="hybrid", pattern="^(hybrid|dense|lexical)$", description="Retrieval signals used.")
    stages: str = Field(
        default=DEFAULT_STAGES,
        pattern=r"^[a-z_]*(,[a-z_]+)*$",
        description="Checks applied, comma-separated: answer_type, echo, low_score (empty: never abstain).",
    )
    threshold: float | None = Field(
        default=None, ge=0, le=1,
        description="One threshold for every language instead of the calibrated per-language ones (measuring only).",
    )
    context: bool = Field(
        default=True,
        description="Follow a quote that leans on the sentence before it (\"She added…\") with that one, and, when the "
        "question asks what someone said, a sentence naming a speaker with the quote after it ('\"…,\" she said').",
    )
    unsure_below: float = Field(
        default=0.5, ge=0, le=1,
        description="An answer whose calibrated score is below this says the article may not answer (0: never).",
    )
    unsure_sentence_below: float = Field(
        default=0.1, ge=0, le=1,
        description="An answer whose best sentence's calibrated probability of holding the answer is below this "
        "says the article may not answer, whatever its score (0: never).",
    )
    several: float | None = Field(
        default=None, ge=0, le=1,
        description="Override of the calibrated ratio to the best probability a further cited sentence needs.",
    )

    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(n for n in self.stages.split(",") if n)


class UISettings(BaseModel):
    """The Gradio chat server."""

    model_config = ConfigDict(frozen=True)

    host: str = Field(default="127.0.0.1", description="Interface to listen on.")
    port: int = Field(default=7860, description="Port to listen on.")
    auth: str | None = Field(
        default=None, description="`user:password` to require a login (the CLI also reads @FILE or env:VAR)."
    )
    share: bool = Field(default=False, description="Create a public Gradio share link (off unless asked).")


class LLMSettings(BaseModel):
    """Optional language model for generative answers; ``none`` keeps the extractive answer."""

    model_config = ConfigDict(frozen=True)

    provider: Literal["none", "llamacpp", "openai", "ollama"] = Field(
        default="none", description="none (extractive), llamacpp (local GGUF), openai (compatible server), ollama."
    )
    model_path: Path | None = Field(default=None, description="GGUF file for the llamacpp provider.")
    base_url: str | None = Field(default=None, description="Server URL for openai / ollama providers.")
    model: str = Field(default="", description="Model name on the server (openai / ollama).")
    api_key: SecretStr | None = Field(default=None, description="API key (else OPENAI_API_KEY).")
    temperature: float = Field(default=0.0, ge=0, description="Sampling temperature.")
    max_tokens: int = Field(default=200, ge=16, description="Longest generated answer, in tokens.")
    n_ctx: int = Field(default=2048, ge=512, description="Context window for llamacpp.")
    # The model sees the passages the extractive answer would cite (the calibrated selection), at most this many:
    # far runner-ups gave the small model passages to cite that did not answer.
    passages: int = Field(default=4, ge=1, le=10, description="Most numbered passages given to the model.")
    timeout: float = Field(default=120.0, gt=0, description="Seconds before a server request fails.")


class Settings(BaseSettings):
    """All citechat settings; build once at the entry point and pass down."""

    model_config = SettingsConfigDict(
        env_prefix="CITECHAT_", env_nested_delimiter="__", frozen=True, extra="ignore"
    )

    store: StoreSettings = Field(default_factory=StoreSettings, description="Where Chroma lives.")
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings, description="Embedding model.")
    ingest: IngestSettings = Field(default_factory=IngestSettings, description="Limits on ingested files.")
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings, description="Retrieval tuning.")
    ui: UISettings = Field(default_factory=UISettings, description="Chat server.")
    llm: LLMSettings = Field(default_factory=LLMSettings, description="Generative answers.")
    malloc_arenas: int = Field(
        default=2, ge=0, le=64, description="glibc malloc arenas of a citechat process (0: glibc's default)."
    )
