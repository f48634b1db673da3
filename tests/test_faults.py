"""Faults a user meets: a full disk during training, SIGKILL during pneumo_eval and
pneumo_predict --out, truncated model and checkpoint files, decompression bombs, two writers on
one run. Each ends in one line (or a clean kill), nothing complete is lost, and the run continues
or is redone cleanly."""
import csv, shutil, signal, subprocess, sys, time, zipfile
from pathlib import Path
import pytest
from conftest import run, assert_one_line_error, tree_digest, need
from pneumo_nb.data import toy_dataset
from pneumo_nb.images import bomb_png
from pneumo_nb.runs import Run, backup_state

TINY = ['--limit', 32, '--image-size', 48, '--batch-size', 16]

def epochs_logged(history): return [int(r['epoch']) for r in csv.DictReader(open(history))]

def leftovers(folder):
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob('.tmp*'))

def faulty(command, args, patch):
    "Run console command `command` where `patch` (Python, run after import) injects a fault."
    argv = [command] + list(map(str, args))
    code = ("import os, signal, sys\n"
            f"{patch}\n"
            f"from pneumo_nb.cli import {command}\n"
            f"sys.argv = {argv!r}\n"
            f"{command}()")
    return subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=900)

@pytest.fixture
def small_disk(tmp_path):
    "A 64 MB tmpfs: a disk that can really fill up."
    d = tmp_path/'disk'
    d.mkdir()
    mount = ['mount', '-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', str(d)]
    r = subprocess.run(mount, capture_output=True, text=True)
    if r.returncode: need(False, f'mounting a tmpfs needs root: {r.stderr.strip()}')
    yield d
    subprocess.run(['umount', '-l', str(d)])

FILL_DISK = """
import keras, pneumo_nb.train as T
class FillDisk(keras.callbacks.Callback):
    "Fault injection: at the end of epoch 1, before the backup is written, fill the disk up."
    def on_epoch_end(self, epoch, logs=None):
        if epoch != 1: return
        with open({filler!r}, 'wb', buffering=0) as f:
            for block in (1 << 20, 1 << 12, 1):     # until not one more byte fits
                try:
                    while True: f.write(bytes(block))
                except OSError: pass
callbacks = T.callbacks
T.callbacks = lambda *a, **k: [FillDisk()] + callbacks(*a, **k)
"""

def test_full_disk_during_training_then_resume(data_root, small_disk):
    out = small_disk/'run'
    args = ['--data', data_root, '--out', out, '--epochs', 3, *TINY]
    r = faulty('pneumo_train', args, FILL_DISK.format(filler=str(small_disk/'filler')))
    assert_one_line_error(r, 'no space left on device', str(out), '--resume')
    assert 'Segmentation fault' not in r.stderr and 'Exception ignored' not in r.stderr
    assert backup_state(Run(out).backup)['epoch'] == 1        # the last complete backup: epoch 0's
    # nothing half-written stays
    assert zipfile.is_zipfile(out/'model.keras') and leftovers(out) == []
    (small_disk/'filler').unlink()
    r = run('pneumo_train', '--out', out, '--resume')
    assert r.returncode == 0, r.stderr[-3000:]
    assert epochs_logged(out/'history.csv') == [0, 1, 2] and (out/'train_summary.json').exists()

KILL_IN = """
import pneumo_nb.{module} as M
def killed(*a, **k): os.kill(os.getpid(), signal.SIGKILL)
M.{function} = killed
"""

def test_kill_during_eval_then_rerun(smoke_run, tmp_path):
    r_dir = tmp_path/'r'
    shutil.copytree(smoke_run, r_dir)
    # after predictions.csv and metrics.json are written
    kill = KILL_IN.format(module='evaluate', function='save_plots')
    assert faulty('pneumo_eval', ['--run', r_dir, '--n-boot', 20], kill).returncode == -9
    # a partial evaluation is not taken for one
    assert not (r_dir/'eval').exists()
    r = run('pneumo_eval', '--run', r_dir, '--n-boot', 20)
    assert r.returncode == 0, r.stderr[-2000:]
    assert 'taking over the lock' in r.stderr and leftovers(r_dir) == []
    before = tree_digest(r_dir/'eval')
    assert faulty('pneumo_eval', ['--run', r_dir, '--n-boot', 20, '--force'], kill).returncode == -9
    # the complete evaluation is kept
    assert tree_digest(r_dir/'eval') == before
    r = run('pneumo_eval', '--run', r_dir, '--n-boot', 20, '--force')
    assert r.returncode == 0 and leftovers(r_dir) == [], r.stderr[-2000:]

KILL_WRITING = """
import csv
writerow, rows = csv.DictWriter.writerow, []
def killed(self, row):
    rows.append(1)
    if len(rows) == 100: os.kill(os.getpid(), signal.SIGKILL)
    return writerow(self, row)
csv.DictWriter.writerow = killed
"""

