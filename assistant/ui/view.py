"""Pure rendering of answers for the browser chat: escaped markdown, clickable markers, the article panel."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from assistant.types import Answer, Citation

# "<", ">" and "&" become HTML entities first; the rest of markdown's punctuation is backslash-escaped.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")
_MARKER = re.compile(r"\[(\d+)\]")
LABELS = {
    "fr": {"sources": "Sources", "not_found": "Pas dans l'article", "closest": "Passage le plus proche",
           "searched": "Recherche effectuée pour"},
    "en": {"sources": "Sources", "not_found": "Not in the article", "closest": "Closest passage",
           "searched": "Searched for"},
}


def escape_markdown(text: str) -> str:
    """Make document text inert in a markdown message: no HTML, links or emphasis survive."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def marker_link(index: int) -> str:
    """A clickable ``[n]`` that the page script turns into "show this span in the article"."""
    return f"[\\[{index}\\]](#citechat-cite-{index})"


def answer_markdown(answer: Answer) -> str:
    """The chat text of an answer: escaped text with clickable markers, or a visible abstention."""
    labels = LABELS.get(answer.language, LABELS["en"])
    if not answer.grounded:
        return f"ℹ️ **{labels['not_found']}** — {escape_markdown(answer.text)}"
    pieces = []
    position = 0
    for match in _MARKER.finditer(answer.text):
        pieces.append(escape_markdown(answer.text[position : match.start()]))
        pieces.append(marker_link(int(match.group(1))))
        position = match.end()
    pieces.append(escape_markdown(answer.text[position:]))
    return "".join(pieces)


def sources_markdown(citations: Sequence[Citation]) -> str:
    """One line per cited quote with its location."""
    lines = []
    for c in citations:
        where = f"{escape_markdown(c.title or c.source)} · {c.start}–{c.end}"
        if c.section:
            where += f" · {escape_markdown(c.section)}"
        lines.append(f"{marker_link(c.index)} {where}  \n« {escape_markdown(c.text)} »")
    return "\n\n".join(lines)


def chat_messages(answer: Answer) -> list[dict]:
    """Gradio messages for one answer: the answer, then a collapsed Sources block (or closest passage)."""
    labels = LABELS.get(answer.language, LABELS["en"])
    messages = [{"role": "assistant", "content": answer_markdown(answer)}]
    if answer.citations:
        messages.append({
            "role": "assistant",
            "content": sources_markdown(answer.citations),
            "metadata": {"title": f"{labels['sources']} ({len(answer.citations)})", "status": "done"},
        })
    elif answer.related is not None:
        r = answer.related
        messages.append({
            "role": "assistant",
            "content": f"« {escape_markdown(r.text)} » — {escape_markdown(r.title or r.source)} · {r.start}–{r.end}",
            "metadata": {"title": labels["closest"], "status": "done"},
        })
    return messages


def retrieval_note(answer: Answer) -> str:
    """Shown under the chat when a follow-up was rewritten into a standalone query."""
    if answer.retrieval_query == answer.question:
        return ""
    labels = LABELS.get(answer.language, LABELS["en"])
    return f"{labels['searched']} : *{escape_markdown(answer.retrieval_query)}*"


def article_html(text: str, title: str, citations: Sequence[Citation] = ()) -> str:
    """The article, escaped, paragraphs kept, every cited span wrapped in a numbered ``<mark>``."""
    spans = sorted({(c.start, c.end, c.index) for c in citations})
    out: list[str] = [f'<div class="citechat-article"><h3>{html.escape(title)}</h3>']
    position = 0
    for start, end, index in spans:
        if start < position:  # overlapping spans: the first one wins
            continue
        out.append(_paragraphs(text[position:start]))
        out.append(
            f'<mark id="citechat-mark-{index}" class="citechat-mark" data-cite="{index}">'
            f"<sup>[{index}]</sup>{_paragraphs(text[start:end])}</mark>"
        )
        position = end
    out.append(_paragraphs(text[position:]))
    out.append("</div>")
    return "".join(out)


def _paragraphs(text: str) -> str:
    escaped = html.escape(text, quote=True)
    return re.sub(r"\n\s*\n", "<br><br>", escaped).replace("\n", "<br>")


def sources_table(documents: Sequence) -> str:
    """Markdown list of the ingested documents."""
    if not documents:
        return "*No documents: run `citechat ingest PATH`.*"
    return "\n".join(
        f"- **{escape_markdown(d.title or d.source)}** — {d.chunk_count} chunks ({escape_markdown(d.source)})"
        for d in documents
    )
