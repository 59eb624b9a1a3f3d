"""Benchmark: answering over stores of 1k, 10k and 100k sentences, embedded and on a `chroma run` server.

The stores hold real article text: the public SQuAD 2.0 and PIAF paragraphs in ``tests/data/external``,
re-arranged into documents of about 50 sentences drawn from several articles (so documents differ). Writing
100k sentences with EmbeddingGemma would take hours on 2 cores, so the stores are written and queried with a
documented stand-in encoder: feature hashing of the words into 768 dimensions, unit length, deterministic
(texts sharing words get close vectors, as with a real model). Every query goes through the real answering
path (``Assistant.answer``: Chroma, the lexical index, features, calibration, checks); the stand-in's encoding
time is measured and subtracted, and the real model's encoding time is printed beside for reference.

For each size and mode it prints:
- warm ``answer()`` p50 / p95 minus the question's encoding;
- time from process start to the first answer (imports included, no model to load), and resident memory after
  it (and the peak);
- ingest throughput (sentences/s) and the encoder's share of it;
- how long until a document ingested by another process is answerable by a running assistant.

With the real model (EmbeddingGemma) loaded instead of the stand-in, it also times process start to the first
answer minus the model's own load, and the peak memory beyond the model alone (a process that only loads it
and encodes one question); the stand-in's vectors make the nearest sentences meaningless there, but reading
the index, the lexicon and the records costs the same.

    python bench/scale.py [--sizes 1000 10000 100000] [--server-size 10000] [--queries 60] [--keep DIR]

``--keep DIR`` keeps the embedded stores and reuses them on the next run (writing 100k sentences takes about
ten minutes).

Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
DIMENSION = 768
SENTENCES_PER_DOCUMENT = 50


def resident_mb() -> float:
    """The process's resident memory now (VmRSS), in MiB; its peak is ``ru_maxrss``."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class HashingEncoder:
    """Stand-in encoder: words hashed into 768 signed buckets, unit length (deterministic, ~0.1 ms a text)."""

    name = "stand-in-hashing-768"
    dimension = DIMENSION

    def __init__(self) -> None:
        self.seconds = 0.0

    def _vector(self, text: str) -> list[float]:
        import numpy as np

        vector = np.zeros(DIMENSION, dtype=np.float32)
        for word in re.findall(r"\w+", text.lower()):
            digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
            bucket = int.from_bytes(digest[:4], "little") % DIMENSION
            vector[bucket] += 1.0 if digest[4] & 1 else -1.0
        norm = float(np.linalg.norm(vector)) or 1.0
        return (vector / norm).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        started = time.perf_counter()
        out = [self._vector(t) for t in texts]
        self.seconds += time.perf_counter() - started
        return out

    def embed_query(self, text: str) -> list[float]:
        started = time.perf_counter()
        out = self._vector(text)
        self.seconds += time.perf_counter() - started
        return out


def corpus_sentences() -> list[tuple[str, str]]:
    """(language, sentence) of every paragraph of the public articles, split the way ingest splits."""
    from ingest.split import split_document

    out = []
    for path in sorted((ROOT / "tests" / "data" / "external" / "articles").rglob("*.txt")):
        language = "en" if "squad2" in path.parts else "fr"
        text = path.read_text(encoding="utf-8")
        out.extend((language, s.text) for s in split_document(text, language).sentences)
    return out


