"""`pneumo_train` end to end: smoke run, refusal to overwrite, resume after a kill,
cross-fitting, MirroredStrategy."""
import csv, json, subprocess, sys, textwrap
import numpy as np
from conftest import run, assert_one_line_error, tree_digest, SMOKE

def epochs_logged(history): return [int(r['epoch']) for r in csv.DictReader(open(history))]

def test_smoke_run_and_refusal(smoke_run, data_root):
    for f in ('model.keras', 'config.json', 'history.csv', 'history.png', 'split.csv',
              'train_summary.json', 'val.csv'):
        assert (smoke_run/f).stat().st_size > 0, f
    cfg = json.loads((smoke_run/'config.json').read_text())
    assert (cfg['limit'], cfg['image_size'], cfg['preset'], cfg['channels']) == (48, 48, 'fast', 1)
    s = json.loads((smoke_run/'train_summary.json').read_text())
    assert s['calibration']['prior'] == 0.5 and np.isfinite(s['calibration']['a'])
    before = tree_digest(smoke_run)
    assert_one_line_error(run('pneumo_train', '--data', data_root, '--out', smoke_run, *SMOKE),
                          'not overwriting')
    assert_one_line_error(run('pneumo_train', '--out', smoke_run, '--resume'), 'already finished')
    assert tree_digest(smoke_run) == before

KILL = """
import os, signal, sys, keras
import pneumo_nb.train as T
class KillAfterEpoch(keras.callbacks.Callback):
    "Fault injection: SIGKILL this process at the end of epoch {n}, after the backup is written."
    def on_epoch_end(self, epoch, logs=None):
        if epoch == {n}: os.kill(os.getpid(), signal.SIGKILL)
callbacks = T.callbacks
T.callbacks = lambda *a, **k: callbacks(*a, **k)[:-1] + [KillAfterEpoch(), callbacks(*a, **k)[-1]]
from pneumo_nb.cli import pneumo_train
sys.argv = ['pneumo_train'] + {args!r}
pneumo_train()
"""

def killed_train(args, n):
    "Run pneumo_train in a process that SIGKILLs itself at the end of epoch `n`."
    code = KILL.format(n=n, args=list(map(str, args)))
    return subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)

def test_resume_after_kill(data_root, tmp_path):
    out = tmp_path/'run'
    args = ['--data', data_root, '--out', out, '--limit', 32, '--epochs', 3, '--image-size', 48,
            '--batch-size', 16]
    killed = killed_train(args, 1)
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert epochs_logged(out/'history.csv') == [0, 1]
    assert (out/'backup').exists() and not (out/'train_summary.json').exists()
    r = run('pneumo_train', '--out', out, '--resume')
    assert r.returncode == 0, r.stderr[-3000:]
    # continued at epoch 2, not restarted
    assert epochs_logged(out/'history.csv') == [0, 1, 2]
    assert not (out/'backup').exists() and (out/'train_summary.json').exists()

def test_folds_cover_every_image_once_by_patient(fold_run):
    rows = list(csv.DictReader(open(fold_run/'oof.csv')))
    assert list(rows[0]) == ['path', 'patient', 'label', 'fold', 'prob', 'logit']
    split = {r['path']: r for r in csv.DictReader(open(fold_run/'split.csv'))}
    paths = [r['path'] for r in rows]
    # each once, never test
    assert len(paths) == len(set(paths)) and all(split[p]['split'] != 'test' for p in paths)
    folds_of = {}
    for r in rows: folds_of.setdefault(r['patient'], set()).add(r['fold'])
    # patient-disjoint
    assert all(len(f) == 1 for f in folds_of.values()) and {r['fold'] for r in rows} == {'0', '1'}
    for k in (0, 1): assert (fold_run/f'fold{k}'/'model.keras').exists()
    s = json.loads((fold_run/'train_summary.json').read_text())
    assert s['folds'] == 2 and len(s['member_auc']) == 2

def test_folds_cover_all_of_train_and_val(data_root, tmp_path):
    "Without --limit, the folds cover all 5,232 non-test images (checked on fold assignment only)."
    code = textwrap.dedent(f"""
        from pneumo_nb.data import scan, patient_split
        from pneumo_nb.ensemble import assign_folds
        pool = [i for i in patient_split(scan({str(data_root)!r})) if i.split != 'test']
        f = assign_folds(pool, 5, 0)
        print(len(pool), len({{i.path for i in pool}}), sorted({{f[i.patient] for i in pool}}))""")
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert r.stdout.split('\n')[0] == '5232 5232 [0, 1, 2, 3, 4]', r.stderr[-2000:]

def test_ensemble_loads_in_safe_mode(fold_run):
    code = textwrap.dedent(f"""
        import numpy as np, keras
        import pneumo_nb.model   # registers the Equalize layer, as a user of the saved model must
        m = keras.saving.load_model({str(fold_run/'model.keras')!r}, safe_mode=True, compile=False)
        members = sorted(l.name for l in m.layers if l.name.startswith('member'))
        print(members, m.predict(np.zeros((2, 48, 48, 1), 'uint8'), verbose=0).shape)""")
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip() == "['member0', 'member1'] (2, 1)"

def test_fold_run_resumes_member_by_member(data_root, tmp_path):
    out = tmp_path/'cv'
    args = ['--data', data_root, '--out', out, '--limit', 32, '--image-size', 48,
            '--batch-size', 16, '--folds', 2, '--fold-epochs', 2]
    assert killed_train(args, 1).returncode == -9      # killed at the end of member 0's last epoch
    r = run('pneumo_train', '--out', out, '--resume')
    assert r.returncode == 0, r.stderr[-3000:]
    assert epochs_logged(out/'fold0'/'history.csv') == [0, 1]
    assert epochs_logged(out/'fold1'/'history.csv') == [0, 1]
    assert (out/'oof.csv').exists() and (out/'model.keras').exists()

def test_mirrored_strategy_two_cpus(data_root, tmp_path):
    code = textwrap.dedent(f"""
        import json, tensorflow as tf
        cpu = tf.config.list_physical_devices('CPU')[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()]*2)
        from pneumo_nb.core import TrainConfig
        import pneumo_nb.train as T
        seen, build = [], T.build_model
        def build_seen(*a, **k):
            seen.append(tf.distribute.get_strategy())   # the strategy the model is built under
            return build(*a, **k)
        T.build_model = build_seen
        s = tf.distribute.MirroredStrategy(['/cpu:0', '/cpu:1'])
        cfg = TrainConfig(data={str(data_root)!r}, limit=32, epochs=1, image_size=48, batch_size=16)
        r = T.train(cfg, {str(tmp_path/'m')!r}, strategy=s, verbose=0)
        n = json.loads((r/'train_summary.json').read_text())['n_train']
        print('trained', n, 'under', seen[0] is s, seen[0].num_replicas_in_sync)
        """)
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'trained 32 under True 2' in r.stdout and (tmp_path/'m'/'model.keras').exists()
