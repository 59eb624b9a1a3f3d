"""Ingestion: files -> normalised text -> sentences and chunks with exact offsets -> the store."""

from ingest.errors import EmptyDocument, IngestError, SourceNotFound, UnreadableFile, UnsupportedFile
from ingest.load import LoadedDocument, load_bundled, load_file
from ingest.pipeline import IngestReport, ensure_bundled, ingest_documents, load_sources, rebuild_store

__all__ = [
    "EmptyDocument",
    "IngestError",
    "IngestReport",
    "LoadedDocument",
    "SourceNotFound",
    "UnreadableFile",
    "UnsupportedFile",
    "ensure_bundled",
    "ingest_documents",
    "load_bundled",
    "load_file",
    "load_sources",
    "rebuild_store",
]
