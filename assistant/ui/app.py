"""The Gradio chat: a thin layer over ``Assistant.stream`` and ingest, rendering with ``assistant.ui.view``.

The Gradio history format is parsed here, at the edge; the answering core sees questions and sources only.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path

# Imported at module level: Gradio finds the ``gr.Request`` and ``gr.Progress`` parameters of the callbacks by
# resolving their annotations in this module's globals. (This module is only imported to serve the chat.)
import gradio as gr

from assistant.answer import Assistant
from assistant.config import Settings
from assistant.errors import AssistantError, InvalidQuestion, UnknownSource
from assistant.ui import view
from assistant.ui.security import LoginGuard, parse_credentials
from assistant.ui.view import PanelDocument, text
from ingest import IngestError, ingest_documents, load_bundled, load_file, load_text
from store import StoredDocument
from store.errors import StoreError
from store.lang import strings

logger = logging.getLogger(__name__)

UPLOAD_TYPES = [".txt", ".md", ".markdown", ".html", ".htm", ".pdf"]
REFRESH_SECONDS = 3.0
CONCURRENCY = 4
EXAMPLE_KEYS = ("example_1", "example_2", "example_3")
LABEL_KEYS = (
    "label_chat", "label_question", "label_send", "label_clear", "label_export", "label_documents",
    "label_documents_info", "label_examples", "label_library", "label_upload", "label_paste", "label_paste_title",
    "label_add_text", "label_article", "placeholder",
)


def asset(name: str) -> str:
    return (resources.files("assistant.ui") / "assets" / name).read_text(encoding="utf-8")


def request_language(request) -> str:
    headers = getattr(request, "headers", None) or {}
    return view.ui_language(headers.get("accept-language") if hasattr(headers, "get") else None)


class ChatApp:
    """Binds an ``Assistant`` (and its store) to the page's callbacks."""

    def __init__(self, assistant: Assistant, settings: Settings) -> None:
        self.assistant = assistant
        self.settings = settings
        self.store = assistant.store
        self._bundled = load_bundled()
        self._exports = Path(tempfile.mkdtemp(prefix="citechat-exports-"))
        self._ingest_lock = threading.Lock()

    # -- documents ---------------------------------------------------------------------------------

    def documents(self) -> list[StoredDocument]:
        return self.store.documents()

    def choices(self) -> list[tuple[str, str]]:
        return [(d.title or d.source, d.source) for d in self.documents()]

    def picked(self, sources: Sequence[str] | None) -> list[StoredDocument]:
        documents = self.documents()
        chosen = [d for d in documents if d.source in set(sources or ())]
        return chosen or documents

    def panel(self, doc_id: str | None, language: str) -> str:
        record = self.store.document(doc_id) if doc_id else None
        if record is None:
            documents = self.documents()
            record = documents[0] if documents else None
        if record is None:
            return view.article_html(None, language)
        content = PanelDocument(record, self.store.document_text(record.doc_id),
                                self.store.lexicon.document_sentences(record.doc_id))
        return view.article_html(content, language)

    def examples(self, sources: Sequence[str] | None, language: str) -> list[list[str]]:
        """The bundled article's own examples when it is (among) the documents in use, else generic ones in the
        language of the first document."""
        picked = self.picked(sources)
        if any(d.source == self._bundled.source for d in picked):
            return [[q] for q in self._bundled_examples()]
        code = picked[0].language if picked else language
        return [[strings(code)[key]] for key in EXAMPLE_KEYS]

    def _bundled_examples(self) -> list[str]:
        import json

        meta = json.loads((resources.files("ingest") / "corpus" / "kim-russie-afp.json").read_text(encoding="utf-8"))
        return list(meta.get("examples", []))

    def library_html(self, language: str) -> str:
        unit = view.esc(text("sentences", language))
        rows = [
            f"<li><strong>{view.esc(d.title or d.source)}</strong> · {d.sentence_count} {unit}"
            f" · {view.esc(view.language_name(d.language, language))}<br><code>{view.esc(d.source)}</code></li>"
            for d in self.documents()
        ]
        if not rows:
            return f"<p>{view.esc(text('no_documents', language))}</p>"
        return f'<ul class="cc-library">{"".join(rows)}</ul>'

    def add_documents(self, documents, language: str, progress) -> list[str]:
        """Ingest in this process (one writer at a time), with progress; one status line per document."""
        lines = []
        with self._ingest_lock:
            for document in documents:
                def advance(source: str, done: int, total: int, title=document.title) -> None:
                    progress((done, max(total, 1)), desc=title[:40])

                report = ingest_documents(self.store, [document], show_progress=False, progress=advance)
                item = report.documents[0]
                key = ("added_one" if item.added == 1 else "added") if item.added else "unchanged"
                lines.append(text(key, language, title=document.title or document.source,
                                  sentences=item.added or item.unchanged))
        return lines

    def upload(self, paths: Sequence[str] | None, language: str, progress) -> list[str]:
        lines, documents = [], []
        for raw in paths or ():
            path = Path(raw)
            # The upload's own name, not the temporary path Gradio stored it under.
            source = f"upload: {path.name}"
            try:
                documents.append(load_file(path, limits=self.settings.ingest, source=source))
            except IngestError as exc:
                lines.append(text("error", language, message=str(exc).replace(str(path.parent) + "/", "")))
            finally:
                path.unlink(missing_ok=True)  # an upload is never served back
        if documents:
            lines += self.add_documents(documents, language, progress)
        return lines

    def paste(self, body: str, title: str, language: str, progress) -> list[str]:
        name = (title or "").strip() or (body or "").strip().split("\n", 1)[0][:60]
        document = load_text(body or "", source=f"pasted: {name}", title=(title or "").strip(),
                             limits=self.settings.ingest)
        return self.add_documents([document], language, progress)

    # -- answering ---------------------------------------------------------------------------------

    def scope(self, sources: Sequence[str] | None) -> list[str] | None:
        known = {d.source for d in self.documents()}
        chosen = [s for s in sources or () if s in known]
        return chosen or None

    def stream_turn(self, question: str, sources: Sequence[str] | None, turns: list[dict],
                    language: str) -> Iterator[tuple[list[dict], list[dict], str | None]]:
        """Stream one turn: (chat messages, turns, doc id to show). The last item carries the saved turn."""
        history = [(t["question"], t["answer"]["text"]) for t in turns]
        shown = [*view.conversation_messages(turns, language), view.user_message(question)]
        response = self.assistant.stream(question, history, sources=self.scope(sources))
        partial = ""
        for piece in response:
            partial += piece
            yield [*shown, view.pending_message(partial)], turns, None
        answer = response.answer()
        saved = [*turns, {"question": question, "answer": answer.to_dict()}]
        cited = answer.citations[0].doc_id if answer.citations else None
        yield view.conversation_messages(saved, language), saved, cited

    def export(self, turns: list[dict], language: str) -> str | None:
        if not turns:
            return None
        content = view.export_markdown(turns, language)
        # One file per conversation content: two browsers exporting at once never get each other's file.
        folder = self._exports / hashlib.sha1(content.encode("utf-8")).hexdigest()[:16]
        folder.mkdir(exist_ok=True)
        path = folder / "citechat-conversation.md"
        path.write_text(content, encoding="utf-8")
        return str(path)

    # -- API ---------------------------------------------------------------------------------------

    def api_chat(self, message: str, history: list | None = None, sources: list[str] | None = None) -> dict:
        """Answer a question about the stored documents: the answer text and its citations as data.

        Raises gr.Error (an exception for gradio_client) for an empty or invalid question or an unknown source.
        """
        try:
            return self.assistant.answer(message, history or [], sources=sources or None).to_dict()
        except (InvalidQuestion, UnknownSource) as exc:
            raise gr.Error(str(exc)) from exc
        except (AssistantError, StoreError) as exc:
            raise gr.Error(str(exc).splitlines()[0]) from exc

    def api_sources(self) -> list[dict]:
        """The stored documents: source, title, language and sentence count."""
        return [{"source": d.source, "title": d.title, "language": d.language, "sentences": d.sentence_count,
                 "origin": d.origin} for d in self.documents()]


