"""Evaluating answers on question sets, without any language model.

A question set is JSON Lines (or YAML / CSV with the same columns); see README "Evaluation". Items may
name their document (a file path relative to the set): the document is ingested into the configured store
if it is not there yet, and the question is answered from that document only, so one set can span many
articles. Metrics compare answer text to gold answers after normalisation, citations to gold evidence quotes
and gold answer offsets, and check every citation against the stored document text.
"""

from __future__ import annotations

import csv
import io
import json
import re
import statistics
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from assistant.answer import Assistant, Trace
from assistant.render import unframed
from assistant.types import Answer
from store.lang import detect, strings, supported

ANSWER_WINDOW = 250  # "answer found within 250 characters": what a reader sees first

FIELDS: dict[str, type | tuple[type, ...]] = {
    "id": (str, int),
    "question": str,
    "answers": list,
    "evidence": list,
    "answerable": bool,
    "lang": str,
    "tags": list,
    "history": list,
    "document": str,
    "answer_offsets": list,
}
HIGHER_IS_BETTER = True


class QuestionSetError(ValueError):
    """A question set that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class QuestionItem:
    """One question of a set."""

    id: str
    question: str
    answers: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    answerable: bool = True
    lang: str | None = None
    tags: tuple[str, ...] = ()
    history: tuple[tuple[str, str], ...] = ()
    line: int = 0
    document: str | None = None
    answer_offsets: tuple[tuple[int, int], ...] = ()


# -- loading ----------------------------------------------------------------------------------


def _item(raw: Any, line: int, where: str) -> QuestionItem:
    if not isinstance(raw, dict):
        raise QuestionSetError(f"{where}:{line}: expected an object with a 'question' field")
    for key, value in raw.items():
        expected = FIELDS.get(key)
        if expected is None:
            continue  # unknown fields are kept out of the way, not fatal
        if value is not None and not isinstance(value, expected):
            names = expected.__name__ if isinstance(expected, type) else "/".join(t.__name__ for t in expected)
            raise QuestionSetError(f"{where}:{line}: field '{key}' must be {names}, got {type(value).__name__}")
    question = raw.get("question")
    if not isinstance(question, str) or not question.strip():
        raise QuestionSetError(f"{where}:{line}: missing 'question'")
    for key in ("answers", "evidence", "tags"):
        if any(not isinstance(v, str) for v in raw.get(key) or []):
            raise QuestionSetError(f"{where}:{line}: field '{key}' must be a list of strings")
    offsets = []
    for span in raw.get("answer_offsets") or []:
        if not (isinstance(span, (list, tuple)) and len(span) == 2 and all(isinstance(v, int) for v in span)):
            raise QuestionSetError(f"{where}:{line}: 'answer_offsets' must be a list of [start, end] pairs")
        offsets.append((int(span[0]), int(span[1])))
    history = []
    for turn in raw.get("history") or []:
        if not isinstance(turn, (list, tuple)) or not 1 <= len(turn) <= 2:
            raise QuestionSetError(f"{where}:{line}: 'history' must be a list of [question, answer] pairs")
        history.append((str(turn[0]), str(turn[1]) if len(turn) > 1 else ""))
    return QuestionItem(
        id=str(raw.get("id") or f"line{line}"),
        question=question,
        answers=tuple(raw.get("answers") or ()),
        evidence=tuple(raw.get("evidence") or ()),
        answerable=raw.get("answerable", True) if raw.get("answerable") is not None else True,
        lang=raw.get("lang"),
        tags=tuple(raw.get("tags") or ()),
        history=tuple(history),
        line=line,
        document=raw.get("document") or None,
        answer_offsets=tuple(offsets),
    )


def _from_csv_row(row: dict) -> dict[str, Any]:
    """CSV cells are strings: lists are ``|``-separated, history is JSON, answerable is yes/no."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key is None or value is None or value == "":
            continue
        if key in ("answers", "evidence", "tags"):
            out[key] = [v.strip() for v in value.split("|") if v.strip()]
        elif key == "answerable":
            out[key] = value.strip().lower() in ("1", "true", "yes", "oui")
        elif key == "history":
            try:
                out[key] = json.loads(value)
            except json.JSONDecodeError:
                out[key] = value  # reported as a wrong type by _item
        else:
            out[key] = value
    return out


