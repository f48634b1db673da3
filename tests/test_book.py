"""The book's shape: main chapters end with a summary and exercises, research chapters say they
can be skipped, glossary links land."""
import json, re
from pathlib import Path
import pytest

NBS = Path(__file__).resolve().parents[1]/'nbs'
MAIN = ['00_data', '01_imbalance', '02_model', '03_train', '04_eval']
RESEARCH = ['05_precise_bn', '06_ensemble', '07_calibration', '08_operating', '09_adapt',
            '10_gradcam']

def markdown(name):
    "The markdown cells of a notebook."
    cells = json.loads((NBS/f'{name}.ipynb').read_text(encoding='utf-8'))['cells']
    return [''.join(c['source']) for c in cells if c['cell_type'] == 'markdown']

def section(cells, heading):
    "The text of the cell that starts with `heading`, or None."
    return next((c for c in cells if c.startswith(heading)), None)

@pytest.mark.parametrize('name', MAIN + RESEARCH)
def test_a_chapter_opens_with_its_question(name):
    first = markdown(name)[0]
    why = 'the title cell holds only the title and its lead; nbdev drops the rest from the page'
    assert first.count('\n') <= 2, f'{name}: {why}'
    lead = next(l for l in first.splitlines() if l.startswith('> '))
    why = "the lead line should ask the chapter's question in both languages"
    assert '？' in lead and '?' in lead, f'{name}: {why}: {lead[:120]}'

def chinese(cell):
    "The Chinese prose of a markdown cell: its lang-zh blocks."
    return '\n\n'.join(re.findall(r'<div class="lang-zh" lang="zh">(.*?)</div>', cell, re.S))

@pytest.mark.parametrize('name', MAIN)
def test_a_main_chapter_ends_with_summary_and_exercises(name):
    cells = markdown(name)
    summary, exercises = section(cells, '## 小结'), section(cells, '## 练习')
    assert summary and exercises, f'{name}: no 小结 or 练习'
    zh_bullets = [l for l in chinese(summary).splitlines() if l.startswith('- ')]
    zh_items = [l for l in chinese(exercises).splitlines() if re.match(r'\d+\. ', l)]
    assert 3 <= len(zh_bullets) <= 5, f'{name}: {len(zh_bullets)} summary bullets'
    assert 3 <= len(zh_items) <= 6, f'{name}: {len(zh_items)} exercises'
    last = len(cells) - 2
    assert cells.index(exercises) >= last, f'{name}: the exercises should close the chapter'

@pytest.mark.parametrize('name', RESEARCH)
def test_a_research_chapter_says_it_can_be_skipped(name):
    # the cell after the title; nbdev turns the title cell into the page's front matter
    first = markdown(name)[1]
    assert '可以跳过：主线不依赖本章' in first
    assert 'You can skip this: the main path does not rely on it' in first

def test_glossary_links_land():
    glossary = (NBS/'glossary.md').read_text(encoding='utf-8')
    anchors = set(re.findall(r'<span id="([\w-]+)"></span>', glossary))
    notebooks = ''.join(''.join(markdown(p.stem)) for p in NBS.glob('*.ipynb'))
    text = notebooks + ''.join(p.read_text(encoding='utf-8') for p in NBS.glob('*.md'))
    used = set(re.findall(r'glossary\.md#([\w-]+)', text))
    assert used, 'no term links to the glossary'
    assert used <= anchors, f'links to missing glossary entries: {sorted(used - anchors)}'

def test_the_model_card_page_is_the_shipped_card():
    "nbs/model_card.md is pneumo_nb/release/ card under front matter (tools/model_card_page.py)."
    import importlib.util
    path = NBS.parent/'tools'/'model_card_page.py'
    spec = importlib.util.spec_from_file_location('model_card_page', path)
    page = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(page)
    card = (NBS/'model_card.md').read_text(encoding='utf-8')
    assert card == page.page_text(), 'run python tools/model_card_page.py'

def test_every_plot_is_checked_for_small_text():
    "A cell that draws a plot is followed by a hidden check that its text is readable on a phone."
    missing = []
    for nb in sorted(NBS.glob('*.ipynb')):
        code = [c for c in json.loads(nb.read_text(encoding='utf-8'))['cells']
                if c['cell_type'] == 'code']
        for c, after in zip(code, code[1:] + [None]):
            plots = any('image/png' in o.get('data', {}) for o in c.get('outputs', []))
            check = after and ''.join(after['source'])
            if plots and not (check and check.startswith('#| hide') and 'small_text(' in check):
                missing.append(f"{nb.stem}: {''.join(c['source'])[:60]!r}")
    assert not missing, missing
