# Two commands do all the set-up on a fresh machine with python3 (3.11+) and make:
#   make demo   builds the embedded demo municipality and writes maps/index.html
#   make test   runs the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
CONFIG ?= config/demo.yaml
export DAGSTER_HOME := $(CURDIR)/.dagster
export DAGSTER_DISABLE_TELEMETRY := 1
export OGW_DATALAB_CONFIG := $(abspath $(CONFIG))

.PHONY: demo test test-quick dev docs schemas lint lock clean benchmark benchmark-quick benchmark-scale

$(INSTALLED): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.8
	$(BIN)/uv pip install --python $(BIN)/python --quiet --compile-bytecode \
		-r requirements.lock -e '.[dev,celery,docs]'
	touch $(INSTALLED)

demo: $(INSTALLED)
	$(BIN)/ogw-datalab build --config $(CONFIG)

# Both cores (pytest-xdist): the tests sharing an expensive build are one unit for one worker (tests/conftest.py);
# a single file runs in one process as usual (.venv/bin/pytest tests/test_x.py, or add -n 0 here).
# The tests start Python processes of their own (builds, Celery workers, Dagster's command line); each reads the
# project's modules as compiled here once, also where PYTHONDONTWRITEBYTECODE is set (as on CI), instead of
# compiling all of them again (about 0.3 CPU s a process).
test: $(INSTALLED)  # every test uses a temporary Dagster instance, never .dagster/
	$(BIN)/python -m compileall -q ogw_datalab pipelines benchmarks deploy
	env -u DAGSTER_HOME $(BIN)/pytest -n auto --dist loadgroup --durations=30

# While changing code: every test but those that build the whole pipeline, open pages in Chromium or start Celery
# (markers e2e, browser, scale); about a fifth of the time of make test. make test stays the gate.
test-quick: $(INSTALLED)
	$(BIN)/python -m compileall -q ogw_datalab pipelines benchmarks deploy
	env -u DAGSTER_HOME $(BIN)/pytest -n auto --dist loadgroup --durations=10 -m "not e2e and not browser and not scale"

dev: $(INSTALLED)  # the UI and the daemon, as Dagster recommends: dg dev, with the project's venv active
	$(BIN)/ogw-datalab demo-data --config $(CONFIG)
	VIRTUAL_ENV=$(abspath $(VENV)) PATH=$(abspath $(BIN)):$$PATH $(BIN)/dg dev -h 127.0.0.1 -p 3000

benchmark: $(INSTALLED)  # spatial: about 17 CPU-minutes, exits 1 when a method fails or differs, 2 when a target is missed; then scale
	$(BIN)/python -m benchmarks.run_benchmarks; spatial=$$?; $(MAKE) benchmark-scale || exit $$?; exit $$spatial

SIZES ?= 1,10,50,all
WORKERS ?= 1
benchmark-scale: $(INSTALLED)  # builds SIZES gemeenten of config/nederland_2015.yaml from scratch, then opens every site of the last size in Chromium; exits 1 when one fails
	env -u DAGSTER_HOME $(BIN)/python -m benchmarks.scale --sizes $(SIZES) --workers $(WORKERS) --check-sites

benchmark-quick: $(INSTALLED)  # 1 M points instead of 10 M; results still compared, targets not judged
	$(BIN)/python -m benchmarks.run_benchmarks --quick

docs: $(INSTALLED)  # the documentation site in site/ (open site/index.html from disk); generated pages first
	$(BIN)/python docs/scripts/generate_pages.py
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

schemas: $(INSTALLED)  # config/*.schema.json from the models again, after a change to a model, a formula type or a reader kind
	$(BIN)/python -m ogw_datalab.schemas config

lint: $(INSTALLED)
	$(BIN)/ruff check ogw_datalab pipelines tests benchmarks deploy docs/scripts docs/hooks
	$(BIN)/ruff format --check ogw_datalab pipelines tests benchmarks deploy docs/scripts docs/hooks
	$(BIN)/mypy

lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra celery --extra docs -o requirements.lock

clean:
	rm -rf data/demo data/demo_2023 data/jaren data/maps_2023 data/cache data/inbox data/*.duckdb data/*.duckdb.wal \
		maps/*.html maps/downloads maps/assets maps/methoden maps/alphen maps.bouw maps.oud \
		site docs/_generated
