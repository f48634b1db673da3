"""Validation stress test: each run's held-out images, as they are and under `PERTURB`'s changes.

For each run folder given, predict its held-out images (its validation split, or its out-of-fold
images with each image's own member) as they are and under each acquisition-like change, and print
ROC-AUC, log-loss, the mean probability given to normal films and the balanced accuracy at the
run's calibrated 0.5. The test split is never read.
Usage: python tools/stress_val.py RUN [RUN ...]
"""
import argparse
import numpy as np
from sklearn.metrics import roc_auc_score, log_loss
from pneumo_nb.runs import read_heldout, load_run
from pneumo_nb.model import sigmoid, model_calibration
from pneumo_nb.operating import stress_predictions
from pneumo_nb.train import heldout_images
from pneumo_nb.evaluate import threshold_metrics

def stress(run): # run folder
    "Per change: ROC-AUC, log-loss, mean p of normals, balanced accuracy at 0.5 on held-out images."
    cfg, model = load_run(run)
    held = read_heldout(run)
    y = held['label']
    cal = model_calibration(model)
    clean = {'none': sigmoid(cal[0]*held['logit'] + cal[1])}
    res = {}
    stressed = stress_predictions(model, heldout_images(run, cfg, held), held['fold'], cal)
    for k, p in {**clean, **stressed}.items():
        res[k] = (roc_auc_score(y, p), log_loss(y, np.clip(p, 1e-6, 1 - 1e-6)), p[y == 0].mean(),
                  threshold_metrics(y, p, .5)['balanced_accuracy'])
    return res

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('runs', nargs='+')
    for run in ap.parse_args().runs:
        res = stress(run)
        pert = [v for k, v in res.items() if k != 'none']
        print(f"{run}: held-out images from {read_heldout(run)['source']}")
        for k, v in res.items():
            print(f"  {k:12} AUC {v[0]:.4f}  log-loss {v[1]:.3f}  mean p(normal) {v[2]:.3f}  "
                  f"balanced acc @0.5 {v[3]:.3f}")
        mean_auc, min_auc = np.mean([v[0] for v in pert]), np.min([v[0] for v in pert])
        print(f"  perturbed: mean AUC {mean_auc:.4f}, min AUC {min_auc:.4f}, "
              f"mean balanced acc @0.5 {np.mean([v[3] for v in pert]):.3f}")
