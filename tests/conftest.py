import os, subprocess, sys
from pathlib import Path
import pytest

@pytest.fixture(scope='session')
def data_root():
    "The real dataset, from PNEUMO_DATA."
    p = os.environ.get('PNEUMO_DATA')
    if not p: pytest.skip('PNEUMO_DATA is not set: these tests need the chest_xray dataset')
    return Path(p).resolve()

def run(*args, cwd=None, timeout=600):
    "Run a console script; return the CompletedProcess (text)."
    return subprocess.run(list(map(str, args)), capture_output=True, text=True, cwd=cwd, timeout=timeout)

def assert_one_line_error(r, *needles):
    "A CLI failed with exit status 2, no traceback, and ended on one `error:` line (progress lines may come before)."
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert 'Traceback' not in r.stderr, r.stderr
    lines = [l for l in r.stderr.splitlines() if 'error:' in l]
    assert len(lines) == 1 and r.stderr.rstrip().endswith(lines[0]), r.stderr
    for n in needles: assert n in lines[0], (n, lines[0])
