"""Write README.md from nbs/index.ipynb, so the two always agree.

`--check` fails if README.md is stale. nbdev's own `nbdev_readme` needs Quarto; this does the same
for our index page, which is prose only: markdown cells are copied, links to notebooks point at the
rendered pages, cells marked `#| hide` are skipped."""
import re, sys, json
from pathlib import Path

root = Path(__file__).resolve().parents[1]

def readme_text():
    nb = json.loads((root/'nbs'/'index.ipynb').read_text(encoding='utf-8'))
    parts = []
    for c in nb['cells']:
        src = ''.join(c['source'])
        if re.search(r'^#\|\s*hide', src, re.M): continue
        if c['cell_type'] == 'markdown': parts.append(src)
        elif c['cell_type'] == 'code' and src.strip(): parts.append(f'```python\n{src}\n```')
    text = '\n\n'.join(parts) + '\n'
    # links to notebooks point at their pages on the published site
    # (nbdev drops the number: 00_data -> data.html)
    page = r'](https://pneumo-nb.github.io/pneumo_nb/\1.html)'
    text = re.sub(r'\]\(\d\d_(\w+)\.ipynb\)', page, text)
    return re.sub(r'\]\((\w+)\.md\)', page, text)

if __name__ == '__main__':
    text, readme = readme_text(), root/'README.md'
    if '--check' in sys.argv:
        if not readme.exists() or readme.read_text(encoding='utf-8') != text:
            sys.exit('README.md is out of date with nbs/index.ipynb: '
                     'run `python tools/make_readme.py`')
    else: readme.write_text(text, encoding='utf-8')
