"`pneumo_split` on the real dataset, and every kind of bad input through the CLI and the loader."
import csv, shutil
from collections import Counter
import numpy as np
import pytest
from conftest import run, assert_one_line_error, write_bad_images
from pneumo_nb.data import toy_dataset, load_split, scan
from pneumo_nb.images import load_images

def test_split_real_data(data_root, tmp_path):
    out = tmp_path/'split.csv'
    r = run('pneumo_split', '--data', data_root, '--out', out)
    assert r.returncode == 0, r.stderr
    assert 'wrote' in r.stdout and 'patients' in r.stdout
    rows = list(csv.DictReader(open(out)))
    assert len(rows) == 5856
    tv = [x for x in rows if x['split'] != 'test']
    assert len(tv) == 5232 and {x['split'] for x in tv} == {'train', 'val'}
    pats = {s: {x['patient'] for x in tv if x['split'] == s} for s in ('train', 'val')}
    assert not pats['train'] & pats['val']
    test = sorted(x['path'] for x in rows if x['split'] == 'test')
    assert test == sorted(f'test/{p.parent.name}/{p.name}' for p in data_root.glob('test/*/*.jpeg'))
    assert Counter(x['label'] for x in rows if x['split'] == 'test') == {'0': 234, '1': 390}
    val_frac = len(pats['val']) / (len(pats['val']) + len(pats['train']))
    assert 0.08 < val_frac < 0.12
    # an existing file is not overwritten;
    # the same seed gives the same split, another seed another one
    assert_one_line_error(run('pneumo_split', '--data', data_root, '--out', out), 'exists')
    first = out.read_text()
    val = lambda: {x['patient'] for x in csv.DictReader(open(out)) if x['split'] == 'val'}
    seed0 = val()
    r = run('pneumo_split', '--data', data_root, '--out', out, '--force')
    assert r.returncode == 0 and out.read_text() == first
    r = run('pneumo_split', '--data', data_root, '--out', out, '--force', '--seed', '1')
    assert r.returncode == 0
    assert val() != seed0 and len(val() & seed0) < len(seed0)/2

@pytest.fixture
def toy(tmp_path): return toy_dataset(tmp_path/'chest_xray', n=4, size=32)

def test_missing_dir(tmp_path):
    r = run('pneumo_split', '--data', tmp_path/'nowhere', '--out', tmp_path/'s.csv')
    assert_one_line_error(r, 'no such dataset folder', 'pneumo_download')

def test_missing_split_and_class(toy, tmp_path):
    shutil.rmtree(toy/'test')
    assert_one_line_error(run('pneumo_split', '--data', toy, '--out', tmp_path/'s.csv'),
                          'test/NORMAL: missing folder')
    toy_dataset(toy, n=4, size=32)
    shutil.rmtree(toy/'train'/'PNEUMONIA')
    assert_one_line_error(run('pneumo_split', '--data', toy, '--out', tmp_path/'s.csv'),
                          'train/PNEUMONIA: missing folder')

def test_empty_class(toy, tmp_path):
    for p in (toy/'val'/'NORMAL').iterdir(): p.unlink()
    assert_one_line_error(run('pneumo_split', '--data', toy, '--out', tmp_path/'s.csv'),
                          'val/NORMAL', 'no .jpeg/.jpg/.png')
    assert not (tmp_path/'s.csv').exists()

def test_bad_option(toy, tmp_path):
    r = run('pneumo_split', '--data', toy, '--out', tmp_path/'s.csv', '--val-frac', '1.5')
    assert_one_line_error(r, 'between 0 and 1')

def test_bad_files_are_reported_not_dropped(tmp_path):
    expected = write_bad_images(tmp_path)
    paths = sorted(tmp_path.iterdir())
    x, keep, skipped = load_images(paths, 32)
    kept = {paths[k].stem for k in keep}
    assert kept == {k for k, v in expected.items() if v == 'ok'}
    assert len(skipped) + len(kept) == len(paths)
    for k, why in expected.items():
        if why != 'ok': assert any(f'{k}.' in s and why in s for s in skipped), (k, skipped)
    assert x.shape == (len(kept), 32, 32, 1) and x.dtype == np.uint8
    # the unusual formats decode to the same picture
    g = load_images([tmp_path/'good.jpeg'], 48)[0][0].astype(int)
    # alpha: on black
    scales = [('deep16.png', 1), ('cmyk.jpeg', 1), ('palette.png', 1), ('alpha.png', 128/255)]
    for name, scale in scales:
        assert np.abs(load_images([tmp_path/name], 48)[0][0] - scale*g).mean() < 6, name

def test_bad_files_in_dataset_are_counted(toy, tmp_path):
    write_bad_images(toy/'train'/'NORMAL')
    items = scan(toy)
    x, y, its, skipped = load_split(items, toy, 'train', size=32)
    assert len(skipped) == 3 and len(its) == len([i for i in items if i.split == 'train']) - 3
    assert len(x) == len(y) == len(its)
