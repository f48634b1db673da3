"`pneumo_train` end to end: smoke run, refusal to overwrite, bad options, resume after a kill, MirroredStrategy."
import csv, json, os, subprocess, sys, textwrap
from conftest import run, assert_one_line_error

SMOKE = ('--limit', 32, '--epochs', 1, '--image-size', 48, '--batch-size', 16)

def epochs_logged(run_dir): return [int(r['epoch']) for r in csv.DictReader(open(run_dir/'history.csv'))]

def test_smoke_run_and_refusal(data_root, tmp_path):
    out = tmp_path/'run'
    r = run('pneumo_train', '--data', data_root, '--out', out, *SMOKE)
    assert r.returncode == 0, r.stderr[-3000:]
    for f in ('model.keras', 'config.json', 'history.csv', 'history.png', 'split.csv', 'train_summary.json'):
        assert (out/f).stat().st_size > 0, f
    cfg = json.loads((out/'config.json').read_text())
    assert (cfg['limit'], cfg['image_size'], cfg['preset']) == (32, 48, 'fast')
    assert 'val AUC' in r.stdout
    before = (out/'model.keras').read_bytes()
    assert_one_line_error(run('pneumo_train', '--data', data_root, '--out', out, *SMOKE), 'not overwriting')
    assert (out/'model.keras').read_bytes() == before
    assert_one_line_error(run('pneumo_train', '--out', out, '--resume'), 'already finished')

def test_bad_options(data_root, tmp_path):
    assert_one_line_error(run('pneumo_train', '--data', data_root), '--out is required')
    assert_one_line_error(run('pneumo_train', '--data', data_root, '--out', tmp_path/'a', '--preset', 'vit'), 'unknown preset')
    assert_one_line_error(run('pneumo_train', '--data', data_root, '--out', tmp_path/'b', '--imbalance', 'smote'), 'unknown imbalance')
    assert_one_line_error(run('pneumo_train', '--data', data_root, '--out', tmp_path/'c', '--epochs', 0), 'epochs must be at least 1')
    assert_one_line_error(run('pneumo_train', '--data', tmp_path/'nowhere', '--out', tmp_path/'d'), 'no such directory')
    assert_one_line_error(run('pneumo_train', '--data', data_root, '--out', tmp_path/'e', '--split', tmp_path/'none.csv'), 'no such split file')
    assert_one_line_error(run('pneumo_train', '--out', tmp_path/'f', '--resume'), 'no run to resume')

def test_resume_after_kill(data_root, tmp_path):
    out = tmp_path/'run'
    args = ('pneumo_train', '--data', data_root, '--out', out, '--limit', 32, '--epochs', 3, '--image-size', 48, '--batch-size', 16)
    killed = subprocess.run(list(map(str, args)), capture_output=True, text=True, env={**os.environ, 'PNEUMO_KILL_AFTER_EPOCH': '1'})
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert epochs_logged(out) == [0, 1] and (out/'backup').exists() and not (out/'train_summary.json').exists()
    r = run('pneumo_train', '--out', out, '--resume')
    assert r.returncode == 0, r.stderr[-3000:]
    assert epochs_logged(out) == [0, 1, 2]        # continued at epoch 2, not restarted
    assert not (out/'backup').exists() and (out/'train_summary.json').exists()
    assert json.loads((out/'train_summary.json').read_text())['epochs_this_session'] == 1

def test_mirrored_strategy_two_cpus(data_root, tmp_path):
    code = textwrap.dedent(f"""
        import json, tensorflow as tf
        cpu = tf.config.list_physical_devices('CPU')[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()]*2)
        from pneumo_nb.train import TrainConfig, train
        s = tf.distribute.MirroredStrategy(['/cpu:0', '/cpu:1'])
        r = train(TrainConfig(data={str(data_root)!r}, limit=32, epochs=1, image_size=48, batch_size=16), {str(tmp_path/'m')!r}, strategy=s, verbose=0)
        print('replicas', json.loads((r/'train_summary.json').read_text())['replicas'])
        """)
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'replicas 2' in r.stdout
    assert (tmp_path/'m'/'model.keras').exists()
