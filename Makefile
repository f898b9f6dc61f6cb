# Realpolitik: `make demo` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: setup demo test bench bench-live bench-scale bench-store lint fuzz clean train

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/realpolitik demo --db realpolitik.duckdb
	@echo "(installed in .venv: run .venv/bin/realpolitik serve --db realpolitik.duckdb)"

test: setup
	$(BIN)/python -m pytest -q

# Rebuild the event typing models: English from training/data, multilingual from
# training/data + training/multilingual (deterministic; a few CPU minutes).
train: setup
	$(BIN)/python -m realpolitik.events.train --compare
	$(BIN)/python -m realpolitik.events.train_multilingual
	$(BIN)/python -m realpolitik.events.role_scorer

# only the learned target scorer of the roles component (events/models/roles.json)
train-roles: setup
	$(BIN)/python -m realpolitik.events.role_scorer

bench: setup
	$(BIN)/python bench/run.py

# `realpolitik watch` on 20 local feeds polled every 5 s for 2 minutes: memory and dedup.
bench-live: setup
	$(BIN)/python bench/live_watch.py

# Scale: ingest / bare spaCy, grouping cost at 1k-200k stored articles, largest story,
# Ray with 1 and 2 workers; then the store benchmark if that target exists.
# Smaller while developing: make bench-scale SCALE_ARGS="--happenings 20 --sizes 1000,5000"
bench-scale: setup
	cd bench && ../$(BIN)/python scale.py $(SCALE_ARGS)
	@if grep -q '^bench-store:' Makefile; then $(MAKE) bench-store; fi

# The store and the API at 1,000,000 events (synthesised from the demo's coded records).
bench-store: setup
	$(BIN)/python bench/store_scale.py

fuzz: setup
	$(BIN)/python -m tests.fuzz.run

lint: setup
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) realpolitik.duckdb bench/out .pytest_cache .ruff_cache
