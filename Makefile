# Two commands on a fresh machine: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WAREHOUSE ?= warehouse

.PHONY: setup run test lint eval bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[airflow,dev]"
	touch $(STAMP)

run: setup
	$(BIN)/news-etl run seeds --warehouse $(WAREHOUSE)

test: setup
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check etl dags tests
	$(BIN)/mypy etl

eval: setup
	$(BIN)/news-etl eval ner --conll ../shared/data/conll2003/conllpp_dev.txt
	$(BIN)/news-etl eval quotes --gold ../shared/data/polnear/dev

bench: setup
	$(BIN)/python tests/bench/bench_pipeline.py --corpus ../shared/data/bbc_news/bbc

clean:
	rm -rf $(WAREHOUSE) .pytest_cache
