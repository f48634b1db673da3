"""Train the original's run and every rung of the ladder (03_train), one after another.

An interrupted run continues.
Usage: python tools/ladder.py [--runs runs] [--only NAME ...]   (about 2 hours on a 2-core CPU)
"""
import argparse, subprocess, time
from pathlib import Path
from pneumo_nb.train import ORIGINAL_RUN, LADDER

def train(out, # run folder
          args): # pneumo_train options
    "Run `pneumo_train` into `out`, continuing it when it was interrupted; skip it when finished."
    out = Path(out)
    if (out/'train_summary.json').exists(): return print(f'{out}: finished, skipped', flush=True)
    resume = (out/'config.json').exists()
    cmd = ['pneumo_train', '--out', str(out)] + (['--resume'] if resume else args)
    print(time.strftime('%H:%M'), ' '.join(cmd), flush=True)
    subprocess.run(cmd, check=True)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--runs', default='runs', help='folder for the run folders')
    p.add_argument('--only', nargs='*',
                   help='names of the runs to train, in this order (default: all)')
    a = p.parse_args()
    todo = dict([('original', ORIGINAL_RUN)] + [(r['name'], r['args']) for r in LADDER])
    for name in a.only or todo:   # in the order given
        out = Path(a.runs)/name if name == 'original' else Path(a.runs)/'ladder'/name
        fast_done = (Path(a.runs)/'nb_fast'/'train_summary.json').exists()
        if name == LADDER[-1]['name'] and fast_done and not out.exists():
            # the default run of 03
            out.parent.mkdir(parents=True, exist_ok=True)
            out.symlink_to('../nb_fast')
        train(out, todo[name])
