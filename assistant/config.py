"""citechat settings: one frozen object, read from ``CITECHAT_*`` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from store.config import EmbeddingSettings, StoreSettings

DEFAULT_K = 3
DEFAULT_CANDIDATES = 24


class RetrievalSettings(BaseModel):
    """Hybrid retrieval, answer selection and abstention; defaults measured on tests/data/questions.jsonl."""

    model_config = ConfigDict(frozen=True)

    k: int = Field(default=DEFAULT_K, ge=1, le=10, description="Most sentences an answer may cite.")
    candidates: int = Field(default=DEFAULT_CANDIDATES, ge=1, description="Dense hits fetched per query.")
    mode: str = Field(default="hybrid", pattern="^(hybrid|dense|lexical)$", description="Retrieval signals used.")
    lexical_weight: float = Field(default=0.12, ge=0, description="Weight of the saturated BM25 score.")
    bm25_saturation: float = Field(default=4.0, gt=0, description="BM25 score that counts as half a match.")
    # Calibrated by a grid search on tests/data/questions.jsonl (see README "Abstention"): English
    # questions on French text score lower cosines, hence a threshold per question language.
    min_dense_fr: float = Field(default=0.81, description="Cosine above which a French question is answered.")
    min_dense_en: float = Field(default=0.805, description="Cosine above which an English question is answered.")
    min_dense_with_terms: float = Field(
        default=0.76, description="Lower cosine accepted when the passage covers the question's words."
    )
    min_coverage: float = Field(default=0.3, description="Share of question terms (IDF-weighted) that counts.")
    min_lead: float = Field(
        default=0.05, description="Lead over the runner-up that counts like coverage for a lower cosine."
    )
    second_sentence_margin: float = Field(
        default=0.02, ge=0, description="How close to the best a further sentence must score to be cited."
    )
    several_margin: float = Field(
        default=0.03, ge=0, description="The same, when the question asks for several things (quels…, which…s)."
    )


class UISettings(BaseModel):
    """The Gradio chat server."""

    model_config = ConfigDict(frozen=True)

    host: str = Field(default="127.0.0.1", description="Interface to listen on.")
    port: int = Field(default=7860, description="Port to listen on.")
    auth: str | None = Field(default=None, description="`user:password` to require a login.")
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
    passages: int = Field(default=4, ge=1, le=10, description="Most numbered passages given to the model.")
    # Measured with `citechat eval --compare llm.passage_margin=…` (README "Generative answers"): far
    # runner-ups give the small model passages to cite that do not answer.
    passage_margin: float = Field(
        default=0.03, ge=0, description="How close to the best fused score a passage must be to reach the model."
    )
    timeout: float = Field(default=120.0, gt=0, description="Seconds before a server request fails.")


class Settings(BaseSettings):
    """All citechat settings; build once at the entry point and pass down."""

    model_config = SettingsConfigDict(
        env_prefix="CITECHAT_", env_nested_delimiter="__", frozen=True, extra="ignore"
    )

    store: StoreSettings = Field(default_factory=StoreSettings, description="Where Chroma lives.")
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings, description="Embedding model.")
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings, description="Retrieval tuning.")
    ui: UISettings = Field(default_factory=UISettings, description="Chat server.")
    llm: LLMSettings = Field(default_factory=LLMSettings, description="Generative answers.")
