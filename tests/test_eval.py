"`pneumo_eval` on a smoke run and `pneumo_predict` on test images and every kind of bad file."
import json
import numpy as np
import pytest
from PIL import Image
from conftest import run, assert_one_line_error, write_bad_images
from pneumo_nb.data import Item, DataError
from pneumo_nb.evaluate import threshold_metrics, ranking_metrics, bootstrap_ci, choose_thresholds, gradcam, load_run

@pytest.fixture(scope='module')
def smoke_run(data_root, tmp_path_factory):
    out = tmp_path_factory.mktemp('runs')/'smoke'
    r = run('pneumo_train', '--data', data_root, '--out', out, '--limit', 48, '--epochs', 1, '--image-size', 48, '--batch-size', 16)
    assert r.returncode == 0, r.stderr[-3000:]
    return out

def test_eval_cli(smoke_run):
    r = run('pneumo_eval', '--run', smoke_run, '--n-boot', 50)
    assert r.returncode == 0, r.stderr[-3000:]
    ev = smoke_run/'eval'
    m = json.loads((ev/'metrics.json').read_text())
    assert m['counts']['test'] == 624 and len((ev/'predictions.csv').read_text().splitlines()) == 625
    assert set(m['thresholds']) == {'0.5', 'youden', 'sens95'}
    th = json.loads((smoke_run/'thresholds.json').read_text())
    assert th['chosen_on'] == 'val' and th['youden'] == m['thresholds']['youden']
    for f in ('roc.png', 'pr.png', 'calibration.png', 'thresholds.png', 'histograms.png', 'confusion_youden.png', 'gradcam.png'):
        assert (ev/f).stat().st_size > 1000, f
    card = (ev/'model_card.md').read_text()
    assert 'Not for clinical use' in card and 'ROC-AUC' in card
    for t in m['thresholds']:  # every interval holds its point estimate
        for k, (lo, hi) in m['ci'][t].items():
            if np.isfinite(m['at'][t][k]): assert lo - 1e-9 <= m['at'][t][k] <= hi + 1e-9, (t, k)
    assert_one_line_error(run('pneumo_eval', '--run', smoke_run), 'already has an evaluation')

def test_eval_bad_run(tmp_path):
    assert_one_line_error(run('pneumo_eval', '--run', tmp_path), 'no model.keras')

def test_metrics_by_hand():
    y, p = np.array([0, 0, 0, 1, 1, 1]), np.array([.1, .4, .6, .3, .8, .9])
    m = threshold_metrics(y, p, .5)
    assert (m['tp'], m['fp'], m['tn'], m['fn']) == (2, 1, 2, 1)
    assert m['accuracy'] == pytest.approx(4/6) and m['specificity'] == pytest.approx(2/3) and m['f1'] == pytest.approx(2/3)
    assert ranking_metrics(y, p)['roc_auc'] == pytest.approx(7/9)

def test_ci_contains_point():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200); p = np.clip(0.35*y + 0.65*rng.random(200), 0, 1)
    pats = [f'p{n//4}' for n in range(200)]
    ci = bootstrap_ci(y, p, pats, {'0.5': .5}, n_boot=200)
    for k, (lo, hi) in ci['ranking'].items(): assert lo <= ranking_metrics(y, p)[k] <= hi
    for k, (lo, hi) in ci['0.5'].items(): assert lo <= threshold_metrics(y, p, .5)[k] <= hi
    assert ci['ranking']['roc_auc'][1] - ci['ranking']['roc_auc'][0] > 0.01  # a real interval, not a point

def test_threshold_never_on_test():
    items = [Item('a.jpeg', 0, 'val', 'p1'), Item('b.jpeg', 1, 'test', 'p2')]
    with pytest.raises(DataError, match='validation split only'): choose_thresholds(items, [0.2, 0.8])
    with pytest.raises(DataError, match='validation split only'): choose_thresholds([Item('c.jpeg', 1, 'train', 'p3')], [0.5])

def test_gradcam_shape_range(smoke_run):
    cfg, model = load_run(smoke_run)
    x = np.random.default_rng(0).integers(0, 256, (3, 48, 48, 1)).astype('uint8')
    cam = gradcam(model, x)
    assert cam.shape == (3, 48, 48) and cam.min() >= 0 and cam.max() <= 1 + 1e-6

