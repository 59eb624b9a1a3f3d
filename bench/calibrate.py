"""Fit the calibrated answerability score on the fit part of the public data (``make calibrate``).

For each embedding model: ingest the articles of both parts, and nothing else, into the calibration store
(``.cache/calibration/store-<model>``, in their sets' order, before either part is collected: the IDF and BM25
features read the whole store, so the weights depend on exactly what it holds), run the
real retrieval and feature code on every question of ``squad2-fit`` and ``piaf-fit`` (and, as off-topic
questions, on the same questions scoped to another article of their dataset), label each candidate sentence
by whether it holds the gold answer's start, and fit two logistic regressions: one on every feature (question
and document share a language) and one on the features that do not need shared words (other languages).
The thresholds are chosen on the same fit part:

- ``thresholds``: per language of the fit part (English: SQuAD, French: PIAF), the largest probability under
  which at most 5 % of that language's answerable fit questions abstain (counting the filter stages, which run
  first); ``threshold``, the lowest of them, serves every other language and questions asked in another
  language than the document;
- ``related``: the best-candidate probability that 95 % of off-topic questions stay below, so an abstention
  shows its closest passage only when it is about the question;
- ``several``: the ratio to the best probability that a further cited sentence needs, chosen for the best
  F1 of cited sentences against gold sentences.

It also prints, in bands of the best sentence's probability, the answers that only
``retrieval.unsure_sentence_below`` could mark "maybe not in the article" (answered, article-level score at least
``retrieval.unsure_below``) and how many of them are right, on both parts: the measurement behind that setting.

The test part is scored with the fitted weights and reported beside, never used for fitting. Writes
``assistant/calibration/<model>.json`` and prints both parts' figures.

``--check`` (``make calibrate-check``) refits the same way and compares with the committed files instead of
writing them (exit status 1 beyond the tolerances below).

    python bench/calibrate.py [--model embeddinggemma-300m] [--model multilingual-e5-small] [--check] [--reuse]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant import calibration  # noqa: E402
from assistant.checks import AnswerTypeFilter, EchoFilter, ScoreCutoff, Scored, answerability  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.features import (  # noqa: E402
    CROSS_LINGUAL,
    FEATURES,
    QUESTION_CROSS_LINGUAL,
    QUESTION_FEATURES,
    candidate_features,
    question_features,
    same_language,
)
from store.config import E5, GEMMA  # noqa: E402

EXTERNAL = ROOT / "tests" / "data" / "external"
FIT = ("squad2-fit", "piaf-fit")
TEST = ("squad2-test", "piaf-test")
MAX_FALSE_ABSTENTION = 0.05
OFF_TOPIC_QUANTILE = 0.95
UNSURE_BAND = 0.05  # width of the probability bands the sentence-level "maybe not" mark is measured on
CALIBRATION_DIR = ROOT / "assistant" / "calibration"


def calibration_store_path(model: str) -> Path:
    """The calibration store of a model: its own, not the evaluation store, whose documents vary with what was run.

    The IDF weights, BM25 scores and the expansion of unknown words read every document of the store, so the
    features a question gets (and so the fitted weights) depend on what else the store holds: the evaluation
    store held only the fit articles when the fit part was collected on a new machine, and every article after.
    """
    return ROOT / ".cache" / "calibration" / f"store-{model}"


@dataclass
class Example:
    """One question's candidates: features, labels, and whether question and document share a language.

    ``retrieval`` keeps what the features are computed from, so a refit (``--reuse``) recomputes them.
    """

    set_name: str
    kind: str  # answerable, unanswerable, offtopic
    candidates: list[Scored]
    labels: list[int]
    same: list[bool]
    retrieval: object = None


def settings_for(model: str) -> Settings:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    base = Settings()
    return base.model_copy(update={
        "store": base.store.model_copy(update={"path": calibration_store_path(model)}),
        "embedding": base.embedding.model_copy(update={"model": model}),
    })


def load_items(names: tuple[str, ...]):
    from assistant.evaluation import documents_of, load_question_set

    items, files = [], {}
    for name in names:
        path = EXTERNAL / f"{name}.jsonl"
        loaded = load_question_set(path)
        named = documents_of(loaded, path.parent)
        for item in loaded:
            files[item.document] = named[item.document]
            items.append((name, item))
    return items, files


def calibration_store(model: str):
    """The calibration store holding the articles of both parts and nothing else, and their ids by file name.

    Documents of neither part (a data set changed since the store was built) are removed; the articles are
    ingested in the sets' order (unchanged ones are skipped), so a store built from nothing is built the same way.
    """
    from ingest import ingest_documents, load_file
    from store import open_store

    settings = settings_for(model)
    _, files = load_items(FIT + TEST)
    store = open_store(settings.store, settings.embedding)
    documents = {name: load_file(path) for name, path in files.items()}
    wanted = {doc.source for doc in documents.values()}
    for stored in store.documents():
        if stored.source not in wanted:
            store.remove(stored.source)
            print(f"  {model}: removed {stored.source} (in neither part)", flush=True)
    report = ingest_documents(store, list(documents.values()))
    print(f"  {model}: {report.summary()}", flush=True)
    return store, {name: store.find(doc.source).doc_id for name, doc in documents.items()}


def collect(model: str, names: tuple[str, ...], *, off_topic: bool) -> list[Example]:
    """Candidates and labels for every question of the named sets, on the calibration store."""
    from assistant.answer import Assistant
    from assistant.evaluation import holds_span
    from assistant.question import prepare

    settings = settings_for(model)
    items, _ = load_items(names)
    store, source_ids = calibration_store(model)
    assistant = Assistant(settings, store=store)
    prepared = [prepare(item.question, languages={"en", "fr"}) for _, item in items]
    started = time.perf_counter()
    vectors = store.embeddings.embed_queries([q.query for q in prepared])
    print(f"  {len(vectors)} questions embedded in {time.perf_counter() - started:.0f} s", flush=True)
    by_set: dict[str, list[str]] = {}
    for set_name, item in items:
        by_set.setdefault(set_name, [])
        if item.document not in by_set[set_name]:
            by_set[set_name].append(item.document)
    examples = []
    for (set_name, item), question, vector in zip(items, prepared, vectors, strict=True):
        scopes = [("answerable" if item.answerable else "unanswerable", item.document)]
        if off_topic and item.answerable:
            others = sorted(by_set[set_name], key=lambda d: hashlib.sha1((d + item.id).encode()).hexdigest())
            scopes.append(("offtopic", next(d for d in others if d != item.document)))
        for kind, document in scopes:
            found, scored = assistant.score(question, [source_ids[document]], vector=vector)
            labels = [
                int(kind == "answerable" and holds_span(s.candidate.row, item.answer_offsets))
                for s in scored
            ]
            same = [same_language(found, s.candidate) for s in scored]
            examples.append(Example(set_name, kind, scored, labels, same, found))
    return examples


def top_hits(scores: np.ndarray, labels: np.ndarray) -> tuple[bool, bool]:
    """Whether the best-scored candidate is gold, and whether a gold one is among the three best (ties: first)."""
    order = np.argsort(-scores, kind="stable")
    return bool(labels[order[0]]), bool(labels[order[:3]].any())


def matrix(examples: list[Example], names: tuple[str, ...], *, same: bool) -> tuple[np.ndarray, np.ndarray]:
    rows, labels = [], []
    for example in examples:
        if example.kind == "offtopic":
            continue
        for scored, label, is_same in zip(example.candidates, example.labels, example.same, strict=True):
            if is_same == same or not same:  # the cross-lingual model learns from every candidate
                rows.append([scored.features[n] for n in names])
                labels.append(label)
    return np.asarray(rows, dtype=np.float64), np.asarray(labels)


def fit_linear(x: np.ndarray, y: np.ndarray, names: tuple[str, ...],
               weights: np.ndarray | None = None) -> calibration.LinearModel:
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit((x - mean) / scale, y, sample_weight=weights)
    return calibration.LinearModel(names, tuple(float(v) for v in mean), tuple(float(v) for v in scale),
                                   tuple(float(v) for v in model.coef_[0]), float(model.intercept_[0]))


def rescore(examples: list[Example], fitted: calibration.Calibration) -> None:
    for example in examples:
        example.candidates = [
            Scored(s.candidate, s.features, fitted.probability(s.features, same_language=is_same))
            for s, is_same in zip(example.candidates, example.same, strict=True)
        ]
        order = sorted(range(len(example.candidates)), key=lambda i: -example.candidates[i].probability)
        example.candidates = [example.candidates[i] for i in order]
        example.labels = [example.labels[i] for i in order]
        example.same = [example.same[i] for i in order]


def kept_by_filters(example: Example) -> list[Scored]:
    kept = list(example.candidates)
    for stage in (AnswerTypeFilter(), EchoFilter()):
        kept = stage.apply(example.retrieval, kept)
    return kept


def answerability_of(example: Example, fitted: calibration.Calibration) -> float | None:
    """The calibrated answerability behind the decision (None: the filter stages keep no candidate)."""
    kept = kept_by_filters(example)
    return answerability(fitted, example.retrieval, kept) if kept else None


def abstains(example: Example, fitted: calibration.Calibration) -> bool:
    """Whether the assistant abstains on this question: the filter stages, then its score cutoff stage as is."""
    kept = kept_by_filters(example)
    return not kept or not ScoreCutoff(fitted).apply(example.retrieval, kept)


def question_matrix(examples: list[Example], names: tuple[str, ...], *, same: bool):
    rows, labels, weights = [], [], []
    for example in examples:
        kept = kept_by_filters(example) or example.candidates
        if not kept or (same and not example.same[example.candidates.index(kept[0])]):
            continue
        values = question_features(example.retrieval, kept)
        rows.append([values[n] for n in names])
        labels.append(int(example.kind == "answerable"))
        weights.append(0.5 if example.kind == "offtopic" else 1.0)
    return np.asarray(rows, dtype=np.float64), np.asarray(labels), np.asarray(weights)


def set_language(examples: list[Example], name: str) -> str:
    """The language of a set's articles (as detected at ingest: what the assistant keys its threshold on)."""
    counts = Counter(e.candidates[0].candidate.document.language for e in examples
                     if e.set_name == name and e.kind == "answerable" and e.candidates)
    return counts.most_common(1)[0][0]


