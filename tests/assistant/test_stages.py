"""Checks, selection and rendering: small pure stages, tested on hand-made candidates."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant import calibration
from assistant.checks import AnswerTypeFilter, EchoFilter, ScoreCutoff, Scored, build_stages, run_stages
from assistant.features import counts, coverage, holds_type
from assistant.question import Question
from assistant.render import render, shown_text
from assistant.retrieve import Candidate, Retrieval
from assistant.select import lead, select, with_context
from assistant.types import Answer
from store import StoredDocument
from store.lang import language
from store.lexical import analyse
from store.lexicon import SentenceRow

FEATURES = {"type_absent": 0.0, "novelty": 0.5}


def document(language_code: str = "fr") -> StoredDocument:
    return StoredDocument("d1", "article.txt", "Un article", language_code, "", "h", "w", 3, 300, 1, "")


def scored(text: str, probability: float, *, start: int = 0, lang: str = "fr", **features: float) -> Scored:
    row = SentenceRow(f"d1:w:{start}", "d1", start, start, start + len(text), start, "", text,
                      tuple(analyse(text, lang)))
    return Scored(Candidate(row, document(lang), 0.5, 1.0), {**FEATURES, **features}, probability)


def retrieval(question: str = "Combien ?", code: str = "fr") -> Retrieval:
    return Retrieval(Question(question, code, query=question), (), (), (), {}, frozenset(), ())


def test_filters_keep_what_holds_the_asked_answer_and_says_something_new():
    items = [scored("Kim est parti.", 0.9, type_absent=1.0), scored("Kim a reçu cinq drones.", 0.6, start=20),
             scored("Kim a reçu.", 0.5, start=50, novelty=0.0)]
    assert [s.candidate.row.text for s in EchoFilter().apply(retrieval(), items)] == [
        "Kim est parti.", "Kim a reçu cinq drones."]
    # The kind of answer asked for is the article's to hold, not each sentence's: a sentence whose answer the
    # test of a kind misses ("un enseignant de 38 ans, qui a découvert la toile" has no name) keeps its rank,
    # which the calibrated probability gives with its type features; when no candidate holds one, none is kept.
    assert AnswerTypeFilter().apply(retrieval(), items) == items
    assert AnswerTypeFilter().apply(retrieval(), items[:1]) == []


def test_the_stage_that_leaves_nothing_is_the_recorded_reason():
    items = [scored("Kim est parti.", 0.9, type_absent=1.0)]
    stages = build_stages(["answer_type", "echo"], None, 0.5)  # type: ignore[arg-type]
    assert run_stages(stages, retrieval(), items) == ([], "answer_type")
    assert run_stages(build_stages(["echo"], None, 0.5), retrieval(), items)[1] is None  # type: ignore[arg-type]
    assert run_stages(stages, retrieval(), []) == ([], "no_passages")
    with pytest.raises(ValueError, match="unknown stage"):
        build_stages(["answer_type", "injection"], None, 0.5)  # type: ignore[arg-type]


@pytest.mark.parametrize("model", calibration.available())
def test_each_fitted_language_has_its_threshold_and_the_lowest_serves_the_rest(model):
    fitted = calibration.load(model)
    by_language = dict(fitted.thresholds)
    assert {"en", "fr"} <= set(by_language)
    assert fitted.threshold == min(by_language.values())
    assert fitted.threshold_for("en") == by_language["en"] and fitted.threshold_for("fr") == by_language["fr"]
    assert fitted.threshold_for("de") == fitted.threshold_for(None) == fitted.threshold


def test_the_score_cutoff_applies_the_threshold_of_the_question_and_document_language():
    fitted = calibration.load("embeddinggemma-300m")
    english, french = dict(fitted.thresholds)["en"], dict(fitted.thresholds)["fr"]
    assert english != french  # else this test could not tell them apart
    cutoff = ScoreCutoff(fitted)
    in_english = scored("Kim got five drones.", 0.9, lang="en").candidate
    in_french = scored("Kim a reçu cinq drones.", 0.9).candidate
    assert cutoff.cutoff(retrieval("How many?", "en"), in_english) == english
    assert cutoff.cutoff(retrieval("Combien ?", "fr"), in_french) == french
    # An English question on a French article: the lowest threshold (no fit data for that pairing).
    assert cutoff.cutoff(retrieval("How many?", "en"), in_french) == min(english, french)
    assert ScoreCutoff(fitted, 0.5).cutoff(retrieval("How many?", "en"), in_english) == 0.5  # the measuring override


def test_select_takes_close_runner_ups_that_do_not_repeat_up_to_k():
    items = [scored("Kim a reçu cinq drones.", 0.9), scored("Kim a reçu un gilet pare-balles.", 0.85, start=30),
             scored("Kim a reçu cinq drones explosifs.", 0.84, start=70), scored("Il pleut.", 0.3, start=110)]
    chosen = select(items, k=3, several=0.9)
    assert [s.candidate.row.text for s in chosen] == ["Kim a reçu cinq drones.", "Kim a reçu un gilet pare-balles."]
    assert len(select(items, k=1, several=0.5)) == 1


def row(position: int, text: str, *, leans: bool = False) -> SentenceRow:
    start = position * 100
    return SentenceRow(f"d1:w:{position}", "d1", position, start, start + len(text), start - 100 if leans else start,
                       "", text, tuple(analyse(text, "en")))


def sentence(position: int, text: str, probability: float, *, leans: bool = False) -> Scored:
    previous = row(position - 1, "(the sentence before)") if position else None
    candidate = Candidate(row(position, text, leans=leans), document("en"), 0.5, 1.0, previous)
    return Scored(candidate, dict(FEATURES), probability)


def test_a_quote_that_leans_on_the_sentence_before_is_followed_by_it():
    intro = sentence(3, "Councillor Fiona MacLeod chairs the committee.", 0.4)
    added = sentence(4, "She added that the walk would be shorter.", 0.9, leans=True)
    other = sentence(8, "The bridge opens in 2028.", 0.8)
    texts = lambda items: [s.candidate.row.text for s in items]  # noqa: E731
    # The sentence before is a candidate: it keeps its own score and comes right after the quote it explains.
    chosen = with_context([added, other], [added, other, intro], k=3)
    assert texts(chosen) == [added.candidate.row.text, intro.candidate.row.text, other.candidate.row.text]
    assert chosen[1].probability == 0.4
    # Not a candidate: it is read from the row before, and stands in with the score of the quote it introduces.
    alone = with_context([added], [added], k=3)
    assert texts(alone) == [added.candidate.row.text, "(the sentence before)"] and alone[1].probability == 0.9
    assert alone[1].candidate.row.position == 3 and alone[1].candidate.row.end - alone[1].candidate.row.start == 21
    # k is the most sentences cited: the runner-up gives way, and with k=1 the best stands alone.
    assert texts(with_context([added, other], [added, other, intro], k=2)) == texts(chosen[:2])
    assert texts(with_context([added, other], [added, other, intro], k=1)) == [added.candidate.row.text]
    # Already cited, or not leaning on anything: nothing is added.
    assert texts(with_context([added, intro], [added, intro], k=3)) == texts([added, intro])
    assert texts(with_context([other], [other, intro], k=3)) == [other.candidate.row.text]


def test_a_named_speaker_is_followed_by_the_quote_giving_their_words_when_the_question_asks_for_them():
    named = sentence(3, "The mayor, Tracy Brabin, welcomed the vote.", 0.6)
    quote = sentence(4, '"Today we start to change that," she said.', 0.1, leans=True)
    other = sentence(8, "Opponents argued for buses.", 0.5)
    unrelated = sentence(4, "It is the largest city.", 0.1, leans=True)  # leans, but gives nobody's words
    texts = lambda items: [s.candidate.row.text for s in items]  # noqa: E731
    assert texts(with_context([named, other], [named, other, quote], k=3, words=True)) == texts([named, quote, other])
    # A question not asking for words, a following sentence that is not a quote, or no room: nothing is added.
    assert texts(with_context([named, other], [named, other, quote], k=3)) == texts([named, other])
    assert texts(with_context([named], [named, unrelated], k=3, words=True)) == texts([named])
    assert texts(with_context([named], [named, quote], k=1, words=True)) == texts([named])
    # Already cited: not repeated.
    assert texts(with_context([named, quote], [named, quote], k=3, words=True)) == texts([named, quote])
    # A quotation over two sentences is given whole, as far as there is room.
    opens = sentence(4, '"I left home at five.', 0.1, leans=True)
    closes = sentence(5, 'It took me three hours," she said.', 0.1, leans=True)
    assert texts(with_context([named], [named, opens, closes], k=3, words=True)) == texts([named, opens, closes])
    assert texts(with_context([named], [named, opens, closes], k=2, words=True)) == texts([named, opens])


def test_the_lead_is_each_documents_opening_sentences_within_k():
    first, second, third = (sentence(i, text, 0.0) for i, text in enumerate(("A headline.", "The lede.", "More.")))
    other = [sentence(0, "Another story.", 0.0), sentence(1, "Its lede.", 0.0)]
    texts = lambda items: [s.candidate.row.text for s in items]  # noqa: E731
    # One document: its first two sentences (a news story's headline-like line and its lede), never past k.
    assert texts(lead([[first, second, third]], k=3)) == ["A headline.", "The lede."]
    assert texts(lead([[first, second]], k=1)) == ["A headline."]
    # Several share k: the first sentence of each before anyone's second.
    assert texts(lead([[first, second], other], k=3)) == ["A headline.", "Another story."]
    assert texts(lead([[first, second], other], k=4)) == ["A headline.", "The lede.", "Another story.", "Its lede."]
    assert texts(lead([[], [first]], k=3)) == ["A headline."] and lead([], k=3) == []


def test_render_quotes_verbatim_with_markers_and_frames_other_languages():
    text, citations = render([scored("Kim a reçu cinq drones.", 0.9)], "en")
    assert text == "According to the article: Kim a reçu cinq drones. [1]"
    assert citations[0].index == 1 and citations[0].text == "Kim a reçu cinq drones."
    assert render([scored("Kim a reçu cinq drones.", 0.9)], "fr")[0] == "Kim a reçu cinq drones. [1]"


def test_an_unsure_answer_is_shown_without_the_framing_its_head_already_says():
    text, citations = render([scored("Kim a reçu cinq drones.", 0.3)], "en")
    unsure = Answer(text, citations, True, "Q", "en", unsure=True)
    assert shown_text(unsure) == "Kim a reçu cinq drones. [1]"
    # A sure answer keeps it ("According to the article: …"); the answer's own text is never changed.
    assert shown_text(replace(unsure, unsure=False)) == text == unsure.text
    same_language = Answer("Kim a reçu cinq drones. [1]", citations, True, "Q", "fr", unsure=True)
    assert shown_text(same_language) == same_language.text


@pytest.mark.parametrize(
    ("kind", "sentence", "code", "expected"),
    [("number", "Kim a reçu cinq drones.", "fr", True), ("number", "Kim a reçu des drones.", "fr", False),
     ("date", "Ils se reverront en 2024.", "fr", True), ("date", "They met on Sunday.", "en", True),
     ("person", "Le gouverneur Oleg Kojemiako a offert les drones.", "fr", True),
     ("person", "Le gouverneur a offert les drones.", "fr", False),
     # A span of time in any unit of time: business news counts in quarters ("enough for five quarters").
     ("duration", "Its cash is enough for roughly five quarters of spending.", "en", True),
     ("duration", "Its cash is enough for roughly five months of spending.", "en", True),
     ("duration", "Its cash is enough for roughly five factories.", "en", False),
     ("duration", "La trésorerie tiendra encore deux trimestres.", "fr", True),
     ("duration", "La trésorerie tiendra encore deux ateliers.", "fr", False),
     # News English gives an age beside the name, without a unit.
     ("age", "Daniel Price, 52, of Clifton, pleaded guilty.", "en", True),
     ("age", "Daniel Price, of Clifton, pleaded guilty to 52 counts.", "en", False),
     ("age", "Daniel Price, 52 ans, a plaidé coupable.", "fr", True),
     # A unit or magnitude glued to its number, as news writes it: "£14m", "3.2km"; and a light year is a distance.
     ("money", "Harrow Land will pay £14m towards a new school.", "en", True),
     ("money", "Harrow Land will pay for a new school.", "en", False),
     ("distance", "Its main runway, 3.2km long, will be kept.", "en", True),
     ("distance", "A red star 48 light years from Earth.", "en", True),
     ("distance", "A red star 48 years after its discovery.", "en", False),
     ("distance", "Une étoile rouge à 48 années-lumière de la Terre.", "fr", True),
     # French counts roughly with -aine nouns: "une trentaine de coureuses".
     ("number", "Une trentaine de coureuses ont abandonné.", "fr", True),
     ("number", "Des coureuses ont abandonné.", "fr", False),
     # A time of day answers "when" and "à quelle heure" as a date does.
     ("date", "Les cambrioleurs sont entrés vers 3 heures du matin.", "fr", True),
     ("date", "Le train est parti à 15h30.", "fr", True), ("date", "Il est arrivé à midi.", "fr", True),
     ("date", "Les cambrioleurs étaient 3 hommes, venus de loin.", "fr", False),
     ("date", "The blast happened at 3 a.m. on the bridge.", "en", True),
     ("date", "The polls closed at 10:30.", "en", True), ("date", "They met at noon.", "en", True),
     ("date", "The team scored 2.5 points in 3 games.", "en", False),
     # An amount of money is no other quantity, whatever magnitude or unit of time follows it.
     ("population", "The council approved a £42 million network of cycle lanes.", "en", False),
     ("population", "About 5 million people live in the region.", "en", True),
     ("population", "Un budget de 42 millions d'euros a été voté.", "fr", False),
     ("population", "La région compte 12 millions d'habitants.", "fr", True),
     ("duration", "She earns £5,000 a year.", "en", False), ("duration", "She has run it for 31 years.", "en", True),
     ("percentage", "Shares rose 5% to £3bn.", "en", True),
     # A speed is a number with a unit of speed or of time ("80 km/h", "60 miles an hour").
     ("speed", "Gusts reached 80mph on the coast.", "en", True), ("speed", "She sailed at 12 knots.", "en", True),
     ("speed", "Objects fall at about 9.81 meters per second squared.", "en", True),
     ("speed", "The vessel was withdrawn last October after 40 years of service.", "en", False),
     ("speed", "La vitesse y sera limitée à 50 km/h.", "fr", True),
     ("speed", "Le détour est de 23 kilomètres par Saumur.", "fr", False),
     # "Depuis quand ?" asks for a starting point: a date, or the time since.
     ("since", "La piscine, fermée depuis deux ans, rouvrira.", "fr", True),
     ("date", "La piscine, fermée depuis deux ans, rouvrira.", "fr", False),
     ("since", "Elle siège dans l'opposition depuis 2020.", "fr", True),
     ("since", "Elle siège dans l'opposition municipale.", "fr", False),
     ("since", "The pool has been closed for two years.", "en", True),
     # The minute of a match, as an ordinal ("89th", « 84e ») or a count; a match time in words holds none.
     ("minute", "Brighton won with a penalty in the 89th minute.", "en", True),
     ("minute", "Ollie Watkins gave the visitors the lead after 17 minutes.", "en", True),
     ("minute", "Lorient l'a emporté grâce à un but à la 84e minute.", "fr", True),
     ("minute", "Harriers equalised just before half-time through a penalty.", "en", False),
     # English capitalises months and weekdays: not names.
     ("person", "The council approved the plan on Wednesday, 14 March.", "en", False),
     ("person", "The plan was approved on Wednesday by Priya Marsh.", "en", True),
     # A dateline names where and by which agency the story was filed, no person; a place it names is one.
     ("person", "GRENOBLE, 24 juin 2025 (AFP) - La mairie a décidé de fermer les écoles.", "fr", False),
     ("person", "Moscou (AFP) - Le dirigeant nord-coréen Kim Jong Un a quitté la Russie.", "fr", True),
     ("person", "PENZANCE, England, March 3 (AFP) - A disused lighthouse has been sold.", "en", False),
     ("place", "PENZANCE, England, March 3 (AFP) - A disused lighthouse has been sold.", "en", True),
     ("person", "The United Nations Educational, Scientific and Cultural Organization (UNESCO) was founded.", "en",
      True)],
)
def test_answer_types_are_read_with_the_document_language(kind, sentence, code, expected):
    assert holds_type(kind, sentence, language(code), asked=set()) is expected


def test_a_time_the_question_already_gives_is_no_answer():
    assert not holds_type("date", "The blast happened at 3 a.m. on the bridge.", language("en"), asked={"3", "a", "m"})
    assert holds_type("date", "The blast at 3 a.m. was heard at 10:30.", language("en"), asked={"3", "a", "m"})


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [("Some 5,000 hotels closed.", True), ("Twelve of the hotels closed.", True),
     ("Deliveries worth £30,000, and several hotels, were cancelled.", False),
     ("In 2019, hotels closed.", False), ("It cost 3.5 million; hotels closed.", False)],
)
def test_a_number_counts_a_noun_of_its_own_phrase(sentence, expected):
    assert counts(analyse("hotels", "en")[0], sentence, language("en")) is expected


@pytest.mark.parametrize(
    ("noun", "sentence", "code", "expected"),
    [("victimes", "Une maison a été détruite, mais aucune victime n'est à déplorer.", "fr", True),
     ("victimes", "Une maison a été détruite, mais la population a été épargnée.", "fr", False),
     ("deaths", "No deaths were reported.", "en", True), ("deaths", "Deaths were reported.", "en", False)],
)
def test_a_count_of_none_answers_how_many(noun, sentence, code, expected):
    assert counts(analyse(noun, code)[0], sentence, language(code)) is expected


def test_coverage_weighs_rare_words_more():
    idf = {"kim": 0.1, "kozlov": 3.0}
    assert coverage(["kim", "kozlov"], frozenset({"kozlov"}), idf) == pytest.approx(3.0 / 3.1)
    assert coverage([], frozenset(), idf) == 0.0
