"""Rendering evaluation reports: a text table for the terminal and a self-contained HTML page."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from assistant.evaluation import Report

HEADLINE = (
    "accuracy",
    "answer_accuracy",
    "evidence_cited",
    "citation_precision",
    "verbatim_rate",
    "abstention_accuracy",
    "false_abstention_rate",
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


def render_table(reports: Sequence[Report]) -> str:
    """Metrics side by side, one column per report (settings variant)."""
    names = list(reports[0].metrics)
    width = max(len(n) for n in names) + 2
    columns = [r.label or "run" for r in reports]
    col = max(10, *(len(c) + 2 for c in columns))
    lines = ["metric".ljust(width) + "".join(c.rjust(col) for c in columns)]
    for name in names:
        lines.append(name.ljust(width) + "".join(_fmt(r.metrics.get(name)).rjust(col) for r in reports))
    first = reports[0]
    for lang, metrics in first.by_lang.items():
        lines.append(f"[{lang}] accuracy {_fmt(metrics['accuracy'])}  questions {metrics['questions']}")
    if first.failures:
        lines.append(f"{len(first.failures)} failure(s): " + ", ".join(r.id for r in first.failures))
    return "\n".join(lines)


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
    failures = "".join(
        f"<tr><td>{escape(r.id)}</td><td>{escape(r.lang)}</td><td>{escape(', '.join(r.tags))}</td>"
        f"<td>{escape(r.question)}</td><td>{escape(r.answer)}</td>"
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
<h2>Failures ({len(first.failures)})</h2>
<table><tr><th>id</th><th>lang</th><th>tags</th><th>question</th><th>answer</th><th>expected</th></tr>{failures}</table>
</body></html>
"""
