#!/usr/bin/env bash
# Set up and run the tests: installs (apt, pip), notebook/package sync, nbdev_test on every notebook, pytest.
# Usage: bash tools/test.sh           every test; the dataset from $PNEUMO_DATA, else data/chest_xray, fetched when missing
#        bash tools/test.sh --quick   the tests that need no dataset (the example films, synthetic images; a few minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
QUICK=0
case "${1:-}" in
  --quick) QUICK=1 ;;
  "") ;;
  *) echo "tools/test.sh: error: unknown option ${1} (give --quick, or nothing for every test)" >&2; exit 2 ;;
esac
export MPLBACKEND=Agg
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo

echo "== setup"
# CJK fonts for the plots and pages; Chromium and its driver for the browser checks of the site
FONTS_NEW=0
if ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq fonts-noto-cjk chromium chromium-driver >/dev/null
  FONTS_NEW=1
fi
# pip only when this checkout is not installed with everything it needs (so a set-up machine needs no network)
if ! python tools/installed.py; then
  log="$(mktemp)"
  python -m pip install -q -e ".[dev]" >"$log" 2>&1 || {
    echo "tools/test.sh: error: pip install -e .[dev] failed: $(grep -i error "$log" | tail -1) (full log: $log)" >&2; exit 1; }
  # the notebooks' Jupyter kernel (see README: JupyterLab then opens them unmodified)
  python -m ipykernel install --sys-prefix --name pneumo_nb --display-name pneumo_nb >/dev/null
  FONTS_NEW=1
fi
# matplotlib caches the font list; rebuild it so a freshly installed CJK font is seen
if [ "$FONTS_NEW" = 1 ]; then python -c "import matplotlib.font_manager as fm; fm._load_fontmanager(try_read_cache=False)"; fi

if [ "$QUICK" = 1 ]; then
  unset PNEUMO_DATA   # the quick tier never reads the dataset, even where one is set
  export PNEUMO_QUICK=1   # and takes no screenshots of the site
else
  if [ -z "${PNEUMO_DATA:-}" ]; then
    PNEUMO_DATA=data/chest_xray
    if [ ! -d "$PNEUMO_DATA" ]; then
      echo "tools/test.sh: no dataset in data/chest_xray and PNEUMO_DATA is not set: fetching it with pneumo_download --out data (1.2 GB; bash tools/test.sh --quick needs none)"
      pneumo_download --out data || exit 1   # it says in one line why it failed
    fi
  fi
  [ -d "$PNEUMO_DATA" ] || { echo "tools/test.sh: error: PNEUMO_DATA=$PNEUMO_DATA is not a folder" >&2; exit 2; }
  export PNEUMO_DATA="$(realpath "$PNEUMO_DATA")"
fi

echo "== notebooks are the source: export and clean must change nothing"
nbdev_export && nbdev_clean
python tools/make_readme.py --check
if git rev-parse --git-dir >/dev/null 2>&1 && [ -n "$(git status --porcelain -- pneumo_nb nbs README.md)" ]; then
  git status --porcelain -- pneumo_nb nbs README.md
  echo "error: nbdev_export/nbdev_clean changed files; commit the exported package and clean notebooks"; exit 1
fi

echo "== ruff: the package, the tests and the tools (rules in pyproject.toml)"
python tools/lint.py || exit 1

if [ "$QUICK" = 1 ]; then
  echo "== pytest, the tests that need no dataset (-m 'not needs_data')"
  python -m pytest tests/ -q -p no:cacheprovider -m "not needs_data"
  exit $?
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
