"""The analysis functions the book's research sections call, run on small runs: precise BatchNorm's
effect, flips and heat, the ensemble on validation."""
import json, subprocess, sys, textwrap
import numpy as np
from conftest import run, SMOKE

def analyse(code):
    "Run `code` (which prints one JSON line last) in a fresh Python and return what it printed."
    r = subprocess.run([sys.executable, '-c', textwrap.dedent(code)], capture_output=True,
                       text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])

def test_bn_effect_single_and_ensemble(data_root, fold_run, tmp_path):
    out = tmp_path/'nopbn'
    trained = run('pneumo_train', '--data', data_root, '--out', out, *SMOKE, '--no-precise-bn')
    assert trained.returncode == 0
    for r in (out, fold_run):
        e = analyse("import json; from pneumo_nb.bn_effect import bn_effect; "
                    f"print(json.dumps(bn_effect({str(r)!r})))")
        assert e['n'] > 0
        assert set(e['before']) == set(e['after']) == {'auc', 'log_loss', 'ece', 'mean_p_normal'}
        assert all(np.isfinite(v) for v in [*e['before'].values(), *e['after'].values()])
        assert e['before'] != e['after'], e           # the statistics were recomputed

def test_validation_profile(smoke_run):
    v = analyse("import json; from pneumo_nb.gradcam import validation_profile; "
                f"print(json.dumps(validation_profile({str(smoke_run)!r})))")
    assert v['flip'] is False and v['log_loss'] > 0 and 0 <= v['stress_auc'] <= 1
    assert 0 <= v['auc'] <= 1 and 0 <= v['auc_mirrored'] <= 1
    assert v['mean_abs_change'] > 0 and 0 <= v['decisions_flipped'] <= 1
    assert 0 <= v['no_heat_normal'] <= 1 and 0 <= v['no_heat_pneumonia'] <= 1

def test_keep_val_measures_members_and_ensemble(data_root, tmp_path):
    out = tmp_path/'kv'
    r = run('pneumo_train', '--data', data_root, '--out', out, *SMOKE, '--folds', 2,
            '--fold-epochs', 1, '--keep-val')
    assert r.returncode == 0, r.stderr[-3000:]
    on_val = json.loads((out/'train_summary.json').read_text())['on_val']
    assert len(on_val['members']) == 2
    for m in [*on_val['members'], on_val['ensemble']]:
        assert 0 <= m['auc'] <= 1 and 0 < m['log_loss'] < 20
    oof = {r.split(',')[0] for r in (out/'oof.csv').read_text().splitlines()[1:]}
    split = [r.split(',') for r in (out/'split.csv').read_text().splitlines()[1:]]
    val = {r[0] for r in split if r[2] == 'val'}
    assert oof and not oof & val                      # no member saw a validation image
