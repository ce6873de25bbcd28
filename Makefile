# Trove: `make run` serves the app, `make test` runs every test.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CODEGEN := $(VENV)/codegen
CODEGEN_STAMP := $(CODEGEN)/.installed
NPM_STAMP := node_modules/.installed
DOCS_UI := backend/trove/data/docs/swagger-ui
DOCS_UI_STAMP := $(DOCS_UI)/.installed
SWAGGER_UI_FILES := swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE

# The API reference page's files come from npm; without npm, `make run`
# still serves everything else.
ifneq ($(shell command -v npm 2>/dev/null),)
RUN_EXTRAS := $(DOCS_UI_STAMP)
endif

.PHONY: run test migrate bench load clean

$(STAMP): requirements.txt requirements-test.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Trove needs Python 3.11 or newer"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-test.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# npm's packages: the API reference page's files and the contract tools.
$(NPM_STAMP): package.json package-lock.json .npmrc
	npm ci
	touch $@

# Swagger UI's files, which Trove serves at /api/v1/docs; not committed.
$(DOCS_UI_STAMP): $(NPM_STAMP)
	mkdir -p $(DOCS_UI)
	cp $(addprefix node_modules/swagger-ui-dist/,$(SWAGGER_UI_FILES)) $(DOCS_UI)/
	touch $@

# openapi-python-client pins httpx below the version Trove runs: its own venv.
$(CODEGEN_STAMP): requirements-codegen.txt | $(STAMP)
	$(PYTHON) -m venv $(CODEGEN)
	$(CODEGEN)/bin/pip install --quiet -r requirements-codegen.txt
	touch $@

run: $(STAMP) $(RUN_EXTRAS)
	$(BIN)/trove migrate
	$(BIN)/trove serve

migrate: $(STAMP)
	$(BIN)/trove migrate

test: $(STAMP) $(DOCS_UI_STAMP) $(CODEGEN_STAMP)
	$(BIN)/pytest

# Benchmarks against a bare Sanic app (bench/README.md); needs wrk.
bench: $(STAMP)
	$(BIN)/python -m bench
	$(BIN)/python -m bench.login_timing

# The long form of the load test (tests/load/ runs a short one).
load: $(STAMP)
	$(BIN)/python -m bench.load --users 100 --seconds 120

clean:
	rm -rf $(VENV) var test-artifacts .pytest_cache node_modules $(DOCS_UI)
