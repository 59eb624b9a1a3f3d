"""Errors raised by the store package.

StoreError
 ├── StoreUnavailable   the Chroma store (directory or server) cannot be reached, opened or written
 ├── StoreBusy          another process is writing (ingest, removal, rebuild); try again when it is done
 ├── EmbeddingMismatch  the store's vectors were built with another model, dimension or schema
 │    └── StoreOutdated  ... by an older citechat or another model: `citechat ingest` re-embeds the stored texts
 └── ModelBuildError    the embedding model could not be assembled, verified or loaded
"""

from __future__ import annotations


class StoreError(Exception):
    """Base class of every error raised by ``store``."""


class StoreUnavailable(StoreError):
    """The Chroma store cannot be reached, opened or written."""


class StoreBusy(StoreError):
    """Another process holds the writers' lock."""


class EmbeddingMismatch(StoreError):
    """The store's vectors were built with another embedding model, dimension or schema version."""


class StoreOutdated(EmbeddingMismatch):
    """The store was written by an older citechat or with another model; ``citechat ingest`` re-embeds it."""


class ModelBuildError(StoreError):
    """The embedding model could not be assembled, verified or loaded."""
