"""The package's shape: no import cycle among its modules (imports inside functions count),
core at the bottom, small modules."""
import ast, json, re
import pytest
from pathlib import Path

PKG = Path(__file__).resolve().parents[1]/'pneumo_nb'
MODULES = {p.stem: p for p in PKG.glob('*.py') if not p.stem.startswith('_')}

def imports(path):
    "The package modules `path` imports anywhere: top level, in functions, relative or absolute."
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.level == 1: out.add(node.module.split('.')[0])
            elif node.module.startswith('pneumo_nb.'): out.add(node.module.split('.')[1])
            elif node.module == 'pneumo_nb': out |= {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            out |= {a.name.split('.')[1] for a in node.names if a.name.startswith('pneumo_nb.')}
    return out & set(MODULES)

GRAPH = {m: imports(p) - {m} for m, p in MODULES.items()}

def cycle(graph):
    "One import cycle as a list of modules, or None."
    state, stack = {}, []
    def visit(m):
        state[m] = 'open'
        stack.append(m)
        for d in sorted(graph[m]):
            if state.get(d) == 'open': return stack[stack.index(d):] + [d]
            if d not in state and (c := visit(d)): return c
        state[m] = 'done'
        stack.pop()
    for m in sorted(graph):
        if m not in state and (c := visit(m)): return c

def test_the_cycle_finder_finds_a_cycle():
    assert cycle({'a': {'b'}, 'b': {'c'}, 'c': {'a'}, 'd': set()}) == ['a', 'b', 'c', 'a']
    assert cycle({'a': {'b'}, 'b': set()}) is None

def test_imports_inside_functions_are_seen(tmp_path):
    f = tmp_path/'m.py'
    f.write_text("def f():\n"
                 "    from pneumo_nb.train import train\n"
                 "    from .model import build_model\n")
    assert imports(f) == {'train', 'model'}

def test_no_import_cycle():
    assert cycle(GRAPH) is None, f"import cycle: {' -> '.join(cycle(GRAPH))}"

def test_core_is_the_ground_floor():
    assert GRAPH['core'] == set(), f"core imports {sorted(GRAPH['core'])}"

# plumbing that imports no chapter
GROUND = {'core', 'files', 'commands', 'images', 'download', 'runs', 'ladder'}

def test_the_ground_floor_imports_no_chapter():
    "The plumbing modules import only each other, so every chapter may use them."
    assert {m: sorted(GRAPH[m] - GROUND) for m in GROUND if GRAPH[m] - GROUND} == {}

MAIN = ['data', 'imbalance', 'model', 'train', 'evaluate']   # the main path, in reading order

@pytest.mark.parametrize('module', MAIN)
def test_the_main_path_imports_only_itself_and_the_ground_floor(module):
    "A main chapter's module imports only the main chapters before it and the ground floor."
    earlier = set(MAIN[:MAIN.index(module)])
    assert sorted(GRAPH[module] - GROUND - earlier) == []

def test_commands_live_on_the_top_floor():
    "Nothing imports cli; at its top it imports only the TensorFlow-free floor (chapters inside)."
    assert not [m for m, deps in GRAPH.items() if 'cli' in deps]
    top = ast.parse(MODULES['cli'].read_text(encoding='utf-8')).body
    from_pkg = [n for n in top if isinstance(n, ast.ImportFrom) and n.module
                and 'pneumo_nb' in (n.module if n.level == 0 else 'pneumo_nb')]
    at_top = {n.module.lstrip('.').split('.')[-1] for n in from_pkg}
    assert at_top <= {'core', 'commands', 'files'}, at_top

def test_no_module_over_400_lines():
    sizes = {m: len(p.read_text(encoding='utf-8').splitlines()) for m, p in MODULES.items()}
    assert max(sizes.values()) <= 400, {m: n for m, n in sizes.items() if n > 400}

NBS = PKG.parent/'nbs'
MAIN_NBS = dict(zip(MAIN, ['00_data', '01_imbalance', '02_model', '03_train', '04_eval']))
def notebook_imports(name):
    "The package modules a notebook imports in any code cell."
    cells = json.loads((NBS/f'{name}.ipynb').read_text(encoding='utf-8'))['cells']
    code = '\n'.join(''.join(c['source']) for c in cells if c['cell_type'] == 'code')
    return set(re.findall(r'^\s*from pneumo_nb\.(\w+) import', code, re.M)) & set(MODULES)

@pytest.mark.parametrize('module', MAIN)
def test_a_main_notebook_imports_only_earlier_chapters(module):
    "A main chapter's notebook never imports its own module, nor a research chapter or appendix."
    earlier = set(MAIN[:MAIN.index(module)])
    assert sorted(notebook_imports(MAIN_NBS[module]) - GROUND - earlier) == []

def test_the_notebook_import_finder_sees_imports():
    assert {'data', 'runs'} <= notebook_imports('04_eval')
