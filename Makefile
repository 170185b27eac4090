# fyhub — the two commands a newcomer needs: `make up` and `make test`. Every target is idempotent.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
JARS := build/kafka/jars
POM := deploy/local/pom.xml
PG := deploy/local/postgres.sh
# Where the tests' PostgreSQL lived before it moved to build/test/postgres: `make down` stops it.
OLD_TEST_PG := FYHUB_LOCAL_PG_DIR=$(CURDIR)/.fyhub/postgres FYHUB_LOCAL_PG_PORT=55432 bash $(PG)
# helm, built from its Go module at a pinned version (the chart's tests run build/tools/helm).
HELM_VERSION := v4.3.2
HELM_STAMP := build/tools/.helm-$(HELM_VERSION)
# Go where PATH has it, else where its official archive installs it.
GO ?= $(shell command -v go || echo /usr/local/go/bin/go)

.PHONY: help up down test test-faults unit lint format contracts venv jars postgres debian-tools helm compose-schema bench clean

help:
	@echo "make up     set everything up and run the hub on this machine"
	@echo "make test   set everything up and run the whole test suite (real Kafka, SQLite, PostgreSQL)"
	@echo "make test-faults  only the fault tests: broker, router, PostgreSQL and cluster lost mid-stream"
	@echo "make unit   the tests that need no broker, server database or browser (the edit-test loop)"
	@echo "make lint   ruff, mypy, the import layers and the contract drift check"
	@echo "make down   stop the local broker and the tests' PostgreSQL"
	@echo "make helm   build helm $(HELM_VERSION) from its Go module into build/tools (make test needs it)"

# --- set-up ---------------------------------------------------------------------------------------
venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "fyhub needs Python 3.11 or newer; found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

jars: $(JARS)/.resolved
$(JARS)/.resolved: $(POM)
	@command -v mvn >/dev/null || { echo "Maven (mvn) is needed to fetch the Kafka broker jars; install it (apt-get install maven)"; exit 1; }
	@command -v java >/dev/null || { echo "Java 17+ is needed to run the Kafka broker; install it (apt-get install openjdk-17-jre-headless)"; exit 1; }
	rm -rf $(JARS)
	mvn -B -q -f $(POM) dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=$(CURDIR)/$(JARS)
	@touch $@

postgres:
	bash $(PG) up

# The Compose Specification's JSON schema (pinned npm package) that tests/deploy/test_compose.py
# validates deploy/compose/compose.yaml against; the test fetches it too when it is missing.
compose-schema: venv
	$(BIN)/python -m tests.fixtures.compose_schema

debian-tools:
	bash deploy/local/debian-tools.sh

# About 3 minutes on a fresh machine (empty Go caches, 2 cores), seconds once they are warm; the
# stamp names the version, so changing HELM_VERSION rebuilds it.
helm: $(HELM_STAMP)
$(HELM_STAMP):
	@[[ -x "$(GO)" ]] || { echo "Go 1.24+ is needed to build helm; install it (https://go.dev/doc/install)"; exit 1; }
	rm -f build/tools/.helm-*
	GOBIN=$(CURDIR)/build/tools $(GO) install helm.sh/helm/v4/cmd/helm@$(HELM_VERSION)
	@touch $@

# --- the two commands -----------------------------------------------------------------------------
up: venv jars
	$(BIN)/fyhub up

down: venv
	-$(BIN)/fyhub kafka down
	-$(BIN)/fyhub kafka down --cluster
	-bash $(PG) down
	-if [[ -d .fyhub/postgres/data ]]; then $(OLD_TEST_PG) down; fi

# The suite runs on a broker (build/test/kafka/, free ports) and a PostgreSQL (build/test/postgres/,
# port 55433) of its own, and fails when it wrote anything under .fyhub/.
test: venv jars postgres debian-tools helm compose-schema
	FYHUB_TEST_POSTGRES_URL="$$(bash $(PG) url)" $(BIN)/pytest --durations=20

unit: venv
	$(BIN)/pytest tests/unit -q

# The four fault tests alone (a broker, a router, PostgreSQL, the whole cluster lost mid-stream on
# a production-shaped hub: docs/testing.md); `make test` runs them too.
test-faults: venv jars
	$(BIN)/pytest tests/faults -rA

# The bench starts a broker (build/bench/kafka/) and a PostgreSQL (build/bench/postgres/) of its own,
# on free ports, and removes them at the end; BENCH_ARGS=--quick for a short development run.
bench: venv jars
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# --- code health ----------------------------------------------------------------------------------
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m schemas.generate --check

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

contracts: venv
	$(BIN)/python -m schemas.generate

clean: down
	rm -rf build .fyhub $(VENV)