def load_question_set(path: str | Path, *, document_texts: Sequence[str] | None = None) -> list[QuestionItem]:
    """Load a question set (.jsonl, .yaml/.yml or .csv).

    Args:
        path: the set's file.
        document_texts: when given, every ``evidence`` quote must occur in one of these texts.

    Raises:
        QuestionSetError: unreadable file, invalid line, missing question, wrong field type,
            or evidence not found in the documents.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise QuestionSetError(f"cannot read the question set {path}: {exc.strerror or exc}") from exc
    suffix = path.suffix.lower()
    items: list[QuestionItem] = []
    if suffix in (".yaml", ".yml"):
        import yaml

        try:
            data = yaml.safe_load(text) or []
        except yaml.YAMLError as exc:
            raise QuestionSetError(f"{path}: invalid YAML: {exc}") from exc
        if not isinstance(data, list):
            raise QuestionSetError(f"{path}: expected a list of questions")
        items = [_item(raw, i, str(path)) for i, raw in enumerate(data, start=1)]
    elif suffix == ".csv":
        for number, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
            items.append(_item(_from_csv_row(row), number, str(path)))
    else:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                raise QuestionSetError(f"{path}:{number}: invalid JSON ({exc.msg})") from exc
            items.append(_item(raw, number, str(path)))
    if not items:
        raise QuestionSetError(f"{path}: the question set is empty")
    if document_texts is not None:
        for item in items:
            for quote in item.evidence:
                if not any(quote in doc for doc in document_texts):
                    raise QuestionSetError(
                        f"{path}:{item.line}: evidence {quote[:60]!r} is not in the indexed documents"
                    )
    return items


# -- metrics (pure) ---------------------------------------------------------------------------

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


def normalise_answer(text: str) -> str:
    """Case, accents, apostrophes, punctuation and spacing folded, for answer matching."""
    text = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^\w\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def contains_answer(answer_text: str, gold: Sequence[str]) -> bool:
    """True when any gold answer appears in the answer text after normalisation."""
    normalised = f" {normalise_answer(answer_text)} "
    return any(f" {normalise_answer(g)} " in normalised for g in gold if normalise_answer(g))


def token_f1(prediction: str, gold: str) -> float:
    """SQuAD-style token F1 between two strings after normalisation."""
    pred, ref = normalise_answer(prediction).split(), normalise_answer(gold).split()
    if not pred or not ref:
        return float(pred == ref)
    common = sum(min(pred.count(t), ref.count(t)) for t in set(ref))
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def passage_has_evidence(passage: str, evidence: Sequence[str]) -> bool:
    """A passage supports the item when it contains a gold quote (or the quote contains it)."""
    return any(quote in passage or passage in quote for quote in evidence)


def answer_body(answer: Answer) -> str:
    """The answer text without its language framing and markers."""
    text = answer.text
    for code in supported():
        text = unframed(text, code)
    return re.sub(r"\s*\[\d+\]", "", text)


def reads_in_language(answer: Answer, expected: str) -> bool:
    """Whether what the user reads is framed in ``expected``: abstention text, framing, or the body itself."""
    if not answer.grounded:
        return answer.text == strings(expected)["abstain"]
    framing = strings(expected)["framing"]
    if framing and answer.text.startswith(framing):
        return True
    others = [strings(c)["framing"] for c in supported() if c != expected]
    if any(f and answer.text.startswith(f) for f in others):
        return False
    return detect(answer_body(answer), among=supported()) == expected


@dataclass(frozen=True)
class Ranked:
    """A retrieved sentence as the evaluation sees it: where it is and how likely it was to answer."""

    text: str
    source: str
    start: int
    end: int
    probability: float


@dataclass(frozen=True)
class ItemResult:
    """The evaluation of one question."""

    id: str
    question: str
    lang: str
    tags: tuple[str, ...]
    answerable: bool
    answer: str
    grounded: bool
    expected: tuple[str, ...]
    correct: bool
    contains: bool
    found_in_window: bool
    f1: float
    exact: bool
    evidence_rank: int | None
    answer_rank: int | None
    citations: int
    supported_citations: int
    evidence_found: int
    evidence_total: int
    verbatim: int
    language_ok: bool
    chars: int
    seconds: float
    retrieval_query: str
    abstain_reason: str | None = None
    score: float | None = None
    document: str | None = None
    ranked: bool = False
    unsure: bool = False


class Located(Protocol):
    """Anything with character offsets in its document: a ranked sentence, a citation, a stored row."""

    start: int
    end: int


def holds_span(ranked: Located, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether a sentence holds the start of a gold answer span."""
    return any(ranked.start <= start < ranked.end for start, _ in spans)


