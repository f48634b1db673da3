"""Write the example films the package ships (pneumo_nb/examples/) from the dataset.

The films are chosen by the rule in nbs/24_examples.ipynb.
Usage: python tools/ship_examples.py [DATASET]   (default: $PNEUMO_DATA, then data/chest_xray)
The folder is replaced whole; commit it to ship it. tests and 24_examples check it against the rule.
"""
import sys
from pneumo_nb.data import find_data
from pneumo_nb.examples import EXAMPLES, write_examples

if __name__ == '__main__':
    root = find_data(sys.argv[1] if len(sys.argv) > 1 else None)
    out = write_examples(root, EXAMPLES)
    print(f'wrote {out}: ' + ', '.join(sorted(p.name for p in out.rglob('*.jpeg'))))
