"""Evaluation: question-set formats, hand-computed metrics, bad sets, the CLI gate."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.evaluation import (
    QuestionSetError,
    build_report,
    contains_answer,
    evaluate,
    load_question_set,
    missed_bars,
    score_item,
    token_f1,
)
from assistant.types import Answer, Citation
from tests.conftest import QUESTIONS


def cite(index: int, text: str) -> Citation:
    return Citation(index, text, "doc", 0, len(text), 1.0)


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
            ["x", "Kim a reçu cinq drones."],
            2,
            0.010,
            "fr",
        ),
        score_item(b, Answer("The article does not say.", (), False, "Q2", "en"), ["vodka ici"], 0, 0.020, "en"),
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
    report = build_report(rows, k=3)
    assert [r.id for r in report.failures] == ["b"]
    assert report.by_tag["t"]["accuracy"] == 1.0
    assert missed_bars(report, [("accuracy", 0.9), ("false_abstention_rate", 0.1)]) == [
        "accuracy = 0.6667 is below 0.9",
        "false_abstention_rate = 0.5 is above 0.1",
    ]


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


def test_evidence_must_be_in_the_documents(tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text('{"question": "q", "evidence": ["pas dans le texte"]}\n', encoding="utf-8")
    with pytest.raises(QuestionSetError, match=r"set\.jsonl:1: evidence 'pas dans le texte' is not in"):
        load_question_set(path, document_texts=["autre texte"])


def test_yaml_and_csv_sets(tmp_path):
    (tmp_path / "s.yaml").write_text("- question: Qui ?\n  answers: [Kozlov]\n  answerable: true\n", encoding="utf-8")
    (tmp_path / "s.csv").write_text("id,question,answers,answerable\nq1,Qui ?,Kozlov|Kim,yes\n", encoding="utf-8")
    assert load_question_set(tmp_path / "s.yaml")[0].answers == ("Kozlov",)
    item = load_question_set(tmp_path / "s.csv")[0]
    assert item.answers == ("Kozlov", "Kim") and item.answerable and item.line == 2


def test_project_question_set_is_valid_and_large_enough(bundled_text):
    items = load_question_set(QUESTIONS, document_texts=[bundled_text])
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


def test_cli_eval_reports_compares_and_gates(tmp_path, model_cache):
    env = {"CITECHAT_STORE__PATH": str(tmp_path / "s"), "CITECHAT_EMBEDDING__CACHE_DIR": str(model_cache)}
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
            "mode=dense",
            "--fail-under",
            "verbatim_rate=1.0",
        ],
        env=env,
    )
    assert ok.exit_code == 0, ok.output
    assert "mode=dense" in ok.output and "answer_accuracy" in ok.output
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "<svg" in page and "accuracy by tag" in page
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
