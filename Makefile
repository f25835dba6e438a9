# IMET Pipeline - the two commands: `make run` and `make test`.
# Both set up everything on a fresh machine (Python 3.11+, git, make): a virtualenv, the
# dependencies, and - unless DATABASE_URL / KAFKA_BOOTSTRAP_SERVERS are given - an embedded
# PostgreSQL and an embedded Kafka-protocol broker.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Workers for pytest-xdist: one per core plus one, as the suite waits on I/O (events,
# processes) about as much as it computes (measured: docs/adr/0012-test-suite-on-slow-machines.md).
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 1)')
SERVICES := catalog nomination vetting funding reporting gateway

.PHONY: run stop test test-faults test-fast test-slow-machine lint fmt bench clean help

help:
	@echo "make run    - set up and run the whole stack (gateway on http://127.0.0.1:8000)"
	@echo "make stop   - stop a stack started by 'make run' (from another shell)"
	@echo "make test   - set up and run the whole test suite"
	@echo "make lint   - ruff, mypy and import contracts"
	@echo "make bench  - benchmarks; results in bench/results/"

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[embedded,dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/imet run

stop: $(STAMP)
	$(BIN)/imet stop

# The whole suite but the slow fault scenarios (each streams 1,000+ nominations through a fault;
# `make test-faults` and CI run them).
test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup -q -m "not slow"

test-faults: $(STAMP)
	IMET_RECORD_RESULTS=1 $(BIN)/python -m pytest -q -m slow tests/faults

# The fast tier: pure rules and in-memory use cases; it starts no PostgreSQL and no broker.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q services/*/tests/unit tests/unit

# The whole suite on a machine made slower on purpose: one core kept busy by the harness's own
# CPU hog (stopped when the run ends) and every deadline scaled by 3.
test-slow-machine: $(STAMP)
	IMET_TEST_CPU_HOG=1 IMET_TEST_TIME_SCALE=3 $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy shared imet $(foreach s,$(SERVICES),services/$(s)/$(s))
	$(BIN)/lint-imports

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache
