"""The model's building blocks against properties that a broken version would fail:
Equalize flattens, Grad-CAM finds what a model reads."""
import numpy as np
import keras
from keras import layers as L
from pneumo_nb.model import Equalize
from pneumo_nb.gradcam import gradcam, heat_sides

def test_equalize_flattens_the_histogram():
    # skewed towards bright
    x = (255*np.random.default_rng(0).beta(5, 2, (2, 64, 64, 1))).round().astype('float32')
    out = np.asarray(Equalize()(x))
    qs = np.array([0.1, 0.25, 0.5, 0.75, 0.9])
    for a, o in zip(x, out):
        # flat: its quantiles are evenly spaced
        assert np.allclose(np.quantile(o, qs), 255*qs, atol=6), np.quantile(o, qs)
        order = np.argsort(a.ravel(), kind='stable')
        # and monotone: no grey levels swap
        assert np.all(np.diff(o.ravel()[order]) >= 0)

def half_model(side): # 'left' or 'right': the half of the image the logit reads
    "A model of two-channel images (a film's left and right halves) whose logit reads only `side`."
    inp = keras.Input((32, 32, 2))
    eye = keras.initializers.Constant(np.eye(2)[None, None])
    a = L.Conv2D(2, 1, kernel_initializer=eye, name='last_conv')(inp)
    w = [[1.], [0.]] if side == 'left' else [[0.], [1.]]
    dense = L.Dense(1, kernel_initializer=keras.initializers.Constant(w), name='logit')
    z = dense(L.GlobalAveragePooling2D()(a))
    return keras.Model(inp, z)

def test_gradcam_finds_the_half_a_model_reads():
    film = np.random.default_rng(0).integers(1, 256, (4, 32, 32)).astype('uint8')
    left = np.arange(32) < 16
    x = np.stack([film*left, film*~left], -1)
    assert np.allclose(heat_sides(gradcam(half_model('left'), x)), 1)
    assert np.allclose(heat_sides(gradcam(half_model('right'), x)), 0)