# Taken in the browser, at once: the question leaves the box before any round trip, so what the user types next
# is never erased; while an answer is on its way the box keeps what is sent (the Send button says "Answering…").
STAGE_JS = """(q) => {
  if (window.__ccBusy) return [null, q];
  if (!q || !q.trim()) return [{question: ""}, q];
  window.__ccToken = (window.__ccToken || 0) + 1;
  window.__ccBusy = window.__ccToken;
  return [{question: q, token: window.__ccToken}, ""];
}"""
RELEASE_JS = "(done) => { if (done && done.token === window.__ccBusy) { window.__ccBusy = 0; } }"


def i18n_labels():
    return gr.I18n(**{code: {key: strings(code)[key] for key in LABEL_KEYS} for code in ("en", "fr")})


def build_app(assistant: Assistant, settings: Settings | None = None):
    """The Gradio Blocks app for ``assistant``; returns (blocks, i18n)."""
    settings = settings or assistant.settings
    app = ChatApp(assistant, settings)
    i18n = i18n_labels()

    def lang_of(request: gr.Request | None) -> str:
        return request_language(request)

    # Gradio keeps uploaded files in its cache and can serve them back: ours are deleted once ingested, and the
    # cache drops anything older than two minutes (a file posted to the upload route without being ingested).
    with gr.Blocks(title="citechat", delete_cache=(60, 120)) as demo:
        turns = gr.BrowserState([], storage_key="citechat-conversation")
        staged = gr.JSON(visible="hidden", elem_id="citechat-staged")
        done = gr.JSON(visible="hidden", elem_id="citechat-done")
        header = gr.HTML(elem_id="citechat-header")
        with gr.Row(elem_id="citechat-layout"):
            with gr.Column(scale=3):
                picker = gr.Dropdown(choices=app.choices(), value=[], multiselect=True, label=i18n("label_documents"),
                                     info=i18n("label_documents_info"), elem_id="citechat-picker")
                chatbot = gr.Chatbot(label=i18n("label_chat"), height=520, elem_id="citechat-chat", buttons=[],
                                     feedback_options=None, group_consecutive_messages=False)
                with gr.Row():
                    question = gr.Textbox(placeholder=i18n("placeholder"), label=i18n("label_question"),
                                          show_label=False, scale=5,
                                          elem_id="citechat-question", max_lines=4, autofocus=True)
                    send = gr.Button(i18n("label_send"), variant="primary", scale=1, elem_id="citechat-send")
                examples = gr.Dataset(components=[question], samples=[], label=i18n("label_examples"),
                                      elem_id="citechat-examples", layout="gallery")
                with gr.Row():
                    clear = gr.Button(i18n("label_clear"), elem_id="citechat-clear", size="sm")
                    export = gr.DownloadButton(i18n("label_export"), elem_id="citechat-export", size="sm",
                                               visible=False)
            with gr.Column(scale=2):
                article = gr.HTML(elem_id="citechat-article", label=i18n("label_article"))
                doc_request = gr.Textbox(visible="hidden", elem_id="citechat-doc-request")
                with gr.Accordion(i18n("label_library"), open=False, elem_id="citechat-library-box"):
                    library = gr.HTML(elem_id="citechat-library")
                    files = gr.File(file_count="multiple", file_types=UPLOAD_TYPES, label=i18n("label_upload"),
                                    elem_id="citechat-upload")
                    pasted = gr.Textbox(lines=4, label=i18n("label_paste"), elem_id="citechat-paste")
                    pasted_title = gr.Textbox(label=i18n("label_paste_title"), elem_id="citechat-paste-title")
                    add_text = gr.Button(i18n("label_add_text"), size="sm", elem_id="citechat-add-text")
                    status = gr.HTML(elem_id="citechat-status")
        timer = gr.Timer(REFRESH_SECONDS)
        revision = gr.State(None)

        def first_screen(saved: list[dict], request: gr.Request):
            language = lang_of(request)
            saved = saved or []
            picked = app.picked(None)
            return (
                view.header_html(picked, language),
                view.conversation_messages(saved, language),
                gr.update(samples=app.examples(None, language)),
                app.panel(None, language),
                app.library_html(language),
                gr.update(choices=app.choices()),
                gr.update(value=app.export(saved, language), visible=bool(saved)),
                app.store.revision,
            )

        demo.load(first_screen, [turns], [header, chatbot, examples, article, library, picker, export, revision],
                  api_visibility="private")

        def follow_store(known, sources, request: gr.Request):
            # Another process ingested, removed or rebuilt: the lists follow without a restart.
            app.store.refresh()
            if known == app.store.revision:
                return gr.skip(), gr.skip(), gr.skip(), gr.skip(), known
            language = lang_of(request)
            still = [s for s in sources or () if s in {d.source for d in app.documents()}]
            return (gr.update(choices=app.choices(), value=still), app.library_html(language),
                    view.header_html(app.picked(still), language), gr.update(samples=app.examples(still, language)),
                    app.store.revision)

        timer.tick(follow_store, [revision, picker], [picker, library, header, examples, revision],
                   api_visibility="private", show_progress="hidden")

        def pick(sources, request: gr.Request):
            language = lang_of(request)
            picked = app.picked(sources)
            return (view.header_html(picked, language), gr.update(samples=app.examples(sources, language)),
                    app.panel(picked[0].doc_id if picked else None, language))

        picker.change(pick, [picker], [header, examples, article], api_visibility="private")
        def show_document(doc_id: str, request: gr.Request):
            return app.panel(doc_id, lang_of(request))

        doc_request.input(show_document, [doc_request], [article], api_visibility="private", show_progress="hidden")

        def respond(staged, sources, saved, request: gr.Request):
            # One turn: the question was taken from the box in the browser (STAGE_JS), so nothing typed while the
            # answer streams is erased, and a question sent meanwhile stays in the box (the Send button shows why).
            language = lang_of(request)
            busy = gr.update(interactive=False, value=text("busy", language))
            ready = gr.update(interactive=True, value=strings(language)["label_send"])
            if staged is None:
                gr.Info(text("pending", language))
                yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
                return
            message, token = staged.get("question", ""), {"token": staged.get("token")}
            if not message.strip():
                gr.Warning(text("empty", language))
                yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
                return
            saved = saved or []
            try:
                for messages, now, cited in app.stream_turn(message, sources, saved, language):
                    if cited is None and now is saved:
                        yield messages, gr.skip(), gr.skip(), gr.skip(), busy, gr.skip()
                    else:
                        panel = app.panel(cited, language) if cited else gr.skip()
                        yield (messages, now, panel, gr.update(value=app.export(now, language), visible=True), ready,
                               token)
            except InvalidQuestion as exc:
                key = exc.code if exc.code in ("empty", "encoding", "control") else "error"
                gr.Warning(text(key, language, message=str(exc)))
                yield view.conversation_messages(saved, language), gr.skip(), gr.skip(), gr.skip(), ready, token
            except (AssistantError, StoreError) as exc:
                gr.Warning(text("error", language, message=str(exc).splitlines()[0]))
                yield view.conversation_messages(saved, language), gr.skip(), gr.skip(), gr.skip(), ready, token
            except Exception as exc:  # never leave the page unable to send: report, release, keep serving
                logger.exception("answering failed")
                gr.Warning(text("error", language, message=type(exc).__name__))
                yield view.conversation_messages(saved, language), gr.skip(), gr.skip(), gr.skip(), ready, token

        def ask_chain(event):
            return (
                event.then(None, [question], [staged, question], js=STAGE_JS, queue=False)
                .then(respond, [staged, picker, turns], [chatbot, turns, article, export, send, done],
                      api_visibility="private", concurrency_limit=CONCURRENCY, show_progress="hidden")
                .then(None, [done], None, js=RELEASE_JS, queue=False)
            )

        def example(sample):
            return sample[0] if isinstance(sample, (list, tuple)) else sample

        ask_chain(question.submit(None, None, None, queue=False))
        ask_chain(send.click(None, None, None, queue=False))
        # An example asks at once: it fills the box, then goes the way of a typed question.
        ask_chain(examples.click(example, [examples], [question], api_visibility="private", queue=False))

        def reset(request: gr.Request):
            language = lang_of(request)
            return [], [], app.panel(None, language), gr.update(value=None, visible=False)

        for trigger in (clear.click, chatbot.clear):
            trigger(reset, None, [chatbot, turns, article, export], api_visibility="private",
                    js="() => { document.querySelectorAll('.cc-popover').forEach((p) => p.remove()); }")

        def on_upload(paths, request: gr.Request, progress=gr.Progress()):  # noqa: B008 - Gradio injects it
            language = lang_of(request)
            try:
                lines = app.upload(paths, language, progress)
            except (IngestError, StoreError) as exc:
                lines = [text("error", language, message=str(exc).splitlines()[0])]
            return ("<ul>" + "".join(f"<li>{view.esc(line)}</li>" for line in lines) + "</ul>", None,
                    gr.update(choices=app.choices()), app.library_html(language), app.store.revision)

        files.upload(on_upload, [files], [status, files, picker, library, revision], api_visibility="private",
                     concurrency_limit=1)

        def on_paste(body, title, request: gr.Request, progress=gr.Progress()):  # noqa: B008 - Gradio injects it
            language = lang_of(request)
            try:
                lines = app.paste(body, title, language, progress)
                body, title = "", ""
            except (IngestError, StoreError) as exc:
                lines = [text("error", language, message=str(exc).splitlines()[0])]
            return ("<ul>" + "".join(f"<li>{view.esc(line)}</li>" for line in lines) + "</ul>", body, title,
                    gr.update(choices=app.choices()), app.library_html(language), app.store.revision)

        add_text.click(on_paste, [pasted, pasted_title], [status, pasted, pasted_title, picker, library, revision],
                       api_visibility="private", concurrency_limit=1)

        gr.api(app.api_chat, api_name="chat", concurrency_limit=CONCURRENCY)
        gr.api(app.api_sources, api_name="sources")
    return demo, i18n


def theme():
    # Primary buttons dark enough for white text (6.9:1), in both themes.
    return gr.themes.Default(primary_hue=gr.themes.colors.blue).set(
        button_primary_background_fill="#0b4fb3", button_primary_background_fill_dark="#0b4fb3",
        button_primary_background_fill_hover="#093f8f", button_primary_background_fill_hover_dark="#093f8f",
        button_primary_text_color="#ffffff", button_primary_text_color_dark="#ffffff",
    )


def serve(settings: Settings, *, assistant: Assistant | None = None, block: bool = True):
    """Start the chat server described by ``settings.ui``."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    demo, i18n = build_app(assistant or Assistant(settings), settings)
    credentials = parse_credentials(settings.ui.auth)
    demo.queue(default_concurrency_limit=CONCURRENCY)
    demo.launch(
        server_name=settings.ui.host, server_port=settings.ui.port,
        auth=LoginGuard(credentials) if credentials else None, share=settings.ui.share,
        prevent_thread_lock=not block, css=asset("chat.css"), head=f"<script>{asset('chat.js')}</script>",
        show_error=False, quiet=True, i18n=i18n, theme=theme(),
        max_file_size=f"{int(settings.ingest.max_file_mb)}mb", footer_links=["api"],
    )
    return demo
