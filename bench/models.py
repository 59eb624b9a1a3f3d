"""Benchmark: the embedding models side by side — speed of answering and of ingesting, start-up and memory.

For each model (EmbeddingGemma-300M, the default, and multilingual-e5-small), each measured in a fresh
process so that imports and model loading count:

- warm ``answer()`` p50 against encoding the question alone (target: at most 1.5x);
- ingest throughput (sentences/s) against the encoder's raw throughput on the same sentences, embedded with
  the same prompts and batch size (target: at least 0.8x);
- the bundled article: ingest time, first answer after start, resident memory.

    python bench/models.py [--threads N] [--sentences 300]

Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODELS = ("embeddinggemma-300m", "multilingual-e5-small")

CHILD = r"""
import json, os, resource, statistics, sys, tempfile, time
from pathlib import Path
started = time.perf_counter()
sys.path.insert(0, ROOT)
from assistant import Assistant, Settings
from ingest import ingest_documents, load_bundled, load_file
from store import EmbeddingSettings, StoreSettings, open_store
from store.embeddings import load_embeddings

tmp = Path(tempfile.mkdtemp())
embedding = EmbeddingSettings(model=MODEL, threads=THREADS)
t = time.perf_counter(); encoder = load_embeddings(embedding); load_s = time.perf_counter() - t + (t - started)
settings = Settings(store=StoreSettings(path=tmp / "chroma"), embedding=embedding)
store = open_store(settings.store, settings.embedding, embeddings=encoder)
t = time.perf_counter()
ingest_documents(store, [load_bundled()], show_progress=False)
bundled_s = time.perf_counter() - t
assistant = Assistant(settings, store=store)
t = time.perf_counter(); assistant.answer("Quels cadeaux Kim a-t-il reçus ?"); first_s = time.perf_counter() - t
rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

questions = [json.loads(l)["question"] for l in open(Path(ROOT) / "tests/data/questions.jsonl")]
for q in questions[:5]:
    assistant.answer(q); encoder.embed_query(q)
encode, full = [], []
for q in questions:
    t = time.perf_counter(); encoder.embed_query(q); encode.append(time.perf_counter() - t)
    t = time.perf_counter(); assistant.answer(q); full.append(time.perf_counter() - t)

# Ingest throughput against the raw encoder on the same sentences (PIAF and SQuAD articles, title prompts).
from ingest.split import split_document
docs = [load_file(p) for p in sorted((Path(ROOT) / "tests/data/external/articles/piaf").glob("*.txt"))[:40]]
docs += [load_file(p) for p in sorted((Path(ROOT) / "tests/data/external/articles/squad2").glob("*.txt"))[:1]]
chosen, total = [], 0
for d in docs:
    layout = split_document(d.text, d.language)
    if total + len(layout.sentences) > SENTENCES and chosen:
        break
    chosen.append((d, layout)); total += len(layout.sentences)
t = time.perf_counter()
for d, layout in chosen:
    encoder.embed_documents([d.text[s.context_start:s.end] for s in layout.sentences], title=d.title or layout.title)
raw_s = time.perf_counter() - t
ingest_store = open_store(StoreSettings(path=tmp / "ingest"), embedding, embeddings=encoder)
t = time.perf_counter(); ingest_documents(ingest_store, [d for d, _ in chosen], show_progress=False)
ingest_s = time.perf_counter() - t
print(json.dumps({
    "load_s": load_s, "bundled_ingest_s": bundled_s, "first_answer_s": first_s, "rss_mb": rss_mb,
    "encode_p50_ms": statistics.median(encode) * 1000, "answer_p50_ms": statistics.median(full) * 1000,
    "answer_p95_ms": sorted(full)[int(0.95 * (len(full) - 1))] * 1000,
    "sentences": total, "raw_per_s": total / raw_s, "ingest_per_s": total / ingest_s,
}))
"""


def measure(model: str, threads: int, sentences: int) -> dict:
    code = (CHILD.replace("ROOT)", f"{str(ROOT)!r})").replace("ROOT,", f"{str(ROOT)!r},")
            .replace("MODEL", repr(model)).replace("THREADS", str(threads)).replace("SENTENCES", str(sentences)))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{model}: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None, help="Encoder threads (default: the setting's).")
    parser.add_argument("--sentences", type=int, default=300, help="Sentences for the ingest throughput.")
    args = parser.parse_args()
    from store.config import default_threads

    threads = args.threads or default_threads()
    rows = {model: measure(model, threads, args.sentences) for model in MODELS}
    print(f"encoder threads: {threads}; ingest measured on {rows[MODELS[0]]['sentences']} sentences\n")
    lines = [
        ("warm answer() p50 / p95", lambda r: f"{r['answer_p50_ms']:.0f} / {r['answer_p95_ms']:.0f} ms"),
        ("encode the question alone p50", lambda r: f"{r['encode_p50_ms']:.0f} ms"),
        ("answer() / encode (target <= 1.5)", lambda r: f"{r['answer_p50_ms'] / r['encode_p50_ms']:.2f}x"),
        ("raw encoder, same sentences", lambda r: f"{r['raw_per_s']:.1f} sentences/s"),
        ("ingest", lambda r: f"{r['ingest_per_s']:.1f} sentences/s"),
        ("ingest / raw encoder (target >= 0.8)", lambda r: f"{r['ingest_per_s'] / r['raw_per_s']:.2f}x"),
        ("import + load model", lambda r: f"{r['load_s']:.1f} s"),
        ("bundled article ingest (25 sentences)", lambda r: f"{r['bundled_ingest_s']:.1f} s"),
        ("first answer (after ingest)", lambda r: f"{r['first_answer_s']:.2f} s"),
        ("resident memory (peak)", lambda r: f"{r['rss_mb']:.0f} MB"),
    ]
    print(f"{'':40}" + "".join(f"{m:>24}" for m in MODELS))
    for label, show in lines:
        print(f"{label:40}" + "".join(f"{show(rows[m]):>24}" for m in MODELS))


if __name__ == "__main__":
    main()
