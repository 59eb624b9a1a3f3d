"""Evaluation: question-set formats, hand-computed metrics, bad sets, the CLI gate."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.evaluation import (
    QuestionSetError,
    Ranked,
    build_report,
    contains_answer,
    evaluate,
    load_evidence_check,
    load_question_set,
    missed_bars,
    sample_documents,
    score_item,
    token_f1,
)
from assistant.types import Answer, Citation
from tests.conftest import QUESTIONS


def cite(index: int, text: str, start: int = 0) -> Citation:
    return Citation(index, text, "doc", start, start + len(text), 1.0)


def ranked(*texts: str) -> list[Ranked]:
    out, position = [], 0
    for text in texts:
        out.append(Ranked(text, "doc", position, position + len(text), 0.5))
        position += len(text) + 1
    return out


def test_normalised_matching_and_f1():
    assert contains_answer("Il a reçu un GILET pare\u2011balles [1]", ["gilet pare-balles"])  # any dash folds
    assert contains_answer("Kim a recu un gilet pare-balles.", ["Gilet pare balles"])
    assert contains_answer("l’agence KCNA", ["l'agence kcna"])
    assert token_f1("cinq drones explosifs", "drones explosifs") == pytest.approx(0.8)


def test_metrics_on_a_hand_computed_set(tmp_path):
    path = tmp_path / "tiny.jsonl"
    path.write_text(
        "\n".join(
            json.dumps(x, ensure_ascii=False)
            for x in [
                {
                    "id": "a",
                    "question": "Q1",
                    "answers": ["drones"],
                    "evidence": ["cinq drones"],
                    "lang": "fr",
                    "tags": ["t"],
                },
                {"id": "b", "question": "Q2", "answers": ["vodka"], "evidence": ["vodka"], "lang": "en"},
                {"id": "c", "question": "Q3", "answerable": False, "lang": "fr"},
            ]
        ),
        encoding="utf-8",
    )
    a, b, c = load_question_set(path)
    rows = [
        score_item(
            a,
            Answer(
                "Kim a reçu cinq drones. [1] Autre. [2]",
                (cite(1, "Kim a reçu cinq drones."), cite(2, "Autre.")),
                True,
                "Q1",
                "fr",
            ),
            ranked("x", "Kim a reçu cinq drones."),
            2,
            0.010,
            "fr",
        ),
        score_item(b, Answer("The article does not say.", (), False, "Q2", "en"), ranked("vodka ici"), 0, 0.020, "en"),
        score_item(c, Answer("L'article ne le précise pas.", (), False, "Q3", "fr"), [], 0, 0.030, "fr"),
    ]
    metrics = build_report(rows, k=3).metrics
    assert metrics["accuracy"] == pytest.approx(2 / 3, abs=1e-4)
    assert metrics["answer_accuracy"] == 0.5
    assert metrics["evidence_hit@3"] == 1.0
    assert metrics["mrr"] == pytest.approx((1 / 2 + 1) / 2)
    assert metrics["citation_precision"] == 0.5
    assert metrics["citation_recall"] == 0.5
    assert metrics["verbatim_rate"] == 1.0
    assert metrics["abstention_accuracy"] == 1.0
    assert metrics["false_abstention_rate"] == 0.5
    assert metrics["latency_p50_ms"] == 20.0
    assert metrics["unsure_answerable"] == 0.0 and metrics["flagged_unanswerable"] == 1.0
    report = build_report(rows, k=3)
    assert [r.id for r in report.failures] == ["b"]
    assert report.by_tag["t"]["accuracy"] == 1.0
    assert missed_bars(report, [("accuracy", 0.9), ("false_abstention_rate", 0.1)]) == [
        "accuracy = 0.6667 is below 0.9",
        "false_abstention_rate = 0.5 is above 0.1",
    ]


def test_answers_marked_unsure_count_as_caveats_or_as_warnings(tmp_path):
    path = tmp_path / "two.jsonl"
    path.write_text(json.dumps({"id": "r", "question": "Q", "answers": ["drones"], "lang": "fr"}) + "\n"
                    + json.dumps({"id": "w", "question": "Q", "answerable": False, "lang": "fr"}) + "\n",
                    encoding="utf-8")
    answerable, unanswerable = load_question_set(path)
    quote = (cite(1, "Kim a reçu cinq drones."),)

    def given(unsure: bool) -> Answer:
        return Answer("Kim a reçu cinq drones. [1]", quote, True, "Q", "fr", unsure=unsure)

    abstained = Answer("L'article ne le précise pas.", (), False, "Q", "fr")
    cases = [  # (answer to the answerable question, to the unanswerable one) -> the two rates
        ((given(True), given(False)), (1.0, 0.0)),
        ((given(False), given(True)), (0.0, 1.0)),
        ((given(False), abstained), (0.0, 1.0)),
    ]
    for (first, second), expected in cases:
        rows = [score_item(answerable, first, [], 1, 0.01, "fr"), score_item(unanswerable, second, [], 1, 0.01, "fr")]
        metrics = build_report(rows, k=3).metrics
        assert (metrics["unsure_answerable"], metrics["flagged_unanswerable"]) == expected
        assert metrics["answer_accuracy"] == 1.0  # the caveat does not change whether the answer is right


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"question": "ok"}\n{not json}\n', "bad.jsonl:2: invalid JSON"),
        ('{"id": "x"}\n', "bad.jsonl:1: missing 'question'"),
        ('{"question": "q", "answers": "drones"}\n', "bad.jsonl:1: field 'answers' must be list"),
        ('{"question": "q", "answerable": "no"}\n', "field 'answerable' must be bool"),
        ("", "the question set is empty"),
    ],
)
def test_bad_sets_name_the_line(tmp_path, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(QuestionSetError, match=message):
        load_question_set(path)


def test_evidence_must_be_in_the_documents(tmp_path, seeded_store):
    path = tmp_path / "set.jsonl"
    path.write_text('{"question": "q", "evidence": ["pas dans le texte"]}\n', encoding="utf-8")
    with pytest.raises(QuestionSetError, match=r"line 1: evidence 'pas dans le texte' is not in"):
        load_evidence_check(load_question_set(path), seeded_store)


def test_answer_offsets_rank_the_gold_sentence_and_bars_can_name_a_dataset(tmp_path):
    path = tmp_path / "offsets.jsonl"
    path.write_text(
        '{"id": "a", "question": "Q", "answers": ["cinq"], "answer_offsets": [[14, 18]], "tags": ["squad2"]}\n'
        '{"id": "b", "question": "Q", "answers": ["six"], "answer_offsets": [[0, 3]], "tags": ["piaf"]}\n',
        encoding="utf-8")
    a, b = load_question_set(path)
    ranking = ranked("Il pleut.", "Kim a reçu cinq drones.")  # the gold span starts in the second sentence
    row_a = score_item(a, Answer("Il pleut. [1]", (cite(1, "Il pleut."),), True, "Q", "fr"), ranking, 1, 0.01, "fr")
    row_b = score_item(b, Answer("x", (), False, "Q", "fr"), ranking, 0, 0.01, "fr")
    assert (row_a.answer_rank, row_b.answer_rank) == (2, 1)
    report = build_report([row_a, row_b], k=3)
    assert report.metrics["answer_top1"] == 0.5 and report.metrics["answer_top3"] == 1.0
    assert report.by_tag["squad2"]["answer_top1"] == 0.0
    assert missed_bars(report, [("squad2:answer_top1", 0.5), ("piaf:answer_top1", 0.5)]) == [
        "squad2:answer_top1 = 0.0 is below 0.5"]
    assert missed_bars(report, [("nope:answer_top1", 0.5)]) == ["nope:answer_top1: no item has the tag 'nope'"]
    with pytest.raises(QuestionSetError, match="answer_offsets"):
        bad = tmp_path / "bad.jsonl"
        bad.write_text('{"question": "Q", "answer_offsets": [[1]]}\n', encoding="utf-8")
        load_question_set(bad)


def test_a_sample_keeps_whole_documents():
    from assistant.evaluation import QuestionItem

    items = [QuestionItem(id=str(i), question="q", document=f"d{i % 5}") for i in range(20)]
    sample = sample_documents(items, 2)
    assert len({i.document for i in sample}) == 2 and len(sample) == 8
    assert sample == sample_documents(items, 2)  # fixed


def test_yaml_and_csv_sets(tmp_path):
    (tmp_path / "s.yaml").write_text("- question: Qui ?\n  answers: [Kozlov]\n  answerable: true\n", encoding="utf-8")
    (tmp_path / "s.csv").write_text("id,question,answers,answerable\nq1,Qui ?,Kozlov|Kim,yes\n", encoding="utf-8")
    assert load_question_set(tmp_path / "s.yaml")[0].answers == ("Kozlov",)
    item = load_question_set(tmp_path / "s.csv")[0]
    assert item.answers == ("Kozlov", "Kim") and item.answerable and item.line == 2


def test_project_question_set_is_valid_and_large_enough(seeded_store):
    items = load_question_set(QUESTIONS)
    load_evidence_check(items, seeded_store)
    assert len(items) >= 80
    tags = {t for i in items for t in i.tags}
    assert {"factoid", "paraphrase", "typo", "multi", "follow-up", "unanswerable", "injection"} <= tags
    assert sum(i.lang == "en" for i in items) >= 20


def test_evaluate_on_the_real_index(assistant):
    items = load_question_set(QUESTIONS)[:12]
    report = evaluate(assistant, items)
    assert report.metrics["questions"] == 12
    assert report.metrics["verbatim_rate"] == 1.0
    assert report.metrics["answer_accuracy"] >= 0.8
    assert json.loads(json.dumps(report.to_dict()))["metrics"]["questions"] == 12


def test_cli_eval_reports_compares_and_gates(tmp_path, fresh_settings):
    from tests.conftest import cli_env

    env = cli_env(fresh_settings)
    subset = tmp_path / "subset.jsonl"
    subset.write_text("".join(QUESTIONS.read_text(encoding="utf-8").splitlines(True)[:10]), encoding="utf-8")
    html, out = tmp_path / "r.html", tmp_path / "r.json"
    runner = CliRunner()
    ok = runner.invoke(
        main,
        [
            "eval",
            str(subset),
            "--html",
            str(html),
            "--json",
            str(out),
            "--compare",
            "retrieval.mode=dense",
            "--fail-under",
            "verbatim_rate=1.0",
        ],
        env=env,
    )
    assert ok.exit_code == 0, ok.output
    assert "retrieval.mode=dense" in ok.output and "answer_accuracy" in ok.output
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "<svg" in page and "accuracy by tag" in page
    assert "score distribution" in page
    assert len(json.loads(out.read_text())) == 2
    gated = runner.invoke(main, ["eval", str(subset), "--fail-under", "accuracy=1.01"], env=env)
    assert gated.exit_code == 1 and "accuracy" in gated.output
    bad = runner.invoke(main, ["eval", str(tmp_path / "missing.jsonl")], env=env)
    assert bad.exit_code != 0 and "cannot read the question set" in bad.output


def test_language_match_reads_the_text_not_the_label():
    from assistant.evaluation import reads_in_language

    english_quote = Answer("According to the article: Kim a reçu des drones. [1]", (cite(1, "x"),), True, "q", "en")
    french_for_english = Answer("Kim a reçu cinq drones explosifs. [1]", (cite(1, "x"),), True, "q", "en")
    assert reads_in_language(english_quote, "en")
    assert not reads_in_language(french_for_english, "en")
    assert reads_in_language(Answer("The article does not say.", (), False, "q", "en"), "en")
    assert not reads_in_language(Answer("L'article ne le précise pas.", (), False, "q", "en"), "en")


def test_eval_ingests_the_documents_a_set_names_and_answers_from_them_only(tmp_path, fresh_settings):
    from tests.conftest import cli_env

    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.txt").write_text("Alpha\n\nLe chat de Marie s'appelle Pompon. Il a trois ans.", encoding="utf-8")
    (articles / "b.txt").write_text("Beta\n\nLe chien de Paul s'appelle Rex. Il a six ans.", encoding="utf-8")
    questions = tmp_path / "set.jsonl"
    questions.write_text(
        '{"id": "1", "question": "Comment s\'appelle le chat ?", "answers": ["Pompon"], "document": "articles/a.txt",'
        ' "answer_offsets": [[38, 44]], "lang": "fr", "tags": ["alpha"]}\n'
        '{"id": "2", "question": "Comment s\'appelle le chat ?", "answerable": false, "document": "articles/b.txt",'
        ' "lang": "fr", "tags": ["beta"]}\n', encoding="utf-8")
    out = tmp_path / "r.json"
    result = CliRunner().invoke(main, ["eval", str(questions), "--json", str(out)], env=cli_env(fresh_settings))
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in json.loads(out.read_text())["rows"]}
    assert rows["1"]["grounded"] and "Pompon" in rows["1"]["answer"] and rows["1"]["answer_rank"] == 1
    assert not rows["2"]["grounded"] and rows["2"]["abstain_reason"]  # the other article does not say
    listed = CliRunner().invoke(main, ["sources"], env=cli_env(fresh_settings)).output
    assert "a.txt" in listed and "b.txt" in listed
