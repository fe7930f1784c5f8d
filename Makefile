# Two commands for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The LibreOffice pool's servers need `import uno`, which only Debian's own python3 has
# (python3-uno): they run from a small venv of their own that sees the system packages
# and holds unoserver. docgen finds it beside $(VENV), or through DOCGEN_PDF_PYTHON.
UNO_PYTHON ?= /usr/bin/python3
UNO_VENV ?= .venv-uno
UNO_STAMP := $(UNO_VENV)/.installed

.PHONY: run test setup system lint clean

# Create or migrate the database, print a new admin API key once, serve on 127.0.0.1:8000.
run: setup
	$(PY) -m docgen db upgrade
	@echo "Admin API key (shown once, keep it):"
	@$(PY) -m docgen apikeys create "admin-$$(date +%Y%m%d-%H%M%S)" --scope admin
	$(PY) -m docgen serve --host 127.0.0.1 --port 8000

test: setup
	$(PY) -m ruff check .
	$(PY) -m pytest -q

setup: system $(STAMP) $(UNO_STAMP)

system:
	@scripts/ensure-system.sh

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

$(UNO_STAMP): | system
	$(UNO_PYTHON) -m venv --system-site-packages $(UNO_VENV)
	$(UNO_VENV)/bin/python -m pip install -q 'unoserver>=3.0,<4'
	$(UNO_VENV)/bin/python -c 'import uno, unoserver.converter'
	touch $(UNO_STAMP)

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

clean:
	rm -rf $(VENV) $(UNO_VENV) .pytest_cache .ruff_cache
