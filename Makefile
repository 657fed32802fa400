# The two commands of the README: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup run test bench faults schema docs clean

# durable_rules (the rule engine's C core) imports on Python 3.11 and 3.12 only (see pyproject.toml)
$(BIN)/wivcheck: pyproject.toml
	@$(PY) -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 13))' || { \
	  echo "wivcheck needs Python 3.11 or 3.12 (durable_rules does not import on 3.13 or later);"; \
	  echo "this is $$($(PY) --version 2>/dev/null || echo 'no $(PY) found'). Run: make run PY=python3.12  (or python3.11)"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/wivcheck

setup: $(BIN)/wivcheck

# Check the shipped example provisions on the shipped rules, record them in a demo decision log
# (DEMO_DB, default build/demo-decisions.sqlite3: not the user's own log), show the escalations
# waiting for the head of service, and verify that log. The approved example's approval is written by
# hand (no log holds it): it is checked --offline, not recorded, and shown as unverified.
DEMO_DB ?= build/demo-decisions.sqlite3
run: setup
	@mkdir -p $(dir $(DEMO_DB)) && rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/wivcheck rules list
	@for f in examples/*.yaml examples/routes/*.yaml; do echo "== $$f"; case "$$f" in \
	  */approved-*) $(BIN)/wivcheck check --offline "$$f";; \
	  *) $(BIN)/wivcheck check --record --db $(DEMO_DB) "$$f";; esac; echo "   (exit code $$?)"; done
	$(BIN)/wivcheck log escalations --role diensthoofd --db $(DEMO_DB)
	$(BIN)/wivcheck log verify --db $(DEMO_DB)

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python bench/bench_engine.py
	$(BIN)/python bench/bench_ledger.py
	$(BIN)/python bench/bench_policy.py
	$(BIN)/python bench/bench_batch.py
	$(BIN)/python bench/bench_gate.py
	$(BIN)/python bench/load_http.py
	$(BIN)/python bench/bench_memory.py
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/bench_peers.py

# bad inputs of every kind through CLI, API and page (docs/security.md); fails on any decision
faults: setup
	$(BIN)/python bench/fault_run.py

schema: setup
	$(BIN)/wivcheck rules schema > rules/ruleset.schema.json

# docs/provision.md from the field reference and the model (a test fails when it is stale)
docs: setup
	$(BIN)/wivcheck provision doc > docs/provision.md

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
