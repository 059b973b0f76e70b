# «Госпаблики Томской области»: two commands for a newcomer — `make run` and `make test`.
# the first interpreter that really runs (pyenv shims may name versions that are not installed) and is ≥ 3.11
PYTHON_SYSTEM ?= $(shell for p in python3.13 python3.12 python3.11 python3; do $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
STAMP := $(VENV)/.requirements-installed

.PHONY: run test venv db demo clean

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON_SYSTEM) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $(STAMP)

venv: $(STAMP)

db: venv
	$(PY) cli.py init-db

demo: db
	$(PY) cli.py demo --if-empty

# Safe by default: without authentication the app answers this machine only (127.0.0.1); with GOSPABLIKI_AUTH=1
# it listens on every interface — put it behind a reverse proxy with TLS (README «Развёртывание»)
AUTH_ON := $(filter 1 true yes on,$(shell echo '$(GOSPABLIKI_AUTH)' | tr '[:upper:]' '[:lower:]' | tr -d ' '))
ADDRESS := $(if $(AUTH_ON),0.0.0.0,127.0.0.1)

# the ratings are computed and stored before the server starts (a no-op when the data has not changed); serve.py
# imports what the screens need and checks the schema before it listens, so the first screen only reads and draws
run: demo
	$(PY) cli.py refresh
	$(PY) serve.py app.py --server.port $(PORT) --server.address $(ADDRESS) \
		$(if $(CI),--server.headless true,)

test: venv
	$(PY) -m pytest

clean:
	rm -rf $(VENV) data/gospabliki.sqlite3* data/demo data/templates data/bench
