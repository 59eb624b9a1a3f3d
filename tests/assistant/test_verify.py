"""Verification of generated answers: hand-made supported / unsupported cases, including cross-lingual."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.verify import (
    complete_sentences,
    echoes_question,
    misses_name,
    negated,
    polarity_agrees,
    renumber,
    says_unknown,
    split_answer,
    term_support,
    verify_sentences,
)
from store.lexical import analyse

GIFTS = (
    "Avant de quitter Vladivostok, la ville russe d'Extrême-Orient située juste de l'autre côté de la frontière "
    "avec la Corée du Nord, Kim a reçu cinq drones explosifs, un drone de reconnaissance et un gilet pare-balles "
    "en guise de cadeaux du gouverneur de la région de Primorye, frontalière de la Chine et de la Corée du Nord."
)
COSMODROME = (
    "Mercredi, Poutine et Kim se sont entretenus au nouveau cosmodrome russe Vostochny, à environ 8 000 "
    "kilomètres (5 000 miles) de Moscou."
)
KREMLIN = "Le Kremlin a déclaré qu'aucun accord n'avait été signé ni ne serait signé."
PASSAGES = [GIFTS, COSMODROME, KREMLIN]


@pytest.fixture(scope="module")
def similarity(embeddings):
    vectors = dict(zip(PASSAGES, np.array(embeddings.embed_documents(PASSAGES)), strict=True))

    def cosine(sentence: str, passage: str) -> float:
        return float(np.array(embeddings.embed_documents([sentence])[0]) @ vectors[passage])

    return cosine


def test_split_keeps_markers_with_their_sentence():
    assert split_answer("Kim a reçu des drones [1]. Poutine l'a rencontré [2] [3].") == [
        "Kim a reçu des drones [1].", "Poutine l'a rencontré [2] [3]."]
    assert split_answer("Kim received drones. [1] It was far. [2]") == ["Kim received drones. [1]", "It was far. [2]"]


def test_supported_french_citation_is_kept(similarity):
    verified = verify_sentences(["Kim a reçu cinq drones explosifs [1]."], PASSAGES, similarity)
    assert verified[0].supported_by == (1,) and verified[0].dropped_markers == ()


def test_cross_lingual_citation_is_kept(similarity):
    claim = "Kim received five explosive drones and a bulletproof vest [1]."
    verified = verify_sentences([claim], PASSAGES, similarity)
    assert verified[0].supported_by == (1,)


def test_wrong_marker_is_removed_and_the_right_passage_found(similarity):
    verified = verify_sentences(["The cosmodrome is about 8,000 kilometres from Moscow [1]."], PASSAGES, similarity)
    assert verified[0].dropped_markers == (1,)
    assert verified[0].supported_by == (2,)


def test_unsupported_claim_is_dropped(similarity):
    sentences = ["Kim a reçu cinq drones explosifs [1].", "Kim a signé un traité de paix avec le Japon [3]."]
    verified = verify_sentences(sentences, PASSAGES, similarity)
    assert verified[1].supported_by == ()
    text, order = renumber(verified)
    assert text == "Kim a reçu cinq drones explosifs. [1]" and order == [1]


def test_markers_are_renumbered_by_first_use(similarity):
    sentences = ["Le Kremlin a déclaré qu'aucun accord n'avait été signé [3].", "Kim a reçu cinq drones [1]."]
    text, order = renumber(verify_sentences(sentences, PASSAGES, similarity))
    assert order == [3, 1]
    assert text == "Le Kremlin a déclaré qu'aucun accord n'avait été signé. [1] Kim a reçu cinq drones. [2]"


def test_out_of_range_marker_is_never_shown(similarity):
    verified = verify_sentences(["Kim a reçu cinq drones explosifs [7]."], PASSAGES, similarity)
    assert verified[0].dropped_markers == (7,) and verified[0].supported_by == (1,)


def test_unknown_answers_and_term_support():
    assert says_unknown("L'article ne le précise pas.") and says_unknown("The article does not say.")
    assert not says_unknown("Kim received drones [1].")
    assert term_support("Kim a reçu des drones", GIFTS) == 1.0
    assert term_support("Kim a visité Tokyo", GIFTS) < 0.5


def test_invented_numbers_are_unsupported(similarity):
    verified = verify_sentences(["The cosmodrome is 12,000 kilometres from Moscow [2]."], PASSAGES, similarity)
    assert verified[0].supported_by == ()


def test_digits_match_number_words(similarity):
    assert verify_sentences(["Kim a reçu 5 drones explosifs [1]."], PASSAGES, similarity)[0].supported_by == (1,)


def test_a_restated_question_is_not_a_claim(similarity):
    question = "What did the two sides discuss about grain and flights?"
    assert echoes_question("The two sides discussed about grain and flights.", question)
    aircraft = "What aircraft did Kim and Shoigu inspect at the airfield?"
    assert echoes_question("Kim and Shoigu inspected several aircraft at the airfield.", aircraft)
    assert not echoes_question("They discussed grain supplies and regular flights resuming.", question)
    assert not echoes_question("Kozlov.", "Qui a résumé la visite ?")
    minister = "Quel ministre russe a rencontré Kim à Vladivostok ?"
    assert echoes_question("Kim Jong Un", minister)  # the question's own subject, named in full
    assert not echoes_question("Sergueï Choïgu", minister)
    assert not echoes_question("Kim Jong Un a rencontré Sergueï Choïgu.", minister)
    assert not echoes_question("Il y en avait 5.", "Combien de drones y avait-il ?")  # a number is an answer
    restated = ["The two sides discussed about grain and flights [1]."]
    verified = verify_sentences(restated, PASSAGES, similarity, question)
    assert verified[0].supported_by == () and renumber(verified)[0] == ""


def test_a_claim_that_flips_the_quotes_negation_is_unsupported(similarity):
    flipped = verify_sentences(["The Kremlin signed an agreement [3]."], PASSAGES, similarity)
    assert flipped[0].supported_by == ()
    faithful_claim = ["The Kremlin said that no agreement had been or would be signed [3]."]
    faithful = verify_sentences(faithful_claim, PASSAGES, similarity)
    assert faithful[0].supported_by == (3,)
    clauses = (
        "Il n'a fait mention d'aucun accord militaire, mais a déclaré que les deux parties avaient discuté de céréales."
    )
    assert polarity_agrees("Les deux parties ont discuté de céréales.", clauses)  # the affirmative clause
    assert not polarity_agrees("Il a fait mention d'un accord militaire.", clauses)  # the negated one


def test_questions_and_claims_naming_absent_people_are_not_shown(similarity):
    asked = verify_sentences(["Kim a-t-il reçu des drones [1] ?"], PASSAGES, similarity)
    assert asked[0].supported_by == ()

    kozlov = '"Kim Jong Un était très intéressé", a déclaré Kozlov.'
    known = {t for p in (*PASSAGES, kozlov) for t in analyse(p, "fr")}  # Kozlov is a name the article knows

    def names_missing(claim: str, number: int) -> bool:
        return misses_name(claim, set(analyse(PASSAGES[number - 1], "fr")), known, "fr")

    claim = ["Kozlov a reçu cinq drones explosifs [1]."]
    assert verify_sentences(claim, PASSAGES, similarity)[0].supported_by == (1,)  # the words alone would pass
    assert verify_sentences(claim, PASSAGES, similarity, names_missing=names_missing)[0].supported_by == ()
    kim = ["Kim a reçu cinq drones explosifs [1]."]
    assert verify_sentences(kim, PASSAGES, similarity, names_missing=names_missing)[0].supported_by == (1,)


def test_negation_reading():
    assert negated("Kim n'a jamais signé") and negated("Kim didn't sign") and negated("aucun accord")
    assert not negated("avant que la marche « Adieu à Slavianka » ne soit jouée")  # expletive "ne"
    assert not negated("une plus grande coopération")
    quote = (
        "Il n'a fait mention d'aucun accord concernant des questions militaires, mais a déclaré que les deux "
        "parties avaient discuté de céréales."
    )
    assert polarity_agrees(quote, quote)  # a copy agrees clause by clause


def test_streamed_text_is_cut_into_finished_sentences():
    assert complete_sentences("Kim a reçu des drones.") == ([], "Kim a reçu des drones.")
    assert complete_sentences("Kim a reçu des drones. [1") == ([], "Kim a reçu des drones. [1")  # marker pending
    assert complete_sentences("Kim a reçu des drones. [1] Il a") == (["Kim a reçu des drones. [1]"], " Il a")
    assert complete_sentences("A [1]. B [2]. C") == (["A [1].", "B [2]."], " C")