def documents(total: int, seed: int = 7) -> list:
    """Documents of about 50 sentences (one language each) until ``total`` sentences, deterministic."""
    from ingest import LoadedDocument

    pool = corpus_sentences()
    by_language = {code: [s for lang, s in pool if lang == code] for code in ("en", "fr")}
    rng = random.Random(seed)
    docs, count, number = [], 0, 0
    while count < total:
        code = "en" if number % 2 == 0 else "fr"
        size = min(SENTENCES_PER_DOCUMENT, total - count)
        sentences = rng.sample(by_language[code], size)
        # Paragraphs of five sentences, as in a news article.
        body = "\n\n".join(" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5))
        docs.append(LoadedDocument(source=f"scale-{number:05d}.txt", title=f"Article {number}", language=code,
                                   text=f"Article {number}\n\n{body}"))
        count += size
        number += 1
    return docs


def store_settings(path: Path, port: int | None):
    from store import StoreSettings

    if port:
        return StoreSettings(host="127.0.0.1", port=port, collection="scale", cache_dir=path / "cache")
    return StoreSettings(path=path / "chroma", cache_dir=path / "cache")


def build(path: Path, size: int, port: int | None) -> dict:
    from ingest import ingest_documents
    from store import EmbeddingSettings, open_store

    encoder = HashingEncoder()
    store = open_store(store_settings(path, port), EmbeddingSettings(), embeddings=encoder)
    docs = documents(size)
    started = time.perf_counter()
    report = ingest_documents(store, docs, show_progress=False)
    seconds = time.perf_counter() - started
    return {"sentences": report.added, "ingest_per_s": report.added / seconds,
            "encoder_share": encoder.seconds / seconds}


QUERY_CHILD = r"""
import json, resource, statistics, sys, time
started = time.perf_counter()
sys.path.insert(0, ROOT)
sys.argv = ["scale"]
from bench.scale import HashingEncoder, peak_mb, resident_mb, store_settings
from pathlib import Path
from assistant import Assistant, Settings
from assistant.process import limit_malloc_arenas
from store import EmbeddingSettings, open_store
limit_malloc_arenas(Settings().malloc_arenas)  # as the citechat command does
encoder = HashingEncoder()
settings = Settings(store=store_settings(Path(PATH), PORT), embedding=EmbeddingSettings())
store = open_store(settings.store, settings.embedding, embeddings=encoder)
assistant = Assistant(settings, store=store)
questions = json.loads(QUESTIONS)
assistant.answer(questions[0])
first = time.perf_counter() - started
rss, peak = resident_mb(), peak_mb()
for q in questions[:5]:
    assistant.answer(q)
full, encode = [], []
for q in questions:
    before = encoder.seconds
    t = time.perf_counter(); assistant.answer(q); full.append(time.perf_counter() - t)
    encode.append(encoder.seconds - before)
net = sorted(f - e for f, e in zip(full, encode))
print(json.dumps({"first_answer_s": first, "rss_mb": rss, "peak_mb": peak, "p50_ms": statistics.median(net) * 1000,
                  "p95_ms": net[int(0.95 * (len(net) - 1))] * 1000}))
"""


# The same start with the real model: the stores' vectors come from the stand-in, so its nearest sentences
# mean nothing, but reading the index, the lexicon and the records costs the same. The model's own load
# is timed and subtracted; check_model is off because the store says it was written by the stand-in.
REAL_CHILD = r"""
import json, resource, sys, time
started = time.perf_counter()
sys.path.insert(0, ROOT)
sys.argv = ["scale"]
from bench.scale import peak_mb, resident_mb, store_settings
from pathlib import Path
from assistant import Assistant, Settings
from assistant.process import limit_malloc_arenas
from store import EmbeddingSettings, open_store
import store.embeddings as embeddings_module
limit_malloc_arenas(Settings().malloc_arenas)  # as the citechat command does
load = embeddings_module.load_embeddings
loaded = {}
def timed(*args, **kwargs):
    t = time.perf_counter(); out = load(*args, **kwargs); loaded["s"] = time.perf_counter() - t; return out
embeddings_module.load_embeddings = timed
settings = Settings(store=store_settings(Path(PATH), PORT), embedding=EmbeddingSettings())
store = open_store(settings.store, settings.embedding, check_model=False)
assistant = Assistant(settings, store=store)
assistant.answer(json.loads(QUESTIONS)[0])
first = time.perf_counter() - started
print(json.dumps({"model_first_s": first - loaded["s"], "model_load_s": loaded["s"],
                  "model_rss_mb": resident_mb(), "model_peak_mb": peak_mb()}))
"""

# The model alone (imports, load, one question encoded): what "beyond the model" is measured from.
MODEL_ONLY_CHILD = r"""
import json, resource, sys
sys.path.insert(0, ROOT)
from store import EmbeddingSettings
from store.embeddings import load_embeddings
from bench.scale import peak_mb, resident_mb
load_embeddings(EmbeddingSettings()).embed_query("When did the Normans conquer England?")
print(json.dumps({"rss_mb": resident_mb(), "peak_mb": peak_mb()}))
"""


def child(template: str, path: Path | None, port: int | None, questions: list[str]) -> dict:
    """Run a measuring child process; its last line is a JSON object."""
    code = (template.replace("ROOT)", f"{str(ROOT)!r})").replace("PATH", repr(str(path)))
            .replace("PORT", repr(port)).replace("QUESTIONS", repr(json.dumps(questions))))
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


FOLLOW_CHILD = r"""
import sys, time
sys.path.insert(0, ROOT)
from bench.scale import HashingEncoder, store_settings
from pathlib import Path
from ingest import LoadedDocument, ingest_documents
from store import EmbeddingSettings, open_store
store = open_store(store_settings(Path(PATH), PORT), EmbeddingSettings(), embeddings=HashingEncoder())
document = LoadedDocument(source=SOURCE, title="Late", language="fr",
                          text="Late\n\nLe zeppelin Hindenburg a brûlé à Lakehurst en mai 1937.")
ingest_documents(store, [document], show_progress=False)
print(time.time())
"""


def follow(path: Path, port: int | None) -> float:
    """Seconds from another process's ingest finishing to a running assistant answering from it."""
    from assistant import Assistant, Settings
    from store import EmbeddingSettings, open_store

    settings = Settings(store=store_settings(path, port), embedding=EmbeddingSettings())
    store = open_store(settings.store, settings.embedding, embeddings=HashingEncoder())
    assistant = Assistant(settings, store=store)
    source = f"late-{time.time_ns()}.txt"  # new each run, so a kept store measures a real arrival
    code = (FOLLOW_CHILD.replace("ROOT)", f"{str(ROOT)!r})").replace("PATH", repr(str(path)))
            .replace("PORT", repr(port)).replace("SOURCE", repr(source)))
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    finished = float(done.stdout.strip().splitlines()[-1])
    seconds = float("nan")
    while time.time() - finished < 60:
        answer = assistant.answer("Où le zeppelin Hindenburg a-t-il brûlé ?", sources=None)
        if any(c.source == source for c in answer.citations):
            seconds = time.time() - finished
            break
        time.sleep(0.1)
    store.remove(source)  # a kept store stays the size it was built at
    return seconds


def real_encoding_ms() -> float:
    from store import EmbeddingSettings
    from store.embeddings import load_embeddings

    encoder = load_embeddings(EmbeddingSettings())
    questions = [json.loads(line)["question"] for line in (ROOT / "tests/data/questions.jsonl").open()][:30]
    for q in questions[:3]:
        encoder.embed_query(q)
    times = []
    for q in questions:
        t = time.perf_counter()
        encoder.embed_query(q)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def start_server(path: Path) -> tuple[subprocess.Popen, int]:
    from tests.conftest import start_chroma_server

    path.mkdir(parents=True, exist_ok=True)
    return start_chroma_server(path)


def measure(path: Path, size: int, mode: str | None, questions: list[str], real_model: bool) -> dict:
    """Build (or reuse) one store and measure it; a kept store is reused when its build record is there."""
    record = path / "built.json"
    server, port = (start_server(path / "server") if mode else (None, None))
    try:
        if record.exists() and not mode:
            built = json.loads(record.read_text())
        else:
            built = build(path, size, port)
            record.write_text(json.dumps(built))
        measured = child(QUERY_CHILD, path, port, questions)
        if real_model and not mode:
            measured |= child(REAL_CHILD, path, port, questions)
        seconds = follow(path, port)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    return {"mode": mode or "embedded", "size": size, **built, **measured, "follow_s": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--server-size", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the embedded stores in this directory and reuse them on the next run")
    parser.add_argument("--no-model", action="store_true",
                        help="skip the start-up and memory measured with the real model")
    args = parser.parse_args()
    questions = [json.loads(line)["question"] for line in
                 (ROOT / "tests/data/external/squad2-test.jsonl").open()][: args.queries // 2]
    questions += [json.loads(line)["question"] for line in
                  (ROOT / "tests/data/external/piaf-test.jsonl").open()][: args.queries // 2]
    rows = []
    model_alone = None if args.no_model else child(MODEL_ONLY_CHILD, None, None, [])
    with tempfile.TemporaryDirectory() as tmp:
        runs = [(size, None) for size in args.sizes] + ([(args.server_size, "server")] if args.server_size else [])
        for size, mode in runs:
            base = args.keep if (args.keep and not mode) else Path(tmp)
            path = base / f"{mode or 'embedded'}-{size}"
            path.mkdir(parents=True, exist_ok=True)
            rows.append(measure(path, size, mode, questions, real_model=not args.no_model))
            print(json.dumps(rows[-1]), flush=True)
    encoding = real_encoding_ms()
    print(f"\nEmbeddingGemma encoding of a question (excluded below): p50 {encoding:.0f} ms")
    if model_alone:
        print(f"the model alone (imports, load, one question): {model_alone['rss_mb']:.0f} MB resident, "
              f"{model_alone['peak_mb']:.0f} MB peak")
    print("\nstand-in encoder, no model in the process:")
    header = (f"{'mode':9}{'sentences':>10}{'answer p50':>12}{'p95':>9}{'start->1st':>12}{'memory (peak)':>15}"
              f"{'ingest/s':>10}{'encoder':>9}{'follow':>9}")
    print(header)
    for r in rows:
        print(f"{r['mode']:9}{r['sentences']:>10}{r['p50_ms']:>10.1f}ms{r['p95_ms']:>7.1f}ms"
              f"{r['first_answer_s']:>10.2f} s"
              f"{r['rss_mb']:>7.0f}MB ({r['peak_mb']:.0f}){r['ingest_per_s']:>10.0f}{r['encoder_share'] * 100:>8.0f}%"
              f"{r['follow_s']:>7.1f} s")
    with_model = [r for r in rows if "model_first_s" in r]
    if with_model and model_alone:
        print("\nthe real model loaded (EmbeddingGemma), embedded store:")
        print(f"{'sentences':>10}{'model load':>12}{'start->1st minus load':>23}{'resident (peak)':>17}"
              f"{'beyond the model (peak)':>25}")
        for r in with_model:
            print(f"{r['sentences']:>10}{r['model_load_s']:>10.1f} s{r['model_first_s']:>21.2f} s"
                  f"{r['model_rss_mb']:>9.0f}MB ({r['model_peak_mb']:.0f})"
                  f"{r['model_rss_mb'] - model_alone['rss_mb']:>15.0f}MB "
                  f"({r['model_peak_mb'] - model_alone['peak_mb']:.0f})")
    embedded = {r["size"]: r for r in rows if r["mode"] == "embedded"}
    if len(embedded) > 1:
        sizes = sorted(embedded)
        print(f"\ngrowth of answer p50 from {sizes[0]} to {sizes[-1]} sentences: "
              f"{embedded[sizes[-1]]['p50_ms'] / embedded[sizes[0]]['p50_ms']:.2f}x (target <= 3)")
    server = next((r for r in rows if r["mode"] == "server"), None)
    if server and server["size"] in embedded:
        print(f"server / embedded answer p50 at {server['size']} sentences: "
              f"{server['p50_ms'] / embedded[server['size']]['p50_ms']:.2f}x (target <= 2)")


if __name__ == "__main__":
    main()
