"""Lexical analysis in each document's own language."""

from __future__ import annotations

from store.lang import language
from store.lexical import analyse, analyser, spelling_key


def test_french_is_stemmed_as_french_and_plural_meets_singular():
    assert analyse("Quels cadeaux Kim a-t-il reçus ?", "fr") == ["cadeau", "kim", "recu"]
    assert set(analyse("Kim a reçu un cadeau.", "fr")) >= {"cadeau", "recu"}


def test_english_is_stemmed_as_english_with_english_stop_words():
    assert analyse("What gifts did the minister receive?", "en") == ["gift", "minist", "receiv"]
    assert analyse("gifts", "en") == analyse("gift", "en")
    # French stop words do not apply to English: "son" is a word here.
    assert "son" in analyse("His son", "en")


def test_transliterations_of_a_name_meet_but_ordinary_words_keep_their_spelling():
    assert analyse("Choïgou", "fr") == analyse("Choïgu", "fr") == analyse("Shoigu", "en")
    assert analyse("jour", "fr") != analyse("jure", "fr")  # no spelling key on ordinary words
    assert spelling_key("shoigu") == "choigu"


def test_title_case_and_lower_case_of_ordinary_words_mostly_agree():
    assert analyse("Mercredi", "fr") == analyse("mercredi", "fr")


def test_the_analysis_is_named_by_its_version_and_the_language_data_it_reads(monkeypatch):
    from store.lang import en

    before = analyser()
    assert before.startswith("1-") and analyser() == before
    analyser.cache_clear()
    language.cache_clear()
    monkeypatch.setattr(en, "STOP_WORDS", [*en.STOP_WORDS, "summer"])  # as an upgrade adding a stop word would
    try:
        assert analyser() != before
    finally:
        monkeypatch.undo()
        analyser.cache_clear()
        language.cache_clear()
    assert analyser() == before
