"""Driving the chat in Debian chromium through playwright: shared by the UI and generative-answer tests."""

from __future__ import annotations

from tests.conftest import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
CITE_LINK = 'a[href*="#citechat-cite-{n}"]'


def start_server(settings, assistant):
    from assistant.ui import serve

    settings = settings.model_copy(update={"ui": settings.ui.model_copy(update={"port": free_port()})})
    demo = serve(settings, assistant=assistant, block=False)
    return demo, f"http://127.0.0.1:{settings.ui.port}/"


def ask(page, question: str) -> None:
    page.locator("#citechat-question textarea").fill(question)
    page.locator("#citechat-send").click()
