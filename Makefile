# citechat: `make chat` and `make test` are all a new machine needs.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.citechat-installed
TEST_STAMP := $(VENV)/.citechat-test-installed
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: chat test install lint eval bench model clean

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
	$(PIP) install --quiet -e ".[test,llm]"
	touch $@

install: $(STAMP)

chat: $(STAMP)
	$(VENV)/bin/citechat ingest
	$(VENV)/bin/citechat chat

test: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest
	CITECHAT_STORE__PATH=$$(mktemp -d)/chroma $(VENV)/bin/citechat eval tests/data/questions.jsonl \
		--html docs/eval-report.html --fail-under answer_accuracy=0.945 --fail-under evidence_cited=0.945 \
		--fail-under verbatim_rate=1.0 --fail-under false_abstention_rate=0.03 \
		--fail-under abstention_accuracy=0.88 --fail-under language_match=0.95 --fail-under median_chars=250
	CITECHAT_STORE__PATH=$$(mktemp -d)/chroma $(VENV)/bin/citechat eval tests/data/heldout.jsonl \
		--fail-under answer_accuracy=0.93 --fail-under abstention_accuracy=0.8 --fail-under verbatim_rate=1.0

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .

eval: $(STAMP)
	$(VENV)/bin/citechat eval tests/data/questions.jsonl --html docs/eval-report.html --json docs/eval-report.json

bench: $(TEST_STAMP)
	$(PY) bench/answer_latency.py
	$(PY) bench/llm_latency.py

model: $(TEST_STAMP)
	$(PY) -m tests.llm_model

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
