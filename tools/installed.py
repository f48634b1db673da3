"""Exit 0 when this checkout is installed and ready for tools/test.sh; exit 1 (silently) otherwise.

Ready: installed with `pip install -e .[dev]`, every requirement met and its Jupyter kernel
registered, so that tools/test.sh can skip pip and run on a machine without network.
"""
import sys
from configparser import ConfigParser
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def unmet(): # nothing
    "The requirements of settings.ini (dev ones included) that the installed packages do not meet."
    from packaging.requirements import Requirement
    cfg = ConfigParser(delimiters=['='])
    cfg.read(ROOT/'settings.ini', encoding='utf-8')
    wanted = cfg['DEFAULT']['requirements'].split() + cfg['DEFAULT']['dev_requirements'].split()
    out = []
    for w in map(Requirement, wanted):
        try: have = metadata.version(w.name)
        except metadata.PackageNotFoundError: have = None
        if have is None or not w.specifier.contains(have, prereleases=True): out.append(str(w))
    return out

def ready(): # nothing
    "Whether `import pneumo_nb` is this checkout, requirements are met and the kernel registered."
    try:
        import pneumo_nb
        from jupyter_client.kernelspec import find_kernel_specs
    except ImportError: return False
    here = Path(pneumo_nb.__file__).resolve().parent == ROOT/'pneumo_nb'
    return here and not unmet() and 'pneumo_nb' in find_kernel_specs()

if __name__ == '__main__':
    sys.exit(0 if ready() else 1)
