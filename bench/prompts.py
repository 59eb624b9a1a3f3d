"""Benchmark: EmbeddingGemma's prompts, chosen on the fit part of the public data only.

Two choices of ``store/embeddings.py`` are measured here, on the answerable questions of ``squad2-fit`` and
``piaf-fit`` (the test parts are never read):

- the document prompt names the document's title (``title: <title> | text: ``) or not (``title: none``);
- the question is embedded with the model's query prompt (``task: search result | query: ``) or with the
  task prompt the model card lists for question answering (``task: question answering | query: ``).

Each sentence is embedded exactly as ingest embeds it (a sentence that carries on the one before it with that
one); the figure is how often the sentence holding the answer has the highest cosine within its article (top 1)
or is among the three highest (top 3). Dense ranking alone, so no fitted weight takes part.

    python bench/prompts.py [--threads 1]

Prints a table; asserts nothing. About 20 minutes on one thread (the fit articles are embedded twice).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import calibrate  # noqa: E402

from store.config import GEMMA  # noqa: E402

QUERY_PROMPTS = {
    "search result (model's query prompt)": "task: search result | query: ",
    "question answering": "task: question answering | query: ",
}


def ranks(question_vectors: np.ndarray, sentence_vectors: np.ndarray, gold: list[np.ndarray]) -> np.ndarray:
    """Per question: (gold sentence first, gold sentence in the top 3)."""
    return np.asarray([calibrate.top_hits(sentences @ vector, is_gold) for vector, sentences, is_gold
                       in zip(question_vectors, sentence_vectors, gold, strict=True)], dtype=np.float64)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="Encoder threads (default 1).")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from assistant.evaluation import holds_span
    from assistant.question import prepare
    from ingest import ingest_documents, load_file
    from store import open_store

    settings = calibrate.settings_for(GEMMA)
    settings = settings.model_copy(update={
        "embedding": settings.embedding.model_copy(update={"threads": args.threads})})
    items, files = calibrate.load_items(calibrate.FIT)
    store = open_store(settings.store, settings.embedding)
    documents = {name: load_file(path) for name, path in files.items()}
    ingest_documents(store, list(documents.values()))
    encoder = store.embeddings
    stored = {name: store.find(doc.source) for name, doc in documents.items()}
    items = [(set_name, item) for set_name, item in items if item.answerable]
    queries = [prepare(item.question, languages={"en", "fr"}).query for _, item in items]

    started = time.perf_counter()
    sentences: dict[str, dict[str, np.ndarray]] = {"title": {}, "none": {}}
    rows_of = {}
    for name, doc in stored.items():
        rows = store.lexicon.document_sentences(doc.doc_id)
        text = store.document_text(doc.doc_id)
        passages = [text[r.context_start : r.end] for r in rows]
        rows_of[name] = rows
        for variant, title in (("title", doc.title), ("none", None)):
            sentences[variant][name] = np.asarray(encoder.embed_documents(passages, title=title))
    print(f"fit articles embedded twice in {time.perf_counter() - started:.0f} s "
          f"({sum(len(r) for r in rows_of.values())} sentences, {len(stored)} articles)", flush=True)
    gold = [np.asarray([holds_span(r, item.answer_offsets) for r in rows_of[item.document]]) for _, item in items]
    sets = np.asarray([set_name for set_name, _ in items])

    print(f"\n{'query prompt':38} {'document prompt':16} " + "  ".join(f"{s:>22}" for s in calibrate.FIT))
    for label, prompt in QUERY_PROMPTS.items():
        vectors = encoder.model.encode(queries, prompt=prompt, batch_size=encoder.batch_size,
                                       normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        for variant in ("title", "none"):
            result = ranks(vectors, [sentences[variant][item.document] for _, item in items], gold)
            cells = []
            for set_name in calibrate.FIT:
                top1, top3 = result[sets == set_name].mean(axis=0)
                cells.append(f"top1 {top1:.3f} top3 {top3:.3f}")
            document = "title: <title>" if variant == "title" else "title: none"
            print(f"{label:38} {document:16} " + "  ".join(f"{c:>22}" for c in cells), flush=True)
    counts = ", ".join(f"{s} {int((sets == s).sum())}" for s in calibrate.FIT)
    print(f"\n{len(items)} answerable fit questions ({counts})")


if __name__ == "__main__":
    main()
