"""The persisted lexical index: SQLite FTS5 (``bm25()``) over the stored sentences' analysed terms.

It is a derived copy of the Chroma store, kept per store generation in one SQLite file: writers update it
in the same step as Chroma, and any process brings it up to date by comparing each document's current
write id with the one it holds (``sync``), so a second process — or a second machine sharing a Chroma
server — sees new documents without rebuilding anything. It also holds each sentence's text and offsets,
so a query reads from Chroma only the nearest vectors' ids.
"""

from __future__ import annotations

import logging
import math
import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

SCHEMA = 1
# A query word unknown to the index meets an indexed term sharing a prefix this long (and covering most of
# the shorter word): cognates across languages (university/université) and typos.
MIN_SHARED_PREFIX = 5
MIN_SHARED_SHARE = 0.75
_BUSY_MS = 30_000
# FTS5's bm25() constants and the rowid of its 'averages' record (row and token totals) in the %_data table.
_K1, _B = 1.2, 0.75
_AVERAGES_ID = 1

_DDL = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs(doc_id TEXT PRIMARY KEY, write_id TEXT NOT NULL, language TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sentences(
    rowid INTEGER PRIMARY KEY, sid TEXT NOT NULL UNIQUE, doc_id TEXT NOT NULL, position INTEGER NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, context_start INTEGER NOT NULL, section TEXT NOT NULL,
    text TEXT NOT NULL, terms TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sentences_by_doc ON sentences(doc_id, position);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    terms, content='sentences', content_rowid='rowid', tokenize='unicode61 remove_diacritics 0');
CREATE VIRTUAL TABLE IF NOT EXISTS vocab USING fts5vocab(fts, 'row');
CREATE TABLE IF NOT EXISTS doc_terms(doc_id TEXT NOT NULL, term TEXT NOT NULL, PRIMARY KEY(term, doc_id))
    WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS doc_terms_by_doc ON doc_terms(doc_id);
"""


@dataclass(frozen=True)
class SentenceRow:
    """A stored sentence as the lexical index holds it."""

    sid: str
    doc_id: str
    position: int
    start: int
    end: int
    context_start: int
    section: str
    text: str
    terms: tuple[str, ...]


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


class LexicalIndex:
    """BM25 over sentences, persisted in SQLite; safe to share between threads and processes."""

    def __init__(self, path: Path, analyser: str = "") -> None:
        """Open (or create) the index at ``path``; ``analyser`` names the analysis its terms must come from.

        An index whose terms came from another analysis is emptied, so that ``sync`` re-reads every document.
        """
        self.path = path
        self._local = threading.local()
        path.parent.mkdir(parents=True, exist_ok=True)
        db = self._db()
        db.executescript(_DDL)  # CREATE ... IF NOT EXISTS: safe when several processes open it at once
        db.execute("INSERT OR IGNORE INTO meta VALUES('schema', ?)", (str(SCHEMA),))
        if self._analyser(db) != analyser:  # read without the write lock: opening never waits for a writer
            self._reset(analyser)

    @staticmethod
    def _analyser(db: sqlite3.Connection) -> str | None:
        held = db.execute("SELECT value FROM meta WHERE key = 'analyser'").fetchone()
        return held[0] if held else None

    def _reset(self, analyser: str) -> None:
        """Empty the index and record ``analyser``, unless another process has just done so."""
        with self._write() as db:  # re-checked under the write lock: two processes may open it at once
            if self._analyser(db) == analyser:
                return
            if db.execute("SELECT count(*) FROM docs").fetchone()[0]:
                logger.info("lexical index %s: terms from another analysis; re-reading every document", self.path)
            db.execute("INSERT INTO fts(fts) VALUES('delete-all')")
            db.execute("DELETE FROM sentences")
            db.execute("DELETE FROM doc_terms")
            db.execute("DELETE FROM docs")
            db.execute("INSERT OR REPLACE INTO meta VALUES('analyser', ?)", (analyser,))

    # -- connections ------------------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=_BUSY_MS / 1000, isolation_level=None, check_same_thread=True)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(f"PRAGMA busy_timeout={_BUSY_MS}")
            self._local.db = db
        return db

    class _Transaction:
        def __init__(self, db: sqlite3.Connection) -> None:
            self.db = db

        def __enter__(self) -> sqlite3.Connection:
            # IMMEDIATE takes the write lock at once: two processes syncing never interleave.
            self.db.execute("BEGIN IMMEDIATE")
            return self.db

        def __exit__(self, kind, value, traceback) -> None:
            self.db.execute("COMMIT" if kind is None else "ROLLBACK")

    def _write(self) -> _Transaction:
        return self._Transaction(self._db())

    def close(self) -> None:
        """Close this thread's connection."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # -- writing ----------------------------------------------------------------------------------

    def replace_document(self, doc_id: str, write_id: str, language: str, rows: Sequence[SentenceRow]) -> None:
        """Make ``rows`` the document's sentences (one transaction)."""
        with self._write() as db:
            self._delete(db, doc_id)
            self._insert(db, doc_id, write_id, language, rows)

    def remove_document(self, doc_id: str) -> None:
        """Forget a document."""
        with self._write() as db:
            self._delete(db, doc_id)

    def sync(self, records: Mapping[str, tuple[str, str]], fetch: Callable[[str, str], list[SentenceRow]]) -> int:
        """Bring the index to ``records`` (doc_id -> (write_id, language)); returns documents changed.

        ``fetch(doc_id, write_id)`` reads a document's sentences from the store.
        """
        held = self.held()
        if held == {d: w for d, (w, _) in records.items()}:
            return 0
        stale = [d for d, w in held.items() if records.get(d, (None,))[0] != w]
        missing = [d for d, (w, _) in records.items() if held.get(d) != w]
        fetched = {d: fetch(d, records[d][0]) for d in missing}
        with self._write() as db:
            current = dict(db.execute("SELECT doc_id, write_id FROM docs"))
            for doc_id in stale:
                if current.get(doc_id) == held.get(doc_id):
                    self._delete(db, doc_id)
            for doc_id, rows in fetched.items():
                write_id, language = records[doc_id]
                if current.get(doc_id) != write_id:
                    self._delete(db, doc_id)
                    self._insert(db, doc_id, write_id, language, rows)
        changed = len(set(stale) | set(missing))
        logger.info("lexical index synced: %d document(s) changed", changed)
        return changed

    @staticmethod
    def _delete(db: sqlite3.Connection, doc_id: str) -> None:
        rows = db.execute("SELECT rowid, terms FROM sentences WHERE doc_id = ?", (doc_id,)).fetchall()
        db.executemany("INSERT INTO fts(fts, rowid, terms) VALUES('delete', ?, ?)", rows)
        db.execute("DELETE FROM sentences WHERE doc_id = ?", (doc_id,))
        db.execute("DELETE FROM doc_terms WHERE doc_id = ?", (doc_id,))
        db.execute("DELETE FROM docs WHERE doc_id = ?", (doc_id,))

    @staticmethod
    def _insert(db: sqlite3.Connection, doc_id: str, write_id: str, language: str, rows: Sequence[SentenceRow]) -> None:
        db.execute("INSERT INTO docs VALUES(?, ?, ?)", (doc_id, write_id, language))
        for row in rows:
            terms = " ".join(row.terms)
            cursor = db.execute(
                'INSERT INTO sentences(sid, doc_id, position, start, "end", context_start, section, text, terms) '
                "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (row.sid, doc_id, row.position, row.start, row.end, row.context_start, row.section, row.text, terms),
            )
            db.execute("INSERT INTO fts(rowid, terms) VALUES(?, ?)", (cursor.lastrowid, terms))
        db.executemany(
            "INSERT OR IGNORE INTO doc_terms VALUES(?, ?)", ((doc_id, t) for t in {t for r in rows for t in r.terms})
        )

    # -- reading ----------------------------------------------------------------------------------

    def held(self) -> dict[str, str]:
        """doc_id -> write_id of every document the index holds."""
        return dict(self._db().execute("SELECT doc_id, write_id FROM docs"))

    def count(self) -> int:
        """Number of indexed sentences."""
        return self._db().execute("SELECT count(*) FROM sentences").fetchone()[0]

    def search(
        self, terms: Sequence[str], *, limit: int, doc_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """The ``limit`` best sentences by BM25 for ``terms`` (OR), as ``(sid, score)``, best first."""
        unique = list(dict.fromkeys(terms))
        if not unique or limit <= 0:
            return []
        query = _any_of(unique)
        if doc_ids is None:
            # Rank inside FTS5 and look up only the best rows' ids: joining every matching row first cost
            # 13.4 ms p50 at 100k sentences against 8.1 ms this way, same results (bench/scale.py store).
            sql = ("SELECT s.sid, best.score FROM (SELECT rowid, -bm25(fts) AS score FROM fts WHERE fts MATCH ? "
                   "ORDER BY bm25(fts) LIMIT ?) AS best JOIN sentences s ON s.rowid = best.rowid "
                   "ORDER BY best.score DESC")
            return [(sid, float(score)) for sid, score in self._db().execute(sql, [query, limit])]
        sql = (f"SELECT s.sid, -bm25(fts) FROM fts JOIN sentences s ON s.rowid = fts.rowid WHERE fts MATCH ? "
               f"AND s.doc_id IN ({','.join('?' * len(doc_ids))}) ORDER BY bm25(fts) LIMIT ?")
        return [(sid, float(score)) for sid, score in self._db().execute(sql, [query, *doc_ids, limit])]

    def statistics(self) -> tuple[int, int]:
        """Rows and tokens of the FTS5 index, as ``bm25()`` reads them (its 'averages' record; no scan)."""
        found = self._db().execute("SELECT block FROM fts_data WHERE id = ?", (_AVERAGES_ID,)).fetchone()
        if found is None or not found[0]:
            return 0, 0
        rows, position = _varint(found[0], 0)
        tokens, _ = _varint(found[0], position)
        return rows, tokens

    def scores(
        self, terms: Sequence[str], rows: Iterable[SentenceRow], hits: Mapping[str, int] | None = None
    ) -> dict[str, float]:
        """FTS5's ``-bm25()`` of the given sentences for ``terms`` (OR), computed from their stored terms.

        Asking FTS5 for a few rows' ``bm25()`` walks every row holding a query word, which is most of a
        query's time on a large store; the same figure comes from the rows already read, the words' row
        counts (the ``vocab`` table; pass them as ``hits`` when already read) and the index's two totals.
        Sentences that match no term are absent.
        """
        unique, wanted = list(dict.fromkeys(terms)), list(rows)
        if not unique or not wanted:
            return {}
        if hits is None or any(t not in hits for t in unique):
            hits, _ = self.document_frequency(unique)
        total, tokens = self.statistics()
        return {row.sid: score for row in wanted
                if (score := bm25(unique, row.terms, hits, total, tokens)) is not None}

    def sentences(self, sids: Iterable[str]) -> dict[str, SentenceRow]:
        """The rows of the given sentence ids (unknown ids are absent)."""
        wanted = list(dict.fromkeys(sids))
        if not wanted:
            return {}
        sql = (
            'SELECT sid, doc_id, position, start, "end", context_start, section, text, terms FROM sentences '
            f"WHERE sid IN ({','.join('?' * len(wanted))})"
        )
        return {row[0]: _row(row) for row in self._db().execute(sql, wanted)}

    def sentence_at(self, doc_id: str, position: int) -> SentenceRow | None:
        """The sentence at ``position`` of a document, if any."""
        row = self._db().execute(
            'SELECT sid, doc_id, position, start, "end", context_start, section, text, terms FROM sentences '
            "WHERE doc_id = ? AND position = ?",
            (doc_id, position),
        ).fetchone()
        return _row(row) if row else None

    def document_sentences(self, doc_id: str) -> list[SentenceRow]:
        """Every sentence of a document, in order."""
        rows = self._db().execute(
            'SELECT sid, doc_id, position, start, "end", context_start, section, text, terms FROM sentences '
            "WHERE doc_id = ? ORDER BY position",
            (doc_id,),
        )
        return [_row(row) for row in rows]

    def document_frequency(self, terms: Iterable[str]) -> tuple[dict[str, int], int]:
        """How many sentences hold each term, and how many sentences there are."""
        unique = list(dict.fromkeys(terms))
        total, _ = self.statistics()
        if not unique:
            return {}, total
        found = dict(
            self._db().execute(f"SELECT term, doc FROM vocab WHERE term IN ({','.join('?' * len(unique))})", unique)
        )
        return {t: int(found.get(t, 0)) for t in unique}, total

    def present_in(self, terms: Iterable[str], doc_ids: Sequence[str]) -> set[str]:
        """Which of ``terms`` occur anywhere in the given documents (for the whole store, ``document_frequency``)."""
        unique = list(dict.fromkeys(terms))
        if not unique or not doc_ids:
            return set()
        sql = (f"SELECT DISTINCT term FROM doc_terms WHERE term IN ({','.join('?' * len(unique))}) "
               f"AND doc_id IN ({','.join('?' * len(doc_ids))})")
        return {t for (t,) in self._db().execute(sql, [*unique, *doc_ids])}

    def holding(self, terms: Iterable[str], doc_ids: Sequence[str] | None = None) -> list[str]:
        """The documents (of ``doc_ids``; all when None) that hold every one of ``terms``, in no set order."""
        unique = list(dict.fromkeys(terms))
        if not unique or (doc_ids is not None and not doc_ids):
            return []
        sql = f"SELECT doc_id FROM doc_terms WHERE term IN ({','.join('?' * len(unique))})"
        values: list[str] = list(unique)
        if doc_ids is not None:
            sql += f" AND doc_id IN ({','.join('?' * len(doc_ids))})"
            values += list(doc_ids)
        sql += " GROUP BY doc_id HAVING COUNT(DISTINCT term) = ?"
        return [d for (d,) in self._db().execute(sql, [*values, len(unique)])]

    def expand(self, term: str) -> str:
        """``term`` itself when indexed, else the indexed term sharing the longest long-enough prefix with it."""
        db = self._db()
        if db.execute("SELECT 1 FROM vocab WHERE term = ?", (term,)).fetchone() or len(term) < MIN_SHARED_PREFIX:
            return term
        prefix = term[:MIN_SHARED_PREFIX]
        known = [t for (t,) in db.execute("SELECT term FROM vocab WHERE term >= ? AND term < ?",
                                          (prefix, prefix + "\U0010ffff"))]
        return closest_by_prefix(term, known)


def bm25(
    terms: Sequence[str], row_terms: Sequence[str], hits: Mapping[str, int], rows: int, tokens: int
) -> float | None:
    """FTS5's ``bm25()`` (negated to "higher is better") of one row, or None when no term occurs in it.

    The arithmetic follows ``fts5Bm25Function`` in SQLite's fts5_aux.c step by step (k1 = 1.2, b = 0.75, an
    IDF of at most zero raised to 1e-6, phrases summed in query order), so the figure is FTS5's to the bit:
    the calibration was fitted on it.
    """
    counts = [row_terms.count(t) for t in terms]
    if not rows or not any(counts):
        return None
    average = tokens / rows
    length = float(len(row_terms))
    score = 0.0
    for t, count in zip(terms, counts, strict=True):
        weight = _idf(hits.get(t, 0), rows)
        f = float(count)
        score += weight * ((f * (_K1 + 1.0)) / (f + _K1 * (1 - _B + _B * length / average)))
    return score


def _idf(hits: int, rows: int) -> float:
    """FTS5's IDF of a word found in ``hits`` of ``rows`` rows (at most zero becomes 1e-6, as in fts5_aux.c)."""
    weight = math.log((rows - hits + 0.5) / (hits + 0.5))
    return weight if weight > 0.0 else 1e-6


def _varint(data: bytes, position: int) -> tuple[int, int]:
    """SQLite's variable-length integer at ``position`` (big-endian 7-bit groups; a 9th byte holds 8 bits)."""
    value = 0
    for i in range(8):
        byte = data[position + i]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, position + i + 1
    return (value << 8) | data[position + 8], position + 9


def _any_of(terms: Sequence[str]) -> str:
    """An FTS5 query matching any of ``terms``, each quoted as a literal."""
    return " OR ".join(_quote(t) for t in terms)


def _row(row: tuple) -> SentenceRow:
    sid, doc_id, position, start, end, context_start, section, text, terms = row
    return SentenceRow(sid, doc_id, position, start, end, context_start, section, text, tuple(terms.split()))


def shared_prefix(a: str, b: str) -> int:
    """Length of the common beginning of two words."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def closest_by_prefix(term: str, known: Sequence[str]) -> str:
    """``term``'s nearest spelling among ``known`` (same stem start), or ``term`` itself."""
    best, best_length = term, 0
    for candidate in known:
        length = shared_prefix(term, candidate)
        enough = max(MIN_SHARED_PREFIX, MIN_SHARED_SHARE * min(len(term), len(candidate)))
        if length >= enough and length > best_length:
            best, best_length = candidate, length
    return best
