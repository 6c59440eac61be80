# Two commands on a fresh machine: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DIST_STAMP := $(VENV)/.installed-distributed
SETUP_LOG := $(VENV)/setup.log
WAREHOUSE ?= warehouse
# the browser the report test renders pages with (Debian's package)
CHROMIUM ?= /usr/bin/chromium

.PHONY: setup run test lint eval bench clean chromium redis setup-distributed test-distributed

setup: $(STAMP)

# One short line per step; pip's own output goes to $(SETUP_LOG), and its tail is shown only on failure.
$(STAMP): pyproject.toml constraints.txt
	@echo "setup: virtual environment $(VENV)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@: > $(SETUP_LOG)
	@echo "setup: pip (log: $(SETUP_LOG))"
	@$(BIN)/python -m pip install --upgrade "pip>=24" >> $(SETUP_LOG) 2>&1 \
		|| { tail -n 30 $(SETUP_LOG); echo "setup: pip upgrade failed, see $(SETUP_LOG)"; exit 1; }
	@echo "setup: news-etl and its dependencies, pinned by constraints.txt"
	@$(BIN)/python -m pip install -c constraints.txt -e ".[airflow,dev]" >> $(SETUP_LOG) 2>&1 \
		|| { tail -n 30 $(SETUP_LOG); echo "setup: install failed, see $(SETUP_LOG)"; exit 1; }
	@touch $(STAMP)
	@echo "setup: done ($$($(BIN)/news-etl --version))"

# Headless Chromium for the report test; CI runs as root with Debian's registry reachable.
chromium:
	@test -x $(CHROMIUM) || { \
		echo "chromium: installing Debian's chromium package (log: /tmp/news-etl-chromium.log)"; \
		{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-dejavu-core; } \
			> /tmp/news-etl-chromium.log 2>&1 \
		|| { tail -n 30 /tmp/news-etl-chromium.log; echo "chromium: install failed"; exit 1; }; }

# The broker of the distributed test: Debian's redis-server (the test starts its own on a free port).
redis:
	@command -v redis-server >/dev/null || test -x /usr/bin/redis-server || { \
		echo "redis: installing Debian's redis-server package (log: /tmp/news-etl-redis.log)"; \
		{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server; } \
			> /tmp/news-etl-redis.log 2>&1 \
		|| { tail -n 30 /tmp/news-etl-redis.log; echo "redis: install failed"; exit 1; }; }

# The Celery provider, Celery and the Redis client on top of setup (extra `distributed`).
setup-distributed: $(DIST_STAMP)

$(DIST_STAMP): $(STAMP) pyproject.toml constraints.txt
	@echo "setup: the distributed extra (CeleryExecutor, Redis client), pinned by constraints.txt"
	@$(BIN)/python -m pip install -c constraints.txt -e ".[airflow,dev,distributed]" >> $(SETUP_LOG) 2>&1 \
		|| { tail -n 30 $(SETUP_LOG); echo "setup: install failed, see $(SETUP_LOG)"; exit 1; }
	@touch $(DIST_STAMP)

# Airflow's CeleryExecutor with two workers sharing no folder, Redis, PostgreSQL and SeaweedFS,
# all started by the test (tests/distributed/, not part of `make test`). About 5 minutes on 2 cores.
test-distributed: setup-distributed redis
	$(BIN)/python -m pytest -q tests/distributed

run: setup
	$(BIN)/news-etl run seeds --warehouse $(WAREHOUSE)

test: setup chromium
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check etl dags tests
	$(BIN)/mypy etl

eval: setup
	$(BIN)/news-etl eval ner --conll ../shared/data/conll2003/conllpp_dev.txt
	$(BIN)/news-etl eval quotes --gold ../shared/data/polnear/dev

bench: setup
	$(BIN)/python tests/bench/bench_pipeline.py --corpus ../shared/data/bbc_news/bbc
	$(BIN)/python tests/bench/bench_copy.py --rows 1000000
	$(BIN)/python tests/bench/bench_hostile.py --processes 2
	$(BIN)/python tests/bench/bench_scale.py --corpus ../shared/data/bbc_news/bbc

clean:
	rm -rf $(WAREHOUSE) .pytest_cache
