# The two commands (see README.md). Each sets itself up on a fresh machine.
.PHONY: dashboard test lint upgrade

# The dashboard listens on this machine only; ADDRESS=0.0.0.0 (with a login configured in
# HOTSPOTS_CONFIG, or behind an authenticating proxy) to open it to the network.
ADDRESS ?= 127.0.0.1

# Streamlit, with the Map page's modules imported while the browser loads (hotspots/views/
# dashboard/serve.py): the same arguments as `streamlit run`.
dashboard:
	@bash scripts/setup.sh
	.venv/bin/python -m hotspots.views.dashboard.serve run app.py --server.headless true \
		--server.address $(ADDRESS)

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
