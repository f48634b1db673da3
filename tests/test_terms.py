"""Terms on the main path: each glossary term is explained in the chapter the glossary names, links
to the glossary at its first use there, and no earlier main chapter uses it."""
import functools, json, re
from pathlib import Path
import pytest

NBS = Path(__file__).resolve().parents[1]/'nbs'
MAIN = ['00_data', '01_imbalance', '02_model', '03_train', '04_eval']
ROW = re.compile(r'^\| <span id="([\w-]+)"></span>([^|]+)\| ([^|]+)\| [^|]+\| '
                 r'\[\d+\]\(([\w]+)\.(?:ipynb|md)\) \|', re.M)

def terms():
    "Glossary rows as (anchor, Chinese forms, English forms, the page that defines the term)."
    rows = ROW.findall((NBS/'glossary.md').read_text(encoding='utf-8'))
    out = []
    for anchor, zh, en, page in rows:
        zh_forms = [z.strip() for z in re.split(r'[（）()]', zh) if z.strip()]
        full = re.sub(r'\s*\([^)]*\)', '', en).strip()
        short = re.findall(r'\(([^)]+)\)', en)
        out.append((anchor, zh_forms, [full, *short], page))
    return out

@functools.cache
def prose(name):
    "The markdown cells of a notebook, with code spans and link targets blanked out."
    cells = json.loads((NBS/f'{name}.ipynb').read_text(encoding='utf-8'))['cells']
    raw = [''.join(c['source']) for c in cells if c['cell_type'] == 'markdown']
    return [(t, re.sub(r'\]\([^)]*\)', ']', re.sub(r'`[^`]*`', ' ', t))) for t in raw]

def mentions(text, zh_forms, en_forms):
    "Whether `text` names the term in either language."
    if any(z in text for z in zh_forms): return True
    return any(re.search(r'(?<![\w-])' + re.escape(e) + r'(?![\w-])', text, re.I) for e in en_forms)

TERMS = terms()

def test_the_glossary_is_read():
    assert len(TERMS) >= 50, len(TERMS)

@pytest.mark.parametrize('anchor, zh_forms, en_forms, page', TERMS, ids=[t[0] for t in TERMS])
def test_a_term_is_explained_before_the_main_path_uses_it(anchor, zh_forms, en_forms, page):
    defined = MAIN.index(page) if page in MAIN else len(MAIN)
    for m in MAIN[:defined]:
        used = [raw[:80] for raw, text in prose(m) if mentions(text, zh_forms, en_forms)]
        assert not used, f'{m} uses "{anchor}" before {page}, where the glossary says it is defined'
    if page in MAIN:
        first = next((raw for raw, text in prose(page) if mentions(text, zh_forms, en_forms)), None)
        assert first is not None, f'{page} never names "{anchor}"'
        assert f'glossary.md#{anchor}' in first, f'{page}: the first use of "{anchor}" has no link'
