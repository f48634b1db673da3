"`pneumo_predict`: files and folders, batched, calibrated, every kind of bad file, DICOM, Grad-CAM."
import json, subprocess, sys, textwrap
import numpy as np
import pytest
from PIL import Image
from conftest import run, write_bad_images
from pneumo_nb.images import write_dicom
from pneumo_nb.model import logit

def test_predict_files_and_gradcam(smoke_run, data_root, tmp_path):
    imgs = sorted((data_root/'test'/'PNEUMONIA').iterdir())[:2]
    r = run('pneumo_predict', *imgs, '--run', smoke_run, '--json', '--gradcam', tmp_path/'cams')
    assert r.returncode == 0, r.stderr[-2000:]
    want = [f"pneumo_predict: wrote 2 heat map(s) in {tmp_path/'cams'}"]
    assert r.stderr.splitlines() == want, r.stderr   # no TensorFlow logs
    out = [json.loads(l) for l in r.stdout.splitlines()]
    assert len(out) == 2
    assert all(o['label'] in ('NORMAL', 'PNEUMONIA') and 0 <= o['prob'] <= 1 for o in out)
    assert out[0]['rule'] == '0.5' and out[0]['threshold'] == 0.5 and out[0]['prior'] == 0.5
    assert len(list((tmp_path/'cams').glob('*.png'))) == 2
    r = run('pneumo_predict', imgs[0], '--run', smoke_run, '--threshold', '0.7')
    assert r.returncode == 0 and 'threshold 0.700' in r.stdout

def test_predict_folder_recursively(smoke_run, data_root, tmp_path):
    (tmp_path/'a'/'b').mkdir(parents=True)
    src = sorted((data_root/'test'/'NORMAL').iterdir())[:3]
    for k, f in enumerate(src):
        (tmp_path/'a'/('b' if k else '.')/f.name).write_bytes(f.read_bytes())
    (tmp_path/'a'/'notes.txt').write_text('x')
    (tmp_path/'a'/'b'/'report.pdf').write_bytes(b'%PDF')
    r = run('pneumo_predict', tmp_path/'a', '--run', smoke_run, '--json')
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.splitlines()) == 3 and 'skipped 2 file(s)' in r.stderr

def test_batched_equals_one_by_one(smoke_run, data_root):
    "Predicting 20 files in one batched call gives the same probabilities as one by one."
    normal = sorted((data_root/'test'/'NORMAL').iterdir())[:10]
    pneumonia = sorted((data_root/'test'/'PNEUMONIA').iterdir())[:10]
    files = normal + pneumonia
    code = textwrap.dedent(f"""
        import json
        from pneumo_nb.predict import predict_files
        files = {[str(f) for f in files]!r}
        many = [r['prob'] for r in predict_files({str(smoke_run)!r}, files)[0]]
        one = [predict_files({str(smoke_run)!r}, [f])[0][0]['prob'] for f in files[:4]]
        print(json.dumps([many[:4], one]))""")
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    many, one = json.loads(r.stdout.strip().splitlines()[-1])
    assert np.allclose(many, one, atol=1e-5)

def test_prior_reexpresses_probabilities(smoke_run, data_root):
    img = sorted((data_root/'test'/'PNEUMONIA').iterdir())[0]
    predict = lambda *a: run('pneumo_predict', img, '--run', smoke_run, '--json', *a)
    p = [json.loads(predict(*a).stdout)['prob'] for a in ([], ['--prior', '0.8'])]
    assert logit(p[1]) - logit(p[0]) == pytest.approx(logit(0.8) - logit(0.5), abs=1e-3)

def test_predict_bad_files(smoke_run, tmp_path):
    expected = write_bad_images(tmp_path)
    (tmp_path/'scan.dcm').write_bytes(b'DICM')   # not a readable DICOM
    expected.update(scan='DICOM', missing='no such file')
    names = [('good', '.jpeg'), ('zero', '.jpeg'), ('trunc', '.jpeg'), ('text', '.jpeg'),
             ('alpha', '.png'), ('deep16', '.png'), ('cmyk', '.jpeg'), ('palette', '.png'),
             ('scan', '.dcm'), ('missing', '.png')]
    files = [tmp_path/f'{stem}{ext}' for stem, ext in names]
    r = run('pneumo_predict', *files, '--run', smoke_run)
    assert r.returncode == 1 and 'Traceback' not in r.stderr
    ok, errs = r.stdout.splitlines(), r.stderr.strip().splitlines()
    n_ok = sum(v == 'ok' for v in expected.values())
    n_bad = sum(v != 'ok' for v in expected.values())
    assert len(ok) == n_ok and len(errs) == n_bad, (r.stdout, r.stderr)
    for f in files:
        why = expected[f.stem]
        if why != 'ok': assert sum(f.name in e and why in e for e in errs) == 1, (f.name, errs)
        else: assert sum(f.name in l for l in ok) == 1, (f.name, ok)

def test_predict_dicom(smoke_run, data_root, tmp_path):
    src = sorted((data_root/'test'/'PNEUMONIA').iterdir())[0]
    a = np.asarray(Image.open(src).convert('L'), np.uint16)*16  # 12-bit range
    pytest.importorskip('pydicom')
    write_dicom(tmp_path/'scan.dcm', a)
    r = run('pneumo_predict', tmp_path/'scan.dcm', src, '--run', smoke_run, '--json')
    assert r.returncode == 0, r.stderr[-2000:]
    d, j = [json.loads(l) for l in r.stdout.splitlines()]
    assert d['prob'] == pytest.approx(j['prob'], abs=0.05)  # the same film, as DICOM and as JPEG

def test_predict_with_ensemble(fold_run, data_root, tmp_path):
    imgs = sorted((data_root/'test'/'NORMAL').iterdir())[:3]
    r = run('pneumo_predict', *imgs, '--run', fold_run, '--json', '--gradcam', tmp_path/'cams')
    assert r.returncode == 0, r.stderr[-2000:]
    assert len(r.stdout.splitlines()) == 3 and len(list((tmp_path/'cams').glob('*.png'))) == 3
