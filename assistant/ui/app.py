"""The Gradio chat: a thin layer that streams ``Assistant.stream`` into a chat and shows cited spans."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

from assistant.answer import Assistant
from assistant.chat_view import (
    article_html,
    chat_messages,
    escape_markdown,
    retrieval_note,
    sources_table,
)
from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.types import Answer
from store.errors import StoreError

logger = logging.getLogger(__name__)

EXAMPLES = [
    "Quels cadeaux Kim a-t-il reçus ?",
    "Qui est Kozlov ?",
    "How far is the cosmodrome from Moscow?",
    "What did Putin propose about space?",
]
CSS = """
.citechat-article { line-height: 1.5; max-height: 640px; overflow-y: auto; padding-right: 8px; }
#citechat-chat a[href*="#citechat-cite-"] {
  text-decoration: none; background: #fde68a; color: #7a5200; border-radius: 4px; padding: 0 3px;
  font-size: 0.85em; font-weight: 600;
}
.citechat-mark { background: #fff3b0; border-radius: 3px; }
.citechat-mark sup { color: #8a6d00; font-weight: 600; margin-right: 2px; }
.citechat-mark.active { background: #ffc94d; outline: 2px solid #d99a00; }
"""
# Markers are links to #citechat-cite-N; instead of navigating, show span N in the article panel.
HEAD = """
<script>
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest('a[href*="#citechat-cite-"]');
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const index = link.getAttribute("href").split("#citechat-cite-")[1];
  document.querySelectorAll(".citechat-mark.active").forEach((m) => m.classList.remove("active"));
  const mark = document.getElementById("citechat-mark-" + index);
  if (mark) { mark.classList.add("active"); mark.scrollIntoView({block: "center"}); }
}, true);
</script>
"""


class ChatApp:
    """Binds an ``Assistant`` to the Gradio callbacks (kept separate so tests can build one on any store)."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant

    def documents(self):
        return self.assistant.store.documents()

    def article_for(self, answer: Answer | None) -> str:
        documents = self.documents()
        if not documents:
            return "<p><em>No documents.</em></p>"
        source = answer.citations[0].source if answer and answer.citations else documents[0].source
        document = next((d for d in documents if d.source == source), documents[0])
        text = self.assistant.store.document_text(document.doc_id)
        cited = [c for c in (answer.citations if answer else ()) if c.source == document.source]
        return article_html(text, document.title or document.source, cited)

    def respond(self, message: str, history: list | None) -> Iterator[tuple[list, str, str]]:
        """Stream one turn: user message, growing answer, then the answer with sources and marked article."""
        import gradio as gr

        shown = [*(history or []), {"role": "user", "content": escape_markdown(message or "")}]
        yield shown, "", gr.skip()
        try:
            partial = ""
            final: Answer | None = None
            for piece in self.assistant.stream(message, history or []):
                if isinstance(piece, Answer):
                    final = piece
                    break
                partial += piece
                yield [*shown, {"role": "assistant", "content": escape_markdown(partial)}], "", gr.skip()
            assert final is not None
            yield [*shown, *chat_messages(final)], retrieval_note(final), self.article_for(final)
        except (AssistantError, StoreError) as exc:
            yield [*shown, {"role": "assistant", "content": f"⚠️ {escape_markdown(str(exc))}"}], "", gr.skip()

    def api_chat(self, message: str, history: list | None = None) -> dict:
        """Answer a question about the article: the answer text and its citations as data."""
        try:
            return self.assistant.answer(message, history or []).to_dict()
        except (AssistantError, StoreError) as exc:
            return {"error": str(exc)}


def build_app(assistant: Assistant):
    """The Gradio Blocks app for ``assistant``."""
    import gradio as gr

    app = ChatApp(assistant)
    with gr.Blocks(title="citechat") as demo:
        gr.Markdown("## citechat — questions about the article, answers with cited passages")
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Chat", height=520, elem_id="citechat-chat", buttons=["copy"])
                with gr.Row():
                    question = gr.Textbox(
                        placeholder="Posez une question sur l'article… / Ask about the article…",
                        show_label=False, scale=5, elem_id="citechat-question", max_lines=4,
                    )
                    send = gr.Button("Send", variant="primary", scale=1, elem_id="citechat-send")
                query_note = gr.Markdown(elem_id="citechat-query")
                gr.Examples(EXAMPLES, inputs=question, label="Examples")
                clear = gr.Button("Clear", elem_id="citechat-clear")
            with gr.Column(scale=2):
                article = gr.HTML(app.article_for(None), elem_id="citechat-article-panel")
                with gr.Accordion("Ingested sources", open=False):
                    gr.Markdown(sources_table(app.documents()), elem_id="citechat-sources")
        for trigger in (question.submit, send.click):
            trigger(app.respond, [question, chatbot], [chatbot, query_note, article], api_visibility="private").then(
                lambda: "", None, question, api_visibility="private"
            )
        clear.click(lambda: ([], "", app.article_for(None)), None, [chatbot, query_note, article],
                    api_visibility="private")
        gr.api(app.api_chat, api_name="chat")
    return demo


def serve(settings: Settings, *, assistant: Assistant | None = None, block: bool = True):
    """Start the chat server described by ``settings.ui``; prints the URL."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    demo = build_app(assistant or Assistant(settings))
    auth = None
    if settings.ui.auth:
        user, _, password = settings.ui.auth.partition(":")
        auth = (user, password)
    demo.queue(default_concurrency_limit=4)
    demo.launch(
        server_name=settings.ui.host, server_port=settings.ui.port, auth=auth, share=settings.ui.share,
        prevent_thread_lock=not block, css=CSS, head=HEAD, show_error=False, quiet=False,
    )
    return demo
