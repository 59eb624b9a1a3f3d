"""Experiment: can the 0.5B test model judge whether a shown citation answers the question?

For every standalone answerable question of the set, the generative answer's citations are scored by
the same model with "does the passage answer the question? yes or no": the probability it gives to
"yes" against "no". A usable judge would separate quotes holding the gold evidence from the others.

Run with ``python bench/llm_as_judge.py`` after ``make model`` (about 2 minutes). Prints figures;
asserts nothing.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
JUDGE = "Reply yes if the passage answers the question, no otherwise."


def yes_probability(llm, question: str, passage: str) -> tuple[float, str]:
    """P(yes) / (P(yes) + P(no)) for the first answer token, and the token the model would write."""
    messages = [
        {"role": "system", "content": JUDGE},
        {"role": "user", "content": f"Question: {question}\nPassage: {passage}\nDoes the passage answer the question?"},
    ]
    reply = llm.create_chat_completion(messages=messages, max_tokens=1, logprobs=True, top_logprobs=10, temperature=0)
    first = reply["choices"][0]["logprobs"]["content"][0]
    mass = {"yes": 1e-12, "no": 1e-12}  # "Yes", " yes" and "yes" are different tokens: add them up
    for candidate in first["top_logprobs"]:
        word = candidate["token"].strip().lower()
        if word in mass:
            mass[word] += math.exp(candidate["logprob"])
    return mass["yes"] / (mass["yes"] + mass["no"]), first["token"].strip().lower()


def main() -> None:
    from llama_cpp import Llama

    from assistant import Assistant, Settings
    from assistant.config import LLMSettings
    from assistant.evaluation import load_question_set, passage_has_evidence
    from store import StoreSettings
    from tests.llm_model import fetch

    items = [i for i in load_question_set(ROOT / "tests/data/questions.jsonl") if i.answerable and not i.history]
    model_path = fetch()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            store=StoreSettings(path=Path(tmp) / "chroma"), llm=LLMSettings(provider="llamacpp", model_path=model_path)
        )
        assistant = Assistant(settings)
        # A second instance of the same file: token log-probabilities need logits_all, which answering does not.
        judge = Llama(
            model_path=str(model_path), n_ctx=1024, n_threads=os.cpu_count() or 2, logits_all=True, verbose=False
        )
        scored = []  # (holds gold evidence, P(yes), greedy word)
        for item in items:
            for citation in assistant.answer(item.question).citations:
                probability, word = yes_probability(judge, item.question, citation.text)
                scored.append((passage_has_evidence(citation.text, item.evidence), probability, word))
    relevant = sorted(p for gold, p, _ in scored if gold)
    off_question = sorted(p for gold, p, _ in scored if not gold)
    print(f"citations judged           {len(scored)} ({len(relevant)} hold the gold evidence)")
    print(f"greedy answer 'yes'        {sum(w == 'yes' for _, _, w in scored)}/{len(scored)}")
    median = relevant[len(relevant) // 2]
    print(f"P(yes), gold evidence      {relevant[0]:.3f} .. {relevant[-1]:.3f} (median {median:.3f})")
    if off_question:
        print(f"P(yes), off-question       {off_question[0]:.3f} .. {off_question[-1]:.3f}")
    print("threshold  precision kept  gold-evidence citations kept")
    for threshold in (0.0, 0.5, 0.7, 0.8, 0.85):
        kept = [gold for gold, p, _ in scored if p >= threshold]
        precision = sum(kept) / len(kept) if kept else float("nan")
        print(f"  {threshold:4.2f}     {precision:6.3f}          {sum(kept)}/{len(relevant)}")


if __name__ == "__main__":
    main()