def score_item(
    item: QuestionItem,
    answer: Answer,
    ranking: Sequence[Ranked],
    verbatim: int,
    seconds: float,
    expected_lang: str,
    *,
    gold_source: str | None = None,
) -> ItemResult:
    """Compare one answer (and the ranking behind it) with its gold data (pure)."""
    body = answer_body(answer)
    contains = answer.grounded and contains_answer(answer.text, item.answers) if item.answers else answer.grounded
    window = answer.grounded and bool(item.answers) and contains_answer(answer.text[:ANSWER_WINDOW], item.answers)
    correct = contains if item.answerable else not answer.grounded
    f1 = max((token_f1(body, g) for g in item.answers), default=0.0) if answer.grounded else 0.0
    exact = any(normalise_answer(body) == normalise_answer(g) for g in item.answers)
    rank = next((i for i, r in enumerate(ranking, start=1) if passage_has_evidence(r.text, item.evidence)), None)
    answer_rank = None
    if item.answer_offsets:
        answer_rank = next((i for i, r in enumerate(ranking, start=1)
                            if (gold_source is None or r.source == gold_source) and holds_span(r, item.answer_offsets)),
                           None)
    supported = sum(passage_has_evidence(c.text, item.evidence) for c in answer.citations)
    if item.answer_offsets and not item.evidence:
        supported = sum(holds_span(c, item.answer_offsets) for c in answer.citations)
    found = sum(any(q in c.text or c.text in q for c in answer.citations) for q in item.evidence)
    return ItemResult(
        id=item.id, question=item.question, lang=expected_lang, tags=item.tags, answerable=item.answerable,
        answer=answer.text, grounded=answer.grounded, expected=item.answers, correct=correct,
        contains=contains, found_in_window=window, f1=f1, exact=exact,
        evidence_rank=rank if item.evidence else None, answer_rank=answer_rank,
        citations=len(answer.citations),
        supported_citations=supported if (item.evidence or item.answer_offsets) else len(answer.citations),
        evidence_found=found, evidence_total=len(item.evidence), verbatim=verbatim,
        language_ok=reads_in_language(answer, expected_lang), chars=len(answer.text), seconds=seconds,
        retrieval_query=answer.retrieval_query, abstain_reason=answer.abstain_reason, score=answer.score,
        document=item.document, ranked=bool(item.answer_offsets), unsure=answer.grounded and answer.unsure,
    )


def _ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    position = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[position]