def test_predict_cli(smoke_run, data_root, tmp_path):
    imgs = sorted((data_root/'test'/'PNEUMONIA').iterdir())[:2]
    r = run('pneumo_predict', *imgs, '--run', smoke_run, '--json', '--gradcam', tmp_path/'cams')
    assert r.returncode == 0, r.stderr[-2000:]
    out = [json.loads(l) for l in r.stdout.splitlines()]
    assert len(out) == 2 and all(o['label'] in ('NORMAL', 'PNEUMONIA') and 0 <= o['prob'] <= 1 for o in out)
    assert out[0]['threshold_name'] == 'youden' and len(list((tmp_path/'cams').glob('*.png'))) == 2
    r = run('pneumo_predict', imgs[0], '--run', smoke_run, '--threshold', '0.5')
    assert r.returncode == 0 and 'threshold 0.5=0.500' in r.stdout

def test_predict_bad_files(smoke_run, tmp_path):
    expected = write_bad_images(tmp_path)
    (tmp_path/'scan.dcm').write_bytes(b'DICM')   # not a readable DICOM (or no pydicom)
    expected.update(scan='DICOM', missing='no such file')
    files = [tmp_path/f'{stem}{ext}' for stem, ext in [('good', '.jpeg'), ('zero', '.jpeg'), ('trunc', '.jpeg'), ('text', '.jpeg'),
             ('alpha', '.png'), ('deep16', '.png'), ('cmyk', '.jpeg'), ('palette', '.png'), ('scan', '.dcm'), ('missing', '.png')]]
    r = run('pneumo_predict', *files, '--run', smoke_run)
    assert r.returncode == 1 and 'Traceback' not in r.stderr
    ok, errs = r.stdout.splitlines(), r.stderr.strip().splitlines()
    assert len(ok) == sum(v == 'ok' for v in expected.values()) and len(errs) == sum(v != 'ok' for v in expected.values()), (r.stdout, r.stderr)
    for f in files:
        why = expected[f.stem]
        if why != 'ok': assert sum(f.name in e and why in e for e in errs) == 1, (f.name, errs)
        else: assert sum(f.name in l for l in ok) == 1, (f.name, ok)

def test_predict_bad_options(smoke_run, data_root):
    img = sorted((data_root/'test'/'NORMAL').iterdir())[0]
    assert_one_line_error(run('pneumo_predict', img, '--run', smoke_run, '--threshold', 'best'), 'unknown threshold')
    assert_one_line_error(run('pneumo_predict', img, '--run', smoke_run, '--threshold', 'chosen_on'), 'unknown threshold')
    assert_one_line_error(run('pneumo_predict', img, '--run', smoke_run, '--threshold', '1.5'), 'unknown threshold')
    assert_one_line_error(run('pneumo_predict', img), '--run is required')

def _write_dicom(path, a):
    "A minimal 16-bit monochrome DICOM file holding array `a`."
    pydicom = pytest.importorskip('pydicom')
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid, SecondaryCaptureImageStorage
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = SecondaryCaptureImageStorage, generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset(str(path), {}, file_meta=meta, preamble=b'\0'*128)
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.Modality, ds.PatientID = 'CR', 'anon'
    ds.Rows, ds.Columns = a.shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, 'MONOCHROME2'
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.PixelData = a.astype('<u2').tobytes()
    ds.save_as(path, enforce_file_format=True)

def test_predict_dicom(smoke_run, data_root, tmp_path):
    src = sorted((data_root/'test'/'PNEUMONIA').iterdir())[0]
    a = np.asarray(Image.open(src).convert('L'), np.uint16)*16  # 12-bit range
    _write_dicom(tmp_path/'scan.dcm', a)
    r = run('pneumo_predict', tmp_path/'scan.dcm', src, '--run', smoke_run, '--json')
    assert r.returncode == 0, r.stderr[-2000:]
    d, j = [json.loads(l) for l in r.stdout.splitlines()]
    assert d['prob'] == pytest.approx(j['prob'], abs=0.05)  # the same film, as DICOM and as JPEG

@pytest.mark.parametrize('name,size', [('seed', 64), ('fast', 64), ('densenet', 64)])
def test_gradcam_every_preset(name, size):
    from pneumo_nb.model import build_model, densenet
    m = densenet(size, weights=None) if name == 'densenet' else build_model(name, size)
    x = np.random.default_rng(0).integers(0, 256, (2, size, size, m.input_shape[-1])).astype('uint8')
    cam = gradcam(m, x)
    assert cam.shape == (2, size, size) and cam.min() >= 0 and cam.max() <= 1 + 1e-6
