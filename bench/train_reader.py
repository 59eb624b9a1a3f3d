"""Experiment: can a cross-encoder fine-tuned here rank the answer sentence better than the linear score?

Fit part only (``squad2-fit``, ``piaf-fit``; the test parts are never read). It reuses the candidates that
``bench/calibrate.py`` collected (``.cache/calibration/embeddinggemma-300m-squad2-fit-piaf-fit.pkl``; run
``make calibrate`` first), trains multilingual-e5-small as a cross-encoder on four fifths of the fit articles
(1 gold + ``--negatives`` hardest wrong candidates per question, listwise softmax loss), and reranks the top
``--top`` candidates of the other fifth: linear score (what citechat uses), cross-encoder alone, and both.

    python bench/train_reader.py [--epochs 0.85] [--negatives 3] [--threads 1]

About 35 minutes on one thread. Prints a table; writes nothing; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

# bench/calibrate.py pickled its candidates as __main__.Example: this script's __main__ must hold the class.
from calibrate import Example, top_hits  # noqa: E402

from store.config import E5, EmbeddingSettings  # noqa: E402
from store.embeddings import bundled_e5_dir  # noqa: E402

MAX_TOKENS = 96


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=float, default=0.85)
    parser.add_argument("--negatives", type=int, default=3)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--lr", type=float, default=4e-5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import pickle

    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.set_num_threads(args.threads)
    random.seed(0)
    torch.manual_seed(0)
    cached = ROOT / ".cache" / "calibration" / "embeddinggemma-300m-squad2-fit-piaf-fit.pkl"
    examples = [e for e in pickle.loads(cached.read_bytes())
                if e.kind == "answerable" and e.candidates and any(e.labels)]
    documents = sorted({e.candidates[0].candidate.document.source for e in examples})
    order = np.random.default_rng(0).permutation(len(documents))
    fold = {documents[i]: k % 5 for k, i in enumerate(order)}
    train = [e for e in examples if fold[e.candidates[0].candidate.document.source] != 0]
    held = [e for e in examples if fold[e.candidates[0].candidate.document.source] == 0]
    print(f"{len(train)} training questions, {len(held)} held-out fit questions", flush=True)

    path = bundled_e5_dir(EmbeddingSettings(model=E5))
    tokenizer = AutoTokenizer.from_pretrained(path)
    # The rebuilt checkpoint is stored in fp16, which runs about 6x slower than fp32 on this CPU.
    model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=1).float()

    def encode(example: Example, scored: list) -> dict:
        question = example.retrieval.question.text
        return tokenizer([f"query: {question}"] * len(scored), [f"passage: {s.candidate.row.text}" for s in scored],
                         truncation=True, max_length=MAX_TOKENS, padding=True, return_tensors="pt")

    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    steps, accumulate = int(len(train) * args.epochs), 4
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, s / 25) * max(0.0, 1 - s / (steps / accumulate)))
    shuffled = list(range(len(train)))
    random.shuffle(shuffled)
    model.train()
    started, losses = time.perf_counter(), []
    for step in range(steps):
        example = train[shuffled[step % len(shuffled)]]
        gold = [s for s, label in zip(example.candidates, example.labels, strict=True) if label][:1]
        wrong = [s for s, label in zip(example.candidates, example.labels, strict=True) if not label]
        logits = model(**encode(example, gold + wrong[: args.negatives])).logits.squeeze(-1)
        loss = torch.nn.functional.cross_entropy(logits[None], torch.zeros(1, dtype=torch.long)) / accumulate
        loss.backward()
        losses.append(loss.item() * accumulate)
        if (step + 1) % accumulate == 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
        if (step + 1) % 100 == 0:
            print(f"step {step + 1}/{steps} loss {np.mean(losses[-100:]):.3f} "
                  f"{time.perf_counter() - started:.0f} s", flush=True)

    model.eval()
    results: dict[tuple[str, str], list[tuple[bool, bool]]] = {}
    started = time.perf_counter()
    with torch.inference_mode():
        for example in held:
            scored, labels = example.candidates[: args.top], np.asarray(example.labels[: args.top])
            reader = model(**encode(example, scored)).logits.squeeze(-1).numpy()
            linear = np.log(np.maximum([s.probability for s in scored], 1e-9))
            for name, score in (("linear score", -np.arange(len(scored))), ("cross-encoder", reader),
                                ("both", reader + linear)):
                results.setdefault((example.set_name, name), []).append(top_hits(score, labels))
    print(f"reranked in {1000 * (time.perf_counter() - started) / max(1, len(held)):.0f} ms per question")
    for (set_name, name), rows in sorted(results.items()):
        top1, top3 = np.asarray(rows, dtype=np.float64).mean(axis=0)
        print(f"{set_name:11} {name:14} {len(rows):4} questions  top1 {top1:.3f}  top3 {top3:.3f}")


if __name__ == "__main__":
    main()