def choose_thresholds(examples: list[Example], fitted: calibration.Calibration) -> dict[str, float]:
    """Per language of the fit sets' articles, the largest threshold that withholds at most 5 % of the
    answerable questions of each fit set in that language."""
    languages = {name: set_language(examples, name) for name in sorted({e.set_name for e in examples})}
    return {
        language: min(threshold_for([e for e in examples if e.set_name == name], fitted)
                      for name, other in languages.items() if other == language)
        for language in sorted(set(languages.values()))
    }


def wilson_upper(failures: int, total: int, z: float = 1.2816) -> float:
    """One-sided 90 % upper confidence bound of a rate (Wilson score interval)."""
    if total == 0:
        return 1.0
    p = failures / total
    centre = p + z * z / (2 * total)
    spread = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    return (centre + spread) / (1 + z * z / total)


def threshold_for(examples: list[Example], fitted: calibration.Calibration) -> float:
    """The largest threshold whose false-abstention rate on this set stays at most 5 % with 90 % confidence
    (Wilson upper bound), so that it holds on questions the fit never saw, not only on these."""
    answerable = [answerability_of(e, fitted) for e in examples if e.kind == "answerable"]
    filtered = sum(p is None for p in answerable)
    scores = sorted(p for p in answerable if p is not None)
    allowed = filtered
    while allowed - filtered < len(scores) and wilson_upper(allowed + 1, len(answerable)) <= MAX_FALSE_ABSTENTION:
        allowed += 1
    below = allowed - filtered  # answerable questions under the threshold
    if below <= 0:
        return 0.0
    return float(scores[below - 1] + scores[below]) / 2 if below < len(scores) else 1.0


