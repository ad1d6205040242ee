# Argus — the two commands a newcomer needs are `make dev` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PIP_DISABLE_PIP_VERSION_CHECK := 1

PORT ?= 8000

.PHONY: help dev test bench synth sizes lint schema layer clean install-local install-dev graphiql

help:
	@echo "make dev     install what the local stack needs and run it (GraphiQL on http://127.0.0.1:$(PORT)/graphql)"
	@echo "make test    install everything and run the whole test suite"
	@echo "make bench   run the benchmarks (ratios against baselines measured in the same run)"
	@echo "make synth   synthesize the CDK app offline (cdk-nag + cfn-lint), then print the function sizes"
	@echo "make sizes   build the Lambda assets and print each function's unzipped size (code + layer)"
	@echo "make lint    ruff + mypy"
	@echo "make schema  export schema/schema.graphql from the code"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Runtime + local stack only: enough for `make dev`.
$(VENV)/.local-installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet -c requirements.lock -e '.[local]'
	@touch $@

# Everything: tests, CDK, linters.
$(VENV)/.dev-installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $(VENV)/.local-installed $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# GraphiQL's assets (pinned in package.json), served by the local stack: no CDN, no internet. `make dev`
# installs only the npm dependencies (not the CDK CLI) unless node_modules is already up to date, then
# copies the files the page loads into build/graphiql.
GRAPHIQL_DIR := build/graphiql
$(GRAPHIQL_DIR)/.built: package.json package-lock.json functions/argus/local/graphiql/__init__.py | $(VENV)/.local-installed
	@if [ ! node_modules/.package-lock.json -nt package-lock.json ]; then \
		npm ci --omit=dev --no-audit --no-fund --loglevel=error; fi
	$(BIN)/python -m argus.local.graphiql $(GRAPHIQL_DIR)
	@touch $@

graphiql: $(GRAPHIQL_DIR)/.built

install-local: $(VENV)/.local-installed
install-dev: $(VENV)/.dev-installed node_modules/.installed

dev: install-local graphiql
	$(BIN)/argus dev --port $(PORT)

layer: install-dev
	$(BIN)/python layers/build.py

test: install-dev layer graphiql
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: install-dev
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.point_lookup
	$(BIN)/python -m benchmarks.captain_hub
	$(BIN)/python -m benchmarks.hotspots
	$(BIN)/python -m benchmarks.timeline
	$(BIN)/python -m benchmarks.pattern_job
	$(BIN)/python -m benchmarks.local_stack
	$(BIN)/python -m benchmarks.local_throughput

synth: install-dev layer
	rm -rf cdk.out
	npx --no-install cdk synth --quiet
	$(BIN)/cfn-lint --ignore-checks W3005 -- cdk.out/*.template.json
	$(BIN)/python layers/sizes.py

sizes: layer
	$(BIN)/python layers/sizes.py

lint: install-dev
	$(BIN)/ruff check functions infra tests benchmarks layers
	$(BIN)/ruff format --check functions infra tests benchmarks layers
	$(BIN)/mypy

schema: install-local
	$(BIN)/argus schema schema/schema.graphql

clean:
	rm -rf cdk.out layers/build build/graphiql .pytest_cache .mypy_cache .ruff_cache