def test_kill_during_predict_out_then_rerun(smoke_run, data_root, tmp_path):
    out = tmp_path/'preds'/'test.csv'
    args = [data_root/'test', '--run', smoke_run, '--out', out]
    p = subprocess.Popen(list(map(str, ['pneumo_predict', *args])), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    line = p.stderr.readline()
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert '256 of 624 images' in line and p.returncode == -9
    assert not out.exists()
    assert faulty('pneumo_predict', args, KILL_WRITING).returncode == -9
    # killed while writing the rows: no half-written table
    assert not out.exists()
    r = run('pneumo_predict', *args)
    assert r.returncode == 0, r.stderr[-2000:]
    rows = list(csv.DictReader(open(out)))
    decisions = {r['decision'] for r in rows}
    assert len(rows) == 624 and decisions <= {'NORMAL', 'PNEUMONIA'}
    assert leftovers(out.parent) == []
    assert r.stdout.startswith(f'wrote {out}: 624 predictions (')
    assert r.stderr.count('of 624 images') == 3
    assert_one_line_error(run('pneumo_predict', *args), 'exists; not overwriting')

def test_truncated_model_file(smoke_run, data_root, tmp_path):
    r_dir = tmp_path/'r'
    shutil.copytree(smoke_run, r_dir)
    m = r_dir/'model.keras'
    m.write_bytes(m.read_bytes()[:m.stat().st_size//2])
    img = sorted((data_root/'test'/'NORMAL').iterdir())[0]
    predicted = run('pneumo_predict', img, '--run', r_dir)
    evaluated = run('pneumo_eval', '--run', r_dir, '--n-boot', 20)
    for r in (predicted, evaluated):
        assert_one_line_error(r, f'{m}: damaged model file')

KILL_AFTER_EPOCH = """
import keras, pneumo_nb.train as T
class KillAfterEpoch(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 1: os.kill(os.getpid(), signal.SIGKILL)
callbacks = T.callbacks
T.callbacks = lambda *a, **k: callbacks(*a, **k) + [KillAfterEpoch()]
"""

KILL_SAVING = """
import keras
save, calls = keras.Model.save_weights, []
def killed(self, path, *a, **k):
    "Fault injection: the second backup (epoch 1) is killed halfway through writing its file."
    calls.append(1)
    save(self, path, *a, **k)
    if len(calls) == 2:
        with open(path, 'r+b') as f: f.truncate(os.path.getsize(path)//2)
        os.kill(os.getpid(), signal.SIGKILL)
keras.Model.save_weights = killed
"""

def test_kill_while_writing_checkpoint_then_resume(data_root, tmp_path):
    out = tmp_path/'run'
    args = ['--data', data_root, '--out', out, '--epochs', 3, *TINY]
    assert faulty('pneumo_train', args, KILL_SAVING).returncode == -9
    assert backup_state(Run(out).backup)['epoch'] == 1     # epoch 0's backup, whole
    r = run('pneumo_train', '--out', out, '--resume')
    assert r.returncode == 0, r.stderr[-3000:]
    assert epochs_logged(out/'history.csv') == [0, 1, 2] and leftovers(out) == []

def test_truncated_checkpoint(data_root, tmp_path):
    out = tmp_path/'run'
    args = ['--data', data_root, '--out', out, '--epochs', 3, *TINY]
    assert faulty('pneumo_train', args, KILL_AFTER_EPOCH).returncode == -9
    w = Run(out).backup/backup_state(Run(out).backup)['weights']
    w.write_bytes(w.read_bytes()[:1000])
    r = run('pneumo_train', '--out', out, '--resume')
    assert_one_line_error(r, f'{w}: damaged checkpoint', f"delete {out/'backup'}")
    # the killed process's lock, taken over
    assert 'taking over the lock' in r.stderr
    shutil.rmtree(out/'backup')                               # as the message says
    r = run('pneumo_train', '--out', out, '--resume')
    assert r.returncode == 0, r.stderr[-3000:]
    assert epochs_logged(out/'history.csv') == [0, 1, 2]

def test_bombs_and_unnamed_files_in_training(tmp_path):
    toy = toy_dataset(tmp_path/'chest_xray', n=8, size=48)
    bomb_png(toy/'train'/'NORMAL'/'bomb.png', 8000)
    bomb_png(toy/'train'/'PNEUMONIA'/'huge.png', 30_000)
    r = run('pneumo_train', '--data', toy, '--out', tmp_path/'r', '--epochs', 1,
            '--image-size', 32, '--batch-size', 8)
    assert r.returncode == 0, r.stderr[-3000:]
    assert '2 file name(s) without a patient ID, each kept as its own patient' in r.stdout
    assert 'skipped 2 unreadable image(s)' in r.stderr and r.stderr.count('decompression bomb') == 2

def test_bombs_among_prediction_inputs(smoke_run, data_root, tmp_path):
    img = sorted((data_root/'test'/'NORMAL').iterdir())[0]
    bombs = [bomb_png(tmp_path/'bomb.png', 8000), bomb_png(tmp_path/'huge.png', 30_000)]
    r = run('pneumo_predict', img, *bombs, '--run', smoke_run)
    assert r.returncode == 1 and 'Traceback' not in r.stderr
    bombs = r.stderr.count('decompression bomb')
    assert len(r.stdout.splitlines()) == 1 and bombs == 2, (r.stdout, r.stderr)

def test_two_writers_on_one_run(smoke_run, data_root, tmp_path):
    out = tmp_path/'run'
    cmd = ['pneumo_train', '--data', data_root, '--out', out, '--epochs', 2, *TINY]
    first = subprocess.Popen(list(map(str, cmd)), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    for _ in range(600):
        if (out/'.lock').exists() and (out/'.lock').read_text(): break
        time.sleep(0.1)
    # paused while it holds the lock: the checks below can't race it
    first.send_signal(signal.SIGSTOP)
    holder = f'pneumo_train (pid {first.pid})'
    assert (out/'.lock').read_text() == holder
    assert_one_line_error(run('pneumo_train', '--out', out, '--resume'),
                          f'{out} is being written by {holder}')
    assert_one_line_error(run('pneumo_eval', '--run', out), f'is being written by {holder}')
    images = data_root/'test'/'NORMAL'
    r = run('pneumo_adapt', '--run', out, '--images', images, '--out', tmp_path/'a')
    assert_one_line_error(r, f'is being written by {holder}')
    first.send_signal(signal.SIGCONT)
    assert first.wait(600) == 0, first.stderr.read()[-3000:]
    assert not (out/'.lock').exists() and not (tmp_path/'a').exists()
