"""Pure rendering of the browser chat: answers with per-turn markers, sources, the article panel, exports.

Every piece of document text is HTML-escaped here, so a document holding ``<script>`` or ``javascript:`` links
renders as text. Answers are HTML blocks inside the chat's markdown, so their text needs no markdown escapes
(copying an answer gives its plain text).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assistant.render import shown_text
from assistant.types import Answer, Citation
from store import StoredDocument
from store.lang import strings, supported
from store.lexicon import SentenceRow

_MARKER = re.compile(r"\[(\d+)\]")
def ui_language(accept_language: str | None) -> str:
    """``fr`` or ``en`` from a browser's Accept-Language header (English when neither comes first)."""
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in supported():
            return code
    return "en"


def text(key: str, language: str, **values: object) -> str:
    """An interface string in ``language`` (the language modules' string tables; English fallback)."""
    template = strings(language)[key]
    return template.format(**values) if values else template


def language_name(code: str, language: str) -> str:
    """A document language's name in the interface language ("français", "English"), else its code."""
    return strings(language).get(f"language_{code}", code)


def esc(value: str) -> str:
    """HTML-escape document or user text (quotes too, so it is safe inside attributes)."""
    return html.escape(value, quote=True)


def marker(turn: int, citation: Citation, language: str) -> str:
    """A ``[n]`` link naming its turn, document and offsets: clicking it shows that quote, whatever came after.

    The chat's sanitiser keeps only ``href``, ``class`` and ``title``, so the link says where its quote is in its
    ``href`` (``#cc/turn/n/doc/start/end``); the page script turns the title into the accessible name.
    """
    label = text("source_label", language, n=citation.index, title=citation.title or citation.source,
                 start=citation.start, end=citation.end)
    href = f"#cc/{turn}/{citation.index}/{esc(citation.doc_id)}/{citation.start}/{citation.end}"
    return f'<a class="cc-marker" href="{href}" title="{esc(label)}">[{citation.index}]</a>'


def quotes(turn: int, citations: Sequence[Citation]) -> str:
    """The answer's quotes, hidden: what the phone popover shows next to a marker."""
    return "".join(f'<span class="cc-quote cc-quote-{turn}-{c.index}">{esc(c.text)}</span>' for c in citations)


def _paragraphs(value: str) -> str:
    escaped = esc(value)
    # No blank line may end the HTML block inside the chat's markdown.
    return re.sub(r"\n\s*\n", "<br><br>", escaped).replace("\n", "<br>")


def answer_html(answer: Answer, turn: int, language: str) -> str:
    """The chat text of an answer: escaped text with its markers, the search query of a follow-up, a copy button."""
    by_index = {c.index: c for c in answer.citations}
    shown = shown_text(answer)
    pieces, position = [], 0
    for match in _MARKER.finditer(shown):
        citation = by_index.get(int(match.group(1)))
        if citation is None:
            continue
        pieces.append(_paragraphs(shown[position : match.start()]))
        pieces.append(marker(turn, citation, language))
        position = match.end()
    pieces.append(_paragraphs(shown[position:]))
    body = "".join(pieces)
    state = "grounded" if answer.grounded else "abstained"
    if not answer.grounded:
        head = f'<strong class="cc-not-found">{esc(text("not_found", language))}</strong> — '
    elif answer.unsure:
        head = f'<strong class="cc-unsure">{esc(text("unsure", language))}</strong> '
    else:
        head = ""
    note = ""
    if answer.retrieval_query != answer.question:
        note = f'<div class="cc-query">{esc(text("searched", language))} {esc(answer.retrieval_query)}</div>'
    label = esc(text("copy", language))
    copy = f'<button type="button" class="cc-copy" aria-label="{label}">{label}</button>'
    return (f'<div class="cc-answer cc-{state} cc-turn-{turn}">{head}<span class="cc-text">{body}</span>'
            f"{note}{quotes(turn, answer.citations)}{copy}</div>")


def sources_html(citations: Sequence[Citation], turn: int, language: str) -> str:
    """One entry per quote: its marker, document title and location, then the quote."""
    items = []
    for c in citations:
        where = f"{esc(c.title or c.source)} · {c.start}–{c.end}" + (f" · {esc(c.section)}" if c.section else "")
        items.append(f'<li>{marker(turn, c, language)} <span class="cc-where">{where}</span>'
                     f'<blockquote>« {esc(c.text)} »</blockquote></li>')
    return f'<ol class="cc-sources cc-turn-{turn}">{"".join(items)}</ol>'


def related_html(related: Citation, turn: int, language: str) -> str:
    where = f"{esc(related.title or related.source)} · {related.start}–{related.end}"
    return (f'<div class="cc-related cc-turn-{turn}"><span class="cc-where">{where}</span>'
            f'<blockquote>« {esc(related.text)} »</blockquote></div>')


