"""The linter the test command runs: its rules (pyproject.toml) pass on the code and catch each kind
of fault."""
import subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]

def ruff(*args):
    "Run ruff with the project's configuration."
    cmd = [
        sys.executable, '-m', 'ruff', 'check', '--config',
        str(ROOT / 'pyproject.toml'), *map(str, args)
    ]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)

def test_the_code_passes():
    r = ruff('pneumo_nb', 'tests', 'tools')
    assert r.returncode == 0, r.stdout[-3000:]

@pytest.mark.parametrize('code, rule', [('import os\n', 'F401'),
                                        ('x = 1;\n', 'E703'),
                                        ('try:\n    pass\nexcept:\n    pass\n', 'E722')])
def test_each_rule_catches_its_fault(tmp_path, code, rule):
    (tmp_path/'bad.py').write_text(code)
    r = ruff(tmp_path/'bad.py')
    assert r.returncode == 1 and rule in r.stdout, r.stdout
