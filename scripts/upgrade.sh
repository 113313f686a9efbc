#!/usr/bin/env bash
# `make upgrade`: resolve the newest versions pyproject.toml allows for hotspots and its test
# tools, write them to requirements/constraints.txt (the pins scripts/setup.sh installs), and
# install them; `make upgrade` then runs the tests. Keep the new file only if they pass.
# Arguments go to pip's resolver, e.g. `-c FILE` to pin the versions of another environment
# (`pip freeze --exclude-editable > FILE`).
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$py" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
report=$(mktemp)
trap 'rm -f "$report"' EXIT
.venv/bin/python -m pip install --quiet --dry-run --ignore-installed --report "$report" \
  "$@" -e ".[test]"
.venv/bin/python - "$report" requirements/constraints.txt <<'PY'
import json
import platform
import sys

report, out = sys.argv[1:]
pins = sorted(
    (
        (item["metadata"]["name"], item["metadata"]["version"])
        for item in json.load(open(report, encoding="utf-8"))["install"]
        if item["metadata"]["name"].lower() != "hotspots"
    ),
    key=lambda pin: pin[0].lower(),
)
python = f"{platform.python_implementation()} {platform.python_version()}"
where = f"{platform.system()} {platform.machine()}"
with open(out, "w", encoding="utf-8") as f:
    f.write(
        "# The versions `make test` passed with: every package hotspots and its test tools need\n"
        f'# (pyproject.toml with the "test" extra), resolved on {python}, {where}.\n'
        "# scripts/setup.sh installs with `pip install -c requirements/constraints.txt -e .[test]`.\n"
        "# Do not edit by hand: `make upgrade` re-resolves the newest versions pyproject.toml\n"
        '# allows, rewrites this file and runs the tests (README.md, "Pinned versions").\n'
    )
    f.writelines(f"{name}=={version}\n" for name, version in pins)
print(f"upgrade: {len(pins)} versions pinned in {out}")
PY
