"`pneumo_download` against a local HTTP server on 127.0.0.1 serving a zip the test builds."
import hashlib, http.server, threading, zipfile
import pytest
from conftest import run, assert_one_line_error
from pneumo_nb.data import toy_dataset, scan
from pneumo_nb.download import fetch, KAGGLE_VAL

class RangeHandler(http.server.BaseHTTPRequestHandler):
    "Serves one blob at /data.zip, honouring `Range: bytes=N-`; records the ranges asked for."
    blob, ranges = b'', []
    def do_GET(self):
        if self.path != '/data.zip': return self.send_error(404)
        rng = self.headers.get('Range')
        start = int(rng.split('=')[1].rstrip('-')) if rng else 0
        type(self).ranges.append(rng)
        body = self.blob[start:]
        self.send_response(206 if rng else 200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass

@pytest.fixture
def server(tmp_path):
    src = toy_dataset(tmp_path/'src', n=3, size=32)
    zpath = tmp_path/'ChestXRay2017.zip'
    with zipfile.ZipFile(zpath, 'w') as z:  # the Mendeley archive has train/ and test/ only
        for p in sorted(src.rglob('*.jpeg')):
            if not p.parts[-3] == 'val': z.write(p, f'chest_xray/{p.relative_to(src)}')
        z.writestr(f'chest_xray/train/NORMAL/{KAGGLE_VAL[0]}',
                   (src/'train'/'NORMAL'/'IM-0000-0001.jpeg').read_bytes())
        z.writestr(f'chest_xray/train/PNEUMONIA/{KAGGLE_VAL[-1]}',
                   (src/'train'/'PNEUMONIA'/'person0_bacteria_0.jpeg').read_bytes())
        z.writestr('__MACOSX/chest_xray/._junk.jpeg', b'x')
    RangeHandler.blob, RangeHandler.ranges = zpath.read_bytes(), []
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), RangeHandler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    sha = hashlib.sha256(RangeHandler.blob).hexdigest()
    yield f'http://127.0.0.1:{srv.server_port}/data.zip', sha
    srv.shutdown()

def test_cli_download_and_extract(server, tmp_path):
    url, sha = server
    r = run('pneumo_download', '--out', tmp_path/'data', '--url', url, '--sha256', sha)
    assert r.returncode == 0, r.stderr
    items = scan(tmp_path/'data'/'chest_xray')
    assert {i.split for i in items} == {'train', 'val', 'test'}       # val/ made the Kaggle way
    val = sorted(i.path.split('/')[-1] for i in items if i.split == 'val')
    assert val == sorted([KAGGLE_VAL[0], KAGGLE_VAL[-1]])
    assert not (tmp_path/'data'/'ChestXRay2017.zip').exists() and 'dataset ready' in r.stdout
    # running again leaves the existing dataset alone
    r = run('pneumo_download', '--out', tmp_path/'data', '--url', url)
    assert_one_line_error(r, 'already exists')

def test_resume(server, tmp_path):
    url, sha = server
    dest = tmp_path/'a.zip'
    (tmp_path/'a.zip.part').write_bytes(RangeHandler.blob[:1000])
    fetch(url, dest, sha256=sha, progress=False)
    assert RangeHandler.ranges == ['bytes=1000-']
    assert hashlib.sha256(dest.read_bytes()).hexdigest() == sha

def test_bad_checksum(server, tmp_path):
    url, _ = server
    r = run('pneumo_download', '--out', tmp_path/'d', '--url', url, '--sha256', '0'*64)
    assert_one_line_error(r, 'SHA-256 mismatch')
    d = tmp_path/'d'
    assert not (d/'chest_xray').exists() and (d/'ChestXRay2017.zip.part.bad').exists()

def test_offline(tmp_path):
    import socket
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()   # nothing listens here
    url = f'http://127.0.0.1:{port}/x.zip'
    assert_one_line_error(run('pneumo_download', '--out', tmp_path/'d', '--url', url),
                          'cannot download', 'offline')

def test_not_a_zip(tmp_path):
    (tmp_path/'x.zip').write_text('nope')
    r = run('pneumo_download', '--out', tmp_path, '--url', (tmp_path/'x.zip').as_uri())
    assert_one_line_error(r, 'not a zip')

def test_download_never_imports_tensorflow(server, tmp_path):
    "The whole download, in one process, leaves TensorFlow out of sys.modules."
    import subprocess, sys
    url, sha = server
    argv = ['pneumo_download', '--out', str(tmp_path/'d'), '--url', url, '--sha256', sha]
    code = ("import sys\n"
            "from pneumo_nb.cli import pneumo_download\n"
            f"sys.argv = {argv!r}\n"
            "pneumo_download()\n"
            "print('tensorflow' in sys.modules, file=sys.stderr)")
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr.strip().endswith('False'), r.stderr[-2000:]
    assert (tmp_path/'d'/'chest_xray'/'train').is_dir()
