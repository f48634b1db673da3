"""`pneumo_eval` on smoke runs (single and cross-fitted), and the evaluation's building blocks
on synthetic data."""
import json
import numpy as np
import pytest
from conftest import run, assert_one_line_error, tree_digest
from pneumo_nb.data import Item
from pneumo_nb.core import DataError
from pneumo_nb.evaluate import threshold_metrics, ranking_metrics, bootstrap_ci
from pneumo_nb.operating import choose_thresholds, stress_threshold, RULES
from pneumo_nb.calibration import calibrators, compare_calibrators
from pneumo_nb.evaluate import reliability
from pneumo_nb.adapt import em_prevalence
from pneumo_nb.model import sigmoid

@pytest.mark.needs_data   # by hand: its run fixture is asked for by name, not as an argument
@pytest.mark.parametrize('which', ['smoke_run', 'fold_run'])
def test_eval_cli(which, request, tmp_path):
    src = request.getfixturevalue(which)
    import shutil
    r_dir = tmp_path/which
    shutil.copytree(src, r_dir)   # evaluation writes into the run: use a copy
    r = run('pneumo_eval', '--run', r_dir, '--n-boot', 50)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stderr == '', r.stderr     # no TensorFlow log lines
    ev = r_dir/'eval'
    m = json.loads((ev/'metrics.json').read_text())
    predictions = (ev/'predictions.csv').read_text().splitlines()
    assert m['counts']['test'] == 624 and len(predictions) == 625
    assert list(m['thresholds']) == list(RULES) and m['thresholds']['0.5'] == 0.5
    assert set(m['ece']) == {'uncalibrated', 'calibrated'}
    th = json.loads((r_dir/'thresholds.json').read_text())
    assert th['chosen_on'] == ('oof.csv' if which == 'fold_run' else 'val.csv')
    for f in ('roc.png', 'pr.png', 'calibration.png', 'thresholds.png', 'histograms.png',
              'confusion.png', 'gradcam.png'):
        assert (ev/f).stat().st_size > 1000, f
    card = (ev/'model_card.md').read_text()
    assert 'Not for clinical use' in card and 'ROC-AUC' in card and '`stress`' in card
    for t in m['thresholds']:  # every interval holds its point estimate
        for k, (lo, hi) in m['ci'][t].items():
            if np.isfinite(m['at'][t][k]): assert lo - 1e-9 <= m['at'][t][k] <= hi + 1e-9, (t, k)
    before = tree_digest(r_dir)
    assert_one_line_error(run('pneumo_eval', '--run', r_dir), 'already has an evaluation')
    assert tree_digest(r_dir) == before

def test_metrics_by_hand():
    y, p = np.array([0, 0, 0, 1, 1, 1]), np.array([.1, .4, .6, .3, .8, .9])
    m = threshold_metrics(y, p, .5)
    assert (m['tp'], m['fp'], m['tn'], m['fn']) == (2, 1, 2, 1)
    assert m['accuracy'] == pytest.approx(4/6) and m['specificity'] == pytest.approx(2/3)
    assert m['f1'] == pytest.approx(2/3)
    assert ranking_metrics(y, p)['roc_auc'] == pytest.approx(7/9)

def test_ci_contains_point():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    p = np.clip(0.35*y + 0.65*rng.random(200), 0, 1)
    pats = [f'p{n//4}' for n in range(200)]
    ci = bootstrap_ci(y, p, pats, {'0.5': .5}, n_boot=200)
    for k, (lo, hi) in ci['ranking'].items(): assert lo <= ranking_metrics(y, p)[k] <= hi
    for k, (lo, hi) in ci['0.5'].items(): assert lo <= threshold_metrics(y, p, .5)[k] <= hi
    lo, hi = ci['ranking']['roc_auc']
    assert hi - lo > 0.01   # a real interval, not a point

def test_threshold_never_on_test():
    items = [Item('a.jpeg', 0, 'val', 'p1'), Item('b.jpeg', 1, 'test', 'p2')]
    with pytest.raises(DataError, match='never on test'):
        choose_thresholds(items, [0.2, 0.8], {}, (1., 0.))

def miscalibrated(n=20000, seed=0):
    "Labels with a true logit of 2x-1, scores of three times that plus one: overconfident, biased."
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1.5, n)
    y = (rng.random(n) < sigmoid(2*x - 1)).astype(int)
    return 3*(2*x - 1) + 1, y

def test_calibration_lowers_ece_on_miscalibrated_scores():
    z, y = miscalibrated()
    fit, test = np.arange(len(y)) < len(y)//2, np.arange(len(y)) >= len(y)//2
    raw = reliability(y[test], sigmoid(z[test]))['ece']
    assert raw > 0.05
    for name in ('temperature', 'platt', 'isotonic'):
        cal = reliability(y[test], calibrators()[name](z[fit], y[fit])(z[test]))['ece']
        assert cal < raw/2, (name, raw, cal)
    assert reliability(y[test], calibrators()['platt'](z[fit], y[fit])(z[test]))['ece'] < 0.02

def test_compare_calibrators_cross_fits():
    z, y = miscalibrated(6000)
    res = compare_calibrators(z, y, np.arange(len(y)) % 3)
    platt, none = res['platt'], res['none']
    assert platt['ece'] < none['ece'] and platt['log_loss'] < none['log_loss']

def test_em_prevalence_recovers_a_shifted_rate():
    rng = np.random.default_rng(1)
    for rate in (0.3, 0.8):
        y = rng.random(20000) < rate
        z = np.where(y, rng.normal(1.5, 1, 20000), rng.normal(-1.5, 1, 20000))
        assert em_prevalence(sigmoid(3*z), 0.5) == pytest.approx(rate, abs=0.015)

def test_stress_threshold_moves_with_the_shift():
    y = np.array([0]*50 + [1]*50)
    p = np.r_[np.linspace(0.05, 0.45, 50), np.linspace(0.55, 0.95, 50)]
    up = stress_threshold(y, [np.clip(p + 0.2, 0, 1)])
    down = stress_threshold(y, [np.clip(p - 0.2, 0, 1)])
    assert up > 0.6 > 0.4 > down
