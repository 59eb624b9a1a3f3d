"""Driving the chat in Debian chromium through playwright: shared by the UI and generative-answer tests."""

from __future__ import annotations

from tests.conftest import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
MARKER = "#citechat-chat a.cc-marker"
ANSWER_TIMEOUT = 60_000


def start_server(settings, assistant):
    from assistant.ui import serve

    settings = settings.model_copy(update={"ui": settings.ui.model_copy(update={"port": free_port()})})
    demo = serve(settings, assistant=assistant, block=False)
    return demo, f"http://127.0.0.1:{settings.ui.port}/"


def ask(page, question: str) -> None:
    page.locator("#citechat-question textarea").fill(question)
    page.locator("#citechat-send").click()


def wait_answers(page, count: int, timeout: int = ANSWER_TIMEOUT) -> None:
    """Wait until the chat shows ``count`` finished answers (grounded or not)."""
    page.wait_for_function(
        f"document.querySelectorAll('#citechat-chat .cc-answer:not(.cc-streaming)').length >= {count}",
        timeout=timeout,
    )


def contrast(page, selector: str) -> float:
    """WCAG contrast ratio between an element's computed text colour and its (first opaque) background."""
    return page.evaluate(
        """(selector) => {
          const el = document.querySelector(selector);
          const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
          const lum = ([r, g, b]) => {
            const ch = [r, g, b].map((v) => {
              v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
            return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
          };
          let bg = null, node = el;
          while (node && node.nodeType === 1) {
            const c = parse(getComputedStyle(node).backgroundColor);
            if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) { bg = c; break; }
            node = node.parentElement;
          }
          bg = bg || [255, 255, 255];
          const fg = parse(getComputedStyle(el).color);
          const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
          return (a + 0.05) / (b + 0.05);
        }""",
        selector,
    )
