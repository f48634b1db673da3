"""`pneumo_bench --quick`: the CI smoke test of the benchmark harness
(every measurement on a tiny sample)."""
import json, time
from conftest import run, assert_one_line_error

def test_bench_quick(data_root, tmp_path):
    out = tmp_path/'bench'
    t = time.time()
    r = run('pneumo_bench', '--data', data_root, '--out', out, '--quick')
    secs = time.time() - t
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads((out/'results.json').read_text())
    assert res['quick'] and res['machine']['cores'] >= 1
    assert res['pipeline']['original_img_s'] > 0 and res['pipeline']['ours_img_s'] > 0
    mem = res['memory']
    assert mem['original_gb'] > mem['base_gb'] > 0 and mem['images'] > 0
    assert res['training']['original'] > 0 and res['training']['fast'] > 0
    assert res['predict']['fast']['single_ms'] > 0
    assert (out/'e2e_run'/'model.keras').exists() and 0 <= res['e2e']['test_auc'] <= 1
    table = (out/'results.md').read_text()
    for part in ('Quick run', 'original (原文)', 'test ROC-AUC', '`pneumo_predict`'):
        assert part in table, part
    assert table in r.stdout + '\n'
    assert res['e2e']['command']['one_s'] > 0
    assert secs < 150, secs  # the quick run must stay quick (about a minute on a 2-core CPU)
    assert_one_line_error(run('pneumo_bench', '--data', data_root, '--out', out, '--quick'),
                          'exists; not overwriting')

def test_bench_bad_data(tmp_path):
    r = run('pneumo_bench', '--data', tmp_path/'nowhere', '--out', tmp_path/'b', '--quick')
    assert_one_line_error(r, 'no such dataset folder')
