"""Every paragraph of prose says which language it is in: the notebooks wrap Chinese prose in
`<div class="lang-zh" lang="zh">` and English in `<div class="lang-en" lang="en">`; what is left
unwrapped is shown in every view, so it must hold both languages or be no prose at all."""
import json, re
from pathlib import Path
import pytest

NBS = sorted((Path(__file__).resolve().parents[1]/'nbs').glob('*.ipynb'))
OPEN = re.compile(r'^<div class="lang-(zh|en)" lang="(zh|en)">$')
IDEO = re.compile(r'[\u3400-\u9fff\uf900-\ufaff]')
WORD = re.compile(r'[A-Za-z]+')
NOT_PROSE = ('#', '|', '```', '<', '![', '>')

def chunks(text):
    "Blank-line separated blocks; a fenced code block is one block."
    out, cur, fence = [], [], False
    for line in text.split('\n'):
        if line.lstrip().startswith('```'): fence = not fence
        if not line.strip() and not fence:
            if cur: out.append('\n'.join(cur))
            cur = []
        else: cur.append(line)
    if cur: out.append('\n'.join(cur))
    return out

def counts(block):
    "Chinese characters and English words a reader reads (no code, link targets or tags)."
    t = re.sub(r'`[^`]*`|\]\([^)]*\)|<[^>]+>', ' ', block)
    return len(IDEO.findall(t)), len(WORD.findall(t))

def marked(text):
    "(language or None, block) for each block of a markdown cell; a one-line error if divs nest."
    out, lang = [], None
    for b in chunks(text):
        if m := OPEN.match(b.strip()):
            assert lang is None and m[1] == m[2], f'language divs nest or disagree: {b}'
            lang = m[1]
        elif b.strip() == '</div>' and lang: lang = None
        else: out.append((lang, b))
    assert lang is None, 'a language div is not closed'
    return out

def problems(text):
    "Blocks whose marking does not fit their text."
    bad = []
    for lang, b in marked(text):
        zh, en = counts(b)
        if lang == 'zh' and not zh: bad.append(f'marked Chinese, holds none: {b[:100]}')
        if lang == 'en' and zh > 12: bad.append(f'marked English, holds Chinese: {b[:100]}')
        prose = not b.lstrip().startswith(NOT_PROSE) and zh + en
        if lang is None and prose and not (zh >= 2 and en >= 2):
            bad.append(f'unmarked prose in one language (wrap it in a lang div): {b[:100]}')
    return bad

def test_the_check_sees_unmarked_and_mismarked_prose():
    good = ('## 标题 Title\n\n**仅供教学。 Teaching only.**\n\n<div class="lang-zh" lang="zh">\n\n'
            '中文段落。\n\n</div>\n\n<div class="lang-en" lang="en">\n\nAn English one.\n\n</div>')
    assert problems(good) == []
    assert len(problems(good + '\n\nAn unmarked English paragraph.')) == 1
    swapped = good.replace('中文段落。', 'A wrong one.')
    assert problems(swapped) == ['marked Chinese, holds none: A wrong one.']
    with pytest.raises(AssertionError): marked('<div class="lang-zh" lang="zh">\n\n中文')

@pytest.mark.parametrize('path', NBS, ids=lambda p: p.name)
def test_every_paragraph_is_marked_with_its_language(path):
    "The title cell aside, every prose block is Chinese, English, or both and shown in every view."
    cells = [c for c in json.loads(path.read_text(encoding='utf-8'))['cells']
             if c['cell_type'] == 'markdown']
    texts = [''.join(c['source']) for c in cells]
    if texts and texts[0].startswith('# '): texts = texts[1:]
    bad = [p for t in texts for p in problems(t)]
    assert not bad, '\n'.join(bad[:8])

PAGES = [p for p in sorted(NBS[0].parent.glob('*.md')) if p.name != 'model_card.md']

@pytest.mark.parametrize('path', PAGES, ids=lambda p: p.name)
def test_every_paragraph_of_a_page_is_marked(path):
    "The md pages too, front matter aside (the model card page is the shipped card, copied as is)."
    text = re.sub(r'\A---\n.*?\n---\n', '', path.read_text(encoding='utf-8'), flags=re.S)
    bad = problems(text)
    assert not bad, '\n'.join(bad[:8])
