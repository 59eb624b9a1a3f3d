"""Language data and detection: one module per language, documents in any language, questions among ours."""

from __future__ import annotations

import pytest

from store.lang import dateline, detect, language, strings, supported
from store.lexical import carries_on


def test_documents_are_detected_in_any_language():
    assert detect("Le dirigeant nord-coréen a quitté la Russie dimanche après une visite de six jours.") == "fr"
    assert detect("The Normans were the people who gave their name to Normandy, a region in France.") == "en"
    assert detect("Der Hund bellt laut im Garten, und die Katze schläft auf dem Sofa.") == "de"


@pytest.mark.parametrize(
    ("question", "expected"),
    [("Qui est Kozlov ?", "fr"), ("Who is Kozlov?", "en"), ("Combien de drones ?", "fr"), ("How far is it?", "en")],
)
def test_short_questions_are_told_apart_among_supported_languages(question, expected):
    assert detect(question, among=supported()) == expected


@pytest.mark.parametrize(
    ("code", "question", "kind"),
    [
        ("fr", "Combien de drones Kim a-t-il reçus ?", "number"),
        ("fr", "Quel âge a Kim Jong Un ?", "age"),
        ("fr", "Combien a coûté le train ?", "money"),
        # A pay, a fee or a fine is an amount of money, as a price is.
        ("fr", "Quel est le salaire d'un contrôleur aérien ?", "money"),
        ("fr", "Quelle a été l'amende ?", "money"),
        ("en", "What is the salary of an air traffic controller?", "money"),
        ("en", "What were the fines?", "money"),
        ("en", "What is the finest hotel in town?", None),
        ("en", "How long did the visit last?", "duration"),
        ("en", "How long is the river?", "number"),
        ("fr", "Quand doivent-ils se revoir ?", "date"),
        ("fr", "Depuis quand la piscine est-elle fermée ?", "since"),
        ("en", "Since when has the pool been closed?", "since"),
        ("fr", "Qui a offert les cadeaux à Kim ?", "person"),
        ("fr", "Où se sont-ils rencontrés ?", "place"),
        ("fr", "Quels cadeaux Kim a-t-il reçus ?", None),
        ("en", "How many drones did Kim receive?", "number"),
        ("en", "In what year did the Normans conquer England?", "date"),
        # The minute of a match: a number of minutes, not a date ("What time?" stays a date).
        ("en", "And in which minute?", "minute"), ("en", "At what minute did he score?", "minute"),
        ("fr", "À quelle minute Lorient a-t-il marqué ?", "minute"), ("en", "At what time did he score?", "date"),
        # "When" asks for a date where a question asks with it: first, or last ("…was built when?"); inside, it
        # opens a clause that says when the asked thing happens ("What was he charged with when he was arrested?").
        ("en", "When did the strike start?", "date"),
        ("en", "And when?", "date"),
        ("en", "The French church in Portarlington was built when?", "date"),
        ("en", "What was Abu Hamza al-Masri charged with when he was arrested?", None),
        ("en", "Which song was played when the train left?", None),
        ("fr", "L'espèce a été découverte quand ?", "date"),
        ("en", "Who gave Kim the gifts?", "person"),
        ("en", "Where did Putin and Kim meet?", "place"),
        ("en", "What did they discuss?", None),
        # "Who is <a name>?" asks for a description: no kind; "who is the…" and "who + verb" ask for a name.
        ("en", "Who is Douglas Kerr?", None),
        ("en", "who was Boleslaw II of Masovia", None),
        ("en", "Who's Douglas Kerr?", None),
        ("en", "who’s Fiona MacLeod", None),
        ("en", "Who's the chairman?", "person"),
        ("en", "Who is the chairman of the association?", "person"),
        ("en", "Who is responsible for the bridge?", "person"),
        ("fr", "Qui est Choïgou ?", None),
        ("fr", "qui est Jean de Lattre de Tassigny?", None),
        ("fr", "Qui est le gouverneur de la région ?", "person"),
        ("fr", "Qui est responsable du pont ?", "person"),
        # A speed, and a physical size (a distance); "how long" and "the length of" ask for a duration as often.
        ("en", "How fast is the MV Skerry?", "speed"), ("en", "What was the top speed of the train?", "speed"),
        ("fr", "À quelle vitesse peut-on rouler sur le pont ?", "speed"),
        ("en", "How tall is the lighthouse?", "distance"), ("en", "What is the height of the dam?", "distance"),
        ("fr", "Quelle est la longueur du détour ?", "distance"), ("fr", "A quelle altitude se situe Minneapolis ?",
                                                                  "distance"),
        ("en", "How long is the crossing?", "number"), ("en", "What was the length of his reign?", "number"),
    ],
)
def test_question_types_come_from_language_data(code, question, kind):
    assert language(code).question_type(question) == kind


def test_negation_is_language_data():
    assert language("fr").negated("aucun accord n'avait été signé")
    assert not language("fr").negated("avant que la marche ne soit jouée")  # an expletive "ne"
    assert language("en").negated("The Kremlin didn't sign an agreement")
    assert not language("en").negated("The Kremlin signed an agreement")


