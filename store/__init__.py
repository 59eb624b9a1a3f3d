"""Chroma storage for citechat: client factory, the embedding model, collections and lexical terms."""

from store.config import EmbeddingSettings, StoreSettings
from store.errors import EmbeddingMismatch, ModelBuildError, StoreError, StoreOutdated, StoreUnavailable
from store.vectorstore import DocumentMeta, Store, StoredDocument, StoredSentence, WriteResult, open_store

__all__ = [
    "DocumentMeta",
    "EmbeddingMismatch",
    "EmbeddingSettings",
    "ModelBuildError",
    "Store",
    "StoreError",
    "StoreOutdated",
    "StoreSettings",
    "StoreUnavailable",
    "StoredDocument",
    "StoredSentence",
    "WriteResult",
    "open_store",
]
