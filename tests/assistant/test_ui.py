"""The browser chat, driven in Debian chromium through playwright, and its API endpoints."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.assistant.browser import MARKER, ask, contrast, start_server, wait_answers

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(scope="module")
def chat(session_settings, assistant):
    demo, url = start_server(session_settings, assistant)
    yield url
    demo.close()


@pytest.fixture
def page(browser, chat):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    page = context.new_page()
    page.goto(chat)
    page.locator("#citechat-question textarea").wait_for()
    yield page
    context.close()


def active_sentence(page) -> dict:
    page.wait_for_selector("#citechat-article .cc-s.cc-active", timeout=20_000)
    return page.evaluate("""() => { const s = document.querySelector('#citechat-article .cc-s.cc-active');
        return {text: s.innerText, start: Number(s.dataset.start), turn: s.dataset.turn}; }""")


@pytest.fixture
def own_page(browser, fresh_settings, embeddings):
    """A desktop page on a server of its own, over a fresh store holding the bundled article (tests that write)."""
    from assistant import Assistant
    from ingest import ensure_bundled
    from store import open_store

    store = open_store(fresh_settings.store, fresh_settings.embedding, embeddings=embeddings)
    ensure_bundled(store)
    demo, url = start_server(fresh_settings, Assistant(fresh_settings, store=store))
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(url)
        yield page
    finally:
        context.close()
        demo.close()


def test_first_screen_says_what_is_loaded_and_examples_ask_at_once(browser, chat):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    page = context.new_page()
    page.goto(chat)
    header = page.locator("#citechat-header")
    header.get_by_text("Kim Jong Un quitte la Russie").wait_for(timeout=20_000)
    assert "citation exacte" in header.inner_text() and "anglais" in header.inner_text()
    assert page.locator("#citechat-send").inner_text().strip() == "Envoyer"  # the browser's language
    page.locator("#citechat-examples").get_by_text("Qui est Kozlov ?").click()
    try:
        wait_answers(page, 1)
    except Exception:
        page.screenshot(path="/tmp/first-screen-failure.png")
        raise
    assert "Kozlov" in page.locator("#citechat-chat .cc-answer").last.inner_text()
    context.close()


def test_each_marker_shows_its_own_answers_quote_even_after_later_answers(page):
    ask(page, "Quels cadeaux Kim a-t-il reçus ?")
    wait_answers(page, 1)
    ask(page, "How far is the cosmodrome from Moscow?")
    wait_answers(page, 2)
    first = page.locator('#citechat-chat .cc-answer.cc-turn-1 a.cc-marker').first
    second = page.locator('#citechat-chat .cc-answer.cc-turn-2 a.cc-marker').first
    second.click()
    assert "8 000 kilomètres" in active_sentence(page)["text"]
    first.click()
    shown = active_sentence(page)
    assert "cinq drones explosifs" in shown["text"] and shown["turn"] == "1"
    assert shown["start"] == int(first.get_attribute("href").split("/")[4])
    label = first.get_attribute("aria-label")
    assert label.startswith("source 1: Kim Jong Un quitte la Russie") and "characters" in label
    box = first.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24
    page.screenshot(path=str(SHOTS / "screenshot.png"), animations="disabled")


def test_sources_block_lists_each_quote_with_title_and_location(page):
    ask(page, "Qui est Kozlov ?")
    wait_answers(page, 1)
    page.locator("#citechat-chat").get_by_text("Sources (").first.click()
    sources = page.locator("#citechat-chat .cc-sources").first
    sources.wait_for()
    text = sources.inner_text()
    assert "Kim Jong Un quitte la Russie" in text and "Kozlov" in text and "–" in text


def test_dark_and_light_highlights_are_readable(browser, chat, tmp_path):
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, color_scheme=scheme)
        page = context.new_page()
        page.goto(chat)
        ask(page, "Quels cadeaux Kim a-t-il reçus ?")
        wait_answers(page, 1)
        page.locator(MARKER).first.click()
        active_sentence(page)
        assert contrast(page, "#citechat-article .cc-s.cc-active") >= 4.5, scheme
        assert contrast(page, MARKER) >= 4.5, scheme
        assert contrast(page, "#citechat-send") >= 4.5, scheme
        ask(page, "What is the name of Kim's wife?")  # an answer marked "maybe not in the article"
        wait_answers(page, 2)
        assert contrast(page, "#citechat-chat .cc-unsure") >= 4.5, scheme
        # The picker's hint is Gradio's info text (its own subdued grey is about 2.5:1 on white).
        page.locator("#citechat-picker").get_by_text("every document").evaluate("el => el.id = 'cc-picker-info'")
        assert contrast(page, "#cc-picker-info") >= 4.5, scheme
        page.screenshot(path=str(SHOTS / f"screenshot-{scheme}.png"), animations="disabled")
        context.close()


def test_typing_while_an_answer_streams_is_never_lost_and_double_clicks_ask_once(page):
    box = page.locator("#citechat-question textarea")
    box.fill("Quels cadeaux Kim a-t-il reçus ?")
    page.locator("#citechat-send").dblclick()
    box.type("Qui est Kozlov")  # typed while the first answer is on its way
    wait_answers(page, 1)
    page.wait_for_timeout(1500)
    assert box.input_value() == "Qui est Kozlov"  # not erased when the answer finished
    assert page.locator("#citechat-chat .cc-answer:not(.cc-streaming)").count() == 1  # the double click asked once
    assert page.locator("#citechat-chat .cc-question").count() == 1


def test_the_conversation_survives_a_reload_exports_and_clears(page, tmp_path):
    ask(page, "Qui est Kozlov ?")
    wait_answers(page, 1)
    # The article does not name Kim's wife; the question is on topic, so the closest passage is given, said to be
    # maybe not an answer (its calibrated score is under a half).
    ask(page, "What is the name of Kim's wife?")
    wait_answers(page, 2)
    page.reload()
    wait_answers(page, 2, timeout=20_000)
    assert "Kozlov" in page.locator("#citechat-chat").inner_text()
    unsure = page.locator("#citechat-chat .cc-answer .cc-unsure")
    assert unsure.count() == 1 and unsure.inner_text() == "Maybe not in the article — closest passage:"
    assert page.locator("#citechat-chat .cc-answer").nth(1).locator(".cc-unsure").count() == 1
    # The English question's quote is French; under the head, "According to the article:" would contradict it.
    assert not page.locator("#citechat-chat .cc-answer").nth(1).locator(".cc-text").inner_text().startswith(
        "According to the article")
    export = page.locator("#citechat-export")
    export.wait_for()
    with page.expect_download() as download:
        export.click()
    markdown = Path(download.value.path()).read_text(encoding="utf-8")
    assert "## 1. Qui est Kozlov ?" in markdown and "characters" in markdown and "> " in markdown
    second = markdown.split("## 2. ")[1]
    assert markdown.count("*Maybe not in the article") == 1 and "*Maybe not in the article" in second
    assert "According to the article" not in second
    page.locator("#citechat-clear").click()
    page.wait_for_function("!document.querySelector('#citechat-chat').innerText.includes('Kozlov')")
    page.reload()
    page.wait_for_timeout(2000)
    assert "Kozlov" not in page.locator("#citechat-chat").inner_text()


def test_copy_gives_the_plain_answer_text(browser, chat):
    context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                  permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(chat)
    ask(page, "How far is the cosmodrome from Moscow?")
    wait_answers(page, 1)
    page.locator("#citechat-chat .cc-copy").last.click()
    page.wait_for_function("window.__citechatCopied !== undefined")
    copied = page.evaluate("window.__citechatCopied")
    assert copied.startswith("According to the article: ") and "8 000 kilomètres (5 000 miles)" in copied
    assert "\\" not in copied and "[1]" in copied and "Copy" not in copied
    context.close()


def test_phone_marker_opens_the_quote_next_to_the_answer(browser, chat):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(chat)
    ask(page, "Qui est Kozlov ?")
    wait_answers(page, 1)
    marker = page.locator(MARKER).first
    marker.click()
    popover = page.locator("#citechat-chat .cc-popover")
    popover.wait_for()
    assert "Kozlov" in popover.inner_text()
    box = popover.bounding_box()
    assert 0 <= box["y"] < 844 and box["x"] >= 0  # in view, beside the answer: no jump to the article
    page.screenshot(path=str(SHOTS / "screenshot-phone.png"), animations="disabled")
    context.close()


def test_keyboard_only_path_reaches_the_markers_with_a_visible_focus(page):
    box = page.locator("#citechat-question textarea")
    box.focus()
    page.keyboard.type("Qui est Kozlov ?")
    page.keyboard.press("Enter")
    wait_answers(page, 1)
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('cc-marker')"):
            break
    assert page.evaluate("document.activeElement.classList.contains('cc-marker')")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert "Kozlov" in active_sentence(page)["text"]


def test_an_off_topic_question_shows_no_closest_passage_and_errors_are_in_the_users_language(browser, chat):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    page = context.new_page()
    page.goto(chat)
    ask(page, "Quel temps fera-t-il demain à Paris ?")
    wait_answers(page, 1)
    text = page.locator("#citechat-chat").inner_text()
    assert "L'article ne le précise pas." in text and "Passage lié" not in text
    page.locator("#citechat-send").click()  # an empty question
    page.get_by_text("La question est vide").wait_for(timeout=10_000)
    context.close()


def test_upload_an_article_pick_it_and_ask_about_it(own_page, tmp_path):
    page = own_page
    article = tmp_path / "soyouz.txt"
    article.write_text("La fusée Soyouz\n\nLa fusée Soyouz a décollé de Baïkonour avec trois astronautes "
                       "à bord. Elle a rejoint la station spatiale six heures plus tard.", encoding="utf-8")
    hostile = tmp_path / "hostile.html"
    hostile.write_text("<html><body><p>Le ministre a offert un cadeau <img src=x onerror=\"window.__pwned=1\">"
                       " &lt;script&gt;window.__pwned=2&lt;/script&gt; à Kim.</p></body></html>", encoding="utf-8")
    page.locator("#citechat-library-box").get_by_text("Library").click()
    page.locator("#citechat-upload input[type=file]").set_input_files([str(article), str(hostile)])
    page.locator("#citechat-status").get_by_text("added").first.wait_for(timeout=120_000)
    # One status line per file, in words a reader would write: "1 sentence", not "1 sentences".
    page.locator("#citechat-status").get_by_text("added (1 sentence)").wait_for(timeout=120_000)
    assert "added (2 sentences)" in page.locator("#citechat-status").inner_text()
    page.locator("#citechat-picker input").click()
    page.get_by_role("option", name="La fusée Soyouz").click()
    page.keyboard.press("Escape")
    ask(page, "Combien d'astronautes étaient à bord ?")
    wait_answers(page, 1)
    answer = page.locator("#citechat-chat .cc-answer").last.inner_text()
    assert "trois astronautes" in answer
    page.locator(MARKER).first.click()
    assert "Baïkonour" in active_sentence(page)["text"]
    ask(page, "Quel cadeau le ministre a-t-il offert ?")
    wait_answers(page, 2)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#citechat-chat img, #citechat-article img, #citechat-chat script").count() == 0
    # The examples for one's own article are generic, in its language; the first asks what it is about and gets
    # its lead (it abstained: the question names nothing to search for).
    page.locator("#citechat-examples").get_by_text("De quoi parle l'article ?").click()
    wait_answers(page, 3)
    lead = page.locator("#citechat-chat .cc-answer").last.inner_text()
    assert "La fusée Soyouz a décollé" in lead and "six heures plus tard" in lead and "Peut-être" not in lead


def test_chat_endpoint_answers_and_raises_for_bad_input(chat):
    from gradio_client import Client

    client = Client(chat, verbose=False)
    result = client.predict(message="Qui est Kozlov ?", api_name="/chat")
    assert result["grounded"] is True and "Kozlov" in result["text"]
    citation = result["citations"][0]
    assert {"index", "text", "source", "start", "end", "score", "doc_id"} <= set(citation)
    with pytest.raises(Exception, match="empty"):
        client.predict(message="   ", api_name="/chat")
    sources = client.predict(api_name="/sources")
    assert [s["source"] for s in sources] == ["kim-russie-afp.txt"]


def test_twenty_concurrent_clients_get_correct_answers(chat):
    from gradio_client import Client

    questions = ["Quels cadeaux Kim a-t-il reçus ?", "How far is the cosmodrome from Moscow?"] * 10
    expected = ["drones explosifs", "8 000 kilomètres"] * 10

    def call(question: str) -> dict:
        return Client(chat, verbose=False).predict(message=question, api_name="/chat")

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(call, questions))
    assert all(r["grounded"] and e in r["text"] for r, e in zip(results, expected, strict=True))


def test_a_document_ingested_from_the_command_line_appears_without_a_restart(own_page, tmp_path, fresh_settings):
    import subprocess

    from tests.conftest import CITECHAT, cli_env

    page = own_page
    page.locator("#citechat-header").get_by_text("Kim Jong Un quitte la Russie").wait_for(timeout=20_000)
    article = tmp_path / "zeppelin.txt"
    article.write_text("Le Hindenburg\n\nLe zeppelin Hindenburg a brûlé à Lakehurst en mai 1937.", encoding="utf-8")
    done = subprocess.run([str(CITECHAT), "ingest", str(article)], env=cli_env(fresh_settings),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    page.locator("#citechat-header").get_by_text("2 documents").wait_for(timeout=15_000)
    page.locator("#citechat-library-box").get_by_text("Library").click()
    assert "Le Hindenburg" in page.locator("#citechat-library").inner_text()
    ask(page, "Où le zeppelin Hindenburg a-t-il brûlé ?")
    wait_answers(page, 1)
    assert "Lakehurst" in page.locator("#citechat-chat .cc-answer").last.inner_text()
