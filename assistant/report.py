"""Rendering evaluation reports: a text table for the terminal and a self-contained HTML page."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from assistant.evaluation import Report

HEADLINE = (
    "accuracy",
    "answer_accuracy",
    "answer_top1",
    "answer_top3",
    "answer_in_250",
    "evidence_cited",
    "citation_precision",
    "verbatim_rate",
    "abstention_accuracy",
    "false_abstention_rate",
    "unsure_answerable",
    "flagged_unanswerable",
    "language_match",
    "median_chars",
    "latency_p50_ms",
    "latency_p95_ms",
)


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}" if value <= 1 else f"{value:.1f}"
    return str(value)


BREAKDOWN = ("questions", "answer_top1", "answer_top3", "answer_in_250", "answer_accuracy", "abstention_accuracy",
             "false_abstention_rate", "unsure_answerable", "flagged_unanswerable")


def render_table(reports: Sequence[Report]) -> str:
    """Metrics side by side, one column per report (settings variant), then per language and per tag."""
    names = [n for n in reports[0].metrics if any(r.metrics.get(n) is not None for r in reports)]
    width = max(len(n) for n in names) + 2
    columns = [r.label or "run" for r in reports]
    col = max(10, *(len(c) + 2 for c in columns))
    lines = ["metric".ljust(width) + "".join(c.rjust(col) for c in columns)]
    for name in names:
        lines.append(name.ljust(width) + "".join(_fmt(r.metrics.get(name)).rjust(col) for r in reports))
    first = reports[0]
    groups = [("lang", lang) for lang in first.by_lang] + [("tag", tag) for tag in first.by_tag]
    if len(groups) > 1:
        lines.append("")
        header = "breakdown".ljust(24) + "".join(m[:13].rjust(14) for m in BREAKDOWN)
        for report in reports:
            lines.append(f"{report.label or 'run'}:")
            lines.append(header)
            for kind, key in groups:
                metrics = (report.by_lang if kind == "lang" else report.by_tag).get(key, {})
                label = f"[{key}]" if kind == "lang" else key
                lines.append(label[:23].ljust(24) + "".join(_fmt(metrics.get(m)).rjust(14) for m in BREAKDOWN))
    reasons = first.reasons
    if reasons:
        lines.append("abstained because: " + ", ".join(
            f"{name} ({counts['unanswerable']} unanswerable, {counts['answerable']} answerable)"
            for name, counts in sorted(reasons.items())))
    if first.failures:
        shown = ", ".join(r.id for r in first.failures[:40])
        more = f" and {len(first.failures) - 40} more" if len(first.failures) > 40 else ""
        lines.append(f"{len(first.failures)} failure(s): {shown}{more}")
    return "\n".join(lines)


def _histogram(report: Report) -> str:
    """The calibrated score of answerable vs unanswerable questions, as two rows of bars."""
    histogram = report.histogram
    peak = max([*histogram["answerable"], *histogram["unanswerable"], 1])
    parts = ['<svg class="chart" width="560" height="190" role="img" aria-label="score distribution">',
             '<text x="0" y="16" class="t">score distribution (answerable above, unanswerable below)</text>']
    for row, (name, colour) in enumerate((("answerable", "#3b7dd8"), ("unanswerable", "#c0392b"))):
        for i, count in enumerate(histogram[name]):
            height = int(60 * count / peak)
            y = 90 - height if row == 0 else 100
            parts.append(f'<rect x="{40 + 50 * i}" y="{y}" width="44" height="{height}" fill="{colour}"/>')
            parts.append(f'<text x="{40 + 50 * i}" y="{y - 2 if row == 0 else 100 + height + 12}">{count}</text>')
    for i in range(11):
        parts.append(f'<text x="{32 + 50 * i}" y="185">{i / 10:.1f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _bar_chart(title: str, values: dict[str, float | None], *, maximum: float = 1.0) -> str:
    rows = [(k, v) for k, v in values.items() if v is not None]
    height = 26 * len(rows) + 30
    parts = [
        f'<svg class="chart" width="560" height="{height}" role="img" aria-label="{escape(title)}">',
        f'<text x="0" y="16" class="t">{escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(rows):
        y = 30 + 26 * i
        w = 0 if maximum <= 0 else max(1, int(340 * min(value, maximum) / maximum))
        parts.append(f'<text x="0" y="{y + 15}">{escape(label)}</text>')
        parts.append(f'<rect x="170" y="{y}" width="{w}" height="18" class="b"/>')
        parts.append(f'<text x="{175 + w}" y="{y + 15}">{_fmt(value)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render_html(reports: Sequence[Report]) -> str:
    """A single self-contained HTML file: headline metrics, charts per breakdown, failures table."""
    first = reports[0]
    cards = "".join(
        f'<div class="card"><div class="v">{_fmt(first.metrics.get(n))}</div><div class="n">{escape(n)}</div></div>'
        for n in HEADLINE
    )
    charts = [
        _bar_chart("accuracy by language", {k: v["accuracy"] for k, v in first.by_lang.items()}),
        _bar_chart("accuracy by tag", {k: v["accuracy"] for k, v in first.by_tag.items()}),
        _bar_chart("evidence cited by tag", {k: v["evidence_cited"] for k, v in first.by_tag.items()}),
    ]
    if any(r.score is not None for r in first.rows):
        charts.append(_histogram(first))
    latencies = sorted(r.seconds * 1000 for r in first.rows)
    if latencies:
        buckets: dict[str, float | None] = {}
        for q in (0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 1.0):
            buckets[f"p{int(q * 100)}"] = latencies[min(len(latencies) - 1, int(q * (len(latencies) - 1)))]
        charts.append(_bar_chart("latency distribution (ms)", buckets, maximum=max(latencies) or 1.0))
    if len(reports) > 1:
        compare = "".join(
            f"<tr><td>{escape(n)}</td>" + "".join(f"<td>{_fmt(r.metrics.get(n))}</td>" for r in reports) + "</tr>"
            for n in first.metrics
        )
        head = "".join(f"<th>{escape(r.label)}</th>" for r in reports)
        comparison = f"<h2>Comparison</h2><table><tr><th>metric</th>{head}</tr>{compare}</table>"
    else:
        comparison = ""
    reasons = "".join(
        f"<tr><td>{escape(name)}</td><td>{counts['unanswerable']}</td><td>{counts['answerable']}</td></tr>"
        for name, counts in sorted(first.reasons.items()))
    reasons_table = ("<h2>Why it abstained (stage: unanswerable / answerable questions)</h2><table><tr><th>stage</th>"
                     f"<th>unanswerable</th><th>answerable</th></tr>{reasons}</table>") if reasons else ""
    failures = "".join(
        f"<tr><td>{escape(r.id)}</td><td>{escape(r.lang)}</td><td>{escape(', '.join(r.tags))}</td>"
        f"<td>{escape(r.question)}</td><td>{escape(r.answer)}</td><td>{escape(r.abstain_reason or '')}</td>"
        f"<td>{escape(' | '.join(r.expected) if r.answerable else '(abstain)')}</td></tr>"
        for r in first.failures
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>citechat evaluation</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:1100px}}
.cards{{display:flex;flex-wrap:wrap;gap:.6rem}}
.card{{border:1px solid #ddd;border-radius:8px;padding:.6rem 1rem;min-width:120px}}
.v{{font-size:1.5rem;font-weight:600}} .n{{color:#666;font-size:.8rem}}
.chart text{{font-size:12px}} .chart .t{{font-weight:600}} .chart .b{{fill:#3b7dd8}}
table{{border-collapse:collapse;width:100%;font-size:.85rem}}
td,th{{border:1px solid #ddd;padding:4px;vertical-align:top}}
</style></head><body>
<h1>citechat evaluation</h1>
<p>{first.metrics["questions"]} questions, k={first.k}. Label: {escape(first.label)}.</p>
<div class="cards">{cards}</div>
<h2>Breakdowns</h2>{"".join(charts)}
{comparison}
{reasons_table}
<h2>Failures ({len(first.failures)})</h2>
<table><tr><th>id</th><th>lang</th><th>tags</th><th>question</th><th>answer</th><th>reason</th><th>expected</th></tr>
{failures}</table>
</body></html>
"""
