"""The citechat store: sentences and document texts in Chroma, with crash-safe writes and generations.

Layout (``<base>`` is ``StoreSettings.collection``):

- ``<base>-manifest`` holds one record saying which *generation* of collections is current, with which
  embedding model, and a *revision* number that every committed change increases (readers poll it), plus
  the *journal*: one entry per write in progress.
- ``<base>-g<N>-sentences`` holds the sentences of generation N (the unit of retrieval and citation) with
  their vectors, and ``<base>-g<N>-documents`` each document's record and its text in pages.

Every row of a document carries the *write id* of the ingest that wrote it, and the document's record names
the write id that is current. A write adds its rows under a new write id, checks them, switches the record
(one upsert: the commit), then deletes the older rows; a journal entry made before the first row lets the
next writer finish or undo a write that was killed half-way. Readers only use rows whose write id is the
record's, so they never mix an old and a new version of a document. A rebuild (another embedding model, or
``ingest --rebuild``) fills generation N+1 while N stays current, then switches the manifest: killed at any
point, the store stays readable as it was and the rebuild resumes where it stopped.

The lexical index (``store.lexicon``) is a derived copy per generation, brought up to date from the records.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from store import lang
from store.client import ChromaHandle, handle_for, unavailable
from store.config import EmbeddingSettings, StoreSettings
from store.errors import EmbeddingMismatch, StoreError, StoreOutdated, StoreUnavailable
from store.lexical import analyse, analyser
from store.lexicon import LexicalIndex, SentenceRow
from store.lock import writer_lock_for

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 3  # 3: generations, write ids and a journal; sentences only (no chunk vectors)
PAGE_CHARS = 200_000
WRITE_BATCH = 64
READ_PAGE = 2_000
TEXT_CACHE = 8
PAUSE_ENV = "CITECHAT_PAUSE_AT"  # test hook: a writer stops at the named step (see _checkpoint)
RESUME_ENV = "CITECHAT_RESUME_WHEN"  # test hook: ... and goes on once this file exists
_PLACEHOLDER_VECTOR = [1.0]  # the manifest and documents collections are fetched by id, never searched
_MANIFEST_ID = "manifest"
_GENERATION = re.compile(r"-g(\d+)-(?:sentences|documents)$")


class SentenceLike(Protocol):
    start: int
    end: int
    context_start: int
    section: str


@dataclass(frozen=True)
class DocumentMeta:
    """What the store records about a document besides its text."""

    source: str
    title: str
    language: str
    origin: str = ""
    splitter: str = ""  # the ingest splitter's version that cut its sentences (another one's are cut again)


@dataclass(frozen=True)
class StoredDocument:
    """A document as listed by the store."""

    doc_id: str
    source: str
    title: str
    language: str
    origin: str
    content_hash: str
    write_id: str
    sentence_count: int
    chars: int
    pages: int
    ingested_at: str
    splitter: str = ""  # as in DocumentMeta; empty for a document stored before versions were recorded


@dataclass(frozen=True)
class WriteResult:
    """What writing one document did, in sentences."""

    added: int
    unchanged: int
    removed: int
    repaired: bool = False


@dataclass(frozen=True)
class Manifest:
    """Which generation is current, with which model, and the revision readers poll."""

    generation: int
    revision: int
    model: str
    dimension: int
    schema: int
    pending_generation: int = 0
    pending_model: str = ""

    def to_metadata(self) -> dict[str, Any]:
        return {
            "generation": self.generation, "revision": self.revision, "model": self.model,
            "dimension": self.dimension, "schema": self.schema, "pending_generation": self.pending_generation,
            "pending_model": self.pending_model,
        }

    @classmethod
    def from_metadata(cls, m: dict[str, Any]) -> Manifest:
        return cls(
            generation=int(m["generation"]), revision=int(m["revision"]), model=str(m["model"]),
            dimension=int(m["dimension"]), schema=int(m["schema"]),
            pending_generation=int(m.get("pending_generation") or 0), pending_model=str(m.get("pending_model") or ""),
        )


def generation_names(base: str, generation: int) -> tuple[str, str]:
    """The sentences and documents collections of one store generation."""
    return f"{base}-g{generation}-sentences", f"{base}-g{generation}-documents"


def manifest_name(base: str) -> str:
    """The collection holding the store's manifest (which generation is current)."""
    return f"{base}-manifest"


def read_manifest(client: Any, base: str, *, create: bool) -> Manifest | None:
    """The store's manifest, or None when there is none (``create=False`` raises if the collection is missing)."""
    collection = (client.get_or_create_collection(manifest_name(base), embedding_function=None) if create
                  else client.get_collection(manifest_name(base)))
    found = collection.get(ids=[_MANIFEST_ID], include=["metadatas"])["metadatas"]
    return Manifest.from_metadata(found[0]) if found else None