def summarise(rows: Sequence[ItemResult], *, k: int) -> dict[str, float | int | None]:
    """Headline metrics of a set of item results (pure)."""
    answerable = [r for r in rows if r.answerable]
    unanswerable = [r for r in rows if not r.answerable]
    with_evidence = [r for r in answerable if r.evidence_total]
    cited = [r for r in answerable if (r.evidence_total or r.ranked) and r.citations]
    all_citations = sum(r.citations for r in rows)
    ranks = [r.evidence_rank for r in with_evidence]
    answer_ranks = [r.answer_rank for r in answerable if r.ranked]
    return {
        "questions": len(rows),
        "accuracy": _ratio(sum(r.correct for r in rows), len(rows)),
        "answer_accuracy": _ratio(sum(r.contains for r in answerable), len(answerable)),
        "answer_in_250": _ratio(sum(r.found_in_window for r in answerable), len(answerable)),
        "answer_top1": _ratio(sum(1 for x in answer_ranks if x == 1), len(answer_ranks)),
        "answer_top3": _ratio(sum(1 for x in answer_ranks if x and x <= 3), len(answer_ranks)),
        "f1": _ratio(sum(r.f1 for r in answerable), len(answerable)),
        "exact_match": _ratio(sum(r.exact for r in answerable), len(answerable)),
        f"evidence_hit@{k}": _ratio(sum(1 for x in ranks if x and x <= k), len(ranks)),
        "mrr": _ratio(sum(1 / x for x in ranks if x), len(ranks)),
        "citation_precision": _ratio(sum(r.supported_citations for r in cited), sum(r.citations for r in cited)),
        "citation_recall": _ratio(sum(r.evidence_found for r in with_evidence),
                                  sum(r.evidence_total for r in with_evidence)),
        "evidence_cited": _ratio(sum(r.evidence_found > 0 for r in with_evidence), len(with_evidence)),
        "verbatim_rate": _ratio(sum(r.verbatim for r in rows), all_citations) if all_citations else 1.0,
        "abstention_accuracy": _ratio(sum(not r.grounded for r in unanswerable), len(unanswerable)),
        "false_abstention_rate": _ratio(sum(not r.grounded for r in answerable), len(answerable)),
        # Answers given marked "maybe not in the article": on an answerable question a caveat the reader did not
        # need; an unanswerable question is flagged when the reader was warned, by an abstention or by the mark.
        "unsure_answerable": _ratio(sum(r.unsure for r in answerable), len(answerable)),
        "flagged_unanswerable": _ratio(sum(not r.grounded or r.unsure for r in unanswerable), len(unanswerable)),
        "language_match": _ratio(sum(r.language_ok for r in rows), len(rows)),
        "median_chars": statistics.median([r.chars for r in answerable if r.grounded] or [0]),
        "latency_p50_ms": _ms(_percentile([r.seconds for r in rows], 0.5)),
        "latency_p95_ms": _ms(_percentile([r.seconds for r in rows], 0.95)),
    }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def score_histogram(rows: Sequence[ItemResult], *, bins: int = 10) -> dict[str, list[int]]:
    """Counts of the calibrated score in ``bins`` equal bins over [0, 1], answerable vs unanswerable."""
    out: dict[str, list[int]] = {"answerable": [0] * bins, "unanswerable": [0] * bins}
    for r in rows:
        if r.score is None:
            continue
        out["answerable" if r.answerable else "unanswerable"][min(bins - 1, int(r.score * bins))] += 1
    return out


def reasons(rows: Sequence[ItemResult]) -> dict[str, dict[str, int]]:
    """Why the assistant abstained, counted on answerable and unanswerable questions."""
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        if r.abstain_reason:
            counts = out.setdefault(r.abstain_reason, {"answerable": 0, "unanswerable": 0})
            counts["answerable" if r.answerable else "unanswerable"] += 1
    return out


