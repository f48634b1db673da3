import os, subprocess, sys
from pathlib import Path
import numpy as np
import pytest
from PIL import Image

@pytest.fixture(scope='session')
def data_root():
    "The real dataset, from PNEUMO_DATA."
    p = os.environ.get('PNEUMO_DATA')
    if not p: pytest.skip('PNEUMO_DATA is not set: these tests need the chest_xray dataset')
    return Path(p).resolve()

def run(*args, cwd=None, timeout=600):
    "Run a console script; return the CompletedProcess (text)."
    return subprocess.run(list(map(str, args)), capture_output=True, text=True, cwd=cwd, timeout=timeout)

def assert_one_line_error(r, *needles):
    "A CLI failed with exit status 2, no traceback, and ended on one `error:` line (progress lines may come before)."
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert 'Traceback' not in r.stderr, r.stderr
    lines = [l for l in r.stderr.splitlines() if 'error:' in l]
    assert len(lines) == 1 and r.stderr.rstrip().endswith(lines[0]), r.stderr
    for n in needles: assert n in lines[0], (n, lines[0])

def write_bad_images(folder):
    "Each kind of bad or unusual image file beside one good JPEG; returns {stem: 'ok' or the expected error}."
    g = (np.arange(48*48).reshape(48, 48) % 251).astype(np.uint8)
    Image.fromarray(g).save(folder/'good.jpeg')
    (folder/'zero.jpeg').write_bytes(b'')
    (folder/'trunc.jpeg').write_bytes((folder/'good.jpeg').read_bytes()[:300])
    (folder/'text.jpeg').write_text('not an image')
    Image.fromarray(np.dstack([g, g, g, np.full_like(g, 128)]), 'RGBA').save(folder/'alpha.png')
    Image.fromarray(g.astype(np.uint16)*257).save(folder/'deep16.png')
    Image.fromarray(g).convert('CMYK').save(folder/'cmyk.jpeg')
    Image.fromarray(g).convert('P').save(folder/'palette.png')
    return dict(good='ok', zero='empty file', trunc='unreadable image', text='not an image',
                alpha='ok', deep16='ok', cmyk='ok', palette='ok')
