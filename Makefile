# The two commands (see README.md). Each sets itself up on a fresh machine.
.PHONY: dashboard test lint

dashboard:
	@bash scripts/setup.sh
	.venv/bin/streamlit run app.py --server.headless true

test:
	@bash scripts/setup.sh --test
	.venv/bin/ruff check .
	.venv/bin/python -m pytest -n 2

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
