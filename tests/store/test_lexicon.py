"""The persisted lexical index: BM25 over analysed terms, updated per document, shared between processes."""

from __future__ import annotations

import json
from pathlib import Path

from ingest.split import split_document
from store.lexical import analyse
from store.lexicon import LexicalIndex, SentenceRow, closest_by_prefix

DATA = Path(__file__).resolve().parents[1] / "data"
CORPUS = Path(__file__).resolve().parents[2] / "ingest" / "corpus" / "kim-russie-afp.txt"


def rows(doc_id: str, write_id: str, texts: list[str], code: str = "fr") -> list[SentenceRow]:
    out, position = [], 0
    for i, text in enumerate(texts):
        out.append(SentenceRow(f"{doc_id}:{write_id}:{i}", doc_id, i, position, position + len(text), position, "",
                               text, tuple(analyse(text, code))))
        position += len(text) + 1
    return out


def test_search_ranks_by_bm25_within_chosen_documents(tmp_path):
    index = LexicalIndex(tmp_path / "lexicon.sqlite3")
    index.replace_document("a", "w1", "fr", rows("a", "w1", ["Kim a reçu cinq drones explosifs.", "Il pleut."]))
    index.replace_document("b", "w1", "fr", rows("b", "w1", ["Les drones de Kim volent."]))
    terms = analyse("drones explosifs", "fr")
    assert index.search(terms, limit=5)[0][0] == "a:w1:0"
    assert [sid for sid, _ in index.search(terms, limit=5, doc_ids=["b"])] == ["b:w1:0"]
    stored = index.sentences(["a:w1:0", "a:w1:1"])
    assert set(index.scores(terms, stored.values())) == {"a:w1:0"}  # "Il pleut." matches nothing
    assert index.present_in(["dron", "pleut"], ["b"]) == {"dron"}
    # The documents holding every term, anywhere in them (a follow-up's carried names pick the article by it).
    assert sorted(index.holding(analyse("Kim drones", "fr"))) == ["a", "b"]
    assert index.holding(analyse("Kim pleut", "fr")) == ["a"]
    assert index.holding(analyse("Kim pleut", "fr"), ["b"]) == []
    assert index.holding(analyse("Kim", "fr"), []) == [] and index.holding([]) == []


def fts5_scores(index: LexicalIndex, terms: list[str]) -> dict[str, float]:
    """What SQLite's own bm25() says of every row matching any of ``terms``."""
    query = " OR ".join(f'"{t}"' for t in dict.fromkeys(terms))
    sql = "SELECT s.sid, -bm25(fts) FROM fts JOIN sentences s ON s.rowid = fts.rowid WHERE fts MATCH ?"
    return dict(index._db().execute(sql, [query]))


def test_candidate_scores_are_fts5_bm25_to_the_bit(tmp_path):
    """The calibration was fitted on FTS5's bm25(): the scores computed from stored terms must be the same figure."""
    index = LexicalIndex(tmp_path / "lexicon.sqlite3")
    texts = {}
    for path in [*sorted((DATA / "external" / "articles").rglob("*.txt"))[:12], CORPUS]:
        code = "en" if "squad2" in path.parts else "fr"
        sentences = [s.text for s in split_document(path.read_text(encoding="utf-8"), code).sentences]
        texts[path.stem] = (code, sentences)
        index.replace_document(path.stem, "w1", code, rows(path.stem, "w1", sentences, code))
    first = next(iter(texts))
    index.remove_document(first)  # the totals FTS5 keeps must follow deletions too
    questions = [json.loads(line) for line in (DATA / "external" / "squad2-test.jsonl").open()][:40]
    questions += [json.loads(line) for line in (DATA / "external" / "piaf-test.jsonl").open()][:40]
    questions += [json.loads(line) for line in (DATA / "questions.jsonl").open()][:40]
    compared = 0
    for item in questions:
        terms = list(dict.fromkeys(analyse(item["question"], "en" if item["question"].isascii() else "fr")))
        expected = fts5_scores(index, terms)
        mine = index.scores(terms, index.sentences(expected).values())
        assert mine == expected  # exact equality, not approximate
        best = [score for _, score in index.search(terms, limit=10)]
        assert best == sorted(expected.values(), reverse=True)[:10]  # FTS5's own ranking, ids looked up after
        compared += len(expected)
    assert compared > 500
    total, tokens = index.statistics()
    assert total == index.count() and tokens == sum(len(r.terms) for d in texts if d != first
                                                    for r in index.document_sentences(d))


def test_replacing_a_document_drops_its_old_sentences(tmp_path):
    index = LexicalIndex(tmp_path / "lexicon.sqlite3")
    index.replace_document("a", "w1", "fr", rows("a", "w1", ["Ancien texte sur les drones."]))
    index.replace_document("a", "w2", "fr", rows("a", "w2", ["Nouveau texte sur les chars."]))
    assert index.search(analyse("drones", "fr"), limit=5) == []
    assert index.held() == {"a": "w2"} and index.count() == 1
    index.remove_document("a")
    assert index.held() == {} and index.count() == 0
    assert index.document_frequency(["char"]) == ({"char": 0}, 0)


def test_sync_brings_a_second_process_copy_up_to_date(tmp_path):
    first = LexicalIndex(tmp_path / "lexicon.sqlite3")
    first.replace_document("a", "w1", "fr", rows("a", "w1", ["Premier document."]))
    stored = {"a": rows("a", "w2", ["Premier document, modifié."]), "b": rows("b", "w1", ["Second document."])}
    second = LexicalIndex(tmp_path / "lexicon.sqlite3")  # as another process would open it
    changed = second.sync({"a": ("w2", "fr"), "b": ("w1", "fr")}, lambda d, w: stored[d])
    assert changed == 2 and first.held() == {"a": "w2", "b": "w1"}
    assert second.sync({"a": ("w2", "fr"), "b": ("w1", "fr")}, lambda d, w: stored[d]) == 0
    assert second.sync({"b": ("w1", "fr")}, lambda d, w: stored[d]) == 1
    assert first.held() == {"b": "w1"}


def test_unknown_words_meet_indexed_cognates_by_their_long_shared_prefix(tmp_path):
    index = LexicalIndex(tmp_path / "lexicon.sqlite3")
    index.replace_document("a", "w1", "fr", rows("a", "w1", ["Il a visité l'Université d'État."]))
    university = analyse("university", "en")[0]
    assert index.expand(university) == analyse("Université", "fr")[0]
    assert index.expand("zzzzzz") == "zzzzzz"
    assert closest_by_prefix("ministers", ["ministr", "minute"]) == "ministr"


def test_an_index_built_by_another_analysis_is_emptied_and_re_read(tmp_path):
    path = tmp_path / "lexicon.sqlite3"
    stored = {"a": rows("a", "w1", ["Premier document."]), "b": rows("b", "w1", ["Second document."])}
    records = {"a": ("w1", "fr"), "b": ("w1", "fr")}
    old = LexicalIndex(path, "1-a")
    assert old.sync(records, lambda d, w: stored[d]) == 2
    assert LexicalIndex(path, "1-a").held() == {"a": "w1", "b": "w1"}  # the same analysis keeps what it holds
    new = LexicalIndex(path, "1-b")
    assert new.held() == {} and new.count() == 0 and new.search(["document"], limit=5) == []
    assert new.sync(records, lambda d, w: stored[d]) == 2
    assert new.count() == 2 and LexicalIndex(path, "1-b").held() == {"a": "w1", "b": "w1"}
