"""Benchmark: generative answers with the 0.5B test model (llama.cpp in-process), first shown text and full answer.

Only verified sentences are streamed, so the first text shown is the first verified sentence.

Run with ``make bench`` after ``make model``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
QUESTIONS = [
    "Quels cadeaux Kim a-t-il reçus ?", "What gifts did Kim receive?", "Quand la tournée de Kim a-t-elle débuté ?",
    "How far is the cosmodrome from Moscow?", "Qui est Kozlov ?", "What did Putin propose about space?",
    "Qu'a déclaré le Kremlin au sujet d'un accord ?", "Which song was played when the train left?",
    "Quel système d'armes Kim a-t-il inspecté ?", "Where will officials from both countries meet in November?",
]


def main() -> None:
    from assistant import Assistant, Settings
    from assistant.config import LLMSettings
    from store import StoreSettings
    from tests.llm_model import fetch

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            store=StoreSettings(path=Path(tmp) / "chroma"),
            llm=LLMSettings(provider="llamacpp", model_path=fetch()),
        )
        assistant = Assistant(settings)
        assistant.answer("Qui est Kozlov ?")  # loads the model
        first, full, grounded = [], [], 0
        for question in QUESTIONS:
            started = time.perf_counter()
            first_token = None
            response = assistant.stream(question)
            for _ in response:
                if first_token is None:
                    first_token = time.perf_counter() - started
            grounded += response.answer().grounded
            first.append(first_token or 0.0)
            full.append(time.perf_counter() - started)
    print(f"questions                  {len(QUESTIONS)} (llamacpp, Qwen2.5-Coder-0.5B Q4, {os.cpu_count()} cores)")
    print(f"first text p50 / max       {statistics.median(first):5.2f} s / {max(first):5.2f} s   (target <= 3 s)")
    print(f"full answer p50 / max      {statistics.median(full):5.2f} s / {max(full):5.2f} s   (target <= 15 s)")
    print(f"grounded answers           {grounded}/{len(QUESTIONS)}")


if __name__ == "__main__":
    main()
