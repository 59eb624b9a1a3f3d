"""Build the public external question sets from ../shared/qa into tests/data/external (deterministic).

One article = one document: its title line, a blank line, then its paragraphs joined by blank lines.
Every answerable question keeps its gold answers and their offsets in the document. SQuAD 2.0's
unanswerable questions are kept as they are; PIAF has none, so some paragraphs of each article with two
or more are left out of its text and their questions become unanswerable (the SQuAD 2.0 recipe), unless
their gold answer still occurs in the text that was kept. Articles are split, by title, into a fixed
``fit`` part (calibration) and a ``test`` part (reporting).

    python bench/external_sets.py [--qa ../shared/qa] [--out tests/data/external]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import shutil
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATASETS = {
    "squad2": ("squad2-dev-public.json", "en", "CC BY-SA 4.0",
               "SQuAD 2.0 dev set (Rajpurkar, Jia & Liang, 2018), public part, English Wikipedia"),
    "piaf": ("piaf-v1.0-public.json", "fr", "MIT (texts from French Wikipedia, CC BY-SA)",
             "PIAF v1.0 (Keraron et al., LREC 2020; Etalab), public part, French Wikipedia"),
}
LEFT_OUT_SHARE = 1 / 3


def slug(title: str) -> str:
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", folded).strip("-")[:60] or "article"


def part_of(title: str, titles: list[str]) -> str:
    """The fixed split. SQuAD's ten articles alternate in title order (five and five); PIAF's 184 are split by
    a hash of the title, so adding articles never moves existing ones."""
    if len(titles) < 50:
        return "fit" if sorted(titles).index(title) % 2 == 0 else "test"
    return "fit" if int(hashlib.sha1(title.encode()).hexdigest(), 16) % 2 == 0 else "test"


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def build_article(title: str, paragraphs: list[str]) -> tuple[str, list[int]]:
    """The document text and each paragraph's offset in it."""
    offsets, pieces, position = [], [title, "\n\n"], len(title) + 2
    for i, paragraph in enumerate(paragraphs):
        if i:
            pieces.append("\n\n")
            position += 2
        offsets.append(position)
        pieces.append(paragraph)
        position += len(paragraph)
    return "".join(pieces), offsets


def locate(text: str, answer: str, start: int) -> tuple[int, int]:
    """The gold span: at ``answer_start``, or within a few characters of it (a few PIAF offsets are off by one)."""
    for shift in (0, *(d for n in range(1, 21) for d in (-n, n))):
        if text[start + shift : start + shift + len(answer)] == answer:
            return start + shift, start + shift + len(answer)
    return start, start + len(answer)


def build(qa: Path, out: Path) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    if (out / "articles").exists():
        shutil.rmtree(out / "articles")
    for name, (filename, lang, _, _) in DATASETS.items():
        data = json.loads((qa / filename).read_text(encoding="utf-8"))["data"]
        sets: dict[str, list[dict]] = {"fit": [], "test": []}
        used: set[str] = set()
        titles = [a["title"].replace("_", " ") for a in data]
        for article in data:
            title = article["title"].replace("_", " ")
            part = part_of(title, titles)
            paragraphs = article["paragraphs"]
            left_out: set[int] = set()
            if name == "piaf" and len(paragraphs) >= 2:
                rng = random.Random(hashlib.sha1(title.encode()).hexdigest())
                count = max(1, round(len(paragraphs) * LEFT_OUT_SHARE))
                left_out = set(rng.sample(range(len(paragraphs)), count))
            kept = [i for i in range(len(paragraphs)) if i not in left_out]
            text, offsets = build_article(title, [paragraphs[i]["context"] for i in kept])
            where = dict(zip(kept, offsets, strict=True))
            file_slug = slug(title)
            while file_slug in used:
                file_slug += "-2"
            used.add(file_slug)
            document = f"articles/{name}/{file_slug}.txt"
            (out / document).parent.mkdir(parents=True, exist_ok=True)
            (out / document).write_text(text, encoding="utf-8")
            kept_text = normalise(text)
            for index, paragraph in enumerate(paragraphs):
                for qa_item in paragraph["qas"]:
                    golds = [a["text"] for a in qa_item.get("answers", [])]
                    answerable = not qa_item.get("is_impossible", False) and index not in left_out
                    item = {
                        "id": f"{name}-{qa_item['id']}", "question": qa_item["question"].strip(), "lang": lang,
                        "tags": [name, part] + (["left-out"] if index in left_out else []),
                        "document": document, "answerable": answerable,
                    }
                    if answerable:
                        start = where[index]
                        spans = sorted({locate(text, a["text"], start + a["answer_start"]) for a in qa_item["answers"]})
                        item["answers"] = list(dict.fromkeys(golds))
                        item["answer_offsets"] = [list(span) for span in spans]
                    elif index in left_out:
                        if any(normalise(g) in kept_text for g in golds):
                            continue  # the answer is still in the kept text: not a fair unanswerable question
                        item["answers"] = list(dict.fromkeys(golds))
                    if not item["question"]:
                        continue
                    sets[part].append(item)
        for part, items in sets.items():
            path = out / f"{name}-{part}.jsonl"
            path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
            answerable = sum(i["answerable"] for i in items)
            counts[f"{name}-{part}"] = {
                "questions": len(items), "answerable": answerable, "unanswerable": len(items) - answerable,
                "documents": len({i["document"] for i in items}),
            }
    return counts


def write_notice(out: Path, counts: dict[str, dict[str, int]]) -> None:
    """The data's source and licence, beside it."""
    lines = [
        "# External question sets (public data, converted for citechat)", "",
        "Built by `python bench/external_sets.py` from `../shared/qa/` (deterministic). One article = one document",
        "in `articles/`: its title line, a blank line, its paragraphs. `*-fit.jsonl` is used to calibrate",
        "(`make calibrate`), `*-test.jsonl` to report (`make eval-external`); articles are split by title.",
        "PIAF has no unanswerable questions: a third of the paragraphs of each article with two or more are left",
        "out of its text and their questions (tag `left-out`) must be abstained on, unless their answer is still",
        "in the text kept (those are dropped).", "",
        "| set | questions | answerable | unanswerable | documents |", "| --- | --- | --- | --- | --- |",
        *(f"| {k} | {v['questions']} | {v['answerable']} | {v['unanswerable']} | {v['documents']} |"
          for k, v in counts.items()),
        "", "## Sources and licences", "",
        *(f"- `{name}`: {description}. Licence: {licence}." for name, (_, _, licence, description) in DATASETS.items()),
        "", "Texts are unchanged; only their arrangement into documents and question sets is citechat's.", "",
    ]
    (out / "README.md").write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qa", type=Path, default=ROOT.parent / "shared" / "qa")
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "data" / "external")
    args = parser.parse_args()
    counts = build(args.qa, args.out)
    write_notice(args.out, counts)
    for name, row in counts.items():
        print(f"{name:12} {row['questions']:5} questions ({row['answerable']} answerable, "
              f"{row['unanswerable']} unanswerable) over {row['documents']} documents")


if __name__ == "__main__":
    main()