def choose_several(examples: list[Example], threshold: float, k: int = 3) -> float:
    best_ratio, best_f1 = 1.0, -1.0
    for ratio in np.arange(0.5, 1.001, 0.05):
        total = 0.0
        count = 0
        for e in examples:
            if e.kind != "answerable" or not e.candidates or e.candidates[0].probability < threshold:
                continue
            top = e.candidates[0].probability
            chosen = [i for i, s in enumerate(e.candidates[:k]) if s.probability >= top * ratio] or [0]
            hits = sum(e.labels[i] for i in chosen)
            gold = sum(e.labels)
            if gold:
                precision, recall = hits / len(chosen), hits / gold
                total += 0 if not hits else 2 * precision * recall / (precision + recall)
                count += 1
        f1 = total / max(count, 1)
        if f1 > best_f1:
            best_ratio, best_f1 = float(round(ratio, 2)), f1
    return best_ratio


def unsure_bands(examples: list[Example], fitted: calibration.Calibration, *, unsure_below: float,
                 width: float = UNSURE_BAND) -> list[tuple[float, int, int, int]]:
    """The answers that only their best sentence's probability could mark as unsure (answered, article-level
    score at least ``unsure_below``), by that probability in bands of ``width`` under one half: (lower edge,
    answers, answers whose first sentence holds the gold answer, answers with it in one of the first three kept
    sentences, which an answer cites at most). An unanswerable question's answer is never right."""
    bands: dict[int, list[int]] = {}
    for e in examples:
        if e.kind == "offtopic" or abstains(e, fitted) or (answerability_of(e, fitted) or 0.0) < unsure_below:
            continue
        kept = kept_by_filters(e)
        band = int(kept[0].probability / width)
        if band * width < 0.5:
            counts = bands.setdefault(band, [0, 0, 0])
            answerable = e.kind == "answerable"
            counts[0] += 1
            counts[1] += int(answerable and cites_gold(e))
            counts[2] += int(answerable and any(e.labels[e.candidates.index(s)] for s in kept[:3]))
    return [(round(band * width, 4), *bands.get(band, [0, 0, 0])) for band in range(round(0.5 / width))]


