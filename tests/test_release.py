"""The model shipped in the package: it loads with safe_mode, predicts offline with no dataset,
reproduces its shipped metrics, can't be replaced by a run that isn't the default, and is in the
wheel, the sdist and `pip install .`."""
import json, shutil, subprocess, sys, tarfile, time, zipfile
from pathlib import Path
import pytest
from conftest import run, assert_one_line_error, need, offline_env, tree_digest
import pneumo_nb
from pneumo_nb.examples import EXAMPLES, example_films
from pneumo_nb.runs import SHIPPED
from pneumo_nb.release import MAX_BYTES, release_names, differences, numbers
from pneumo_nb.release import shipped_metrics

ROOT = Path(__file__).resolve().parents[1]
FILES = release_names()

def test_shipped_folder_loads_with_safe_mode():
    import keras
    assert {p.name for p in SHIPPED.iterdir()} == FILES
    assert sum(p.stat().st_size for p in SHIPPED.iterdir()) < MAX_BYTES
    m = keras.saving.load_model(SHIPPED/'model.keras', safe_mode=True, compile=False)
    assert m.input_shape == (None, 128, 128, 1) and m.count_params() < 400_000
    # no path of the machine that trained it
    assert json.loads((SHIPPED/'config.json').read_text())['data'] is None
    assert 'Not for clinical use' in (SHIPPED/'model_card.md').read_text()

def test_predicts_offline_with_no_dataset(tmp_path):
    "README's first command after install: the example films, no dataset, every proxy at dead port."
    t = time.time()
    r = run('pneumo_predict', '--examples', '--gradcam', 'heatmaps', cwd=tmp_path,
            env=offline_env())
    secs = time.time() - t
    assert r.returncode == 0, r.stderr
    want = {p.name: cls for p, cls in example_films()}
    got = {Path(l.split(': ')[0]).name: l.split(': ')[1].split()[0] for l in r.stdout.splitlines()}
    assert set(got) == set(want) and len(r.stdout.splitlines()) == 8, r.stdout
    assert all(f'true label {want[n]}' in l for n, l in zip(got, r.stdout.splitlines()))
    assert 'pneumo_predict: model: the one shipped with pneumo_nb' in r.stderr
    maps = sorted((tmp_path/'heatmaps').iterdir())
    assert [p.name for p in maps] == sorted(f'{Path(n).stem}_gradcam.png' for n in want)
    from PIL import Image
    # film and heat map side by side, large enough to read
    assert all(Image.open(p).width >= 900 for p in maps)
    print('\npneumo_predict --examples --gradcam with the shipped model, offline, no dataset: '
          f'{secs:.1f} s')

def test_eval_reproduces_the_shipped_metrics(data_root, tmp_path):
    before = tree_digest(SHIPPED)
    r = run('pneumo_eval', '--data', data_root, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.rstrip().endswith('reproduces the shipped test metrics to 3 decimals'), r.stdout
    m = json.loads((tmp_path/'shipped_eval'/'metrics.json').read_text())
    assert len(numbers(m)) > 100 and differences(shipped_metrics(), m) == []
    assert tree_digest(SHIPPED) == before   # nothing written into the package
    assert_one_line_error(run('pneumo_eval', '--data', data_root, cwd=tmp_path),
                          'already has an evaluation')
    r = run('pneumo_eval', '--run', SHIPPED, '--out', SHIPPED/'eval', '--data', data_root)
    assert_one_line_error(r, 'inside the installed package')

def test_adapt_the_shipped_model(data_root, tmp_path):
    r = run('pneumo_adapt', '--images', data_root/'test'/'NORMAL', '--out', tmp_path/'a')
    assert r.returncode == 0 and 'the one shipped with pneumo_nb' in r.stderr, r.stderr
    r = run('pneumo_eval', '--run', tmp_path/'a', '--n-boot', 20, '--data', data_root)
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path/'a'/'eval'/'metrics.json').read_text())['counts']['test'] == 624

def test_release_refuses_other_runs(smoke_run):
    before = tree_digest(SHIPPED)
    assert_one_line_error(run('pneumo_release', '--run', smoke_run),
                          'already holds a shipped model; pass --force')
    assert_one_line_error(run('pneumo_release', '--run', smoke_run, '--force'),
                          'is not the default preset')
    assert tree_digest(SHIPPED) == before

@pytest.fixture(scope='module')
def source(tmp_path_factory):
    "The project's files as a fresh clone has them (tracked, new unignored), copied to a folder."
    need(shutil.which('git') and (ROOT/'.git').exists(), 'needs a git checkout')
    ls = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard'], cwd=ROOT,
                        capture_output=True, text=True)
    dst = tmp_path_factory.mktemp('clone')/'pneumo_nb'
    for f in ls.stdout.splitlines():
        if (ROOT/f).is_file():
            (dst/f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT/f, dst/f)
    return dst

def build(src, kind, out):
    "Build a wheel or sdist of `src` into `out` with setuptools, as pip and `python -m build` do."
    code = f"from setuptools import build_meta as b; print(b.build_{kind}({str(out)!r}))"
    r = subprocess.run([sys.executable, '-c', code], cwd=src, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    return out/r.stdout.split()[-1]

def test_wheel_and_sdist_hold_the_model(source, tmp_path):
    shipped = {f'pneumo_nb/release/{f}' for f in FILES}
    films = {f'pneumo_nb/examples/{p.relative_to(EXAMPLES)}' for p in EXAMPLES.rglob('*')
             if p.is_file()}
    assert len(films) == 9   # 8 films and ATTRIBUTION.md
    names = zipfile.ZipFile(build(source, 'wheel', tmp_path)).namelist()
    packaged = sorted(n for n in names if '/release/' in n or '/examples/' in n)
    print('\nwheel: ' + ', '.join(packaged))
    assert shipped | films <= set(names)
    with tarfile.open(build(source, 'sdist', tmp_path)) as t: names = t.getnames()
    assert {f'pneumo_nb-{pneumo_nb.__version__}/{n}' for n in shipped | films} <= set(names)

def test_pip_install_has_the_model(source, tmp_path):
    cmd = [sys.executable, '-m', 'pip', 'install', '-q', '--no-deps', '--no-build-isolation',
           '--target', tmp_path/'site', source]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    got = tmp_path/'site'/'pneumo_nb'
    assert {p.name for p in (got/'release').iterdir()} == FILES
    assert tree_digest(got/'release') == tree_digest(SHIPPED)
    assert tree_digest(got/'examples') == tree_digest(EXAMPLES)
