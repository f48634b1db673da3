"""Execute notebooks and save the outputs, each code cell stamped with a hash of its source.

The stamp lets `tests/test_notebooks.py` find cells edited (or added) after the notebook ran, with
or without outputs. Consecutive outputs of one stream are merged, as JupyterLab does when it opens
a notebook (otherwise the notebook opens already "modified").
Usage: python tools/run_nb.py nbs/00_data.ipynb [nbs/01_imbalance.ipynb ...]
Each notebook runs in nbs/ (as in JupyterLab), without IN_TEST, so with its full settings, and
without MPLBACKEND, so plots show inline; the time it took is printed.
"""
import hashlib, os, sys, time
from pathlib import Path
import nbformat
from nbclient import NotebookClient

def source_sha(src): # a cell's source
    "The stamp of a cell's source."
    return hashlib.sha1(src.encode('utf-8')).hexdigest()[:12]

def merge_streams(outputs): # a code cell's outputs
    "Outputs with consecutive stream outputs of the same name joined into one."
    out = []
    for o in outputs:
        prev = out[-1] if out else {}
        same_stream = (o.get('output_type') == 'stream' and prev.get('output_type') == 'stream'
                       and prev.get('name') == o.get('name'))
        if same_stream:
            out[-1]['text'] = ''.join(out[-1]['text']) + ''.join(o['text'])
        else: out.append(o)
    return out

def run(path): # notebook file
    "Execute the notebook in its folder, stamp and save it; return the seconds it took."
    nb = nbformat.read(path, as_version=4)
    # MPLBACKEND=Agg would keep plots out of the notebook
    env = {k: v for k, v in os.environ.items() if k not in ('IN_TEST', 'MPLBACKEND')}
    os.environ.clear()
    os.environ.update(env)
    t = time.time()
    resources = {'metadata': {'path': str(Path(path).parent)}}
    NotebookClient(nb, timeout=None, resources=resources).execute()
    for c in nb.cells:
        if c.cell_type != 'code': continue
        c.outputs = merge_streams(c.outputs)
        c.metadata['source_sha'] = source_sha(c.source)
    nbformat.write(nb, path)
    return time.time() - t

if __name__ == '__main__':
    for p in sys.argv[1:]:
        print(f'{p}: {run(p):.0f} s', flush=True)
