"""Errors raised by the store package.

StoreError
 ├── StoreUnavailable   the Chroma store (directory or server) cannot be reached or opened
 ├── EmbeddingMismatch  the collection's vectors were built with another model, dimension or schema
 │    └── StoreOutdated  ... by an older citechat: `citechat ingest` re-embeds the stored texts
 └── ModelBuildError    the bundled embedding model could not be rebuilt or failed its check
"""

from __future__ import annotations


class StoreError(Exception):
    """Base class of every error raised by ``store``."""


class StoreUnavailable(StoreError):
    """The Chroma store cannot be reached or opened."""


class EmbeddingMismatch(StoreError):
    """The collection's vectors were built with another embedding model, dimension or schema version."""


class StoreOutdated(EmbeddingMismatch):
    """The store was written by an older citechat that embedded sentences differently."""


class ModelBuildError(StoreError):
    """The bundled embedding model could not be rebuilt."""