def auc(positive: list[float], negative: list[float]) -> float | None:
    if not positive or not negative:
        return None
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score([1] * len(positive) + [0] * len(negative), positive + negative))


def rate(flags) -> float | None:
    values = list(flags)
    return round(sum(values) / len(values), 4) if values else None


def cites_gold(example: Example) -> bool:
    """Whether the first sentence the filters keep holds the gold answer (what an answer cites first)."""
    kept = kept_by_filters(example)
    return bool(kept) and bool(example.labels[example.candidates.index(kept[0])])


def figures(examples: list[Example], fitted: calibration.Calibration) -> dict[str, dict[str, float | None]]:
    """Per set: top-1 / top-3 of the gold sentence, abstention figures and the AUC of the best score."""
    out: dict[str, dict[str, float | None]] = {}
    for name in sorted({e.set_name for e in examples}):
        group = [e for e in examples if e.set_name == name]
        answerable = [e for e in group if e.kind == "answerable"]
        unanswerable = [e for e in group if e.kind == "unanswerable"]
        offtopic = [e for e in group if e.kind == "offtopic"]

        bests = {id(e): answerability_of(e, fitted) for e in group}
        withheld = {id(e): abstains(e, fitted) for e in group}

        out[name] = {
            "answerable": len(answerable),
            "unanswerable": len(unanswerable),
            "top1": round(sum(e.labels[0] for e in answerable if e.labels) / max(len(answerable), 1), 4),
            "top3": round(sum(any(e.labels[:3]) for e in answerable) / max(len(answerable), 1), 4),
            "cited": rate(not withheld[id(e)] and cites_gold(e) for e in answerable),
            "false_abstention": rate(withheld[id(e)] for e in answerable),
            "abstention": rate(withheld[id(e)] for e in unanswerable),
            "offtopic_abstention": rate(withheld[id(e)] for e in offtopic),
            "auc": auc([bests[id(e)] or 0.0 for e in answerable], [bests[id(e)] or 0.0 for e in unanswerable]),
        }
    return out