@pytest.mark.parametrize(
    ("code", "question", "sentence", "opposed"),
    [
        ("en", "What is the least used type of reduction?", "The most commonly used reduction is X.", True),
        ("en", "What is the most used type of reduction?", "The most commonly used reduction is X.", False),
        ("en", "Which is the southernmost city?", "The northernmost city is Tromsø.", True),
        ("en", "Is the answer simple or complex?", "The answer is more complex than that.", False),  # asks between
        ("en", "Who bought the factory?", "In 2005 the factory was sold to AvtoZAZ.", False),  # converse, not opposite
        ("fr", "Quelle est la dernière étape ?", "La première étape relie Lille à Arras.", True),
        ("fr", "Quelle est la première étape ?", "La première étape relie Lille à Arras.", False),
        ("fr", "Quand le taux est-il en hausse ?", "Le taux est en baisse depuis mars.", True),
        ("fr", "Qui a remporté la victoire ?", "La défaite de Lyon", False),  # converse
    ],
)
def test_opposite_words_are_language_data(code, question, sentence, opposed):
    assert language(code).opposed(question, sentence) is opposed


@pytest.mark.parametrize(
    ("code", "question", "polar"),
    [
        ("en", "Did prices rise?", True),
        ("en", "Isn't the bridge closed?", True),
        ("en", "When did prices rise?", False),
        ("en", "Who bought the factory?", False),
        ("fr", "Le prix a-t-il baissé ?", True),
        ("fr", "Les Ulis sont ils au sud d'Arpajon ?", True),  # as typed in PIAF, without hyphens
        ("fr", "Est-ce que le pont est fermé ?", True),
        ("fr", "Depuis quand le pont est-il fermé ?", False),  # asks when
        ("fr", "Où habite-t-il ?", False),
        ("fr", "Et à Nice ?", False),
    ],
)
def test_yes_or_no_questions_are_language_data(code, question, polar):
    assert language(code).asks_yes_or_no(question) is polar


@pytest.mark.parametrize(
    ("code", "sentence", "leans"),
    [
        ("en", '"Leeds is the largest city without a tram," she said in a statement.', True),
        ("en", "The city would recover, he added.", True),
        ("en", "According to her, the bridge is safe.", True),
        ("en", "He added that the walk would be shorter.", True),  # opens on a pronoun
        ("en", '"We are being asked to sign a blank cheque," said councillor Andrew Carter.', False),  # named
        ("en", "When it rained, they left the square.", False),  # a pronoun after a comma, not a speaker
        ("en", "According to the mayor, the bridge is safe.", False),
        ("fr", "« C'est un grand millésime », a-t-elle déclaré.", True),
        ("fr", "Les travaux dureront deux ans, selon lui.", True),
        ("fr", "La récolte, estiment-ils, sera faible.", True),
        ("fr", "« C'est un grand millésime », a déclaré Claire Naudin.", False),  # named
        ("fr", "Le vin, peut-être le meilleur de la décennie, est cher.", False),
        ("fr", "Quand le vent souffle, ils partent.", False),
    ],
)
def test_a_sentence_whose_speaker_is_a_pronoun_leans_on_the_one_before(code, sentence, leans):
    assert carries_on(sentence, language(code)) is leans


@pytest.mark.parametrize(
    ("code", "question", "asks"),
    [
        ("en", "What did Tracy Brabin say?", True),
        ("en", "What was the mayor's statement?", True),
        ("en", "How did the council react to the vote?", True),
        ("en", "Who welcomed the vote?", False),
        ("en", "What does complexity theory seek to answer?", False),
        ("en", "What is each message labeled with?", False),
        ("fr", "Qu'a dit la maire ?", True),
        ("fr", "Qu'a-t-il déclaré ?", True),
        ("fr", "que dit le kremlin sur un acord", True),
        ("fr", "Comment le Kremlin a-t-il réagi ?", True),
        ("fr", "Qu'a reçu Kim ?", False),
        ("fr", "Selon Tacite, où se situe le pomérium ?", False),
    ],
)
def test_a_question_asking_what_someone_said_is_language_data(code, question, asks):
    assert language(code).asks_for_words(question) is asks


@pytest.mark.parametrize(
    ("code", "question", "asks"),
    [
        ("en", "What is the article about?", True),
        ("en", "What's this story about", True),
        ("en", "Summarize the article.", True),
        ("en", "What are the main points?", True),
        ("en", "Who are the people mentioned?", True),
        ("en", "When did it happen?", True),
        ("en", "What is the treaty about?", False),  # asks about something the article holds
        ("en", "Summarize what Kim said.", False),
        ("en", "What happened to the drones?", False),
        ("en", "Who are the people who attacked the convoy?", False),
        ("fr", "De quoi parle l'article ?", True),
        ("fr", "Résume le texte", True),
        ("fr", "Qui sont les personnes citées ?", True),
        ("fr", "Quand cela s'est-il passé ?", True),
        ("fr", "Que s'est-il passé ?", True),
        ("fr", "De quoi parle son livre ?", False),
        ("fr", "Que s'est-il passé à Vladivostok ?", False),
    ],
)
def test_a_question_about_the_article_as_a_whole_is_language_data(code, question, asks):
    assert language(code).asks_for_gist(question) is asks


