"""A Chinese paragraph and its English twin state the same numbers:
checked over every markdown cell and page."""
import json, re
from collections import Counter
from pathlib import Path
import pytest

NBS = Path(__file__).resolve().parents[1]/'nbs'
PAGES = sorted(NBS.glob('*.ipynb')) + sorted(NBS.glob('*.md'))
CJK = re.compile(r'[\u4e00-\u9fff]')
SCALE = {'万': 1e4, '亿': 1e8, 'thousand': 1e3, 'million': 1e6, 'billion': 1e9}
NUM = re.compile(r'(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)'
                 r'(?:\s*(万|亿|thousand|million|billion))?')

def blocks(path):
    "The markdown of a page, one string per cell."
    if path.suffix == '.md': return [path.read_text(encoding='utf-8')]
    cells = json.loads(path.read_text(encoding='utf-8'))['cells']
    return [''.join(c['source']) for c in cells if c['cell_type'] == 'markdown']

def is_chinese(p):
    "Mostly Chinese prose (a paragraph of a language pair), not a heading, table or code."
    zh, en = len(CJK.findall(p)), len(re.findall(r'[A-Za-z]', p))
    return zh > 0 and zh/(zh + en/4) > 0.5

def prose(text):
    "Paragraphs of prose: fenced code, tables, headings, HTML and link targets removed."
    text = re.sub(r'```.*?```', '', text, flags=re.S)
    paras = []
    for p in re.split(r'\n\s*\n', text):
        lines = [l for l in p.splitlines() if not l.lstrip().startswith(('#', '|', '<'))]
        p = re.sub(r'\]\([^)]*\)|`[^`]*`|\$[^$]*\$', ' ', '\n'.join(lines)).strip()
        if p: paras.append(p)
    return paras

def numbers(p):
    "The numbers a paragraph states, with 万/million scaled and thousands separators dropped."
    out = Counter()
    for m in NUM.finditer(p):
        v = float(m[1].replace(',', '')) * SCALE.get(m[2] or '', 1)
        # small counts: 'three' in English, 三 in Chinese
        if v == int(v) and v <= 12 and '.' not in m[1]: continue
        out[round(v, 6)] += 1
    return out

def kind(p):
    "'zh' for a Chinese paragraph, 'en' for English, None for mixed (a bilingual heading or lead)."
    if is_chinese(p): return 'zh'
    return 'en' if len(CJK.findall(p)) < 6 else None

def pairs(text):
    "(Chinese, English) paragraph pairs: each run of Chinese paragraphs then as many English ones."
    ps = [(kind(p), p) for p in prose(text)]
    out, i = [], 0
    while i < len(ps):
        j = i
        while j < len(ps) and ps[j][0] == 'zh': j += 1
        k = j
        while k < len(ps) and ps[k][0] == 'en': k += 1
        if j > i and k - j == j - i:
            out += list(zip([p for _, p in ps[i:j]], [p for _, p in ps[j:k]]))
        i = max(k, i + 1)
    return out

def mismatches(text):
    "Paragraph pairs whose numbers differ, as (Chinese, English, only in Chinese, only in English)."
    out = []
    for a, b in pairs(text):
        na, nb = numbers(a), numbers(b)
        if set(na) != set(nb):
            out.append((a, b, sorted(set(na) - set(nb)), sorted(set(nb) - set(na))))
    return out

def test_numbers_are_read_in_both_languages():
    found = numbers('约 5,000 万像素，6.8 million 个参数，0.896，3 种')
    assert found == Counter({5e7: 1, 6.8e6: 1, 0.896: 1})

def test_a_changed_number_is_caught():
    good = '准确率 0.896，灵敏度 0.992。\n\nAccuracy 0.896, sensitivity 0.992.'
    assert mismatches(good) == []
    bad = good.replace('Accuracy 0.896', 'Accuracy 0.90')
    assert [m[2:] for m in mismatches(bad)] == [([0.896], [0.9])]

@pytest.mark.parametrize('path', PAGES, ids=lambda p: p.name)
def test_chinese_and_english_state_the_same_numbers(path):
    bad = [m for text in blocks(path) for m in mismatches(text)]
    shown = [f'only in Chinese {a}, only in English {b}:\n  {zh[:160]}\n  {en[:160]}'
             for zh, en, a, b in bad[:5]]
    assert not bad, '\n\n'.join(shown)
