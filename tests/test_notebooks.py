"""The saved notebooks: outputs a reader would see come from a real run of the current cells,
with no noise or machine paths."""
import hashlib, json, re
from pathlib import Path
import pytest

NBS = sorted((Path(__file__).resolve().parents[1]/'nbs').glob('*.ipynb'))
TF_LOG = re.compile(r'^[IWEF]\d{4} \d\d:\d\d:\d\d|oneDNN|absl::|WARNING:tensorflow|TF_CPP'
                    r'|cpu_feature_guard', re.M)
MACHINE_PATH = re.compile(r'(?<![\w.~])/(?:tmp|home|root|work|Users|mnt|var/folders|private)/')

def code_cells(path):
    cells = json.loads(path.read_text(encoding='utf-8'))['cells']
    return [c for c in cells if c['cell_type'] == 'code']

def texts(o):
    "The text a reader sees in one output (stream text and every text/* representation)."
    data = ''.join(''.join(v) for k, v in o.get('data', {}).items() if k.startswith('text/'))
    return ''.join(o.get('text', '')) + data

@pytest.mark.parametrize('path', NBS, ids=lambda p: p.name)
def test_no_noise_in_saved_outputs(path):
    for n, c in enumerate(code_cells(path)):
        for o in c.get('outputs', []):
            where = f'{path.name} code cell {n}'
            assert o.get('name') != 'stderr', f'{where}: a stderr stream: {texts(o)[:300]}'
            assert o.get('output_type') != 'error', f'{where}: saved with an error'
            t = texts(o)
            log, local = TF_LOG.search(t), MACHINE_PATH.search(t)
            assert not log, f'{where}: a TensorFlow log line: {log and log[0]}'
            near = t[max(0, local.start() - 40):][:120] if local else ''
            assert not local, f'{where}: a path of the machine it ran on: {near}'
            no_glyph = 'Glyph' in t or 'missing from font' in t
            assert not no_glyph, f'{where}: a plot lacks a CJK font'

@pytest.mark.parametrize('path', NBS, ids=lambda p: p.name)
def test_outputs_come_from_the_current_cells(path):
    "Every code cell carries the stamp `tools/run_nb.py` gave its source; edited cells mismatch."
    for n, c in enumerate(code_cells(path)):
        sha = hashlib.sha1(''.join(c['source']).encode('utf-8')).hexdigest()[:12]
        why = 'edited since the notebook ran (re-run it with tools/run_nb.py)'
        assert c.get('metadata', {}).get('source_sha') == sha, f'{path.name} code cell {n}: {why}'

TUTORIALS = ['00_data', '01_imbalance', '02_model', '03_train', '04_eval', '14_bench']

@pytest.mark.parametrize('name', TUTORIALS)
def test_tutorials_have_saved_outputs(name):
    ran = [c for c in code_cells(NBS[0].parent/f'{name}.ipynb') if c.get('outputs')]
    assert len(ran) >= 3, f'{name}: saved without the outputs of a real run'

@pytest.mark.parametrize('name', ['00_data', '01_imbalance', '03_train', '04_eval', '14_bench'])
def test_tutorials_show_their_plots(name):
    "A notebook executed with a non-interactive backend (MPLBACKEND=Agg) saves no figures."
    outputs = [o for c in code_cells(NBS[0].parent/f'{name}.ipynb') for o in c.get('outputs', [])]
    pngs = [o for o in outputs if 'image/png' in o.get('data', {})]
    assert pngs, f'{name}: saved without its plots'

FLOAT = re.compile(r'(?<![\w.])\d+\.\d{7,}(?![\w.])')

@pytest.mark.parametrize('path', NBS, ids=lambda p: p.name)
def test_plots_are_sharp_and_described(path):
    "Every plot is a 2× (retina) PNG with display width, from a cell whose `#| fig-alt:` says what."
    for n, c in enumerate(code_cells(path)):
        for o in c.get('outputs', []):
            if 'image/png' not in o.get('data', {}): continue
            where = f'{path.name} code cell {n}'
            meta = o.get('metadata', {}).get('image/png', {})
            assert 'width' in meta, f'{where}: a plot saved at 1×'
            alt = re.search(r'^#\|\s*fig-alt:\s*\S', ''.join(c['source']), re.M)
            assert alt, f'{where}: a plot without fig-alt'

@pytest.mark.parametrize('path', NBS, ids=lambda p: p.name)
def test_printed_numbers_are_rounded(path):
    "No saved output prints a float with seven or more decimals: readers read rounded numbers."
    for n, c in enumerate(code_cells(path)):
        for o in c.get('outputs', []):
            m = FLOAT.search(texts(o))
            assert not m, f'{path.name} code cell {n}: an unrounded number {m[0]}'
