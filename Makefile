# The two commands (see README.md). Each sets itself up on a fresh machine.
.PHONY: dashboard test lint upgrade

dashboard:
	@bash scripts/setup.sh
	.venv/bin/streamlit run app.py --server.headless true

# Checks before the suite: lint, the import contract (pyproject.toml, [tool.importlinter]:
# imports point down the layers, Streamlit only in the dashboard) and the type check.
test:
	@bash scripts/setup.sh --test
	.venv/bin/ruff check .
	.venv/bin/lint-imports
	.venv/bin/mypy
	.venv/bin/python -m pytest -n 2

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

# Newest versions pyproject.toml allows, written to requirements/constraints.txt, then the tests.
upgrade:
	bash scripts/upgrade.sh
	$(MAKE) test
