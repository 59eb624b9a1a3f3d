"""Benchmark: warm answer() latency against the embedding model alone, the time the calibrated score adds, and
the first answer after start-up.

Run with ``make bench`` (or ``.venv/bin/python bench/answer_latency.py``). Prints figures; asserts nothing.
Each start-up figure is measured in a fresh interpreter so imports are counted.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = [json.loads(line)["question"] for line in (ROOT / "tests/data/questions.jsonl").read_text().splitlines()]
ROUNDS = 3

MODEL_ONLY = """
import time; t = time.perf_counter()
from store.config import EmbeddingSettings
from store.embeddings import load_embeddings
e = load_embeddings(EmbeddingSettings())
e.embed_query("Quels cadeaux Kim a-t-il reçus ?")
print(time.perf_counter() - t)
"""
FIRST_ANSWER = """
import time; t = time.perf_counter()
from assistant import answer
answer("Quels cadeaux Kim a-t-il reçus ?")
print(time.perf_counter() - t)
"""


def fresh_process(code: str, env: dict[str, str]) -> float:
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def calibrated_score_seconds(assistant, questions: list[str]) -> list[float]:
    """Time of what the calibrated score adds to answering: features, the two scores and the checks."""
    from assistant.checks import Scored, answerability, run_stages
    from assistant.features import candidate_features, same_language
    from assistant.question import prepare
    from assistant.retrieve import retrieve

    times = []
    for text in questions:
        question = prepare(text)
        found = retrieve(assistant.store, question, assistant.store.embed_query(question.query))
        started = time.perf_counter()
        scored = [Scored(c, v, assistant.calibration.probability(v, same_language=same_language(found, c)))
                  for c, v in zip(found.candidates, candidate_features(found), strict=True)]
        scored.sort(key=lambda s: -s.probability)
        kept, _ = run_stages(assistant.stages, found, scored)
        answerability(assistant.calibration, found, kept or scored)
        times.append(time.perf_counter() - started)
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    from assistant import Assistant, Settings
    from store import StoreSettings

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CITECHAT_STORE__PATH": str(Path(tmp) / "chroma")}
        settings = Settings(store=StoreSettings(path=Path(tmp) / "chroma"))
        assistant = Assistant(settings)  # seeds the store and builds the model if needed
        embeddings = assistant.store.embeddings
        for question in QUESTIONS[:5]:
            assistant.answer(question)
            embeddings.embed_query(question)
        encode, full = [], []
        for _ in range(ROUNDS):  # interleaved, so both see the same machine state
            for question in QUESTIONS:
                t = time.perf_counter()
                embeddings.embed_query(question)
                encode.append(time.perf_counter() - t)
                t = time.perf_counter()
                assistant.answer(question)
                full.append(time.perf_counter() - t)
        scoring = calibrated_score_seconds(assistant, QUESTIONS)
        model_start = statistics.median(fresh_process(MODEL_ONLY, env) for _ in range(3))
        first_answer = statistics.median(fresh_process(FIRST_ANSWER, env) for _ in range(3))

    ms = 1000
    enc_p50, ans_p50 = statistics.median(encode) * ms, statistics.median(full) * ms
    ans_p95 = percentile(full, 0.95) * ms
    print(f"questions x rounds           {len(QUESTIONS)} x {ROUNDS}")
    print(f"encode question only   p50   {enc_p50:6.1f} ms   p95 {percentile(encode, 0.95) * ms:6.1f} ms")
    print(f"warm answer()          p50   {ans_p50:6.1f} ms   p95 {ans_p95:6.1f} ms")
    print(f"answer / encode        p50   {ans_p50 / enc_p50:6.2f} x   (target <= 1.5)")
    print(f"calibrated score       p50   {statistics.median(scoring) * ms:6.2f} ms   p95 "
          f"{percentile(scoring, 0.95) * ms:6.2f} ms   (features, both scores and the checks; target <= 2 ms)")
    print(f"import + load model          {model_start:6.2f} s")
    print(f"first answer after start     {first_answer:6.2f} s")
    print(f"first answer / model load    {first_answer / model_start:6.2f} x   (target <= 1.3)")


if __name__ == "__main__":
    main()