def chat_messages(answer: Answer, turn: int, language: str) -> list[dict]:
    """Gradio messages for one answer: the answer, then a collapsed Sources block (or a related passage)."""
    messages = [{"role": "assistant", "content": answer_html(answer, turn, language)}]
    if answer.citations:
        messages.append({
            "role": "assistant", "content": sources_html(answer.citations, turn, language),
            "metadata": {"title": f"{text('sources', language)} ({len(answer.citations)})", "status": "done"},
        })
    elif answer.related is not None:
        messages.append({
            "role": "assistant", "content": related_html(answer.related, turn, language),
            "metadata": {"title": text("related", language), "status": "done"},
        })
    return messages


def user_message(question: str) -> dict:
    return {"role": "user", "content": f'<div class="cc-question">{_paragraphs(question)}</div>'}


def pending_message(partial: str) -> dict:
    return {"role": "assistant", "content": f'<div class="cc-answer cc-streaming">{_paragraphs(partial)}</div>'}


def conversation_messages(turns: Sequence[dict], language: str) -> list[dict]:
    """The chat's messages rebuilt from saved turns (``{"question", "answer": Answer.to_dict()}``)."""
    messages: list[dict] = []
    for number, turn in enumerate(turns, start=1):
        messages.append(user_message(turn["question"]))
        messages.extend(chat_messages(answer_from_dict(turn["answer"]), number, language))
    return messages


def answer_from_dict(data: Mapping) -> Answer:
    """An ``Answer`` back from ``Answer.to_dict()`` (browser storage, exports)."""
    citations = tuple(Citation(**c) for c in data.get("citations") or ())
    related = Citation(**data["related"]) if data.get("related") else None
    return Answer(
        text=data["text"], citations=citations, grounded=data["grounded"], retrieval_query=data["retrieval_query"],
        language=data["language"], question=data.get("question", ""), related=related,
        notices=tuple(data.get("notices") or ()), abstain_reason=data.get("abstain_reason"), score=data.get("score"),
        sources=tuple(data.get("sources") or ()), unsure=bool(data.get("unsure", False)),
    )


def export_markdown(turns: Sequence[dict], language: str) -> str:
    """The conversation as Markdown, each answer followed by its quotes with document and offsets."""
    lines = [f"# {text('export_title', language)}", ""]
    for number, turn in enumerate(turns, start=1):
        answer = answer_from_dict(turn["answer"])
        lines += [f"## {number}. {turn['question']}", ""]
        if answer.unsure:
            lines += [f"*{text('unsure', language)}*", ""]
        lines += [shown_text(answer), ""]
        for c in answer.citations:
            lines.append(f"[{c.index}] {c.title or c.source} ({c.source}), characters {c.start}–{c.end}:")
            lines += [f"> {c.text}", ""]
    return "\n".join(lines).rstrip() + "\n"


@dataclass(frozen=True)
class PanelDocument:
    """What the article panel shows: a document, its text and its sentences' offsets."""

    record: StoredDocument
    text: str
    sentences: Sequence[SentenceRow]


def article_html(panel: PanelDocument | None, language: str) -> str:
    """The article, escaped, with every sentence a span the page script can highlight by its offsets."""
    if panel is None:
        return f'<div class="cc-article" data-doc=""><p><em>{esc(text("no_documents", language))}</em></p></div>'
    record, body = panel.record, panel.text
    meta = f"{esc(record.source)} · {esc(language_name(record.language, language))}"
    out = [f'<div class="cc-article" data-doc="{esc(record.doc_id)}" tabindex="-1">',
           f'<h3 class="cc-title">{esc(record.title or record.source)}</h3><p class="cc-meta">{meta}</p>',
           '<div class="cc-body">']
    position = 0
    for sentence in panel.sentences:
        if sentence.start < position:
            continue
        out.append(_paragraphs(body[position : sentence.start]))
        out.append(f'<span class="cc-s" data-start="{sentence.start}" data-end="{sentence.end}">'
                   f"{_paragraphs(body[sentence.start : sentence.end])}</span>")
        position = sentence.end
    out.append(_paragraphs(body[position:]))
    out.append("</div></div>")
    return "".join(out)


def header_html(documents: Sequence[StoredDocument], language: str) -> str:
    """The first screen's line: which article (or how many) is loaded, and what the assistant does."""
    if not documents:
        what = esc(text("no_documents", language))
    elif len(documents) == 1:
        d = documents[0]
        what = (f"<strong>{esc(d.title or d.source)}</strong> · {esc(d.origin or d.source)} · "
                f"{esc(language_name(d.language, language))}")
    else:
        what = f"<strong>{len(documents)}</strong> documents: " + ", ".join(
            esc(d.title or d.source) for d in documents[:4]) + ("…" if len(documents) > 4 else "")
    intro = esc(text("intro", language))
    return f'<div class="cc-header"><p class="cc-loaded">{what}</p><p class="cc-intro">{intro}</p></div>'
