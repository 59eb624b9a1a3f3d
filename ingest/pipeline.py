"""Load -> split -> write: ingestion with stable ids, idempotent re-runs and replacement of changed files."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ingest.load import LoadedDocument, expand_paths, load_bundled, load_file
from ingest.split import DEFAULT_CHUNK_CHARS, split_chunks
from store import DocumentMeta, EmbeddingSettings, Store, StoreSettings, open_store

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentReport:
    """What ingesting one document did."""

    source: str
    added: int
    unchanged: int
    removed: int


@dataclass(frozen=True)
class IngestReport:
    """What one ingest run did, for the one-line summary."""

    documents: tuple[DocumentReport, ...] = field(default_factory=tuple)
    seconds: float = 0.0

    @property
    def added(self) -> int:
        return sum(d.added for d in self.documents)

    @property
    def unchanged(self) -> int:
        return sum(d.unchanged for d in self.documents)

    @property
    def removed(self) -> int:
        return sum(d.removed for d in self.documents)

    def summary(self) -> str:
        """One line: documents, chunks added/unchanged/removed, seconds."""
        return (
            f"{len(self.documents)} document(s): {self.added} chunks added, {self.unchanged} unchanged, "
            f"{self.removed} removed in {self.seconds:.1f} s"
        )


def load_sources(paths: Sequence[Path]) -> list[LoadedDocument]:
    """Load every file first, so that one bad file fails the run before anything is written."""
    return [load_file(path) for path in expand_paths(list(paths))]


def ingest_documents(
    store: Store,
    documents: Sequence[LoadedDocument],
    *,
    chunk_chars: int = DEFAULT_CHUNK_CHARS,
    show_progress: bool | None = None,
) -> IngestReport:
    """Split and write ``documents`` into ``store``; unchanged documents are skipped."""
    started = time.perf_counter()
    if show_progress is None:
        show_progress = sys.stderr.isatty()
    reports = []
    for document in documents:
        chunks = list(split_chunks(document.text, max_chars=chunk_chars))
        meta = DocumentMeta(
            source=document.source, title=document.title, language=document.language, origin=document.origin
        )
        bar = None
        if show_progress:
            from tqdm import tqdm

            total = len(chunks) + sum(len(c.sentences) for c in chunks)
            bar = tqdm(total=total, desc=Path(document.source).name[:30], unit="rec", leave=False)
        try:
            result = store.write_document(meta, document.text, chunks, progress=bar.update if bar else None)
        finally:
            if bar:
                bar.close()
        logger.info("%s: %d added, %d unchanged, %d removed", document.source, result.added,
                    result.unchanged, result.removed)
        reports.append(DocumentReport(document.source, result.added, result.unchanged, result.removed))
    return IngestReport(tuple(reports), time.perf_counter() - started)


def stored_documents(store: Store) -> list[LoadedDocument]:
    """Every stored document with its text, so a rebuild can re-embed without the original files."""
    return [
        LoadedDocument(source=d.source, title=d.title, language=d.language, text=store.document_text(d.doc_id))
        for d in store.documents()
    ]


def ensure_bundled(store: Store) -> IngestReport | None:
    """Ingest the bundled article when the store holds no document at all."""
    if store.documents():
        return None
    return ingest_documents(store, [load_bundled()], show_progress=False)


def rebuild_store(
    store_settings: StoreSettings,
    embedding_settings: EmbeddingSettings,
    documents: Sequence[LoadedDocument],
    *,
    show_progress: bool | None = None,
) -> tuple[Store, IngestReport]:
    """Drop the collections and re-embed every stored document (plus ``documents``) with the current model.

    The stored texts are read before anything is dropped, so the original files are not needed.
    """
    old = open_store(store_settings, embedding_settings, check_model=False)
    replaced = {d.source for d in documents}
    everything = [d for d in stored_documents(old) if d.source not in replaced] + list(documents)
    old.reset()
    store = open_store(store_settings, embedding_settings, embeddings=old.embeddings)
    return store, ingest_documents(store, everything or [load_bundled()], show_progress=show_progress)
