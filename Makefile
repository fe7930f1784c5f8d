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
# pdf.js (Firefox's PDF engine) under Node, pinned in tools/pdfjs: the forms tests fill the
# forms with it as a partner's browser would.
PDFJS := tools/pdfjs
PDFJS_STAMP := $(PDFJS)/node_modules/.installed

.PHONY: run test setup system lint clean messages

# Create or migrate the database, print a new admin API key and a new admin sign-in once,
# serve on http://127.0.0.1:8000 (plain http on this machine: the session cookie may not
# require HTTPS here; behind an HTTPS proxy leave DOCGEN_SESSION_COOKIE_SECURE alone).
run: setup
	$(PY) -m docgen db upgrade
	$(PY) -m docgen partners import-seeds
	@echo "Admin API key (shown once, keep it):"
	@$(PY) -m docgen apikeys create "admin-$$(date +%Y%m%d-%H%M%S)" --scope admin
	@user="admin-$$(date +%Y%m%d-%H%M%S)@localhost"; \
	  echo "Web pages: open http://127.0.0.1:8000/ and sign in as $$user with the password"; \
	  echo "(shown once; more users: docgen users create EMAIL --role admin|officer|viewer):"; \
	  $(PY) -m docgen users create "$$user" --role admin
	DOCGEN_SESSION_COOKIE_SECURE=false $(PY) -m docgen serve --host 127.0.0.1 --port 8000

test: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) -m pytest -q

setup: system $(STAMP) $(UNO_STAMP) $(PDFJS_STAMP)

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

$(PDFJS_STAMP): $(PDFJS)/package.json $(PDFJS)/package-lock.json | system
	cd $(PDFJS) && npm ci --no-audit --no-fund
	touch $(PDFJS_STAMP)

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# After changing interface text: extract it, merge it into the catalogs (translate the new
# entries in docgen/web/translations/ro/LC_MESSAGES/messages.po), compile the .mo files.
messages: setup
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l --no-location --sort-output --omit-header \
	  -o docgen/web/translations/messages.pot .
	$(VENV)/bin/pybabel update -i docgen/web/translations/messages.pot \
	  -d docgen/web/translations --no-fuzzy-matching --width 100
	$(VENV)/bin/pybabel compile -d docgen/web/translations

clean:
	rm -rf $(VENV) $(UNO_VENV) $(PDFJS)/node_modules .pytest_cache .ruff_cache
