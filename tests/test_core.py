"""The TensorFlow-free core: imports, `--help` speed and content, one option vocabulary,
a docment for every parameter."""
import dataclasses, importlib, inspect, statistics, subprocess, sys, time
from pathlib import Path
import pytest
from fastcore.docments import docments
import pneumo_nb
from conftest import run

COMMANDS = ['pneumo_download', 'pneumo_split', 'pneumo_train', 'pneumo_eval', 'pneumo_predict',
            'pneumo_adapt', 'pneumo_docs', 'pneumo_bench', 'pneumo_release']
MODULES = sorted(p.stem for p in (Path(pneumo_nb.__file__).parent).glob('*.py')
                 if not p.stem.startswith('_'))

def python(code):
    "Run Python code in a fresh interpreter; return stdout (fails the test on an error)."
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout.strip()

def test_the_floor_and_download_leave_tensorflow_out():
    code = ("import sys, pneumo_nb.core, pneumo_nb.files, pneumo_nb.commands, pneumo_nb.cli, "
            "pneumo_nb.download; print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    assert python(code) == 'False False'

@pytest.mark.parametrize('cmd', COMMANDS)
def test_help_is_instant_and_only_usage(cmd):
    times = []
    for _ in range(3):
        t = time.perf_counter()
        r = run(cmd, '--help')
        times.append(time.perf_counter() - t)
    assert r.returncode == 0 and r.stderr == '', r.stderr
    assert r.stdout.startswith(f'usage: {cmd} ') and '(default: False)' not in r.stdout
    # about 0.12 s on a 2-core CPU; importing TensorFlow alone takes 3-4 s
    assert statistics.median(times) < 0.6, times

@pytest.mark.parametrize('cmd', COMMANDS)
def test_help_imports_no_tensorflow(cmd):
    code = ("import sys\n"
            f"from pneumo_nb.cli import {cmd}\n"
            f"sys.argv = ['{cmd}', '--help']\n"
            "import contextlib, io\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"  try: {cmd}()\n"
            "  except SystemExit: pass\n"
            "print('tensorflow' in sys.modules)")
    assert python(code) == 'False'

def options(cmd):
    "The option strings of a command's parser."
    from pneumo_nb.commands import cli_parser
    f = getattr(importlib.import_module('pneumo_nb.cli'), cmd)
    return [s for a in cli_parser(inspect.unwrap(f))._actions for s in a.option_strings]

def test_one_vocabulary():
    "Dataset, output and run folder have one name each; no one-letter or underscore help spellings."
    opts = {c: options(c) for c in COMMANDS}
    for c in ('pneumo_split', 'pneumo_train', 'pneumo_bench', 'pneumo_download', 'pneumo_adapt'):
        assert '--out' in opts[c], c
    for c in ('pneumo_split', 'pneumo_train', 'pneumo_eval', 'pneumo_bench'):
        assert '--data' in opts[c], c
    for c in ('pneumo_eval', 'pneumo_predict', 'pneumo_adapt', 'pneumo_release'):
        assert '--run' in opts[c], c
    spelled = lambda s: s in ('-h', '--help') or (s.startswith('--') and '_' not in s)
    for c, o in opts.items(): assert all(spelled(s) for s in o), (c, o)

def test_required_options_show_as_required():
    r = run('pneumo_release', '--help')
    assert 'usage: pneumo_release [-h] --run RUN' in ' '.join(r.stdout.split())
    r = run('pneumo_adapt', '--help')
    assert '--images IMAGES --out OUT [--run RUN]' in ' '.join(r.stdout.split())
    r = run('pneumo_eval', '--help')
    assert 'usage: pneumo_eval [-h] [--run RUN]' in ' '.join(r.stdout.split())

def exported_callables():
    "Every function and method in `__all__` of every module, with its qualified name."
    for m in MODULES:
        mod = importlib.import_module(f'pneumo_nb.{m}')
        for name in mod.__all__:
            obj = getattr(mod, name)
            if inspect.isclass(obj):
                is_dc = dataclasses.is_dataclass(obj)
                if is_dc: yield f'{m}.{name}', obj     # its fields, each with a comment
                methods = [(k, v) for k, v in vars(obj).items()
                           if inspect.isfunction(v) and v.__module__ == mod.__name__
                           and (not k.startswith('_') or k == '__init__')
                           and not (is_dc and k == '__init__')]
                yield from ((f'{m}.{name}.{k}', v) for k, v in methods)
                yield from ((f'{m}.{name}.{k}', v.__func__) for k, v in vars(obj).items()
                            if isinstance(v, classmethod))
            elif inspect.isfunction(obj) and obj.__module__ == mod.__name__:
                yield f'{m}.{name}', inspect.unwrap(obj)

def test_every_parameter_has_a_docment():
    "Every exported function and method has a docments comment for each parameter."
    missing = []
    for name, f in exported_callables():
        d = docments(f, returns=False)
        missing += [f'{name}({p})' for p, doc in d.items() if p not in ('self', 'cls') and not doc]
    assert not missing, missing

def test_docstrings_are_one_line():
    bad = [n for n, f in exported_callables()
           if f.__doc__ and '\n' in f.__doc__.strip() and not dataclasses.is_dataclass(f)]
    assert not bad, bad
