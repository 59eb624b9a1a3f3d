"""Lexical analysis in each document's own language."""

from __future__ import annotations

from store.lang import language
from store.lexical import (
    analyse,
    analyser,
    is_quotation,
    opens_on_quotation,
    quotes_on,
    spelling_key,
    unasked,
    unopened,
)


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


def test_an_opening_word_that_is_no_name_is_read_as_the_word_it_is():
    # Capitalised only because it comes first: language data (OPENERS), function words and the verbs of a request.
    assert unopened("Contre qui Kim s'est-il battu ?", language("fr")) == "contre qui Kim s'est-il battu ?"
    assert unopened("Jusqu'à quand ?", language("fr")) == "jusqu'à quand ?"
    assert unopened("« Parmi eux, qui a gagné ? »", language("fr")) == "« parmi eux, qui a gagné ? »"
    assert unopened("Tell me who runs the tea room.", language("en")) == "tell me who runs the tea room."
    # A name, or an opener later in the question, keeps its capital.
    assert unopened("Newton a-t-il écrit Contre Sainte-Beuve ?", language("fr")) == (
        "Newton a-t-il écrit Contre Sainte-Beuve ?")
    assert unopened("Tell me who runs the tea room.", language("fr")) == "Tell me who runs the tea room."


def test_the_words_that_only_ask_are_no_query_terms():
    # "How much will the upgrade cost?" is answered by "…part of a £12 million upgrade": no answer says "much".
    assert analyse(unasked("How much will the upgrade cost?", language("en")), "en") == ["will", "upgrad", "cost"]
    assert analyse(unasked("How many homes lost power?", language("en")), "en") == ["home", "lost", "power"]
    assert "much" in analyse("Much of the city flooded.", "en")  # documents keep the word
    assert unasked("Combien de brebis ?", language("fr")) == "Combien de brebis"  # "combien" is a stop word


def test_quoted_speech_going_on_from_the_sentence_before_is_told_by_its_quotation_marks():
    assert is_quotation('"Our engineers worked through the night."') and is_quotation("« Je ne sais pas. »")
    assert not is_quotation('"We are sorry," said Gareth Lewis.')
    assert quotes_on("C'est la troisième attaque », a déclaré l'éleveur.")  # the end of a quotation opened before
    assert quotes_on('I have a fridge full of insulin," she said.')
    assert quotes_on("\u201cWe will pay.\u201d")
    assert not quotes_on('"We are sorry," said Gareth Lewis.')  # opens and closes its own
    assert not quotes_on('The so-called "green belt" was sold.')
    assert not quotes_on("Schools closed.")
    # The start of a quotation that runs on into the next sentence (its speaker is given at its end).
    assert quotes_on("« J'ai d'abord cru à une copie.") and quotes_on('"Nobody could tell us anything.')
    assert opens_on_quotation("« J'ai d'abord cru à une copie.") and not opens_on_quotation("« Oui », dit-il.")
    assert not opens_on_quotation('He said "no.') and not opens_on_quotation('"Yes," he said.')


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
