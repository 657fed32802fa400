# The two commands of the README: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup run test bench schema clean

$(BIN)/wivcheck: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/wivcheck

setup: $(BIN)/wivcheck

# Check the shipped example provisions on the shipped rules, record them in the decision log
# (WIVCHECK_DB, default ~/.local/share/wivcheck/decisions.sqlite3) and verify the log.
run: setup
	$(BIN)/wivcheck rules list
	@for f in examples/*.yaml; do echo "== $$f"; $(BIN)/wivcheck check --record "$$f"; echo "   (exit code $$?)"; done
	$(BIN)/wivcheck log verify

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python bench/bench_engine.py
	$(BIN)/python bench/bench_ledger.py
	$(BIN)/python bench/bench_policy.py
	$(BIN)/python bench/bench_batch.py
	$(BIN)/python bench/bench_gate.py
	$(BIN)/python bench/load_http.py

schema: setup
	$(BIN)/wivcheck rules schema > rules/ruleset.schema.json

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
