"""Chroma storage for citechat: client, embedding model, collections, lexical index and language data."""

from store.config import EmbeddingSettings, StoreSettings
from store.errors import (
    EmbeddingMismatch,
    ModelBuildError,
    StoreBusy,
    StoreError,
    StoreOutdated,
    StoreUnavailable,
)
from store.vectorstore import DocumentMeta, Store, StoredDocument, WriteResult, document_id, open_store

__all__ = [
    "DocumentMeta",
    "EmbeddingMismatch",
    "EmbeddingSettings",
    "ModelBuildError",
    "Store",
    "StoreBusy",
    "StoreError",
    "StoreOutdated",
    "StoreSettings",
    "StoreUnavailable",
    "StoredDocument",
    "WriteResult",
    "document_id",
    "open_store",
]
