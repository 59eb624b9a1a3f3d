"""The browser chat, driven in Debian chromium through playwright, and its /chat API."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.assistant.browser import CITE_LINK, ask, start_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chat_url(session_settings, assistant):
    demo, url = start_server(session_settings, assistant)
    yield url
    demo.close()


@pytest.fixture
def page(browser, chat_url):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(chat_url)
    yield page
    page.close()


def test_french_question_click_marker_highlights_the_span(page, tmp_path):
    ask(page, "Quels cadeaux Kim a-t-il reçus ?")
    marker = page.locator("#citechat-chat " + CITE_LINK.format(n=1)).first
    marker.wait_for(timeout=30_000)
    assert "drones explosifs" in page.locator("#citechat-chat").inner_text()
    page.get_by_text("Sources (1)").first.click()
    sources = page.locator("#citechat-chat").inner_text()
    assert "944–1266" in sources and "« Avant de quitter Vladivostok" in sources
    marker.click()
    mark = page.locator("#citechat-mark-1")
    page.wait_for_function("document.querySelector('#citechat-mark-1').classList.contains('active')")
    assert "cinq drones explosifs" in mark.inner_text()
    assert mark.is_visible() and mark.bounding_box()["y"] < 1000
    shot = tmp_path / "french-answer.png"
    page.screenshot(path=str(shot), animations="disabled")
    assert shot.stat().st_size > 10_000


def test_english_question_and_follow_up_show_the_standalone_query(page, tmp_path):
    ask(page, "Where did Putin and Kim meet?")
    page.locator("#citechat-chat " + CITE_LINK.format(n=1)).first.wait_for(timeout=30_000)
    assert "According to the article" in page.locator("#citechat-chat").inner_text()
    ask(page, "How far is it from Moscow?")
    # The first answer already quotes "8 000 kilomètres": wait for what only the follow-up's answer brings.
    page.locator("#citechat-query").get_by_text("Searched for").wait_for(timeout=30_000)
    assert "Putin Kim" in page.locator("#citechat-query").inner_text()
    assert "8 000 kilomètres (5 000 miles)" in page.locator("#citechat-chat .bot").last.inner_text()
    page.screenshot(path=str(tmp_path / "follow-up.png"), animations="disabled")


def test_unanswerable_question_shows_an_abstention_not_an_error(page):
    ask(page, "Quel temps fera-t-il demain à Paris ?")
    page.get_by_text("Pas dans l'article").first.wait_for(timeout=30_000)
    text = page.locator("#citechat-chat").inner_text()
    assert "L'article ne le précise pas." in text and "⚠️" not in text
    assert page.locator("#citechat-chat " + CITE_LINK.format(n=1)).count() == 0


def test_errors_appear_in_the_chat_and_the_server_keeps_serving(page):
    ask(page, "Qui\x07 est Kozlov ?")
    page.get_by_text("control characters").first.wait_for(timeout=30_000)
    ask(page, "Qui est Kozlov ?")
    page.get_by_text("Kozlov", exact=False).nth(2).wait_for(timeout=30_000)
    assert "Traceback" not in page.content()


def test_clear_button_empties_the_chat(page):
    ask(page, "Qui est Kozlov ?")
    page.locator("#citechat-chat " + CITE_LINK.format(n=1)).first.wait_for(timeout=30_000)
    page.locator("#citechat-clear").click()
    page.wait_for_function("!document.querySelector('#citechat-chat').innerText.includes('Kozlov')")


def test_injected_html_document_renders_inert(browser, tmp_path, settings_for, embeddings):
    from assistant import Assistant
    from ingest import ingest_documents, load_file
    from store import open_store

    hostile = tmp_path / "hostile.txt"
    hostile.write_text(
        "Le ministre a offert un cadeau <script>window.__pwned = 1</script> à Kim.\n\n"
        "Le cadeau était un drone <img src=x onerror=\"window.__pwned = 2\"> explosif.\n\n"
        "Voir [le site](javascript:window.__pwned=3) pour les détails du cadeau.",
        encoding="utf-8",
    )
    settings = settings_for(tmp_path / "chroma")
    store = open_store(settings.store, settings.embedding, embeddings=embeddings)
    ingest_documents(store, [load_file(hostile)], show_progress=False)
    demo, url = start_server(settings, Assistant(settings, store=store))
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        ask(page, "Quel cadeau le ministre a-t-il offert ?")
        page.locator("#citechat-chat " + CITE_LINK.format(n=1)).first.wait_for(timeout=30_000)
        page.locator("#citechat-chat " + CITE_LINK.format(n=1)).first.click()
        for link in page.locator("#citechat-chat a, #citechat-article-panel a").all():
            assert not (link.get_attribute("href") or "").lower().startswith("javascript")
        assert page.evaluate("window.__pwned") is None
        panel = page.locator("#citechat-article-panel").inner_text()
        assert "<script>window.__pwned = 1</script>" in panel
        assert '<img src=x onerror="window.__pwned = 2">' in panel
        assert page.locator("#citechat-article-panel img, #citechat-article-panel script").count() == 0
        page.screenshot(path=str(tmp_path / "hostile.png"), animations="disabled")
        page.close()
    finally:
        demo.close()


def test_gradio_client_chat_endpoint(chat_url):
    from gradio_client import Client

    result = Client(chat_url, verbose=False).predict(message="Qui est Kozlov ?", api_name="/chat")
    assert result["grounded"] is True and "Kozlov" in result["text"]
    citation = result["citations"][0]
    assert {"index", "text", "source", "start", "end", "score"} <= set(citation)


def test_twenty_concurrent_clients_get_correct_answers(chat_url):
    from gradio_client import Client

    questions = ["Quels cadeaux Kim a-t-il reçus ?", "How far is the cosmodrome from Moscow?"] * 10
    expected = ["drones explosifs", "8 000 kilomètres"] * 10

    def call(question: str) -> dict:
        return Client(chat_url, verbose=False).predict(message=question, api_name="/chat")

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(call, questions))
    assert all(r["grounded"] and e in r["text"] for r, e in zip(results, expected, strict=True))