def document_id(source: str) -> str:
    """Stable id of a source (path or name)."""
    return hashlib.sha1(source.encode("utf-8")).hexdigest()[:16]


def content_hash(text: str) -> str:
    """Hash of a document's normalised text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sentence_id(doc_id: str, write_id: str, position: int) -> str:
    return f"{doc_id}:{write_id}:{position}"


def _checkpoint(step: str) -> None:
    """Test hook: when ``CITECHAT_PAUSE_AT`` names this step, say so and wait to be killed (or, with
    ``CITECHAT_RESUME_WHEN``, until that file exists)."""
    if os.environ.get(PAUSE_ENV) != step:
        return
    print(f"citechat: paused at {step}", file=sys.stderr, flush=True)
    resume = os.environ.get(RESUME_ENV)
    deadline = time.monotonic() + 3600
    while time.monotonic() < deadline and not (resume and Path(resume).exists()):
        time.sleep(0.1)


class Store:
    """One generation of the Chroma collections, plus the embedding model that fills and queries them.

    Open it with ``open_store``. Reading is thread-safe and follows other processes' writes (``refresh``);
    writing takes the writers' lock (``writing``).
    """

    def __init__(
        self,
        handle: ChromaHandle,
        settings: StoreSettings,
        embeddings: Any,
        *,
        check_model: bool = True,
        target_generation: int | None = None,
    ) -> None:
        self.handle = handle
        self.settings = settings
        self.embeddings = embeddings
        self.model_name: str = getattr(embeddings, "name", "") if embeddings is not None else ""
        self.lock = writer_lock_for(settings)
        self._thread_lock = threading.RLock()
        self._target_generation = target_generation  # set on the store a rebuild writes into
        self._texts: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._checked_at = 0.0
        self._load()
        if check_model and target_generation is None:
            self.check_model()

    # -- naming and loading -----------------------------------------------------------------------

    @property
    def base(self) -> str:
        return self.settings.collection

    def _names(self, generation: int) -> tuple[str, str]:
        return generation_names(self.base, generation)

    def _lexicon_path(self, generation: int) -> Path:
        if self.settings.host:
            key = hashlib.sha1(f"{self.settings.location}/{self.base}".encode()).hexdigest()[:16]
            return self.settings.cache_dir / "lexical" / f"server-{key}-g{generation}.sqlite3"
        return self.settings.path / f"citechat-{self.base}-lexical-g{generation}.sqlite3"

    def _load(self) -> None:
        """Read the manifest, bind the collections of the generation in use and bring the lexicon up to date."""
        with self._thread_lock:
            self._epoch = self.handle.epoch
            manifest = self._read_manifest()
            # An older citechat's collections stay the store until a rebuild has switched away from them.
            self.legacy = (manifest is None or manifest.revision == 0) and self._has_legacy()
            if manifest is None:
                dimension = getattr(self.embeddings, "dimension", 0) if self.embeddings is not None else 0
                manifest = Manifest(1, 0, self.model_name, dimension, SCHEMA_VERSION)
            self.manifest = manifest
            self.generation = self._target_generation or manifest.generation
            self._bind()
            self.lexicon = LexicalIndex(self._lexicon_path(self.generation), analyser())
            self._records = self._read_records()
            self._sync_lexicon()
            self._checked_at = time.monotonic()

    @property
    def _sentence_total(self) -> int:
        # Cached per revision: a query must not walk every record of a large store.
        key = (self.manifest.revision, len(self._records), id(self._records))
        if getattr(self, "_total_key", None) != key:
            self._total_key, self._total = key, sum(r.sentence_count for r in self._records.values())
        return self._total

    def _bind(self) -> None:
        sentences, documents = self._names(self.generation)
        space = {"hnsw": {"space": "cosine"}}

        def bind(client: Any) -> tuple[Any, Any, Any]:
            return (
                client.get_or_create_collection(sentences, embedding_function=None, configuration=space),
                client.get_or_create_collection(documents, embedding_function=None),
                client.get_or_create_collection(manifest_name(self.base), embedding_function=None),
            )

        self._sentences, self._documents, self._manifest = self._run(bind)
        self._bound_epoch = self.handle.epoch

    def _collections(self) -> tuple[Any, Any, Any]:
        if self._bound_epoch != self.handle.epoch:  # another store of this process reopened the client
            self._bind()
        return self._sentences, self._documents, self._manifest

    def _run(self, call: Callable[[Any], Any]) -> Any:
        """Run a Chroma call; failures become one ``StoreUnavailable`` naming the store."""
        try:
            return self.handle.run(call)
        except StoreError:
            raise
        except Exception as exc:
            if self.settings.host and _is_connection_error(exc):
                raise unavailable(self.settings, exc) from exc
            detail = str(exc).splitlines()[0] if str(exc) else ""
            raise StoreUnavailable(
                f"the Chroma store at {self.settings.location} failed: {type(exc).__name__}: {detail}"
            ) from exc

    def _read_manifest(self) -> Manifest | None:
        return self._run(lambda client: read_manifest(client, self.base, create=True))

    def _has_legacy(self) -> bool:
        names = self._collection_names()
        return f"{self.base}-documents" in names

    def _collection_names(self) -> set[str]:
        return {c if isinstance(c, str) else c.name for c in self._run(lambda client: client.list_collections())}

    def _read_records(self) -> dict[str, StoredDocument]:
        _, documents, _ = self._collections()
        records: dict[str, StoredDocument] = {}
        offset = 0
        while True:
            got = self._run(lambda _c, offset=offset: documents.get(
                where={"kind": "record"}, include=["metadatas"], limit=READ_PAGE, offset=offset))
            for m in got["metadatas"] or []:
                records[m["doc_id"]] = _record_from(m)
            if len(got["ids"]) < READ_PAGE:
                return records
            offset += READ_PAGE

    def _sync_lexicon(self) -> None:
        self.lexicon.sync({d: (r.write_id, r.language) for d, r in self._records.items()}, self._fetch_rows)

    def _fetch_rows(self, doc_id: str, write_id: str) -> list[SentenceRow]:
        sentences, _, _ = self._collections()
        rows: list[SentenceRow] = []
        offset = 0
        where = {"$and": [{"doc_id": doc_id}, {"write_id": write_id}]}
        code = self._records[doc_id].language
        while True:
            got = self._run(lambda _c, offset=offset: sentences.get(
                where=where, include=["metadatas", "documents"], limit=READ_PAGE, offset=offset))
            # Terms are analysed afresh, not read from the metadata: when the analysis changes (``analyser()``),
            # the lexicon is rebuilt from the stored texts without re-embedding anything.
            for sid, m, text in zip(got["ids"], got["metadatas"], got["documents"], strict=True):
                rows.append(SentenceRow(sid, doc_id, int(m["position"]), int(m["start"]), int(m["end"]),
                                        int(m["context_start"]), m.get("section", ""), text,
                                        tuple(analyse(text, code))))
            if len(got["ids"]) < READ_PAGE:
                return sorted(rows, key=lambda r: r.position)
            offset += READ_PAGE

    # -- checks -----------------------------------------------------------------------------------

    def check_model(self) -> None:
        """Raise when the store cannot be read with this model and this citechat.

        Raises:
            StoreOutdated: written by an older citechat, or with another model (``citechat ingest`` upgrades it).
        """
        if self.legacy:
            raise StoreOutdated(
                f"the store at {self.settings.location} was written by an older citechat; run `citechat ingest` "
                "to re-embed its documents (nothing is lost)"
            )
        m = self.manifest
        if m.revision == 0 and not self._records:
            return  # nothing written yet: any model may fill it
        if m.schema != SCHEMA_VERSION:
            raise StoreOutdated(
                f"the store at {self.settings.location} was built by another citechat version (schema {m.schema}, "
                f"not {SCHEMA_VERSION}); run `citechat ingest` to re-embed its documents (nothing is lost)"
            )
        if self.model_name and m.model != self.model_name:
            raise StoreOutdated(
                f"the store at {self.settings.location} was embedded with {m.model!r}, not {self.model_name!r}; "
                "run `citechat ingest` to re-embed its documents with the configured model (nothing is lost), "
                f"or set CITECHAT_EMBEDDING__MODEL to {m.model.split('@')[0]!r}"
            )

    # -- following other processes ------------------------------------------------------------------

    @property
    def revision(self) -> int:
        """The revision this process last saw (every committed change increases it)."""
        return self.manifest.revision

    def refresh(self, *, force: bool = False) -> bool:
        """Pick up other processes' writes (checked at most every ``poll_seconds``); True when something changed.

        Raises:
            EmbeddingMismatch: another process re-embedded the store with another model.
        """
        if self._target_generation is not None:
            return False
        if not force and time.monotonic() - self._checked_at < self.settings.poll_seconds:
            return False
        # A reader never waits for a write of this process (an upload being embedded): the writer keeps the
        # store current itself, and the next poll looks again.
        if not self._thread_lock.acquire(blocking=force):
            return False
        try:
            self._checked_at = time.monotonic()
            current = self._read_manifest()
            if current is None or current == self.manifest:
                return False
            logger.info("store changed (revision %s -> %s); reloading", self.manifest.revision, current.revision)
            self.handle.reopen(self._epoch)
            self._texts.clear()
            self._load()
            if self.model_name and self.manifest.model != self.model_name and self._records:
                raise EmbeddingMismatch(
                    f"another process re-embedded the store at {self.settings.location} with "
                    f"{self.manifest.model!r}; restart citechat with CITECHAT_EMBEDDING__MODEL="
                    f"{self.manifest.model.split('@')[0]}"
                )
            return True
        finally:
            self._thread_lock.release()

    # -- reading ----------------------------------------------------------------------------------

    def documents(self) -> list[StoredDocument]:
        """The stored documents, sorted by source."""
        self.refresh()
        return sorted(self._records.values(), key=lambda d: d.source)

    def document(self, doc_id: str) -> StoredDocument | None:
        """A document's record by id."""
        self.refresh()
        return self._records.get(doc_id)

    def languages(self) -> frozenset[str]:
        """The languages of the stored documents."""
        self.refresh()
        return frozenset(r.language for r in self._records.values())

    def find(self, source: str) -> StoredDocument | None:
        """A document by source (as listed), by title, or by file path."""
        self.refresh()
        for candidate in (source, str(Path(source).expanduser().resolve()) if source else source):
            record = self._records.get(document_id(candidate))
            if record is not None:
                return record
        matches = [r for r in self._records.values() if source and source in (r.title, Path(r.source).name)]
        return matches[0] if len(matches) == 1 else None

    def _retrying(self, read: Callable[[], Any]) -> Any:
        """Run a read; when it fails because another process just rebuilt or changed the store (its collections
        dropped), reload once and read again."""
        try:
            return read()
        except StoreUnavailable:
            if not self.refresh(force=True):
                raise
            return read()

    def document_text(self, doc_id: str) -> str:
        """The normalised text of a document, as its offsets refer to it."""
        return self._retrying(lambda: self._document_text(doc_id))

    def _document_text(self, doc_id: str) -> str:
        record = self.document(doc_id)
        if record is None:
            return ""
        key = (doc_id, record.write_id)
        if key in self._texts:
            self._texts.move_to_end(key)
            return self._texts[key]
        _, documents, _ = self._collections()
        where = {"$and": [{"kind": "page"}, {"doc_id": doc_id}, {"write_id": record.write_id}]}
        got = self._run(lambda _c: documents.get(where=where, include=["metadatas", "documents"]))
        pages = sorted(zip(got["metadatas"] or [], got["documents"] or [], strict=True), key=lambda p: p[0]["page"])
        text = "".join(page for _, page in pages)
        self._texts[key] = text
        while len(self._texts) > TEXT_CACHE:
            self._texts.popitem(last=False)
        return text

    def search(
        self, vector: Sequence[float], k: int, *, doc_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """Nearest sentences to ``vector`` (optionally within some documents): ``(sentence id, cosine)``, best first.

        Rows that are not their document's current version are left out.
        """
        self.refresh()
        return self._retrying(lambda: self._search(vector, k, doc_ids))

    def _search(self, vector: Sequence[float], k: int, doc_ids: Sequence[str] | None) -> list[tuple[str, float]]:
        sentences, _, _ = self._collections()
        where = None
        if doc_ids is None:
            available = self._sentence_total
        else:
            scope = [d for d in doc_ids if d in self._records]
            available = sum(self._records[d].sentence_count for d in scope)
            if len(scope) < len(self._records):
                where = {"doc_id": {"$in": scope}} if len(scope) > 1 else {"doc_id": scope[0]} if scope else None
        n = min(k, available)
        if n <= 0:
            return []

        def query(_client: Any) -> dict:
            return sentences.query(query_embeddings=[list(vector)], n_results=n, where=where, include=["distances"])

        got = self._run(query)
        out = []
        # Chroma returns cosine distances (1 - cosine similarity) in a cosine space.
        for sid, distance in zip(got["ids"][0], got["distances"][0], strict=True):
            doc_id, write_id, _ = sid.split(":", 2)
            record = self._records.get(doc_id)
            if record is not None and record.write_id == write_id:
                out.append((sid, 1.0 - float(distance)))
        return out

    def cosines(self, vector: Sequence[float], sids: Sequence[str]) -> dict[str, float]:
        """Cosines between ``vector`` and a few stored sentences (their stored vectors, one read)."""
        import numpy as np

        if not sids:
            return {}

        def read() -> dict:
            sentences, _, _ = self._collections()
            return self._run(lambda _c: sentences.get(ids=list(sids), include=["embeddings"]))

        got = self._retrying(read)
        query = np.asarray(vector, dtype=np.float32)
        return {sid: float(np.asarray(v, dtype=np.float32) @ query)
                for sid, v in zip(got["ids"], got["embeddings"], strict=True)}

    def embed_query(self, text: str) -> list[float]:
        """Embed a question with the store's model (its query prompt)."""
        return self.embeddings.embed_query(text)

    # -- writing ----------------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[Store]:
        """Hold the writers' lock, with the store up to date and any interrupted write finished or undone.

        Raises:
            StoreBusy: another process is writing.
        """
        with self._thread_lock, self.lock:
            if self.lock.depth == 1:
                self.refresh(force=True)
                self._repair()
            yield self

    def write_document(
        self,
        meta: DocumentMeta,
        text: str,
        sentences: Sequence[SentenceLike],
        *,
        progress: Callable[[int], None] | None = None,
    ) -> WriteResult:
        """Store a document and its sentences, replacing any older version of the same source.

        A document whose text and sentences are unchanged and whose rows agree with its record is not written again.
        New rows are written and checked before the record switches to them; a failure (or a kill) before
        that leaves the previous version in place.
        """
        with self.writing():
            doc_id = document_id(meta.source)
            digest = content_hash(text)
            previous = self._records.get(doc_id)
            repaired = False
            if previous is not None and previous.content_hash == digest:
                stored = self._stored_spans(previous)
                # Same text, same sentences: nothing to write. A new release's splitter may cut the same text
                # otherwise (a lone line was once a title over nothing), and then the document is written again.
                if stored == sorted((s.start, s.end, s.context_start, s.section) for s in sentences):
                    if (previous.title, previous.language, previous.splitter) != (meta.title, meta.language,
                                                                                   meta.splitter):
                        self._commit(replace(previous, title=meta.title, language=meta.language,
                                             splitter=meta.splitter))
                    return WriteResult(added=0, unchanged=previous.sentence_count, removed=0)
                if stored is None:
                    repaired = True
                    logger.warning("%s: stored rows disagree with its record; writing it again", meta.source)
                else:
                    logger.info("%s: split into other sentences by this release; writing it again", meta.source)
            write_id = secrets.token_hex(6)
            self._journal_add(write_id, doc_id, "write")
            try:
                rows = self._write_rows(doc_id, write_id, meta, text, sentences, progress)
                _checkpoint("rows-written")
            except BaseException as exc:  # KeyboardInterrupt too: undo what this write added, keep the rest
                self._undo(doc_id, write_id)
                if isinstance(exc, (StoreError, KeyboardInterrupt)) or not isinstance(exc, Exception):
                    raise
                raise StoreUnavailable(f"writing {meta.source} to {self.settings.location} failed: {exc}") from exc
            record = StoredDocument(
                doc_id=doc_id, source=meta.source, title=meta.title, language=meta.language, origin=meta.origin,
                content_hash=digest, write_id=write_id, sentence_count=len(rows), chars=len(text),
                pages=_page_count(text), ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
                splitter=meta.splitter,
            )
            self._commit(record)
            _checkpoint("committed")
            self.lexicon.replace_document(doc_id, write_id, meta.language, rows)
            self._discard(doc_id, keep=write_id)
            self._journal_remove(write_id)
            removed = previous.sentence_count if previous is not None else 0
            return WriteResult(added=len(rows), unchanged=0, removed=removed, repaired=repaired)

    def _write_rows(
        self, doc_id: str, write_id: str, meta: DocumentMeta, text: str, sentences: Sequence[SentenceLike],
        progress: Callable[[int], None] | None,
    ) -> list[SentenceRow]:
        sentence_collection, documents, _ = self._collections()
        pages = [text[i : i + PAGE_CHARS] for i in range(0, len(text), PAGE_CHARS)] or [""]
        for i in range(0, len(pages), WRITE_BATCH):
            batch = range(i, min(i + WRITE_BATCH, len(pages)))
            self._run(lambda _c, batch=batch: documents.add(
                ids=[f"page:{doc_id}:{write_id}:{p}" for p in batch],
                documents=[pages[p] for p in batch],
                metadatas=[{"kind": "page", "doc_id": doc_id, "write_id": write_id, "page": p} for p in batch],
                embeddings=[_PLACEHOLDER_VECTOR for _ in batch],
            ))
        rows = [
            SentenceRow(
                sid=sentence_id(doc_id, write_id, position), doc_id=doc_id, position=position, start=s.start,
                end=s.end, context_start=s.context_start, section=s.section, text=text[s.start : s.end],
                terms=tuple(analyse(text[s.start : s.end], meta.language)),
            )
            for position, s in enumerate(sentences)
        ]
        for i in range(0, len(rows), WRITE_BATCH):
            batch = rows[i : i + WRITE_BATCH]
            # A sentence that carries on the one before it is embedded with it, and stored alone.
            vectors = _embed_passages(self.embeddings, [text[r.context_start : r.end] for r in batch], meta.title)
            self._run(lambda _c, batch=batch, vectors=vectors: sentence_collection.add(
                ids=[r.sid for r in batch],
                documents=[r.text for r in batch],
                metadatas=[_row_metadata(r, write_id) for r in batch],
                embeddings=vectors,
            ))
            if progress:
                progress(len(batch))
        written = self._run(lambda _c: sentence_collection.get(
            where={"$and": [{"doc_id": doc_id}, {"write_id": write_id}]}, include=[]))
        if len(written["ids"]) != len(rows):
            raise StoreUnavailable(
                f"writing {meta.source}: {len(written['ids'])} of {len(rows)} sentences reached the store; run again"
            )
        return rows

    def remove(self, source: str) -> int:
        """Delete a stored document; returns how many sentences it had (0 when unknown)."""
        with self.writing():
            doc_id = document_id(source)
            record = self._records.get(doc_id)
            if record is None:
                return 0
            token = secrets.token_hex(6)
            self._journal_add(token, doc_id, "remove")
            self._finish_removal(doc_id)
            self._journal_remove(token)
            return record.sentence_count

    def _finish_removal(self, doc_id: str) -> None:
        _, documents, _ = self._collections()
        if doc_id in self._records:
            self._run(lambda _c: documents.delete(ids=[f"doc:{doc_id}"]))
            self._records.pop(doc_id, None)
            self._bump()
        self.lexicon.remove_document(doc_id)
        self._discard(doc_id, keep=None)

    def _stored_spans(self, record: StoredDocument) -> list[tuple[int, int, int, str]] | None:
        """The stored sentences' (start, end, context start, section), sorted; None when the rows disagree with the
        record (a write cut short, a lexicon behind)."""
        sentences, documents, _ = self._collections()
        rows = self._run(lambda _c: sentences.get(where={"doc_id": record.doc_id}, include=["metadatas"]))
        pages = self._run(lambda _c: documents.get(
            where={"$and": [{"kind": "page"}, {"doc_id": record.doc_id}]}, include=["metadatas"]))
        current_rows = [m for m in rows["metadatas"] if m.get("write_id") == record.write_id]
        current_pages = [m for m in pages["metadatas"] if m.get("write_id") == record.write_id]
        agree = (
            len(current_rows) == len(rows["ids"]) == record.sentence_count
            and len(current_pages) == len(pages["ids"]) == record.pages
            and self.lexicon.held().get(record.doc_id) == record.write_id
        )
        return sorted((m["start"], m["end"], m.get("context_start", m["start"]), m.get("section", ""))
                      for m in current_rows) if agree else None

    def _commit(self, record: StoredDocument) -> None:
        """Switch the document to ``record`` (one upsert) and publish a new revision."""
        _, documents, _ = self._collections()
        self._run(lambda _c: documents.upsert(
            ids=[f"doc:{record.doc_id}"], documents=[record.title], metadatas=[_record_metadata(record)],
            embeddings=[_PLACEHOLDER_VECTOR]))
        self._records[record.doc_id] = record
        self._bump()

    def _bump(self) -> None:
        if self._target_generation is not None:
            return  # a rebuild's generation is published all at once, by the switch
        self.manifest = replace(self.manifest, revision=self.manifest.revision + 1)
        self._write_manifest(self.manifest)

    def _write_manifest(self, manifest: Manifest) -> None:
        _, _, collection = self._collections()
        self._run(lambda _c: collection.upsert(
            ids=[_MANIFEST_ID], documents=["citechat manifest"], metadatas=[manifest.to_metadata()],
            embeddings=[_PLACEHOLDER_VECTOR]))

    def _discard(self, doc_id: str, *, keep: str | None) -> None:
        """Delete a document's rows and pages, except those of the write ``keep``."""
        sentences, documents, _ = self._collections()
        for collection, extra in ((sentences, []), (documents, [{"kind": "page"}])):
            where = {"$and": [{"doc_id": doc_id}, *extra]} if extra else {"doc_id": doc_id}
            if keep is not None:
                where = {"$and": [*where.get("$and", [where]), {"write_id": {"$ne": keep}}]}
            self._run(lambda _c, collection=collection, where=where: collection.delete(where=where))

    def _undo(self, doc_id: str, write_id: str) -> None:
        """Best-effort removal of an unfinished write's rows; the journal entry stays if this fails."""
        sentences, documents, _ = self._collections()
        try:
            for collection in (sentences, documents):
                self._run(lambda _c, collection=collection: collection.delete(
                    where={"$and": [{"doc_id": doc_id}, {"write_id": write_id}]}))
            self._journal_remove(write_id)
        except Exception:  # the next writer finishes the cleanup from the journal
            logger.info("could not undo the interrupted write of %s; the next ingest will", doc_id)
            logger.debug("undo failed", exc_info=True)

    # -- the journal --------------------------------------------------------------------------------

    def _journal_add(self, token: str, doc_id: str, action: str) -> None:
        _, _, collection = self._collections()
        self._run(lambda _c: collection.upsert(
            ids=[f"journal:{token}"], documents=[action],
            metadatas=[{"kind": "journal", "doc_id": doc_id, "write_id": token, "action": action,
                        "generation": self.generation}],
            embeddings=[_PLACEHOLDER_VECTOR]))

    def _journal_remove(self, token: str) -> None:
        _, _, collection = self._collections()
        self._run(lambda _c: collection.delete(ids=[f"journal:{token}"]))

    def _repair(self) -> int:
        """Finish or undo the writes that the journal says were interrupted; drop abandoned generations."""
        _, _, collection = self._collections()
        got = self._run(lambda _c: collection.get(
            where={"$and": [{"kind": "journal"}, {"generation": self.generation}]}, include=["metadatas"]))
        for entry in got["metadatas"] or []:
            doc_id, token = entry["doc_id"], entry["write_id"]
            if entry["action"] == "remove":
                self._finish_removal(doc_id)
            else:
                record = self._records.get(doc_id)
                if record is not None and record.write_id == token:  # committed: finish the cleanup
                    self._discard(doc_id, keep=token)
                else:  # never committed: the previous version (if any) is still current
                    self._undo(doc_id, token)
            self._journal_remove(token)
            logger.warning("repaired an interrupted %s of document %s", entry["action"], doc_id)
        if got["ids"]:
            self._sync_lexicon()
        if self._target_generation is None:
            self._drop_abandoned_generations()
        return len(got["ids"])

    def _drop_abandoned_generations(self) -> None:
        """Drop collections and lexicon files of generations that are neither current nor being rebuilt."""
        keep = {self.generation, self.manifest.pending_generation}
        names = self._collection_names()
        generations = {
            int(m.group(1)) for n in names if n.startswith(f"{self.base}-g") and (m := _GENERATION.search(n))
        }
        for path in self._lexicon_path(0).parent.glob(self._lexicon_path(0).name.replace("-g0", "-g*")):
            if match := re.search(r"-g(\d+)\.sqlite3$", path.name):
                generations.add(int(match.group(1)))
        for generation in generations - keep:
            self._drop_generation(generation)
        if not self.legacy and self.manifest.revision > 0:  # a switch from an older citechat's store finished
            for name in (self.base, f"{self.base}-sentences", f"{self.base}-documents") if self._has_legacy() else ():
                if name in names:
                    self._run(lambda client, name=name: client.delete_collection(name))

    def _drop_generation(self, generation: int) -> None:
        names = self._collection_names()
        for name in self._names(generation):
            if name in names:
                logger.info("dropping %s, left over from an earlier generation", name)
                self._run(lambda client, name=name: client.delete_collection(name))
        path = self._lexicon_path(generation)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)

    # -- rebuilding into a new generation ------------------------------------------------------------

    def stored_texts(self) -> Iterator[tuple[DocumentMeta, str]]:
        """Every stored document's metadata and text (from this generation, or an older citechat's store)."""
        if self.legacy:
            yield from self._legacy_texts()
            return
        for record in self.documents():
            meta = DocumentMeta(record.source, record.title, record.language, record.origin, record.splitter)
            yield meta, self.document_text(record.doc_id)

    def _legacy_texts(self) -> Iterator[tuple[DocumentMeta, str]]:
        def read(client: Any) -> dict:
            return client.get_collection(f"{self.base}-documents").get(include=["metadatas", "documents"])

        got = self._run(read)
        by_doc: dict[str, list[tuple[dict, str]]] = {}
        for m, text in zip(got["metadatas"] or [], got["documents"] or [], strict=True):
            by_doc.setdefault(m["doc_id"], []).append((m, text))
        for pages in by_doc.values():
            pages.sort(key=lambda p: int(p[0].get("page", 0)))
            m = pages[0][0]
            meta = DocumentMeta(m["source"], m.get("title", ""), m.get("language", "fr"), m.get("origin", ""))
            yield meta, "".join(text for _, text in pages)

    @contextmanager
    def rebuilding(self, embeddings: Any) -> Iterator[Store]:
        """Yield a store for the next generation, embedded with ``embeddings``; switch to it when the block ends.

        Until the switch this store stays current and readable. Interrupted, the next rebuild with the same
        model resumes: documents already complete in the new generation are not embedded again.
        """
        with self.writing():
            model = getattr(embeddings, "name", "")
            pending = self.manifest.pending_generation
            resuming = bool(pending) and self.manifest.pending_model == model
            if resuming:
                target_generation = pending
                logger.warning("resuming an interrupted rebuild into generation %d", target_generation)
            else:
                holds_data = self.manifest.revision > 0 or bool(self._records)
                occupied = {self.generation} if holds_data else set()
                target_generation = next(g for g in range(1, 10_000) if g not in occupied)
                if target_generation != self.generation:
                    self._drop_generation(target_generation)
            self.manifest = replace(self.manifest, pending_generation=target_generation, pending_model=model)
            self._write_manifest(self.manifest)
            self._drop_abandoned_generations()
            target = Store(self.handle, self.settings, embeddings, check_model=False,
                           target_generation=target_generation)
            target._repair()
            yield target
            self._switch(target, embeddings)

    def _switch(self, target: Store, embeddings: Any) -> None:
        old_generation, was_legacy = self.generation, self.legacy
        switched = Manifest(
            generation=target.generation, revision=self.manifest.revision + 1, model=getattr(embeddings, "name", ""),
            dimension=getattr(embeddings, "dimension", 0), schema=SCHEMA_VERSION,
        )
        self._write_manifest(switched)  # the commit: readers move to the new generation
        _checkpoint("rebuild-switched")
        self.embeddings, self.model_name = embeddings, switched.model
        self._target_generation = None
        self.legacy = False
        self.manifest = switched
        self.generation = target.generation
        self._bind()
        self.lexicon = target.lexicon
        self._records = self._read_records()
        self._texts.clear()
        if old_generation != target.generation or was_legacy:
            self._drop_abandoned_generations()


