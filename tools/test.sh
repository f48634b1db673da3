#!/usr/bin/env bash
# Set up and run every test: installs (apt, pip), notebook/package sync, nbdev_test on every notebook, pytest.
# Usage: PNEUMO_DATA=path/to/chest_xray bash tools/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${PNEUMO_DATA:?set PNEUMO_DATA to the chest_xray dataset folder (pneumo_download --out data fetches it)}"
export PNEUMO_DATA="$(realpath "$PNEUMO_DATA")"
export MPLBACKEND=Agg
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo

echo "== setup"
# CJK fonts for the plots and pages; Chromium and its driver for the browser checks of the site
if ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq fonts-noto-cjk chromium chromium-driver >/dev/null
fi
python -m pip install -q -e ".[dev]"
# the notebooks' Jupyter kernel (see README: JupyterLab then opens them unmodified)
python -m ipykernel install --sys-prefix --name pneumo_nb --display-name pneumo_nb >/dev/null
# matplotlib caches the font list; rebuild it so a freshly installed CJK font is seen
python -c "import matplotlib.font_manager as fm; fm._load_fontmanager(try_read_cache=False)"

echo "== notebooks are the source: export and clean must change nothing"
nbdev_export && nbdev_clean
python tools/make_readme.py --check
if git rev-parse --git-dir >/dev/null 2>&1 && [ -n "$(git status --porcelain -- pneumo_nb nbs README.md)" ]; then
  git status --porcelain -- pneumo_nb nbs README.md
  echo "error: nbdev_export/nbdev_clean changed files; commit the exported package and clean notebooks"; exit 1
fi

echo "== nbdev_test (quick settings)"
time nbdev_test --n_workers 2

echo "== pytest (includes building the site with pneumo_docs and checking it in headless Chromium)"
status=0
python -m pytest tests/ -q -p no:cacheprovider || status=$?
if ls ci-artifacts/screenshots/*.png >/dev/null 2>&1; then
  echo "== screenshots of the site, one per page:"; ls -1 "$PWD"/ci-artifacts/screenshots/*.png
fi
exit $status
