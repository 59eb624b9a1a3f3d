"""Ingestion: files -> normalised text -> sentences with exact offsets -> the store."""

from ingest.config import IngestSettings
from ingest.errors import (
    EmptyDocument,
    FileTooLarge,
    IngestError,
    SourceNotFound,
    UnreadableFile,
    UnsupportedFile,
)
from ingest.load import LoadedDocument, load_bundled, load_file, load_text
from ingest.pipeline import IngestReport, ensure_bundled, ingest_documents, load_sources, rebuild_store, resplit_stored

__all__ = [
    "EmptyDocument",
    "FileTooLarge",
    "IngestError",
    "IngestReport",
    "IngestSettings",
    "LoadedDocument",
    "SourceNotFound",
    "UnreadableFile",
    "UnsupportedFile",
    "ensure_bundled",
    "ingest_documents",
    "load_bundled",
    "load_file",
    "load_sources",
    "load_text",
    "rebuild_store",
    "resplit_stored",
]
