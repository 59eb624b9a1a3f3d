"""Generative answers with the real 0.5B GGUF model: in-process (llamacpp) and over HTTP (openai backend)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from assistant import Answer, Assistant
from assistant.cli import main
from assistant.errors import LLMUnavailable
from store.lang import detect, supported
from tests.assistant.browser import MARKER, ask, start_server, wait_answers
from tests.conftest import cli_env, free_port, wait_for_port
from tests.llm_model import fetch

pytestmark = pytest.mark.llm


@pytest.fixture(scope="session")
def model_path():
    return fetch()


def llm_settings(base, **llm):
    return base.model_copy(update={"llm": base.llm.model_copy(update=llm)})


@pytest.fixture(scope="module")
def local_llm(session_settings, seeded_store, model_path):
    return Assistant(llm_settings(session_settings, provider="llamacpp", model_path=model_path), store=seeded_store)


def assert_verified(answer: Answer, text: str) -> None:
    for number, citation in enumerate(answer.citations, start=1):
        assert citation.index == number and f"[{number}]" in answer.text
        assert text[citation.start : citation.end] == citation.text
    assert f"[{len(answer.citations) + 1}]" not in answer.text


def test_french_answer_streams_and_cites_verified_quotes(local_llm, bundled_text):
    response = local_llm.stream("Combien de drones explosifs Kim a-t-il reçus ?")
    pieces = list(response)
    final = response.answer()
    assert isinstance(final, Answer) and all(isinstance(p, str) for p in pieces) and pieces
    assert final.grounded and final.citations
    # Only verified sentences are streamed: what the reader saw while waiting is the final answer.
    assert "".join(pieces) == final.text
    assert "drones" in final.citations[0].text
    assert_verified(final, bundled_text)


def test_english_question_gets_an_english_answer(local_llm, bundled_text):
    answer = local_llm.answer("How far is the cosmodrome from Moscow?")
    assert answer.grounded and answer.language == "en"
    assert detect(answer.text, among=supported()) == "en"
    assert "8" in answer.text
    assert_verified(answer, bundled_text)


def test_unanswerable_question_abstains_without_citations(local_llm):
    answer = local_llm.answer("Quel temps fera-t-il demain à Paris ?")
    assert not answer.grounded and answer.citations == () and answer.text == "L'article ne le précise pas."


def test_follow_up_is_rewritten_into_a_question(local_llm):
    answer = local_llm.answer("Qu'a-t-il dit ?", history=[("Qui est Kozlov ?", "Le ministre des Ressources.")])
    assert answer.retrieval_query != "Qu'a-t-il dit ?"
    assert "Kozlov" in answer.retrieval_query or "il" not in answer.retrieval_query.split()


def test_a_distance_question_is_answered_with_the_distance_or_not_at_all(local_llm, bundled_text):
    # With the passages' scores alone, the 0.5B model quoted "Moscou (AFP) - ..." for this follow-up.
    answer = local_llm.answer("How far is it from Moscow?", history=[("Where did Putin and Kim meet?", "Vostochny.")])
    if answer.grounded:
        assert any("8 000 kilomètres" in c.text for c in answer.citations)
        assert_verified(answer, bundled_text)
    else:
        assert answer.citations == () and answer.text == "The article does not say."


def test_a_question_about_the_article_gives_the_model_its_lead(local_llm, bundled_text):
    # The model reads the lead, not the sentences nearest a question that names nothing: only they are cited.
    lead = bundled_text.split("\n\n")[:2]
    # Measured: "The article is about Kim Jong Un's visit to Russia after a rare Russian visit of six days. [1]"
    answer = local_llm.answer("What is the article about?")
    assert answer.grounded and answer.score is None and not answer.unsure
    assert answer.citations and all(c.text in lead for c in answer.citations)
    assert_verified(answer, bundled_text)


@pytest.fixture(scope="module")
def llama_server(model_path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model_path), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "2048", "--model_alias", "qwen-test"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ},
    )
    wait_for_port(port, process, seconds=120, what="llama_cpp.server")
    yield f"http://127.0.0.1:{port}/v1"
    process.terminate()
    process.wait(timeout=30)


def test_openai_backend_against_llama_cpp_server(llama_server, session_settings, seeded_store, bundled_text):
    settings = llm_settings(session_settings, provider="openai", base_url=llama_server, model="qwen-test")
    answer = Assistant(settings, store=seeded_store).answer("Quels cadeaux Kim a-t-il reçus ?")
    assert answer.grounded and answer.citations
    assert_verified(answer, bundled_text)


def test_unreachable_server_is_a_clear_error_and_extractive_still_works(session_settings, seeded_store):
    settings = llm_settings(session_settings, provider="openai", base_url="http://127.0.0.1:9/v1", model="x")
    with pytest.raises(LLMUnavailable, match=r"http://127\.0\.0\.1:9/v1"):
        Assistant(settings, store=seeded_store).answer("Quels cadeaux Kim a-t-il reçus ?")
    env = cli_env(session_settings, CITECHAT_LLM__PROVIDER="openai", CITECHAT_LLM__BASE_URL="http://127.0.0.1:9/v1")
    failed = CliRunner().invoke(main, ["ask", "Quels cadeaux Kim a-t-il reçus ?"], env=env)
    assert failed.exit_code == 1 and "http://127.0.0.1:9/v1" in failed.output and "--llm none" in failed.output
    fallback = CliRunner().invoke(main, ["--llm", "none", "ask", "Quels cadeaux Kim a-t-il reçus ?"], env=env)
    assert fallback.exit_code == 0 and "[1]" in fallback.output


def test_unreachable_ollama_server_names_its_url(session_settings, seeded_store):
    settings = llm_settings(session_settings, provider="ollama", base_url="http://127.0.0.1:9", model="qwen")
    with pytest.raises(LLMUnavailable, match=r"ollama model at http://127\.0\.0\.1:9 failed"):
        Assistant(settings, store=seeded_store).answer("Quels cadeaux Kim a-t-il reçus ?")


@pytest.mark.parametrize(
    ("provider", "module"), [("llamacpp", "llama_cpp"), ("openai", "langchain_openai"), ("ollama", "langchain_ollama")]
)
def test_missing_extra_names_the_extra_to_install(monkeypatch, session_settings, seeded_store, provider, module):
    monkeypatch.setitem(sys.modules, module, None)  # how Python reports a package that is not installed
    settings = llm_settings(session_settings, provider=provider, base_url="http://127.0.0.1:9", model="m")
    with pytest.raises(LLMUnavailable, match=r"pip install 'citechat\[llm\]' \(" + module + r" is missing\)"):
        Assistant(settings, store=seeded_store).answer("Quels cadeaux Kim a-t-il reçus ?")


def test_missing_model_file_names_the_setting(session_settings, seeded_store, tmp_path):
    settings = llm_settings(session_settings, provider="llamacpp", model_path=tmp_path / "none.gguf")
    with pytest.raises(LLMUnavailable, match="CITECHAT_LLM__MODEL_PATH"):
        Assistant(settings, store=seeded_store).answer("Qui est Kozlov ?")


@pytest.mark.browser
def test_browser_chat_streams_a_verified_generated_answer(browser, session_settings, local_llm, bundled_text):
    demo, url = start_server(session_settings, local_llm)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(url)
        ask(page, "Combien de drones explosifs Kim a-t-il reçus ?")
        wait_answers(page, 1, timeout=120_000)
        marker = page.locator(MARKER).first
        expected = local_llm.answer("Combien de drones explosifs Kim a-t-il reçus ?")  # temperature 0: same draft
        assert expected.grounded and "drones" in expected.citations[0].text
        page.get_by_text(f"Sources ({len(expected.citations)})").first.click()
        shown = page.locator("#citechat-chat").inner_text()
        first = expected.citations[0]
        assert f"{first.start}–{first.end}" in shown and bundled_text[first.start : first.end] == first.text
        marker.click()
        page.wait_for_selector("#citechat-article .cc-s.cc-active", timeout=20_000)
        assert "drones" in page.locator("#citechat-article .cc-s.cc-active").inner_text()
    finally:
        page.close()
        demo.close()


def test_the_langchain_retriever_returns_verbatim_passages_best_first(seeded_store, bundled_text):
    from assistant.llm import HybridRetriever

    documents = HybridRetriever(store=seeded_store, k=3).invoke("Quels cadeaux Kim a-t-il reçus ?")
    assert 0 < len(documents) <= 3
    assert "drones explosifs" in documents[0].page_content
    cosines = [d.metadata["dense"] for d in documents]
    assert cosines == sorted(cosines, reverse=True)
    for document in documents:  # every passage is the article's text at its offsets
        assert bundled_text[document.metadata["start"]:document.metadata["end"]] == document.page_content
