"""Validation stress test used to choose the `fast` preset (see nbs/experiments.md).

For each run directory given, predict its *validation* split as it is and under acquisition-like changes
(gamma, contrast, brightness, blur, sharpening, half resolution, noise), and print ROC-AUC, log-loss, the mean
probability given to normal films and the accuracy at the run's validation Youden threshold.
The test split is never read.  Usage: python tools/stress_val.py RUN [RUN ...] [--data DATA]
"""
import argparse, numpy as np
from pathlib import Path
from PIL import Image, ImageFilter
from sklearn.metrics import roc_auc_score, log_loss
from pneumo_nb.data import read_split, load_split, find_data
from pneumo_nb.evaluate import load_run, predict_images, youden_threshold

def pil_map(x, f): return np.stack([np.asarray(f(Image.fromarray(a[..., 0])), np.uint8)[..., None] for a in x])
def linear(x, a, b): return np.clip(a*x.astype(float) + b, 0, 255).astype(np.uint8)

PERTURB = {
    'none':        lambda x: x,
    'gamma0.6':    lambda x: (255*(x/255.)**0.6).astype(np.uint8),
    'gamma1.6':    lambda x: (255*(x/255.)**1.6).astype(np.uint8),
    'contrast0.7': lambda x: linear(x, 0.7, 0.3*x.mean((1, 2, 3), keepdims=True)),
    'bright+25':   lambda x: linear(x, 1, 25),
    'blur1':       lambda x: pil_map(x, lambda im: im.filter(ImageFilter.GaussianBlur(1))),
    'sharpen':     lambda x: pil_map(x, lambda im: im.filter(ImageFilter.UnsharpMask(2, 150, 0))),
    'lowres_half': lambda x: pil_map(x, lambda im: im.resize((im.size[0]//2, im.size[1]//2), Image.BILINEAR).resize(im.size, Image.BILINEAR)),
    'noise8':      lambda x: np.clip(x + np.random.default_rng(0).normal(0, 8, x.shape), 0, 255).astype(np.uint8),
}

def stress(run, data=None): # run directory; dataset folder (default: the run's)
    "Per perturbation: (ROC-AUC, log-loss, mean p of normals, accuracy at the clean Youden threshold) on validation."
    cfg, model = load_run(run)
    x, y, _, _ = load_split(read_split(Path(run)/'split.csv'), find_data(data or cfg.data), 'val', cfg.image_size, cfg.channels)
    t = youden_threshold(y, predict_images(model, x)); res = {}
    for k, f in PERTURB.items():
        p = predict_images(model, f(x))
        res[k] = (roc_auc_score(y, p), log_loss(y, np.clip(p, 1e-6, 1 - 1e-6)), p[y == 0].mean(), ((p >= t) == y).mean())
    return t, res

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0]); ap.add_argument('runs', nargs='+'); ap.add_argument('--data')
    a = ap.parse_args()
    for run in a.runs:
        t, res = stress(run, a.data); pert = [v for k, v in res.items() if k != 'none']
        print(f"{run}: validation Youden threshold {t:.3f}")
        for k, v in res.items(): print(f"  {k:12} AUC {v[0]:.4f}  log-loss {v[1]:.3f}  mean p(normal) {v[2]:.3f}  acc@youden {v[3]:.3f}")
        print(f"  perturbed: mean AUC {np.mean([v[0] for v in pert]):.4f}, min AUC {np.min([v[0] for v in pert]):.4f}, "
              f"mean acc@youden {np.mean([v[3] for v in pert]):.3f}")