def cached_collect(model: str, names: tuple[str, ...], *, reuse: bool) -> list[Example]:
    """``collect``, kept in .cache/calibration so that ``--reuse`` refits without re-running retrieval."""
    import pickle

    path = ROOT / ".cache" / "calibration" / f"{model}-{'-'.join(names)}.pkl"
    if reuse and path.exists():
        examples = pickle.loads(path.read_bytes())
        for example in examples:  # features are recomputed: the code may have changed since
            values = {c.sid: v for c, v in zip(example.retrieval.candidates, candidate_features(example.retrieval),
                                               strict=True)}
            example.candidates = [Scored(c.candidate, values[c.candidate.sid], c.probability)
                                  for c in example.candidates]
        return examples
    examples = collect(model, names, off_topic=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(examples))
    return examples


def calibrate(model: str, *, reuse: bool = False) -> dict:
    print(f"{model}: collecting fit examples", flush=True)
    fit = cached_collect(model, FIT, reuse=reuse)
    same_x, same_y = matrix(fit, FEATURES, same=True)
    cross_x, cross_y = matrix(fit, CROSS_LINGUAL, same=False)
    ranking = calibration.Calibration(
        model=model, same_language=fit_linear(same_x, same_y, FEATURES),
        cross_lingual=fit_linear(cross_x, cross_y, CROSS_LINGUAL),
        answerable=calibration.LinearModel((), (), (), (), 0.0),
        answerable_cross=calibration.LinearModel((), (), (), (), 0.0), threshold=0.0, related=0.0, several=1.0,
    )
    rescore(fit, ranking)
    qx, qy, qw = question_matrix(fit, QUESTION_FEATURES, same=True)
    cx, cy, cw = question_matrix(fit, QUESTION_CROSS_LINGUAL, same=False)
    scored = calibration.Calibration(
        model=model, same_language=ranking.same_language, cross_lingual=ranking.cross_lingual,
        answerable=fit_linear(qx, qy, QUESTION_FEATURES, qw),
        answerable_cross=fit_linear(cx, cy, QUESTION_CROSS_LINGUAL, cw), threshold=0.0, related=0.0, several=1.0,
    )
    thresholds = {language: round(value, 4) for language, value in choose_thresholds(fit, scored).items()}
    threshold = min(thresholds.values())
    offtopic = sorted(answerability_of(e, scored) or 0.0 for e in fit if e.kind == "offtopic")
    related = threshold
    if offtopic:
        related = float(offtopic[min(len(offtopic) - 1, int(OFF_TOPIC_QUANTILE * len(offtopic)))])
    fitted = calibration.Calibration(
        model=model, same_language=scored.same_language, cross_lingual=scored.cross_lingual,
        answerable=scored.answerable, answerable_cross=scored.answerable_cross,
        threshold=threshold, related=round(max(related, 0.0), 4), several=choose_several(fit, threshold),
        thresholds=tuple(sorted(thresholds.items())),
    )
    print(f"{model}: collecting test examples (reported, not fitted)", flush=True)
    test = cached_collect(model, TEST, reuse=reuse)
    rescore(test, fitted)
    retrieval = Settings().retrieval
    print(f"{model}: answers that only the best sentence's probability could mark (retrieval.unsure_sentence_below "
          f"= {retrieval.unsure_sentence_below}), by that probability: answers / first sentence right / right "
          f"within three, fit part and test part")
    for fit_band, test_band in zip(unsure_bands(fit, fitted, unsure_below=retrieval.unsure_below),
                                   unsure_bands(test, fitted, unsure_below=retrieval.unsure_below), strict=True):
        edge = fit_band[0]
        parts = ["{:4d} / {:4d} / {:4d}".format(*band[1:]) for band in (fit_band, test_band)]
        print(f"  [{edge:.2f}, {edge + UNSURE_BAND:.2f})  {parts[0]}   {parts[1]}", flush=True)
    return {
        "model": model,
        "fitted_on": list(FIT),
        "same_language": fitted.same_language.to_dict(),
        "cross_lingual": fitted.cross_lingual.to_dict(),
        "answerable": fitted.answerable.to_dict(),
        "answerable_cross": fitted.answerable_cross.to_dict(),
        "threshold": fitted.threshold,
        "thresholds": dict(fitted.thresholds),
        "related": fitted.related,
        "several": fitted.several,
        "support": SUPPORT.get(model, SUPPORT[GEMMA]),
        "fit_figures": figures(fit, fitted),
        "test_figures": figures(test, fitted),
    }


