import functools, hashlib, http.server, os, shutil, subprocess, sys, threading
from pathlib import Path
import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
# The tests' own servers (the built site, chromedriver, a download server) run on this machine:
# never reach them through a proxy, even where one is set, or where every proxy points at a dead
# port to prove a command is offline.
for _k in ('no_proxy', 'NO_PROXY'):
    os.environ[_k] = ','.join(filter(None, [os.environ.get(_k), 'localhost', '127.0.0.1']))

def need(ok, why):
    "Skip the test when `ok` is false, or fail it under CI=true, where all it needs must be there."
    if ok: return
    if os.environ.get('CI') == 'true': pytest.fail(f'CI=true and {why}')
    pytest.skip(why)

# the fixtures that need the chest_xray dataset
DATA_FIXTURES = {'data_root', 'smoke_run', 'fold_run'}

def pytest_collection_modifyitems(config, items):
    "Mark tests needing the dataset `needs_data`, so `-m 'not needs_data'` runs the rest alone."
    for item in items:
        if DATA_FIXTURES & set(getattr(item, 'fixturenames', ())):
            item.add_marker(pytest.mark.needs_data)

@pytest.fixture(scope='session')
def data_root():
    "The real dataset, from PNEUMO_DATA."
    p = os.environ.get('PNEUMO_DATA')
    need(p and Path(p).is_dir(),
         'PNEUMO_DATA is not set to a folder: these tests need the chest_xray dataset')
    return Path(p).resolve()

# the discard port: nothing listens there, so any connection fails at once
DEAD = 'http://127.0.0.1:9'

def offline_env():
    "This environment without the dataset variable, every proxy variable pointed at a dead port."
    env = {k: v for k, v in os.environ.items() if k != 'PNEUMO_DATA'}
    for k in ('http_proxy', 'https_proxy', 'all_proxy'): env[k] = env[k.upper()] = DEAD
    env['no_proxy'] = env['NO_PROXY'] = ''
    return env

def run(*args, cwd=None, timeout=900, env=None):
    "Run a console script; return the CompletedProcess (text)."
    return subprocess.run(list(map(str, args)), capture_output=True, text=True, cwd=cwd,
                          timeout=timeout, env=env)

def assert_one_line_error(r, *needles):
    "A CLI failed with status 2, no traceback, ending on one `error:` line (after any progress)."
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert 'Traceback' not in r.stderr, r.stderr
    lines = [l for l in r.stderr.splitlines() if 'error:' in l]
    assert len(lines) == 1 and r.stderr.rstrip().endswith(lines[0]), r.stderr
    for n in needles: assert n in lines[0], (n, lines[0])
    # pytest -s: what a user sees
    if os.environ.get('SHOW_ERRORS'): print(f'\n[stderr] {r.stderr.rstrip()}')

def tree_digest(folder):
    "{relative path: sha256} of every file under `folder`: to check that nothing was changed."
    files = [p for p in sorted(Path(folder).rglob('*')) if p.is_file()]
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}

SMOKE = ('--limit', 48, '--epochs', 1, '--image-size', 48, '--batch-size', 16)

@pytest.fixture(scope='session')
def smoke_run(data_root, tmp_path_factory):
    "A one-epoch run on 48 images at 48×48, shared by the tests that only read it."
    out = tmp_path_factory.mktemp('runs')/'smoke'
    r = run('pneumo_train', '--data', data_root, '--out', out, *SMOKE)
    assert r.returncode == 0, r.stderr[-3000:]
    return out

@pytest.fixture(scope='session')
def fold_run(data_root, tmp_path_factory):
    "A 2-fold cross-fitted smoke run (one epoch per member), shared by the tests that only read it."
    out = tmp_path_factory.mktemp('runs')/'folds'
    r = run('pneumo_train', '--data', data_root, '--out', out, *SMOKE, '--folds', 2,
            '--fold-epochs', 1)
    assert r.returncode == 0, r.stderr[-3000:]
    return out

def write_bad_images(folder):
    "Each kind of bad or unusual image beside a good JPEG; returns {stem: 'ok' or expected error}."
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

@pytest.fixture(scope='session')
def browser():
    "Headless Debian Chromium driven by selenium, with the flags this closed network needs."
    import shutil
    need(shutil.which('chromium') and shutil.which('chromedriver'),
         'needs Debian chromium and chromium-driver')
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    o = webdriver.ChromeOptions()
    o.binary_location = shutil.which('chromium')
    flags = ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
             '--disable-background-networking', '--disable-component-update', '--disable-sync',
             '--window-size=1280,1400')
    for a in flags: o.add_argument(a)
    d = webdriver.Chrome(service=Service(shutil.which('chromedriver')), options=o)
    yield d
    d.quit()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass

@pytest.fixture(scope='session')
def site():
    "The site built by `pneumo_docs` without Quarto, served on 127.0.0.1: (address, folder)."
    need(shutil.which('chromium') and shutil.which('chromedriver'),
         'needs Debian chromium and chromium-driver')
    code = ("import sys\n"
            "from pneumo_nb.cli import pneumo_docs\n"
            "sys.argv = ['pneumo_docs', '--quarto', 'no']\n"
            "pneumo_docs()\n"
            "print('tensorflow in this process:', 'tensorflow' in sys.modules)")
    r = subprocess.run([sys.executable, '-c', code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    # rendering imports it in nbdev's worker processes only
    assert 'tensorflow in this process: False' in r.stdout
    # the Try it page got its runtime and model
    assert 'pneumo_docs: warning' not in r.stderr, r.stderr[-2000:]
    # nbdev warns of a cell it cannot render cleanly (imports mixed with other code, say)
    assert 'Warning' not in r.stderr, r.stderr[-2000:]
    docs = ROOT/'_docs'
    handler = functools.partial(QuietHandler, directory=str(docs))
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{srv.server_port}/', docs
    srv.shutdown()