def _embed_passages(embeddings: Any, texts: list[str], title: str) -> list[list[float]]:
    """Passages' vectors, with the document's title when the encoder can use it (any LangChain Embeddings works)."""
    if hasattr(embeddings, "document_prompt"):
        return embeddings.embed_documents(texts, title=title)
    return embeddings.embed_documents(texts)


def _row_metadata(row: SentenceRow, write_id: str) -> dict[str, Any]:
    # "terms" is no longer read (the lexicon analyses the text afresh); an older citechat on the same store reads it.
    return {
        "doc_id": row.doc_id, "write_id": write_id, "position": row.position, "start": row.start, "end": row.end,
        "context_start": row.context_start, "section": row.section, "terms": " ".join(row.terms),
    }


def _record_metadata(record: StoredDocument) -> dict[str, Any]:
    return {
        "kind": "record", "doc_id": record.doc_id, "source": record.source, "title": record.title,
        "language": record.language, "origin": record.origin, "content_hash": record.content_hash,
        "write_id": record.write_id, "sentence_count": record.sentence_count, "chars": record.chars,
        "pages": record.pages, "ingested_at": record.ingested_at, "splitter": record.splitter,
    }


def _record_from(m: dict[str, Any]) -> StoredDocument:
    return StoredDocument(
        doc_id=m["doc_id"], source=m["source"], title=m.get("title", ""), language=m.get("language", ""),
        origin=m.get("origin", ""), content_hash=m["content_hash"], write_id=m["write_id"],
        sentence_count=int(m.get("sentence_count", 0)), chars=int(m.get("chars", 0)), pages=int(m.get("pages", 1)),
        ingested_at=m.get("ingested_at", ""), splitter=str(m.get("splitter") or ""),
    )