@pytest.mark.parametrize(
    ("code", "question", "asks"),
    [
        ("en", "Who wrote the article?", True),
        ("en", "Who wrote this story?", True),
        ("en", "Who is the author?", True),
        ("en", "What is the name of the reporter?", True),
        ("en", "What is the reporter's name?", True),
        ("en", "Who is the story by?", True),
        ("en", "When was the article published?", True),
        ("en", "Who wrote the letter?", False),  # the story's content
        ("en", "Who wrote it?", False),  # a follow-up about what the conversation is about
        ("en", "Who is the author of the report on the fire?", False),
        ("en", "What is the article about?", False),
        ("fr", "Qui a écrit cet article ?", True),
        ("fr", "Qui est l'auteur de l'article ?", True),
        ("fr", "Quel est le nom du journaliste ?", True),
        ("fr", "Quand l'article a-t-il été publié ?", True),
        ("fr", "De quand date la dépêche ?", True),
        ("fr", "Qui a écrit la lettre ?", False),
        ("fr", "Qui est l'auteur de l'attaque ?", False),
    ],
)
def test_a_question_about_who_wrote_the_article_is_language_data(code, question, asks):
    assert language(code).asks_for_byline(question) is asks


@pytest.mark.parametrize(
    ("code", "sentence", "reports"),
    [
        ("en", '"Leeds is the largest city without a tram," she said in a statement.', True),
        ("en", "She added that the crossing would cut the walk.", True),
        ("en", "She is the mayor of West Yorkshire.", False),
        ("en", '"We must act," said councillor Andrew Carter.', False),  # named: does not lean on the one before
        ("fr", "« C'est un grand millésime », a-t-elle déclaré.", True),
        ("fr", "Elle a également ajouté que la récolte serait faible.", True),
        ("fr", "Il estime que le vin sera cher.", True),
        ("fr", "Il n'a fait mention d'aucun accord.", False),
        ("fr", "Elle est maire de Dijon.", False),
    ],
)
def test_a_sentence_giving_a_pronoun_speakers_words_is_language_data(code, sentence, reports):
    assert language(code).reports_words(sentence) is reports


@pytest.mark.parametrize(
    ("code", "line", "byline"),
    [
        ("en", "By Helen Okafor, Science Correspondent", True),
        ("en", "By Dr. J. Smith", True),
        ("en", "BY ÉLODIE MARTIN and Tom Ray | Reuters", True),
        ("en", "By Tuesday, the river had risen.", False),  # a sentence
        ("en", "By Monday, 300 homes had been flooded, the council said on 12 March 2024.", False),
        ("en", "By the end of the day it was over", False),
        ("en", "Published 12 March 2026, updated 14:05", True),
        ("en", "Published reports say the river had risen.", False),  # a sentence
        ("fr", "Par Julien Marchal", True),
        ("fr", "Par J. Marchal, envoyé spécial à Roubaix", True),
        ("fr", "Par ailleurs, le maire a démissionné.", False),
        ("fr", "Par Élodie, il faut entendre la maire.", False),
        ("fr", "Publié le 12 mars 2026 à 10h05, mis à jour à 11h20", True),
        ("fr", "Modifié par décret, le texte entre en vigueur lundi.", False),
    ],
)
def test_a_byline_is_language_data(code, line, byline):
    assert language(code).is_byline(line) is byline


@pytest.mark.parametrize(
    ("sentence", "line"),
    [("GRENOBLE, 24 juin 2025 (AFP) - La mairie a décidé.", "GRENOBLE, 24 juin 2025 (AFP) - "),
     ("VIDAUBAN (Var), 9 août (AFP) — Un incendie a parcouru 1 200 hectares.", "VIDAUBAN (Var), 9 août (AFP) — "),
     ("Moscou (AFP) - Kim a quitté la Russie.", "Moscou (AFP) - "),
     ("PENZANCE, England, March 3 (Reuters) - A lighthouse was sold.", "PENZANCE, England, March 3 (Reuters) - "),
     ("The United Nations Educational, Scientific and Cultural Organization (UNESCO) was founded in 1945.", ""),
     ("Paris (France) is a city - a big one.", ""),
     ("Kim a rencontré Poutine à Vostochny.", "")],
)
def test_a_news_dateline_is_told_in_any_language(sentence, line):
    assert dateline(sentence) == line


def test_other_languages_get_a_stemmer_and_english_strings():
    german = language("de")
    assert german.stemmer == "german" and not german.known
    assert strings("de")["abstain"] == strings("en")["abstain"]
    assert strings("fr")["abstain"] == "L'article ne le précise pas."


def test_every_language_module_defines_the_same_data():
    from store.lang import en, fr

    def public(module):
        # Private helpers ("_DOCUMENT", "_WRITER") are how a module writes its patterns, and may differ.
        return {n for n in dir(module) if n.isupper() and not n.startswith("_")}

    assert public(fr) == public(en)
    assert set(fr.STRINGS) == set(en.STRINGS)
