"""Sentence and chunk splitting: exact offsets always, French news conventions."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.split import MAX_SENTENCE_CHARS, heading_title, split_chunks, split_sentences

FRENCH_PIECES = [*"abcé ÉA.!?«»\"'\n\u00a0-0123", "M. ", " » ", ". ", "\n\n", "- T -", "8 000"]
FRENCH_TEXT = st.lists(st.sampled_from(FRENCH_PIECES), max_size=150).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), FRENCH_TEXT))
def test_every_chunk_and_sentence_is_an_exact_slice(document):
    for chunk in split_chunks(document, max_chars=80):
        assert document[chunk.start : chunk.end] == chunk.text
        assert chunk.text.strip() == chunk.text and chunk.text
        for sentence in chunk.sentences:
            assert document[sentence.start : sentence.end] == sentence.text
            assert chunk.start <= sentence.start < sentence.end <= chunk.end
            assert 0 <= sentence.context_start <= sentence.start
            assert sentence.end - sentence.context_start <= MAX_SENTENCE_CHARS


def test_article_sentences_and_sections(bundled_text):
    chunks = list(split_chunks(bundled_text))
    assert len(chunks) == 24
    sentences = split_sentences(bundled_text)
    assert len(sentences) == 25
    assert any(s.text.startswith("Les deux pays ont également discuté") for s in sentences)
    assert {c.section for c in chunks} == {"", "Toasts à la vodka", "Une plus grande coopération ?"}
    assert not any("Toasts à la vodka -" in c.text for c in chunks)
    caption = next(c for c in chunks if c.text.startswith("Carte des lignes"))
    assert caption.section == "Une plus grande coopération ?"


def test_a_sentence_carrying_on_the_one_before_is_embedded_with_it(bundled_text):
    sentences = split_sentences(bundled_text)
    by_start = {s.text[:20]: s for s in sentences}
    met, two_men = by_start["Samedi, Kim a rencon"], by_start["Les deux hommes ont "]
    assert two_men.context_start == met.start  # across the paragraph break: "les deux hommes" are named before
    assert bundled_text[two_men.context_start : two_men.end].endswith(two_men.text)
    assert met.context_start == met.start
    leaning = [s.text[:20] for s in sentences if s.context_start != s.start]
    assert leaning == ["Il a également visit", "Il n'a fait mention ", "Les deux pays ont ég", "Les deux hommes ont "]
    too_long_to_pair = "Kim a vu des avions. Il a vu " + "des avions et " * 70 + "fin."
    assert [s.context_start == s.start for s in split_sentences(too_long_to_pair)] == [True, True]


def test_french_punctuation_numbers_and_abbreviations():
    text = (
        "M. Poutine a dit « non. » Puis il est parti. Le 3 sept. 2023, J. Biden était à 8 000 kilomètres. "
        '"Kim était très intéressé", a déclaré Kozlov. Vraiment ? Oui !'
    )
    assert [s.text for s in split_sentences(text)] == [
        "M. Poutine a dit « non. »",
        "Puis il est parti.",
        "Le 3 sept. 2023, J. Biden était à 8 000 kilomètres.",
        '"Kim était très intéressé", a déclaré Kozlov.',
        "Vraiment ?",
        "Oui !",
    ]


def test_headings():
    assert heading_title("- Toasts à la vodka -") == "Toasts à la vodka"
    assert heading_title("- Une plus grande coopération ?\u00a0-") == "Une plus grande coopération ?"
    assert heading_title("## Contexte") == "Contexte"
    assert heading_title("Moscou (AFP) - Le dirigeant a quitté la Russie.") is None


def test_long_sentences_are_cut_to_fit_the_model():
    text = "mot " * 2000
    assert all(len(s.text) <= 1000 for s in split_sentences(text))