def _page_count(text: str) -> int:
    return max(1, -(-len(text) // PAGE_CHARS))


def _is_connection_error(exc: BaseException) -> bool:
    names = {type(e).__name__ for e in _chain(exc)}
    return bool(names & {"ConnectError", "ConnectionError", "ConnectTimeout", "ReadError", "RemoteProtocolError",
                         "ReadTimeout", "ConnectionRefusedError", "ConnectionResetError", "WriteError"})


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen = 0
    while exc is not None and seen < 10:
        yield exc
        exc = exc.__cause__ or exc.__context__
        seen += 1


def open_store(
    store_settings: StoreSettings,
    embedding_settings: EmbeddingSettings,
    *,
    embeddings: Any = None,
    check_model: bool = True,
    notice: Callable[[str], None] | None = None,
) -> Store:
    """Open the store described by the settings, loading the embedding model unless given.

    Raises:
        StoreUnavailable: Chroma cannot be reached.
        StoreOutdated: the store was built by an older citechat or with another model.
        ModelBuildError: the embedding model cannot be assembled or loaded.
    """
    # Every user of a store detects languages (documents at ingest, questions when answering): load the
    # identifier while Chroma and the embedding model load, not at the first question (0.6 s).
    lang.warm_up()
    handle = handle_for(store_settings)
    warm_vector_index(handle, store_settings)
    if embeddings is None:
        from store.embeddings import load_embeddings

        embeddings = load_embeddings(embedding_settings, notice=notice)
    return Store(handle, store_settings, embeddings, check_model=check_model)


def warm_vector_index(handle: ChromaHandle, settings: StoreSettings) -> threading.Thread | None:
    """Load the embedded store's vector index in the background while the model loads and records are read.

    Embedded Chroma reads a collection's HNSW index from disk at its first query — about a second at 100k
    sentences — so without this the first question pays for it. Best effort: any failure is left to the
    real open to report. A server holds its index itself.
    """
    if settings.host:
        return None

    def warm() -> None:
        try:
            def query(client: Any) -> None:
                manifest = read_manifest(client, settings.collection, create=False)
                if manifest is None or manifest.dimension <= 0:
                    return
                sentences = client.get_collection(generation_names(settings.collection, manifest.generation)[0])
                if sentences.count():
                    probe = [1.0] + [0.0] * (manifest.dimension - 1)
                    sentences.query(query_embeddings=[probe], n_results=1, include=[])

            handle.run(query)
        except Exception:  # a missing or half-written store: the caller's open says what is wrong
            logger.debug("warming the vector index failed", exc_info=True)

    thread = threading.Thread(target=warm, name="citechat-warm-index", daemon=True)
    thread.start()
    return thread
