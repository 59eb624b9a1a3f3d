"""Load -> split -> write: ingestion with stable ids, idempotent re-runs and crash-safe replacement."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ingest.config import IngestSettings
from ingest.load import LoadedDocument, expand_paths, load_bundled, load_file
from ingest.split import SPLITTER, split_document
from store import DocumentMeta, Store
from store.lang import detect

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentReport:
    """What ingesting one document did, in sentences."""

    source: str
    added: int
    unchanged: int
    removed: int
    repaired: bool = False


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
        """One line: documents, sentences added/unchanged/removed, seconds."""
        repaired = sum(d.repaired for d in self.documents)
        line = (
            f"{len(self.documents)} document(s): {self.added} sentence{'' if self.added == 1 else 's'} added, "
            f"{self.unchanged} unchanged, "
            f"{self.removed} removed in {self.seconds:.1f} s"
        )
        return line + (f" ({repaired} repaired)" if repaired else "")


def load_sources(
    paths: Sequence[Path], *, limits: IngestSettings | None = None
) -> tuple[list[LoadedDocument], list[str]]:
    """Load every file first, so that one bad file fails the run before anything is written.

    Returns the documents and notices for the user (skipped file names, decoding warnings).
    """
    files, notices = expand_paths(list(paths))
    documents = [load_file(path, limits=limits) for path in files]
    return documents, [*notices, *(n for d in documents for n in d.notices)]


def ingest_documents(
    store: Store,
    documents: Sequence[LoadedDocument],
    *,
    show_progress: bool | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> IngestReport:
    """Split and write ``documents`` into ``store`` under one writers' lock; unchanged documents are skipped.

    ``progress(source, done, total)`` is called as sentences are embedded (the browser shows it).
    """
    started = time.perf_counter()
    if show_progress is None:
        show_progress = sys.stderr.isatty()
    reports = []
    with store.writing():
        for document in documents:
            layout = split_document(document.text, document.language)
            meta = DocumentMeta(
                source=document.source, title=document.title or layout.title, language=document.language,
                origin=document.origin, splitter=SPLITTER,
            )
            bar = None
            if show_progress:
                from tqdm import tqdm

                bar = tqdm(total=len(layout.sentences), desc=Path(document.source).name[:30], unit="sentence",
                           leave=False)
            try:
                result = store.write_document(meta, document.text, layout.sentences,
                                              progress=_Progress(document.source, len(layout.sentences), bar, progress))
            finally:
                if bar is not None:
                    bar.close()
            logger.info("%s: %d added, %d unchanged, %d removed", document.source, result.added, result.unchanged,
                        result.removed)
            reports.append(DocumentReport(document.source, result.added, result.unchanged, result.removed,
                                          result.repaired))
    return IngestReport(tuple(reports), time.perf_counter() - started)


class _Progress:
    """Counts the sentences written for one document and reports them to a bar and/or a callback."""

    def __init__(self, source: str, total: int, bar, callback: Callable[[str, int, int], None] | None) -> None:
        self.source, self.total, self.bar, self.callback, self.done = source, total, bar, callback, 0

    def __call__(self, count: int) -> None:
        self.done += count
        if self.bar is not None:
            self.bar.update(count)
        if self.callback is not None:
            self.callback(self.source, self.done, self.total)


def resplit_stored(store: Store, *, skip: Sequence[str] = ()) -> IngestReport:
    """Write again, from their stored text, the stored documents this release splits into other sentences.

    A new release's splitter may cut or group sentences otherwise (a quotation running on now travels with its
    speaker's sentence); a document whose file is never ingested again (a browser upload, the bundled article
    once stored) would keep the old sentences and their embeddings. Only documents recorded with another
    ``SPLITTER`` are read (a large store costs nothing once current); ``ingest_documents`` compares their spans,
    rewrites the ones that changed and records the version on the others. ``skip`` names sources just written.
    The report lists the rewritten documents only.
    """
    started = time.perf_counter()
    skipped = set(skip)
    stale = [d for d in store.documents() if d.splitter != SPLITTER and d.source not in skipped]
    if store.legacy or not stale:  # an older citechat's store is re-split by the rebuild it needs first
        return IngestReport((), time.perf_counter() - started)
    documents = [LoadedDocument(d.source, d.title, d.language, store.document_text(d.doc_id), d.origin)
                 for d in stale]
    report = ingest_documents(store, documents, show_progress=False)
    rewritten = tuple(d for d in report.documents if d.added)
    return IngestReport(rewritten, time.perf_counter() - started)


def ensure_bundled(store: Store) -> IngestReport | None:
    """Ingest the bundled article when the store holds no document at all."""
    if store.documents():
        return None
    return ingest_documents(store, [load_bundled()], show_progress=False)


def rebuild_store(
    store: Store,
    embeddings: object,
    documents: Sequence[LoadedDocument] = (),
    *,
    show_progress: bool | None = None,
) -> IngestReport:
    """Re-embed every stored document (plus ``documents``) into a new generation, then switch to it.

    The stored texts are the source, so the original files are not needed. Until the switch the store stays
    as it was and readable; killed half-way, the next rebuild resumes where this one stopped. An empty store
    gets the bundled article.
    """
    replaced = {d.source for d in documents}
    with store.rebuilding(embeddings) as target:
        kept = [
            LoadedDocument(meta.source, meta.title, meta.language if not store.legacy else detect(text), text,
                           meta.origin)
            for meta, text in store.stored_texts()
            if meta.source not in replaced
        ]
        everything = kept + list(documents) or [load_bundled()]
        report = ingest_documents(target, everything, show_progress=show_progress)
        wanted = {d.source for d in everything}
        for record in target.documents():
            if record.source not in wanted:  # removed since an interrupted rebuild began
                target.remove(record.source)
    return report