@dataclass(frozen=True)
class Report:
    """An evaluation run: headline metrics, breakdowns by language, tag and dataset, and per-item rows."""

    metrics: dict[str, Any]
    by_lang: dict[str, dict[str, Any]]
    by_tag: dict[str, dict[str, Any]]
    rows: tuple[ItemResult, ...]
    k: int
    label: str = ""
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def failures(self) -> list[ItemResult]:
        return [r for r in self.rows if not r.correct]

    @property
    def histogram(self) -> dict[str, list[int]]:
        return score_histogram(self.rows)

    @property
    def reasons(self) -> dict[str, dict[str, int]]:
        return reasons(self.rows)

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (JSON-ready)."""
        return {
            "label": self.label, "k": self.k, "metrics": self.metrics, "by_lang": self.by_lang,
            "by_tag": self.by_tag, "settings": self.settings, "score_histogram": self.histogram,
            "abstain_reasons": self.reasons, "rows": [asdict(r) for r in self.rows],
            "failures": [r.id for r in self.failures],
        }


def build_report(rows: Sequence[ItemResult], *, k: int, label: str = "", settings: dict | None = None) -> Report:
    """Group item results into a report (pure)."""
    langs = sorted({r.lang for r in rows})
    tags = sorted({t for r in rows for t in r.tags})
    return Report(
        metrics=summarise(rows, k=k),
        by_lang={lang: summarise([r for r in rows if r.lang == lang], k=k) for lang in langs},
        by_tag={tag: summarise([r for r in rows if tag in r.tags], k=k) for tag in tags},
        rows=tuple(rows), k=k, label=label, settings=settings or {},
    )


# -- running ----------------------------------------------------------------------------------


def documents_of(items: Sequence[QuestionItem], base: Path) -> dict[str, Path]:
    """The document files the items name (relative to the set's folder), by the name items use.

    Raises:
        QuestionSetError: a named document does not exist.
    """
    found: dict[str, Path] = {}
    for item in items:
        if item.document and item.document not in found:
            path = (base / item.document).resolve()
            if not path.is_file():
                raise QuestionSetError(f"line {item.line}: document {item.document!r} not found next to the set")
            found[item.document] = path
    return found


def ranking_of(trace: Trace | None) -> list[Ranked]:
    """The candidates behind an answer, most likely first."""
    if trace is None:
        return []
    return [
        Ranked(s.candidate.row.text, s.candidate.document.source, s.candidate.row.start, s.candidate.row.end,
               s.probability)
        for s in trace.scored
    ]


def evaluate(
    assistant: Assistant,
    items: Sequence[QuestionItem],
    *,
    k: int | None = None,
    label: str = "",
    sources: dict[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Answer every item with ``assistant`` and score the answers.

    ``sources`` maps an item's ``document`` to the source it was stored under; such items are answered from
    that document only.
    """
    from assistant.question import prepare

    k = k or assistant.settings.retrieval.k
    texts: dict[str, str] = {}
    documents = {d.source: d for d in assistant.store.documents()}
    languages = {d.language for d in documents.values()}

    def document_text(source: str) -> str:
        if source not in texts:
            doc = documents.get(source)
            texts[source] = assistant.store.document_text(doc.doc_id) if doc else ""
        return texts[source]

    rows = []
    for item in items:
        source = (sources or {}).get(item.document) if item.document else None
        started = time.perf_counter()
        response = assistant.stream(item.question, list(item.history), k=k, sources=[source] if source else None)
        answer = response.answer()
        seconds = time.perf_counter() - started
        verbatim = sum(document_text(c.source)[c.start : c.end] == c.text for c in answer.citations)
        lang = item.lang or prepare(item.question, languages=languages).language
        rows.append(score_item(item, answer, ranking_of(response.trace), verbatim, seconds, lang,
                               gold_source=source))
        if progress:
            progress(1)
    settings = assistant.settings.retrieval.model_dump()
    settings["embedding_model"] = assistant.store.model_name
    if settings["threshold"] is None:  # not overridden: the calibrated ones, per language
        calibrated = assistant.calibration
        settings["threshold"] = {**dict(calibrated.thresholds), "other": calibrated.threshold}
    return build_report(rows, k=k, label=label, settings=settings)


def sample_documents(items: Sequence[QuestionItem], count: int) -> list[QuestionItem]:
    """The items of a fixed sample of ``count`` documents (by a hash of their name), for quick gates."""
    import hashlib

    names = sorted({i.document for i in items if i.document}, key=lambda n: hashlib.sha1(n.encode()).hexdigest())
    chosen = set(names[:count])
    return [i for i in items if not i.document or i.document in chosen]


def load_evidence_check(items: Sequence[QuestionItem], store: Any) -> None:
    """Every ``evidence`` quote must occur in a stored document.

    Raises:
        QuestionSetError: naming the line whose evidence is not in the store.
    """
    if not any(i.evidence for i in items):
        return
    texts = [store.document_text(d.doc_id) for d in store.documents()]
    for item in items:
        for quote in item.evidence:
            if not any(quote in doc for doc in texts):
                raise QuestionSetError(f"line {item.line}: evidence {quote[:60]!r} is not in the indexed documents")


def parse_bar(text: str) -> tuple[str, float]:
    """Parse ``METRIC=VALUE`` (or ``TAG:METRIC=VALUE``) of ``--fail-under``."""
    name, _, value = text.partition("=")
    try:
        return name.strip(), float(value)
    except ValueError as exc:
        raise QuestionSetError(f"--fail-under expects METRIC=VALUE, got {text!r}") from exc


LOWER_IS_BETTER = frozenset(
    {"false_abstention_rate", "unsure_answerable", "median_chars", "latency_p50_ms", "latency_p95_ms"}
)


def missed_bars(report: Report, bars: Sequence[tuple[str, float]]) -> list[str]:
    """Human-readable list of the ``--fail-under`` bars the report misses."""
    missed = []
    for name, bar in bars:
        tag, _, metric = name.rpartition(":")
        metrics = report.by_tag.get(tag, {}) if tag else report.metrics
        value = metrics.get(metric)
        if tag and tag not in report.by_tag:
            missed.append(f"{name}: no item has the tag {tag!r}")
            continue
        if value is None:
            missed.append(f"{name}: unknown metric or no such items (known: {', '.join(report.metrics)})")
        elif metric in LOWER_IS_BETTER and value > bar:
            missed.append(f"{name} = {value} is above {bar}")
        elif metric not in LOWER_IS_BETTER and value < bar:
            missed.append(f"{name} = {value} is below {bar}")
    return missed
