"""Exports for other runtimes: each reproduces the Keras probabilities with its own runtime; the
heat-map output is the package's Grad-CAM; the shipped ONNX file is the shipped model; a missing
exporter is one line."""
import json
import numpy as np
import pytest
from conftest import run, assert_one_line_error, offline_env
from pneumo_nb.runs import SHIPPED
from pneumo_nb.release import run_export
from pneumo_nb.examples import example_films
from pneumo_nb.images import load_images

@pytest.fixture(scope='module')
def keras_side():
    "The shipped model's probabilities and Grad-CAM maps on the example films, computed with Keras."
    from pneumo_nb.gradcam import exported_heat, gradcam
    from pneumo_nb.runs import load_run
    cfg, model = load_run(SHIPPED)
    x, _, _ = load_images([p for p, _ in example_films()], cfg.image_size, cfg.channels)
    x = x.astype('float32')
    return x, model.predict(x, verbose=0), gradcam(model, x), exported_heat

def test_export_both_formats(tmp_path, keras_side):
    x, want, cams, heat = keras_side
    r = run('pneumo_export', '--out', tmp_path/'out', env=offline_env())
    assert r.returncode == 0, r.stderr
    assert 'model.onnx' in r.stdout and 'model.tflite' in r.stdout, r.stdout
    info = json.loads((tmp_path/'out'/'export.json').read_text())
    assert info['primary_rule'] == '0.5' and info['threshold'] == 0.5 and info['image_size'] == 128
    for fmt, name in (('onnx', 'model.onnx'), ('litert', 'model.tflite')):
        # onnxruntime, and LiteRT's interpreter
        prob, cam, _ = run_export(tmp_path/'out'/name, fmt, x)
        assert np.abs(prob - want).max() < 1e-4, (fmt, np.abs(prob - want).max())
        assert np.abs(heat(cam, x.shape[1]) - cams).max() < 1e-4, fmt
    r = run('pneumo_export', '--out', tmp_path/'out', env=offline_env())
    assert_one_line_error(r, 'exists')
    r = run('pneumo_export', '--out', tmp_path/'x', '--format', 'tflite')
    assert_one_line_error(r, '--format takes')

def test_shipped_onnx_is_the_shipped_model(keras_side):
    "The packaged ONNX gives the shipped model's probabilities and Grad-CAM; export.json names it."
    x, want, cams, heat = keras_side
    prob, cam, _ = run_export(SHIPPED/'model.onnx', 'onnx', x)
    assert np.abs(prob - want).max() < 1e-4
    assert np.abs(heat(cam, x.shape[1]) - cams).max() < 1e-4
    info = json.loads((SHIPPED/'export.json').read_text())
    from pneumo_nb.download import sha256sum
    assert info['formats']['onnx']['sha256'] == sha256sum(SHIPPED/'model.onnx')
    assert info['formats']['onnx']['sha256'] in (SHIPPED/'model_card.md').read_text()

def test_missing_exporter_is_one_line(tmp_path):
    "Without tf2onnx, exporting to ONNX says in one line what to install."
    blocked = tmp_path/'blocked'
    blocked.mkdir()
    (blocked/'tf2onnx.py').write_text("raise ImportError('tf2onnx is not installed here')\n")
    env = {**offline_env(), 'PYTHONPATH': str(blocked)}
    r = run('pneumo_export', '--out', tmp_path/'out', '--format', 'onnx', env=env)
    assert_one_line_error(r, 'needs tf2onnx', 'pip install tf2onnx')
    assert not (tmp_path/'out').exists()
