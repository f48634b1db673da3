"The saved notebooks: no missing-glyph warnings, and the tutorial pages carry outputs from a real run."
import json
from pathlib import Path
import pytest

NBS = sorted((Path(__file__).resolve().parents[1]/'nbs').glob('*.ipynb'))

def outputs_text(nb):
    for c in nb['cells']:
        for o in c.get('outputs', []):
            yield ''.join(o.get('text', '')) + ''.join(o.get('data', {}).get('text/plain', ''))

@pytest.mark.parametrize('path', NBS, ids=lambda p: p.name)
def test_no_missing_glyphs(path):
    text = '\n'.join(outputs_text(json.loads(path.read_text(encoding='utf-8'))))
    assert 'Glyph' not in text and 'missing from font' not in text, f'{path.name}: a plot lacks a CJK font'

@pytest.mark.parametrize('name', ['00_data', '01_imbalance', '02_model', '03_train', '04_eval', '06_bench'])
def test_tutorials_have_saved_outputs(name):
    nb = json.loads((NBS[0].parent/f'{name}.ipynb').read_text(encoding='utf-8'))
    ran = [c for c in nb['cells'] if c['cell_type'] == 'code' and c.get('outputs')]
    assert len(ran) >= 3, f'{name}: saved without the outputs of a real run'