# Cosine a generated claim needs with a passage in another language to count as supported (LLM mode);
# see assistant/verify.py. Kept here so that every per-model number lives in one file.
SUPPORT = {GEMMA: 0.6, E5: 0.824}


def compare_rankers(model: str) -> None:
    """Is the linear sentence score the limit? Fit a gradient-boosted ranker on the same features and compare.

    Same-language candidates of answerable fit questions, scored on the test part: how often each model puts
    the gold sentence first / in the top 3, and how often the gold sentence is among the candidates at all.
    Writes nothing.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier

    fit, test = cached_collect(model, FIT, reuse=True), cached_collect(model, TEST, reuse=True)

    def grouped(examples: list[Example]) -> list[tuple[str, np.ndarray, np.ndarray]]:
        return [(e.set_name, np.asarray([[s.features[n] for n in FEATURES] for s in e.candidates], dtype=np.float64),
                 np.asarray(e.labels)) for e in examples if e.kind == "answerable" and e.candidates]

    train = grouped(fit)
    x, y = np.vstack([g[1] for g in train]), np.concatenate([g[2] for g in train])
    linear = fit_linear(x, y, FEATURES)
    boosted = HistGradientBoostingClassifier(max_iter=300, learning_rate=0.05, l2_regularization=1.0,
                                             random_state=0).fit(x, y)
    rankers = {
        "logistic regression": lambda m: (m - np.asarray(linear.mean)) / np.asarray(linear.scale) @ np.asarray(
            linear.coef),
        "gradient boosting": lambda m: boosted.predict_proba(m)[:, 1],
    }
    for name in sorted({g[0] for g in grouped(test)}):
        part = [(m, labels) for set_name, m, labels in grouped(test) if set_name == name]
        print(f"{model} {name}: {len(part)} answerable, gold sentence among the candidates "
              f"{np.mean([labels.any() for _, labels in part]):.3f}")
        for label, score in rankers.items():
            hits = np.asarray([top_hits(score(m), labels) for m, labels in part], dtype=np.float64)
            top1, top3 = hits.mean(axis=0)
            print(f"  {label:20} top1 {top1:.3f}  top3 {top3:.3f}")


# How far a refit may land from the committed file and still count as the same calibration: the embeddings are
# computed in floating point on whatever machine runs it, so the last digits of a weight may move.
SAME_WEIGHT = 1e-3  # largest difference of a standardised coefficient or intercept
SAME_LEVEL = 1e-3  # of a threshold, the related level, the ratio for several sentences
# Of a fit or test figure (rates and AUC): two builds of the same store gave another last dense candidate to 33 of
# 5,572 fit examples (Chroma's HNSW search is approximate and its graph depends on the build), which moved one
# question across a threshold: 1 of 448 (0.0022). A question or two of a part is the same calibration.
SAME_FIGURE = 5e-3


def differences(committed: dict, refit: dict) -> list[str]:
    """What differs between a committed calibration and a refit beyond the tolerances above (empty: the same)."""
    found = []
    for part in ("same_language", "cross_lingual", "answerable", "answerable_cross"):
        old, new = committed[part], refit[part]
        if old["features"] != new["features"]:
            found.append(f"{part}: features {old['features']} -> {new['features']}")
            continue
        for key in ("coef", "mean", "scale"):
            gaps = [abs(a - b) / max(1.0, abs(a)) for a, b in zip(old[key], new[key], strict=True)]
            if max(gaps, default=0.0) > SAME_WEIGHT:
                worst = gaps.index(max(gaps))
                found.append(f"{part}.{key}[{old['features'][worst]}]: {old[key][worst]:.6g} -> {new[key][worst]:.6g}")
        if abs(old["intercept"] - new["intercept"]) > SAME_WEIGHT:
            found.append(f"{part}.intercept: {old['intercept']:.6g} -> {new['intercept']:.6g}")
    levels = [("threshold", committed["threshold"], refit["threshold"]),
              ("related", committed["related"], refit["related"]), ("several", committed["several"], refit["several"])]
    levels += [(f"thresholds.{k}", v, refit["thresholds"].get(k, math.nan)) for k, v in committed["thresholds"].items()]
    found += [f"{name}: {old} -> {new}" for name, old, new in levels if not abs(old - new) <= SAME_LEVEL]
    for part in ("fit_figures", "test_figures"):
        for name, row in committed[part].items():
            for key, old in row.items():
                new = refit[part].get(name, {}).get(key)
                if (old is None) != (new is None) or (old is not None and abs(old - new) > SAME_FIGURE):
                    found.append(f"{part}.{name}.{key}: {old} -> {new}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", choices=[GEMMA, E5], help="Model(s) to calibrate (default both).")
    parser.add_argument("--reuse", action="store_true", help="Refit on the candidates collected by the last run.")
    parser.add_argument("--compare-rankers", action="store_true",
                        help="Compare the linear sentence score with gradient boosting on the same features "
                             "(needs a previous run's candidates; writes nothing).")
    parser.add_argument("--check", action="store_true",
                        help="Refit and compare with the committed assistant/calibration/<model>.json instead of "
                             "writing it; exit status 1 when they differ beyond the tolerances.")
    args = parser.parse_args()
    if args.compare_rankers:
        for model in args.model or [GEMMA]:
            compare_rankers(model)
        return
    failed = False
    for model in args.model or [GEMMA, E5]:
        started = time.perf_counter()
        result = json.loads(json.dumps(calibrate(model, reuse=args.reuse)))  # as written: tuples become lists
        path = CALIBRATION_DIR / f"{model}.json"
        if args.check:
            found = differences(json.loads(path.read_text(encoding="utf-8")), result)
            print(f"{model}: refit in {time.perf_counter() - started:.0f} s; "
                  + (f"{len(found)} differences from {path.relative_to(ROOT)}:" if found
                     else f"the same as {path.relative_to(ROOT)} (within the tolerances)"))
            for line in found:
                print(f"  {line}")
            failed = failed or bool(found)
            continue
        path.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        print(f"{model}: wrote {path.relative_to(ROOT)} in {time.perf_counter() - started:.0f} s")
        print(f"  threshold {result['threshold']} (per language {result['thresholds']})  related {result['related']}"
              f"  several {result['several']}")
        for part in ("fit_figures", "test_figures"):
            for name, row in result[part].items():
                print(f"  {part[:-8]:4} {name:12} " + "  ".join(f"{k} {v}" for k, v in row.items()))
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
