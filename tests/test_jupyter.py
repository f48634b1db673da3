"""The notebooks in Jupyter: 00_data runs cell by cell in the project's kernel, and JupyterLab
opens the notebooks without marking them modified."""
import json, os, socket, subprocess, sys, time, urllib.request, uuid
from pathlib import Path
import pytest

NBS = Path(__file__).resolve().parents[1]/'nbs'

def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    p = s.getsockname()[1]
    s.close()
    return p

@pytest.fixture(params=['server'])
def server(data_root, tmp_path, request):
    port, token = free_port(), uuid.uuid4().hex
    env = {**os.environ, 'IN_TEST': '1', 'PNEUMO_DATA': str(data_root),
           'JUPYTER_RUNTIME_DIR': str(tmp_path/'rt'), 'MPLBACKEND': 'Agg'}
    cmd = [sys.executable, '-m', 'jupyter', request.param, '--no-browser',
           '--ServerApp.ip=127.0.0.1', f'--ServerApp.port={port}',
           f'--IdentityProvider.token={token}', f'--ServerApp.root_dir={NBS}',
           *(['--allow-root'] if os.geteuid() == 0 else [])]
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                         stderr=open(tmp_path/'server.log', 'w'))
    base = f'http://127.0.0.1:{port}'
    for _ in range(120):
        if p.poll() is not None: break
        try:
            urllib.request.urlopen(f'{base}/api/status?token={token}', timeout=2)
            break
        except Exception: time.sleep(0.5)
    if p.poll() is not None or _ == 119:
        p.kill()
        log = (tmp_path/'server.log').read_text()[-2000:]
        pytest.fail(f'jupyter server did not start: {log}')
    yield base, token
    p.terminate()
    p.wait(20)

def api(base, token, path, method='GET', body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f'{base}{path}?token={token}', method=method, data=data,
                                 headers={'Content-Type': 'application/json'})
    return json.loads(urllib.request.urlopen(req, timeout=30).read() or b'null')

def execute(ws, code, timeout=300):
    "Send one execute_request on the kernel's websocket; return (status, error text)."
    mid = uuid.uuid4().hex
    header = dict(msg_id=mid, username='test', session='s', msg_type='execute_request',
                  version='5.3')
    content = dict(code=code, silent=False, store_history=True, user_expressions={},
                   allow_stdin=False, stop_on_error=True)
    ws.send(json.dumps(dict(header=header, parent_header={}, metadata={}, channel='shell',
                            buffers=[], content=content)))
    end, err = time.time() + timeout, ''
    while time.time() < end:
        m = json.loads(ws.recv())
        if m.get('parent_header', {}).get('msg_id') != mid: continue
        if m['msg_type'] == 'error': err = f"{m['content']['ename']}: {m['content']['evalue']}"
        if m['channel'] == 'shell' and m['msg_type'] == 'execute_reply':
            return m['content']['status'], err
    return 'timeout', err

def test_00_data_runs_in_a_jupyter_kernel(server):
    import websocket
    base, token = server
    k = api(base, token, '/api/kernels', 'POST', {'name': 'pneumo_nb'})
    url = f"{base.replace('http', 'ws')}/api/kernels/{k['id']}/channels?token={token}"
    ws = websocket.create_connection(url, timeout=300)
    try:
        nb = json.loads((NBS/'00_data.ipynb').read_text(encoding='utf-8'))
        cells = [''.join(c['source']) for c in nb['cells'] if c['cell_type'] == 'code']
        cells = [c for c in cells if 'nbdev_export(' not in c]
        assert execute(ws, 'import os; os.chdir(os.path.expanduser(%r))' % str(NBS))[0] == 'ok'
        for n, code in enumerate(cells):
            status, err = execute(ws, code)
            assert status == 'ok', f'cell {n} failed in the Jupyter kernel: {err}\n{code[:300]}'
        status, _ = execute(ws, "assert len(ITEMS) == 5856 and QUICK")
        assert status == 'ok'
    finally:
        ws.close()
        api(base, token, f"/api/kernels/{k['id']}", 'DELETE')

# Opening a notebook starts its kernel; JupyterLab then writes the kernel's `kernelspec` and
# `language_info` into the notebook's metadata and marks it modified if they differ from the saved
# ones. The notebooks are saved with the `pneumo_nb` kernel (whose display name is its name, as
# nbdev_clean writes it) and its `language_info`.
@pytest.mark.parametrize('server', ['lab'], indirect=True)
def test_jupyterlab_opens_notebooks_unmodified(server, browser):
    "Notebooks saved with the `pneumo_nb` kernel and `language_info` open in JupyterLab unmodified."
    base, token = server
    status = '.jp-Notebook-ExecutionIndicator, .jp-StatusBar-TextItem'
    for name in ('00_data.ipynb', '01_imbalance.ipynb', '04_eval.ipynb'):
        browser.get(f'{base}/lab/tree/{name}?token={token}&reset')
        opened = idle = False
        for _ in range(120):   # wait until the notebook's tab is open and its kernel idle
            time.sleep(1)
            opened = browser.execute_script(
                "return [...document.querySelectorAll('.lm-TabBar-tabLabel')]"
                ".some(e => e.textContent.trim() === arguments[0])", name)
            idle = opened and browser.execute_script(
                f"return [...document.querySelectorAll('{status}')]"
                ".some(e => /Idle/.test(e.textContent || e.title || ''))")
            if idle: break
        assert opened, f'JupyterLab did not open {name}'
        assert idle, f'the kernel of {name} did not become idle'
        time.sleep(3)
        dirty = browser.execute_script(
            "return document.querySelectorAll('.lm-TabBar-tab.jp-mod-dirty').length")
        assert dirty == 0, f'{name} is marked modified right after opening'
